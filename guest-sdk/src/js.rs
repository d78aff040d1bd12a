//! JS commands: client-side operations (show, hide, classes, attributes, focus, transitions)
//! and enhanced pushes, run by the browser's LiveView client without a round trip, the
//! equivalent of Phoenix's `Phoenix.LiveView.JS`.
//!
//! A [`JS`] value is a list of commands, built by chaining as in Elixir
//! (`JS.push("inc") |> JS.hide(to: "#x")` is `JS::new().push("inc").hide("#x")`). Put it where
//! the client expects a command, in a binding attribute (`phx-click`, `phx-submit`,
//! `phx-click-away`, `phx-remove`, `phx-mounted`, ...) or any attribute read by
//! [`JS::exec`]: it is written as the JSON the client executes, HTML-escaped once.
//!
//! ```
//! use liveplug_guest::js::{Hide, JS, Push, inner};
//! use liveplug_guest::{LiveView, Node, Render, html, testing};
//!
//! #[derive(Default)]
//! struct Modal;
//!
//! impl LiveView for Modal {
//!     fn render(&self, r: &mut Render) -> Node {
//!         let close = JS::new()
//!             .push(Push::new("closed").value(serde_json::json!({"id": 7})))
//!             .hide(Hide::new().to("#modal").transition("fade-out").time(300));
//!         html! {
//!             <div id="modal" phx-click-away={&close}>
//!                 <button phx-click={close.clone().add_class("pressed")}>"Close"</button>
//!                 <nav phx-click={JS::new().toggle(inner(".menu"))}>"Menu"</nav>
//!             </div>
//!         }
//!         .render(r)
//!     }
//! }
//!
//! let html = testing::render_html(&Modal);
//! assert!(html.starts_with(
//!     r#"<div id="modal" phx-click-away="[[&quot;push&quot;,{&quot;event&quot;:&quot;closed&quot;,&quot;value&quot;:{&quot;id&quot;:7}}],[&quot;hide&quot;,"#
//! ));
//! assert!(html.ends_with(r#"<nav phx-click="[[&quot;toggle&quot;,{&quot;to&quot;:{&quot;inner&quot;:&quot;.menu&quot;}}]]">Menu</nav></div>"#));
//! // The JSON itself, as the client parses it:
//! assert_eq!(
//!     JS::new().push("inc").hide("#x").to_string(),
//!     r##"[["push",{"event":"inc"}],["hide",{"to":"#x"}]]"##
//! );
//! ```
//!
//! # Encoding
//!
//! The JSON is what `Phoenix.LiveView.JS` 1.x encodes, with each command's keys in
//! alphabetical order: options that are not given are left out (the client applies its
//! defaults: 200 ms for `time`, blocking transitions, `"block"` or the element's table display
//! for `display`), except `replace` of `navigate` and `patch`, which is always written.
//! Transitions are three class lists (`[transition, start, end]`), class names are split on
//! spaces.
//!
//! # Targets
//!
//! Most commands run on [`To::This`] (the element the binding is on, "the interacted
//! element") unless given a [`To`]: a CSS selector over the whole document (a `&str` or
//! `String`), or one relative to that element, [`inner`] (`querySelectorAll` inside it) or
//! [`closest`] (its closest matching ancestor or itself). Events pushed with [`Push::target`]
//! go to the element matched by that selector: a stateful component's root id (`"#card-7"`)
//! sends them to that component.
//!
//! # Panics
//!
//! Like `Phoenix.LiveView.JS`, which raises, building a command the client cannot run is a
//! bug in the view and panics: a [`Push::value`] or [`Dispatch::detail`] that is not a JSON
//! object, a detail on a `"click"` dispatch, a `done` key in the detail of a blocking dispatch,
//! and a [`JS::navigate`] or [`JS::patch`] destination with a scheme other than `http` or
//! `https`.

use std::fmt;

use serde::ser::{SerializeMap, SerializeTuple};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::html::AttrValue;

/// A list of JS commands, run by the client in order (see the [module](self) documentation).
/// Renders as an attribute value (`phx-click={js}` or `phx-click={&js}`), serializes as the
/// command array (for a payload read by `liveSocket.execJS`), and its `Display` is that JSON.
#[allow(clippy::upper_case_acronyms)] // named after Phoenix.LiveView.JS
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use = "a JS command does nothing until it is rendered"]
pub struct JS {
    ops: Vec<Op>,
}

impl JS {
    /// No commands (renders as `[]`, which the client runs as nothing).
    pub fn new() -> Self {
        Self::default()
    }

    fn op(mut self, op: Op) -> Self {
        self.ops.push(op);
        self
    }

    /// The commands of `self`, then those of `other` (`JS.concat/2`).
    pub fn concat(mut self, other: JS) -> Self {
        self.ops.extend(other.ops);
        self
    }

    /// Whether there are no commands.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Pushes an event to the server: `push("inc")`, or
    /// `push(Push::new("inc").target("#card-7").loading(".thermo"))`. The element's
    /// `phx-value-*` attributes and `phx-target` still apply; [`Push::value`] and
    /// [`Push::target`] override them.
    pub fn push(self, push: impl Into<Push>) -> Self {
        self.op(Op::Push(push.into()))
    }

    /// Navigates to another LiveView over the same connection, pushing a history entry.
    ///
    /// # Panics
    /// When `href` has a scheme other than `http` or `https` (use a plain `href` for those).
    pub fn navigate(self, href: impl Into<String>) -> Self {
        self.op(Op::Navigate(Nav::new(href.into(), false, "JS.navigate")))
    }

    /// [`JS::navigate`], replacing the current history entry.
    ///
    /// # Panics
    /// As [`JS::navigate`].
    pub fn navigate_replace(self, href: impl Into<String>) -> Self {
        self.op(Op::Navigate(Nav::new(href.into(), true, "JS.navigate")))
    }

    /// Patches the current LiveView to `href` (its `handle_params` runs), pushing a history
    /// entry.
    ///
    /// # Panics
    /// As [`JS::navigate`].
    pub fn patch(self, href: impl Into<String>) -> Self {
        self.op(Op::Patch(Nav::new(href.into(), false, "JS.patch")))
    }

    /// [`JS::patch`], replacing the current history entry.
    ///
    /// # Panics
    /// As [`JS::navigate`].
    pub fn patch_replace(self, href: impl Into<String>) -> Self {
        self.op(Op::Patch(Nav::new(href.into(), true, "JS.patch")))
    }

