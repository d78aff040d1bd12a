//! What the server sends to move the browser: `live_patch`, `live_redirect` and `redirect`
//! (reference §5.3, §5.5, §7), as pushes, inside replies, or as join errors.

use serde::Serialize;

/// How the browser's history records the new URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Push,
    Replace,
}

impl Kind {
    pub fn from_replace(replace: bool) -> Self {
        if replace { Kind::Replace } else { Kind::Push }
    }
}

/// `{"to": "/items?page=2", "kind": "push"}`: the URL changed within the view. Never carries
/// flash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LivePatch {
    pub to: String,
    pub kind: Kind,
}

/// `{"to": "/other", "kind": "push", "flash": "<token>"}`: mount another view over the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveRedirect {
    pub to: String,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flash: Option<String>,
}

/// `{"to": "/login", "status": 302, "flash": "<token>"}`: a full page load. The client ignores
/// `status`; Phoenix sends it except for an external redirect at join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flash: Option<String>,
}

/// The HTTP status of a redirect, as Phoenix sends it.
pub const REDIRECT_STATUS: u16 = 302;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_phoenix() {
        let patch = LivePatch { to: "/a?x=1".into(), kind: Kind::Replace };
        assert_eq!(serde_json::to_string(&patch).ok().as_deref(), Some(r#"{"to":"/a?x=1","kind":"replace"}"#));
        let nav = LiveRedirect { to: "/b".into(), kind: Kind::Push, flash: None };
        assert_eq!(serde_json::to_string(&nav).ok().as_deref(), Some(r#"{"to":"/b","kind":"push"}"#));
        let redirect = Redirect { to: "/c".into(), status: Some(REDIRECT_STATUS), flash: Some("t".into()) };
        assert_eq!(serde_json::to_string(&redirect).ok().as_deref(), Some(r#"{"to":"/c","status":302,"flash":"t"}"#));
    }
}
