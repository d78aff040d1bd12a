//! Snapshots of views whose state derives serde's `Serialize` and `Deserialize`.
//!
//! The host snapshots a view to free the memory of an idle session (*hibernation*) or to carry
//! a session over to a new build of the view (*hot swap*): it calls `snapshot`, drops the
//! instance, and later gives the text to `restore` in a fresh instance, which then renders as
//! if it had mounted with that state. A view opts in with one word in its export:
//!
//! ```text
//! liveplug_guest::export!(Counter, snapshot);                // version 1
//! liveplug_guest::export!(Counter, snapshot, version = 2);   // after an incompatible change
//! ```
//!
//! `export!(Counter)` alone keeps the hand-written [`LiveView::snapshot`] and
//! [`LiveView::restore`] (by default: no snapshots).
//!
//! # The envelope
//!
//! The snapshot is JSON: the version and the view's state as serde writes it,
//! `{"v":1,"state":{"count":3}}`. Restoring checks the envelope (no other fields), and when
//! `v` is not the current version it passes the state to [`LiveView::migrate`] first (whose
//! default refuses). Every failure is a [`ViewError`], never a panic; the host then mounts the
//! view anew.
//!
//! # What a snapshot holds
//!
//! The SDK's stateful types serialize as their contents: an [`Assign<T>`](crate::Assign) as
//! its `T`, a [`List<T>`](crate::List) as an array of its items, a
//! [`Components<C>`](crate::Components) as `{"items": {id: state}, "dirty": [id]}`. Change
//! tracking is not saved: after a restore every assign and row counts as changed and the first
//! render is complete, which the host compares with what the browser holds, so the browser
//! receives exactly what it would have without the snapshot. Components are the exception: the
//! host keeps what the browser holds of each, so only those that were due for a re-render
//! (`dirty`) are rendered again and the others are placed by reference, as before.
//!
//! A [`Stream`](crate::Stream) cannot be saved (its items live only in the browser): mark the
//! field `#[serde(skip)]` and the view struct `#[serde(default)]`, and the restored view takes
//! the stream from its `Default` (empty, so the browser keeps its items). The same
//! `#[serde(default)]` fills fields added since the snapshot was taken, so adding a field needs
//! no new version.
//!
//! ```
//! use liveplug_guest::{Assign, LiveView, Node, Render, Stream, html, snapshot, testing};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! #[serde(default)]
//! struct Chat {
//!     topic: Assign<String>,
//!     #[serde(skip)]
//!     messages: Stream<String>,
//! }
//!
//! impl Default for Chat {
//!     fn default() -> Self {
//!         Self { topic: Assign::default(), messages: Stream::new("messages", |m: &String| format!("m-{}", m.len())) }
//!     }
//! }
//!
//! impl LiveView for Chat {
//!     fn render(&self, r: &mut Render) -> Node {
//!         html! { <h1>{&self.topic}</h1> }.render(r)
//!     }
//! }
//!
//! let mut chat = Chat::default();
//! chat.topic.set("rust".to_owned());
//! let text = snapshot::encode(&chat, 1).unwrap();
//! assert_eq!(text, r#"{"v":1,"state":{"topic":"rust"}}"#);
//! let restored: Chat = snapshot::decode(&text, 1).unwrap();
//! assert_eq!(testing::render_html(&restored), "<h1>rust</h1>");
//! ```
//!
//! The host snapshots a session between events, after its render, when no stream operation is
//! pending. State that is not in the struct (thread-locals, statics) is not saved.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::view::{LiveView, ViewError};

#[derive(Serialize)]
struct Envelope<'a, V> {
    v: u32,
    state: &'a V,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    v: u32,
    state: Value,
}

/// The snapshot of `view` at `version`: `{"v":<version>,"state":<view as JSON>}`. Fails when
/// serde cannot write the state as JSON (a map whose keys are not strings or numbers, a
/// `Serialize` impl that errs).
pub fn encode<V: Serialize>(view: &V, version: u32) -> Result<String, ViewError> {
    serde_json::to_string(&Envelope { v: version, state: view })
        .map_err(|e| ViewError::new(format!("cannot snapshot the view: {e}")))
}

