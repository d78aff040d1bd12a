//! One walk over a render's arena, against the tree the client holds.
//!
//! `diff` compares a position the client has; `full` renders a position the client does not
//! have (a new template, a new item, a new component). Both consume the old tree: unchanged
//! subtrees are moved into the new tree without being looked at.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::component::Components;
use super::error::DiffError;
use super::parts::{PartItem, PartNode, StreamInsert, StreamOps};
use super::statics::StaticsScope;
use super::tree::{Item, ItemKey, Keyed, KnownTemplate, Node, StreamNode, Tree};
use super::wire;

/// Deeper renders are rejected, so that a hostile guest cannot exhaust the host's stack.
pub(super) const MAX_DEPTH: usize = 128;

type Diffed = Result<(Node, Option<Value>), DiffError>;
type Full = Result<(Node, Value), DiffError>;

/// Wire refs of the streams of one view.
#[derive(Debug, Default)]
pub(super) struct StreamRefs {
    next: u32,
}

impl StreamRefs {
    fn allocate(&mut self, owner: Option<u32>) -> String {
        let n = self.next;
        self.next += 1;
        match owner {
            None => n.to_string(),
            Some(cid) => format!("{cid}-{n}"),
        }
    }
}

pub(super) struct Pass<'a> {
    /// Each node is taken exactly once; a second visit is a malformed (possibly exponential)
    /// graph.
    nodes: Vec<Option<PartNode>>,
    templates: &'a HashMap<u64, Arc<KnownTemplate>>,
    pub scope: StaticsScope,
    pub components: &'a mut Components,
    streams: &'a mut StreamRefs,
    /// The component being rendered (`None` for the view's own tree).
    pub owner: Option<u32>,
    /// Components referenced in this pass that the client does not hold.
    pub wanted: BTreeSet<u32>,
    /// Keep the HTML of stream items in the tree (the dead render needs it once).
    capture_streams: bool,
}

impl<'a> Pass<'a> {
    pub fn new(
        nodes: Vec<PartNode>,
        templates: &'a HashMap<u64, Arc<KnownTemplate>>,
        components: &'a mut Components,
        streams: &'a mut StreamRefs,
        capture_streams: bool,
    ) -> Self {
        Self {
            nodes: nodes.into_iter().map(Some).collect(),
            templates,
            scope: StaticsScope::shared(),
            components,
            streams,
            owner: None,
            wanted: BTreeSet::new(),
            capture_streams,
        }
    }

    fn take(&mut self, index: u32) -> Result<PartNode, DiffError> {
        let slot = usize::try_from(index).ok().and_then(|i| self.nodes.get_mut(i)).ok_or(DiffError::BadIndex(index))?;
        slot.take().ok_or(DiffError::NodeReused(index))
    }

    /// The template of part node `index`, without consuming it.
    pub fn peek_template(&self, index: u32) -> Option<&Arc<KnownTemplate>> {
        match self.nodes.get(usize::try_from(index).ok()?)? {
            Some(PartNode::Tree { template, .. }) => self.templates.get(template),
            _ => None,
        }
    }

    fn template(&self, id: u64) -> Result<Arc<KnownTemplate>, DiffError> {
        self.templates.get(&id).cloned().ok_or(DiffError::UnknownTemplate(id))
    }

    fn template_with_slots(&self, id: u64, slots: usize) -> Result<Arc<KnownTemplate>, DiffError> {
        let template = self.template(id)?;
        check_slots(&template, id, slots)?;
        Ok(template)
    }

    /// Whether a full render of `template` at `depth` carries `"r": 1`. Never at the view's
    /// root: the client reads a top-level `"r"` as a hook reply.
    fn rooted(&self, template: &KnownTemplate, depth: usize) -> bool {
        template.single_root && (depth > 0 || self.owner.is_some())
    }

    fn reference_component(&mut self, gid: u32) -> u32 {
        let cid = self.components.cid_for(gid);
        self.note_component(cid);
        cid
    }

