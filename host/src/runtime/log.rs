//! The `log` capability: guest log lines go to the host's tracing subscriber, tagged with
//! the plugin's name.

use super::bindings::liveplug::view::log::{Host, Level};
use super::store::StoreState;

/// Longer messages are cut, so a guest cannot flood the host's logs with one call.
const MAX_MESSAGE: usize = 4096;

impl Host for StoreState {
    fn log(&mut self, level: Level, message: String) {
        let message = truncate(&message, MAX_MESSAGE);
        let plugin = self.plugin.as_str();
        match level {
            Level::Trace => tracing::trace!(target: "liveplug::guest", plugin, "{message}"),
            Level::Debug => tracing::debug!(target: "liveplug::guest", plugin, "{message}"),
            Level::Info => tracing::info!(target: "liveplug::guest", plugin, "{message}"),
            Level::Warn => tracing::warn!(target: "liveplug::guest", plugin, "{message}"),
            Level::Error => tracing::error!(target: "liveplug::guest", plugin, "{message}"),
        }
    }
}

fn truncate(message: &str, max: usize) -> &str {
    if message.len() <= max {
        return message;
    }
    let mut end = max;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}
