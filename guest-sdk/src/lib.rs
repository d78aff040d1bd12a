//! Write Liveplug views in Rust.
//!
//! A view is a type that implements [`LiveView`] and is exported with [`export!`]. Built with
//! `cargo build --target wasm32-wasip2`, it becomes a WebAssembly component that a Liveplug
//! host serves at `/<file stem>` to the stock Phoenix LiveView client. The walkthrough below
//! runs natively as doc tests ([`testing::render_html`] renders a view without a host).
//!
//! # 1. A counter
//!
//! Markup is written with [`html!`]: elements, `"text"` literals, `{expressions}`. Statics are
//! split from dynamics at compile time, and every dynamic is HTML-escaped. Fields held in an
//! [`Assign`] are change-tracked: after an event, only the dynamics that read a changed
//! `self.field` are evaluated again; the rest is reported to the host as unchanged.
//!
//! ```
//! use liveplug_guest::{Assign, Event, LiveView, Node, Render, ViewError, html, testing};
//! use serde_json::{Value, json};
//!
//! #[derive(Default)]
//! struct Counter {
//!     count: Assign<i64>,
//! }
//!
//! impl LiveView for Counter {
//!     fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
//!         match event.name.as_str() {
//!             "inc" => *self.count += 1,
//!             _ => return Err(event.unknown()),
//!         }
//!         Ok(None)
//!     }
//!
//!     fn render(&self, r: &mut Render) -> Node {
//!         html! {
//!             <p>"Count: " <span id="count">{*self.count}</span></p>
//!             <button phx-click="inc">"+"</button>
//!         }
//!         .render(r)
//!     }
//! }
//!
//! let mut counter = Counter::default();
//! counter.handle_event(Event { name: "inc".into(), value: json!({}), target: None }).unwrap();
//! assert_eq!(
//!     testing::render_html(&counter),
//!     r#"<p>Count: <span id="count">1</span></p><button phx-click="inc">+</button>"#
//! );
//! // An event the view does not handle is an error, not a panic.
//! let error = counter.handle_event(Event { name: "nope".into(), value: json!({}), target: None });
//! assert_eq!(error.unwrap_err().message, "unknown event \"nope\"");
//! ```
//!
//! In a crate built as a `cdylib`, export it: `liveplug_guest::export!(Counter);`, or, since
//! its state can derive serde's `Serialize` and `Deserialize`,
//! `liveplug_guest::export!(Counter, snapshot);` so that the host can hibernate idle sessions
//! (section 5).
//!
//! # 2. A form
//!
//! Form events arrive decoded (`user[name]=…` becomes `{"user": {"name": …}}`); read them into
//! your own types with [`Event::params`]. Dynamic attributes take strings and numbers,
//! `bool`s (present or absent) and `Option`s (absent when `None`).
//!
//! ```
//! use liveplug_guest::{Assign, Event, LiveView, Node, Render, ViewError, html, testing};
//! use serde::Deserialize;
//! use serde_json::{Value, json};
//!
//! #[derive(Deserialize)]
//! struct Signup {
//!     email: String,
//! }
//!
//! #[derive(Default)]
//! struct Form {
//!     email: Assign<String>,
//!     error: Assign<Option<String>>,
//! }
//!
//! impl LiveView for Form {
//!     fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
//!         let Signup { email } = event.params()?;
//!         self.error.set((!email.contains('@')).then(|| "not an email".to_owned()));
//!         self.email.set(email);
//!         Ok(None)
//!     }
//!
//!     fn render(&self, r: &mut Render) -> Node {
//!         html! {
//!             <form id="signup" phx-change="validate" phx-submit="save">
//!                 <input name="email" value={&*self.email} aria-invalid={self.error.is_some()} />
//!                 <p :if={self.error.is_some()} class="error">{self.error.as_deref()}</p>
//!             </form>
//!         }
//!         .render(r)
//!     }
//! }
//!
//! let mut form = Form::default();
//! form.handle_event(Event { name: "validate".into(), value: json!({"email": "ada"}), target: None }).unwrap();
//! assert_eq!(
//!     testing::render_html(&form),
//!     r#"<form id="signup" phx-change="validate" phx-submit="save"><input name="email" value="ada" aria-invalid><p class="error">not an email</p></form>"#
//! );
//! ```
//!
//! # 3. A list
//!
//! `:for={pattern in iterable}` repeats an element; `:key` identifies items across renders so
//! that a reorder is sent as moves. Keep rows in a [`List`] and only the rows you wrote are
//! evaluated again; the others cross to the host as their keys.
//!
//! ```
//! use liveplug_guest::{List, LiveView, Node, Render, html, testing};
//!
//! struct Todo {
//!     id: u32,
//!     title: String,
//!     done: bool,
//! }
//!
//! #[derive(Default)]
//! struct Todos {
//!     todos: List<Todo>,
//! }
//!
//! impl LiveView for Todos {
//!     fn render(&self, r: &mut Render) -> Node {
//!         html! {
//!             <ul id="todos">
//!                 <li :for={todo in self.todos.iter()} :key={todo.id} id={format!("todo-{}", todo.id)} class={todo.done.then_some("done")}>
//!                     {&todo.title}
//!                 </li>
//!             </ul>
//!         }
//!         .render(r)
//!     }
//! }
//!
//! let mut view = Todos::default();
//! view.todos.push(Todo { id: 1, title: "write".into(), done: true });
//! view.todos.push(Todo { id: 2, title: "ship".into(), done: false });
//! assert_eq!(
//!     testing::render_html(&view),
//!     r#"<ul id="todos"><li id="todo-1" class="done">write</li><li id="todo-2">ship</li></ul>"#
//! );
//! ```
//!
//! # 4. Components
//!
//! A *function component* is a plain function returning `html!`. A *stateful component* has
//! its own state and events: implement [`LiveComponent`] (its markup is one root element with
//! an `id`), keep them in [`Components`], place one with [`Components::place`], and route
//! events with [`Components::handle_event`]: markup inside sends them to the component with
//! `phx-target="#<its id>"`. (`examples/contacts` makes every table row one.) At the lowest
//! level, [`Component`]`(id)` places a component whose markup you render yourself with
//! [`Render::component_root`], as here:
//!
//! ```
//! use liveplug_guest::{Component, Html, LiveView, Node, Render, html, testing};
//!
//! fn badge(label: &str) -> Html<impl FnOnce(&mut Render<'_>) -> Node + '_> {
//!     html! { <span class="badge">{label}</span> }
//! }
//!
//! #[derive(Default)]
//! struct Page;
//!
//! impl LiveView for Page {
//!     fn render(&self, r: &mut Render) -> Node {
//!         let card = html! {
//!             <div id="card-7"><button phx-click="like" phx-target="#card-7">"Like"</button></div>
//!         }
//!         .render(r);
//!         r.component_root(7, card);
//!         html! { <main>{badge("new")} {Component(7)}</main> }.render(r)
//!     }
//! }
//!
//! assert_eq!(
//!     testing::render_html(&Page),
//!     r##"<main><span class="badge">new</span><div id="card-7"><button phx-click="like" phx-target="#card-7">Like</button></div></main>"##
//! );
//! ```
//!
//! Markup from elsewhere can be inserted unescaped with [`raw`]; page effects (title, pushed
//! events) are in [`page`], URL changes in [`navigation`], notices in [`flash`], data shared
//! by a live session's views in [`keyvalue`]; streams ([`Stream`]) send items once and keep
//! none. Built natively (unit tests), these capabilities talk to a stand-in that
//! [`testing::host`] reads.
//!
//! # 5. Snapshots
//!
//! The host can free an idle session's instance and resume it later in a fresh one, and carry
//! sessions over to a new build of a view, if the view snapshots. Derive serde's traits (the
//! SDK's [`Assign`], [`List`] and [`Components`] serialize as their contents) and export with
//! `snapshot`; after a restore the first render is complete, so the browser sees exactly what
//! it would have without the snapshot. See [`snapshot`] for the envelope, versions
//! ([`LiveView::migrate`]) and streams.
//!
//! ```
//! use liveplug_guest::{Assign, List, LiveView, Node, Render, html, snapshot, testing};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Default, Serialize, Deserialize)]
//! struct Todos {
//!     filter: Assign<String>,
//!     todos: List<(u32, String)>,
//! }
//!
//! impl LiveView for Todos {
//!     fn render(&self, r: &mut Render) -> Node {
//!         html! { <ul class={&*self.filter}><li :for={todo in self.todos.iter()} :key={todo.0}>{&todo.1}</li></ul> }
//!             .render(r)
//!     }
//! }
//!
//! let mut view = Todos::default();
//! view.filter.set("all".into());
//! view.todos.push((1, "write".into()));
//! let text = snapshot::encode(&view, 1).unwrap();
//! assert_eq!(text, r#"{"v":1,"state":{"filter":"all","todos":[[1,"write"]]}}"#);
//! let restored: Todos = snapshot::decode(&text, 1).unwrap();
//! assert_eq!(testing::render_html(&restored), testing::render_html(&view));
//! // In the crate: liveplug_guest::export!(Todos, snapshot);
//! ```

