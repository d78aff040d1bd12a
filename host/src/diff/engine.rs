//! Turning successive renders into Phoenix rendered diffs.
//!
//! One pass walks the guest's arena and the previous tree together: it moves unchanged
//! subtrees from the old tree into the new one without looking inside them, compares what the
//! guest re-rendered, and writes the diff as it goes. Templates whose fingerprint matches what
//! the client holds send only their changed slots; new templates send their statics once per
//! diff through the shared `"p"` table.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::DiffError;
use super::parts::{PartNode, Parts, Template};
use super::tree::{KnownTemplate, Node, Tree};
use super::wire;

/// Deeper renders are rejected, so that a hostile guest cannot exhaust the host's stack.
const MAX_DEPTH: usize = 128;

/// What the client holds for one joined view: the templates the guest defined and the tree
/// the client last received.
#[derive(Debug, Default)]
pub struct Renderer {
    templates: HashMap<u64, Arc<KnownTemplate>>,
    root: Option<Tree>,
}

impl Renderer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one render of the view and returns what the client must receive: the whole
    /// rendered tree the first time (the join reply), then the minimal diff (an empty map when
    /// nothing changed).
    ///
    /// After an error the renderer no longer matches the client and must be dropped together
    /// with the session.
    pub fn render(&mut self, parts: Parts) -> Result<Map<String, Value>, DiffError> {
        self.define_templates(parts.new_templates)?;
        let mut pass = Pass {
            nodes: parts.nodes.into_iter().map(Some).collect(),
            templates: &self.templates,
            table: TemplateTable::default(),
        };
        let old = self.root.take().map(Node::Tree);
        let (root, diff) = match old {
            Some(old) => pass.diff(old, parts.root, 0)?,
            None => {
                let (root, full) = pass.full(None, parts.root, 0)?;
                (root, Some(full))
            }
        };
        let Node::Tree(root) = root else {
            return Err(DiffError::RootNotTree);
        };
        self.root = Some(root);
        let mut out = match diff {
            Some(Value::Object(map)) => map,
            Some(_) => return Err(DiffError::RootNotTree),
            None => Map::new(),
        };
        if let Some(table) = pass.table.into_json() {
            out.insert(wire::TEMPLATES.to_owned(), table);
        }
        Ok(out)
    }

    /// The HTML of the current tree (empty before the first render).
    pub fn html(&self) -> String {
        let mut out = String::new();
        if let Some(root) = &self.root {
            root.write_html(&mut out);
        }
        out
    }

    fn define_templates(&mut self, templates: Vec<Template>) -> Result<(), DiffError> {
        for Template { id, statics } in templates {
            if statics.is_empty() {
                return Err(DiffError::EmptyTemplate(id));
            }
            match self.templates.entry(id) {
                Entry::Occupied(known) if known.get().statics != statics => {
                    return Err(DiffError::TemplateRedefined(id));
                }
                Entry::Occupied(_) => {}
                Entry::Vacant(slot) => {
                    slot.insert(Arc::new(KnownTemplate::new(statics)));
                }
            }
        }
        Ok(())
    }
}

/// The `"p"` table of one diff: each distinct template travels once.
#[derive(Default)]
struct TemplateTable {
    index: HashMap<u64, usize>,
    statics: Vec<Arc<KnownTemplate>>,
}

impl TemplateTable {
    /// The `"s"` value for a template: its index in this diff's table.
    fn reference(&mut self, template: &Arc<KnownTemplate>) -> Value {
        let next = self.statics.len();
        let index = *self.index.entry(template.fingerprint).or_insert_with(|| {
            self.statics.push(Arc::clone(template));
            next
        });
        Value::from(index)
    }

    fn into_json(self) -> Option<Value> {
        if self.statics.is_empty() {
            return None;
        }
        let table =
            self.statics.iter().enumerate().map(|(i, t)| (i.to_string(), Value::from(t.statics.clone()))).collect();
        Some(Value::Object(table))
    }
}

/// One walk over a render's arena.
struct Pass<'a> {
    /// Each node is taken exactly once; a second visit is a malformed (possibly exponential)
    /// graph.
    nodes: Vec<Option<PartNode>>,
    templates: &'a HashMap<u64, Arc<KnownTemplate>>,
    table: TemplateTable,
}

