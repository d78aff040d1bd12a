//! Server push: messages for [`crate::LiveView::handle_info`], and the pubsub, timer and
//! presence capabilities that produce them.
//!
//! Subscriptions and timers belong to the session in the host, not to the view's instance:
//! they survive hibernation (a message wakes the session), and end with the session. Calls
//! Pubsub and presence calls take effect at once (a message for this session itself arrives
//! after the current handler); timers start when the handler returns.
//!
//! ```
//! use std::time::Duration;
//! use liveplug_guest::{LiveView, Message, Mount, Node, Render, ViewError, html, pubsub, testing, timers};
//!
//! #[derive(Default)]
//! struct Clock { ticks: u64, said: Vec<String> }
//!
//! impl LiveView for Clock {
//!     fn mount(&mut self, mount: Mount) -> Result<(), ViewError> {
//!         if mount.connected {
//!             pubsub::subscribe("clock")?;
//!             timers::interval(&"tick", Duration::from_secs(1))?;
//!         }
//!         Ok(())
//!     }
//!
//!     fn handle_info(&mut self, message: Message) -> Result<(), ViewError> {
//!         match message {
//!             Message::Sent(_) => self.ticks += 1,
//!             Message::Broadcast { payload, .. } => self.said.push(payload.to_string()),
//!             Message::Presence(_) => {}
//!         }
//!         Ok(())
//!     }
//!
//!     fn render(&self, r: &mut Render) -> Node {
//!         html! { <p>{self.ticks}</p> }.render(r)
//!     }
//! }
//!
//! let mut clock = Clock::default();
//! clock.mount(Mount { connected: true, ..Mount::default() }).unwrap();
//! let host = testing::host();
//! assert!(host.subscriptions.contains("clock"));
//! assert_eq!(host.timers[0].period_ms, Some(1000));
//! clock.handle_info(Message::Sent("tick".into())).unwrap();
//! assert_eq!(testing::render_html(&clock), "<p>1</p>");
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::view::ViewError;

/// What [`crate::LiveView::handle_info`] receives.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// From [`timers::send_self`], [`timers::send_after`] or [`timers::interval`]: the payload
    /// given there.
    Sent(Value),
    /// A [`pubsub::broadcast`] on a topic this session subscribes to, from this or another
    /// session, on this or another host.
    Broadcast { topic: String, payload: Value },
    /// Who arrived on and left a presence topic this session subscribes to.
    Presence(PresenceDiff),
}

impl Message {
    /// The payload of a `Sent` or `Broadcast` message as a serde type.
    pub fn payload<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        match self {
            Message::Sent(payload) | Message::Broadcast { payload, .. } => T::deserialize(payload).ok(),
            Message::Presence(_) => None,
        }
    }
}

/// Everyone on a presence topic, by key: Phoenix.Presence's `list`.
pub type Presences = BTreeMap<String, Presence>;

/// One key's presence: a meta per session that tracks it (a user in two tabs has two).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Presence {
    pub metas: Vec<Value>,
}

/// A presence change: the metas that joined and left (an updated meta leaves under its old
/// `phx_ref` and joins under a new one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PresenceDiff {
    pub topic: String,
    pub joins: Presences,
    pub leaves: Presences,
}

/// Names a timer for [`timers::cancel`]. Serializable, so a view keeps it in its state
/// across hibernation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimerId(pub u64);

fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, ViewError> {
    Ok(serde_json::to_string(value)?)
}

/// Topics shared by every session on every host.
pub mod pubsub {
    use serde::Serialize;

    use super::json;
    use crate::view::ViewError;

    /// Subscribes this session to `topic` (1 to 256 bytes); broadcasts on it arrive as
    /// [`super::Message::Broadcast`]. Subscribing twice is one subscription.
    pub fn subscribe(topic: &str) -> Result<(), ViewError> {
        crate::imports::subscribe(topic).map_err(ViewError::new)
    }

    /// Ends this session's subscription to `topic`, if any.
    pub fn unsubscribe(topic: &str) {
        crate::imports::unsubscribe(topic);
    }

