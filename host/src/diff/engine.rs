//! Turning successive renders into Phoenix rendered diffs.
//!
//! One [`Pass`] walks the guest's arena and the previous tree together (see `pass.rs`); this
//! file owns what lives between renders: templates, the tree the client holds, components and
//! stream refs, and it orders the work of one render: the view's tree first, then every
//! component the guest re-rendered, then components the client lost and must get back.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::component::{Components, Lenders};
use super::error::DiffError;
use super::intern::intern;
use super::parts::{PartNode, Parts, Template};
use super::pass::{Pass, StreamRefs};
use super::statics::StaticsScope;
use super::tree::{KnownTemplate, Node, Tree};
use super::wire;

/// What the client holds for one joined view.
#[derive(Debug, Default)]
pub struct Renderer {
    templates: HashMap<u64, Arc<KnownTemplate>>,
    root: Option<Tree>,
    components: Components,
    streams: StreamRefs,
    /// Guest ids of components dropped because the client lost them, for the view.
    dropped: Vec<u32>,
    /// Keep a model of every stream's elements so that [`Renderer::html`] shows them.
    keep_stream_html: bool,
}

impl Renderer {
    pub fn new() -> Self {
        Self::default()
    }

    /// A renderer that also keeps the HTML of stream elements (as the browser places them),
    /// so that [`Renderer::html`] is the whole page. For tests and debugging: a live session
    /// does not keep stream items.
    pub fn keeping_stream_html() -> Self {
        Self { keep_stream_html: true, ..Self::default() }
    }

    /// Applies one render of the view and returns what the client must receive: the whole
    /// rendered tree the first time (the join reply), then the minimal diff (an empty map when
    /// nothing changed).
    ///
    /// After an error the renderer no longer matches the client and must be dropped together
    /// with the session.
    pub fn render(&mut self, parts: Parts) -> Result<Map<String, Value>, DiffError> {
        self.render_with(parts, false)
    }

    /// The dead render: the first render of a view, as HTML.
    pub fn render_html(&mut self, parts: Parts) -> Result<String, DiffError> {
        self.render_with(parts, true)?;
        Ok(self.html())
    }

    /// The HTML of the current tree, components included. Stream elements are included only
    /// by a renderer made with [`Renderer::keeping_stream_html`] (and in the dead render).
    pub fn html(&self) -> String {
        let mut out = String::new();
        if let Some(root) = &self.root {
            root.write_html(&mut out, &self.components);
        }
        out
    }

    /// The guest's id of the component a client event targets (`cid`), if it still exists.
    pub fn component_id(&self, cid: u32) -> Option<u32> {
        self.components.gid_of(cid)
    }

    /// The cid the client knows guest component `id` by, if it exists.
    pub fn component_cid(&self, id: u32) -> Option<u32> {
        self.components.cid_of(id)
    }

    /// `cids_will_destroy`: these components are about to be destroyed unless rendered again.
    pub fn components_will_destroy(&mut self, cids: &[u32]) {
        self.components.mark(cids);
    }

    /// `cids_destroyed`: removes those still marked; returns the removed cids (the reply) and
    /// their guest ids (for the view).
    pub fn components_destroyed(&mut self, cids: &[u32]) -> (Vec<u32>, Vec<u32>) {
        self.components.destroy(cids)
    }

    /// Guest ids of components the host dropped on its own since the last call (the client
    /// lost them with a root replacement and the view no longer renders them).
    pub fn take_dropped(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.dropped)
    }

    /// A new guest instance takes over this client (a wake from hibernation, a hot swap):
    /// template ids belong to the instance that defined them, so they are forgotten and the
    /// new instance defines its own. What the client holds stays, and since trees compare
    /// templates by fingerprint, the new instance's renders diff against it as before.
    pub fn forget_guest_templates(&mut self) {
        self.templates = HashMap::new();
    }

    /// The number of live components.
    pub fn component_count(&self) -> usize {
        self.components.len()
    }

    fn render_with(&mut self, parts: Parts, capture_streams: bool) -> Result<Map<String, Value>, DiffError> {
        self.define_templates(parts.new_templates)?;
        let mut rendered_components = Vec::with_capacity(parts.components.len());
        let mut seen = HashSet::with_capacity(parts.components.len());
        for root in &parts.components {
            if !seen.insert(root.id) {
                return Err(DiffError::DuplicateComponent(root.id));
            }
            rendered_components.push((root.id, root.root));
        }
        let old = self.root.take();
        // A new root template replaces the client's whole tree and with it every component.
        let root_replaced = match (&old, parts.nodes.get(usize::try_from(parts.root).unwrap_or(usize::MAX))) {
            (Some(old), Some(PartNode::Tree { template, .. })) => {
                self.templates.get(template).is_none_or(|t| t.fingerprint != old.template.fingerprint)
            }
            _ => false,
        };
        if root_replaced {
            self.components.forget_client();
        }
        let capture_streams = capture_streams || self.keep_stream_html;
        let mut pass =
            Pass::new(parts.nodes, &self.templates, &mut self.components, &mut self.streams, capture_streams);
        let (root, diff) = match old {
            Some(old) => pass.diff(Node::Tree(old), parts.root, 0)?,
            None => {
                let (root, full) = pass.full(None, parts.root, 0)?;
                (root, Some(full))
            }
        };
        let Node::Tree(root) = root else {
            return Err(DiffError::RootNotTree);
        };
        let mut out = match diff {
            Some(Value::Object(map)) => map,
            Some(_) => return Err(DiffError::RootNotTree),
            None => Map::new(),
        };
        let view_scope = std::mem::replace(&mut pass.scope, StaticsScope::literal());
        let components = render_components(&mut pass, rendered_components)?;
        drop(pass);
        self.root = Some(root);
        if root_replaced {
            self.dropped.extend(self.components.drop_unsent());
        }
        if !components.is_empty() {
            out.insert(wire::COMPONENTS.to_owned(), Value::Object(components));
        }
        if let Some(table) = view_scope.into_json() {
            out.insert(wire::TEMPLATES.to_owned(), table);
        }
        Ok(out)
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
                    slot.insert(intern(statics));
                }
            }
        }
        Ok(())
    }
}