    /// Dispatches a DOM event: `dispatch("my_app:copy")` on the interacted element, or
    /// `dispatch(Dispatch::new("click").to("#file"))`.
    ///
    /// # Panics
    /// When a `"click"` carries a detail (the browser replaces a click's detail), or a
    /// blocking dispatch's detail has a `done` key (the client puts its callback there).
    pub fn dispatch(self, dispatch: impl Into<Dispatch>) -> Self {
        let dispatch = dispatch.into();
        if let Some(detail) = &dispatch.detail {
            assert!(
                dispatch.event != "click",
                "click events cannot be dispatched with details: the browser rewrites a MouseEvent's \
                 detail to an integer; dispatch your own event and click from its listener"
            );
            assert!(
                !(dispatch.blocking && detail.contains_key("done")),
                "the detail of a blocking JS dispatch must not contain a `done` key, got: {}",
                Value::Object(detail.clone())
            );
        }
        self.op(Op::Dispatch(dispatch))
    }

    /// Shows elements (if hidden): `show("#modal")`, `show(To::This)`, or
    /// `show(Show::new().to("#modal").transition(("ease-out", "opacity-0", "opacity-100")))`.
    pub fn show(self, show: impl Into<Show>) -> Self {
        self.op(Op::Show(show.into()))
    }

    /// Hides elements (if visible): `hide("#modal")`, `hide(To::This)`, or
    /// `hide(Hide::new().to("#modal").transition("fade-out"))`.
    pub fn hide(self, hide: impl Into<Hide>) -> Self {
        self.op(Op::Hide(hide.into()))
    }

    /// Shows hidden elements and hides visible ones: `toggle("#menu")`, or
    /// `toggle(Toggle::new().to("#menu").transition_in("fade-in").transition_out("fade-out"))`.
    pub fn toggle(self, toggle: impl Into<Toggle>) -> Self {
        self.op(Op::Toggle(toggle.into()))
    }

    /// Adds classes: `add_class("active")` on the interacted element, or
    /// `add_class(Classes::new("active bold").to("#item"))`.
    pub fn add_class(self, classes: impl Into<Classes>) -> Self {
        self.op(Op::AddClass(classes.into()))
    }

    /// Removes classes (as [`JS::add_class`]).
    pub fn remove_class(self, classes: impl Into<Classes>) -> Self {
        self.op(Op::RemoveClass(classes.into()))
    }

    /// Adds each class an element lacks and removes each one it has (as [`JS::add_class`]).
    pub fn toggle_class(self, classes: impl Into<Classes>) -> Self {
        self.op(Op::ToggleClass(classes.into()))
    }

    /// Applies a temporary transition: `transition("shake")`,
    /// `transition(("ease-out duration-300", "opacity-0", "opacity-100"))`, or
    /// `transition(TransitionCommand::new("shake").to("#box").time(500))`.
    pub fn transition(self, transition: impl Into<TransitionCommand>) -> Self {
        self.op(Op::Transition(transition.into()))
    }

    /// Sets an attribute: `set_attribute("aria-expanded", "true", "#menu")`.
    pub fn set_attribute(self, name: impl Into<String>, value: impl Into<String>, to: impl Into<To>) -> Self {
        self.op(Op::SetAttr(AttrPair { attr: vec![name.into(), value.into()], to: to.into() }))
    }

    /// Removes an attribute: `remove_attribute("disabled", To::This)`.
    pub fn remove_attribute(self, name: impl Into<String>, to: impl Into<To>) -> Self {
        self.op(Op::RemoveAttr(AttrName { attr: name.into(), to: to.into() }))
    }

    /// Sets an attribute to `value` where it is absent, removes it where it is present:
    /// `toggle_attribute("open", "true", "#details")`.
    pub fn toggle_attribute(self, name: impl Into<String>, value: impl Into<String>, to: impl Into<To>) -> Self {
        self.op(Op::ToggleAttr(AttrPair { attr: vec![name.into(), value.into()], to: to.into() }))
    }

    /// Switches an attribute between two values (`first` where it is absent or has another
    /// value): `toggle_attribute_between("aria-expanded", "true", "false", To::This)`.
    pub fn toggle_attribute_between(
        self,
        name: impl Into<String>,
        first: impl Into<String>,
        second: impl Into<String>,
        to: impl Into<To>,
    ) -> Self {
        self.op(Op::ToggleAttr(AttrPair { attr: vec![name.into(), first.into(), second.into()], to: to.into() }))
    }

    /// Keeps the client's values of these attributes when the server patches the element
    /// (names may end in `*`): `ignore_attributes(["open"], "#dialog")`.
    pub fn ignore_attributes<S: Into<String>>(self, names: impl IntoIterator<Item = S>, to: impl Into<To>) -> Self {
        self.op(Op::IgnoreAttrs(AttrNames { attrs: names.into_iter().map(Into::into).collect(), to: to.into() }))
    }

    /// Focuses an element: `focus("#name")`, `focus(To::This)`.
    pub fn focus(self, to: impl Into<To>) -> Self {
        self.op(Op::Focus(Target { to: to.into() }))
    }

    /// Focuses the first focusable element inside: `focus_first(To::This)`.
    pub fn focus_first(self, to: impl Into<To>) -> Self {
        self.op(Op::FocusFirst(Target { to: to.into() }))
    }

    /// Remembers an element (for [`JS::pop_focus`]): `push_focus(To::This)`.
    pub fn push_focus(self, to: impl Into<To>) -> Self {
        self.op(Op::PushFocus(Target { to: to.into() }))
    }

    /// Focuses the element last remembered by [`JS::push_focus`].
    pub fn pop_focus(self) -> Self {
        self.op(Op::PopFocus)
    }

    /// Runs the commands stored in attribute `attr` of the elements: `exec("phx-remove",
    /// "#modal")`, `exec("data-open", To::This)`.
    pub fn exec(self, attr: impl Into<String>, to: impl Into<To>) -> Self {
        self.op(Op::Exec(AttrName { attr: attr.into(), to: to.into() }))
    }
}

impl Serialize for JS {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.ops.serialize(serializer)
    }
}

/// The JSON the client executes.
impl fmt::Display for JS {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Infallible: strings, numbers, booleans and JSON objects only.
        let json = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&json)
    }
}

/// `name="<the JSON>"`, escaped by the host.
impl AttrValue for &JS {
    fn value(self) -> Option<Option<String>> {
        Some(Some(self.to_string()))
    }
}

impl AttrValue for JS {
    fn value(self) -> Option<Option<String>> {
        Some(Some(self.to_string()))
    }
}

/// The elements a command runs on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum To {
    /// The element the binding is on (the interacted element); `to` is left out.
    #[default]
    This,
    /// Every element of the document that matches the CSS selector (also `"#id".into()`).
    Selector(String),
    /// The elements inside the interacted element that match (see [`inner`]).
    Inner(String),
    /// The closest ancestor of the interacted element, or itself, that matches (see
    /// [`closest`]).
    Closest(String),
}