    fn note_component(&mut self, cid: u32) {
        if !self.components.state(cid).is_some_and(|s| s.on_client) {
            self.wanted.insert(cid);
        }
    }

    /// Renders part node `index` where the client holds `old`; returns the new node and its
    /// diff (`None` when the client's copy is already right).
    pub fn diff(&mut self, old: Node, index: u32, depth: usize) -> Diffed {
        if depth > MAX_DEPTH {
            return Err(DiffError::TooDeep(MAX_DEPTH));
        }
        match (self.take(index)?, old) {
            (PartNode::Unchanged, old) => Ok((old, None)),
            (PartNode::Text(text), old) => {
                let changed = !matches!(&old, Node::Text(previous) if *previous == text);
                let diff = changed.then(|| Value::from(text.as_str()));
                Ok((Node::Text(text), diff))
            }
            (PartNode::Tree { template: id, slots }, Node::Tree(old))
                if self.template(id)?.fingerprint == old.template.fingerprint =>
            {
                check_slots(&old.template, id, slots.len())?;
                self.diff_slots(old, slots, depth)
            }
            (PartNode::Tree { template, slots }, old) => {
                let template = self.template_with_slots(template, slots.len())?;
                let (tree, full) = self.full_tree(template, Some(old), slots, depth)?;
                Ok((Node::Tree(tree), Some(full)))
            }
            (PartNode::Keyed { template: id, items }, Node::Keyed(old))
                if self.template(id)?.fingerprint == old.template.fingerprint =>
            {
                self.diff_keyed(old, id, items, depth)
            }
            (PartNode::Keyed { template, items }, old) => {
                let (keyed, full) = self.full_keyed(template, Some(old), items, depth)?;
                Ok((keyed, Some(full)))
            }
            (PartNode::Stream(ops), Node::Stream(old))
                if self.template(ops.template)?.fingerprint == old.template.fingerprint && ops.name == old.name =>
            {
                self.diff_stream(old, ops, depth)
            }
            (PartNode::Stream(ops), old) => {
                let (stream, full) = self.full_stream(ops, Some(old), depth)?;
                Ok((stream, Some(full)))
            }
            (PartNode::Component(gid), old) => {
                let cid = self.reference_component(gid);
                let same = matches!(old, Node::Component(previous) if previous == cid);
                Ok((Node::Component(cid), (!same).then(|| Value::from(cid))))
            }
        }
    }

    /// Same template on both sides: only the slots that changed.
    fn diff_slots(&mut self, old: Tree, slots: Vec<u32>, depth: usize) -> Diffed {
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
        Ok((Node::Tree(tree), (!changes.is_empty()).then_some(Value::Object(changes))))
    }

    /// Renders part node `index` completely (the client has nothing usable at this
    /// position). `old` is only consulted for `unchanged` nodes.
    pub fn full(&mut self, old: Option<Node>, index: u32, depth: usize) -> Full {
        if depth > MAX_DEPTH {
            return Err(DiffError::TooDeep(MAX_DEPTH));
        }
        match self.take(index)? {
            PartNode::Unchanged => {
                let old = old.ok_or(DiffError::NothingUnchanged(index))?;
                let full = self.full_json(&old, depth);
                Ok((old, full))
            }
            PartNode::Text(text) => {
                let full = Value::from(text.as_str());
                Ok((Node::Text(text), full))
            }
            PartNode::Tree { template, slots } => {
                let template = self.template_with_slots(template, slots.len())?;
                let (tree, full) = self.full_tree(template, old, slots, depth)?;
                Ok((Node::Tree(tree), full))
            }
            PartNode::Keyed { template, items } => self.full_keyed(template, old, items, depth),
            PartNode::Stream(ops) => self.full_stream(ops, old, depth),
            PartNode::Component(gid) => {
                let cid = self.reference_component(gid);
                Ok((Node::Component(cid), Value::from(cid)))
            }
        }
    }