impl Pass<'_> {
    fn take(&mut self, index: u32) -> Result<PartNode, DiffError> {
        let slot = usize::try_from(index).ok().and_then(|i| self.nodes.get_mut(i)).ok_or(DiffError::BadIndex(index))?;
        slot.take().ok_or(DiffError::NodeReused(index))
    }

    fn template(&self, id: u64, slots: usize) -> Result<Arc<KnownTemplate>, DiffError> {
        let template = self.templates.get(&id).ok_or(DiffError::UnknownTemplate(id))?;
        if template.slots() != slots {
            return Err(DiffError::SlotCount { template: id, expected: template.slots(), got: slots });
        }
        Ok(Arc::clone(template))
    }

    /// Renders node `index` where the client holds `old`; returns the new node and its diff
    /// (`None` when the client's copy is already right).
    fn diff(&mut self, old: Node, index: u32, depth: usize) -> Result<(Node, Option<Value>), DiffError> {
        if depth > MAX_DEPTH {
            return Err(DiffError::TooDeep(MAX_DEPTH));
        }
        match self.take(index)? {
            PartNode::Unchanged => Ok((old, None)),
            PartNode::Text(text) => {
                let changed = !matches!(&old, Node::Text(previous) if *previous == text);
                let diff = changed.then(|| Value::from(text.as_str()));
                Ok((Node::Text(text), diff))
            }
            PartNode::Tree { template, slots } => {
                let template = self.template(template, slots.len())?;
                match old {
                    Node::Tree(old) if old.template.fingerprint == template.fingerprint => {
                        self.diff_slots(old, slots, depth)
                    }
                    old => {
                        let (tree, full) = self.full_tree(template, Some(old), slots, depth)?;
                        Ok((Node::Tree(tree), Some(full)))
                    }
                }
            }
            other => Err(unsupported(&other)),
        }
    }

    /// Same template on both sides: only the slots that changed.
    fn diff_slots(&mut self, old: Tree, slots: Vec<u32>, depth: usize) -> Result<(Node, Option<Value>), DiffError> {
        let mut changes = Map::new();
        let mut children = Vec::with_capacity(slots.len());
        for (i, (old_child, index)) in old.slots.into_iter().zip(slots).enumerate() {
            let (child, diff) = self.diff(old_child, index, depth + 1)?;
            if let Some(diff) = diff {
                changes.insert(i.to_string(), diff);
            }
            children.push(child);
        }
        let tree = Tree { template: old.template, slots: children };
        let diff = (!changes.is_empty()).then_some(Value::Object(changes));
        Ok((Node::Tree(tree), diff))
    }

    /// Renders node `index` completely (the client has nothing usable at this position).
    /// `old` is only consulted for `unchanged` nodes.
    fn full(&mut self, old: Option<Node>, index: u32, depth: usize) -> Result<(Node, Value), DiffError> {
        if depth > MAX_DEPTH {
            return Err(DiffError::TooDeep(MAX_DEPTH));
        }
        match self.take(index)? {
            PartNode::Unchanged => {
                let old = old.ok_or(DiffError::NothingUnchanged(index))?;
                let full = self.full_json(&old);
                Ok((old, full))
            }
            PartNode::Text(text) => {
                let full = Value::from(text.as_str());
                Ok((Node::Text(text), full))
            }
            PartNode::Tree { template, slots } => {
                let template = self.template(template, slots.len())?;
                let (tree, full) = self.full_tree(template, old, slots, depth)?;
                Ok((Node::Tree(tree), full))
            }
            other => Err(unsupported(&other)),
        }
    }

    fn full_tree(
        &mut self,
        template: Arc<KnownTemplate>,
        old: Option<Node>,
        slots: Vec<u32>,
        depth: usize,
    ) -> Result<(Tree, Value), DiffError> {
        // A guest may keep a child `unchanged` under a new template; it is taken positionally.
        let mut old_slots = match old {
            Some(Node::Tree(old)) => old.slots.into_iter(),
            _ => Vec::new().into_iter(),
        };
        let mut json = Map::new();
        let mut children = Vec::with_capacity(slots.len());
        for (i, index) in slots.into_iter().enumerate() {
            let (child, full) = self.full(old_slots.next(), index, depth + 1)?;
            json.insert(i.to_string(), full);
            children.push(child);
        }
        json.insert(wire::STATIC.to_owned(), self.table.reference(&template));
        Ok((Tree { template, slots: children }, Value::Object(json)))
    }

    /// The full rendered JSON of a subtree the client does not have.
    fn full_json(&mut self, node: &Node) -> Value {
        match node {
            Node::Text(text) => Value::from(text.as_str()),
            Node::Tree(tree) => {
                let mut json: Map<String, Value> =
                    tree.slots.iter().enumerate().map(|(i, child)| (i.to_string(), self.full_json(child))).collect();
                json.insert(wire::STATIC.to_owned(), self.table.reference(&tree.template));
                Value::Object(json)
            }
        }
    }
}

fn unsupported(node: &PartNode) -> DiffError {
    DiffError::Unsupported(match node {
        PartNode::Keyed => "comprehension",
        PartNode::Stream => "stream",
        PartNode::Component(_) => "component",
        PartNode::Text(_) | PartNode::Tree { .. } | PartNode::Unchanged => "these",
    })
}

#[cfg(test)]
mod tests;
