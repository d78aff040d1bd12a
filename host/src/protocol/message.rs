//! The client's messages, decoded once from a [`Frame`] into types.
//!
//! Every push the stock client sends (protocol reference §2–§6) has a variant here; the socket
//! matches on [`ClientMessage`] and never looks into a JSON payload itself. A payload that
//! does not have the shape its event requires is a [`PayloadError`], answered with an error
//! reply on that topic (the connection goes on).

use serde::Deserialize;
use serde_json::{Map, Value};

use super::frame::{Frame, Payload};
use super::topic::Topic;

/// Where a `phx_join` comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinUrl {
    /// A router-mounted view joining (or rejoining) at this absolute URL (`url`).
    Mounted(String),
    /// A live navigation to this absolute URL (`redirect`).
    Navigated(String),
    /// Neither: a child or sticky view, which this host does not serve.
    None,
}

impl JoinUrl {
    /// The URL, if the join has one.
    pub fn url(&self) -> Option<&str> {
        match self {
            JoinUrl::Mounted(url) | JoinUrl::Navigated(url) => Some(url),
            JoinUrl::None => None,
        }
    }
}

/// A `phx_join` payload on an `lv:` topic (reference §3.1).
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub url: JoinUrl,
    /// The connect params (`params`): `_csrf_token`, `_mounts`, the user's own. An object.
    pub params: Value,
    /// `data-phx-session`.
    pub session: Option<String>,
    /// `data-phx-static`, or `None` when the container had none.
    pub static_token: Option<String>,
    /// A flash token carried by a live navigation.
    pub flash: Option<String>,
}

impl Join {
    /// `_mounts`: how many times this container joined successfully before.
    pub fn mounts(&self) -> u64 {
        self.params.get("_mounts").and_then(Value::as_u64).unwrap_or(0)
    }
}

/// An `event` payload (reference §5.1, §5.2), not yet decoded into the view's value.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EventPush {
    /// `click`, `keydown`, `form`, `hook`, ...
    #[serde(rename = "type", default)]
    pub kind: String,
    pub event: String,
    /// An object for most types, a URL-encoded string for `form`, anything for `hook`.
    #[serde(default)]
    pub value: Value,
    /// The targeted component; the client drops non-numeric targets, so anything else is
    /// ignored here too.
    #[serde(default, deserialize_with = "lenient_cid")]
    pub cid: Option<u32>,
    /// Form events only: `phx-value-*` of the form and `_target`.
    #[serde(default)]
    pub meta: Option<Map<String, Value>>,
    /// phx-change events of forms with file inputs.
    #[serde(default)]
    pub uploads: Option<Value>,
}

/// One message from the client, by what it asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    /// `phoenix` / `heartbeat` (and any other `phoenix` event, answered the same way).
    Heartbeat,
    /// `phx_join` on `lv:<id>`.
    Join { id: String, join: Box<Join> },
    /// `phx_leave` on `lv:<id>`.
    Leave,
    /// `event` on `lv:<id>`.
    Event(Box<EventPush>),
    /// `live_patch` on `lv:<id>`: the URL changed within the view.
    LivePatch { url: String },
    /// `cids_will_destroy`.
    CidsWillDestroy(Vec<u32>),
    /// `cids_destroyed`.
    CidsDestroyed(Vec<u32>),
    /// `allow_upload` (upload preflight), not yet served.
    AllowUpload(Value),
    /// `progress` of an upload entry, not yet served.
    Progress(Value),
    /// Any message on an `lvu:<ref>` upload topic (join, chunk, leave), not yet served.
    Upload { event: String },
    /// An event this host does not know, on a known kind of topic.
    Unknown { event: String },
    /// A topic that is neither `phoenix`, `lv:` nor `lvu:`.
    UnknownTopic,
}

/// Why a payload does not fit its event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad `{event}` payload: {reason}")]
pub struct PayloadError {
    pub event: &'static str,
    pub reason: String,
}

