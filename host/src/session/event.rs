//! Client `event` payloads (protocol reference §5.1, §5.2), parsed into what the view gets.

use serde_json::{Map, Value};

use super::error::SessionError;
use super::form;

/// One browser event, ready for the view.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: String,
    pub value: Value,
    /// The component id (`cid`) the event targets.
    pub cid: Option<u64>,
}

impl Event {
    /// Parses an `event` payload. Form payloads are URL-decoded into nested objects, merged
    /// with `meta`, and `_target` becomes a key path, as Phoenix does.
    pub fn parse(mut payload: Value) -> Result<Self, SessionError> {
        let name = match payload.get_mut("event").map(Value::take) {
            Some(Value::String(name)) => name,
            _ => return Err(SessionError::BadPayload("event payload has no `event` name".into())),
        };
        let raw = payload.get_mut("value").map(Value::take).unwrap_or(Value::Null);
        let is_form = payload.get("type").and_then(Value::as_str) == Some("form");
        let value = if is_form {
            form_value(&raw, payload.get("meta"))
        } else {
            match raw {
                Value::Object(_) => raw,
                Value::Null => Value::Object(Map::new()),
                other => {
                    let mut map = Map::new();
                    map.insert("value".to_owned(), other);
                    Value::Object(map)
                }
            }
        };
        let cid = payload.get("cid").and_then(Value::as_u64);
        Ok(Event { name, value, cid })
    }
}

fn form_value(raw: &Value, meta: Option<&Value>) -> Value {
    let mut params = match raw {
        Value::String(encoded) => match form::decode(encoded) {
            Value::Object(map) => map,
            _ => Map::new(),
        },
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    if let Some(Value::Object(meta)) = meta {
        for (key, value) in meta {
            if key == "_target" {
                let path = value.as_str().map(target_path).unwrap_or_default();
                params.insert(key.clone(), Value::from(path));
            } else {
                params.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(params)
}

/// `user[name]` → `["user", "name"]`.
fn target_path(target: &str) -> Vec<String> {
    target.split(['[', ']']).filter(|segment| !segment.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Event;

    #[test]
    fn click_values_pass_through() {
        let event =
            Event::parse(json!({"type": "click", "event": "inc", "value": {"step": "1", "value": ""}})).expect("valid");
        assert_eq!(event, Event { name: "inc".into(), value: json!({"step": "1", "value": ""}), cid: None });
        let targeted = Event::parse(json!({"type": "click", "event": "del", "value": {}, "cid": 3})).expect("valid");
        assert_eq!(targeted.cid, Some(3));
    }

    #[test]
    fn form_payloads_are_decoded_and_merged_with_meta() {
        let event = Event::parse(json!({"type": "form", "event": "validate",
            "value": "user%5Bname%5D=Jos%C3%A9+%26+co&user%5B_unused_email%5D=&user%5Bemail%5D=&user%5Bid%5D=7&user%5B_unused_tags%5D%5B%5D=&user%5Btags%5D%5B%5D=a",
            "meta": {"_target": "user[name]", "extra": "x"}, "uploads": {}}))
        .expect("valid");
        assert_eq!(
            event.value,
            json!({"user": {"name": "José & co", "_unused_email": "", "email": "", "id": "7",
                            "_unused_tags": [""], "tags": ["a"]},
                   "_target": ["user", "name"], "extra": "x"})
        );
    }

    #[test]
    fn a_payload_without_a_name_is_rejected() {
        assert!(Event::parse(json!({"type": "click"})).is_err());
        assert!(Event::parse(json!({"type": "click", "event": 5})).is_err());
    }
}
