//! The `pubsub`, `timers` and `presence` capabilities. Pubsub and presence calls go to the
//! hub at once, as in Phoenix (a view that subscribes and then lists a topic misses nothing
//! in between); timers are requests the session carries out when the handler returns, since
//! they live with its connection. A view instance that serves no session (the HTTP dead
//! render) subscribes and tracks nothing: its calls succeed and do nothing.

use std::sync::Arc;
use std::time::Duration;

use super::bindings::liveplug::view::{presence, pubsub, timers};
use super::store::StoreState;
use crate::pubsub::{
    MIN_INTERVAL, Mailbox, Request, SessionId, TimerId, check_key, check_meta, check_payload, check_topic,
    next_timer_id,
};

/// Pubsub, timer and presence calls one handler may make; more are refused.
pub const MAX_CALLS: usize = 256;

/// The session an instance serves, and its connection's mailbox.
#[derive(Debug, Clone)]
pub struct Bound {
    pub session: SessionId,
    pub mailbox: Arc<Mailbox>,
}

impl StoreState {
    /// Counts a call against the handler's budget.
    fn call(&mut self) -> Result<(), String> {
        self.effects.calls += 1;
        if self.effects.calls > MAX_CALLS {
            if self.effects.calls == MAX_CALLS + 1 {
                tracing::warn!(plugin = %self.plugin, "too many pubsub, timer and presence calls in one handler");
            }
            return Err(format!("a handler makes at most {MAX_CALLS} pubsub, timer and presence calls"));
        }
        Ok(())
    }

    fn timer(&mut self, payload: String, delay: Duration, repeat: bool) -> Result<TimerId, String> {
        self.call()?;
        let payload = check_payload(payload)?;
        let id = next_timer_id();
        self.effects.requests.push(Request::Timer { id, payload, delay, repeat });
        Ok(id)
    }
}

impl pubsub::Host for StoreState {
    fn subscribe(&mut self, topic: String) -> Result<(), String> {
        self.call()?;
        check_topic(&topic)?;
        match &self.bound {
            Some(bound) => self.hub.subscribe(&topic, bound.session, &bound.mailbox).map_err(|e| e.to_string()),
            None => Ok(()),
        }
    }

    fn unsubscribe(&mut self, topic: String) {
        if let Some(bound) = &self.bound {
            self.hub.unsubscribe(&topic, bound.session);
        }
    }

    fn broadcast(&mut self, topic: String, payload: String, exclude_self: bool) -> Result<(), String> {
        self.call()?;
        check_topic(&topic)?;
        let payload = check_payload(payload)?;
        let exclude = self.bound.as_ref().map(|b| b.session).filter(|_| exclude_self);
        self.hub.broadcast(&topic, payload, exclude);
        Ok(())
    }
}

impl timers::Host for StoreState {
    fn send_self(&mut self, payload: String) -> Result<(), String> {
        self.timer(payload, Duration::ZERO, false).map(|_| ())
    }

    fn send_after(&mut self, payload: String, delay_ms: u32) -> Result<TimerId, String> {
        self.timer(payload, Duration::from_millis(delay_ms.into()), false)
    }

    fn interval(&mut self, payload: String, period_ms: u32) -> Result<TimerId, String> {
        let period = Duration::from_millis(period_ms.into());
        if period < MIN_INTERVAL {
            return Err(format!("an interval is at least {} ms, got {period_ms}", MIN_INTERVAL.as_millis()));
        }
        self.timer(payload, period, true)
    }

    fn cancel(&mut self, id: TimerId) {
        if self.call().is_ok() {
            self.effects.requests.push(Request::Cancel(id));
        }
    }
}

impl presence::Host for StoreState {
    fn track(&mut self, topic: String, key: String, meta: String) -> Result<(), String> {
        self.call()?;
        check_topic(&topic)?;
        check_key(&key)?;
        let meta = check_meta(&meta)?;
        match &self.bound {
            Some(bound) => self.hub.track(&topic, &key, bound.session, meta).map_err(|e| e.to_string()),
            None => Ok(()),
        }
    }

    fn untrack(&mut self, topic: String, key: String) {
        if let Some(bound) = &self.bound {
            self.hub.untrack(&topic, &key, bound.session);
        }
    }

    fn list(&mut self, topic: String) -> String {
        self.hub.presence_list(&topic)
    }
}
