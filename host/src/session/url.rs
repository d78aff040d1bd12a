//! What the session needs from URLs: the view a path names and its query parameters.

use serde_json::Value;

use super::form;

/// The view a URL or path routes to: its first path segment (`/counter?x=1` → `counter`).
/// `None` for the root or a path with more segments.
pub fn view_name(url: &str) -> Option<&str> {
    let path = path_of(url);
    let name = path.strip_prefix('/')?.trim_end_matches('/');
    (!name.is_empty() && !name.contains('/')).then_some(name)
}

/// The query parameters of a URL, decoded like a form.
pub fn query_params(url: &str) -> Value {
    let without_fragment = url.split('#').next().unwrap_or("");
    match without_fragment.split_once('?') {
        Some((_, query)) => form::decode(query),
        None => Value::Object(serde_json::Map::new()),
    }
}

/// The path of an absolute or relative URL, without query or fragment.
fn path_of(url: &str) -> &str {
    let rest = match url.split_once("://") {
        Some((_, after_scheme)) => after_scheme.find('/').map_or("/", |i| &after_scheme[i..]),
        None => url,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{query_params, view_name};

    #[test]
    fn names_the_view_of_a_url() {
        assert_eq!(view_name("http://127.0.0.1:4000/counter?x=1"), Some("counter"));
        assert_eq!(view_name("/counter/"), Some("counter"));
        assert_eq!(view_name("http://h/"), None);
        assert_eq!(view_name("http://h"), None);
        assert_eq!(view_name("/a/b"), None);
    }

    #[test]
    fn decodes_query_params() {
        assert_eq!(query_params("http://h/c?page=2&f[x]=1#top"), json!({"page": "2", "f": {"x": "1"}}));
        assert_eq!(query_params("http://h/c"), json!({}));
    }
}
