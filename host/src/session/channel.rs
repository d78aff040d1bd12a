//! One joined `lv:` topic: its session, awake (with an instance) or hibernated (a snapshot),
//! and the moves between the two.
//!
//! An awake session that can snapshot is a resident of the instance pool. It hibernates when
//! it has been idle for [`Lifecycle::hibernate_after`] or when the pool asks for its slot;
//! the next frame for it wakes it with a fresh instance and `restore`. A view without
//! snapshot support answers `none` once and keeps its instance from then on.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::error::SessionError;
use super::live::{Hibernated, Hibernation, KeptBecause, LiveSession};
use super::url::view_name;
use crate::protocol::{Frame, Reply, event};
use crate::registry::Registry;
use crate::runtime::{GuestView, Owner, Residency, Runtime};

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
pub(super) struct Context<'a> {
    pub runtime: &'a Runtime,
    pub registry: &'a Registry,
    pub lifecycle: &'a Lifecycle,
    pub owner: &'a Arc<Owner>,
}

/// One joined view.
pub(super) struct Channel {
    pub topic: String,
    pub join_ref: Option<String>,
    /// The view's name: its plugin, looked up again at every wake.
    name: String,
    state: State,
    /// False once the view answered that it cannot snapshot.
    snapshots: bool,
    /// The session's place in the pool's eviction order, while it is a candidate.
    residency: Option<Residency>,
    last_active: Instant,
}

// A hibernated session is the common case and stays inline (one allocation less per idle
// session); the awake one is boxed because its instance handle is large.
#[allow(clippy::large_enum_variant)]
enum State {
    Awake(Box<LiveSession<GuestView>>),
    Hibernated(Hibernated),
    /// Between the two, or after a failed move: the channel is over.
    Ended,
}

impl Channel {
    /// A freshly mounted session.
    pub fn joined(
        topic: String,
        join_ref: Option<String>,
        name: String,
        session: LiveSession<GuestView>,
        cx: &Context<'_>,
    ) -> Self {
        Self {
            topic,
            join_ref,
            name,
            state: State::Awake(Box::new(session)),
            snapshots: true,
            residency: Some(cx.runtime.reside(cx.owner)),
            last_active: Instant::now(),
        }
    }

    pub fn is_awake(&self) -> bool {
        matches!(self.state, State::Awake(_))
    }

    /// When this channel should hibernate if nothing happens, if it is a candidate.
    pub fn hibernation_due(&self, lifecycle: &Lifecycle) -> Option<Instant> {
        self.residency.as_ref().map(|_| self.last_active + lifecycle.hibernate_after)
    }

    /// Whether the pool asked for this channel's instance.
    pub fn eviction_requested(&self) -> bool {
        self.residency.as_ref().is_some_and(Residency::eviction_requested)
    }

    /// Handles one frame for this view and returns the reply. A fatal error ends the channel:
    /// the caller pushes `phx_error` and forgets it.
    pub async fn handle(&mut self, frame: &mut Frame, cx: &Context<'_>) -> Result<Reply, SessionError> {
        let payload = frame.take_json();
        if frame.event == event::LIVE_PATCH {
            let url = payload.get("url").and_then(Value::as_str).unwrap_or("");
            if view_name(url) != Some(self.name.as_str()) {
                // The URL belongs to another view: the client navigates there instead.
                return Ok(Reply::ok(json!({ "link_redirect": true })));
            }
        }
        let session = self.awake(cx).await?;
        let result = match frame.event.as_str() {
            event::EVENT => session.event(payload).await,
            event::LIVE_PATCH => {
                let url = payload.get("url").and_then(Value::as_str).unwrap_or("");
                session.patch(url).await
            }
            event::CIDS_WILL_DESTROY => session.components_will_destroy(&payload),
            event::CIDS_DESTROYED => session.components_destroyed(&payload).await,
            other => Err(SessionError::BadPayload(format!("unknown event {other:?}"))),
        };
        self.active(cx);
        match result {
            Ok(response) => Ok(Reply::ok(response)),
            Err(error) if error.is_fatal() => {
                self.state = State::Ended;
                Err(error)
            }
            Err(error) => Ok(Reply::error(json!({ "reason": error.to_string() }))),
        }
    }

    /// Gives the instance back to the pool, keeping the state as a snapshot (see
    /// [`LiveSession::hibernate`]). A view that cannot snapshot stays awake.
    pub async fn hibernate(&mut self, cx: &Context<'_>) -> Result<(), SessionError> {
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

    /// The awake session, woken from its snapshot if needed.
    async fn awake(&mut self, cx: &Context<'_>) -> Result<&mut LiveSession<GuestView>, SessionError> {
        if let State::Hibernated(_) = self.state
            && let State::Hibernated(hibernated) = std::mem::replace(&mut self.state, State::Ended)
        {
            let plugin = cx.registry.get(&self.name).ok_or_else(|| SessionError::Gone(self.name.clone()))?;
            let view = GuestView::instantiate_for(cx.runtime, &plugin, Some(cx.owner)).await?;
            self.state = State::Awake(Box::new(hibernated.wake(view).await?));
            tracing::debug!(view = %self.name, topic = %self.topic, "woke");
        }
        match &mut self.state {
            State::Awake(session) => Ok(session),
            _ => Err(SessionError::Gone(self.name.clone())),
        }
    }

    /// The channel just handled something: it is the most recently used, and an awake
    /// session that can snapshot is a candidate for hibernation again.
    fn active(&mut self, cx: &Context<'_>) {
        self.last_active = Instant::now();
        if !self.is_awake() {
            return;
        }
        match &self.residency {
            Some(residency) => residency.touch(),
            None if self.snapshots => self.residency = Some(cx.runtime.reside(cx.owner)),
            None => {}
        }
    }
}