impl To {
    fn is_this(&self) -> bool {
        matches!(self, To::This)
    }
}

/// The elements inside the interacted element that match `selector`:
/// `{"inner": selector}`.
pub fn inner(selector: impl Into<String>) -> To {
    To::Inner(selector.into())
}

/// The closest ancestor of the interacted element, or itself, that matches `selector`:
/// `{"closest": selector}`.
pub fn closest(selector: impl Into<String>) -> To {
    To::Closest(selector.into())
}

impl From<&str> for To {
    fn from(selector: &str) -> Self {
        To::Selector(selector.to_owned())
    }
}

impl From<String> for To {
    fn from(selector: String) -> Self {
        To::Selector(selector)
    }
}

impl From<&String> for To {
    fn from(selector: &String) -> Self {
        To::Selector(selector.clone())
    }
}

impl Serialize for To {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (scope, selector) = match self {
            To::This => return serializer.serialize_none(),
            To::Selector(selector) => return serializer.serialize_str(selector),
            To::Inner(selector) => ("inner", selector),
            To::Closest(selector) => ("closest", selector),
        };
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(scope, selector)?;
        map.end()
    }
}

/// Transition classes: the classes applied for the whole transition, and optionally those
/// it starts from and ends with. From `"fade-out"` (the first only) or a triple
/// `("ease-out duration-300", "opacity-0", "opacity-100")`; each string holds
/// space-separated class names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    classes: [Vec<String>; 3],
}

impl Transition {
    /// The transition classes, the start classes and the end classes.
    pub fn new(transition: &str, start: &str, end: &str) -> Self {
        Self { classes: [class_names(transition), class_names(start), class_names(end)] }
    }
}

impl From<&str> for Transition {
    fn from(transition: &str) -> Self {
        Self::new(transition, "", "")
    }
}

impl From<String> for Transition {
    fn from(transition: String) -> Self {
        Self::new(&transition, "", "")
    }
}

impl From<&String> for Transition {
    fn from(transition: &String) -> Self {
        Self::new(transition, "", "")
    }
}

impl From<(&str, &str, &str)> for Transition {
    fn from((transition, start, end): (&str, &str, &str)) -> Self {
        Self::new(transition, start, end)
    }
}

impl Serialize for Transition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.classes.serialize(serializer)
    }
}

/// `String.split(names, " ", trim: true)`.
fn class_names(names: &str) -> Vec<String> {
    names.split(' ').filter(|name| !name.is_empty()).map(str::to_owned).collect()
}

/// A JSON object from a value the caller gave, or a panic naming what was expected.
fn object(value: impl Serialize, what: &str) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        Ok(other) => panic!("{what} must be a JSON object, got: {other}"),
        Err(error) => panic!("{what} must be a JSON object, got an unserializable value: {error}"),
    }
}

// Every options struct lists its fields in alphabetical order: that is the order of the keys
// in the JSON (the order `Phoenix.LiveView.JS`'s own tests check).

/// Options of [`JS::push`]: `Push::new("inc")` (or `"inc".into()`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Push {
    event: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    loading: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_loading: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Map<String, Value>>,
}

impl Push {
    /// Pushes `event`.
    pub fn new(event: impl Into<String>) -> Self {
        Self { event: event.into(), loading: None, page_loading: None, target: None, value: None }
    }

    /// Sends the event to the view or component that holds the element matching `selector`
    /// (a component's root id: `"#card-7"`).
    pub fn target(mut self, selector: impl Into<String>) -> Self {
        self.target = Some(selector.into());
        self
    }

    /// The elements that get the loading classes while the server handles the event.
    pub fn loading(mut self, selector: impl Into<String>) -> Self {
        self.loading = Some(selector.into());
        self
    }

    /// Whether the push dispatches `phx:page-loading-start` and `-stop` (client default:
    /// `false`).
    pub fn page_loading(mut self, page_loading: bool) -> Self {
        self.page_loading = Some(page_loading);
        self
    }

    /// The event's value, merged over the element's `phx-value-*`: any serde value that
    /// serializes to a JSON object (`json!({"id": 7})`, a struct, a map).
    ///
    /// # Panics
    /// When `value` is not a JSON object.
    pub fn value(mut self, value: impl Serialize) -> Self {
        self.value = Some(object(value, "the value of JS.push"));
        self
    }
}

/// [`JS::navigate`] and [`JS::patch`].
#[derive(Debug, Clone, PartialEq, Serialize)]
struct Nav {
    href: String,
    replace: bool,
}

impl Nav {
    fn new(href: String, replace: bool, context: &str) -> Self {
        if let Some(scheme) = uri_scheme(&href)
            && scheme != "http"
            && scheme != "https"
        {
            panic!(
                "unsupported scheme {scheme:?} given to {context}: patch and navigate destinations must be a \
                 path or a full http(s) URL to a LiveView of this application; link to {href:?} with a plain href"
            );
        }
        Self { href, replace }
    }
}

/// The lowercased scheme of `href`: what comes before a `:` that appears before any `/`, `?`
/// or `#` (so a colon in a path, query or fragment is not one).
fn uri_scheme(href: &str) -> Option<String> {
    let at = href.find([':', '/', '?', '#'])?;
    (href.as_bytes()[at] == b':').then(|| href[..at].to_ascii_lowercase())
}

/// Options of [`JS::dispatch`]: `Dispatch::new("my_app:copy")` (or `"my_app:copy".into()`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dispatch {
    #[serde(skip_serializing_if = "is_false")]
    blocking: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    bubbles: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<Map<String, Value>>,
    event: String,
    #[serde(skip_serializing_if = "To::is_this")]
    to: To,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Dispatch {
    /// Dispatches `event` (a `CustomEvent`, or a `MouseEvent` for `"click"`).
    pub fn new(event: impl Into<String>) -> Self {
        Self { blocking: false, bubbles: None, detail: None, event: event.into(), to: To::This }
    }

    /// The elements to dispatch to (default: the interacted element).
    pub fn to(mut self, to: impl Into<To>) -> Self {
        self.to = to.into();
        self
    }

    /// The event's `detail` (the client adds `dispatcher`, the interacted element): any serde
    /// value that serializes to a JSON object. Not for `"click"`.
    ///
    /// # Panics
    /// When `detail` is not a JSON object.
    pub fn detail(mut self, detail: impl Serialize) -> Self {
        self.detail = Some(object(detail, "the detail of JS.dispatch"));
        self
    }

    /// Whether the event bubbles (client default: `true`).
    pub fn bubbles(mut self, bubbles: bool) -> Self {
        self.bubbles = Some(bubbles);
        self
    }

    /// With `true`, the client waits (as for a transition) until a listener calls
    /// `event.detail.done()`.
    pub fn blocking(mut self, blocking: bool) -> Self {
        self.blocking = blocking;
        self
    }
}

