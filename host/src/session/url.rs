//! What the session needs from URLs: their query parameters. (Which view a path routes to
//! is the registry's business: `registry::RouteTable`.)

use serde_json::Value;

use super::form;

/// The query parameters of a URL, decoded like a form.
pub fn query_params(url: &str) -> Value {
    let without_fragment = url.split('#').next().unwrap_or("");
    match without_fragment.split_once('?') {
        Some((_, query)) => form::decode(query),
        None => Value::Object(serde_json::Map::new()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::query_params;

    #[test]
    fn decodes_query_params() {
        assert_eq!(query_params("http://h/c?page=2&f[x]=1#top"), json!({"page": "2", "f": {"x": "1"}}));
        assert_eq!(query_params("http://h/c"), json!({}));
    }
}
