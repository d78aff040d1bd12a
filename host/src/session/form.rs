//! Decoding URL-encoded form payloads and query strings into nested JSON, the way Plug does:
//! `user[name]=a&user[tags][]=x` → `{"user": {"name": "a", "tags": ["x"]}}`.
//!
//! Pure. Malformed keys degrade to flat keys; nothing here fails.

use serde_json::{Map, Value};

/// Nesting deeper than this is kept as a flat key, so a hostile payload cannot build a deep
/// structure.
const MAX_DEPTH: usize = 32;

/// Decodes an `application/x-www-form-urlencoded` string.
pub fn decode(encoded: &str) -> Value {
    let mut root = Map::new();
    for (key, value) in form_urlencoded::parse(encoded.as_bytes()) {
        insert(&mut root, &key, Value::String(value.into_owned()));
    }
    Value::Object(root)
}

/// Inserts one decoded pair into `root`, following its bracketed path.
pub fn insert(root: &mut Map<String, Value>, key: &str, value: Value) {
    let path = split_key(key);
    if path.is_empty() {
        return;
    }
    insert_path(root, &path, value);
}

/// `a[b][]` → `["a", "b", ""]`. A key that does not follow the bracket grammar is one segment.
fn split_key(key: &str) -> Vec<&str> {
    let Some(open) = key.find('[') else {
        return vec![key];
    };
    if open == 0 {
        return vec![key];
    }
    let mut segments = vec![&key[..open]];
    let mut rest = &key[open..];
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return vec![key];
        };
        segments.push(&inner[..close]);
        rest = &inner[close + 1..];
        if segments.len() > MAX_DEPTH {
            return vec![key];
        }
    }
    if !rest.is_empty() {
        return vec![key];
    }
    segments
}

fn insert_path(map: &mut Map<String, Value>, path: &[&str], value: Value) {
    let (head, tail) = match path {
        [] => return,
        [head, tail @ ..] => (*head, tail),
    };
    match tail {
        [] => {
            map.insert(head.to_owned(), value);
        }
        [""] => {
            // `tags[]=a`: append to a list.
            let slot = map.entry(head.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            if let Value::Array(items) = slot {
                items.push(value);
            }
        }
        ["", rest @ ..] => {
            // `items[][name]=a`: a list of maps; a key already set in the last map starts a
            // new one (Plug's rule).
            let slot = map.entry(head.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            if let Value::Array(items) = slot {
                let start_new = match items.last() {
                    Some(Value::Object(last)) => rest.first().is_some_and(|k| last.contains_key(*k)),
                    _ => true,
                };
                if start_new {
                    items.push(Value::Object(Map::new()));
                }
                if let Some(Value::Object(last)) = items.last_mut() {
                    insert_path(last, rest, value);
                }
            }
        }
        _ => {
            let slot = map.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(inner) = slot {
                insert_path(inner, tail, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::decode;

    #[test]
    fn decodes_the_reference_form_payload() {
        let value = decode(
            "user%5Bname%5D=Jos%C3%A9+%26+co&user%5B_unused_email%5D=&user%5Bemail%5D=&user%5Bid%5D=7&user%5B_unused_tags%5D%5B%5D=&user%5Btags%5D%5B%5D=a",
        );
        assert_eq!(
            value,
            json!({"user": {"name": "José & co", "_unused_email": "", "email": "", "id": "7",
                            "_unused_tags": [""], "tags": ["a"]}})
        );
    }

    #[test]
    fn decodes_flat_lists_and_lists_of_maps() {
        assert_eq!(decode("a=1&b=2&a=3"), json!({"a": "3", "b": "2"}));
        assert_eq!(decode("t[]=x&t[]=y"), json!({"t": ["x", "y"]}));
        assert_eq!(decode("i[][n]=a&i[][v]=1&i[][n]=b"), json!({"i": [{"n": "a", "v": "1"}, {"n": "b"}]}));
    }

    #[test]
    fn malformed_keys_stay_flat() {
        assert_eq!(decode("a[b=1&[x]=2&c]d=3"), json!({"a[b": "1", "[x]": "2", "c]d": "3"}));
        assert_eq!(decode("a[b]c=1"), json!({"a[b]c": "1"}));
        assert_eq!(decode("a=1&a[b]=2"), json!({"a": {"b": "2"}}));
        assert_eq!(decode(""), json!({}));
        let deep = format!("k{}=v", "[x]".repeat(100));
        assert_eq!(decode(&deep), json!({ deep.trim_end_matches("=v"): "v" }));
    }
}
