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

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Message;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::channel::{Channel, Context, Lifecycle};
use super::error::SessionError;
use super::live::{Joined, Leaving, LiveSession, MountRequest, Outcome, join_response};
use super::realtime::{MAX_BATCH, Realtime, group};
use super::views::{ViewRoutes, Views};
use crate::protocol::navigation::{LivePatch, LiveRedirect, REDIRECT_STATUS, Redirect};
use crate::protocol::{ClientMessage, Frame, Join, JoinUrl, Payload, Reply, event, reason};
use crate::pubsub::{MAX_QUEUED, Mailbox, Membership, SessionId};
use crate::registry::Moved;
use crate::runtime::{Owner, View};

/// Channels one connection may join (Phoenix's default).
const MAX_CHANNELS: usize = 100;
/// Consecutive undecodable messages after which the connection is closed.
const MAX_BAD_FRAMES: u32 = 16;
/// A client that does not take a frame for this long is gone: the connection is closed rather
/// than holding its sessions forever (the default of [`SocketConfig::write_timeout`]).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// What a join's tokens carry once verified.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// The user's session data (a JSON object).
    pub session: Value,
    /// The view the page was rendered for.
    pub view: String,
    /// That view's live session when the page was rendered.
    pub live_session: String,
    /// The flash the dead render showed (from the static token), if it carried one.
    pub flash: Option<BTreeMap<String, String>>,
}

/// Signs and verifies what the client carries for us. Implemented by the server, which owns
/// the keys.
pub trait Gate: Send + Sync + 'static {
    /// Checks that the session token (and the static token, when the client sent one) were
    /// issued for container `id`.
    fn verify(&self, id: &str, session: &str, static_token: Option<&str>) -> Option<Claims>;

    /// A flash token for a navigation or a redirect.
    fn sign_flash(&self, flash: &BTreeMap<String, String>) -> String;

    /// The flash of a token from [`Gate::sign_flash`]; empty when it does not verify.
    fn verify_flash(&self, token: &str) -> BTreeMap<String, String>;
}

/// What every connection shares.
pub struct SocketConfig<F> {
    /// The views served, and their instances (the dead render uses the same).
    pub views: F,
    pub gate: Arc<dyn Gate>,
    /// A connection that sends nothing (not even a heartbeat) for this long is closed.
    pub idle_timeout: Duration,
    /// A client that takes no frame for this long is gone ([`WRITE_TIMEOUT`] by default).
    pub write_timeout: Duration,
    pub lifecycle: Lifecycle,
}

impl<F> std::fmt::Debug for SocketConfig<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketConfig")
            .field("idle_timeout", &self.idle_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("lifecycle", &self.lifecycle)
            .finish_non_exhaustive()
    }
}

/// The connection is over (the client closed it, stopped reading, or the write failed).
struct Closed;

/// One connection's state.
struct Connection<W, F: Views> {
    write: W,
    config: Arc<SocketConfig<F>>,
    csrf_ok: bool,
    owner: Arc<Owner>,
    /// The joined topics, in join order. A handful at most (the client joins one per live
    /// view on the page), so a vector beats a map in both bytes and time.
    channels: Vec<Channel<F::View>>,
    /// Mailbox and timers of the sessions above.
    realtime: Realtime,
}