// `html!` names this crate by its public path; inside the crate too.
extern crate self as liveplug_guest;

mod component;
mod export;
mod html;
mod imports;
pub mod js;
pub mod links;
mod list;
mod realtime;
mod render;
pub mod snapshot;
mod stream;
pub mod testing;
mod view;

pub use self::component::{Components, LiveComponent};
pub use self::html::{Assign, AttrValue, Component, Dynamic, Html, Raw, raw};
pub use self::list::{List, Row};
pub use self::realtime::{Message, Presence, PresenceDiff, Presences, TimerId, presence, pubsub, timers};
pub use self::render::{Item, Node, Render, Template};
pub use self::stream::{At, Stream};
pub use self::view::{Event, LiveView, Mount, ViewError};
pub use liveplug_guest_macros::html;

/// The WIT bindings (generated from `wit/`). View code rarely needs them directly.
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "live-view",
        pub_export_macro: true,
        default_bindings_module: "liveplug_guest::bindings",
        export_macro_name: "__export_live_view",
    });
}

/// Host capabilities a handler can use.
pub mod page {
    /// Sets the document title; the host sends it only when it changes.
    pub fn set_title(title: &str) {
        crate::imports::set_title(title);
    }

    /// Dispatches `phx:<name>` in the browser (and to hooks' `handleEvent`) after the page is
    /// patched.
    pub fn push_event(name: &str, payload: &serde_json::Value) {
        crate::imports::push_event(name, &payload.to_string(), false);
    }
}

