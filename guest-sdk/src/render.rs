//! Building a render: templates (static markup, known at compile time) and the nodes that
//! fill their slots. The result is the flat `parts` arena the host diffs.

use std::collections::HashSet;
use std::fmt::Display;

use crate::bindings::liveplug::view::parts;

/// Static markup around dynamic slots: `n + 1` strings for `n` slots. Declare templates as
/// constants; the id is a hash of the statics, so it is stable across renders and builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    id: u32,
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

    pub const fn id(&self) -> u32 {
        self.id
    }
}

/// 32-bit FNV-1a over the statics, with a separator so that `["ab", "c"]` and `["a", "bc"]`
/// differ. Two templates of one view with the same id (about one chance in ten million for a
/// view with a hundred templates) are refused by the host as a malformed render, never mixed up.
const fn fingerprint(statics: &[&str]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < statics.len() {
        let bytes = statics[i].as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            hash ^= bytes[j] as u32;
            hash = hash.wrapping_mul(0x0100_0193);
            j += 1;
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0193);
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
    components: Vec<parts::ComponentRoot>,
    sent: &'a mut HashSet<u32>,
    /// Inside a part that has no previous render to compare with (the first render, a branch
    /// that just appeared, a list item): every dynamic is evaluated.
    fresh: bool,
}

/// One item of a comprehension: its key, and its slots (or "unchanged since the last
/// render").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    key: Option<String>,
    slots: Option<Vec<Node>>,
}

impl Item {
    /// An item identified by `key` across renders: moves are sent as moves, not re-renders.
    pub fn keyed<const N: usize>(key: impl Display, slots: [Node; N]) -> Self {
        Self { key: Some(key.to_string()), slots: Some(slots.to_vec()) }
    }

    /// An item identified by its position.
    pub fn positional<const N: usize>(slots: [Node; N]) -> Self {
        Self { key: None, slots: Some(slots.to_vec()) }
    }

    /// The item with this key, unchanged since the last render: the host keeps its copy.
    pub fn unchanged(key: impl Display) -> Self {
        Self { key: Some(key.to_string()), slots: None }
    }
}

impl<'a> Render<'a> {
    pub(crate) fn new(sent: &'a mut HashSet<u32>) -> Self {
        Self { nodes: Vec::new(), new_templates: Vec::new(), components: Vec::new(), sent, fresh: true }
    }

    pub(crate) fn set_fresh(&mut self, fresh: bool) {
        self.fresh = fresh;
    }

    /// Whether dynamics must be evaluated (no previous render to compare with here).
    #[doc(hidden)]
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Runs `build` where every dynamic is evaluated.
    #[doc(hidden)]
    pub fn fresh<T>(&mut self, build: impl FnOnce(&mut Self) -> T) -> T {
        self.fresh_if(true, build)
    }

    /// Runs `build`, fresh if `fresh` (or already fresh).
    #[doc(hidden)]
    pub fn fresh_if<T>(&mut self, fresh: bool, build: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.fresh;
        self.fresh |= fresh;
        let out = build(self);
        self.fresh = saved;
        out
    }

    fn push(&mut self, node: parts::Node) -> Node {
        self.nodes.push(node);
        Node(u32::try_from(self.nodes.len() - 1).unwrap_or(u32::MAX))
    }

    /// Text. The host HTML-escapes it, so it is safe both in element content and in quoted
    /// attribute values.
    pub fn text(&mut self, value: impl Display) -> Node {
        self.push(parts::Node::Text(value.to_string()))
    }

    /// Markup inserted as is. Only for HTML you built or sanitized yourself.
    pub fn raw(&mut self, html: impl Into<String>) -> Node {
        self.push(parts::Node::Raw(html.into()))
    }

    /// Dynamic attributes inside a tag, each `(name, value)`: the host writes
    /// ` name="value"` (escaped), or a bare ` name` for `None`. No attributes write nothing.
    pub fn attributes<N: Into<String>>(&mut self, attributes: impl IntoIterator<Item = (N, Option<String>)>) -> Node {
        let attributes =
            attributes.into_iter().map(|(name, value)| parts::Attribute { name: name.into(), value }).collect();
        self.push(parts::Node::Attributes(attributes))
    }

