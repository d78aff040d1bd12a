//! One websocket connection: decodes frames, answers heartbeats, and runs the channels of its
//! `lv:` topics.
//!
//! Design: one task per connection owns the socket and every session joined over it. A frame
//! for an awake session runs its handler right here and the reply goes straight to the socket:
//! no task hand-off, no queue, no copy between the read and the write. A long guest call yields
//! to other connections at every epoch tick and is bounded by the call budget, so the worst a
//! view does to its own connection is delay its next frame. Idle sessions hibernate (see
//! `channel.rs`), so a connection whose views are idle holds a socket, a few small buffers and
//! each session's diff state and snapshot, and no instance.
//!
//! The loop waits for three things: the next frame, the pool asking for one of its instances
//! (eviction), and the earliest deadline (a session's hibernation, or the connection's idle
//! timeout). A view's fatal error ends its channel with `phx_error`; the connection and its
//! other channels go on.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Message;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::channel::{Channel, Context, Lifecycle};
use super::live::{LiveSession, MountRequest};
use super::url::view_name;
use crate::protocol::{Frame, Reply, Topic, event};
use crate::registry::Registry;
use crate::runtime::{GuestView, Owner, Runtime};

/// Channels one connection may join (Phoenix's default).
const MAX_CHANNELS: usize = 100;
/// Consecutive undecodable messages after which the connection is closed.
const MAX_BAD_FRAMES: u32 = 16;
/// A client that does not take a frame for this long is gone: the connection is closed rather
/// than holding its sessions forever.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// What a join's tokens carry once verified.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// The user's session data (a JSON object).
    pub session: Value,
}

/// Verifies the signed tokens of a join. Implemented by the server, which owns the keys.
pub trait Gate: Send + Sync + 'static {
    /// Checks that the session token (and the static token, when the client sent one) were
    /// issued for container `id`.
    fn verify(&self, id: &str, session: &str, static_token: Option<&str>) -> Option<Claims>;
}

/// What every connection shares.
pub struct SocketConfig {
    pub runtime: Runtime,
    pub registry: Arc<Registry>,
    pub gate: Arc<dyn Gate>,
    /// A connection that sends nothing (not even a heartbeat) for this long is closed.
    pub idle_timeout: Duration,
    pub lifecycle: Lifecycle,
}

impl std::fmt::Debug for SocketConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketConfig")
            .field("idle_timeout", &self.idle_timeout)
            .field("lifecycle", &self.lifecycle)
            .finish_non_exhaustive()
    }
}

/// The connection is over (the client closed it, stopped reading, or the write failed).
struct Closed;

/// One connection's state.
struct Connection<W> {
    write: W,
    config: Arc<SocketConfig>,
    csrf_ok: bool,
    owner: Arc<Owner>,
    /// The joined topics, in join order. A handful at most (the client joins one per live
    /// view on the page), so a vector beats a map in both bytes and time.
    channels: Vec<Channel>,
}

/// Serves one connection until the client closes it or goes idle. `csrf_ok` says whether the
/// handshake carried a valid CSRF token; without one every join is answered `stale`, which
/// makes the client reload the page and get a fresh token.
pub async fn serve<W, R, E>(write: W, mut read: R, config: Arc<SocketConfig>, csrf_ok: bool)
where
    W: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut conn = Connection { write, config, csrf_ok, owner: Owner::new(), channels: Vec::new() };
    let mut bad_frames = 0;
    let mut last_frame = Instant::now();
    let owner = Arc::clone(&conn.owner);
    loop {
        let idle_deadline = last_frame + conn.config.idle_timeout;
        let next_hibernation = conn.next_hibernation();
        // A hibernation already due happens before anything else is read: the timer below has
        // millisecond ticks and would let a frame that arrives meanwhile find the session awake.
        if next_hibernation.is_some_and(|due| due <= Instant::now()) {
            if Box::pin(conn.hibernate_due()).await.is_err() {
                break;
            }
            continue;
        }
        let deadline = next_hibernation.map_or(idle_deadline, |due| due.min(idle_deadline));
        // Biased: a session whose hibernation is due, or that the pool asked for, gives its
        // instance back before the next frame is read, so that "idle for `hibernate_after`"
        // means exactly that.
        let message = tokio::select! {
            biased;
            () = owner.evictions() => {
                if Box::pin(conn.hibernate_evicted()).await.is_err() {
                    break;
                }
                continue;
            }
            () = tokio::time::sleep_until(deadline) => {
                if Instant::now() >= idle_deadline {
                    tracing::debug!("closing idle connection");
                    break;
                }
                if Box::pin(conn.hibernate_due()).await.is_err() {
                    break;
                }
                continue;
            }
            message = read.next() => message,
        };
        let message = match message {
            None => break,
            Some(Err(error)) => {
                tracing::debug!(%error, "websocket read failed");
                break;
            }
            Some(Ok(message)) => message,
        };
        last_frame = Instant::now();
        let decoded = match message {
            Message::Text(text) => Frame::decode_text(text.as_str()),
            Message::Binary(bytes) => Frame::decode_binary(&bytes),
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        let frame = match decoded {
            Ok(frame) => frame,
            Err(error) => {
                bad_frames += 1;
                tracing::warn!(%error, "undecodable frame ignored");
                if bad_frames >= MAX_BAD_FRAMES {
                    break;
                }
                continue;
            }
        };
        bad_frames = 0;
        // Boxed, so that an idle connection's future is small: handler futures (guest calls,
        // renders) are large and exist only while a frame is being handled.
        if Box::pin(conn.route(frame)).await.is_err() {
            break;
        }
    }
    let _ = conn.write.close().await;
}

