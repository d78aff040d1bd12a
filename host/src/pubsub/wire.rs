//! What hosts say to each other over Redis: one text message per event, its kind and the
//! sending host on the first line. Broadcast payloads travel as they are (no JSON around
//! them), so a broadcast costs its own bytes plus a short header.
//!
//! ```text
//! b <node>\n<topic>\n<payload>      a broadcast
//! j <node>\n<presence JSON>         a presence joined
//! u <node>\n<old ref>\n<presence JSON> a presence's meta was replaced (a new ref)
//! l <node>\n<ref>                   a presence left
//! s <node>\n<[presence JSON, ...]>  everything the host tracks (after a hello or a reconnect)
//! h <node>                          the host is alive
//! ? <node>                          a host (re)joined: everyone answers with `s`
//! ```
//!
//! Pure: encoding and decoding only; decoding never panics on foreign input.

use super::presence::Shared;

#[derive(Debug, Clone, PartialEq)]
pub enum Envelope<'a> {
    Broadcast { node: &'a str, topic: &'a str, payload: &'a str },
    Join { node: &'a str, presence: Shared },
    Update { node: &'a str, old_ref: &'a str, presence: Shared },
    Leave { node: &'a str, phx_ref: &'a str },
    State { node: &'a str, presences: Vec<Shared> },
    Heartbeat { node: &'a str },
    Hello { node: &'a str },
}

/// Why a message from Redis was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("unknown message kind {0:?}")]
    Kind(String),
    #[error("a {0} message lacks its body")]
    Missing(&'static str),
    #[error("a {0} message has an invalid body: {1}")]
    Body(&'static str, String),
}

impl Envelope<'_> {
    /// The host that sent it.
    pub fn node(&self) -> &str {
        match self {
            Envelope::Broadcast { node, .. }
            | Envelope::Join { node, .. }
            | Envelope::Update { node, .. }
            | Envelope::Leave { node, .. }
            | Envelope::State { node, .. }
            | Envelope::Heartbeat { node }
            | Envelope::Hello { node } => node,
        }
    }

    pub fn encode(&self) -> String {
        match self {
            Envelope::Broadcast { node, topic, payload } => format!("b {node}\n{topic}\n{payload}"),
            Envelope::Join { node, presence } => format!("j {node}\n{}", json(presence)),
            Envelope::Update { node, old_ref, presence } => format!("u {node}\n{old_ref}\n{}", json(presence)),
            Envelope::Leave { node, phx_ref } => format!("l {node}\n{phx_ref}"),
            Envelope::State { node, presences } => format!("s {node}\n{}", json(presences)),
            Envelope::Heartbeat { node } => format!("h {node}"),
            Envelope::Hello { node } => format!("? {node}"),
        }
    }

    pub fn decode(text: &str) -> Result<Envelope<'_>, WireError> {
        let (head, body) = match text.split_once('\n') {
            Some((head, body)) => (head, Some(body)),
            None => (text, None),
        };
        let (kind, node) = head.split_once(' ').ok_or_else(|| WireError::Kind(head.chars().take(16).collect()))?;
        let body = |what: &'static str| body.ok_or(WireError::Missing(what));
        Ok(match kind {
            "b" => {
                let (topic, payload) = body("broadcast")?.split_once('\n').ok_or(WireError::Missing("broadcast"))?;
                Envelope::Broadcast { node, topic, payload }
            }
            "j" => Envelope::Join {
                node,
                presence: serde_json::from_str(body("join")?).map_err(|e| WireError::Body("join", e.to_string()))?,
            },
            "u" => {
                let (old_ref, presence) = body("update")?.split_once('\n').ok_or(WireError::Missing("update"))?;
                let presence = serde_json::from_str(presence).map_err(|e| WireError::Body("update", e.to_string()))?;
                Envelope::Update { node, old_ref, presence }
            }
            "l" => Envelope::Leave { node, phx_ref: body("leave")? },
            "s" => Envelope::State {
                node,
                presences: serde_json::from_str(body("state")?).map_err(|e| WireError::Body("state", e.to_string()))?,
            },
            "h" => Envelope::Heartbeat { node },
            "?" => Envelope::Hello { node },
            other => return Err(WireError::Kind(other.chars().take(16).collect())),
        })
    }
}

/// Presences always serialize (string keys, JSON values); `null` would be refused by the
/// receiver rather than misread.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

#[cfg(test)]
mod tests {
    use super::{Envelope, Shared, WireError};

    fn shared() -> Shared {
        Shared { topic: "room:1".into(), key: "ada".into(), phx_ref: "n1.2".into(), meta: serde_json::Map::new() }
    }

    #[test]
    fn every_kind_round_trips() {
        let all = [
            Envelope::Broadcast { node: "n1", topic: "room:1", payload: "{\"text\":\"a\\nb\"}" },
            Envelope::Join { node: "n1", presence: shared() },
            Envelope::Update { node: "n1", old_ref: "n1.1", presence: shared() },
            Envelope::Leave { node: "n1", phx_ref: "n1.2" },
            Envelope::State { node: "n1", presences: vec![shared(), shared()] },
            Envelope::State { node: "n1", presences: vec![] },
            Envelope::Heartbeat { node: "n1" },
            Envelope::Hello { node: "n1" },
        ];
        for envelope in all {
            let text = envelope.encode();
            assert_eq!(Envelope::decode(&text).as_ref(), Ok(&envelope), "{text}");
            assert_eq!(envelope.node(), "n1");
        }
    }

    #[test]
    fn a_payload_keeps_its_newlines() {
        let text = Envelope::Broadcast { node: "n", topic: "t", payload: "[\n1\n]" }.encode();
        assert_eq!(Envelope::decode(&text), Ok(Envelope::Broadcast { node: "n", topic: "t", payload: "[\n1\n]" }));
    }

    #[test]
    fn foreign_input_is_an_error() {
        for bad in [
            "",
            "b",
            "x n1",
            "b n1",
            "b n1\ntopic-without-payload",
            "j n1\n{",
            "s n1\n{}",
            "j n1",
            "u n1\nref",
            "u n1\nref\n[",
        ] {
            assert!(Envelope::decode(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Envelope::decode("z n\n"), Err(WireError::Kind("z".into())));
    }
}