/// Options of [`JS::show`]: `Show::new()` shows the interacted element; a selector or a
/// [`To`] converts into the `Show` of those elements.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Show {
    #[serde(skip_serializing_if = "Option::is_none")]
    blocking: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<u32>,
    #[serde(skip_serializing_if = "To::is_this")]
    to: To,
    #[serde(skip_serializing_if = "Option::is_none")]
    transition: Option<Transition>,
}

/// Options of [`JS::hide`]: `Hide::new()` hides the interacted element; a selector or a
/// [`To`] converts into the `Hide` of those elements.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Hide {
    #[serde(skip_serializing_if = "Option::is_none")]
    blocking: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<u32>,
    #[serde(skip_serializing_if = "To::is_this")]
    to: To,
    #[serde(skip_serializing_if = "Option::is_none")]
    transition: Option<Transition>,
}

/// Options of [`JS::toggle`]: `Toggle::new()` toggles the interacted element; a selector or
/// a [`To`] converts into the `Toggle` of those elements.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Toggle {
    #[serde(skip_serializing_if = "Option::is_none")]
    blocking: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ins: Option<Transition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outs: Option<Transition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<u32>,
    #[serde(skip_serializing_if = "To::is_this")]
    to: To,
}

/// Options of [`JS::add_class`], [`JS::remove_class`] and [`JS::toggle_class`]:
/// `Classes::new("active bold")` (or `"active bold".into()`), on the interacted element
/// unless given [`Classes::to`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classes {
    #[serde(skip_serializing_if = "Option::is_none")]
    blocking: Option<bool>,
    names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<u32>,
    #[serde(skip_serializing_if = "To::is_this")]
    to: To,
    #[serde(skip_serializing_if = "Option::is_none")]
    transition: Option<Transition>,
}

impl Classes {
    /// Space-separated class names.
    pub fn new(names: &str) -> Self {
        Self { blocking: None, names: class_names(names), time: None, to: To::This, transition: None }
    }
}

/// Options of [`JS::transition`]: `TransitionCommand::new("shake")` (or `"shake".into()`, or
/// a triple), on the interacted element unless given [`TransitionCommand::to`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionCommand {
    #[serde(skip_serializing_if = "Option::is_none")]
    blocking: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<u32>,
    #[serde(skip_serializing_if = "To::is_this")]
    to: To,
    transition: Transition,
}

impl TransitionCommand {
    /// Applies `transition`.
    pub fn new(transition: impl Into<Transition>) -> Self {
        Self { blocking: None, time: None, to: To::This, transition: transition.into() }
    }
}

/// The option setters shared by several commands.
macro_rules! setters {
    (to: $($t:ty),*) => {$(
        impl $t {
            /// The elements to run on (default: the interacted element).
            pub fn to(mut self, to: impl Into<To>) -> Self {
                self.to = to.into();
                self
            }
        }
    )*};
    (time_blocking: $($t:ty),*) => {$(
        impl $t {
            /// How long the transition classes stay, in milliseconds (client default: 200).
            pub fn time(mut self, milliseconds: u32) -> Self {
                self.time = Some(milliseconds);
                self
            }

            /// With `false`, the client does not wait for the transition to end before it
            /// handles further events and patches (client default: `true`).
            pub fn blocking(mut self, blocking: bool) -> Self {
                self.blocking = Some(blocking);
                self
            }
        }
    )*};
    (transition: $($t:ty),*) => {$(
        impl $t {
            /// Transition classes applied while the command runs.
            pub fn transition(mut self, transition: impl Into<Transition>) -> Self {
                self.transition = Some(transition.into());
                self
            }
        }
    )*};
    (display: $($t:ty),*) => {$(
        impl $t {
            /// The `display` value set when showing (client default: `"block"`, or
            /// `table-row`/`table-cell` for `tr`/`td`).
            pub fn display(mut self, display: impl Into<String>) -> Self {
                self.display = Some(display.into());
                self
            }
        }
    )*};
}

setters!(to: Show, Hide, Toggle, Classes, TransitionCommand);
setters!(time_blocking: Show, Hide, Toggle, Classes, TransitionCommand);
setters!(transition: Show, Hide, Classes);
setters!(display: Show, Toggle);

impl Show {
    /// Shows the interacted element (set others with [`Show::to`]).
    pub fn new() -> Self {
        Self::default()
    }
}

impl Hide {
    /// Hides the interacted element (set others with [`Hide::to`]).
    pub fn new() -> Self {
        Self::default()
    }
}

impl Toggle {
    /// Toggles the interacted element (set others with [`Toggle::to`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Transition classes applied when showing.
    pub fn transition_in(mut self, transition: impl Into<Transition>) -> Self {
        self.ins = Some(transition.into());
        self
    }

    /// Transition classes applied when hiding.
    pub fn transition_out(mut self, transition: impl Into<Transition>) -> Self {
        self.outs = Some(transition.into());
        self
    }
}

/// Conversions of the first argument into a command's options.
macro_rules! from_first {
    ($first:ident => $($t:ty),*) => {$(
        impl From<&str> for $t {
            fn from(value: &str) -> Self {
                Self::$first(value)
            }
        }
        impl From<String> for $t {
            fn from(value: String) -> Self {
                Self::$first(&*value)
            }
        }
        impl From<&String> for $t {
            fn from(value: &String) -> Self {
                Self::$first(&**value)
            }
        }
    )*};
}

impl Show {
    fn with_to(to: impl Into<To>) -> Self {
        Self::new().to(to)
    }
}

impl Hide {
    fn with_to(to: impl Into<To>) -> Self {
        Self::new().to(to)
    }
}

impl Toggle {
    fn with_to(to: impl Into<To>) -> Self {
        Self::new().to(to)
    }
}

from_first!(with_to => Show, Hide, Toggle);
from_first!(new => Push, Dispatch, Classes, TransitionCommand);

impl From<To> for Show {
    fn from(to: To) -> Self {
        Self::with_to(to)
    }
}

impl From<To> for Hide {
    fn from(to: To) -> Self {
        Self::with_to(to)
    }
}

impl From<To> for Toggle {
    fn from(to: To) -> Self {
        Self::with_to(to)
    }
}

impl From<(&str, &str, &str)> for TransitionCommand {
    fn from(transition: (&str, &str, &str)) -> Self {
        Self::new(transition)
    }
}

impl From<Transition> for TransitionCommand {
    fn from(transition: Transition) -> Self {
        Self::new(transition)
    }
}

