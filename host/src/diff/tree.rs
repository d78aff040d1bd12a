//! The rendered tree as the client holds it, and its HTML.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use super::root::is_single_root;

/// A template known to a renderer. Its fingerprint identifies its statics, so that templates
/// are compared by content, never by the guest's id alone.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct KnownTemplate {
    pub statics: Vec<String>,
    pub fingerprint: u64,
    /// Renders exactly one root element (`"r": 1` on the wire).
    pub single_root: bool,
}

impl KnownTemplate {
    pub fn with_fingerprint(statics: Vec<String>, fingerprint: u64) -> Self {
        Self { fingerprint, single_root: is_single_root(&statics), statics }
    }

    pub fn fingerprint_of(statics: &[String]) -> u64 {
        let mut hasher = DefaultHasher::new();
        statics.hash(&mut hasher);
        hasher.finish()
    }

    /// The number of dynamic slots.
    pub fn slots(&self) -> usize {
        self.statics.len().saturating_sub(1)
    }
}

/// A node of the rendered tree.
#[derive(Debug, Clone)]
pub(super) enum Node {
    Text(String),
    Tree(Tree),
    Keyed(Keyed),
    /// A stream keeps no items: they live only in the browser's DOM.
    Stream(StreamNode),
    /// A stateful component, by cid.
    Component(u32),
}

/// A template instance with its filled slots.
#[derive(Debug, Clone)]
pub(super) struct Tree {
    pub template: Arc<KnownTemplate>,
    pub slots: Vec<Node>,
}

/// A comprehension.
#[derive(Debug, Clone)]
pub(super) struct Keyed {
    pub template: Arc<KnownTemplate>,
    pub items: Vec<Item>,
}

/// One comprehension item.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub key: ItemKey,
    pub slots: Vec<Node>,
}

/// How an item is recognised across renders.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum ItemKey {
    Key(String),
    Position(usize),
}

/// A stream comprehension: its template and its wire ref.
#[derive(Debug, Clone)]
pub(super) struct StreamNode {
    pub template: Arc<KnownTemplate>,
    pub name: String,
    pub reference: String,
    /// The elements as the browser shows them, kept only for the dead render and for tests
    /// (`Renderer::keep_stream_html`).
    pub html: Option<super::pass::StreamHtml>,
}

/// Looks up a component's tree while writing HTML.
pub(super) trait ComponentTrees {
    fn tree(&self, cid: u32) -> Option<&Tree>;
}

impl Node {
    /// Appends the HTML of this node to `out`. Streams write only what a dead render
    /// captured: their items are not kept.
    pub fn write_html(&self, out: &mut String, components: &dyn ComponentTrees) {
        match self {
            Node::Text(text) => out.push_str(text),
            Node::Tree(tree) => tree.write_html(out, components),
            Node::Keyed(keyed) => {
                for item in &keyed.items {
                    write_statics(&keyed.template.statics, &item.slots, out, components);
                }
            }
            Node::Stream(stream) => {
                if let Some(html) = &stream.html {
                    html.write(out);
                }
            }
            Node::Component(cid) => {
                if let Some(tree) = components.tree(*cid) {
                    tree.write_html(out, components);
                }
            }
        }
    }
}

impl Tree {
    pub fn write_html(&self, out: &mut String, components: &dyn ComponentTrees) {
        write_statics(&self.template.statics, &self.slots, out, components);
    }
}

fn write_statics(statics: &[String], slots: &[Node], out: &mut String, components: &dyn ComponentTrees) {
    let mut statics = statics.iter();
    if let Some(first) = statics.next() {
        out.push_str(first);
    }
    for (slot, static_after) in slots.iter().zip(statics) {
        slot.write_html(out, components);
        out.push_str(static_after);
    }
}