impl ClientMessage {
    /// Decodes the message `frame` carries. The frame keeps its refs and topic (for the
    /// reply); its payload is moved out.
    pub fn decode(frame: &mut Frame) -> Result<Self, PayloadError> {
        let payload = match std::mem::replace(&mut frame.payload, Payload::Json(Value::Null)) {
            Payload::Json(value) => value,
            Payload::Binary(_) => Value::Null,
        };
        use super::event as e;
        let message = match (Topic::parse(&frame.topic), frame.event.as_str()) {
            (Topic::Phoenix, _) => ClientMessage::Heartbeat,
            (Topic::LiveView(id), e::JOIN) => {
                ClientMessage::Join { id: id.to_owned(), join: Box::new(decode_join(payload)?) }
            }
            (Topic::LiveView(_), e::LEAVE) => ClientMessage::Leave,
            (Topic::LiveView(_), e::EVENT) => {
                ClientMessage::Event(Box::new(serde_json::from_value(payload).map_err(|error| bad(e::EVENT, error))?))
            }
            (Topic::LiveView(_), e::LIVE_PATCH) => {
                #[derive(Deserialize)]
                struct Patch {
                    url: String,
                }
                let patch: Patch = serde_json::from_value(payload).map_err(|error| bad(e::LIVE_PATCH, error))?;
                ClientMessage::LivePatch { url: patch.url }
            }
            (Topic::LiveView(_), e::CIDS_WILL_DESTROY) => {
                ClientMessage::CidsWillDestroy(cids(e::CIDS_WILL_DESTROY, &payload)?)
            }
            (Topic::LiveView(_), e::CIDS_DESTROYED) => ClientMessage::CidsDestroyed(cids(e::CIDS_DESTROYED, &payload)?),
            (Topic::LiveView(_), e::ALLOW_UPLOAD) => ClientMessage::AllowUpload(payload),
            (Topic::LiveView(_), e::PROGRESS) => ClientMessage::Progress(payload),
            (Topic::LiveView(_), event) => ClientMessage::Unknown { event: event.to_owned() },
            (Topic::Upload(_), event) => ClientMessage::Upload { event: event.to_owned() },
            (Topic::Other(_), _) => ClientMessage::UnknownTopic,
        };
        Ok(message)
    }
}

fn bad(event: &'static str, error: impl std::fmt::Display) -> PayloadError {
    PayloadError { event, reason: error.to_string() }
}

fn decode_join(payload: Value) -> Result<Join, PayloadError> {
    #[derive(Deserialize)]
    struct Raw {
        #[serde(default)]
        url: Option<String>,
        #[serde(default)]
        redirect: Option<String>,
        #[serde(default)]
        params: Option<Value>,
        #[serde(default)]
        session: Option<String>,
        #[serde(default, rename = "static")]
        static_token: Option<String>,
        #[serde(default)]
        flash: Option<String>,
    }
    let raw: Raw = serde_json::from_value(payload).map_err(|error| bad(super::event::JOIN, error))?;
    // A live navigation sends `redirect` and no `url`; prefer it when both are present, as
    // Phoenix does.
    let url = match (raw.redirect, raw.url) {
        (Some(redirect), _) => JoinUrl::Navigated(redirect),
        (None, Some(url)) => JoinUrl::Mounted(url),
        (None, None) => JoinUrl::None,
    };
    let params = match raw.params {
        Some(params @ Value::Object(_)) => params,
        _ => Value::Object(Map::new()),
    };
    Ok(Join { url, params, session: raw.session, static_token: raw.static_token, flash: raw.flash })
}

/// The `cids` list of a destroy-handshake payload.
fn cids(event: &'static str, payload: &Value) -> Result<Vec<u32>, PayloadError> {
    let list = payload
        .get("cids")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(event, "`cids` must be a list of component ids"))?;
    Ok(list.iter().filter_map(Value::as_u64).filter_map(|c| u32::try_from(c).ok()).collect())
}