    pub fn full_tree(
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
        self.finish_tree_json(&template, &mut json, depth);
        Ok((Tree { template, slots: children }, Value::Object(json)))
    }

    fn finish_tree_json(&mut self, template: &Arc<KnownTemplate>, json: &mut Map<String, Value>, depth: usize) {
        json.insert(wire::STATIC.to_owned(), self.scope.reference(template));
        if self.rooted(template, depth) {
            json.insert(wire::ROOT.to_owned(), Value::from(1));
        }
    }

    /// The full rendered JSON of a subtree the client does not have.
    pub fn full_json(&mut self, node: &Node, depth: usize) -> Value {
        match node {
            Node::Text(text) => Value::from(text.as_str()),
            Node::Tree(tree) => {
                let mut json: Map<String, Value> = tree
                    .slots
                    .iter()
                    .enumerate()
                    .map(|(i, child)| (i.to_string(), self.full_json(child, depth + 1)))
                    .collect();
                self.finish_tree_json(&tree.template, &mut json, depth);
                Value::Object(json)
            }
            Node::Keyed(keyed) => {
                let statics = self.scope.reference(&keyed.template);
                let opened = self.scope.open_local();
                let mut entries = Map::new();
                for (i, item) in keyed.items.iter().enumerate() {
                    let slots = self.full_slots_json(&item.slots, depth);
                    entries.insert(i.to_string(), slots);
                }
                entries.insert(wire::KEYED_COUNT.to_owned(), Value::from(keyed.items.len()));
                let local = self.scope.close_local(opened);
                comprehension_json(Some(statics), entries, None, local)
            }
            Node::Stream(stream) => {
                let statics = self.scope.reference(&stream.template);
                let mut entries = Map::new();
                entries.insert(wire::KEYED_COUNT.to_owned(), Value::from(0));
                let ops = json!([stream.reference, [], []]);
                comprehension_json(Some(statics), entries, Some(ops), None)
            }
            Node::Component(cid) => {
                self.note_component(*cid);
                Value::from(*cid)
            }
        }
    }

    /// The full JSON of an item's slots the client does not have.
    fn full_slots_json(&mut self, slots: &[Node], depth: usize) -> Value {
        let json: Map<String, Value> =
            slots.iter().enumerate().map(|(j, child)| (j.to_string(), self.full_json(child, depth + 1))).collect();
        Value::Object(json)
    }

