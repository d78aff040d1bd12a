//! V2 frames: `[join_ref, ref, topic, event, payload]` as JSON text, and the binary push
//! layout the client uses for upload chunks.

use serde_json::{Map, Value, json};

/// One channel message.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub join_ref: Option<String>,
    pub msg_ref: Option<String>,
    pub topic: String,
    pub event: String,
    pub payload: Payload,
}

/// A frame's payload: a JSON object from a text frame, raw bytes from a binary push.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Json(Value),
    Binary(Vec<u8>),
}

/// Why an incoming message is not a valid frame. The socket answers it by closing the
/// connection with a protocol error; it never panics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("frame is not valid JSON: {0}")]
    Json(String),
    #[error("frame must be a JSON array of 5 elements [join_ref, ref, topic, event, payload]")]
    Shape,
    #[error("frame field `{0}` has the wrong type")]
    Field(&'static str),
    #[error("binary frame is truncated")]
    Truncated,
    #[error("binary frame kind {0} is not a client push")]
    BinaryKind(u8),
    #[error("binary frame header is not UTF-8")]
    Utf8,
}

/// Status of a `phx_reply`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyStatus {
    Ok,
    Error,
}

/// A reply to a client push: `{"status": ..., "response": {...}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: ReplyStatus,
    pub response: Value,
}

impl Reply {
    /// `{"status": "ok", "response": {}}`.
    pub fn ok_empty() -> Self {
        Self::ok(Value::Object(Map::new()))
    }

    pub fn ok(response: Value) -> Self {
        Self { status: ReplyStatus::Ok, response }
    }

    pub fn error(response: Value) -> Self {
        Self { status: ReplyStatus::Error, response }
    }

    /// `{"status": "error", "response": {"reason": reason}}`.
    pub fn error_reason(reason: &str) -> Self {
        Self::error(json!({ "reason": reason }))
    }

    fn status(&self) -> &'static str {
        match self.status {
            ReplyStatus::Ok => "ok",
            ReplyStatus::Error => "error",
        }
    }

    fn into_payload(self) -> Value {
        json!({ "status": self.status(), "response": self.response })
    }
}

/// A reply's payload as it is written, borrowing the response.
#[derive(serde::Serialize)]
struct ReplyPayload<'a> {
    // In the order `serde_json::Map` keeps keys, so both encodings give the same text.
    response: &'a Value,
    status: &'static str,
}

impl Frame {
    /// Decodes a text websocket message.
    pub fn decode_text(text: &str) -> Result<Self, FrameError> {
        let value: Value = serde_json::from_str(text).map_err(|e| FrameError::Json(e.to_string()))?;
        let Value::Array(items) = value else {
            return Err(FrameError::Shape);
        };
        let [join_ref, msg_ref, topic, event, payload]: [Value; 5] = items.try_into().map_err(|_| FrameError::Shape)?;
        Ok(Frame {
            join_ref: optional_ref(join_ref, "join_ref")?,
            msg_ref: optional_ref(msg_ref, "ref")?,
            topic: string(topic, "topic")?,
            event: string(event, "event")?,
            payload: match payload {
                Value::Object(_) => Payload::Json(payload),
                _ => return Err(FrameError::Field("payload")),
            },
        })
    }

    /// Decodes a binary websocket message: kind 0 (push) is the only kind a client sends.
    ///
    /// Layout: `0 | len(join_ref) | len(ref) | len(topic) | len(event) | join_ref | ref |
    /// topic | event | payload bytes`.
    pub fn decode_binary(bytes: &[u8]) -> Result<Self, FrameError> {
        let [kind, lens @ ..] = bytes.get(..5).ok_or(FrameError::Truncated)? else {
            return Err(FrameError::Truncated);
        };
        if *kind != 0 {
            return Err(FrameError::BinaryKind(*kind));
        }
        let mut rest = &bytes[5..];
        let mut fields = lens.iter().map(|&len| {
            let len = usize::from(len);
            let field = rest.get(..len).ok_or(FrameError::Truncated)?;
            rest = &rest[len..];
            std::str::from_utf8(field).map(str::to_owned).map_err(|_| FrameError::Utf8)
        });
        let mut next = || fields.next().unwrap_or(Err(FrameError::Truncated));
        let (join_ref, msg_ref, topic, event) = (next()?, next()?, next()?, next()?);
        drop(fields);
        Ok(Frame {
            join_ref: Some(join_ref).filter(|s| !s.is_empty()),
            msg_ref: Some(msg_ref).filter(|s| !s.is_empty()),
            topic,
            event,
            payload: Payload::Binary(rest.to_vec()),
        })
    }

