//! Building a render: templates (static markup, known at compile time) and the nodes that
//! fill their slots. The result is the flat `parts` arena the host diffs.

use std::collections::HashSet;
use std::fmt::Display;

use crate::bindings::liveplug::view::parts;

/// Static markup around dynamic slots: `n + 1` strings for `n` slots. Declare templates as
/// constants; the id is a hash of the statics, so it is stable across renders and builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    id: u64,
    statics: &'static [&'static str],
}

impl Template {
    /// A template from its statics. Panics at compile time (in a `const`) when `statics` is
    /// empty.
    pub const fn new(statics: &'static [&'static str]) -> Self {
        assert!(!statics.is_empty(), "a template has at least one static");
        Self { id: fingerprint(statics), statics }
    }

    /// The number of dynamic slots.
    pub const fn slots(&self) -> usize {
        self.statics.len() - 1
    }

    pub const fn id(&self) -> u64 {
        self.id
    }
}

/// FNV-1a over the statics, with a separator so that `["ab", "c"]` and `["a", "bc"]` differ.
const fn fingerprint(statics: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < statics.len() {
        let bytes = statics[i].as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            hash ^= bytes[j] as u64;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
            j += 1;
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// A node of the render being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node(u32);

/// The render being built. Statics of a template cross to the host only the first time this
/// instance uses it.
#[derive(Debug)]
pub struct Render<'a> {
    nodes: Vec<parts::Node>,
    new_templates: Vec<parts::Template>,
    sent: &'a mut HashSet<u64>,
}

impl<'a> Render<'a> {
    pub(crate) fn new(sent: &'a mut HashSet<u64>) -> Self {
        Self { nodes: Vec::new(), new_templates: Vec::new(), sent }
    }

    fn push(&mut self, node: parts::Node) -> Node {
        self.nodes.push(node);
        Node(u32::try_from(self.nodes.len() - 1).unwrap_or(u32::MAX))
    }

    /// Text, HTML-escaped (safe both in element content and in quoted attribute values).
    pub fn text(&mut self, value: impl Display) -> Node {
        let text = value.to_string();
        self.push(parts::Node::Text(html_escape::encode_safe(&text).into_owned()))
    }

    /// Markup inserted as is. Only for HTML you built or sanitized yourself.
    pub fn raw(&mut self, html: impl Into<String>) -> Node {
        self.push(parts::Node::Text(html.into()))
    }

    /// A template instance with one node per slot.
    ///
    /// # Panics
    /// When the number of nodes differs from the template's slots: a bug in the view.
    pub fn tree<const N: usize>(&mut self, template: &Template, slots: [Node; N]) -> Node {
        assert_eq!(N, template.slots(), "template has {} slots, got {N}", template.slots());
        if self.sent.insert(template.id) {
            let statics = template.statics.iter().map(|s| (*s).to_owned()).collect();
            self.new_templates.push(parts::Template { id: template.id, statics });
        }
        let slots = slots.iter().map(|node| node.0).collect();
        self.push(parts::Node::Tree(parts::TreeNode { template: template.id, slots }))
    }

    /// The same as the previous render at this position: the host keeps what it has.
    pub fn unchanged(&mut self) -> Node {
        self.push(parts::Node::Unchanged)
    }

    pub(crate) fn finish(self, root: Node) -> parts::Parts {
        parts::Parts { new_templates: self.new_templates, nodes: self.nodes, root: root.0, components: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_ids_depend_on_every_static() {
        assert_ne!(Template::new(&["ab", "c"]).id(), Template::new(&["a", "bc"]).id());
        assert_eq!(Template::new(&["<p>", "</p>"]).id(), Template::new(&["<p>", "</p>"]).id());
    }

    #[test]
    fn statics_are_sent_once_per_instance() {
        const P: Template = Template::new(&["<p>", "</p>"]);
        let mut sent = HashSet::new();
        let mut r = Render::new(&mut sent);
        let t = r.text("<a&b>");
        let root = r.tree(&P, [t]);
        let parts = r.finish(root);
        assert_eq!(parts.new_templates.len(), 1);
        assert!(matches!(&parts.nodes[0], parts::Node::Text(s) if s == "&lt;a&amp;b&gt;"));
        let mut r = Render::new(&mut sent);
        let t = r.text("x");
        let root = r.tree(&P, [t]);
        assert!(r.finish(root).new_templates.is_empty());
    }
}
