//! The `navigation` capability: patch, navigate and redirect requests, checked and kept for
//! the current reply.

use super::bindings::liveplug::view::navigation::{History, Host, Location};
use super::store::StoreState;
use super::view::Navigation;

/// Longest accepted target; a URL longer than this is a fault.
const MAX_URL: usize = 8 * 1024;

impl Host for StoreState {
    fn push_patch(&mut self, to: String, history: History) {
        self.navigate(local_path("push_patch", &to).map(|()| Navigation::Patch { to, replace: replace(history) }));
    }

    fn push_navigate(&mut self, to: String, history: History) {
        self.navigate(
            local_path("push_navigate", &to).map(|()| Navigation::Navigate { to, replace: replace(history) }),
        );
    }

    fn redirect(&mut self, to: Location) {
        let checked = match to {
            Location::Path(to) => local_path("redirect", &to).map(|()| Navigation::Redirect { to }),
            Location::External(to) => external_url(&to).map(|()| Navigation::Redirect { to }),
        };
        self.navigate(checked);
    }
}

impl StoreState {
    fn navigate(&mut self, checked: Result<Navigation, String>) {
        match checked {
            Ok(navigation) => self.effects.navigation = Some(navigation),
            Err(fault) => {
                self.effects.fault.get_or_insert(fault);
            }
        }
    }
}

fn replace(history: History) -> bool {
    matches!(history, History::Replace)
}

/// A path on this host: `/` then no second `/`, no backslash anywhere (browsers read `\\` as
/// `/` in http URLs, so `/\\evil.test` is another host), no control characters.
pub fn local_path(what: &str, to: &str) -> Result<(), String> {
    let valid = to.len() <= MAX_URL
        && to.starts_with('/')
        && !to.starts_with("//")
        && !to.contains('\\')
        && !to.chars().any(char::is_control);
    if valid { Ok(()) } else { Err(format!("{what} expects a path starting with \"/\" on this host, got {to:?}")) }
}

/// An absolute `http:`/`https:` URL with a host.
fn external_url(to: &str) -> Result<(), String> {
    let rest = to.strip_prefix("https://").or_else(|| to.strip_prefix("http://"));
    let valid = to.len() <= MAX_URL
        && rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        && !to.chars().any(|c| c.is_control() || c.is_whitespace());
    if valid { Ok(()) } else { Err(format!("redirect to an external URL expects an absolute http(s) URL, got {to:?}")) }
}

#[cfg(test)]
mod tests {
    use super::{external_url, local_path};

    #[test]
    fn paths_stay_on_this_host() {
        for ok in ["/", "/items?page=2", "/a/b#top"] {
            assert!(local_path("p", ok).is_ok(), "{ok}");
        }
        for bad in ["", "items", "//evil.test/x", "/\\evil.test", "/\\\\evil.test", "/a\\b", "http://x/", "/a\nb"] {
            assert!(local_path("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn external_urls_are_absolute_http() {
        assert!(external_url("https://example.com/x").is_ok());
        assert!(external_url("http://example.com").is_ok());
        for bad in ["javascript:alert(1)", "https://", "ftp://x", "/local", "https:///x", "https://a b"] {
            assert!(external_url(bad).is_err(), "{bad}");
        }
    }
}
