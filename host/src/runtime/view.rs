//! The interface the session drives: a view instance, whatever runs it.

use std::collections::BTreeMap;
use std::future::Future;

use serde_json::Value;

use super::error::GuestError;
use crate::diff::Parts;
use crate::pubsub::{Message, Request};

/// Arguments of `mount`.
#[derive(Debug, Clone)]
pub struct MountContext {
    /// Path and query parameters (a JSON object).
    pub params: Value,
    /// The signed session (a JSON object).
    pub session: Value,
    pub connected: bool,
    /// The client's connect params on a connected mount.
    pub connect_params: Option<Value>,
}

/// Effects a handler asked for besides markup; the session sends them with its reply.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effects {
    pub title: Option<String>,
    /// `(name, payload, before_patch)`.
    pub events: Vec<(String, Value, bool)>,
    /// Where the browser goes next (the handler's last request).
    pub navigation: Option<Navigation>,
    /// A capability was called with arguments it refuses (a path that is not a path...): the
    /// handler is a fault, with this message.
    pub fault: Option<String>,
    /// Timer requests, in the order they were made.
    pub requests: Vec<Request>,
    /// Pubsub, timer and presence calls made (bounded per handler).
    pub calls: usize,
}

/// A navigation a handler asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Navigation {
    /// `push_patch`: the URL changes within the view (a local path).
    Patch { to: String, replace: bool },
    /// `push_navigate`: another view over the same socket (a local path).
    Navigate { to: String, replace: bool },
    /// `redirect`: a full page load of a local path or an external URL.
    Redirect { to: String },
}

/// What a view declares about itself (the WIT `view-info`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewInfo {
    pub routes: Vec<String>,
    pub live_session: Option<String>,
}

/// The session's flash messages, by kind, and which of them the current handler set.
///
/// As in Phoenix, a redirect or a navigation started by a handler carries only what that
/// handler put (`changed`); one started while joining carries them all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flash {
    messages: BTreeMap<String, String>,
    changed: BTreeMap<String, String>,
}

impl Flash {
    /// A flash holding `messages`, none of them changed by a handler.
    pub fn from_messages(messages: BTreeMap<String, String>) -> Self {
        Self { messages, changed: BTreeMap::new() }
    }

    pub fn put(&mut self, kind: String, message: String) {
        self.changed.insert(kind.clone(), message.clone());
        self.messages.insert(kind, message);
    }

    /// Removes `kind`, or every message.
    pub fn clear(&mut self, kind: Option<&str>) {
        match kind {
            Some(kind) => {
                self.messages.remove(kind);
                self.changed.remove(kind);
            }
            None => {
                self.messages.clear();
                self.changed.clear();
            }
        }
    }

    pub fn get(&self, kind: &str) -> Option<&str> {
        self.messages.get(kind).map(String::as_str)
    }

    pub fn contains(&self, kind: &str) -> bool {
        self.messages.contains_key(kind)
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Every message, by kind.
    pub fn messages(&self) -> &BTreeMap<String, String> {
        &self.messages
    }

    /// What the current handler put.
    pub fn changed(&self) -> &BTreeMap<String, String> {
        &self.changed
    }

    /// A new handler starts: nothing is changed yet.
    pub fn begin_handler(&mut self) {
        self.changed.clear();
    }

    /// `push_patch` from a handler: only what the handler put stays.
    pub fn keep_changed(&mut self) {
        self.messages = self.changed.clone();
    }
}

/// A running view. Calls are sequential; an error leaves the instance unusable.
pub trait View: Send {
    fn mount(&mut self, ctx: MountContext) -> impl Future<Output = Result<(), GuestError>> + Send;

    fn handle_params(&mut self, url: &str, params: &Value) -> impl Future<Output = Result<(), GuestError>> + Send;

    /// Returns the hook reply, if any.
    fn handle_event(
        &mut self,
        name: &str,
        value: &Value,
        target: Option<u32>,
    ) -> impl Future<Output = Result<Option<Value>, GuestError>> + Send;

    fn handle_info(&mut self, message: &Message) -> impl Future<Output = Result<(), GuestError>> + Send;

    fn render(&mut self) -> impl Future<Output = Result<Parts, GuestError>> + Send;

    /// The browser removed these components (guest ids).
    fn components_destroyed(&mut self, ids: Vec<u32>) -> impl Future<Output = Result<(), GuestError>> + Send;

    /// The view's state for a hot swap or a test, or `None` when it cannot snapshot.
    fn snapshot(&mut self) -> impl Future<Output = Result<Option<String>, GuestError>> + Send;

    /// Restores a snapshot instead of mounting.
    fn restore(&mut self, state: &str) -> impl Future<Output = Result<(), GuestError>> + Send;

    /// Tells the instance which session it serves and where that session's messages go
    /// (before mount or restore), for pubsub and presence.
    fn bind(&mut self, session: crate::pubsub::SessionId, mailbox: &std::sync::Arc<crate::pubsub::Mailbox>) {
        let _ = (session, mailbox);
    }

    /// Takes the effects collected since the last call.
    fn take_effects(&mut self) -> Effects;

    /// The session's flash messages, which the view reads and changes through its flash
    /// capability; the session sets them before mount and carries them across hibernation.
    fn flash_mut(&mut self) -> &mut Flash;
}