/// Serves one connection until the client closes it or goes idle. `csrf_ok` says whether the
/// handshake carried a valid CSRF token; without one every join is answered `stale`, which
/// makes the client reload the page and get a fresh token.
pub async fn serve<F, W, R, E>(write: W, mut read: R, config: Arc<SocketConfig<F>>, csrf_ok: bool)
where
    F: Views,
    W: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin,
    E: std::fmt::Display,
{
    let realtime = Realtime::new();
    let mailbox = Arc::clone(&realtime.mailbox);
    let mut conn = Connection { write, config, csrf_ok, owner: Owner::new(), channels: Vec::new(), realtime };
    let mut bad_frames = 0;
    let mut last_frame = Instant::now();
    let owner = Arc::clone(&conn.owner);
    let mut code_changes = conn.config.views.code_changes();
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
        let next_timer = conn.realtime.timers.next_due();
        let deadline = [next_hibernation, next_timer].into_iter().flatten().fold(idle_deadline, Instant::min);
        // Biased: a session the pool asked for gives its instance back first; then the
        // client's own frames, so that pushes (messages, timers) never keep its events and
        // heartbeats waiting; then timers and messages, which take their turns together.
        let message = tokio::select! {
            biased;
            () = owner.evictions() => {
                if Box::pin(conn.hibernate_evicted()).await.is_err() {
                    break;
                }
                continue;
            }
            message = read.next() => message,
            changed = code_changed(&mut code_changes) => {
                if changed.is_err() {
                    code_changes = None;
                } else if Box::pin(conn.swap_turn()).await.is_err() {
                    break;
                }
                continue;
            }
            () = tokio::time::sleep_until(deadline) => {
                // A session with timers is not idle; a connection whose sessions only wait
                // for timers still closes when the client stops sending heartbeats.
                if Instant::now() >= idle_deadline {
                    tracing::debug!("closing idle connection");
                    break;
                }
                if Box::pin(conn.push_turn()).await.is_err() || Box::pin(conn.hibernate_due()).await.is_err() {
                    break;
                }
                continue;
            }
            () = mailbox.ready() => {
                if Box::pin(conn.push_turn()).await.is_err() {
                    break;
                }
                continue;
            }
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
    // Bounded too: closing writes a close frame, which a client that stopped reading would
    // never take.
    let write_timeout = conn.config.write_timeout;
    let _ = tokio::time::timeout(write_timeout, conn.write.close()).await;
}

/// Resolves when the views' code changed; never when they cannot change.
async fn code_changed(changes: &mut Option<tokio::sync::watch::Receiver<u64>>) -> Result<(), ()> {
    match changes {
        Some(changes) => changes.changed().await.map_err(|_| ()),
        None => std::future::pending().await,
    }
}

impl<W, F> Connection<W, F>
where
    F: Views,
    W: Sink<Message> + Unpin + Send + 'static,
{
    fn context(&self) -> Context<'_, F> {
        Context {
            views: &self.config.views,
            lifecycle: &self.config.lifecycle,
            owner: &self.owner,
            mailbox: &self.realtime.mailbox,
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
        match tokio::time::timeout(self.config.write_timeout, self.write.send(message)).await {
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
        let message = match ClientMessage::decode(&mut frame) {
            Ok(message) => message,
            Err(error) => return self.reply(&frame, refusal(&SessionError::BadPayload(error.to_string()))).await,
        };
        match message {
            ClientMessage::Heartbeat => self.reply(&frame, Reply::ok_empty()).await,
            ClientMessage::Join { id, join } => self.join(id, *join, &frame).await,
            ClientMessage::Leave => {
                // Leaving a topic we do not know (the client's `lv:` dead view) is fine too; a
                // leave with an old join ref leaves nothing (the channel is a newer join).
                let left = self
                    .position(&frame.topic)
                    .filter(|&i| self.channels[i].join_ref == frame.join_ref)
                    .map(|i| self.channels.remove(i));
                self.reply(&frame, Reply::ok_empty()).await?;
                match left {
                    Some(left) => {
                        self.realtime.ended(left.id);
                        self.close(&left.topic, left.join_ref.as_deref()).await
                    }
                    None => Ok(()),
                }
            }
            ClientMessage::Upload { .. } | ClientMessage::UnknownTopic => {
                self.reply(&frame, Reply::error_reason(reason::UNMATCHED_TOPIC)).await
            }
            message => {
                let Some(index) = self.position(&frame.topic).filter(|&i| self.channels[i].join_ref == frame.join_ref)
                else {
                    return self.reply(&frame, Reply::error_reason(reason::UNMATCHED_TOPIC)).await;
                };
                if let ClientMessage::AllowUpload(_) | ClientMessage::Progress(_) = message {
                    return self.reply(&frame, Reply::error_reason(reason::UPLOADS_UNSUPPORTED)).await;
                }
                let mut channel = self.channels.swap_remove(index);
                let result = channel.handle(message, &self.context()).await;
                self.realtime.apply(&mut channel);
                match result {
                    Ok(Outcome::Reply { patch, response }) => {
                        let evicted = channel.eviction_requested();
                        self.channels.push(channel);
                        if let Some(patch) = patch {
                            let push =
                                Frame::push(frame.join_ref.as_deref(), &frame.topic, event::LIVE_PATCH, json!(patch));
                            self.send(push).await?;
                        }
                        self.reply(&frame, Reply::ok(response)).await?;
                        if evicted {
                            self.hibernate_evicted().await?;
                        }
                        Ok(())
                    }
                    Ok(Outcome::Leave { events, leaving }) => {
                        // Phoenix's order: pending events, the navigation, then the close.
                        let mut diff = Map::new();
                        diff.insert(crate::diff::wire::EVENTS.to_owned(), events);
                        let push =
                            Frame::push(frame.join_ref.as_deref(), &frame.topic, event::DIFF, Value::Object(diff));
                        self.send(push).await?;
                        let response = leaving_response(&leaving, &*self.config.gate, false);
                        self.reply(&frame, Reply::ok(response)).await?;
                        self.realtime.ended(channel.id);
                        self.close(&channel.topic, channel.join_ref.as_deref()).await
                    }
                    Err(error) if error.is_fatal() => self.crashed(channel, &error).await,
                    Err(error) => {
                        self.channels.push(channel);
                        self.reply(&frame, refusal(&error)).await
                    }
                }
            }
        }
    }

    /// `phx_close` for a topic whose channel ended (Phoenix sends it with the join ref as ref).
    async fn close(&mut self, topic: &str, join_ref: Option<&str>) -> Result<(), Closed> {
        let frame = Frame {
            join_ref: join_ref.map(str::to_owned),
            msg_ref: join_ref.map(str::to_owned),
            topic: topic.to_owned(),
            event: event::CLOSE.to_owned(),
            payload: Payload::Json(json!({})),
        };
        self.send(frame).await
    }

    /// A view's fatal error: its channel ends with `phx_error` and the client rejoins.
    async fn crashed(&mut self, channel: Channel<F::View>, error: &SessionError) -> Result<(), Closed> {
        tracing::warn!(topic = %channel.topic, %error, "view session ended");
        self.realtime.ended(channel.id);
        let push = Frame::push(
            channel.join_ref.as_deref(),
            &channel.topic,
            event::ERROR,
            json!({"reason": reason::CHANNEL_CRASH}),
        );
        drop(channel);
        self.send(push).await
    }

    async fn join(&mut self, id: String, join: Join, frame: &Frame) -> Result<(), Closed> {
        if let Some(index) = self.position(&frame.topic) {
            // A new join on a joined topic (live navigation): the old channel closes first.
            let old = self.channels.remove(index);
            self.realtime.ended(old.id);
            let (topic, join_ref) = (old.topic.clone(), old.join_ref.clone());
            // Its subscriptions and presences end before the new session's begin.
            drop(old);
            self.close(&topic, join_ref.as_deref()).await?;
        }
        if self.channels.len() >= MAX_CHANNELS {
            return self.reply(frame, Reply::error_reason(reason::TOO_MANY_CHANNELS)).await;
        }
        match mount(&id, join, &self.config, &self.owner, self.csrf_ok, &self.realtime.mailbox).await {
            Ok((membership, name, session, response)) => {
                let (topic, join_ref) = (frame.topic.clone(), frame.join_ref.clone());
                let mut channel = Channel::joined(topic, join_ref, membership, name, session, &self.context());
                self.realtime.apply(&mut channel);
                // Almost every connection joins one view: room for exactly one more, not the
                // four a growing vector would reserve.
                self.channels.reserve_exact(1);
                self.channels.push(channel);
                self.reply(frame, Reply::ok(response)).await
            }
            Err(reply) => self.reply(frame, reply).await,
        }
    }

    /// One turn of server push: the timers that are due and the messages waiting (at most
    /// [`MAX_BATCH`]), each session's in order. A connection whose mailbox overflowed is
    /// closed: its client reconnects and remounts.
    async fn push_turn(&mut self) -> Result<(), Closed> {
        if self.realtime.mailbox.overflowed() {
            tracing::warn!(queued = MAX_QUEUED, "connection too far behind its messages: closing it");
            return Err(Closed);
        }
        let mut deliveries = self.realtime.due();
        deliveries.extend(self.realtime.mailbox.take(MAX_BATCH));
        if deliveries.is_empty() {
            return Ok(());
        }
        self.deliver(group(deliveries)).await
    }

    /// Hands each session its messages (from the mailbox or its timers) and pushes what they
    /// changed: `live_patch` and `diff` pushes, or the navigation pushes and `phx_close` of a
    /// view that leaves, in Phoenix's shapes for messages (not replies).
    async fn deliver(&mut self, groups: Vec<(SessionId, Vec<crate::pubsub::Message>)>) -> Result<(), Closed> {
        for (session, messages) in groups {
            let Some(index) = self.channels.iter().position(|c| c.id == session) else {
                // Ended meanwhile: nothing of it may keep firing.
                self.realtime.ended(session);
                continue;
            };
            let mut channel = self.channels.swap_remove(index);
            let result = channel.info(&messages, &self.context()).await;
            self.realtime.apply(&mut channel);
            match result {
                Ok((Outcome::Reply { patch, response }, woken)) => {
                    let evicted = channel.eviction_requested();
                    self.push_reply(channel, patch, response).await?;
                    if woken || evicted {
                        // Residents only: hibernating takes the residency, so the scan ends.
                        self.hibernate_where(|c| (c.id == session && c.is_resident()) || c.eviction_requested())
                            .await?;
                    }
                }
                Ok((Outcome::Leave { events, leaving }, _)) => {
                    let (topic, join_ref) = (channel.topic.clone(), channel.join_ref.clone());
                    self.realtime.ended(channel.id);
                    drop(channel);
                    if events.as_array().is_some_and(|e| !e.is_empty()) {
                        let mut diff = Map::new();
                        diff.insert(crate::diff::wire::EVENTS.to_owned(), events);
                        self.send(Frame::push(join_ref.as_deref(), &topic, event::DIFF, Value::Object(diff))).await?;
                    }
                    let (name, payload) = leaving_parts(&leaving, &*self.config.gate, false);
                    self.send(Frame::push(join_ref.as_deref(), &topic, name, payload)).await?;
                    self.close(&topic, join_ref.as_deref()).await?;
                }
                Err(error) if error.is_fatal() => self.crashed(channel, &error).await?,
                Err(error) => {
                    tracing::warn!(topic = %channel.topic, %error, "message refused");
                    self.channels.push(channel);
                }
            }
        }
        Ok(())
    }

    /// Puts `channel` back and pushes what a handler outside a client request changed: its
    /// patch as `live_patch`, its render as `diff` (Phoenix's push shapes).
    async fn push_reply(
        &mut self,
        channel: Channel<F::View>,
        patch: Option<LivePatch>,
        response: Value,
    ) -> Result<(), Closed> {
        let (topic, join_ref) = (channel.topic.as_str(), channel.join_ref.as_deref());
        let pushes = [
            patch.map(|patch| Frame::push(join_ref, topic, event::LIVE_PATCH, json!(patch))),
            match response {
                Value::Object(mut response) => response.remove("diff"),
                _ => None,
            }
            .map(|diff| Frame::push(join_ref, topic, event::DIFF, diff)),
        ];
        self.channels.push(channel);
        for push in pushes.into_iter().flatten() {
            self.send(push).await?;
        }
        Ok(())
    }

    /// Moves every session whose view's code changed to the new code, and ends those whose
    /// view went away (`phx_error`: the client's rejoin is refused and it reloads the page).
    async fn swap_turn(&mut self) -> Result<(), Closed> {
        let changed: Vec<(SessionId, Option<u64>)> = self
            .channels
            .iter()
            .filter_map(|c| c.code_changed(&self.config.views).map(|change| (c.id, change)))
            .collect();
        for (session, change) in changed {
            let Some(index) = self.channels.iter().position(|c| c.id == session) else { continue };
            let mut channel = self.channels.swap_remove(index);
            let Some(generation) = change else {
                tracing::info!(view = %channel.view(), topic = %channel.topic, "view removed: its session ends");
                self.crashed(channel, &SessionError::Gone(String::new())).await?;
                continue;
            };
            let result = channel.swap(generation, &self.context()).await;
            self.realtime.apply(&mut channel);
            match result {
                Ok((Outcome::Reply { patch, response }, was_hibernated)) => {
                    tracing::debug!(view = %channel.view(), generation, "session moved to the new code");
                    self.config.views.moved(channel.view(), generation, Moved::Carried);
                    self.push_reply(channel, patch, response).await?;
                    if was_hibernated {
                        self.hibernate_where(|c| c.id == session && c.is_resident()).await?;
                    }
                }
                Ok((Outcome::Leave { .. }, _)) => {
                    // Restoring navigates nowhere: a new mount sorts it out.
                    self.config.views.moved(channel.view(), generation, Moved::Remounted);
                    self.crashed(channel, &SessionError::NotCarried(String::new())).await?;
                }
                Err(SessionError::Guest(crate::runtime::GuestError::Busy)) => {
                    // Hibernated and pointed at the new code: it runs it at its next wake.
                    tracing::warn!(view = %channel.view(), "no free instance to move a session now: it moves at its next event");
                    self.config.views.moved(channel.view(), generation, Moved::Deferred);
                    self.channels.push(channel);
                }
                Err(error) => {
                    tracing::info!(view = %channel.view(), %error, "session remounts on the new code");
                    self.config.views.moved(channel.view(), generation, Moved::Remounted);
                    self.crashed(channel, &error).await?;
                }
            }
        }
        Ok(())
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

    async fn hibernate_where(&mut self, select: impl Fn(&Channel<F::View>) -> bool) -> Result<(), Closed> {
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

/// The reply to a request that failed without ending the session: the one place a
/// non-fatal [`SessionError`] becomes wire.
fn refusal(error: &SessionError) -> Reply {
    Reply::error(json!({ "reason": error.to_string() }))
}

/// The `live_redirect` or `redirect` object a leaving view sends, in a reply or as a join
/// error; the flash goes along as a token when there is any.
fn leaving_response(leaving: &Leaving, gate: &dyn Gate, at_join: bool) -> Value {
    let (name, payload) = leaving_parts(leaving, gate, at_join);
    let mut response = Map::new();
    response.insert(name.to_owned(), payload);
    Value::Object(response)
}

/// The name (`live_redirect` or `redirect`) and the object of a leaving view's navigation:
/// inside a reply or a join error, or as a push of its own when a message caused it.
fn leaving_parts(leaving: &Leaving, gate: &dyn Gate, at_join: bool) -> (&'static str, Value) {
    let token = |flash: &BTreeMap<String, String>| (!flash.is_empty()).then(|| gate.sign_flash(flash));
    match leaving {
        Leaving::Navigate { to, kind, flash } => {
            (event::LIVE_REDIRECT, json!(LiveRedirect { to: to.clone(), kind: *kind, flash: token(flash) }))
        }
        Leaving::Redirect { to, flash } => {
            // Phoenix leaves `status` out of an external redirect at join only.
            let status = (!(at_join && leaving.is_external())).then_some(REDIRECT_STATUS);
            (event::REDIRECT, json!(Redirect { to: to.clone(), status, flash: token(flash) }))
        }
    }
}

/// Verifies a join and mounts its view. On failure returns the error reply to send.
///
/// As in Phoenix: the tokens must verify for this container (else `stale`); a join at a URL
/// must route to the token's view, and a live navigation to a view of the token's live
/// session (else `unauthorized`, and the client loads the page instead).
async fn mount<F: Views>(
    id: &str,
    join: Join,
    config: &SocketConfig<F>,
    owner: &Arc<Owner>,
    csrf_ok: bool,
    mailbox: &Arc<Mailbox>,
) -> Result<(Membership, String, LiveSession<F::View>, Value), Reply> {
    let stale = || Reply::error_reason(reason::STALE);
    let unauthorized = || Reply::error_reason(reason::UNAUTHORIZED);
    if !csrf_ok {
        return Err(stale());
    }
    let token = join.session.as_deref().ok_or_else(stale)?;
    let claims = config.gate.verify(id, token, join.static_token.as_deref()).ok_or_else(stale)?;
    let url = join.url.url().ok_or_else(unauthorized)?.to_owned();
    let destination = config.views.route(&url).ok_or_else(|| {
        tracing::debug!(%url, "join at a URL no view is routed at");
        unauthorized()
    })?;
    let allowed = match &join.url {
        JoinUrl::Mounted(_) => destination.view == claims.view && *destination.live_session == *claims.live_session,
        JoinUrl::Navigated(_) => *destination.live_session == *claims.live_session,
        JoinUrl::None => false,
    };
    if !allowed {
        tracing::debug!(%url, token_view = %claims.view, view = %destination.view, "join refused: another view or live session");
        return Err(unauthorized());
    }
    // A live navigation's flash token wins; the dead render's flash is shown on the first
    // mount of a page only.
    let flash = match (&join.flash, &join.url) {
        (Some(token), _) => config.gate.verify_flash(token),
        (None, JoinUrl::Mounted(_)) if join.mounts() == 0 => claims.flash.unwrap_or_default(),
        _ => BTreeMap::new(),
    };
    let name = destination.view;
    let crashed = |error: &dyn std::fmt::Display| {
        tracing::warn!(view = %name, %error, "join failed");
        Reply::error_reason(reason::JOIN_CRASHED)
    };
    let mut view = config.views.instantiate(&name, Some(owner)).await.map_err(|e| crashed(&e))?;
    // The session's hold on the hub comes first: a mount that fails after subscribing
    // leaves nothing behind.
    let id = SessionId::next();
    let membership = Membership::new(Arc::clone(config.views.hub()), id);
    view.bind(id, mailbox);
    let request = MountRequest {
        url,
        session: claims.session,
        connect_params: Some(join.params),
        path_params: destination.path_params,
        flash,
    };
    let routes = ViewRoutes { views: &config.views, view: &name };
    let joined =
        LiveSession::join_at(view, request, crate::diff::Renderer::new(), &routes).await.map_err(|e| crashed(&e))?;
    match joined {
        Joined::Live { session, rendered, patch } => {
            let response = join_response(rendered, patch);
            Ok((membership, name, *session, response))
        }
        Joined::Left { events, leaving } => {
            let mut response = leaving_response(&leaving, &*config.gate, true);
            if let Value::Object(map) = &mut response {
                map.insert("events".into(), events);
            }
            Err(Reply::error(response))
        }
    }
}

#[cfg(test)]
#[path = "socket_tests.rs"]
mod tests;
