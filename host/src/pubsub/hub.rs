//! The topics of this host: who subscribes to what, delivery into each connection's mailbox,
//! and presence. Broadcasting never waits: a delivery is a push onto a queue that the
//! receiving connection drains, and a connection whose queue passes [`MAX_QUEUED`] is told to
//! close rather than slowing anyone else down.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::sync::mpsc;

use super::message::{Message, SessionId};
use super::presence::{Diff, Pending, Presence};
use super::wire::Envelope;

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

/// The sessions subscribed to one topic, with their connections' mailboxes.
type Subscribers = HashMap<SessionId, Arc<Mailbox>>;

/// Topics and presence of this host.
#[derive(Debug)]
pub struct Hub {
    topics: RwLock<HashMap<Arc<str>, Subscribers>>,
    presence: Mutex<Presence>,
    /// This host's name among hosts, and the prefix of its presence refs.
    node: String,
    next_ref: AtomicU64,
    /// The other hosts, once an adapter connected this hub to them.
    remote: OnceLock<Remote>,
}

/// The way out to the other hosts: messages for the adapter to publish, and when each
/// other host was last heard from.
#[derive(Debug)]
struct Remote {
    outbox: mpsc::Sender<String>,
    /// Set while messages are dropped because the adapter is behind or away (logged once).
    dropping: AtomicBool,
    seen: Mutex<HashMap<String, Instant>>,
}