    fn diff_keyed(&mut self, old: Keyed, id: u64, items: Vec<PartItem>, depth: usize) -> Diffed {
        let template = old.template;
        let old_count = old.items.len();
        let (old_keys, old_slots): (Vec<ItemKey>, Vec<Vec<Node>>) =
            old.items.into_iter().map(|it| (it.key, it.slots)).unzip();
        let mut old_items: Vec<Option<Vec<Node>>> = old_slots.into_iter().map(Some).collect();
        // Old positions by key: built only when some item is not where it was, so that the
        // common update (every item in place) costs no hashing.
        let mut old_index: Option<HashMap<&ItemKey, usize>> = None;
        // Keys of items new to the list, to reject duplicates among them.
        let mut new_keys: HashSet<ItemKey> = HashSet::new();
        let opened = self.scope.open_local();
        let mut entries = Map::new();
        let mut moved = false;
        let mut new_items = Vec::with_capacity(items.len());
        for (i, part) in items.into_iter().enumerate() {
            let key = match part.key {
                Some(key) => ItemKey::Key(key),
                None => ItemKey::Position(i),
            };
            let old_position = if old_keys.get(i) == Some(&key) {
                Some(i)
            } else {
                old_index
                    .get_or_insert_with(|| old_keys.iter().enumerate().map(|(p, k)| (k, p)).collect())
                    .get(&key)
                    .copied()
            };
            let old_item = match old_position {
                // A second item with a key already claimed is a duplicate.
                Some(p) => Some(
                    old_items
                        .get_mut(p)
                        .and_then(Option::take)
                        .ok_or_else(|| DiffError::DuplicateKey(key_label(&key)))?,
                ),
                None => {
                    if !new_keys.insert(key.clone()) {
                        return Err(DiffError::DuplicateKey(key_label(&key)));
                    }
                    None
                }
            };
            match (old_item, old_position, part.slots) {
                (Some(old_slots), Some(from), None) => {
                    if from != i {
                        entries.insert(i.to_string(), Value::from(from));
                        moved = true;
                    }
                    new_items.push(Item { key, slots: old_slots });
                }
                (Some(old_slots), Some(from), Some(slots)) => {
                    check_slots(&template, id, slots.len())?;
                    let mut changes = Map::new();
                    let mut children = Vec::with_capacity(slots.len());
                    for (j, (old_child, index)) in old_slots.into_iter().zip(slots).enumerate() {
                        let (child, diff) = self.diff(old_child, index, depth + 1)?;
                        if let Some(diff) = diff {
                            changes.insert(j.to_string(), diff);
                        }
                        children.push(child);
                    }
                    if from == i {
                        if !changes.is_empty() {
                            entries.insert(i.to_string(), Value::Object(changes));
                        }
                    } else {
                        moved = true;
                        let entry =
                            if changes.is_empty() { Value::from(from) } else { json!([from, Value::Object(changes)]) };
                        entries.insert(i.to_string(), entry);
                    }
                    new_items.push(Item { key, slots: children });
                }
                (_, _, Some(slots)) => {
                    check_slots(&template, id, slots.len())?;
                    let (children, full) = self.full_slots(slots, depth)?;
                    entries.insert(i.to_string(), full);
                    new_items.push(Item { key, slots: children });
                }
                (_, _, None) => return Err(DiffError::UnchangedItem(key_label(&key))),
            }
        }
        let local = self.scope.close_local(opened);
        let count = new_items.len();
        let keyed = Node::Keyed(Keyed { template, items: new_items });
        if entries.is_empty() && count == old_count {
            return Ok((keyed, None));
        }
        entries.insert(wire::KEYED_COUNT.to_owned(), Value::from(count));
        if moved {
            entries.insert(wire::KEYED_MOVED.to_owned(), Value::from(true));
        }
        Ok((keyed, Some(comprehension_json(None, entries, None, local))))
    }

    fn full_keyed(&mut self, id: u64, old: Option<Node>, items: Vec<PartItem>, depth: usize) -> Full {
        let template = self.template(id)?;
        let keys = item_keys(&items)?;
        // Unchanged items may come from the previous comprehension at this position.
        let mut old_items: HashMap<ItemKey, Item> = match old {
            Some(Node::Keyed(old)) => old.items.into_iter().map(|it| (it.key.clone(), it)).collect(),
            _ => HashMap::new(),
        };
        let statics = self.scope.reference(&template);
        let opened = self.scope.open_local();
        let mut entries = Map::new();
        let mut new_items = Vec::with_capacity(items.len());
        for (i, (part, key)) in items.into_iter().zip(keys).enumerate() {
            let (slots, full) = match part.slots {
                Some(slots) => {
                    check_slots(&template, id, slots.len())?;
                    self.full_slots(slots, depth)?
                }
                None => {
                    let old = old_items.remove(&key).ok_or_else(|| DiffError::UnchangedItem(key_label(&key)))?;
                    if old.slots.len() != template.slots() {
                        return Err(DiffError::UnchangedItem(key_label(&key)));
                    }
                    let full = self.full_slots_json(&old.slots, depth);
                    (old.slots, full)
                }
            };
            entries.insert(i.to_string(), full);
            new_items.push(Item { key, slots });
        }
        entries.insert(wire::KEYED_COUNT.to_owned(), Value::from(new_items.len()));
        let local = self.scope.close_local(opened);
        let json = comprehension_json(Some(statics), entries, None, local);
        Ok((Node::Keyed(Keyed { template, items: new_items }), json))
    }