    /// Sends `payload` to every session subscribed to `topic`, this one included.
    pub fn broadcast<T: Serialize + ?Sized>(topic: &str, payload: &T) -> Result<(), ViewError> {
        crate::imports::broadcast(topic, &json(payload)?, false).map_err(ViewError::new)
    }

    /// [`broadcast`] to every subscriber but this session (Phoenix's `broadcast_from`).
    pub fn broadcast_from<T: Serialize + ?Sized>(topic: &str, payload: &T) -> Result<(), ViewError> {
        crate::imports::broadcast(topic, &json(payload)?, true).map_err(ViewError::new)
    }
}

/// Messages to this view itself, now or later.
pub mod timers {
    use std::time::Duration;

    use serde::Serialize;

    use super::{TimerId, json};
    use crate::view::ViewError;

    fn millis(duration: Duration) -> u32 {
        u32::try_from(duration.as_millis()).unwrap_or(u32::MAX)
    }

    /// Delivers `payload` as [`super::Message::Sent`] right after the current handler
    /// (Phoenix's `send(self(), message)`).
    pub fn send_self<T: Serialize + ?Sized>(payload: &T) -> Result<(), ViewError> {
        crate::imports::send_self(&json(payload)?).map_err(ViewError::new)
    }

    /// Delivers `payload` once, after `delay` (in whole milliseconds).
    pub fn send_after<T: Serialize + ?Sized>(payload: &T, delay: Duration) -> Result<TimerId, ViewError> {
        crate::imports::send_after(&json(payload)?, millis(delay)).map(TimerId).map_err(ViewError::new)
    }

    /// Delivers `payload` every `period` (at least 10 ms) until cancelled; a session that
    /// cannot keep up skips ticks.
    pub fn interval<T: Serialize + ?Sized>(payload: &T, period: Duration) -> Result<TimerId, ViewError> {
        crate::imports::interval(&json(payload)?, millis(period)).map(TimerId).map_err(ViewError::new)
    }

    /// Stops a timer of this session; nothing happens for one that fired or is unknown.
    pub fn cancel(id: TimerId) {
        crate::imports::cancel(id.0);
    }
}

/// Who is on a topic, across hosts (Phoenix.Presence). Subscribers of the topic receive
/// each change as [`super::Message::Presence`].
pub mod presence {
    use serde::Serialize;

    use super::{Presences, json};
    use crate::view::ViewError;

    /// Tracks this session on `topic` under `key` with `meta` (serialized to a JSON object).
    /// Tracking the same key again replaces this session's meta.
    pub fn track<T: Serialize + ?Sized>(topic: &str, key: &str, meta: &T) -> Result<(), ViewError> {
        crate::imports::track(topic, key, &json(meta)?).map_err(ViewError::new)
    }

    /// Stops tracking this session under `key` on `topic`.
    pub fn untrack(topic: &str, key: &str) {
        crate::imports::untrack(topic, key);
    }

    /// Everyone on `topic` now.
    pub fn list(topic: &str) -> Presences {
        serde_json::from_str(&crate::imports::presence_list(topic)).unwrap_or_default()
    }
}

/// Parses what the host hands `handle-info`.
pub(crate) fn decode(message: crate::bindings::liveplug::view::types::Message) -> Result<Message, ViewError> {
    use crate::bindings::liveplug::view::types::Message as Wit;
    let parse = |text: &str| -> Result<Value, ViewError> { Ok(serde_json::from_str(text)?) };
    let presences = |text: &str| -> Result<Presences, ViewError> { Ok(serde_json::from_str(text)?) };
    Ok(match message {
        Wit::Sent(payload) => Message::Sent(parse(&payload)?),
        Wit::Broadcast(b) => Message::Broadcast { payload: parse(&b.payload)?, topic: b.topic },
        Wit::Presence(p) => Message::Presence(PresenceDiff {
            joins: presences(&p.joins)?,
            leaves: presences(&p.leaves)?,
            topic: p.topic,
        }),
    })
}