/// The view saved in `text` by [`encode`], for a view now at `version`: a snapshot of another
/// version goes through [`LiveView::migrate`] first. Text that is not an envelope, a refused
/// migration and a state that does not fit `V` are errors.
pub fn decode<V: LiveView + DeserializeOwned>(text: &str, version: u32) -> Result<V, ViewError> {
    let Stored { v, state } =
        serde_json::from_str(text).map_err(|e| ViewError::new(format!("invalid snapshot: {e}")))?;
    let state = if v == version {
        state
    } else {
        V::migrate(v, state).map_err(|e| {
            ViewError::new(format!("cannot restore a version {v} snapshot into version {version}: {}", e.message))
        })?
    };
    serde_json::from_value(state)
        .map_err(|e| ViewError::new(format!("the snapshot's state does not fit the view (version {version}): {e}")))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use serde::{Deserialize, Serialize};
    use serde_json::{Value, json};

    use super::{decode, encode};
    use crate::{Assign, LiveView, Node, Render, ViewError, html};

    thread_local! {
        static MIGRATED_FROM: Cell<Option<u32>> = const { Cell::new(None) };
    }

    #[derive(Debug, Default, Serialize, Deserialize)]
    struct Counter {
        count: Assign<i64>,
    }

    impl LiveView for Counter {
        fn render(&self, r: &mut Render) -> Node {
            html! { <p>{*self.count}</p> }.render(r)
        }
    }

    /// Version 2 renamed `count` to `total`.
    #[derive(Debug, Default, Serialize, Deserialize)]
    struct Migrating {
        total: i64,
    }

    impl LiveView for Migrating {
        fn render(&self, r: &mut Render) -> Node {
            html! { <p>{self.total}</p> }.render(r)
        }

        fn migrate(from_version: u32, state: Value) -> Result<Value, ViewError> {
            MIGRATED_FROM.with(|m| m.set(Some(from_version)));
            match from_version {
                1 => Ok(json!({ "total": state["count"] })),
                _ => Err(ViewError::new("too new")),
            }
        }
    }

    #[test]
    fn the_envelope_round_trips() {
        let counter = Counter { count: Assign::new(7) };
        let text = encode(&counter, 1).unwrap();
        assert_eq!(text, r#"{"v":1,"state":{"count":7}}"#);
        let restored: Counter = decode(&text, 1).unwrap();
        assert_eq!(*restored.count, 7);
        let text = encode(&counter, 42).unwrap();
        assert_eq!(text, r#"{"v":42,"state":{"count":7}}"#);
        assert_eq!(*decode::<Counter>(&text, 42).unwrap().count, 7);
    }

    #[test]
    fn another_version_goes_through_migrate() {
        let restored: Migrating = decode(r#"{"v":1,"state":{"count":5}}"#, 2).unwrap();
        assert_eq!(restored.total, 5);
        assert_eq!(MIGRATED_FROM.with(Cell::get), Some(1));
        // The same version is not migrated.
        MIGRATED_FROM.with(|m| m.set(None));
        let restored: Migrating = decode(r#"{"v":2,"state":{"total":6}}"#, 2).unwrap();
        assert_eq!(restored.total, 6);
        assert_eq!(MIGRATED_FROM.with(Cell::get), None);
        // A refused migration says which versions.
        let error = decode::<Migrating>(r#"{"v":3,"state":{}}"#, 2).unwrap_err();
        assert_eq!(error.message, "cannot restore a version 3 snapshot into version 2: too new");
    }

    #[test]
    fn the_default_migrate_refuses_clearly() {
        let error = decode::<Counter>(r#"{"v":1,"state":{"count":5}}"#, 2).unwrap_err();
        assert_eq!(
            error.message,
            "cannot restore a version 1 snapshot into version 2: this view does not migrate snapshots (implement `LiveView::migrate`)"
        );
    }

    #[test]
    fn bad_text_is_an_error() {
        let cases = [
            ("", "invalid snapshot: EOF while parsing a value at line 1 column 0"),
            ("{", "invalid snapshot: EOF while parsing an object at line 1 column 1"),
            ("7", "invalid snapshot: invalid type: integer `7`, expected struct Stored at line 1 column 1"),
            (r#"{"count":7}"#, "invalid snapshot: unknown field `count`, expected `v` or `state` at line 1 column 8"),
            (r#"{"v":1}"#, "invalid snapshot: missing field `state` at line 1 column 7"),
            (r#"{"state":{}}"#, "invalid snapshot: missing field `v` at line 1 column 12"),
            (
                r#"{"v":-1,"state":{}}"#,
                "invalid snapshot: invalid value: integer `-1`, expected u32 at line 1 column 7",
            ),
            (
                r#"{"v":1,"state":{},"x":0}"#,
                "invalid snapshot: unknown field `x`, expected `v` or `state` at line 1 column 21",
            ),
            (
                r#"{"v":1,"state":{"count":"seven"}}"#,
                "the snapshot's state does not fit the view (version 1): invalid type: string \"seven\", expected i64",
            ),
            (
                r#"{"v":1,"state":[]}"#,
                "the snapshot's state does not fit the view (version 1): invalid length 0, expected struct Counter with 1 element",
            ),
        ];
        for (text, message) in cases {
            let error = decode::<Counter>(text, 1).expect_err(text);
            assert_eq!(error.message, message, "{text}");
        }
        // Deep nesting is an error too, not a stack overflow.
        let deep = format!(r#"{{"v":1,"state":{}{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
        assert!(decode::<Counter>(&deep, 1).unwrap_err().message.contains("recursion limit exceeded"));
    }

    #[test]
    fn state_serde_cannot_write_is_an_error() {
        #[derive(Serialize)]
        struct Bad {
            map: std::collections::HashMap<(u8, u8), u8>,
        }
        let bad = Bad { map: [((1, 2), 3)].into_iter().collect() };
        assert_eq!(encode(&bad, 1).unwrap_err().message, "cannot snapshot the view: key must be a string");
    }
}
