//! The topics of this host: who subscribes to what, delivery into each connection's mailbox,
//! and presence. Broadcasting never waits: a delivery is a push onto a queue that the
//! receiving connection drains, and a connection whose queue passes [`MAX_QUEUED`] is told to
//! close rather than slowing anyone else down.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use serde_json::{Map, Value};
use tokio::sync::mpsc;

use super::message::{Message, SessionId};
use super::presence::{Pending, Presence};

/// Messages one connection may have waiting; past this it is closed (its client reconnects
/// and remounts) instead of queueing without bound.
pub const MAX_QUEUED: usize = 10_000;

/// One message for one session of a connection.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub session: SessionId,
    pub message: Message,
}

/// The sending side of one connection's queue, shared by the topics its sessions subscribe
/// to.
#[derive(Debug)]
pub struct Mailbox {
    tx: mpsc::UnboundedSender<Delivery>,
    queued: AtomicUsize,
    overflowed: AtomicBool,
}

/// The receiving side, owned by the connection.
#[derive(Debug)]
pub struct Inbox {
    rx: mpsc::UnboundedReceiver<Delivery>,
    mailbox: Arc<Mailbox>,
}

impl Mailbox {
    /// A connection's mailbox and the inbox it reads.
    pub fn new() -> (Arc<Mailbox>, Inbox) {
        let (tx, rx) = mpsc::unbounded_channel();
        let mailbox = Arc::new(Mailbox { tx, queued: AtomicUsize::new(0), overflowed: AtomicBool::new(false) });
        (Arc::clone(&mailbox), Inbox { rx, mailbox })
    }

    /// Queues `delivery`; false when the connection is gone or too far behind.
    pub fn deliver(&self, delivery: Delivery) -> bool {
        if self.queued.fetch_add(1, Ordering::Relaxed) >= MAX_QUEUED {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            self.overflowed.store(true, Ordering::Relaxed);
            return false;
        }
        if self.tx.send(delivery).is_err() {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            return false;
        }
        true
    }
}

impl Inbox {
    /// The next delivery (cancel-safe).
    pub async fn recv(&mut self) -> Option<Delivery> {
        let delivery = self.rx.recv().await;
        if delivery.is_some() {
            self.mailbox.queued.fetch_sub(1, Ordering::Relaxed);
        }
        delivery
    }

    /// A delivery already waiting, if any.
    pub fn try_recv(&mut self) -> Option<Delivery> {
        let delivery = self.rx.try_recv().ok();
        if delivery.is_some() {
            self.mailbox.queued.fetch_sub(1, Ordering::Relaxed);
        }
        delivery
    }

    /// Whether a message for this connection was refused because its queue was full.
    pub fn overflowed(&self) -> bool {
        self.mailbox.overflowed.load(Ordering::Relaxed)
    }
}

/// What the hub holds, for tests and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub topics: usize,
    pub subscriptions: usize,
    pub presences: usize,
}

/// Topics and presence of this host.
#[derive(Debug)]
pub struct Hub {
    topics: RwLock<HashMap<Arc<str>, HashMap<SessionId, Arc<Mailbox>>>>,
    presence: Mutex<Presence>,
    /// Prefix of this host's presence refs, so that refs from several hosts never collide.
    node: String,
    next_ref: AtomicU64,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        Self::for_node("")
    }

    /// A hub whose presence refs start with `node`.
    pub fn for_node(node: &str) -> Self {
        Self {
            topics: RwLock::new(HashMap::new()),
            presence: Mutex::new(Presence::new()),
            node: node.to_owned(),
            next_ref: AtomicU64::new(0),
        }
    }

    /// A presence ref never used before.
    pub fn fresh_ref(&self) -> Arc<str> {
        let n = self.next_ref.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{}{n:x}", self.node).into()
    }

    /// Subscribes `session` (whose connection reads `mailbox`) to `topic`.
    pub fn subscribe(&self, topic: &str, session: SessionId, mailbox: &Arc<Mailbox>) {
        let mut topics = self.topics.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        topics.entry(topic.into()).or_default().insert(session, Arc::clone(mailbox));
    }

    pub fn unsubscribe(&self, topic: &str, session: SessionId) {
        let mut topics = self.topics.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(subscribers) = topics.get_mut(topic) {
            subscribers.remove(&session);
            if subscribers.is_empty() {
                topics.remove(topic);
            }
        }
    }

    /// Delivers `payload` to every session subscribed to `topic` but `exclude`. Returns how
    /// many sessions it was queued for.
    pub fn broadcast(&self, topic: &str, payload: Arc<str>, exclude: Option<SessionId>) -> usize {
        let topics = self.topics.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some((topic, subscribers)) = topics.get_key_value(topic) else { return 0 };
        let message = Message::Broadcast { topic: Arc::clone(topic), payload };
        deliver(subscribers, &message, exclude)
    }

    /// Tracks `session` on `topic` under a ref from [`Hub::fresh_ref`] and tells the topic's
    /// subscribers.
    pub fn track(&self, topic: &str, key: &str, session: SessionId, meta: Map<String, Value>, phx_ref: Arc<str>) {
        let diff = self.presence().track(topic, key, session, meta, phx_ref);
        self.publish_presence(topic, &diff);
    }

    pub fn untrack(&self, topic: &str, key: &str, session: SessionId) {
        let diff = self.presence().untrack(topic, key, session);
        self.publish_presence(topic, &diff);
    }

    /// Everyone on `topic`, as JSON, as `session` sees it with its `pending` changes made.
    pub fn presence_list(&self, topic: &str, session: Option<SessionId>, pending: &[Pending<'_>]) -> String {
        self.presence().list_for(topic, session, pending).to_string()
    }

    pub fn counts(&self) -> Counts {
        let topics = self.topics.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        Counts {
            topics: topics.len(),
            subscriptions: topics.values().map(HashMap::len).sum(),
            presences: self.presence().len(),
        }
    }

    fn presence(&self) -> std::sync::MutexGuard<'_, Presence> {
        self.presence.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn publish_presence(&self, topic: &str, diff: &super::presence::Diff) {
        if diff.is_empty() {
            return;
        }
        let topics = self.topics.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(subscribers) = topics.get(topic) {
            deliver(subscribers, &diff.message(topic), None);
        }
    }
}

