//! One websocket connection: decodes frames, answers heartbeats, and routes each `lv:` topic
//! to the task that owns its view.
//!
//! Design: the reader (this loop) owns the topic table; each joined view runs in its own task
//! with its own `Store`, fed by a bounded inbox, and every task writes to one outbound queue
//! that a writer task drains into the socket. A view's fault ends its task with `phx_error`;
//! the connection and the other views go on.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Message;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::error::SessionError;
use super::live::{LiveSession, MountRequest};
use super::url::view_name;
use crate::protocol::{Frame, Reply, Topic, event};
use crate::registry::Registry;
use crate::runtime::{GuestView, Runtime};

/// Frames a view task may have queued before the reader waits for it.
const INBOX: usize = 64;
/// Frames waiting for the socket writer.
const OUTBOX: usize = 256;
/// Channels one connection may join (Phoenix's default).
const MAX_CHANNELS: usize = 100;
/// Consecutive undecodable messages after which the connection is closed.
const MAX_BAD_FRAMES: u32 = 16;

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
}

impl std::fmt::Debug for SocketConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketConfig").field("idle_timeout", &self.idle_timeout).finish_non_exhaustive()
    }
}

/// A joined topic as the reader sees it.
struct Joined {
    join_ref: Option<String>,
    inbox: mpsc::Sender<Frame>,
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
    let (out, outbox) = mpsc::channel::<Frame>(OUTBOX);
    let writer = tokio::spawn(write_frames(write, outbox));
    let mut topics: HashMap<String, Joined> = HashMap::new();
    let mut bad_frames = 0;
    loop {
        let message = match tokio::time::timeout(config.idle_timeout, read.next()).await {
            Err(_) => {
                tracing::debug!("closing idle connection");
                break;
            }
            Ok(None) => break,
            Ok(Some(Err(error))) => {
                tracing::debug!(%error, "websocket read failed");
                break;
            }
            Ok(Some(Ok(message))) => message,
        };
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
        if route(frame, &mut topics, &config, csrf_ok, &out).await.is_err() {
            break;
        }
    }
    // Dropping the inboxes ends every view task; the writer ends when they and we are gone.
    drop(topics);
    drop(out);
    let _ = writer.await;
}

/// The outbound queue is gone: the connection is over.
struct Closed;

async fn send(out: &mpsc::Sender<Frame>, frame: Frame) -> Result<(), Closed> {
    out.send(frame).await.map_err(|_| Closed)
}

async fn route(
    frame: Frame,
    topics: &mut HashMap<String, Joined>,
    config: &Arc<SocketConfig>,
    csrf_ok: bool,
    out: &mpsc::Sender<Frame>,
) -> Result<(), Closed> {
    let topic = frame.topic.clone();
    match (Topic::parse(&topic), frame.event.as_str()) {
        (Topic::Phoenix, event::HEARTBEAT) => send(out, frame.reply(Reply::ok_empty())).await,
        (Topic::Phoenix, _) => send(out, frame.reply(Reply::ok_empty())).await,
        (Topic::LiveView(id), event::JOIN) => {
            let id = id.to_owned();
            if let Some(old) = topics.remove(&topic).filter(|old| !old.inbox.is_closed()) {
                // A new join on a joined topic (live navigation): the old channel closes first.
                drop(old.inbox);
                send(out, Frame::push(old.join_ref.as_deref(), &topic, event::CLOSE, json!({}))).await?;
            }
            if topics.len() >= MAX_CHANNELS {
                return send(out, frame.reply(Reply::error_reason("too many channels"))).await;
            }
            let (inbox, receiver) = mpsc::channel(INBOX);
            topics.insert(topic, Joined { join_ref: frame.join_ref.clone(), inbox });
            tokio::spawn(run_view(id, frame, Arc::clone(config), csrf_ok, out.clone(), receiver));
            Ok(())
        }
        (Topic::LiveView(_), event::LEAVE) => {
            // Leaving a topic we do not know (the client's `lv:` dead view) is fine too.
            let joined = topics.remove(&topic);
            send(out, frame.reply(Reply::ok_empty())).await?;
            if let Some(joined) = joined {
                send(out, Frame::push(joined.join_ref.as_deref(), &topic, event::CLOSE, json!({}))).await?;
            }
            Ok(())
        }
        (Topic::LiveView(_), _) => match topics.get(&topic) {
            Some(joined) if joined.join_ref == frame.join_ref => match joined.inbox.send(frame).await {
                Ok(()) => Ok(()),
                Err(mpsc::error::SendError(frame)) => {
                    // The view's task ended (a fault already reported with `phx_error`).
                    topics.remove(&topic);
                    send(out, frame.reply(Reply::error_reason("unmatched topic"))).await
                }
            },
            _ => send(out, frame.reply(Reply::error_reason("unmatched topic"))).await,
        },
        (Topic::Upload(_) | Topic::Other(_), _) => send(out, frame.reply(Reply::error_reason("unmatched topic"))).await,
    }
}