    /// A template instance with one node per slot.
    ///
    /// # Panics
    /// When the number of nodes differs from the template's slots: a bug in the view.
    pub fn tree<const N: usize>(&mut self, template: &Template, slots: [Node; N]) -> Node {
        assert_eq!(N, template.slots(), "template has {} slots, got {N}", template.slots());
        self.use_template(template);
        let slots = slots.iter().map(|node| node.0).collect();
        self.push(parts::Node::Tree(parts::TreeNode { template: template.id, slots }))
    }

    /// A comprehension: every item renders `template`.
    ///
    /// # Panics
    /// When an item's slot count differs from the template's: a bug in the view.
    pub fn list(&mut self, template: &Template, items: Vec<Item>) -> Node {
        self.use_template(template);
        let items = items
            .into_iter()
            .map(|item| {
                if let Some(slots) = &item.slots {
                    assert_eq!(slots.len(), template.slots(), "list item has {} slots", slots.len());
                }
                parts::Item { key: item.key, slots: item.slots.map(|s| s.iter().map(|n| n.0).collect()) }
            })
            .collect();
        self.push(parts::Node::Keyed(parts::KeyedList { template: template.id, items }))
    }

    /// A stateful component, by the view's id for it. Render its markup with
    /// [`Render::component_root`] the first time and whenever it changes.
    pub fn component(&mut self, id: u32) -> Node {
        self.push(parts::Node::Component(id))
    }

    /// The markup of component `id`: a template with a single root element. Give the root an
    /// `id` and use `phx-target="#that-id"` inside to send events to the component.
    pub fn component_root(&mut self, id: u32, root: Node) {
        self.components.push(parts::ComponentRoot { id, root: root.0 });
    }

    /// The pending operations of `stream`, each new item rendered with `item` (which must
    /// render an element whose `id` is the item's DOM id). The operations are drained: items
    /// are sent once and not kept.
    pub fn stream<T, const N: usize>(
        &mut self,
        stream: &crate::Stream<T>,
        template: &Template,
        mut item: impl FnMut(&mut Self, &str, &T) -> [Node; N],
    ) -> Node {
        assert_eq!(N, template.slots(), "template has {} slots, got {N}", template.slots());
        self.use_template(template);
        let pending = stream.drain();
        let mut inserts = Vec::with_capacity(pending.inserts.len());
        for insert in pending.inserts {
            let slots = item(self, &insert.dom_id, &insert.value);
            inserts.push(parts::StreamInsert {
                dom_id: insert.dom_id,
                at: insert.at,
                limit: insert.limit.map(|limit| {
                    if limit >= 0 {
                        parts::StreamLimit::First(limit.unsigned_abs())
                    } else {
                        parts::StreamLimit::Last(limit.unsigned_abs())
                    }
                }),
                update_only: insert.update_only,
                slots: slots.iter().map(|n| n.0).collect(),
            });
        }
        self.push(parts::Node::Stream(parts::StreamOps {
            name: stream.name().to_owned(),
            template: template.id,
            inserts,
            deletes: pending.deletes,
            reset: pending.reset,
        }))
    }

    fn use_template(&mut self, template: &Template) {
        if self.sent.insert(template.id) {
            let statics = template.statics.iter().map(|s| (*s).to_owned()).collect();
            self.new_templates.push(parts::Template { id: template.id, statics });
        }
    }

    /// The same as the previous render at this position: the host keeps what it has.
    pub fn unchanged(&mut self) -> Node {
        self.push(parts::Node::Unchanged)
    }

    pub(crate) fn finish(self, root: Node) -> parts::Parts {
        parts::Parts { new_templates: self.new_templates, nodes: self.nodes, root: root.0, components: self.components }
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
        // Text crosses as it is: the host escapes it.
        assert!(matches!(&parts.nodes[0], parts::Node::Text(s) if s == "<a&b>"));
        let mut r = Render::new(&mut sent);
        let t = r.text("x");
        let root = r.tree(&P, [t]);
        assert!(r.finish(root).new_templates.is_empty());
    }
}