/// Renders the components the guest re-rendered, then re-sends the ones the client lacks;
/// returns the `"c"` map.
fn render_components(pass: &mut Pass<'_>, rendered: Vec<(u32, u32)>) -> Result<Map<String, Value>, DiffError> {
    let mut out = Map::new();
    let pending: HashSet<u32> = rendered.iter().map(|(gid, _)| pass.components.cid_for(*gid)).collect();
    // Who lends statics to new components: built once, then grown as components are done
    // (a re-rendered one lends its new tree, and only from then on) and as references
    // un-mark components the client was about to destroy.
    let mut lenders = pass.components.lenders(|cid| pending.contains(&cid));
    for (gid, index) in rendered {
        let cid = pass.components.cid_for(gid);
        pass.owner = Some(cid);
        pass.components.lend_unmarked(&mut lenders, |other| pending.contains(&other));
        let json = render_component(pass, gid, cid, index, &lenders, &out)?;
        if let Some(json) = json {
            out.insert(cid.to_string(), json);
        }
        pass.components.lend(&mut lenders, cid);
    }
    // Components referenced (or reached through a root replacement) that the client does not
    // hold and the guest did not re-render: send what the host has.
    while let Some(cid) = pass.wanted.pop_first() {
        if pass.components.state(cid).is_some_and(|s| s.on_client) {
            continue;
        }
        let state = pass.components.state_mut(cid).ok_or(DiffError::MissingComponent(cid))?;
        let gid = state.gid;
        let tree = state.tree.take().ok_or(DiffError::MissingComponent(gid))?;
        pass.owner = Some(cid);
        let node = Node::Tree(tree);
        let json = pass.full_json(&node, 0);
        if let (Some(state), Node::Tree(tree)) = (pass.components.state_mut(cid), node) {
            state.tree = Some(tree);
            state.on_client = true;
        }
        out.insert(cid.to_string(), json);
    }
    pass.owner = None;
    Ok(out)
}

/// One component the guest re-rendered: its diff, or its full render (sharing the statics of
/// a component with the same root template when the client has one).
fn render_component(
    pass: &mut Pass<'_>,
    gid: u32,
    cid: u32,
    index: u32,
    lenders: &Lenders,
    sent: &Map<String, Value>,
) -> Result<Option<Value>, DiffError> {
    let (old, on_client) = match pass.components.state_mut(cid) {
        Some(state) => (state.tree.take(), state.on_client),
        None => return Err(DiffError::MissingComponent(gid)),
    };
    let (tree, json) = match old {
        Some(old) if on_client => {
            let (node, diff) = pass.diff(Node::Tree(old), index, 0)?;
            (node, diff)
        }
        Some(old) => {
            let (node, full) = pass.full(Some(Node::Tree(old)), index, 0)?;
            (node, Some(full))
        }
        None => {
            let source =
                pass.peek_template(index).map(|t| t.fingerprint).and_then(|fingerprint| lenders.get(fingerprint));
            let borrowed = source.and_then(|n| pass.components.state(n)).and_then(|s| s.tree.clone());
            match (source, borrowed) {
                (Some(n), Some(base)) => {
                    // Diff against a copy of component `n`: the client builds this one from
                    // `n`'s tree and overlays the changes.
                    let (node, diff) = pass.diff(Node::Tree(base), index, 0)?;
                    let mut json = match diff {
                        Some(Value::Object(map)) => map,
                        _ => Map::new(),
                    };
                    let n = i64::from(n);
                    let reference = if sent.contains_key(&n.to_string()) { n } else { -n };
                    json.insert(wire::STATIC.to_owned(), Value::from(reference));
                    (node, Some(Value::Object(json)))
                }
                _ => {
                    let (node, full) = pass.full(None, index, 0)?;
                    (node, Some(full))
                }
            }
        }
    };
    let tree = match tree {
        Node::Tree(tree) if tree.template.single_root => tree,
        _ => return Err(DiffError::ComponentRoot(gid)),
    };
    if let Some(state) = pass.components.state_mut(cid) {
        state.tree = Some(tree);
        state.on_client = true;
    }
    Ok(json)
}

#[cfg(test)]
mod sharing;
#[cfg(test)]
mod tests;