    /// Renders the slots of a new item completely.
    fn full_slots(&mut self, slots: Vec<u32>, depth: usize) -> Result<(Vec<Node>, Value), DiffError> {
        let mut json = Map::new();
        let mut children = Vec::with_capacity(slots.len());
        for (j, index) in slots.into_iter().enumerate() {
            let (child, full) = self.full(None, index, depth + 1)?;
            json.insert(j.to_string(), full);
            children.push(child);
        }
        Ok((children, Value::Object(json)))
    }

    fn diff_stream(&mut self, mut old: StreamNode, ops: StreamOps, depth: usize) -> Diffed {
        if ops.inserts.is_empty() && ops.deletes.is_empty() && !ops.reset {
            return Ok((Node::Stream(old), None));
        }
        let opened = self.scope.open_local();
        let previous = old.html.take();
        let StreamRender { entries, ops, html } =
            self.stream_items(&old.template, &old.reference, ops, previous, depth)?;
        let local = self.scope.close_local(opened);
        let json = comprehension_json(None, entries, Some(ops), local);
        Ok((Node::Stream(StreamNode { html, ..old }), Some(json)))
    }

    fn full_stream(&mut self, ops: StreamOps, old: Option<Node>, depth: usize) -> Full {
        let template = self.template(ops.template)?;
        // A stream keeps its ref for its whole life, even when its template changes.
        let (reference, previous) = match old {
            Some(Node::Stream(old)) if old.name == ops.name => (old.reference, old.html),
            _ => (self.streams.allocate(self.owner), None),
        };
        let statics = self.scope.reference(&template);
        let opened = self.scope.open_local();
        let name = ops.name.clone();
        let StreamRender { entries, ops, html } = self.stream_items(&template, &reference, ops, previous, depth)?;
        let local = self.scope.close_local(opened);
        let json = comprehension_json(Some(statics), entries, Some(ops), local);
        Ok((Node::Stream(StreamNode { template, name, reference, html }), json))
    }

    /// The `"k"` entries and the `"stream"` operations of one stream render.
    fn stream_items(
        &mut self,
        template: &Arc<KnownTemplate>,
        reference: &str,
        ops: StreamOps,
        previous: Option<StreamHtml>,
        depth: usize,
    ) -> Result<StreamRender, DiffError> {
        let mut entries = Map::new();
        let mut inserts = Vec::with_capacity(ops.inserts.len());
        let mut html = self.capture_streams.then(|| previous.unwrap_or_default());
        if let Some(html) = &mut html {
            html.apply_removals(ops.reset, &ops.deletes);
        }
        // One element per DOM id and render: the last insert of an id wins (as in Phoenix);
        // two elements with one id would break the page.
        let mut seen = HashSet::with_capacity(ops.inserts.len());
        let mut unique: Vec<StreamInsert> =
            ops.inserts.into_iter().rev().filter(|i| seen.insert(i.dom_id.clone())).collect();
        unique.reverse();
        for (i, insert) in unique.into_iter().enumerate() {
            check_slots(template, ops.template, insert.slots.len())?;
            let (children, full) = self.full_slots(insert.slots, depth)?;
            if let Some(html) = &mut html {
                let mut item = String::new();
                Node::Tree(Tree { template: Arc::clone(template), slots: children })
                    .write_html(&mut item, &*self.components);
                html.insert(&insert.dom_id, item, insert.at, insert.limit, insert.update_only);
            }
            entries.insert(i.to_string(), full);
            inserts.push(json!([
                insert.dom_id,
                // The client understands -1 (append), 0 (prepend) and positive indexes only.
                insert.at.max(-1),
                insert.limit,
                if insert.update_only { Value::from(true) } else { Value::Null }
            ]));
        }
        entries.insert(wire::KEYED_COUNT.to_owned(), Value::from(inserts.len()));
        let mut wire_ops = vec![Value::from(reference), Value::Array(inserts), Value::from(ops.deletes)];
        if ops.reset {
            wire_ops.push(Value::from(true));
        }
        Ok(StreamRender { entries, ops: Value::Array(wire_ops), html })
    }
}