/// `{"attr": [name, value...], "to": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct AttrPair {
    attr: Vec<String>,
    #[serde(skip_serializing_if = "To::is_this")]
    to: To,
}

/// `{"attr": name, "to": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct AttrName {
    attr: String,
    #[serde(skip_serializing_if = "To::is_this")]
    to: To,
}

/// `{"attrs": [names], "to": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct AttrNames {
    attrs: Vec<String>,
    #[serde(skip_serializing_if = "To::is_this")]
    to: To,
}

/// `{"to": ...}`, or `{}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
struct Target {
    #[serde(skip_serializing_if = "To::is_this")]
    to: To,
}

/// One command, serialized as `[kind, args]`.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Push(Push),
    Navigate(Nav),
    Patch(Nav),
    Dispatch(Dispatch),
    Show(Show),
    Hide(Hide),
    Toggle(Toggle),
    AddClass(Classes),
    RemoveClass(Classes),
    ToggleClass(Classes),
    Transition(TransitionCommand),
    SetAttr(AttrPair),
    RemoveAttr(AttrName),
    ToggleAttr(AttrPair),
    IgnoreAttrs(AttrNames),
    Focus(Target),
    FocusFirst(Target),
    PushFocus(Target),
    PopFocus,
    Exec(AttrName),
}

impl Serialize for Op {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fn pair<S: Serializer>(serializer: S, kind: &str, args: &impl Serialize) -> Result<S::Ok, S::Error> {
            let mut tuple = serializer.serialize_tuple(2)?;
            tuple.serialize_element(kind)?;
            tuple.serialize_element(args)?;
            tuple.end()
        }
        match self {
            Op::Push(args) => pair(serializer, "push", args),
            Op::Navigate(args) => pair(serializer, "navigate", args),
            Op::Patch(args) => pair(serializer, "patch", args),
            Op::Dispatch(args) => pair(serializer, "dispatch", args),
            Op::Show(args) => pair(serializer, "show", args),
            Op::Hide(args) => pair(serializer, "hide", args),
            Op::Toggle(args) => pair(serializer, "toggle", args),
            Op::AddClass(args) => pair(serializer, "add_class", args),
            Op::RemoveClass(args) => pair(serializer, "remove_class", args),
            Op::ToggleClass(args) => pair(serializer, "toggle_class", args),
            Op::Transition(args) => pair(serializer, "transition", args),
            Op::SetAttr(args) => pair(serializer, "set_attr", args),
            Op::RemoveAttr(args) => pair(serializer, "remove_attr", args),
            Op::ToggleAttr(args) => pair(serializer, "toggle_attr", args),
            Op::IgnoreAttrs(args) => pair(serializer, "ignore_attrs", args),
            Op::Focus(args) => pair(serializer, "focus", args),
            Op::FocusFirst(args) => pair(serializer, "focus_first", args),
            Op::PushFocus(args) => pair(serializer, "push_focus", args),
            Op::PopFocus => pair(serializer, "pop_focus", &Target::default()),
            Op::Exec(args) => pair(serializer, "exec", args),
        }
    }
}