    /// Encodes a frame as a V2 JSON text message. Binary payloads are never sent by the
    /// server.
    pub fn encode(&self) -> String {
        let empty = Value::Object(Map::new());
        let payload = match &self.payload {
            Payload::Json(value) => value,
            Payload::Binary(_) => &empty,
        };
        // A tuple serializes as a JSON array; nothing is cloned.
        serde_json::to_string(&(&self.join_ref, &self.msg_ref, &self.topic, &self.event, payload)).unwrap_or_default()
    }

    /// Takes the JSON payload out of the frame (`null` for a binary frame), leaving `null`.
    pub fn take_json(&mut self) -> Value {
        match std::mem::replace(&mut self.payload, Payload::Json(Value::Null)) {
            Payload::Json(value) => value,
            Payload::Binary(_) => Value::Null,
        }
    }

    /// A `phx_reply` to this frame, echoing its refs and topic.
    pub fn reply(&self, reply: Reply) -> Frame {
        Frame {
            join_ref: self.join_ref.clone(),
            msg_ref: self.msg_ref.clone(),
            topic: self.topic.clone(),
            event: super::event::REPLY.to_owned(),
            payload: Payload::Json(reply.into_payload()),
        }
    }

    /// The encoded `phx_reply` to this frame: the same text as `self.reply(reply).encode()`,
    /// written straight from the borrowed parts (the event path's reply, once per event).
    pub fn encode_reply(&self, reply: &Reply) -> String {
        let payload = ReplyPayload { response: &reply.response, status: reply.status() };
        serde_json::to_string(&(&self.join_ref, &self.msg_ref, &self.topic, super::event::REPLY, payload))
            .unwrap_or_default()
    }

    /// A server push (no ref) on `topic` for the join `join_ref`.
    pub fn push(join_ref: Option<&str>, topic: &str, event: &str, payload: Value) -> Frame {
        Frame {
            join_ref: join_ref.map(str::to_owned),
            msg_ref: None,
            topic: topic.to_owned(),
            event: event.to_owned(),
            payload: Payload::Json(payload),
        }
    }

    /// The JSON payload, or `None` for a binary frame.
    pub fn json(&self) -> Option<&Value> {
        match &self.payload {
            Payload::Json(value) => Some(value),
            Payload::Binary(_) => None,
        }
    }
}

fn optional_ref(value: Value, field: &'static str) -> Result<Option<String>, FrameError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        // Refs are decimal strings, but accept numbers from clients that send them as such.
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(FrameError::Field(field)),
    }
}