async fn write_frames<W>(mut write: W, mut outbox: mpsc::Receiver<Frame>)
where
    W: Sink<Message> + Unpin,
{
    while let Some(frame) = outbox.recv().await {
        if write.send(Message::Text(frame.encode().into())).await.is_err() {
            return;
        }
    }
    let _ = write.close().await;
}

/// The task of one joined view: mounts it, then answers its frames in order until the client
/// leaves, the connection ends, or the view faults.
async fn run_view(
    id: String,
    join: Frame,
    config: Arc<SocketConfig>,
    csrf_ok: bool,
    out: mpsc::Sender<Frame>,
    mut inbox: mpsc::Receiver<Frame>,
) {
    let join_ref = join.join_ref.clone();
    let topic = join.topic.clone();
    let (name, mut session) = match mount(&id, &join, &config, csrf_ok).await {
        Ok((name, session, response)) => {
            if send(&out, join.reply(Reply::ok(response))).await.is_err() {
                return;
            }
            (name, session)
        }
        Err(reply) => {
            // Close the inbox before answering, so that the reader sees this channel as gone
            // by the time the client can react to the reply.
            drop(inbox);
            let _ = send(&out, join.reply(reply)).await;
            return;
        }
    };
    let span = tracing::info_span!("view", view = %name, %topic);
    let _entered = span.enter();
    while let Some(mut frame) = inbox.recv().await {
        let payload = frame.take_json();
        let result = match frame.event.as_str() {
            event::EVENT => session.event(payload).await,
            event::LIVE_PATCH => {
                let url = payload.get("url").and_then(Value::as_str).unwrap_or("");
                if view_name(url) == Some(name.as_str()) {
                    session.patch(url).await
                } else {
                    // The URL belongs to another view: the client navigates there instead.
                    Ok(json!({ "link_redirect": true }))
                }
            }
            event::CIDS_WILL_DESTROY => session.components_will_destroy(&payload),
            event::CIDS_DESTROYED => session.components_destroyed(&payload).await,
            other => Err(SessionError::BadPayload(format!("unknown event {other:?}"))),
        };
        let reply = match result {
            Ok(response) => Reply::ok(response),
            Err(error) if error.is_fatal() => {
                tracing::warn!(%error, "view session ended");
                drop(inbox);
                let _ = send(
                    &out,
                    Frame::push(join_ref.as_deref(), &topic, event::ERROR, json!({"reason": "channel_crash"})),
                )
                .await;
                return;
            }
            Err(error) => Reply::error(json!({ "reason": error.to_string() })),
        };
        if send(&out, frame.reply(reply)).await.is_err() {
            return;
        }
    }
}

/// Verifies a join and mounts its view. On failure returns the error reply to send.
async fn mount(
    id: &str,
    join: &Frame,
    config: &SocketConfig,
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
    let view = GuestView::instantiate(&config.runtime, &plugin).await.map_err(|e| crashed(&e))?;
    let request = MountRequest { url, session: claims.session, connect_params: Some(connect_params) };
    let (session, response) = LiveSession::join(view, request).await.map_err(|e| crashed(&e))?;
    Ok((name, session, response))
}
