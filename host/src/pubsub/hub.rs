//! The topics of this host: who subscribes to what, delivery into each connection's mailbox,
//! presence, and the way out to other hosts.
//!
//! Subscribing, tracking and broadcasting take effect at once, as in Phoenix, so a view that
//! subscribes and then lists a topic's presences misses nothing in between. Broadcasting
//! never waits: a delivery is a push onto the receiving connection's queue, which it drains
//! between frames, and a connection whose queue passes [`MAX_QUEUED`] messages or
//! [`MAX_QUEUED_BYTES`] is told to close rather than slowing anyone else down.
//!
//! The hub also keeps what each session joined (its topics and presences), so that
//! [`Hub::leave`] undoes all of it when the session ends, whatever ends it.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::sync::{Notify, mpsc};

use super::membership::{MAX_SUBSCRIPTIONS, MAX_TRACKED, MembershipError};
use super::message::{Message, SessionId};
use super::presence::{Diff, Presence};
use super::wire::Envelope;

/// Messages one connection may have waiting; past this it is closed (its client reconnects
/// and remounts) instead of queueing without bound.
pub const MAX_QUEUED: usize = 10_000;
/// Payload bytes one connection may have waiting (counted per message, shared or not).
pub const MAX_QUEUED_BYTES: usize = 32 << 20;
/// Messages waiting for the adapter; past this, new ones are dropped (and logged once).
pub const OUTBOX: usize = 65_536;

/// One message for one session of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub session: SessionId,
    pub message: Message,
}

/// One connection's queue of deliveries. Costs a few words until a message arrives.
#[derive(Debug, Default)]
pub struct Mailbox {
    queue: Mutex<Queue>,
    ready: Notify,
    overflowed: AtomicBool,
    closed: AtomicBool,
}

#[derive(Debug, Default)]
struct Queue {
    deliveries: VecDeque<Delivery>,
    bytes: usize,
}

fn bytes(message: &Message) -> usize {
    match message {
        Message::Sent(payload) | Message::Broadcast { payload, .. } => payload.len(),
        Message::Presence { joins, leaves, .. } => joins.len() + leaves.len(),
    }
}

impl Mailbox {
    pub fn new() -> Arc<Mailbox> {
        Arc::new(Mailbox::default())
    }

    /// Queues `delivery`; false when the connection is gone or too far behind.
    pub fn deliver(&self, delivery: Delivery) -> bool {
        if self.closed.load(Ordering::Relaxed) || self.overflowed.load(Ordering::Relaxed) {
            return false;
        }
        let size = bytes(&delivery.message);
        {
            let mut queue = lock(&self.queue);
            if queue.deliveries.len() >= MAX_QUEUED || queue.bytes + size > MAX_QUEUED_BYTES {
                self.overflowed.store(true, Ordering::Relaxed);
                drop(queue);
                self.ready.notify_one();
                return false;
            }
            queue.bytes += size;
            queue.deliveries.push_back(delivery);
        }
        self.ready.notify_one();
        true
    }

    /// Waits until something is queued (or the queue overflowed). Cancel-safe.
    pub async fn ready(&self) {
        loop {
            let notified = self.ready.notified();
            if !lock(&self.queue).deliveries.is_empty() || self.overflowed() {
                return;
            }
            notified.await;
        }
    }

    /// Up to `max` queued deliveries, oldest first.
    pub fn take(&self, max: usize) -> Vec<Delivery> {
        let mut queue = lock(&self.queue);
        let n = queue.deliveries.len().min(max);
        let taken: Vec<Delivery> = queue.deliveries.drain(..n).collect();
        queue.bytes = queue.bytes.saturating_sub(taken.iter().map(|d| bytes(&d.message)).sum());
        if queue.deliveries.is_empty() && queue.deliveries.capacity() > 64 {
            // A burst is over: an idle connection keeps no large buffer.
            queue.deliveries = VecDeque::new();
        }
        taken
    }

    /// Whether a message was refused because the queue was full: the connection must close.
    pub fn overflowed(&self) -> bool {
        self.overflowed.load(Ordering::Relaxed)
    }

    /// The connection is gone: nothing is queued any more.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        *lock(&self.queue) = Queue::default();
    }
}

/// What the hub holds, for tests and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub topics: usize,
    pub subscriptions: usize,
    pub presences: usize,
    /// Sessions with a subscription or a presence.
    pub members: usize,
}

