//! One joined `lv:` topic: its session, awake (with an instance) or hibernated (a snapshot),
//! and the moves between the two.
//!
//! An awake session that can snapshot is a resident of the instance pool. It hibernates when
//! it has been idle for [`Lifecycle::hibernate_after`] or when the pool asks for its slot;
//! the next frame for it wakes it with a fresh instance and `restore`. A view without
//! snapshot support answers `none` once and keeps its instance from then on.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use super::error::SessionError;
use super::live::{Hibernated, Hibernation, KeptBecause, LiveSession, Outcome, Routes};
use super::views::{ViewRoutes, Views};
use crate::protocol::ClientMessage;
use crate::pubsub::{Mailbox, Membership, Message, Request, SessionId};
use crate::runtime::{GuestError, Owner, Residency, View};

/// When sessions give their instance back.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    /// An awake session that handled nothing (no event, no patch) for this long is
    /// hibernated. Zero hibernates after every handler, which tests use. Five seconds keeps
    /// a user who is clicking around awake and frees an instance soon after they stop.
    /// `--hibernate-after-ms`, `LIVEPLUG_HIBERNATE_AFTER_MS`.
    pub hibernate_after: Duration,
    /// A snapshot longer than this is not kept: the session stays awake (and retries after
    /// its next handler). It bounds what a hibernated session costs. `--max-snapshot-kb`,
    /// `LIVEPLUG_MAX_SNAPSHOT_KB`.
    pub max_snapshot_bytes: usize,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self { hibernate_after: Duration::from_secs(5), max_snapshot_bytes: 1 << 20 }
    }
}

/// What a channel needs from its connection.
pub(super) struct Context<'a, F> {
    pub views: &'a F,
    pub lifecycle: &'a Lifecycle,
    pub owner: &'a Arc<Owner>,
    /// Where the connection's messages arrive; instances are bound to it.
    pub mailbox: &'a Arc<Mailbox>,
}

/// One joined view.
pub(super) struct Channel<V> {
    pub topic: String,
    pub join_ref: Option<String>,
    /// The session's identity for pubsub and timers.
    pub id: SessionId,
    /// Its hold on the hub: dropping it ends its subscriptions and presences.
    _membership: Membership,
    /// The view's name: its plugin, looked up again at every wake.
    name: String,
    /// The version of the view's code the session runs (see [`Views::generation`]).
    generation: u64,
    state: State<V>,
    /// False once the view answered that it cannot snapshot.
    snapshots: bool,
    /// The session's place in the pool's eviction order, while it is a candidate.
    residency: Option<Residency>,
    last_active: Instant,
}

// A hibernated session is the common case and stays inline (one allocation less per idle
// session); the awake one is boxed because its instance handle is large.
#[allow(clippy::large_enum_variant)]
enum State<V> {
    Awake(Box<LiveSession<V>>),
    Hibernated(Hibernated),
    /// Between the two, or after a failed move: the channel is over.
    Ended,
}

