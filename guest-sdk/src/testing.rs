//! Rendering a view natively, without a host, and a stand-in for the host's capabilities
//! ([`host`]): for unit tests and doc examples.
//!
//! ```
//! use liveplug_guest::{LiveView, Node, Render, html, testing};
//!
//! #[derive(Default)]
//! struct Hello;
//!
//! impl LiveView for Hello {
//!     fn render(&self, r: &mut Render) -> Node {
//!         html! { <p>"Hello, " {"<world>"}</p> }.render(r)
//!     }
//! }
//!
//! assert_eq!(testing::render_html(&Hello), "<p>Hello, &lt;world&gt;</p>");
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::bindings::liveplug::view::parts::{self, Node as P};
use crate::log::Level;
use crate::render::Render;
use crate::view::LiveView;

/// A navigation a handler asked for (natively, where there is no host to send it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Navigation {
    Patch { to: String, replace: bool },
    Navigate { to: String, replace: bool },
    Redirect { to: String },
    RedirectExternal { to: String },
}

/// What a natively built view asked of its host, on this thread: the stand-in for the host's
/// capabilities in unit tests and doc tests (in a component, the real host answers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestHost {
    pub title: Option<String>,
    /// `(name, payload JSON, before_patch)`.
    pub events: Vec<(String, String, bool)>,
    /// The last navigation asked for.
    pub navigation: Option<Navigation>,
    pub flash: BTreeMap<String, String>,
    pub keyvalue: BTreeMap<String, String>,
    pub logs: Vec<(Level, String)>,
    /// The topics subscribed to.
    pub subscriptions: std::collections::BTreeSet<String>,
    /// `(topic, payload JSON, exclude_self)`, in order.
    pub broadcasts: Vec<(String, String, bool)>,
    /// Timers started and not cancelled (`send_self` is a timer with no delay).
    pub timers: Vec<TestTimer>,
    /// What this view tracks: topic → key → meta JSON (one session, so one meta per key).
    pub presences: BTreeMap<String, BTreeMap<String, String>>,
}

/// A timer a natively built view started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestTimer {
    pub id: u64,
    /// The payload JSON.
    pub payload: String,
    pub delay_ms: u32,
    /// `Some(period)` for an interval.
    pub period_ms: Option<u32>,
}

/// What the view asked of the stand-in host so far (natively; in a component, nothing is
/// recorded and this is empty).
pub fn host() -> TestHost {
    #[cfg(not(target_arch = "wasm32"))]
    {
        native::HOST.with(|h| h.borrow().clone())
    }
    #[cfg(target_arch = "wasm32")]
    {
        TestHost::default()
    }
}