/// Messages waiting for the adapter; past this, new ones are dropped (and logged once).
pub const OUTBOX: usize = 65_536;

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    /// A hub with a random host name (unique among the hosts sharing a Redis server).
    pub fn new() -> Self {
        Self::for_node(&format!("{:08x}.", rand::random::<u32>()))
    }

    /// A hub whose presence refs start with `node`.
    pub fn for_node(node: &str) -> Self {
        Self {
            topics: RwLock::new(HashMap::new()),
            presence: Mutex::new(Presence::new()),
            node: node.to_owned(),
            next_ref: AtomicU64::new(0),
            remote: OnceLock::new(),
        }
    }

    /// This host's name among hosts.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Connects the hub to other hosts: what it must tell them goes to `outbox`, which an
    /// adapter publishes; what they say comes back through [`Hub::receive`]. Once only.
    pub fn connect_remote(&self, outbox: mpsc::Sender<String>) -> bool {
        self.remote.set(Remote { outbox, dropping: AtomicBool::new(false), seen: Mutex::new(HashMap::new()) }).is_ok()
    }

    fn publish(&self, envelope: &Envelope<'_>) {
        let Some(remote) = self.remote.get() else { return };
        match remote.outbox.try_send(envelope.encode()) {
            Ok(()) => {
                if remote.dropping.swap(false, Ordering::Relaxed) {
                    tracing::info!("pubsub: messages to other hosts flow again");
                }
            }
            Err(_) => {
                if !remote.dropping.swap(true, Ordering::Relaxed) {
                    tracing::warn!("pubsub: the adapter is behind or away; messages to other hosts are dropped");
                }
            }
        }
    }

    /// What another host said (a message from the adapter). Foreign or malformed messages
    /// are logged and ignored; this host's own echo is ignored.
    pub fn receive(&self, text: &str) {
        let envelope = match Envelope::decode(text) {
            Ok(envelope) => envelope,
            Err(error) => {
                tracing::warn!(%error, "pubsub: message from another host ignored");
                return;
            }
        };
        let node = envelope.node();
        if node == self.node {
            return;
        }
        if let Some(remote) = self.remote.get() {
            lock(&remote.seen).insert(node.to_owned(), Instant::now());
        }
        match envelope {
            Envelope::Broadcast { topic, payload, .. } => {
                let topics = self.topics.read().unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some((topic, subscribers)) = topics.get_key_value(topic) {
                    let message = Message::Broadcast { topic: Arc::clone(topic), payload: payload.into() };
                    deliver(subscribers, &message, None);
                }
            }
            Envelope::Join { node, presence } => {
                let topic = presence.topic.clone();
                let diff = self.presence().remote_join(node, presence);
                self.publish_presence(&topic, &diff);
            }
            Envelope::Leave { node, phx_ref } => {
                let left = self.presence().remote_leave(node, phx_ref);
                if let Some((topic, diff)) = left {
                    self.publish_presence(&topic, &diff);
                }
            }
            Envelope::State { node, presences } => {
                let diffs = self.presence().remote_state(node, presences);
                self.publish_presence_diffs(&diffs);
            }
            Envelope::Heartbeat { .. } => {}
            Envelope::Hello { .. } => self.announce_state(),
        }
    }

    /// The adapter (re)connected: ask the others for their presences and tell them ours.
    pub fn remote_connected(&self) {
        self.publish(&Envelope::Hello { node: &self.node });
        self.announce_state();
    }

    fn announce_state(&self) {
        let presences = self.presence().shared();
        self.publish(&Envelope::State { node: &self.node, presences });
    }

    /// Tells the other hosts this one is alive, and forgets the presences of those not heard
    /// from for `timeout` (a host that died takes its presences along).
    pub fn heartbeat(&self, timeout: Duration) {
        let Some(remote) = self.remote.get() else { return };
        self.publish(&Envelope::Heartbeat { node: &self.node });
        let now = Instant::now();
        let mut gone: Vec<String> = Vec::new();
        lock(&remote.seen).retain(|node, seen| {
            let alive = now.duration_since(*seen) < timeout;
            if !alive {
                gone.push(node.clone());
            }
            alive
        });
        // Presences of hosts never heard from directly (known only from a state) count too.
        let known = self.presence().remote_nodes();
        let seen = lock(&remote.seen);
        let unseen: Vec<String> =
            known.into_iter().filter(|node| !seen.contains_key(node) && !gone.contains(node)).collect();
        drop(seen);
        gone.extend(unseen);
        for node in gone {
            tracing::info!(%node, "pubsub: a host stopped answering; its presences leave");
            let diffs = self.presence().remote_down(&node);
            self.publish_presence_diffs(&diffs);
        }
    }

    fn publish_presence_diffs(&self, diffs: &[(String, Diff)]) {
        for (topic, diff) in diffs {
            self.publish_presence(topic, diff);
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
        // The other hosts first: they deliver to their own subscribers meanwhile.
        self.publish(&Envelope::Broadcast { node: &self.node, topic, payload: &payload });
        let topics = self.topics.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some((topic, subscribers)) = topics.get_key_value(topic) else { return 0 };
        deliver(subscribers, &Message::Broadcast { topic: Arc::clone(topic), payload }, exclude)
    }

    /// Tracks `session` on `topic` under a ref from [`Hub::fresh_ref`] and tells the topic's
    /// subscribers.
    pub fn track(&self, topic: &str, key: &str, session: SessionId, meta: Map<String, Value>, phx_ref: Arc<str>) {
        let (old, diff, new) = {
            let mut presence = self.presence();
            let old = presence.shared_one(topic, key, session);
            let diff = presence.track(topic, key, session, meta, phx_ref);
            (old, diff, presence.shared_one(topic, key, session))
        };
        self.publish_presence(topic, &diff);
        if let Some(old) = old {
            self.publish(&Envelope::Leave { node: &self.node, phx_ref: &old.phx_ref });
        }
        if let Some(presence) = new {
            self.publish(&Envelope::Join { node: &self.node, presence });
        }
    }

    pub fn untrack(&self, topic: &str, key: &str, session: SessionId) {
        let (old, diff) = {
            let mut presence = self.presence();
            (presence.shared_one(topic, key, session), presence.untrack(topic, key, session))
        };
        self.publish_presence(topic, &diff);
        if let Some(old) = old {
            self.publish(&Envelope::Leave { node: &self.node, phx_ref: &old.phx_ref });
        }
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
        lock(&self.presence)
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

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn deliver(subscribers: &Subscribers, message: &Message, exclude: Option<SessionId>) -> usize {
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

    use std::time::Duration;

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
        assert!(
            matches!(inbox.try_recv().unwrap().message, Message::Presence { ref leaves, .. } if leaves.contains("bob"))
        );
        assert_eq!(hub.presence_list("room", None, &[]), "{}");
    }

    /// Two hubs joined by hand (what the Redis adapter does over the network).
    #[test]
    fn two_hosts_share_broadcasts_and_presences() {
        let a = Hub::for_node("a.");
        let b = Hub::for_node("b.");
        let (a_out, mut a_rx) = tokio::sync::mpsc::channel(64);
        let (b_out, mut b_rx) = tokio::sync::mpsc::channel(64);
        assert!(a.connect_remote(a_out));
        assert!(b.connect_remote(b_out));
        let relay = |rx: &mut tokio::sync::mpsc::Receiver<String>, to: &Hub, echo: &Hub| {
            while let Ok(text) = rx.try_recv() {
                to.receive(&text);
                echo.receive(&text);
            }
        };
        let (mailbox, mut inbox) = Mailbox::new();
        let on_b = SessionId::next();
        b.subscribe("room", on_b, &mailbox);
        let on_a = SessionId::next();
        a.track("room", "ada", on_a, serde_json::Map::new(), a.fresh_ref());
        a.broadcast("room", Arc::from("\"hi\""), None);
        relay(&mut a_rx, &b, &a);
        let presence = inbox.try_recv().unwrap().message;
        assert!(matches!(presence, Message::Presence { ref joins, .. } if joins.contains("ada")), "{presence:?}");
        let broadcast = inbox.try_recv().unwrap().message;
        assert_eq!(broadcast, Message::Broadcast { topic: "room".into(), payload: "\"hi\"".into() });
        assert!(inbox.try_recv().is_none(), "delivered once");
        assert!(b.presence_list("room", None, &[]).contains("ada"));

        // A newcomer asks, and gets the state.
        let c = Hub::for_node("c.");
        let (c_out, mut c_rx) = tokio::sync::mpsc::channel(64);
        c.connect_remote(c_out);
        c.remote_connected();
        relay(&mut c_rx, &a, &b);
        relay(&mut a_rx, &c, &b);
        assert!(c.presence_list("room", None, &[]).contains("ada"));

        // a stops answering: b forgets its presences once the timeout passed.
        b.heartbeat(Duration::from_secs(3600));
        assert!(b.presence_list("room", None, &[]).contains("ada"));
        std::thread::sleep(Duration::from_millis(20));
        b.heartbeat(Duration::from_millis(10));
        assert_eq!(b.presence_list("room", None, &[]), "{}");
        assert!(
            matches!(inbox.try_recv().unwrap().message, Message::Presence { ref leaves, .. } if leaves.contains("ada"))
        );
        drop(b_rx.try_recv());
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