/// The sessions subscribed to one topic, with their connections' mailboxes.
type Subscribers = HashMap<SessionId, Arc<Mailbox>>;

/// What one session joined, so that [`Hub::leave`] can undo it.
#[derive(Debug, Default)]
struct Member {
    topics: Vec<Arc<str>>,
    tracked: Vec<(Arc<str>, String)>,
}

/// Topics and presence of this host.
#[derive(Debug)]
pub struct Hub {
    topics: RwLock<HashMap<Arc<str>, Subscribers>>,
    members: Mutex<HashMap<SessionId, Member>>,
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
    /// When this host last heard its own heartbeat back: proof that the subscription works.
    echo: Mutex<Instant>,
    /// Asks the adapter to subscribe again (the subscription went silent).
    resubscribe: Notify,
    /// Whether the adapter's subscription is believed to work.
    subscribed: AtomicBool,
}

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
            members: Mutex::new(HashMap::new()),
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

    fn fresh_ref(&self) -> Arc<str> {
        let n = self.next_ref.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{}{n:x}", self.node).into()
    }

    /// Subscribes `session` (whose connection reads `mailbox`) to `topic`; subscribing twice
    /// is one subscription.
    pub fn subscribe(&self, topic: &str, session: SessionId, mailbox: &Arc<Mailbox>) -> Result<(), MembershipError> {
        {
            let mut members = lock(&self.members);
            let member = members.entry(session).or_default();
            if member.topics.iter().any(|t| &**t == topic) {
                return Ok(());
            }
            if member.topics.len() >= MAX_SUBSCRIPTIONS {
                return Err(MembershipError::TooManyTopics);
            }
            member.topics.push(topic.into());
        }
        let mut topics = write(&self.topics);
        topics.entry(topic.into()).or_default().insert(session, Arc::clone(mailbox));
        Ok(())
    }

    pub fn unsubscribe(&self, topic: &str, session: SessionId) {
        if let Some(member) = lock(&self.members).get_mut(&session) {
            member.topics.retain(|t| &**t != topic);
        }
        self.remove_subscriber(topic, session);
    }

    fn remove_subscriber(&self, topic: &str, session: SessionId) {
        let mut topics = write(&self.topics);
        if let Some(subscribers) = topics.get_mut(topic) {
            subscribers.remove(&session);
            if subscribers.is_empty() {
                topics.remove(topic);
            }
        }
    }

    /// Delivers `payload` to every session subscribed to `topic` but `exclude`, here and on
    /// the other hosts. Returns how many sessions of this host it was queued for.
    pub fn broadcast(&self, topic: &str, payload: Arc<str>, exclude: Option<SessionId>) -> usize {
        // The other hosts first: they deliver to their own subscribers meanwhile.
        self.publish(&Envelope::Broadcast { node: &self.node, topic, payload: &payload });
        let topics = read(&self.topics);
        let Some((topic, subscribers)) = topics.get_key_value(topic) else { return 0 };
        deliver(subscribers, &Message::Broadcast { topic: Arc::clone(topic), payload }, exclude)
    }

    /// Tracks `session` under `key` on `topic` (tracking again replaces its meta) and tells
    /// the topic's subscribers, here and on the other hosts.
    pub fn track(
        &self,
        topic: &str,
        key: &str,
        session: SessionId,
        meta: Map<String, Value>,
    ) -> Result<(), MembershipError> {
        {
            let mut members = lock(&self.members);
            let member = members.entry(session).or_default();
            let known = member.tracked.iter().any(|(t, k)| &**t == topic && k == key);
            if !known {
                if member.tracked.len() >= MAX_TRACKED {
                    return Err(MembershipError::TooManyPresences);
                }
                member.tracked.push((topic.into(), key.to_owned()));
            }
        }
        let phx_ref = self.fresh_ref();
        let diff = {
            let mut presence = self.presence();
            let old = presence.shared_one(topic, key, session);
            let diff = presence.track(topic, key, session, meta, phx_ref);
            // Published under the lock, so that a state snapshot never overtakes it.
            if let Some(presence) = presence.shared_one(topic, key, session) {
                match &old {
                    Some(old) => self.publish(&Envelope::Update { node: &self.node, old_ref: &old.phx_ref, presence }),
                    None => self.publish(&Envelope::Join { node: &self.node, presence }),
                }
            }
            diff
        };
        self.publish_presence(topic, &diff);
        Ok(())
    }

    pub fn untrack(&self, topic: &str, key: &str, session: SessionId) {
        if let Some(member) = lock(&self.members).get_mut(&session) {
            member.tracked.retain(|(t, k)| !(&**t == topic && k == key));
        }
        self.remove_presence(topic, key, session);
    }

    fn remove_presence(&self, topic: &str, key: &str, session: SessionId) {
        let diff = {
            let mut presence = self.presence();
            if let Some(old) = presence.shared_one(topic, key, session) {
                self.publish(&Envelope::Leave { node: &self.node, phx_ref: &old.phx_ref });
            }
            presence.untrack(topic, key, session)
        };
        self.publish_presence(topic, &diff);
    }

    /// The session ended: every subscription and presence of it goes.
    pub fn leave(&self, session: SessionId) {
        let Some(member) = lock(&self.members).remove(&session) else { return };
        for topic in &member.topics {
            self.remove_subscriber(topic, session);
        }
        for (topic, key) in &member.tracked {
            self.remove_presence(topic, key, session);
        }
    }

    /// Everyone on `topic`, as JSON `{key: {"metas": [...]}}`, over every host.
    pub fn presence_list(&self, topic: &str) -> String {
        self.presence().list(topic).to_string()
    }

    pub fn counts(&self) -> Counts {
        let topics = read(&self.topics);
        Counts {
            topics: topics.len(),
            subscriptions: topics.values().map(HashMap::len).sum(),
            presences: self.presence().len(),
            members: lock(&self.members).len(),
        }
    }

    fn presence(&self) -> std::sync::MutexGuard<'_, Presence> {
        lock(&self.presence)
    }

    fn publish_presence(&self, topic: &str, diff: &Diff) {
        if diff.is_empty() {
            return;
        }
        let topics = read(&self.topics);
        if let Some(subscribers) = topics.get(topic) {
            deliver(subscribers, &diff.message(topic), None);
        }
    }

    fn publish_presence_diffs(&self, diffs: &[(String, Diff)]) {
        for (topic, diff) in diffs {
            self.publish_presence(topic, diff);
        }
    }

    /// Connects the hub to other hosts: what it must tell them goes to `outbox`, which an
    /// adapter publishes; what they say comes back through [`Hub::receive`]. Once only.
    pub fn connect_remote(&self, outbox: mpsc::Sender<String>) -> bool {
        self.remote
            .set(Remote {
                outbox,
                dropping: AtomicBool::new(false),
                seen: Mutex::new(HashMap::new()),
                echo: Mutex::new(Instant::now()),
                resubscribe: Notify::new(),
                subscribed: AtomicBool::new(false),
            })
            .is_ok()
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
    /// are logged and ignored; this host's own echo only proves the subscription works.
    pub fn receive(&self, text: &str) {
        let envelope = match Envelope::decode(text) {
            Ok(envelope) => envelope,
            Err(error) => {
                tracing::warn!(%error, "pubsub: message from another host ignored");
                return;
            }
        };
        let node = envelope.node();
        let Some(remote) = self.remote.get() else { return };
        if node == self.node {
            if let Envelope::Heartbeat { .. } = envelope {
                *lock(&remote.echo) = Instant::now();
            }
            return;
        }
        let known = lock(&remote.seen).insert(node.to_owned(), Instant::now()).is_some();
        if !known && !matches!(envelope, Envelope::State { .. } | Envelope::Hello { .. }) {
            // A host we did not know, or had given up on: ask for everyone's presences.
            self.publish(&Envelope::Hello { node: &self.node });
        }
        match envelope {
            Envelope::Broadcast { topic, payload, .. } => {
                let topics = read(&self.topics);
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
            Envelope::Update { node, old_ref, presence } => {
                let topic = presence.topic.clone();
                let diff = self.presence().remote_update(node, old_ref, presence);
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
        if let Some(remote) = self.remote.get() {
            *lock(&remote.echo) = Instant::now();
            remote.subscribed.store(true, Ordering::Relaxed);
        }
        self.resync();
    }

    /// Asks the other hosts for their presences and tells them ours (after messages may
    /// have been lost).
    pub fn resync(&self) {
        self.publish(&Envelope::Hello { node: &self.node });
        self.announce_state();
    }

    /// The adapter's subscription ended; it is reconnecting.
    pub fn remote_disconnected(&self) {
        if let Some(remote) = self.remote.get() {
            remote.subscribed.store(false, Ordering::Relaxed);
        }
    }

    fn announce_state(&self) {
        let presence = self.presence();
        // Published under the lock: no join or leave can slip between snapshot and message.
        self.publish(&Envelope::State { node: &self.node, presences: presence.shared() });
    }

    /// Tells the other hosts this one is alive, forgets the presences of those not heard
    /// from for `timeout` (a host that died takes its presences along), and asks the adapter
    /// to subscribe again when this host's own heartbeats stopped coming back.
    pub fn heartbeat(&self, timeout: Duration) {
        let Some(remote) = self.remote.get() else { return };
        self.publish(&Envelope::Heartbeat { node: &self.node });
        let now = Instant::now();
        let silent = now.duration_since(*lock(&remote.echo)) > timeout;
        if silent && remote.subscribed.swap(false, Ordering::Relaxed) {
            tracing::warn!("pubsub: this host's heartbeats stopped coming back; subscribing again");
            remote.resubscribe.notify_one();
        }
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
        let unseen: Vec<String> = {
            let seen = lock(&remote.seen);
            known.into_iter().filter(|node| !seen.contains_key(node) && !gone.contains(node)).collect()
        };
        gone.extend(unseen);
        for node in gone {
            tracing::info!(%node, "pubsub: a host stopped answering; its presences leave");
            let diffs = self.presence().remote_down(&node);
            self.publish_presence_diffs(&diffs);
        }
    }

    /// Resolves when the adapter should drop its subscription and subscribe again.
    pub async fn resubscribe_requested(&self) {
        match self.remote.get() {
            Some(remote) => remote.resubscribe.notified().await,
            None => std::future::pending().await,
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(std::sync::PoisonError::into_inner)
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

    fn empty() -> serde_json::Map<String, serde_json::Value> {
        serde_json::Map::new()
    }

    /// A hub, a connection's mailbox, and a session of it subscribed to `topic`.
    fn subscribed(topic: &str) -> (Hub, Arc<Mailbox>, SessionId) {
        let (hub, mailbox, session) = (Hub::new(), Mailbox::new(), SessionId::next());
        hub.subscribe(topic, session, &mailbox).unwrap();
        (hub, mailbox, session)
    }

    #[test]
    fn a_broadcast_reaches_every_subscriber_but_the_excluded_one() {
        let hub = Hub::new();
        let mailbox = Mailbox::new();
        let (a, b, c) = (SessionId::next(), SessionId::next(), SessionId::next());
        for s in [a, b, c] {
            hub.subscribe("t", s, &mailbox).unwrap();
        }
        hub.subscribe("t", a, &mailbox).unwrap();
        assert_eq!(hub.broadcast("t", Arc::from("1"), Some(b)), 2);
        let mut got: Vec<SessionId> = mailbox.take(10).into_iter().map(|d| d.session).collect();
        got.sort();
        assert_eq!(got, vec![a, c]);
        assert!(mailbox.take(10).is_empty());
        assert_eq!(hub.broadcast("other", Arc::from("1"), None), 0);
        for s in [a, b, c] {
            hub.leave(s);
        }
        assert_eq!(hub.counts(), Counts::default());
    }

    #[test]
    fn a_connection_that_falls_behind_overflows_instead_of_growing() {
        let (hub, mailbox, _) = subscribed("t");
        for _ in 0..MAX_QUEUED {
            assert_eq!(hub.broadcast("t", Arc::from("1"), None), 1);
        }
        assert!(!mailbox.overflowed());
        assert_eq!(hub.broadcast("t", Arc::from("1"), None), 0);
        assert!(mailbox.overflowed());
        assert_eq!(mailbox.take(5).len(), 5);
    }

    #[test]
    fn big_payloads_overflow_by_bytes() {
        let (hub, mailbox, _) = subscribed("t");
        let big: Arc<str> = "x".repeat(1 << 20).into();
        let queued = (0..64).map(|_| hub.broadcast("t", Arc::clone(&big), None)).sum::<usize>();
        assert_eq!(queued, super::MAX_QUEUED_BYTES >> 20);
        assert!(mailbox.overflowed());
    }

    #[test]
    fn presence_changes_go_to_the_topic_subscribers() {
        let hub = Hub::new();
        let mailbox = Mailbox::new();
        let (a, b) = (SessionId::next(), SessionId::next());
        hub.subscribe("room", a, &mailbox).unwrap();
        hub.track("room", "bob", b, empty()).unwrap();
        let delivery = mailbox.take(1).remove(0);
        assert_eq!(delivery.session, a);
        assert!(matches!(delivery.message, Message::Presence { ref joins, .. } if joins.contains("bob")));
        assert!(hub.presence_list("room").contains("bob"));
        hub.untrack("room", "bob", b);
        let left = mailbox.take(1).remove(0).message;
        assert!(matches!(left, Message::Presence { ref leaves, .. } if leaves.contains("bob")));
        assert_eq!(hub.presence_list("room"), "{}");
    }

    #[test]
    fn leaving_undoes_everything_and_limits_hold() {
        let hub = Hub::new();
        let mailbox = Mailbox::new();
        let s = SessionId::next();
        for i in 0..super::MAX_SUBSCRIPTIONS {
            hub.subscribe(&format!("t{i}"), s, &mailbox).unwrap();
        }
        assert!(hub.subscribe("one more", s, &mailbox).is_err());
        hub.unsubscribe("t0", s);
        assert!(hub.subscribe("one more", s, &mailbox).is_ok());
        for i in 0..super::MAX_TRACKED {
            hub.track("t1", &format!("k{i}"), s, empty()).unwrap();
        }
        assert!(hub.track("t1", "one more", s, empty()).is_err());
        hub.track("t1", "k0", s, empty()).unwrap();
        assert_eq!(hub.counts().presences, super::MAX_TRACKED);
        hub.leave(s);
        assert_eq!(hub.counts(), Counts::default());
    }

    #[test]
    fn a_closed_connection_receives_nothing() {
        let (hub, mailbox, _) = subscribed("t");
        mailbox.close();
        assert_eq!(hub.broadcast("t", Arc::from("1"), None), 0);
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
        let relay = |rx: &mut tokio::sync::mpsc::Receiver<String>, to: &[&Hub]| {
            while let Ok(text) = rx.try_recv() {
                for hub in to {
                    hub.receive(&text);
                }
            }
        };
        let mailbox = Mailbox::new();
        let on_b = SessionId::next();
        b.subscribe("room", on_b, &mailbox).unwrap();
        let on_a = SessionId::next();
        a.track("room", "ada", on_a, empty()).unwrap();
        a.broadcast("room", Arc::from("\"hi\""), None);
        relay(&mut a_rx, &[&b, &a]);
        let got: Vec<Message> = mailbox.take(10).into_iter().map(|d| d.message).collect();
        assert_eq!(got.len(), 2, "delivered once each: {got:?}");
        assert!(matches!(got[0], Message::Presence { ref joins, .. } if joins.contains("ada")), "{got:?}");
        assert_eq!(got[1], Message::Broadcast { topic: "room".into(), payload: "\"hi\"".into() });
        assert!(b.presence_list("room").contains("ada"));
        // An update crosses as one diff.
        a.track("room", "ada", on_a, serde_json::json!({"typing": true}).as_object().cloned().unwrap_or_default())
            .unwrap();
        relay(&mut a_rx, &[&b, &a]);
        let update = mailbox.take(10);
        assert_eq!(update.len(), 1, "{update:?}");
        assert!(
            matches!(update[0].message, Message::Presence { ref joins, ref leaves, .. }
            if joins.contains("phx_ref_prev") && leaves.contains("ada")),
            "{update:?}"
        );
        // b heard of a for the first time, so it asked everyone for their presences.
        relay(&mut b_rx, &[&a]);
        relay(&mut a_rx, &[&b]);
        assert_eq!(b.presence_list("room").matches("ada").count(), 1, "a state repeats no join");

        // A newcomer asks, and gets the state.
        let c = Hub::for_node("c.");
        let (c_out, mut c_rx) = tokio::sync::mpsc::channel(64);
        c.connect_remote(c_out);
        c.remote_connected();
        relay(&mut c_rx, &[&a, &b]);
        relay(&mut a_rx, &[&c, &b]);
        assert!(c.presence_list("room").contains("ada"));

        // a stops answering: b forgets its presences once the timeout passed.
        b.heartbeat(Duration::from_secs(3600));
        assert!(b.presence_list("room").contains("ada"));
        std::thread::sleep(Duration::from_millis(20));
        b.heartbeat(Duration::from_millis(10));
        assert_eq!(b.presence_list("room"), "{}");
        let left = mailbox.take(10);
        assert!(
            left.iter().any(|d| matches!(d.message, Message::Presence { ref leaves, .. } if leaves.contains("ada")))
        );
    }
}
