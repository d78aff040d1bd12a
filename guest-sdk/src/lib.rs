//! Write Liveplug views in Rust.
//!
//! A view is a type that implements [`LiveView`] and is exported with [`export!`]. Built with
//! `cargo build --target wasm32-wasip2`, it becomes a WebAssembly component that any Liveplug
//! host serves at `/<file stem>`.
//!
//! ```ignore
//! use liveplug_guest::{Event, LiveView, Node, Render, Template, ViewError};
//!
//! #[derive(Default)]
//! struct Counter { count: i64 }
//!
//! const PAGE: Template = Template::new(&["<p>Count: ", "</p><button phx-click=\"inc\">+</button>"]);
//!
//! impl LiveView for Counter {
//!     fn handle_event(&mut self, event: Event) -> Result<Option<serde_json::Value>, ViewError> {
//!         match event.name.as_str() {
//!             "inc" => self.count += 1,
//!             _ => return Err(event.unknown()),
//!         }
//!         Ok(None)
//!     }
//!
//!     fn render(&self, r: &mut Render) -> Node {
//!         let count = r.text(self.count);
//!         r.tree(&PAGE, [count])
//!     }
//! }
//!
//! liveplug_guest::export!(Counter);
//! ```

// `html!` names this crate by its public path; inside the crate too.
extern crate self as liveplug_guest;

mod export;
mod html;
mod list;
mod render;
mod stream;
mod view;

pub use self::html::{Assign, AttrValue, Component, Dynamic, Html, Raw, raw};
pub use self::list::{List, Row};
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
    use crate::bindings::liveplug::view::page as host;

    /// Sets the document title; the host sends it only when it changes.
    pub fn set_title(title: &str) {
        host::set_title(title);
    }

    /// Dispatches `phx:<name>` in the browser (and to hooks' `handleEvent`) after the page is
    /// patched.
    pub fn push_event(name: &str, payload: &serde_json::Value) {
        host::push_event(name, &payload.to_string(), false);
    }
}

/// Logging into the host's log, tagged with this view's name.
pub mod log {
    use crate::bindings::liveplug::view::log::{Level, log};

    pub fn info(message: &str) {
        log(Level::Info, message);
    }

    pub fn warn(message: &str) {
        log(Level::Warn, message);
    }

    pub fn error(message: &str) {
        log(Level::Error, message);
    }
}

#[doc(hidden)]
pub mod __private {
    pub use crate::export::Exported;
    pub use crate::html::{Dynamic, Probe, TrackedProbe, UntrackedProbe, attribute};
}
