//! A connection's side of server push: its mailbox (created when a session first
//! subscribes), its sessions' timers, and carrying out what handlers asked of pubsub, timers
//! and presence.

use std::sync::Arc;

use super::channel::Channel;
use super::timers::Timers;
use crate::pubsub::{Delivery, Hub, Inbox, Mailbox, Message, Request, SessionId};
use crate::runtime::View;

/// Deliveries taken from the inbox in one turn; the rest wait for the next turn, after the
/// socket has been read again.
pub const MAX_BATCH: usize = 256;

#[derive(Debug)]
pub(super) struct Realtime {
    hub: Arc<Hub>,
    mailbox: Option<Arc<Mailbox>>,
    /// The inbox of a mailbox just created, until the connection's loop takes it.
    new_inbox: Option<Inbox>,
    pub timers: Timers,
}

impl Realtime {
    pub fn new(hub: Arc<Hub>) -> Self {
        Self { hub, mailbox: None, new_inbox: None, timers: Timers::default() }
    }

    /// The inbox to read, once the first subscription created it.
    pub fn take_inbox(&mut self) -> Option<Inbox> {
        self.new_inbox.take()
    }

    fn mailbox(&mut self) -> Arc<Mailbox> {
        let new_inbox = &mut self.new_inbox;
        Arc::clone(self.mailbox.get_or_insert_with(|| {
            let (mailbox, inbox) = Mailbox::new();
            *new_inbox = Some(inbox);
            mailbox
        }))
    }

    /// Carries out, in order, what `channel`'s handlers asked for. A request past a limit is
    /// refused with a warning; the session goes on.
    pub fn apply<V: View + 'static>(&mut self, channel: &mut Channel<V>) {
        let requests = channel.take_requests();
        if requests.is_empty() {
            return;
        }
        let id = channel.id;
        for request in requests {
            match request {
                Request::Subscribe(topic) => {
                    let mailbox = self.mailbox();
                    if let Err(error) = channel.membership(&self.hub).subscribe(&topic, &mailbox) {
                        tracing::warn!(topic = %channel.topic, %error, "subscription refused");
                    }
                }
                Request::Unsubscribe(topic) => {
                    if let Some(membership) = &mut channel.membership {
                        membership.unsubscribe(&topic);
                    }
                }
                Request::Broadcast { topic, payload, exclude_self } => {
                    self.hub.broadcast(&topic, payload, exclude_self.then_some(id));
                }
                Request::Timer { id: timer, payload, delay, repeat } => {
                    if !self.timers.start(id, timer, payload, delay, repeat) {
                        tracing::warn!(topic = %channel.topic, "too many timers: timer refused");
                    }
                }
                Request::Cancel(timer) => self.timers.cancel(id, timer),
                Request::Track { topic, key, meta, phx_ref } => {
                    if let Err(error) = channel.membership(&self.hub).track(&topic, &key, meta, phx_ref) {
                        tracing::warn!(topic = %channel.topic, %error, "presence refused");
                    }
                }
                Request::Untrack { topic, key } => {
                    if let Some(membership) = &mut channel.membership {
                        membership.untrack(&topic, &key);
                    }
                }
            }
        }
    }

    /// A session ended: its timers go (its membership goes with the channel).
    pub fn ended(&mut self, session: SessionId) {
        self.timers.end(session);
    }

    /// Timers due now, grouped by session in firing order.
    pub fn due(&mut self) -> Vec<(SessionId, Vec<Message>)> {
        let now = tokio::time::Instant::now();
        let mut fired = Vec::new();
        while let Some((session, payload)) = self.timers.pop_due(now) {
            fired.push(Delivery { session, message: Message::Sent(payload) });
            if fired.len() >= MAX_BATCH {
                break;
            }
        }
        group(fired)
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

/// The next delivery of `inbox`, or never when there is none yet.
pub async fn next_delivery(inbox: &mut Option<Inbox>) -> Delivery {
    match inbox {
        Some(inbox) => match inbox.recv().await {
            Some(delivery) => delivery,
            // The connection holds the mailbox, so its queue never closes while it runs.
            None => std::future::pending().await,
        },
        None => std::future::pending().await,
    }
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