impl<W> Connection<W>
where
    W: Sink<Message> + Unpin + Send + 'static,
{
    fn context(&self) -> Context<'_> {
        Context {
            runtime: &self.config.runtime,
            registry: &self.config.registry,
            lifecycle: &self.config.lifecycle,
            owner: &self.owner,
        }
    }

    async fn send(&mut self, frame: Frame) -> Result<(), Closed> {
        self.send_text(frame.encode()).await
    }

    /// Answers `frame` with `reply`.
    async fn reply(&mut self, frame: &Frame, reply: Reply) -> Result<(), Closed> {
        self.send_text(frame.encode_reply(&reply)).await
    }

    async fn send_text(&mut self, text: String) -> Result<(), Closed> {
        let message = Message::Text(text.into());
        match tokio::time::timeout(WRITE_TIMEOUT, self.write.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Closed),
            Err(_) => {
                tracing::debug!("client stopped reading: closing the connection");
                Err(Closed)
            }
        }
    }

    fn position(&self, topic: &str) -> Option<usize> {
        self.channels.iter().position(|c| c.topic == topic)
    }

    async fn route(&mut self, mut frame: Frame) -> Result<(), Closed> {
        match (Topic::parse(&frame.topic), frame.event.as_str()) {
            (Topic::Phoenix, _) => self.reply(&frame, Reply::ok_empty()).await,
            (Topic::LiveView(id), event::JOIN) => {
                let id = id.to_owned();
                self.join(id, frame).await
            }
            (Topic::LiveView(_), event::LEAVE) => {
                // Leaving a topic we do not know (the client's `lv:` dead view) is fine too.
                let left = self.position(&frame.topic).map(|i| self.channels.remove(i));
                self.reply(&frame, Reply::ok_empty()).await?;
                if let Some(left) = left {
                    self.send(Frame::push(left.join_ref.as_deref(), &left.topic, event::CLOSE, json!({}))).await?;
                }
                Ok(())
            }
            (Topic::LiveView(_), _) => {
                let Some(index) = self.position(&frame.topic).filter(|&i| self.channels[i].join_ref == frame.join_ref)
                else {
                    return self.reply(&frame, Reply::error_reason("unmatched topic")).await;
                };
                let mut channel = self.channels.swap_remove(index);
                let result = channel.handle(&mut frame, &self.context()).await;
                match result {
                    Ok(reply) => {
                        let evicted = channel.eviction_requested();
                        self.channels.push(channel);
                        self.reply(&frame, reply).await?;
                        if evicted {
                            self.hibernate_evicted().await?;
                        }
                        Ok(())
                    }
                    Err(error) => self.crashed(channel, &error).await,
                }
            }
            (Topic::Upload(_) | Topic::Other(_), _) => self.reply(&frame, Reply::error_reason("unmatched topic")).await,
        }
    }

    /// A view's fatal error: its channel ends with `phx_error` and the client rejoins.
    async fn crashed(&mut self, channel: Channel, error: &super::SessionError) -> Result<(), Closed> {
        tracing::warn!(topic = %channel.topic, %error, "view session ended");
        let push =
            Frame::push(channel.join_ref.as_deref(), &channel.topic, event::ERROR, json!({"reason": "channel_crash"}));
        drop(channel);
        self.send(push).await
    }

    async fn join(&mut self, id: String, join: Frame) -> Result<(), Closed> {
        if let Some(index) = self.position(&join.topic) {
            // A new join on a joined topic (live navigation): the old channel closes first.
            let old = self.channels.remove(index);
            self.send(Frame::push(old.join_ref.as_deref(), &old.topic, event::CLOSE, json!({}))).await?;
        }
        if self.channels.len() >= MAX_CHANNELS {
            return self.reply(&join, Reply::error_reason("too many channels")).await;
        }
        match mount(&id, &join, &self.config, &self.owner, self.csrf_ok).await {
            Ok((name, session, response)) => {
                let channel =
                    Channel::joined(join.topic.clone(), join.join_ref.clone(), name, session, &self.context());
                // Almost every connection joins one view: room for exactly one more, not the
                // four a growing vector would reserve.
                self.channels.reserve_exact(1);
                self.channels.push(channel);
                self.reply(&join, Reply::ok(response)).await
            }
            Err(reply) => self.reply(&join, reply).await,
        }
    }

    /// The earliest moment one of the awake sessions should hibernate.
    fn next_hibernation(&self) -> Option<Instant> {
        self.channels.iter().filter_map(|c| c.hibernation_due(&self.config.lifecycle)).min()
    }

    async fn hibernate_due(&mut self) -> Result<(), Closed> {
        let now = Instant::now();
        let lifecycle = self.config.lifecycle.clone();
        self.hibernate_where(|c| c.hibernation_due(&lifecycle).is_some_and(|due| due <= now)).await
    }

    async fn hibernate_evicted(&mut self) -> Result<(), Closed> {
        self.hibernate_where(Channel::eviction_requested).await
    }

    async fn hibernate_where(&mut self, select: impl Fn(&Channel) -> bool) -> Result<(), Closed> {
        let mut i = 0;
        while i < self.channels.len() {
            if !select(&self.channels[i]) {
                i += 1;
                continue;
            }
            let mut channel = self.channels.swap_remove(i);
            let result = channel.hibernate(&self.context()).await;
            match result {
                Ok(()) => {
                    self.channels.push(channel);
                    // The pushed channel is no longer selected (it lost its residency), so the
                    // scan may pass over it again.
                }
                Err(error) => self.crashed(channel, &error).await?,
            }
        }
        Ok(())
    }
}

