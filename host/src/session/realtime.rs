//! A connection's side of server push: its mailbox, its sessions' timers, and carrying out
//! what handlers asked of the timers.

use std::sync::Arc;

use super::channel::Channel;
use super::timers::Timers;
use crate::pubsub::{Delivery, Mailbox, Message, Request, SessionId};
use crate::runtime::View;

/// Deliveries taken from the mailbox in one turn; the rest wait for the next turn, after the
/// socket has been read again.
pub const MAX_BATCH: usize = 256;

#[derive(Debug)]
pub(super) struct Realtime {
    /// Where the hub delivers this connection's messages (a few words until one arrives).
    pub mailbox: Arc<Mailbox>,
    pub timers: Timers,
}

impl Drop for Realtime {
    fn drop(&mut self) {
        self.mailbox.close();
    }
}

impl Realtime {
    pub fn new() -> Self {
        Self { mailbox: Mailbox::new(), timers: Timers::default() }
    }

    /// Carries out, in order, what `channel`'s handlers asked of its timers. A timer past
    /// the limit is refused with a warning; the session goes on.
    pub fn apply<V: View + 'static>(&mut self, channel: &mut Channel<V>) {
        let requests = channel.take_requests();
        let id = channel.id;
        for request in requests {
            match request {
                Request::Timer { id: timer, payload, delay, repeat } => {
                    if !self.timers.start(id, timer, payload, delay, repeat) {
                        tracing::warn!(topic = %channel.topic, "too many timers: timer refused");
                    }
                }
                Request::Cancel(timer) => self.timers.cancel(id, timer),
            }
        }
    }

    /// A session ended: its timers go (its membership goes with the channel).
    pub fn ended(&mut self, session: SessionId) {
        self.timers.end(session);
    }

    /// Timers due now, in firing order.
    pub fn due(&mut self) -> Vec<Delivery> {
        let now = tokio::time::Instant::now();
        let mut fired = Vec::new();
        while let Some((session, payload)) = self.timers.pop_due(now) {
            fired.push(Delivery { session, message: Message::Sent(payload) });
            if fired.len() >= MAX_BATCH {
                break;
            }
        }
        fired
    }
}

/// Deliveries grouped by session, sessions in order of first appearance, each session's
/// messages in order.
pub fn group(deliveries: Vec<Delivery>) -> Vec<(SessionId, Vec<Message>)> {
    let mut groups: Vec<(SessionId, Vec<Message>)> = Vec::new();
    for Delivery { session, message } in deliveries {
        match groups.iter_mut().find(|(s, _)| *s == session) {
            Some((_, messages)) => messages.push(message),
            None => groups.push((session, vec![message])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::group;
    use crate::pubsub::{Delivery, Message, SessionId};

    #[test]
    fn grouping_keeps_each_sessions_order() {
        let (a, b) = (SessionId::next(), SessionId::next());
        let m = |s: &str| Message::Sent(s.into());
        let d = |session, s| Delivery { session, message: m(s) };
        let groups = group(vec![d(a, "1"), d(b, "2"), d(a, "3")]);
        assert_eq!(groups, vec![(a, vec![m("1"), m("3")]), (b, vec![m("2")])]);
    }
}