impl<V: View + 'static> Channel<V> {
    /// A freshly mounted session.
    pub fn joined<F: Views<View = V>>(
        topic: String,
        join_ref: Option<String>,
        membership: Membership,
        name: String,
        session: LiveSession<V>,
        cx: &Context<'_, F>,
    ) -> Self {
        Self {
            topic,
            join_ref,
            id: membership.session(),
            _membership: membership,
            generation: cx.views.generation(&name).unwrap_or_default(),
            name,
            state: State::Awake(Box::new(session)),
            snapshots: true,
            residency: cx.views.reside(cx.owner),
            last_active: Instant::now(),
        }
    }

    /// Whether the view's code changed (or the view went away) since this session last ran
    /// it: `Some(None)` when the view is gone, `Some(Some(generation))` when it changed.
    pub fn code_changed<F: Views>(&self, views: &F) -> Option<Option<u64>> {
        match views.generation(&self.name) {
            Some(generation) if generation == self.generation => None,
            now => Some(now),
        }
    }

    /// A fresh instance runs the view's current code: a session woken after a swap and before
    /// its connection moved it has moved already (its snapshot went to the new code).
    fn woke_into_current_code<F: Views>(&mut self, cx: &Context<'_, F>) {
        if let Some(current) = cx.views.generation(&self.name)
            && current != self.generation
        {
            self.generation = current;
            cx.views.moved(&self.name, current, crate::registry::Moved::Carried);
        }
    }

    /// The view's name.
    pub fn view(&self) -> &str {
        &self.name
    }

    /// Moves the session to the view's new code (`generation`): its state goes through
    /// `snapshot` and the new code's `restore`, and the render of the new code is diffed
    /// against what the client holds, so the client gets new statics only where templates
    /// changed. Returns the outcome (a diff) and whether the session was hibernated before
    /// (it then goes back to sleep). When the state cannot be carried, the error is
    /// [`SessionError::NotCarried`] and the channel is over (the client rejoins and mounts
    /// the new code).
    pub async fn swap<F: Views<View = V>>(
        &mut self,
        generation: u64,
        cx: &Context<'_, F>,
    ) -> Result<(Outcome, bool), SessionError> {
        self.generation = generation;
        let was_hibernated = matches!(self.state, State::Hibernated(_));
        if self.is_awake()
            && let State::Awake(session) = std::mem::replace(&mut self.state, State::Ended)
        {
            self.residency = None;
            // Whatever its size: the snapshot only crosses over to the new instance.
            match (*session).hibernate(usize::MAX).await {
                Ok(Hibernation::Done(hibernated)) => self.state = State::Hibernated(hibernated),
                Ok(Hibernation::Kept(..)) | Err(_) => return Err(SessionError::NotCarried(self.name.clone())),
            }
        }
        let routes = ViewRoutes { views: cx.views, view: &self.name };
        let session = match awake(&mut self.state, self.id, &self.name, &self.topic, cx).await {
            Ok(session) => session,
            Err(error @ (SessionError::Gone(_) | SessionError::Guest(GuestError::Busy))) => return Err(error),
            Err(_) => {
                self.state = State::Ended;
                return Err(SessionError::NotCarried(self.name.clone()));
            }
        };
        let result = session.info(&[], &routes).await;
        self.active(cx);
        match result {
            Ok(outcome) => Ok((outcome, was_hibernated)),
            Err(error) => {
                self.state = State::Ended;
                Err(error)
            }
        }
    }

    pub fn is_awake(&self) -> bool {
        matches!(self.state, State::Awake(_))
    }

    /// When this channel should hibernate if nothing happens, if it is a candidate.
    pub fn hibernation_due(&self, lifecycle: &Lifecycle) -> Option<Instant> {
        self.residency.as_ref().map(|_| self.last_active + lifecycle.hibernate_after)
    }

    /// Whether the session is awake and may hibernate (it holds a place in the pool's order).
    pub fn is_resident(&self) -> bool {
        self.residency.is_some()
    }

    /// Whether the pool asked for this channel's instance.
    pub fn eviction_requested(&self) -> bool {
        self.residency.as_ref().is_some_and(Residency::eviction_requested)
    }

    /// Handles one message for this view. After a fatal error (see
    /// [`SessionError::is_fatal`]) the channel is over: the caller pushes `phx_error` and
    /// forgets it; after another one it goes on.
    pub async fn handle<F: Views<View = V>>(
        &mut self,
        message: ClientMessage,
        cx: &Context<'_, F>,
    ) -> Result<Outcome, SessionError> {
        let routes = ViewRoutes { views: cx.views, view: &self.name };
        // A patch to another view's URL: the client navigates there, and this session need
        // not wake for it. Otherwise its path parameters are looked up once, here.
        let patch_params = match &message {
            ClientMessage::LivePatch { url } => match routes.params_for(url) {
                Some(params) => Some(params),
                None => return Ok(Outcome::Reply { patch: None, response: json!({ "link_redirect": true }) }),
            },
            _ => None,
        };
        let woken = !self.is_awake();
        let session = awake(&mut self.state, self.id, &self.name, &self.topic, cx).await?;
        let result = match (message, patch_params) {
            (ClientMessage::Event(push), _) => session.handle_event(*push, &routes).await,
            (ClientMessage::LivePatch { url }, Some(params)) => session.live_patch_within(url, params, &routes).await,
            (ClientMessage::CidsWillDestroy(cids), _) => {
                Ok(Outcome::Reply { patch: None, response: session.components_will_destroy(&cids) })
            }
            (ClientMessage::CidsDestroyed(cids), _) => {
                session.components_destroyed(&cids).await.map(|response| Outcome::Reply { patch: None, response })
            }
            (other, _) => Err(SessionError::BadPayload(format!("unexpected message {other:?}"))),
        };
        if woken {
            self.woke_into_current_code(cx);
        }
        self.active(cx);
        if let Err(error) = &result
            && error.is_fatal()
        {
            self.state = State::Ended;
        }
        result
    }

    /// Handles messages for this view (waking it if needed) and renders once. Returns the
    /// outcome and whether the session was hibernated before: a session woken by a message
    /// alone goes back to sleep right after, so that a broadcast to many idle sessions does
    /// not keep their instances.
    pub async fn info<F: Views<View = V>>(
        &mut self,
        messages: &[Message],
        cx: &Context<'_, F>,
    ) -> Result<(Outcome, bool), SessionError> {
        let was_hibernated = matches!(self.state, State::Hibernated(_));
        let routes = ViewRoutes { views: cx.views, view: &self.name };
        let session = match awake(&mut self.state, self.id, &self.name, &self.topic, cx).await {
            Ok(session) => session,
            // No instance to wake into right now: the session stays hibernated and these
            // messages are dropped, rather than the session.
            Err(SessionError::Guest(GuestError::Busy)) if was_hibernated => {
                tracing::warn!(view = %self.name, dropped = messages.len(), "no free instance: messages dropped");
                return Ok((Outcome::Reply { patch: None, response: json!({}) }, false));
            }
            Err(error) => return Err(error),
        };
        let result = session.info(messages, &routes).await;
        if was_hibernated {
            self.woke_into_current_code(cx);
        }
        self.active(cx);
        match result {
            Ok(outcome) => Ok((outcome, was_hibernated)),
            Err(error) => {
                if error.is_fatal() {
                    self.state = State::Ended;
                }
                Err(error)
            }
        }
    }

    /// What the handlers since the last call asked of pubsub, timers and presence.
    pub fn take_requests(&mut self) -> Vec<Request> {
        match &mut self.state {
            State::Awake(session) => session.take_requests(),
            _ => Vec::new(),
        }
    }

    /// Gives the instance back to the pool, keeping the state as a snapshot (see
    /// [`LiveSession::hibernate`]). A view that cannot snapshot stays awake.
    pub async fn hibernate<F>(&mut self, cx: &Context<'_, F>) -> Result<(), SessionError> {
        self.residency = None;
        let State::Awake(session) = std::mem::replace(&mut self.state, State::Ended) else {
            return Ok(());
        };
        self.state = match (*session).hibernate(cx.lifecycle.max_snapshot_bytes).await? {
            Hibernation::Done(hibernated) => {
                tracing::debug!(view = %self.name, topic = %self.topic, bytes = hibernated.snapshot_len(), "hibernated");
                State::Hibernated(hibernated)
            }
            Hibernation::Kept(session, KeptBecause::NoSnapshot) => {
                tracing::debug!(view = %self.name, "the view cannot snapshot: it keeps its instance");
                self.snapshots = false;
                State::Awake(Box::new(session))
            }
            Hibernation::Kept(session, KeptBecause::TooLarge(bytes)) => {
                tracing::warn!(
                    view = %self.name,
                    bytes,
                    limit = cx.lifecycle.max_snapshot_bytes,
                    "snapshot too large to hibernate: the session stays awake"
                );
                State::Awake(Box::new(session))
            }
        };
        Ok(())
    }

    /// The channel just handled something: it is the most recently used, and an awake
    /// session that can snapshot is a candidate for hibernation again.
    fn active<F: Views>(&mut self, cx: &Context<'_, F>) {
        self.last_active = Instant::now();
        if !self.is_awake() {
            return;
        }
        match &self.residency {
            Some(residency) => residency.touch(),
            None if self.snapshots => self.residency = cx.views.reside(cx.owner),
            None => {}
        }
    }
}

/// The awake session of channel `name`, woken from its snapshot if needed.
async fn awake<'s, F: Views>(
    state: &'s mut State<F::View>,
    id: SessionId,
    name: &str,
    topic: &str,
    cx: &Context<'_, F>,
) -> Result<&'s mut LiveSession<F::View>, SessionError> {
    if let State::Hibernated(_) = state {
        // The instance first: if none can be had, the session stays as it was.
        let mut view = cx.views.instantiate(name, Some(cx.owner)).await?;
        view.bind(id, cx.mailbox);
        let State::Hibernated(hibernated) = std::mem::replace(state, State::Ended) else {
            return Err(SessionError::Gone(name.to_owned()));
        };
        *state = State::Awake(Box::new(hibernated.wake(view).await?));
        tracing::debug!(view = %name, %topic, "woke");
    }
    match state {
        State::Awake(session) => Ok(session),
        _ => Err(SessionError::Gone(name.to_owned())),
    }
}
