//! The Redis adapter: joins this host's hub to the hubs of every other host that uses the
//! same Redis server and channel. One subscription carries everything (broadcasts,
//! presences, heartbeats; `wire.rs`); each host delivers to its own subscribers, so a
//! broadcast reaches every subscribed session once.
//!
//! Redis is never on a session's path: broadcasts are delivered locally first and queued
//! for Redis (a full queue drops, logged once), and when Redis goes away the host goes on
//! serving local traffic, logs it once, and reconnects with backoff. After a reconnect the
//! hosts exchange their presences again, so what was missed meanwhile is repaired.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};
use tokio::sync::mpsc;

use super::hub::{Hub, OUTBOX};

/// The Redis channel every host publishes to and subscribes to.
pub const CHANNEL: &str = "liveplug:pubsub";
/// Messages published in one round trip.
const PIPELINE: usize = 256;
const FIRST_RETRY: Duration = Duration::from_millis(100);
const LAST_RETRY: Duration = Duration::from_secs(5);

/// How hosts watch each other.
#[derive(Debug, Clone, Copy)]
pub struct Liveness {
    /// A host says it is alive this often.
    pub heartbeat: Duration,
    /// A host not heard from for this long is gone, and its presences leave.
    pub timeout: Duration,
}

impl Default for Liveness {
    fn default() -> Self {
        Self { heartbeat: Duration::from_secs(1), timeout: Duration::from_secs(5) }
    }
}

/// A Redis URL that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    #[error("invalid Redis URL {url:?}: {reason}")]
    Url { url: String, reason: String },
    #[error("the hub is already connected to other hosts")]
    AlreadyConnected,
}

/// Whether Redis is reachable, so that an outage is logged once and the recovery once.
#[derive(Debug, Default)]
struct Health {
    down: AtomicBool,
}

impl Health {
    fn down(&self, what: &str, error: &dyn std::fmt::Display) {
        if !self.down.swap(true, Ordering::Relaxed) {
            tracing::warn!(%error, "pubsub: Redis {what} failed; serving local traffic and reconnecting");
        }
    }

    fn up(&self) {
        if self.down.swap(false, Ordering::Relaxed) {
            tracing::info!("pubsub: Redis reachable again");
        }
    }
}

/// Connects `hub` to the other hosts through the Redis server at `url`, on the current
/// tokio runtime. Returns at once: connecting and reconnecting happen in the background.
pub fn connect(hub: &Arc<Hub>, url: &str, liveness: Liveness) -> Result<(), RedisError> {
    let client =
        redis::Client::open(url).map_err(|e| RedisError::Url { url: url.to_owned(), reason: e.to_string() })?;
    let (outbox, queued) = mpsc::channel(OUTBOX);
    if !hub.connect_remote(outbox) {
        return Err(RedisError::AlreadyConnected);
    }
    tracing::info!(node = %hub.node(), url = %without_credentials(url), channel = CHANNEL, "pubsub: sharing topics over Redis");
    let health = Arc::new(Health::default());
    tokio::spawn(publisher(client.clone(), queued, Arc::downgrade(hub), Arc::clone(&health)));
    tokio::spawn(subscriber(client, Arc::downgrade(hub), health));
    let weak = Arc::downgrade(hub);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(liveness.heartbeat);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(hub) = weak.upgrade() else { return };
            hub.heartbeat(liveness.timeout);
        }
    });
    Ok(())
}

/// The URL without credentials, for logs.
fn without_credentials(url: &str) -> String {
    match url.split_once('@') {
        Some((scheme_and_user, host)) => {
            let scheme = scheme_and_user.split("://").next().unwrap_or("redis");
            format!("{scheme}://…@{host}")
        }
        None => url.to_owned(),
    }
}

/// Publishes what the hub queued, pipelined; while Redis is away, what is queued is dropped
/// (the hub keeps the queue bounded) and a connection is tried again after a backoff. Each
/// new connection starts with this host's presences, so that what the others missed while
/// messages were dropped is repaired.
async fn publisher(
    client: redis::Client,
    mut queued: mpsc::Receiver<String>,
    hub: std::sync::Weak<Hub>,
    health: Arc<Health>,
) {
    let mut connection: Option<redis::aio::MultiplexedConnection> = None;
    let mut retry = FIRST_RETRY;
    let mut retry_at = tokio::time::Instant::now();
    let mut batch = Vec::with_capacity(PIPELINE);
    while queued.recv_many(&mut batch, PIPELINE).await > 0 {
        if connection.is_none() && tokio::time::Instant::now() >= retry_at {
            match client.get_multiplexed_async_connection().await {
                Ok(c) => {
                    connection = Some(c);
                    retry = FIRST_RETRY;
                    // Queued behind this batch, so published right after it.
                    if let Some(hub) = hub.upgrade() {
                        hub.resync();
                    }
                }
                Err(error) => {
                    health.down("publish connection", &error);
                    retry_at = tokio::time::Instant::now() + retry;
                    retry = (retry * 2).min(LAST_RETRY);
                }
            }
        }
        if let Some(c) = &mut connection {
            let mut pipe = redis::pipe();
            for text in &batch {
                pipe.cmd("PUBLISH").arg(CHANNEL).arg(text).ignore();
            }
            match pipe.query_async::<()>(c).await {
                Ok(()) => health.up(),
                Err(error) => {
                    health.down("publish", &error);
                    connection = None;
                    retry_at = tokio::time::Instant::now() + retry;
                    retry = (retry * 2).min(LAST_RETRY);
                }
            }
        }
        batch.clear();
    }
}

/// Subscribes to [`CHANNEL`] and hands every message to the hub; reconnects with backoff
/// when the subscription ends, and asks the other hosts for their presences each time.
async fn subscriber(client: redis::Client, hub: std::sync::Weak<Hub>, health: Arc<Health>) {
    let mut retry = FIRST_RETRY;
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(CHANNEL).await {
                Ok(()) => {
                    health.up();
                    retry = FIRST_RETRY;
                    let Some(strong) = hub.upgrade() else { return };
                    strong.remote_connected();
                    drop(strong);
                    let Some(watched) = hub.upgrade() else { return };
                    // A request left over from before this connection is void.
                    let _ = watched.resubscribe_requested().now_or_never();
                    let mut messages = pubsub.on_message();
                    loop {
                        // A subscription can go silent without closing (a half-open
                        // connection): the hub asks for a new one when this host's own
                        // heartbeats stop coming back.
                        let message = tokio::select! {
                            message = messages.next() => message,
                            () = watched.resubscribe_requested() => None,
                        };
                        let Some(message) = message else { break };
                        match std::str::from_utf8(message.get_payload_bytes()) {
                            Ok(text) => watched.receive(text),
                            Err(_) => tracing::warn!("pubsub: a message from Redis is not UTF-8; ignored"),
                        }
                    }
                    watched.remote_disconnected();
                    drop(watched);
                    health.down("subscription", &"the connection closed or went silent");
                }
                Err(error) => health.down("subscribe", &error),
            },
            Err(error) => health.down("subscription connection", &error),
        }
        if hub.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(LAST_RETRY);
    }
}

#[cfg(test)]
mod tests {
    use super::without_credentials;

    #[test]
    fn logged_urls_hide_credentials() {
        assert_eq!(without_credentials("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
        assert_eq!(without_credentials("redis://user:secret@db:6379/0"), "redis://…@db:6379/0");
    }
}
