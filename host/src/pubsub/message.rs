//! What travels between sessions: messages for `handle-info`, and the requests a handler makes
//! of pubsub, timers and presence. Pure values, checked once where a guest hands them over.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Longest topic name, in bytes.
pub const MAX_TOPIC: usize = 256;
/// Largest JSON payload of one message or presence meta, in bytes.
pub const MAX_PAYLOAD: usize = 64 * 1024;
/// Shortest interval period; shorter requests are refused.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// One joined session, unique on this host for the life of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(u64);

impl SessionId {
    /// A fresh id.
    pub fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

/// A timer, unique on this host.
pub type TimerId = u64;

/// A fresh timer id (never 0).
pub fn next_timer_id() -> TimerId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A message for a view's `handle-info`. Payloads stay JSON text, checked when they were
/// sent, and are shared rather than copied by a broadcast to many sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// From `send-self`, `send-after` or `interval`.
    Sent(Arc<str>),
    /// A broadcast on a subscribed topic.
    Broadcast { topic: Arc<str>, payload: Arc<str> },
    /// A presence change on a subscribed topic: JSON objects of the joined and left metas.
    Presence { topic: Arc<str>, joins: Arc<str>, leaves: Arc<str> },
}

/// What a handler asked of its session's timers (which live with the connection); the
/// session carries them out, in order, when the handler has returned. Pubsub and presence
/// calls go to the hub at once.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `send-after` (`repeat: false`; zero delay for `send-self`) or `interval`.
    Timer {
        id: TimerId,
        payload: Arc<str>,
        delay: Duration,
        repeat: bool,
    },
    Cancel(TimerId),
}

/// Checks a topic name: 1 to [`MAX_TOPIC`] bytes, no control characters.
pub fn check_topic(topic: &str) -> Result<(), String> {
    check_name("topic", topic)
}

/// Checks a presence key, by the same rule as a topic.
pub fn check_key(key: &str) -> Result<(), String> {
    check_name("presence key", key)
}

fn check_name(what: &str, name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_TOPIC {
        return Err(format!("a {what} is 1 to {MAX_TOPIC} bytes, got {}", name.len()));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("a {what} has no control characters, got {name:?}"));
    }
    Ok(())
}

/// Checks a JSON payload: valid JSON of at most [`MAX_PAYLOAD`] bytes. Returns it shared.
pub fn check_payload(payload: String) -> Result<Arc<str>, String> {
    if payload.len() > MAX_PAYLOAD {
        return Err(format!("a payload is at most {MAX_PAYLOAD} bytes, got {}", payload.len()));
    }
    // Parsed only to be checked: what crosses to other sessions is the text.
    serde_json::from_str::<serde::de::IgnoredAny>(&payload).map_err(|e| format!("a payload is JSON: {e}"))?;
    Ok(payload.into())
}

/// Checks a presence meta: a JSON object of at most [`MAX_PAYLOAD`] bytes.
pub fn check_meta(meta: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    if meta.len() > MAX_PAYLOAD {
        return Err(format!("a presence meta is at most {MAX_PAYLOAD} bytes, got {}", meta.len()));
    }
    match serde_json::from_str(meta) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err("a presence meta is a JSON object".to_owned()),
        Err(e) => Err(format!("a presence meta is a JSON object: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_short_printable_names() {
        assert!(check_topic("room:lobby").is_ok());
        assert!(check_topic(&"x".repeat(MAX_TOPIC)).is_ok());
        for bad in [String::new(), "x".repeat(MAX_TOPIC + 1), "a\nb".to_owned(), "\u{0}".to_owned()] {
            assert!(check_topic(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn payloads_are_bounded_json() {
        assert_eq!(&*check_payload(r#"{"a":[1,2]}"#.to_owned()).unwrap(), r#"{"a":[1,2]}"#);
        assert!(check_payload("null".to_owned()).is_ok());
        assert!(check_payload("{".to_owned()).is_err());
        assert!(check_payload("1 2".to_owned()).is_err());
        assert!(check_payload(format!("\"{}\"", "x".repeat(MAX_PAYLOAD))).is_err());
    }

    #[test]
    fn metas_are_objects() {
        assert_eq!(check_meta(r#"{"name":"a"}"#).unwrap().len(), 1);
        assert!(check_meta("[]").is_err());
        assert!(check_meta("nope").is_err());
    }

    #[test]
    fn ids_are_unique() {
        assert_ne!(SessionId::next(), SessionId::next());
        assert_ne!(next_timer_id(), next_timer_id());
    }
}
