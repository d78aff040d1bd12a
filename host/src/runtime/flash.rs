//! The `flash` capability: the session's flash messages, read and changed by the view.

use super::bindings::liveplug::view::flash::Host;
use super::store::StoreState;

/// Flash travels in signed tokens and a cookie, so it stays small: messages past these
/// bounds are dropped with a warning.
const MAX_KINDS: usize = 16;
const MAX_KIND: usize = 64;
const MAX_MESSAGE: usize = 2048;
/// All kinds and messages together: the signed token must fit a cookie (browsers drop
/// cookies over about 4 KiB).
const MAX_TOTAL: usize = 2048;

impl Host for StoreState {
    fn put(&mut self, kind: String, message: String) {
        let new_kind = !self.flash.contains(&kind);
        let total: usize =
            self.flash.messages().iter().filter(|(k, _)| **k != kind).map(|(k, v)| k.len() + v.len()).sum::<usize>()
                + kind.len()
                + message.len();
        if kind.len() > MAX_KIND
            || message.len() > MAX_MESSAGE
            || total > MAX_TOTAL
            || (new_kind && self.flash.len() >= MAX_KINDS)
        {
            tracing::warn!(plugin = %self.plugin, kind = %kind.chars().take(MAX_KIND).collect::<String>(), "flash message too large or too many kinds; dropped");
            return;
        }
        self.flash.put(kind, message);
    }

    fn clear(&mut self, kind: Option<String>) {
        self.flash.clear(kind.as_deref());
    }

    fn get(&mut self, kind: String) -> Option<String> {
        self.flash.get(&kind).map(str::to_owned)
    }

    fn all(&mut self) -> Vec<(String, String)> {
        self.flash.messages().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}