fn lenient_cid<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::Number(n) => n.as_u64().and_then(|c| u32::try_from(c).ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn decode(text: &str) -> Result<ClientMessage, PayloadError> {
        let mut frame = Frame::decode_text(text).expect("valid frame");
        ClientMessage::decode(&mut frame)
    }

    #[test]
    fn decodes_every_join_form() {
        let ClientMessage::Join { id, join } = decode(
            r#"["4","4","lv:phx-G","phx_join",{"url":"http://x/counter","params":{"_mounts":2},"session":"S","static":null}]"#,
        )
        .expect("join") else {
            panic!("not a join")
        };
        assert_eq!(id, "phx-G");
        assert_eq!(join.url, JoinUrl::Mounted("http://x/counter".into()));
        assert_eq!((join.session.as_deref(), join.static_token.as_deref(), join.mounts()), (Some("S"), None, 2));
        let ClientMessage::Join { join, .. } = decode(
            r#"["5","5","lv:phx-G","phx_join",{"redirect":"http://x/b","params":[],"session":"S","static":"T","flash":"F"}]"#,
        )
        .expect("join") else {
            panic!("not a join")
        };
        assert_eq!(join.url, JoinUrl::Navigated("http://x/b".into()));
        assert_eq!(join.params, json!({}));
        assert_eq!(join.flash.as_deref(), Some("F"));
        assert!(decode(r#"["5","5","lv:a","phx_join",{"session":7}]"#).is_err());
    }

    #[test]
    fn decodes_events_with_lenient_cids() {
        let ClientMessage::Event(event) =
            decode(r#"["4","8","lv:a","event",{"type":"hook","event":"h","value":[1,2],"cid":"3"}]"#).expect("event")
        else {
            panic!("not an event")
        };
        assert_eq!(
            (event.kind.as_str(), event.event.as_str(), &event.value, event.cid),
            ("hook", "h", &json!([1, 2]), Some(3))
        );
        let ClientMessage::Event(event) =
            decode(r##"["4","8","lv:a","event",{"type":"click","event":"x","cid":"#css"}]"##).expect("event")
        else {
            panic!("not an event")
        };
        assert_eq!((event.cid, &event.value), (None, &Value::Null));
        assert!(decode(r#"["4","8","lv:a","event",{"type":"click"}]"#).is_err());
    }

    #[test]
    fn decodes_the_rest() {
        assert_eq!(decode(r#"[null,"1","phoenix","heartbeat",{}]"#), Ok(ClientMessage::Heartbeat));
        assert_eq!(decode(r#"["1","2","lv:a","phx_leave",{}]"#), Ok(ClientMessage::Leave));
        assert_eq!(
            decode(r#"["1","2","lv:a","live_patch",{"url":"http://x/a?p=1"}]"#),
            Ok(ClientMessage::LivePatch { url: "http://x/a?p=1".into() })
        );
        assert_eq!(
            decode(r#"["1","2","lv:a","cids_destroyed",{"cids":[1,"x",2]}]"#),
            Ok(ClientMessage::CidsDestroyed(vec![1, 2]))
        );
        assert!(decode(r#"["1","2","lv:a","cids_will_destroy",{}]"#).is_err());
        assert_eq!(decode(r#"["1","2","lv:a","nope",{}]"#), Ok(ClientMessage::Unknown { event: "nope".into() }));
        assert_eq!(
            decode(r#"["1","2","lvu:0","phx_join",{}]"#),
            Ok(ClientMessage::Upload { event: "phx_join".into() })
        );
        assert_eq!(decode(r#"["1","2","room:1","phx_join",{}]"#), Ok(ClientMessage::UnknownTopic));
        assert!(matches!(decode(r#"["1","2","lv:a","allow_upload",{"ref":"r"}]"#), Ok(ClientMessage::AllowUpload(_))));
    }
}
