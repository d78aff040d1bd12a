//! The rendered tree as the client holds it, and its HTML.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// A template known to a renderer. Its fingerprint identifies its statics, so that a template
/// that comes back with the same id but from a new instance (hot swap) is still recognised or
/// rejected by content, never by id alone.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct KnownTemplate {
    pub statics: Vec<String>,
    pub fingerprint: u64,
}

impl KnownTemplate {
    pub fn new(statics: Vec<String>) -> Self {
        let mut hasher = DefaultHasher::new();
        statics.hash(&mut hasher);
        Self { fingerprint: hasher.finish(), statics }
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
}

/// A template instance with its filled slots.
#[derive(Debug, Clone)]
pub(super) struct Tree {
    pub template: Arc<KnownTemplate>,
    pub slots: Vec<Node>,
}

impl Node {
    /// Appends the HTML of this node to `out`.
    pub fn write_html(&self, out: &mut String) {
        match self {
            Node::Text(text) => out.push_str(text),
            Node::Tree(tree) => tree.write_html(out),
        }
    }
}

impl Tree {
    pub fn write_html(&self, out: &mut String) {
        let mut statics = self.template.statics.iter();
        if let Some(first) = statics.next() {
            out.push_str(first);
        }
        for (slot, static_after) in self.slots.iter().zip(statics) {
            slot.write_html(out);
            out.push_str(static_after);
        }
    }
}
