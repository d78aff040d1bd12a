//! The interface the session drives: a view instance, whatever runs it.

use std::future::Future;

use serde_json::Value;

use super::error::GuestError;
use crate::diff::Parts;

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

    fn handle_info(&mut self, message: &Value) -> impl Future<Output = Result<(), GuestError>> + Send;

    fn render(&mut self) -> impl Future<Output = Result<Parts, GuestError>> + Send;

    /// The browser removed these components (guest ids).
    fn components_destroyed(&mut self, ids: Vec<u32>) -> impl Future<Output = Result<(), GuestError>> + Send;

    /// The view's state for a hot swap or a test, or `None` when it cannot snapshot.
    fn snapshot(&mut self) -> impl Future<Output = Result<Option<String>, GuestError>> + Send;

    /// Restores a snapshot instead of mounting.
    fn restore(&mut self, state: &str) -> impl Future<Output = Result<(), GuestError>> + Send;

    /// Takes the effects collected since the last call.
    fn take_effects(&mut self) -> Effects;
}