fn string(value: Value, field: &'static str) -> Result<String, FrameError> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(FrameError::Field(field)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_roundtrip(text: &str) {
        let frame = Frame::decode_text(text).expect("valid frame");
        let reencoded = Frame::decode_text(&frame.encode()).expect("valid frame");
        assert_eq!(frame, reencoded);
    }

    #[test]
    fn decodes_a_join() {
        let frame =
            Frame::decode_text(r#"["4","4","lv:phx-G","phx_join",{"url":"http://x/counter","params":{"_mounts":0}}]"#)
                .expect("valid");
        assert_eq!(frame.join_ref.as_deref(), Some("4"));
        assert_eq!(frame.msg_ref.as_deref(), Some("4"));
        assert_eq!(frame.topic, "lv:phx-G");
        assert_eq!(frame.event, "phx_join");
        assert_eq!(frame.json().and_then(|p| p["url"].as_str()), Some("http://x/counter"));
        check_roundtrip(r#"[null,"23","phoenix","heartbeat",{}]"#);
    }

    #[test]
    fn heartbeat_reply_has_exact_wire_form() {
        let hb = Frame::decode_text(r#"[null,"23","phoenix","heartbeat",{}]"#).expect("valid");
        assert_eq!(
            hb.reply(Reply::ok_empty()).encode(),
            r#"[null,"23","phoenix","phx_reply",{"response":{},"status":"ok"}]"#
        );
    }

    #[test]
    fn reply_echoes_refs_and_topic() {
        let ev = Frame::decode_text(r#"["4","8","lv:a","event",{"type":"click","event":"inc"}]"#).expect("valid");
        let reply = ev.reply(Reply::ok(json!({"diff": {"0": "1"}})));
        assert_eq!(reply.encode(), r#"["4","8","lv:a","phx_reply",{"response":{"diff":{"0":"1"}},"status":"ok"}]"#);
        let err = ev.reply(Reply::error_reason("unmatched topic"));
        assert_eq!(
            err.encode(),
            r#"["4","8","lv:a","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#
        );
    }

    #[test]
    fn push_has_null_ref() {
        let push = Frame::push(Some("4"), "lv:a", "phx_error", json!({"reason": "channel_crash"}));
        assert_eq!(push.encode(), r#"["4",null,"lv:a","phx_error",{"reason":"channel_crash"}]"#);
    }

    #[test]
    fn rejects_malformed_text() {
        assert!(matches!(Frame::decode_text("nope"), Err(FrameError::Json(_))));
        assert_eq!(Frame::decode_text("{}"), Err(FrameError::Shape));
        assert_eq!(Frame::decode_text(r#"[null,"1","phoenix","heartbeat"]"#), Err(FrameError::Shape));
        assert_eq!(Frame::decode_text(r#"[null,"1","phoenix","heartbeat",{},6]"#), Err(FrameError::Shape));
        assert_eq!(Frame::decode_text(r#"[null,"1",7,"heartbeat",{}]"#), Err(FrameError::Field("topic")));
        assert_eq!(Frame::decode_text(r#"[null,"1","phoenix","heartbeat",[]]"#), Err(FrameError::Field("payload")));
        assert_eq!(Frame::decode_text(r#"[{},"1","phoenix","heartbeat",{}]"#), Err(FrameError::Field("join_ref")));
    }

    #[test]
    fn decodes_the_binary_upload_chunk_from_the_reference() {
        let mut bytes = vec![0, 2, 2, 5, 5];
        bytes.extend_from_slice(b"1213lvu:0chunk");
        bytes.extend_from_slice(&[0xff, 0x00, 0x42]);
        let frame = Frame::decode_binary(&bytes).expect("valid");
        assert_eq!(frame.join_ref.as_deref(), Some("12"));
        assert_eq!(frame.msg_ref.as_deref(), Some("13"));
        assert_eq!(frame.topic, "lvu:0");
        assert_eq!(frame.event, "chunk");
        assert_eq!(frame.payload, Payload::Binary(vec![0xff, 0x00, 0x42]));
    }

    #[test]
    fn rejects_malformed_binary() {
        assert_eq!(Frame::decode_binary(&[0, 2]), Err(FrameError::Truncated));
        assert_eq!(Frame::decode_binary(&[1, 0, 0, 0, 0]), Err(FrameError::BinaryKind(1)));
        assert_eq!(Frame::decode_binary(&[0, 9, 0, 0, 0, b'a']), Err(FrameError::Truncated));
        assert_eq!(Frame::decode_binary(&[0, 1, 0, 0, 0, 0xff]), Err(FrameError::Utf8));
    }

    #[test]
    fn an_encoded_reply_is_the_reply_frame_encoded() {
        let frame = Frame::decode_text(r#"["4","5","lv:phx-1","event",{"a":1}]"#).expect("frame");
        for reply in [Reply::ok(json!({"diff": {"0": "1"}})), Reply::error_reason("nope"), Reply::ok_empty()] {
            assert_eq!(frame.encode_reply(&reply), frame.reply(reply.clone()).encode());
        }
    }
}