/// Where the browser goes next: patch the URL, navigate to another view, or redirect. The
/// last call of a handler wins; the host sends it with the handler's reply.
///
/// Paths are local (`/items?page=2`); [`navigation::redirect_external`] alone leaves the host.
/// A target the host refuses (not a path, not an http(s) URL) ends the session with a clear
/// error, as Phoenix raises.
pub mod navigation {
    /// Changes the URL within this view, without a page load: the host calls
    /// [`crate::LiveView::handle_params`] for `to` (a path this view is routed at) and
    /// renders; the browser's URL (and history, unless `replace`) follows. Phoenix's
    /// `push_patch`.
    pub fn push_patch(to: &str, replace: bool) {
        crate::imports::push_patch(to, replace);
    }

    /// Mounts the view routed at `to` over the same socket if it is in this view's live
    /// session, else loads the page. Phoenix's `push_navigate`.
    pub fn push_navigate(to: &str, replace: bool) {
        crate::imports::push_navigate(to, replace);
    }

    /// Ends this view with a full page load of `to`, a path on this host. The flash put in
    /// this handler goes along.
    pub fn redirect(to: &str) {
        crate::imports::redirect(to);
    }

    /// A full page load of an absolute `http(s)` URL, possibly on another host.
    pub fn redirect_external(url: &str) {
        crate::imports::redirect_external(url);
    }
}