/// Sets the stand-in host's state (to seed flash or key-value data before a test), returning
/// the previous one.
pub fn set_host(state: TestHost) -> TestHost {
    #[cfg(not(target_arch = "wasm32"))]
    {
        native::HOST.with(|h| std::mem::replace(&mut *h.borrow_mut(), state))
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = state;
        TestHost::default()
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod native {
    //! The stand-in host of native builds, one per thread (each test has its own).

    use std::cell::RefCell;

    use super::{Navigation, TestHost, TestTimer};
    use crate::log::Level;

    thread_local! {
        pub(super) static HOST: RefCell<TestHost> = RefCell::new(TestHost::default());
    }

    fn with<R>(f: impl FnOnce(&mut TestHost) -> R) -> R {
        HOST.with(|h| f(&mut h.borrow_mut()))
    }

    pub fn set_title(title: &str) {
        with(|h| h.title = Some(title.to_owned()));
    }

    pub fn push_event(name: &str, payload: &str, before_patch: bool) {
        with(|h| h.events.push((name.to_owned(), payload.to_owned(), before_patch)));
    }

    pub fn push_patch(to: &str, replace: bool) {
        with(|h| h.navigation = Some(Navigation::Patch { to: to.to_owned(), replace }));
    }

    pub fn push_navigate(to: &str, replace: bool) {
        with(|h| h.navigation = Some(Navigation::Navigate { to: to.to_owned(), replace }));
    }

    pub fn redirect(to: &str) {
        with(|h| h.navigation = Some(Navigation::Redirect { to: to.to_owned() }));
    }

    pub fn redirect_external(url: &str) {
        with(|h| h.navigation = Some(Navigation::RedirectExternal { to: url.to_owned() }));
    }

    pub fn flash_put(kind: &str, message: &str) {
        with(|h| h.flash.insert(kind.to_owned(), message.to_owned()));
    }

    pub fn flash_clear(kind: Option<&str>) {
        with(|h| match kind {
            Some(kind) => {
                h.flash.remove(kind);
            }
            None => h.flash.clear(),
        });
    }

    pub fn flash_get(kind: &str) -> Option<String> {
        with(|h| h.flash.get(kind).cloned())
    }

    pub fn flash_all() -> Vec<(String, String)> {
        with(|h| h.flash.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    pub fn kv_get(key: &str) -> Option<String> {
        with(|h| h.keyvalue.get(key).cloned())
    }

    pub fn kv_set(key: &str, value: &str) -> Result<(), String> {
        with(|h| h.keyvalue.insert(key.to_owned(), value.to_owned()));
        Ok(())
    }

    pub fn kv_delete(key: &str) -> bool {
        with(|h| h.keyvalue.remove(key).is_some())
    }

    pub fn kv_keys(prefix: &str) -> Vec<String> {
        with(|h| h.keyvalue.keys().filter(|k| k.starts_with(prefix)).cloned().collect())
    }

    pub fn log(level: Level, message: &str) {
        with(|h| h.logs.push((level, message.to_owned())));
    }

    pub fn subscribe(topic: &str) -> Result<(), String> {
        with(|h| h.subscriptions.insert(topic.to_owned()));
        Ok(())
    }

    pub fn unsubscribe(topic: &str) {
        with(|h| h.subscriptions.remove(topic));
    }

    pub fn broadcast(topic: &str, payload: &str, exclude_self: bool) -> Result<(), String> {
        with(|h| h.broadcasts.push((topic.to_owned(), payload.to_owned(), exclude_self)));
        Ok(())
    }

    fn timer(payload: &str, delay_ms: u32, period_ms: Option<u32>) -> u64 {
        with(|h| {
            let id = h.timers.iter().map(|t| t.id).max().unwrap_or(0) + 1;
            h.timers.push(TestTimer { id, payload: payload.to_owned(), delay_ms, period_ms });
            id
        })
    }

    pub fn send_self(payload: &str) -> Result<(), String> {
        timer(payload, 0, None);
        Ok(())
    }

    pub fn send_after(payload: &str, delay_ms: u32) -> Result<u64, String> {
        Ok(timer(payload, delay_ms, None))
    }

    pub fn interval(payload: &str, period_ms: u32) -> Result<u64, String> {
        if period_ms < 10 {
            return Err(format!("an interval is at least 10 ms, got {period_ms}"));
        }
        Ok(timer(payload, period_ms, Some(period_ms)))
    }

    pub fn cancel(id: u64) {
        with(|h| h.timers.retain(|t| t.id != id));
    }

    pub fn track(topic: &str, key: &str, meta: &str) -> Result<(), String> {
        if !meta.trim_start().starts_with('{') {
            return Err("a presence meta is a JSON object".to_owned());
        }
        with(|h| h.presences.entry(topic.to_owned()).or_default().insert(key.to_owned(), meta.to_owned()));
        Ok(())
    }

    pub fn untrack(topic: &str, key: &str) {
        with(|h| {
            if let Some(keys) = h.presences.get_mut(topic) {
                keys.remove(key);
            }
        });
    }

    pub fn presence_list(topic: &str) -> String {
        with(|h| {
            let mut list = serde_json::Map::new();
            for (i, (key, meta)) in h.presences.get(topic).into_iter().flatten().enumerate() {
                let mut meta: serde_json::Value = serde_json::from_str(meta).unwrap_or_default();
                if let Some(object) = meta.as_object_mut() {
                    object.insert("phx_ref".into(), serde_json::Value::from(i.to_string()));
                }
                list.insert(key.clone(), serde_json::json!({ "metas": [meta] }));
            }
            serde_json::Value::Object(list).to_string()
        })
    }
}
/// The HTML of a complete render of `view`, as the host's dead render would produce it
/// (stream items in insertion order, components inline).
pub fn render_html<V: LiveView>(view: &V) -> String {
    let mut sent = HashSet::new();
    let mut r = Render::new(&mut sent);
    let root = view.render(&mut r);
    let parts = r.finish(root);
    parts_html(&parts)
}

/// The HTML of a complete render's parts.
pub(crate) fn parts_html(parts: &parts::Parts) -> String {
    let mut out = String::new();
    Html::new(parts).write(parts.root, &mut out);
    out
}

struct Html<'a> {
    parts: &'a parts::Parts,
    templates: HashMap<u32, &'a [String]>,
    components: HashMap<u32, u32>,
}

impl<'a> Html<'a> {
    fn new(parts: &'a parts::Parts) -> Self {
        let templates = parts.new_templates.iter().map(|t| (t.id, t.statics.as_slice())).collect();
        let components = parts.components.iter().map(|c| (c.id, c.root)).collect();
        Self { parts, templates, components }
    }

    fn statics(&self, template: u32, slots: &[u32], out: &mut String) {
        let statics = self.templates.get(&template).copied().unwrap_or_default();
        for (i, s) in statics.iter().enumerate() {
            out.push_str(s);
            if let Some(&slot) = slots.get(i) {
                self.write(slot, out);
            }
        }
    }

    fn write(&self, index: u32, out: &mut String) {
        match self.parts.nodes.get(index as usize) {
            // Escaped as the host escapes it.
            Some(P::Text(text)) => out.push_str(&html_escape::encode_quoted_attribute(text)),
            Some(P::Raw(html)) => out.push_str(html),
            Some(P::Attributes(attributes)) => {
                for attribute in attributes {
                    out.push(' ');
                    out.push_str(&attribute.name);
                    if let Some(value) = &attribute.value {
                        out.push_str("=\"");
                        out.push_str(&html_escape::encode_quoted_attribute(value));
                        out.push('"');
                    }
                }
            }
            Some(P::Tree(tree)) => self.statics(tree.template, &tree.slots, out),
            Some(P::Keyed(list)) => {
                for item in &list.items {
                    self.statics(list.template, item.slots.as_deref().unwrap_or_default(), out);
                }
            }
            Some(P::Stream(ops)) => {
                for insert in &ops.inserts {
                    self.statics(ops.template, &insert.slots, out);
                }
            }
            Some(P::Component(id)) => {
                if let Some(&root) = self.components.get(id) {
                    self.write(root, out);
                }
            }
            Some(P::Unchanged) | None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Navigation, TestHost, host, set_host};

    #[test]
    fn the_stand_in_host_records_what_handlers_ask() {
        set_host(TestHost::default());
        crate::page::set_title("Issues");
        crate::page::push_event("saved", &serde_json::json!({"id": 1}));
        crate::navigation::push_patch("/items?page=2", true);
        crate::keyvalue::set_json("issue:1", &serde_json::json!({"title": "x"})).expect("set");
        crate::flash::put("info", "Saved");
        crate::flash::put("error", "Oops");
        crate::flash::clear("error");
        let seen = host();
        assert_eq!(seen.title.as_deref(), Some("Issues"));
        assert_eq!(seen.events, [("saved".to_owned(), r#"{"id":1}"#.to_owned(), false)]);
        assert_eq!(seen.navigation, Some(Navigation::Patch { to: "/items?page=2".into(), replace: true }));
        assert_eq!(crate::keyvalue::get_json::<serde_json::Value>("issue:1"), Some(serde_json::json!({"title": "x"})));
        assert_eq!(crate::keyvalue::keys("issue:"), ["issue:1"]);
        assert_eq!(crate::flash::all(), [("info".to_owned(), "Saved".to_owned())]);
        // The last navigation wins, as with the host.
        crate::navigation::redirect("/login");
        assert_eq!(host().navigation, Some(Navigation::Redirect { to: "/login".into() }));
    }
}
