//! The trait a view implements.

use serde_json::Value;

use crate::render::{Node, Render};

/// Why a handler refuses to go on. The host ends the session and the browser rejoins with a
/// fresh mount, as Phoenix does when a LiveView raises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewError {
    pub message: String,
}

impl ViewError {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

impl std::fmt::Display for ViewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ViewError {}

impl From<serde_json::Error> for ViewError {
    fn from(error: serde_json::Error) -> Self {
        Self::new(format!("invalid JSON: {error}"))
    }
}

/// What `mount` receives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mount {
    /// Path and query parameters of the URL.
    pub params: Value,
    /// The signed session.
    pub session: Value,
    /// False during the HTTP render, true once the websocket joined.
    pub connected: bool,
    /// The client's connect params (connected mounts only).
    pub connect_params: Option<Value>,
}

/// A browser event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The binding's value, e.g. `inc` for `phx-click="inc"`.
    pub name: String,
    /// The event's value: `phx-value-*` attributes, or the decoded form for form events.
    pub value: Value,
    /// The stateful component the event targets, if any.
    pub target: Option<u32>,
}

impl Event {
    /// The event's value as a Rust type: `phx-value-*` attributes, a decoded form, a hook's
    /// payload. A value that does not fit is a clear error naming the event.
    pub fn params<T: serde::de::DeserializeOwned>(&self) -> Result<T, ViewError> {
        T::deserialize(&self.value).map_err(|e| ViewError::new(format!("event {:?}: invalid params: {e}", self.name)))
    }

    /// The error for an event this view does not handle.
    pub fn unknown(&self) -> ViewError {
        ViewError::new(format!("unknown event {:?}", self.name))
    }
}

/// A LiveView. Every handler has a default that does nothing, except `handle_event`, whose
/// default refuses the event (an unhandled event is a bug worth seeing).
pub trait LiveView: Default + 'static {
    /// The paths this view is served at, such as `["/items", "/items/:id"]`: a segment that
    /// starts with `:` is a parameter, which reaches [`LiveView::mount`] and
    /// [`LiveView::handle_params`] in `params` with the query parameters. Empty (the
    /// default): `/<file stem>` only. Two views that claim the same path are refused when the
    /// second one loads.
    const ROUTES: &'static [&'static str] = &[];

    /// The live session the view belongs to: views of one live session navigate to each other
    /// over the socket ([`crate::navigation::push_navigate`], `<a data-phx-link="redirect">`);
    /// to a view of another one the browser loads the page. `None`: the default session.
    const LIVE_SESSION: Option<&'static str> = None;

    /// Called once, before anything else.
    fn mount(&mut self, mount: Mount) -> Result<(), ViewError> {
        let _ = mount;
        Ok(())
    }

    /// Called after mount and on every live patch.
    fn handle_params(&mut self, url: &str, params: Value) -> Result<(), ViewError> {
        let _ = (url, params);
        Ok(())
    }

    /// A browser event; returns an optional reply for a hook's `pushEvent`.
    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        Err(event.unknown())
    }

    /// A message from pubsub, presence or a timer (see [`crate::pubsub`], [`crate::timers`],
    /// [`crate::presence`]); the host pushes the changed render afterwards.
    fn handle_info(&mut self, message: crate::Message) -> Result<(), ViewError> {
        let _ = message;
        Ok(())
    }

    /// Renders the current state.
    fn render(&self, r: &mut Render) -> Node;

    /// The browser removed these stateful components; their state can go.
    fn components_destroyed(&mut self, ids: Vec<u32>) {
        let _ = ids;
    }

    /// Serializes the state in a format of the view's own; `None` means the view cannot (a
    /// hot swap remounts it, an idle session stays in memory).
    ///
    /// Only used by `export!(View)`. A view whose state derives serde's `Serialize` and
    /// `Deserialize` needs neither this nor [`LiveView::restore`]: `export!(View, snapshot)`
    /// snapshots it as JSON (see [`crate::snapshot`]).
    fn snapshot(&self) -> Option<String> {
        None
    }

    /// Rebuilds the state from [`LiveView::snapshot`]'s text, taken by this or an earlier
    /// version of the view, in a fresh instance. Only used by `export!(View)`.
    fn restore(state: &str) -> Result<Self, ViewError> {
        let _ = state;
        Err(ViewError::new("this view does not restore snapshots"))
    }

    /// Upgrades the state of a snapshot taken with `export!(View, snapshot, version = N)` by
    /// another version of the view, `from_version`, to the shape of the current version (the
    /// `state` of the [snapshot envelope](crate::snapshot), as JSON). Called by `restore` only
    /// when the versions differ; the default refuses, and the host then mounts the view anew.
    ///
    /// ```
    /// use liveplug_guest::{LiveView, Node, Render, ViewError, html};
    /// use serde_json::{Value, json};
    ///
    /// // Version 1 had `{"count": 3}`; version 2 keeps a history instead.
    /// #[derive(Default, serde::Serialize, serde::Deserialize)]
    /// struct Counter {
    ///     history: Vec<i64>,
    /// }
    ///
    /// impl LiveView for Counter {
    ///     fn render(&self, r: &mut Render) -> Node {
    ///         html! { <p>{self.history.len()}</p> }.render(r)
    ///     }
    ///
    ///     fn migrate(from_version: u32, state: Value) -> Result<Value, ViewError> {
    ///         match from_version {
    ///             1 => Ok(json!({ "history": [state["count"]] })),
    ///             _ => Err(ViewError::new(format!("unknown snapshot version {from_version}"))),
    ///         }
    ///     }
    /// }
    ///
    /// let old = r#"{"v":1,"state":{"count":3}}"#;
    /// let counter: Counter = liveplug_guest::snapshot::decode(old, 2).unwrap();
    /// assert_eq!(counter.history, [3]);
    /// // In the crate: liveplug_guest::export!(Counter, snapshot, version = 2);
    /// ```
    fn migrate(from_version: u32, state: Value) -> Result<Value, ViewError> {
        let _ = (from_version, state);
        Err(ViewError::new("this view does not migrate snapshots (implement `LiveView::migrate`)"))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::Event;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Contact {
        name: String,
        #[serde(default)]
        email: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Form {
        contact: Contact,
    }

    #[test]
    fn params_deserialize_into_types_and_report_mismatches() {
        let event = Event { name: "add".into(), value: json!({"contact": {"name": "Ada"}}), target: None };
        assert_eq!(event.params::<Form>(), Ok(Form { contact: Contact { name: "Ada".into(), email: String::new() } }));
        let error = event.params::<Contact>().expect_err("no top-level name");
        assert!(error.message.starts_with("event \"add\": invalid params: missing field `name`"), "{error}");
        assert_eq!(event.unknown().message, "unknown event \"add\"");
    }
}
