//! Rendering a view natively, without a host: for unit tests and doc examples.
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

use std::collections::{HashMap, HashSet};

use crate::bindings::liveplug::view::parts::{self, Node as P};
use crate::render::Render;
use crate::view::LiveView;

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
    templates: HashMap<u64, &'a [String]>,
    components: HashMap<u32, u32>,
}

impl<'a> Html<'a> {
    fn new(parts: &'a parts::Parts) -> Self {
        let templates = parts.new_templates.iter().map(|t| (t.id, t.statics.as_slice())).collect();
        let components = parts.components.iter().map(|c| (c.id, c.root)).collect();
        Self { parts, templates, components }
    }

    fn statics(&self, template: u64, slots: &[u32], out: &mut String) {
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
            Some(P::Text(text)) => out.push_str(text),
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
