//! The `page` capability: title and pushed events, collected for the current reply.

use serde_json::Value;

use super::bindings::liveplug::view::page::Host;
use super::store::StoreState;

/// A handler may push at most this many events; more are dropped with a warning.
const MAX_EVENTS: usize = 256;

impl Host for StoreState {
    fn set_title(&mut self, title: String) {
        self.effects.title = Some(title);
    }

    fn push_event(&mut self, name: String, payload: String, before_patch: bool) {
        if self.effects.events.len() >= MAX_EVENTS {
            tracing::warn!(plugin = %self.plugin, event = %name, "too many pushed events; dropped");
            return;
        }
        // A payload that is not JSON is delivered as a string rather than lost.
        let payload = serde_json::from_str(&payload).unwrap_or(Value::String(payload));
        self.effects.events.push((name, payload, before_patch));
    }
}

/// The `parts` interface only defines types; its host side has nothing to do.
impl super::bindings::parts::Host for StoreState {}

/// The types the exports share (`mount-context`, `view-error`, `view-info`): no functions.
impl super::bindings::types::Host for StoreState {}
