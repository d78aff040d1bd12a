//! The timers of one connection's sessions (`send-after`, `interval`): a heap of deadlines
//! and the pending timers by id. A cancelled timer leaves a stale heap entry that is skipped
//! when it comes up; a session that ends takes its timers with it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::pubsub::{SessionId, TimerId};

/// Timers one session may have pending; more are refused.
pub const MAX_TIMERS: usize = 100;

#[derive(Debug)]
struct Timer {
    session: SessionId,
    payload: Arc<str>,
    period: Option<Duration>,
    due: Instant,
}

#[derive(Debug, Default)]
pub struct Timers {
    heap: BinaryHeap<Reverse<(Instant, TimerId)>>,
    pending: HashMap<TimerId, Timer>,
}

impl Timers {
    /// Starts timer `id` of `session`; false when the session has [`MAX_TIMERS`] pending.
    pub fn start(&mut self, session: SessionId, id: TimerId, payload: Arc<str>, delay: Duration, repeat: bool) -> bool {
        if self.pending.values().filter(|t| t.session == session).count() >= MAX_TIMERS {
            return false;
        }
        let due = Instant::now() + delay;
        self.pending.insert(id, Timer { session, payload, period: repeat.then_some(delay), due });
        self.heap.push(Reverse((due, id)));
        true
    }

    /// Cancels `session`'s timer `id`, if it is pending (another session's stays).
    pub fn cancel(&mut self, session: SessionId, id: TimerId) {
        if self.pending.get(&id).is_some_and(|t| t.session == session) {
            self.pending.remove(&id);
            // Cancelled timers leave stale heap entries: a debounce (cancel, start again)
            // must not grow the heap until their old deadlines pass.
            if self.heap.len() > 2 * self.pending.len() + 16 {
                let pending = &self.pending;
                self.heap.retain(|Reverse((due, id))| pending.get(id).is_some_and(|t| t.due == *due));
            }
        }
    }

    /// Forgets every timer of `session`.
    pub fn end(&mut self, session: SessionId) {
        self.pending.retain(|_, t| t.session != session);
        if self.pending.is_empty() {
            self.heap.clear();
        } else {
            let pending = &self.pending;
            self.heap.retain(|Reverse((_, id))| pending.contains_key(id));
        }
    }

    /// When the next timer fires.
    pub fn next_due(&mut self) -> Option<Instant> {
        while let Some(&Reverse((due, id))) = self.heap.peek() {
            match self.pending.get(&id) {
                Some(timer) if timer.due == due => return Some(due),
                _ => {
                    self.heap.pop();
                }
            }
        }
        None
    }

    /// A timer due at `now`: its session and payload. An interval is due again one period
    /// later, or one period from `now` when it fell behind (ticks are skipped, not queued).
    pub fn pop_due(&mut self, now: Instant) -> Option<(SessionId, Arc<str>)> {
        let due = self.next_due()?;
        if due > now {
            return None;
        }
        let Reverse((_, id)) = self.heap.pop()?;
        let timer = self.pending.get_mut(&id)?;
        let fired = (timer.session, Arc::clone(&timer.payload));
        match timer.period {
            Some(period) => {
                let next = timer.due + period;
                timer.due = if next > now { next } else { now + period };
                self.heap.push(Reverse((timer.due, id)));
            }
            None => {
                self.pending.remove(&id);
            }
        }
        Some(fired)
    }

    /// Timers pending in all.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::time::Instant;

    use super::{MAX_TIMERS, Timers};
    use crate::pubsub::SessionId;

    #[tokio::test(start_paused = true)]
    async fn timers_fire_in_order_and_intervals_repeat() {
        let mut timers = Timers::default();
        let s = SessionId::next();
        assert!(timers.start(s, 1, Arc::from("late"), Duration::from_millis(30), false));
        assert!(timers.start(s, 2, Arc::from("tick"), Duration::from_millis(10), true));
        let start = Instant::now();
        assert_eq!(timers.pop_due(start), None);
        let mut fired = Vec::new();
        for ms in [10, 20, 30] {
            tokio::time::advance(Duration::from_millis(10)).await;
            while let Some((_, payload)) = timers.pop_due(Instant::now()) {
                fired.push((ms, payload.to_string()));
            }
        }
        assert_eq!(fired, [(10, "tick"), (20, "tick"), (30, "late"), (30, "tick")].map(|(m, p)| (m, p.to_owned())));
        assert_eq!(timers.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_interval_that_fell_behind_skips_ticks() {
        let mut timers = Timers::default();
        let s = SessionId::next();
        timers.start(s, 1, Arc::from("tick"), Duration::from_millis(10), true);
        tokio::time::advance(Duration::from_millis(55)).await;
        assert!(timers.pop_due(Instant::now()).is_some());
        assert!(timers.pop_due(Instant::now()).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_and_end_forget_timers() {
        let mut timers = Timers::default();
        let (a, b) = (SessionId::next(), SessionId::next());
        timers.start(a, 1, Arc::from("1"), Duration::from_millis(5), false);
        timers.start(b, 2, Arc::from("2"), Duration::from_millis(5), true);
        timers.cancel(b, 1);
        assert_eq!(timers.len(), 2, "a session cannot cancel another's timer");
        timers.cancel(a, 1);
        timers.end(b);
        assert!(timers.is_empty());
        tokio::time::advance(Duration::from_millis(10)).await;
        assert_eq!(timers.pop_due(Instant::now()), None);
        assert_eq!(timers.next_due(), None);
    }

    #[test]
    fn a_session_has_a_bounded_number_of_timers() {
        let mut timers = Timers::default();
        let s = SessionId::next();
        for id in 0..MAX_TIMERS as u64 {
            assert!(timers.start(s, id, Arc::from("x"), Duration::from_secs(1), false));
        }
        assert!(!timers.start(s, 1000, Arc::from("x"), Duration::from_secs(1), false));
        assert!(timers.start(SessionId::next(), 1001, Arc::from("x"), Duration::from_secs(1), false));
    }
}
