//! Client `event` payloads (protocol reference §5.1, §5.2), parsed into what the view gets.

use serde_json::{Map, Value};

use super::form;
use crate::protocol::EventPush;

/// One browser event, ready for the view.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: String,
    pub value: Value,
    /// The component id (`cid`) the event targets.
    pub cid: Option<u32>,
}

impl Event {
    /// Turns an `event` push into what the view gets. Form payloads are URL-decoded into
    /// nested objects, merged with `meta`, and `_target` becomes a key path, as Phoenix does.
    /// Any other value reaches the view unchanged (a hook's `pushEvent` may send a number or
    /// a list); only a missing value becomes `{}`.
    pub fn from_push(push: EventPush) -> Self {
        let value = if push.kind == "form" {
            form_value(&push.value, push.meta.as_ref())
        } else {
            match push.value {
                Value::Null => Value::Object(Map::new()),
                other => other,
            }
        };
        Event { name: push.event, value, cid: push.cid }
    }
}

fn form_value(raw: &Value, meta: Option<&Map<String, Value>>) -> Value {
    let mut params = match raw {
        Value::String(encoded) => match form::decode(encoded) {
            Value::Object(map) => map,
            _ => Map::new(),
        },
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    if let Some(meta) = meta {
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
    use serde_json::{Value, json};

    use super::Event;

    fn parse(payload: Value) -> Event {
        Event::from_push(serde_json::from_value(payload).expect("an event push"))
    }

    #[test]
    fn click_values_pass_through() {
        let event = parse(json!({"type": "click", "event": "inc", "value": {"step": "1", "value": ""}}));
        assert_eq!(event, Event { name: "inc".into(), value: json!({"step": "1", "value": ""}), cid: None });
        let targeted = parse(json!({"type": "click", "event": "del", "value": {}, "cid": 3}));
        assert_eq!(targeted.cid, Some(3));
    }

    #[test]
    fn hook_payloads_reach_the_view_unchanged() {
        assert_eq!(parse(json!({"type": "hook", "event": "h", "value": 5})).value, json!(5));
        assert_eq!(parse(json!({"type": "hook", "event": "h", "value": [1, "a"]})).value, json!([1, "a"]));
        assert_eq!(parse(json!({"type": "hook", "event": "h"})).value, json!({}));
    }

    #[test]
    fn form_payloads_are_decoded_and_merged_with_meta() {
        let event = parse(json!({"type": "form", "event": "validate",
            "value": "user%5Bname%5D=Jos%C3%A9+%26+co&user%5B_unused_email%5D=&user%5Bemail%5D=&user%5Bid%5D=7&user%5B_unused_tags%5D%5B%5D=&user%5Btags%5D%5B%5D=a",
            "meta": {"_target": "user[name]", "extra": "x"}, "uploads": {}}));
        assert_eq!(
            event.value,
            json!({"user": {"name": "José & co", "_unused_email": "", "email": "", "id": "7",
                            "_unused_tags": [""], "tags": ["a"]},
                   "_target": ["user", "name"], "extra": "x"})
        );
    }
}