/// Verifies a join and mounts its view. On failure returns the error reply to send.
async fn mount(
    id: &str,
    join: &Frame,
    config: &SocketConfig,
    owner: &Arc<Owner>,
    csrf_ok: bool,
) -> Result<(String, LiveSession<GuestView>, Value), Reply> {
    let payload = join.json().unwrap_or(&Value::Null);
    let stale = || Reply::error_reason("stale");
    if !csrf_ok {
        return Err(stale());
    }
    let token = payload.get("session").and_then(Value::as_str).ok_or_else(stale)?;
    let static_token = payload.get("static").and_then(Value::as_str);
    let claims = config.gate.verify(id, token, static_token).ok_or_else(stale)?;
    // A router-mounted view joins with `url`; a live navigation with `redirect`.
    let url = payload
        .get("redirect")
        .or_else(|| payload.get("url"))
        .and_then(Value::as_str)
        .ok_or_else(|| Reply::error_reason("join has no url"))?
        .to_owned();
    let name = view_name(&url).ok_or_else(|| Reply::error_reason("no such view"))?.to_owned();
    let plugin = config.registry.get(&name).ok_or_else(|| Reply::error_reason("no such view"))?;
    let connect_params = payload.get("params").cloned().unwrap_or_else(|| json!({}));
    let crashed = |error: &dyn std::fmt::Display| {
        tracing::warn!(view = %name, %error, "join failed");
        Reply::error_reason("join crashed")
    };
    let view = GuestView::instantiate_for(&config.runtime, &plugin, Some(owner)).await.map_err(|e| crashed(&e))?;
    let request = MountRequest { url, session: claims.session, connect_params: Some(connect_params) };
    let (session, response) = LiveSession::join(view, request).await.map_err(|e| crashed(&e))?;
    Ok((name, session, response))
}