/// Flash messages: short notices by kind (`"info"`, `"error"`...) that the host keeps for
/// the session, shows after redirects and live navigation, and clears when the browser sends
/// `lv:clear-flash` (the view is rendered again; its `handle_event` is not called). Read them
/// in `render` with [`flash::get`]: such a dynamic is re-evaluated on every render.
///
/// ```
/// use liveplug_guest::{LiveView, Node, Render, flash, html, testing};
///
/// #[derive(Default)]
/// struct Saved;
///
/// impl LiveView for Saved {
///     fn render(&self, r: &mut Render) -> Node {
///         html! { <p id="flash-info" phx-click="lv:clear-flash" phx-value-key="info">{flash::get("info").unwrap_or_default()}</p> }
///             .render(r)
///     }
/// }
///
/// // Natively (tests), the host is a stand-in that `testing::host` reads.
/// flash::put("info", "Saved");
/// assert_eq!(testing::render_html(&Saved), r#"<p id="flash-info" phx-click="lv:clear-flash" phx-value-key="info">Saved</p>"#);
/// assert_eq!(testing::host().flash.get("info").map(String::as_str), Some("Saved"));
/// ```
pub mod flash {
    /// Sets the message of `kind`.
    pub fn put(kind: &str, message: &str) {
        crate::imports::flash_put(kind, message);
    }

    /// Removes the message of `kind`.
    pub fn clear(kind: &str) {
        crate::imports::flash_clear(Some(kind));
    }

    /// Removes every message.
    pub fn clear_all() {
        crate::imports::flash_clear(None);
    }

    /// The message of `kind`, if any.
    pub fn get(kind: &str) -> Option<String> {
        crate::imports::flash_get(kind)
    }

    /// Every message, as (kind, message) sorted by kind.
    pub fn all() -> Vec<(String, String)> {
        crate::imports::flash_all()
    }
}

/// A small key-value map shared by the views of this view's live session on this host, for
/// demos and caches: in memory, gone when the host restarts, not shared between hosts. Keep an
/// application's real data in a database.
pub mod keyvalue {
    use crate::view::ViewError;

    /// The text stored at `key`.
    pub fn get(key: &str) -> Option<String> {
        crate::imports::kv_get(key)
    }

    /// Stores `value` at `key`; an error when the host's limits would be exceeded.
    pub fn set(key: &str, value: &str) -> Result<(), ViewError> {
        crate::imports::kv_set(key, value).map_err(ViewError::new)
    }

    /// Removes `key`; whether it was set.
    pub fn delete(key: &str) -> bool {
        crate::imports::kv_delete(key)
    }

    /// The keys that start with `prefix`, sorted.
    pub fn keys(prefix: &str) -> Vec<String> {
        crate::imports::kv_keys(prefix)
    }

    /// The value at `key` as a serde type; `None` when unset or not of that shape.
    pub fn get_json<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
        get(key).and_then(|text| serde_json::from_str(&text).ok())
    }

    /// Stores `value` at `key` as JSON.
    pub fn set_json<T: serde::Serialize>(key: &str, value: &T) -> Result<(), ViewError> {
        set(key, &serde_json::to_string(value)?)
    }
}

/// Logging into the host's log, tagged with this view's name.
pub mod log {
    /// A log line's level.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Level {
        Info,
        Warn,
        Error,
    }

    pub fn info(message: &str) {
        crate::imports::log(Level::Info, message);
    }

    pub fn warn(message: &str) {
        crate::imports::log(Level::Warn, message);
    }

    pub fn error(message: &str) {
        crate::imports::log(Level::Error, message);
    }
}

#[doc(hidden)]
pub mod __private {
    pub use crate::export::{Exported, Manual, Snapshots, serde_snapshot};
    pub use crate::html::{Dynamic, Probe, TrackedProbe, UntrackedProbe, attribute};
}
