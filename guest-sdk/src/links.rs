//! Links for live navigation. The client needs both `data-phx-link` and
//! `data-phx-link-state` on such links, or its click handler throws; these helpers write both.
//!
//! ```
//! use liveplug_guest::{LiveView, Node, Render, html, links, testing};
//!
//! #[derive(Default)]
//! struct Nav;
//!
//! impl LiveView for Nav {
//!     fn render(&self, r: &mut Render) -> Node {
//!         html! { <nav>{links::patch("/items?page=2", "Next")} {links::navigate("/about", "About")}</nav> }.render(r)
//!     }
//! }
//!
//! assert_eq!(
//!     testing::render_html(&Nav),
//!     r#"<nav><a href="/items?page=2" data-phx-link="patch" data-phx-link-state="push">Next</a><a href="/about" data-phx-link="redirect" data-phx-link-state="push">About</a></nav>"#
//! );
//! ```

use crate::html;
use crate::html::Html;
use crate::render::{Node, Render};

/// A link that changes the URL within this view: the view's `handle_params` runs, no remount.
pub fn patch<'a>(href: &'a str, label: &'a str) -> Html<impl FnOnce(&mut Render<'_>) -> Node + 'a> {
    html! { <a href={href} data-phx-link="patch" data-phx-link-state="push">{label}</a> }
}

/// A link to another view over the same websocket (live navigation), without a page load.
pub fn navigate<'a>(href: &'a str, label: &'a str) -> Html<impl FnOnce(&mut Render<'_>) -> Node + 'a> {
    html! { <a href={href} data-phx-link="redirect" data-phx-link-state="push">{label}</a> }
}

/// [`patch`] that replaces the current history entry instead of pushing one.
pub fn patch_replace<'a>(href: &'a str, label: &'a str) -> Html<impl FnOnce(&mut Render<'_>) -> Node + 'a> {
    html! { <a href={href} data-phx-link="patch" data-phx-link-state="replace">{label}</a> }
}