fn deliver(subscribers: &HashMap<SessionId, Arc<Mailbox>>, message: &Message, exclude: Option<SessionId>) -> usize {
    let mut delivered = 0;
    for (&session, mailbox) in subscribers {
        if Some(session) != exclude && mailbox.deliver(Delivery { session, message: message.clone() }) {
            delivered += 1;
        }
    }
    delivered
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Counts, Hub, MAX_QUEUED, Mailbox, Message, SessionId};

    #[test]
    fn a_broadcast_reaches_every_subscriber_but_the_excluded_one() {
        let hub = Hub::new();
        let (mailbox, mut inbox) = Mailbox::new();
        let (a, b, c) = (SessionId::next(), SessionId::next(), SessionId::next());
        for s in [a, b, c] {
            hub.subscribe("t", s, &mailbox);
        }
        hub.subscribe("t", a, &mailbox);
        assert_eq!(hub.broadcast("t", Arc::from("1"), Some(b)), 2);
        let mut got = vec![inbox.try_recv().unwrap().session, inbox.try_recv().unwrap().session];
        got.sort();
        assert_eq!(got, vec![a, c]);
        assert!(inbox.try_recv().is_none());
        assert_eq!(hub.broadcast("other", Arc::from("1"), None), 0);
        hub.unsubscribe("t", a);
        hub.unsubscribe("t", b);
        hub.unsubscribe("t", c);
        assert_eq!(hub.counts(), Counts::default());
    }

    #[test]
    fn a_connection_that_falls_behind_overflows_instead_of_growing() {
        let hub = Hub::new();
        let (mailbox, mut inbox) = Mailbox::new();
        let s = SessionId::next();
        hub.subscribe("t", s, &mailbox);
        for _ in 0..MAX_QUEUED {
            assert_eq!(hub.broadcast("t", Arc::from("1"), None), 1);
        }
        assert!(!inbox.overflowed());
        assert_eq!(hub.broadcast("t", Arc::from("1"), None), 0);
        assert!(inbox.overflowed());
        assert!(inbox.try_recv().is_some());
    }

    #[test]
    fn presence_changes_go_to_the_topic_subscribers() {
        let hub = Hub::new();
        let (mailbox, mut inbox) = Mailbox::new();
        let (a, b) = (SessionId::next(), SessionId::next());
        hub.subscribe("room", a, &mailbox);
        hub.track("room", "bob", b, serde_json::Map::new(), hub.fresh_ref());
        let delivery = inbox.try_recv().unwrap();
        assert_eq!(delivery.session, a);
        assert!(matches!(delivery.message, Message::Presence { ref joins, .. } if joins.contains("bob")));
        assert!(hub.presence_list("room", None, &[]).contains("bob"));
        hub.untrack("room", "bob", b);
        assert!(matches!(inbox.try_recv().unwrap().message, Message::Presence { ref leaves, .. } if leaves.contains("bob")));
        assert_eq!(hub.presence_list("room", None, &[]), "{}");
    }

    #[test]
    fn a_closed_connection_receives_nothing() {
        let hub = Hub::new();
        let (mailbox, inbox) = Mailbox::new();
        let s = SessionId::next();
        hub.subscribe("t", s, &mailbox);
        drop(inbox);
        assert_eq!(hub.broadcast("t", Arc::from("1"), None), 0);
    }
}
