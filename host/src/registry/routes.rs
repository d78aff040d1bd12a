//! Route patterns (`/tracker/:id/edit`) and the table that maps a path to its view.
//!
//! Pure: no I/O. Each view declares its patterns; a pattern's segments are literals or
//! `:name` parameters. Among the patterns that match a path, the one with a literal earliest
//! wins (`/items/new` before `/items/:id`), so the order plugins load in never matters. Two
//! patterns of the same shape (the same literals at the same places, parameters elsewhere)
//! would be ambiguous and the second one is refused.

use std::cmp::Ordering;

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

/// Longest accepted pattern, and most segments.
const MAX_PATTERN: usize = 512;
const MAX_SEGMENTS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// One parsed route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    segments: Vec<Segment>,
}

/// Why a pattern cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("route {pattern:?} is invalid: {reason}")]
    Invalid { pattern: String, reason: &'static str },
    #[error("route {pattern:?} conflicts with {existing:?} of view {view:?}")]
    Conflict { pattern: String, existing: String, view: String },
}

impl Pattern {
    pub fn parse(source: &str) -> Result<Self, RouteError> {
        let invalid = |reason| RouteError::Invalid { pattern: source.to_owned(), reason };
        if source.len() > MAX_PATTERN {
            return Err(invalid("longer than 512 bytes"));
        }
        let rest = source.strip_prefix('/').ok_or_else(|| invalid("must start with \"/\""))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let mut segments = Vec::new();
        if !rest.is_empty() {
            for part in rest.split('/') {
                let segment = match part.strip_prefix(':') {
                    Some(name) if is_name(name) => Segment::Param(name.to_owned()),
                    Some(_) => return Err(invalid("a parameter is \":\" and a name of letters, digits and _")),
                    None if part.is_empty() => return Err(invalid("has an empty segment")),
                    None if part.chars().all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c)) => {
                        Segment::Literal(part.to_owned())
                    }
                    None => return Err(invalid("a literal segment has only letters, digits and -_.~")),
                };
                if let Segment::Param(name) = &segment
                    && segments.iter().any(|s| matches!(s, Segment::Param(other) if other == name))
                {
                    return Err(invalid("names a parameter twice"));
                }
                segments.push(segment);
            }
        }
        if segments.len() > MAX_SEGMENTS {
            return Err(invalid("has more than 16 segments"));
        }
        Ok(Self { source: source.to_owned(), segments })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern has no parameters (so it is a page one can link to as is).
    pub fn is_static(&self) -> bool {
        self.segments.iter().all(|s| matches!(s, Segment::Literal(_)))
    }

    /// The path parameters, when `segments` match.
    fn matches(&self, segments: &[&str]) -> Option<Map<String, Value>> {
        if segments.len() != self.segments.len() {
            return None;
        }
        let mut params = Map::new();
        for (pattern, actual) in self.segments.iter().zip(segments) {
            match pattern {
                Segment::Literal(literal) if literal == actual => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) => {
                    params.insert(name.clone(), Value::from(*actual));
                }
            }
        }
        Some(params)
    }

    fn same_shape(&self, other: &Pattern) -> bool {
        self.segments.len() == other.segments.len()
            && self.segments.iter().zip(&other.segments).all(|pair| match pair {
                (Segment::Literal(a), Segment::Literal(b)) => a == b,
                (Segment::Param(_), Segment::Param(_)) => true,
                _ => false,
            })
    }

    /// Literals before parameters, position by position.
    fn specificity(&self, other: &Pattern) -> Ordering {
        for pair in self.segments.iter().zip(&other.segments) {
            match pair {
                (Segment::Literal(_), Segment::Param(_)) => return Ordering::Greater,
                (Segment::Param(_), Segment::Literal(_)) => return Ordering::Less,
                _ => {}
            }
        }
        Ordering::Equal
    }
}

fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A path matched to its view.
#[derive(Debug, Clone, PartialEq)]
pub struct Routed<'a> {
    pub view: &'a str,
    pub pattern: &'a str,
    /// The path parameters, decoded.
    pub params: Map<String, Value>,
}

/// Every view's patterns.
#[derive(Debug, Default, Clone)]
pub struct RouteTable {
    routes: Vec<(Pattern, String)>,
}

impl RouteTable {
    /// Adds `view`'s patterns, replacing any it had. Nothing changes when one of them is
    /// invalid or conflicts with another view's.
    pub fn insert(&mut self, view: &str, patterns: &[String]) -> Result<(), RouteError> {
        let mut parsed: Vec<Pattern> = Vec::with_capacity(patterns.len());
        for source in patterns {
            let pattern = Pattern::parse(source)?;
            let clash = parsed
                .iter()
                .map(|p| (p, view))
                .chain(self.routes.iter().filter(|(_, v)| v != view).map(|(p, v)| (p, v.as_str())))
                .find(|(existing, _)| existing.same_shape(&pattern));
            if let Some((existing, owner)) = clash {
                return Err(RouteError::Conflict {
                    pattern: source.clone(),
                    existing: existing.source.clone(),
                    view: owner.to_owned(),
                });
            }
            parsed.push(pattern);
        }
        self.remove(view);
        self.routes.extend(parsed.into_iter().map(|p| (p, view.to_owned())));
        Ok(())
    }