/// The expected JSON is what `Phoenix.LiveView.JS` (1.2) encodes for the same call, keys
/// sorted as its own tests sort them; the Elixir call is above each case.
#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(js: JS, expected: &str) {
        assert_eq!(js.to_string(), expected);
        // The same text through serde (a payload for `liveSocket.execJS`).
        assert_eq!(serde_json::to_value(&js).unwrap(), serde_json::from_str::<Value>(expected).unwrap());
    }

    fn panic_message(build: impl FnOnce() -> JS + std::panic::UnwindSafe) -> String {
        let payload = std::panic::catch_unwind(build).expect_err("building the command panics");
        match payload.downcast_ref::<&str>() {
            Some(message) => (*message).to_owned(),
            None => payload.downcast_ref::<String>().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn push_encodes_the_event_and_only_the_options_given() {
        // JS.push("inc")
        check(JS::new().push("inc"), r#"[["push",{"event":"inc"}]]"#);
        // JS.push("inc", target: "#modal")
        check(JS::new().push(Push::new("inc").target("#modal")), r##"[["push",{"event":"inc","target":"#modal"}]]"##);
        // JS.push("inc", loading: "#modal")
        check(JS::new().push(Push::new("inc").loading("#modal")), r##"[["push",{"event":"inc","loading":"#modal"}]]"##);
        // JS.push("inc", page_loading: true)
        check(JS::new().push(Push::new("inc").page_loading(true)), r#"[["push",{"event":"inc","page_loading":true}]]"#);
        // JS.push("inc", value: %{one: 1, two: 2})
        check(
            JS::new().push(Push::new("inc").value(json!({"one": 1, "two": 2}))),
            r#"[["push",{"event":"inc","value":{"one":1,"two":2}}]]"#,
        );
        // JS.push("inc", value: %{id: 7}, target: "#card-7", loading: ".thermo", page_loading: false)
        check(
            JS::new().push(
                Push::new("inc").value(json!({"id": 7})).target("#card-7").loading(".thermo").page_loading(false),
            ),
            r##"[["push",{"event":"inc","loading":".thermo","page_loading":false,"target":"#card-7","value":{"id":7}}]]"##,
        );
        // A struct value serializes as an object too.
        #[derive(Serialize)]
        struct Row {
            id: u32,
        }
        check(JS::new().push(Push::new("del").value(Row { id: 3 })), r#"[["push",{"event":"del","value":{"id":3}}]]"#);
    }

    #[test]
    fn push_value_must_be_an_object() {
        let message = panic_message(|| JS::new().push(Push::new("inc").value("not-a-map")));
        assert_eq!(message, r#"the value of JS.push must be a JSON object, got: "not-a-map""#);
    }

    #[test]
    fn navigate_and_patch_always_write_replace() {
        // JS.navigate("/home")
        check(JS::new().navigate("/home"), r#"[["navigate",{"href":"/home","replace":false}]]"#);
        // JS.navigate("/home", replace: true)
        check(JS::new().navigate_replace("/home"), r#"[["navigate",{"href":"/home","replace":true}]]"#);
        // JS.navigate("https://example.com/home")
        check(
            JS::new().navigate("https://example.com/home"),
            r#"[["navigate",{"href":"https://example.com/home","replace":false}]]"#,
        );
        // JS.navigate("/search?q=a:b")
        check(JS::new().navigate("/search?q=a:b"), r#"[["navigate",{"href":"/search?q=a:b","replace":false}]]"#);
        // JS.patch("/home"), JS.patch("/home", replace: true)
        check(JS::new().patch("/home"), r#"[["patch",{"href":"/home","replace":false}]]"#);
        check(JS::new().patch_replace("/home"), r#"[["patch",{"href":"/home","replace":true}]]"#);
        check(JS::new().patch("?page=2#top"), r##"[["patch",{"href":"?page=2#top","replace":false}]]"##);
        check(
            JS::new().patch("HTTPS://example.com/"),
            r#"[["patch",{"href":"HTTPS://example.com/","replace":false}]]"#,
        );
    }

    #[test]
    fn navigate_and_patch_refuse_other_schemes() {
        let message = panic_message(|| JS::new().navigate("mailto:foo@example.com"));
        assert!(message.starts_with(r#"unsupported scheme "mailto" given to JS.navigate"#), "{message}");
        let message = panic_message(|| JS::new().patch("foo:8080"));
        assert!(message.starts_with(r#"unsupported scheme "foo" given to JS.patch"#), "{message}");
        let message = panic_message(|| JS::new().patch_replace("JavaScript:alert(1)"));
        assert!(message.starts_with(r#"unsupported scheme "javascript" given to JS.patch"#), "{message}");
    }

    #[test]
    fn dispatch_encodes_to_detail_bubbles_and_blocking() {
        // JS.dispatch("click", to: "#modal")
        check(
            JS::new().dispatch(Dispatch::new("click").to("#modal")),
            r##"[["dispatch",{"event":"click","to":"#modal"}]]"##,
        );
        // JS.dispatch("click")
        check(JS::new().dispatch("click"), r#"[["dispatch",{"event":"click"}]]"#);
        // JS.dispatch("click", bubbles: false)
        check(
            JS::new().dispatch(Dispatch::new("click").bubbles(false)),
            r#"[["dispatch",{"bubbles":false,"event":"click"}]]"#,
        );
        // JS.dispatch("my_app:copy", to: {:closest, "li"}, detail: %{id: 1})
        check(
            JS::new().dispatch(Dispatch::new("my_app:copy").to(closest("li")).detail(json!({"id": 1}))),
            r#"[["dispatch",{"detail":{"id":1},"event":"my_app:copy","to":{"closest":"li"}}]]"#,
        );
        // JS.dispatch("foo", blocking: true); `blocking: false` is left out.
        check(
            JS::new().dispatch(Dispatch::new("foo").blocking(true)),
            r#"[["dispatch",{"blocking":true,"event":"foo"}]]"#,
        );
        check(JS::new().dispatch(Dispatch::new("foo").blocking(false)), r#"[["dispatch",{"event":"foo"}]]"#);
    }

    #[test]
    fn dispatch_refuses_what_the_client_cannot_deliver() {
        let message =
            panic_message(|| JS::new().dispatch(Dispatch::new("click").to(".foo").detail(json!({"id": 123}))));
        assert!(message.starts_with("click events cannot be dispatched with details"), "{message}");
        let message =
            panic_message(|| JS::new().dispatch(Dispatch::new("foo").detail(json!({"done": true})).blocking(true)));
        assert!(message.contains("must not contain a `done` key"), "{message}");
        let message = panic_message(|| JS::new().dispatch(Dispatch::new("foo").detail("not-a-map")));
        assert!(message.starts_with("the detail of JS.dispatch must be a JSON object"), "{message}");
        // `done` is only reserved when blocking.
        check(
            JS::new().dispatch(Dispatch::new("foo").detail(json!({"done": true}))),
            r#"[["dispatch",{"detail":{"done":true},"event":"foo"}]]"#,
        );
    }

    #[test]
    fn toggle_encodes_ins_outs_time_display_and_blocking() {
        // JS.toggle(to: "#modal"), JS.toggle(to: {:closest, ".modal"}), JS.toggle()
        check(JS::new().toggle("#modal"), r##"[["toggle",{"to":"#modal"}]]"##);
        check(JS::new().toggle(closest(".modal")), r#"[["toggle",{"to":{"closest":".modal"}}]]"#);
        check(JS::new().toggle(Toggle::new()), r#"[["toggle",{}]]"#);
        check(JS::new().toggle(To::This), r#"[["toggle",{}]]"#);
        // JS.toggle(to: "#modal", in: "fade-in d-block", out: "fade-out d-block")
        check(
            JS::new()
                .toggle(Toggle::new().to("#modal").transition_in("fade-in d-block").transition_out("fade-out d-block")),
            r##"[["toggle",{"ins":[["fade-in","d-block"],[],[]],"outs":[["fade-out","d-block"],[],[]],"to":"#modal"}]]"##,
        );
        // JS.toggle(to: "#modal", in: {"fade-in", "opacity-0", "opacity-100"}, out: {"fade-out", "opacity-100", "opacity-0"})
        check(
            JS::new().toggle(
                Toggle::new().to("#modal").transition_in(("fade-in", "opacity-0", "opacity-100")).transition_out((
                    "fade-out",
                    "opacity-100",
                    "opacity-0",
                )),
            ),
            r##"[["toggle",{"ins":[["fade-in"],["opacity-0"],["opacity-100"]],"outs":[["fade-out"],["opacity-100"],["opacity-0"]],"to":"#modal"}]]"##,
        );
        // JS.toggle(to: "#modal", time: 123), JS.toggle(to: "#modal", display: "block")
        check(JS::new().toggle(Toggle::new().to("#modal").time(123)), r##"[["toggle",{"time":123,"to":"#modal"}]]"##);
        check(
            JS::new().toggle(Toggle::new().to("#modal").display("block")),
            r##"[["toggle",{"display":"block","to":"#modal"}]]"##,
        );
        // JS.toggle(to: "#modal", blocking: false)
        check(
            JS::new().toggle(Toggle::new().to("#modal").blocking(false)),
            r##"[["toggle",{"blocking":false,"to":"#modal"}]]"##,
        );
    }

    #[test]
    fn show_encodes_transition_time_display_and_blocking() {
        // JS.show(to: "#modal"), JS.show(to: {:inner, ".modal"}), JS.show()
        check(JS::new().show("#modal"), r##"[["show",{"to":"#modal"}]]"##);
        check(JS::new().show(inner(".modal")), r#"[["show",{"to":{"inner":".modal"}}]]"#);
        check(JS::new().show(Show::new()), r#"[["show",{}]]"#);
        // JS.show(to: "#modal", transition: "fade-in d-block")
        check(
            JS::new().show(Show::new().to("#modal").transition("fade-in d-block")),
            r##"[["show",{"to":"#modal","transition":[["fade-in","d-block"],[],[]]}]]"##,
        );
        // JS.show(to: "#modal", transition: {"fade-in d-block", "opacity-0 -translate-x-full", "opacity-100 translate-x-0"})
        check(
            JS::new().show(Show::new().to("#modal").transition((
                "fade-in d-block",
                "opacity-0 -translate-x-full",
                "opacity-100 translate-x-0",
            ))),
            r##"[["show",{"to":"#modal","transition":[["fade-in","d-block"],["opacity-0","-translate-x-full"],["opacity-100","translate-x-0"]]}]]"##,
        );
        // JS.show(to: "#modal", time: 123), JS.show(to: "#modal", display: "block")
        check(JS::new().show(Show::new().to("#modal").time(123)), r##"[["show",{"time":123,"to":"#modal"}]]"##);
        check(
            JS::new().show(Show::new().to("#modal").display("block")),
            r##"[["show",{"display":"block","to":"#modal"}]]"##,
        );
        // JS.show(to: "#modal", transition: "fade", time: 300, display: "flex", blocking: true)
        check(
            JS::new().show(Show::new().to("#modal").transition("fade").time(300).display("flex").blocking(true)),
            r##"[["show",{"blocking":true,"display":"flex","time":300,"to":"#modal","transition":[["fade"],[],[]]}]]"##,
        );
    }

    #[test]
    fn hide_encodes_transition_time_and_blocking() {
        // JS.hide(to: "#modal"), JS.hide(to: {:closest, "a"}), JS.hide()
        check(JS::new().hide("#modal"), r##"[["hide",{"to":"#modal"}]]"##);
        check(JS::new().hide(closest("a")), r#"[["hide",{"to":{"closest":"a"}}]]"#);
        check(JS::new().hide(Hide::new()), r#"[["hide",{}]]"#);
        // JS.hide(to: "#modal", transition: "fade-out d-block")
        check(
            JS::new().hide(Hide::new().to("#modal").transition("fade-out d-block")),
            r##"[["hide",{"to":"#modal","transition":[["fade-out","d-block"],[],[]]}]]"##,
        );
        // JS.hide(to: "#modal", time: 123), JS.hide(to: "#modal", time: 0)
        check(JS::new().hide(Hide::new().to("#modal").time(123)), r##"[["hide",{"time":123,"to":"#modal"}]]"##);
        check(JS::new().hide(Hide::new().to("#modal").time(0)), r##"[["hide",{"time":0,"to":"#modal"}]]"##);
        // JS.hide(transition: "fade-out", blocking: false)
        check(
            JS::new().hide(Hide::new().transition("fade-out").blocking(false)),
            r#"[["hide",{"blocking":false,"transition":[["fade-out"],[],[]]}]]"#,
        );
    }

    #[test]
    fn class_commands_split_names_and_encode_transitions() {
        for (kind, add) in [
            ("add_class", JS::add_class as fn(JS, Classes) -> JS),
            ("remove_class", JS::remove_class),
            ("toggle_class", JS::toggle_class),
        ] {
            let case =
                |classes: Classes, args: &str| check(add(JS::new(), classes), &format!(r#"[["{kind}",{args}]]"#));
            // JS.add_class("show"), JS.add_class("show", to: {:closest, "a"}), ... to: "#modal"
            case("show".into(), r#"{"names":["show"]}"#);
            case(Classes::new("show").to(closest("a")), r#"{"names":["show"],"to":{"closest":"a"}}"#);
            case(Classes::new("show").to("#modal"), r##"{"names":["show"],"to":"#modal"}"##);
            // JS.add_class("show hl"), with extra spaces (`trim: true` drops empty names)
            case("show hl".into(), r#"{"names":["show","hl"]}"#);
            case(" show  hl ".into(), r#"{"names":["show","hl"]}"#);
            // JS.add_class("show", time: 543)
            case(Classes::new("show").time(543), r#"{"names":["show"],"time":543}"#);
            // JS.add_class("show", transition: "fade"), ... blocking: false
            case(Classes::new("show").transition("fade"), r#"{"names":["show"],"transition":[["fade"],[],[]]}"#);
            case(
                Classes::new("show").transition("fade").blocking(false),
                r#"{"blocking":false,"names":["show"],"transition":[["fade"],[],[]]}"#,
            );
            // JS.add_class("c", transition: "a b")
            case(Classes::new("c").transition("a b"), r#"{"names":["c"],"transition":[["a","b"],[],[]]}"#);
            // JS.add_class("show", transition: {"fade", "opacity-0", "opacity-100"})
            case(
                Classes::new("show").transition(("fade", "opacity-0", "opacity-100")),
                r#"{"names":["show"],"transition":[["fade"],["opacity-0"],["opacity-100"]]}"#,
            );
            // JS.add_class("show", to: "#modal", time: 100)
            case(Classes::new("show").to("#modal").time(100), r##"{"names":["show"],"time":100,"to":"#modal"}"##);
        }
    }

    #[test]
    fn transition_encodes_three_class_lists() {
        // JS.transition("shake"), ... to: "#modal", ... to: {:inner, "a"}
        check(JS::new().transition("shake"), r#"[["transition",{"transition":[["shake"],[],[]]}]]"#);
        check(
            JS::new().transition(TransitionCommand::new("shake").to("#modal")),
            r##"[["transition",{"to":"#modal","transition":[["shake"],[],[]]}]]"##,
        );
        check(
            JS::new().transition(TransitionCommand::new("shake").to(inner("a"))),
            r#"[["transition",{"to":{"inner":"a"},"transition":[["shake"],[],[]]}]]"#,
        );
        // JS.transition("shake swirl", to: "#modal")
        check(
            JS::new().transition(TransitionCommand::new("shake swirl").to("#modal")),
            r##"[["transition",{"to":"#modal","transition":[["shake","swirl"],[],[]]}]]"##,
        );
        // JS.transition({"shake swirl", "opacity-0 a", "opacity-100 b"}, to: "#modal")
        check(
            JS::new().transition(TransitionCommand::new(("shake swirl", "opacity-0 a", "opacity-100 b")).to("#modal")),
            r##"[["transition",{"to":"#modal","transition":[["shake","swirl"],["opacity-0","a"],["opacity-100","b"]]}]]"##,
        );
        check(
            JS::new().transition(("shake swirl", "opacity-0 a", "opacity-100 b")),
            r#"[["transition",{"transition":[["shake","swirl"],["opacity-0","a"],["opacity-100","b"]]}]]"#,
        );
        // JS.transition("shake", to: "#modal", time: 123), ... blocking: false
        check(
            JS::new().transition(TransitionCommand::new("shake").to("#modal").time(123)),
            r##"[["transition",{"time":123,"to":"#modal","transition":[["shake"],[],[]]}]]"##,
        );
        check(
            JS::new().transition(TransitionCommand::new(Transition::new("shake", "", "")).blocking(false)),
            r#"[["transition",{"blocking":false,"transition":[["shake"],[],[]]}]]"#,
        );
    }

    #[test]
    fn attribute_commands() {
        // JS.set_attribute({"aria-expanded", "true"}), ... to: "#dropdown", ... to: {:inner, ".dropdown"}
        check(
            JS::new().set_attribute("aria-expanded", "true", To::This),
            r#"[["set_attr",{"attr":["aria-expanded","true"]}]]"#,
        );
        check(
            JS::new().set_attribute("aria-expanded", "true", "#dropdown"),
            r##"[["set_attr",{"attr":["aria-expanded","true"],"to":"#dropdown"}]]"##,
        );
        check(
            JS::new().set_attribute("aria-expanded", "true", inner(".dropdown")),
            r#"[["set_attr",{"attr":["aria-expanded","true"],"to":{"inner":".dropdown"}}]]"#,
        );
        // JS.remove_attribute("aria-expanded"), ... to: "#dropdown"
        check(JS::new().remove_attribute("aria-expanded", To::This), r#"[["remove_attr",{"attr":"aria-expanded"}]]"#);
        check(
            JS::new().remove_attribute("aria-expanded", "#dropdown"),
            r##"[["remove_attr",{"attr":"aria-expanded","to":"#dropdown"}]]"##,
        );
        // JS.toggle_attribute({"open", "true"}), ... {"aria-expanded", "true", "false"}, to: "#dropdown"
        check(JS::new().toggle_attribute("open", "true", To::This), r#"[["toggle_attr",{"attr":["open","true"]}]]"#);
        check(
            JS::new().toggle_attribute_between("aria-expanded", "true", "false", "#dropdown"),
            r##"[["toggle_attr",{"attr":["aria-expanded","true","false"],"to":"#dropdown"}]]"##,
        );
        check(
            JS::new().toggle_attribute_between("aria-expanded", "true", "false", inner(".dropdown")),
            r#"[["toggle_attr",{"attr":["aria-expanded","true","false"],"to":{"inner":".dropdown"}}]]"#,
        );
        // JS.ignore_attributes(["open", "data-*"], to: "#my-dialog"), JS.ignore_attributes("open")
        check(
            JS::new().ignore_attributes(["open", "data-*"], "#my-dialog"),
            r##"[["ignore_attrs",{"attrs":["open","data-*"],"to":"#my-dialog"}]]"##,
        );
        check(JS::new().ignore_attributes(["open"], To::This), r#"[["ignore_attrs",{"attrs":["open"]}]]"#);
    }

    #[test]
    fn focus_commands_and_exec() {
        // JS.focus(), JS.focus(to: "input"), JS.focus(to: {:inner, "input"})
        check(JS::new().focus(To::This), r#"[["focus",{}]]"#);
        check(JS::new().focus("input"), r#"[["focus",{"to":"input"}]]"#);
        check(JS::new().focus(inner("input")), r#"[["focus",{"to":{"inner":"input"}}]]"#);
        // JS.focus_first(), JS.focus_first(to: {:inner, "input"})
        check(JS::new().focus_first(To::This), r#"[["focus_first",{}]]"#);
        check(JS::new().focus_first(inner("input")), r#"[["focus_first",{"to":{"inner":"input"}}]]"#);
        // JS.push_focus(), JS.push_focus(to: "input"), JS.pop_focus()
        check(JS::new().push_focus(To::This), r#"[["push_focus",{}]]"#);
        check(JS::new().push_focus("input"), r#"[["push_focus",{"to":"input"}]]"#);
        check(JS::new().pop_focus(), r#"[["pop_focus",{}]]"#);
        // JS.exec("phx-remove"), JS.exec("phx-remove", to: "#modal")
        check(JS::new().exec("phx-remove", To::This), r#"[["exec",{"attr":"phx-remove"}]]"#);
        check(JS::new().exec("phx-remove", "#modal"), r##"[["exec",{"attr":"phx-remove","to":"#modal"}]]"##);
        check(
            JS::new().exec("data-open", closest(".row")),
            r#"[["exec",{"attr":"data-open","to":{"closest":".row"}}]]"#,
        );
    }

    #[test]
    fn selectors_from_strings_and_scopes() {
        let id = String::from("#a");
        check(
            JS::new().hide(&id).hide(id.clone()).hide(To::Selector(id)),
            r##"[["hide",{"to":"#a"}],["hide",{"to":"#a"}],["hide",{"to":"#a"}]]"##,
        );
        assert_eq!(serde_json::to_string(&To::This).unwrap(), "null");
        assert_eq!(serde_json::to_string(&closest("li")).unwrap(), r#"{"closest":"li"}"#);
    }

    #[test]
    fn commands_chain_and_concat_in_order() {
        // JS.push("inc") |> JS.push("dec", loading: ".foo")
        check(
            JS::new().push("inc").push(Push::new("dec").loading(".foo")),
            r#"[["push",{"event":"inc"}],["push",{"event":"dec","loading":".foo"}]]"#,
        );
        // JS.concat(JS.push("inc", value: %{one: 1, two: 2}), JS.add_class("show", to: "#modal", time: 100))
        // |> JS.concat(JS.remove_class("show"))
        let js = JS::new()
            .push(Push::new("inc").value(json!({"one": 1, "two": 2})))
            .concat(JS::new().add_class(Classes::new("show").to("#modal").time(100)))
            .concat(JS::new().remove_class("show"));
        check(
            js,
            r##"[["push",{"event":"inc","value":{"one":1,"two":2}}],["add_class",{"names":["show"],"time":100,"to":"#modal"}],["remove_class",{"names":["show"]}]]"##,
        );
        // JS.set_attribute({"expanded", "true"}) |> JS.focus() |> ... |> JS.pop_focus()
        check(
            JS::new().set_attribute("expanded", "true", To::This).push_focus(To::This).focus_first("#menu").pop_focus(),
            r##"[["set_attr",{"attr":["expanded","true"]}],["push_focus",{}],["focus_first",{"to":"#menu"}],["pop_focus",{}]]"##,
        );
        check(JS::new(), "[]");
        assert!(JS::new().is_empty());
        assert!(!JS::new().pop_focus().is_empty());
    }

    #[test]
    fn an_attribute_value_is_the_json_for_the_host_to_escape() {
        let js = JS::new().push(Push::new("say").value(json!({"text": "a \"b\" & <c> 'd' &amp;"})));
        let json = r#"[["push",{"event":"say","value":{"text":"a \"b\" & <c> 'd' &amp;"}}]]"#;
        assert_eq!(js.to_string(), json);
        // The attribute node carries the JSON itself; the host escapes it once.
        assert_eq!((&js).value(), Some(Some(json.to_owned())));
        assert_eq!(js.value(), Some(Some(json.to_owned())));
    }
}