/// One render of a stream: its `"k"` entries, its `"stream"` operations, and the updated
/// model of its elements when one is kept.
struct StreamRender {
    entries: Map<String, Value>,
    ops: Value,
    html: Option<StreamHtml>,
}

/// A stream's elements as the client places them (`dom_patch.ts`): kept only for the dead
/// render and, in tests, as the host's own model of what the browser shows.
#[derive(Debug, Clone, Default)]
pub(super) struct StreamHtml {
    items: Vec<(String, String)>,
}

impl StreamHtml {
    /// A reset removes every element, then deletes remove theirs; inserts come after.
    fn apply_removals(&mut self, reset: bool, deletes: &[String]) {
        if reset {
            self.items.clear();
        }
        self.items.retain(|(id, _)| !deletes.contains(id));
    }

    fn insert(&mut self, dom_id: &str, html: String, at: i32, limit: Option<i32>, update_only: bool) {
        if let Some(existing) = self.items.iter_mut().find(|(id, _)| id == dom_id) {
            existing.1 = html;
            return;
        }
        if update_only {
            return;
        }
        let position = match usize::try_from(at.max(-1)) {
            Ok(at) => at.min(self.items.len()),
            Err(_) => self.items.len(),
        };
        self.items.insert(position, (dom_id.to_owned(), html));
        match limit {
            Some(limit) if limit >= 0 => self.items.truncate(usize::try_from(limit).unwrap_or(usize::MAX)),
            Some(limit) => {
                let keep = usize::try_from(limit.unsigned_abs()).unwrap_or(usize::MAX);
                let excess = self.items.len().saturating_sub(keep);
                self.items.drain(..excess);
            }
            None => {}
        }
    }

    pub fn write(&self, out: &mut String) {
        for (_, html) in &self.items {
            out.push_str(html);
        }
    }
}

fn check_slots(template: &KnownTemplate, id: u64, got: usize) -> Result<(), DiffError> {
    if template.slots() == got {
        Ok(())
    } else {
        Err(DiffError::SlotCount { template: id, expected: template.slots(), got })
    }
}

/// The identity of each item: its key, or its position when it has none. Keys are unique.
fn item_keys(items: &[PartItem]) -> Result<Vec<ItemKey>, DiffError> {
    let mut seen = HashSet::with_capacity(items.len());
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let key = match &item.key {
                Some(key) => ItemKey::Key(key.clone()),
                None => ItemKey::Position(i),
            };
            if !seen.insert(key.clone()) {
                return Err(DiffError::DuplicateKey(key_label(&key)));
            }
            Ok(key)
        })
        .collect()
}

fn key_label(key: &ItemKey) -> String {
    match key {
        ItemKey::Key(key) => key.clone(),
        ItemKey::Position(i) => format!("#{i}"),
    }
}

/// `{"s"?, "k": entries, "stream"?, "p"?}`.
fn comprehension_json(
    statics: Option<Value>,
    entries: Map<String, Value>,
    stream: Option<Value>,
    templates: Option<Value>,
) -> Value {
    let mut json = Map::new();
    if let Some(statics) = statics {
        json.insert(wire::STATIC.to_owned(), statics);
    }
    json.insert(wire::KEYED.to_owned(), Value::Object(entries));
    if let Some(stream) = stream {
        json.insert(wire::STREAM.to_owned(), stream);
    }
    if let Some(templates) = templates {
        json.insert(wire::TEMPLATES.to_owned(), templates);
    }
    Value::Object(json)
}