    /// Removes every pattern of `view`.
    pub fn remove(&mut self, view: &str) {
        self.routes.retain(|(_, v)| v != view);
    }

    /// The view a path (or an absolute URL: its path is used) routes to.
    pub fn route(&self, url: &str) -> Option<Routed<'_>> {
        let path = path_of(url);
        path.strip_prefix('/')?;
        // Empty segments are dropped, as Plug does (`/items//1` is `/items/1`); a path longer
        // than any pattern matches none.
        let mut segments: Vec<std::borrow::Cow<'_, str>> = Vec::new();
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            if segments.len() == MAX_SEGMENTS {
                return None;
            }
            segments.push(percent_decode_str(segment).decode_utf8().ok()?);
        }
        let segments: Vec<&str> = segments.iter().map(|s| s.as_ref()).collect();
        let mut best: Option<(&Pattern, &str, Map<String, Value>)> = None;
        for (pattern, view) in &self.routes {
            let Some(params) = pattern.matches(&segments) else { continue };
            if best.as_ref().is_none_or(|(current, _, _)| pattern.specificity(current) == Ordering::Greater) {
                best = Some((pattern, view, params));
            }
        }
        best.map(|(pattern, view, params)| Routed { view, pattern: pattern.as_str(), params })
    }

    /// The first pattern of `view` without parameters, for links.
    pub fn link(&self, view: &str) -> Option<&str> {
        self.routes.iter().find(|(p, v)| v == view && p.is_static()).map(|(p, _)| p.as_str())
    }
}

/// The path of an absolute URL or of a path, without query or fragment. A `://` inside the
/// query (`/items?next=https://x/a`) is not a scheme.
pub fn path_of(url: &str) -> &str {
    let rest = match url.split_once("://") {
        Some((scheme, after)) if !url.starts_with('/') && !scheme.contains(['/', '?', '#']) => {
            let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
            &after[authority_end..]
        }
        _ => url,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    match &rest[..end] {
        "" => "/",
        path => path,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn table(entries: &[(&str, &[&str])]) -> RouteTable {
        let mut table = RouteTable::default();
        for (view, patterns) in entries {
            let patterns: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
            table.insert(view, &patterns).expect("valid routes");
        }
        table
    }

    fn routed(table: &RouteTable, url: &str) -> Option<(String, Value)> {
        table.route(url).map(|r| (r.view.to_owned(), Value::Object(r.params)))
    }

    #[test]
    fn routes_paths_with_parameters() {
        let t = table(&[
            ("list", &["/tracker"]),
            ("show", &["/tracker/:id"]),
            ("edit", &["/tracker/:id/edit"]),
            ("new", &["/tracker/new"]),
            ("counter", &["/counter"]),
        ]);
        assert_eq!(routed(&t, "http://h:4000/tracker?x=1"), Some(("list".into(), json!({}))));
        assert_eq!(routed(&t, "/tracker/42"), Some(("show".into(), json!({"id": "42"}))));
        assert_eq!(routed(&t, "/tracker/a%20b/edit/"), Some(("edit".into(), json!({"id": "a b"}))));
        // A literal beats a parameter at the same place, whatever the order of loading.
        assert_eq!(routed(&t, "/tracker/new"), Some(("new".into(), json!({}))));
        assert_eq!(routed(&t, "/tracker/1/2"), None);
        // Segments are compared decoded, empty ones dropped; a `://` in the query is no scheme.
        assert_eq!(routed(&t, "/tracker/%6Eew"), Some(("new".into(), json!({}))));
        assert_eq!(routed(&t, "/tracker//7"), Some(("show".into(), json!({"id": "7"}))));
        assert_eq!(routed(&t, "/tracker?next=https://x.test/counter"), Some(("list".into(), json!({}))));
        assert_eq!(routed(&t, "http://h?x=/counter"), None);
        assert_eq!(routed(&t, &"/a".repeat(40)), None);
        assert_eq!(routed(&t, "/"), None);
        assert_eq!(routed(&t, "http://h"), None);
        assert_eq!(t.link("show"), None);
        assert_eq!(t.link("list"), Some("/tracker"));
    }

    #[test]
    fn conflicting_and_invalid_patterns_are_refused() {
        let mut t = table(&[("show", &["/items/:id"])]);
        let err = t.insert("other", &["/items/:slug".to_owned()]).expect_err("same shape");
        assert_eq!(err.to_string(), r#"route "/items/:slug" conflicts with "/items/:id" of view "show""#);
        assert!(t.insert("other", &["/a".to_owned(), "/a/".to_owned()]).is_err());
        for bad in ["items", "/a//b", "/:", "/:a/:a", "/a b", "/:a-b"] {
            assert!(matches!(Pattern::parse(bad), Err(RouteError::Invalid { .. })), "{bad}");
        }
        // A refused insert leaves the table as it was; a view may replace its own routes.
        assert_eq!(routed(&t, "/items/1"), Some(("show".into(), json!({"id": "1"}))));
        t.insert("show", &["/things/:id".to_owned()]).expect("own routes replaced");
        assert_eq!(routed(&t, "/items/1"), None);
        assert!(Pattern::parse("/").expect("root").is_static());
        assert_eq!(routed(&table(&[("home", &["/"])]), "http://h/"), Some(("home".into(), json!({}))));
    }
}
