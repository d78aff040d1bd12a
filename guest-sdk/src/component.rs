//! Stateful components: each has its own state, renders one root element, and handles the
//! events aimed at it with `phx-target="#<its root id>"`.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::render::{Node, Render};
use crate::view::{Event, ViewError};

/// A stateful component.
pub trait LiveComponent: 'static {
    /// The component's markup: one root element, with an `id` its events can target.
    fn render(&self, id: u32, r: &mut Render) -> Node;

    /// An event aimed at this component.
    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        Err(event.unknown())
    }
}

/// The stateful components of a view, by id. Each is re-rendered only when it was inserted,
/// written ([`Components::get_mut`]), handled an event, or was dropped by the browser.
pub struct Components<C> {
    items: BTreeMap<u32, C>,
    dirty: RefCell<BTreeSet<u32>>,
}

impl<C> std::fmt::Debug for Components<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Components").field("ids", &self.items.keys().collect::<Vec<_>>()).finish()
    }
}

impl<C> Default for Components<C> {
    fn default() -> Self {
        Self { items: BTreeMap::new(), dirty: RefCell::new(BTreeSet::new()) }
    }
}

/// The snapshot form of [`Components`]: each component's state by id, and the ids that must be
/// rendered in full the next time they are placed.
#[derive(serde::Serialize, serde::Deserialize)]
struct Snapshot<Items> {
    items: Items,
    #[serde(default)]
    dirty: BTreeSet<u32>,
}

/// Serialized as `{"items": {id: state}, "dirty": [id]}` (for snapshots).
impl<C: serde::Serialize> serde::Serialize for Components<C> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Snapshot { items: &self.items, dirty: self.dirty.borrow().clone() }.serialize(serializer)
    }
}

/// Deserialized with exactly the components that were due for a re-render marked so. The
/// host keeps what the client holds of every other component, so a restored view places them
/// as references, as the instance that took the snapshot would have: the client receives the
/// same bytes whether or not the session was hibernated in between.
impl<'de, C: serde::Deserialize<'de>> serde::Deserialize<'de> for Components<C> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Snapshot { items, dirty } = Snapshot::<BTreeMap<u32, C>>::deserialize(deserializer)?;
        let dirty = dirty.into_iter().filter(|id| items.contains_key(id)).collect();
        Ok(Self { items, dirty: RefCell::new(dirty) })
    }
}

impl<C: LiveComponent> Components<C> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, id: u32, component: C) {
        self.items.insert(id, component);
        self.dirty.get_mut().insert(id);
    }

    pub fn remove(&mut self, id: u32) -> Option<C> {
        self.dirty.get_mut().remove(&id);
        self.items.remove(&id)
    }

    pub fn get(&self, id: u32) -> Option<&C> {
        self.items.get(&id)
    }

    /// The component, marked for re-rendering.
    pub fn get_mut(&mut self, id: u32) -> Option<&mut C> {
        let component = self.items.get_mut(&id)?;
        self.dirty.get_mut().insert(id);
        Some(component)
    }

    pub fn contains(&self, id: u32) -> bool {
        self.items.contains_key(&id)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (u32, &C)> {
        self.items.iter().map(|(&id, c)| (id, c))
    }

    /// Places component `id` in a template: renders its markup if it changed, and returns the
    /// node for the slot. An id this collection does not hold places nothing.
    pub fn place(&self, r: &mut Render, id: u32) -> Node {
        let Some(component) = self.items.get(&id) else {
            return r.text("");
        };
        if self.dirty.borrow_mut().remove(&id) {
            let root = component.render(id, r);
            r.component_root(id, root);
        }
        r.component(id)
    }

    /// Routes an event aimed at one of these components (by `event.target`); `None` when it is
    /// not for them.
    pub fn handle_event(&mut self, event: Event) -> Option<Result<Option<Value>, ViewError>> {
        let id = event.target?;
        let component = self.items.get_mut(&id)?;
        self.dirty.get_mut().insert(id);
        Some(component.handle_event(event))
    }

    /// The browser removed these components (the view's `components_destroyed`): the host
    /// forgot them, so they are rendered in full if placed again. Their state stays.
    pub fn destroyed(&mut self, ids: &[u32]) {
        let dirty = self.dirty.get_mut();
        dirty.extend(ids.iter().filter(|id| self.items.contains_key(id)));
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::{Components, LiveComponent};
    use crate::{Node, Render, html, testing};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Tag {
        label: String,
    }

    impl LiveComponent for Tag {
        fn render(&self, id: u32, r: &mut Render) -> Node {
            html! { <b id={format!("tag-{id}")}>{&self.label}</b> }.render(r)
        }
    }

    #[derive(Default, Serialize, Deserialize)]
    struct Tags {
        tags: Components<Tag>,
    }

    impl crate::LiveView for Tags {
        fn render(&self, r: &mut Render) -> Node {
            let placed: Vec<Node> = [3, 10].into_iter().map(|id| self.tags.place(r, id)).collect();
            html! { <p>{placed[0]} {placed[1]}</p> }.render(r)
        }
    }

    #[test]
    fn components_round_trip_by_id_with_their_pending_renders() {
        let mut view = Tags::default();
        view.tags.insert(10, Tag { label: "ten".into() });
        view.tags.insert(3, Tag { label: "three".into() });
        assert_eq!(testing::render_html(&view), r#"<p><b id="tag-3">three</b><b id="tag-10">ten</b></p>"#);
        // Rendered: the components are not rendered again until they change.
        assert_eq!(testing::render_html(&view), "<p></p>");
        // Ten changes; the snapshot is taken before the next render.
        view.tags.get_mut(10).expect("ten").label = "TEN".into();
        let text = serde_json::to_string(&view).expect("serializes");
        assert_eq!(text, r#"{"tags":{"items":{"3":{"label":"three"},"10":{"label":"TEN"}},"dirty":[10]}}"#);
        let restored: Tags = serde_json::from_str(&text).expect("deserializes");
        assert_eq!(restored.tags.get(3), Some(&Tag { label: "three".into() }));
        // Only the component that was due is rendered; the host holds the other.
        assert_eq!(testing::render_html(&restored), r#"<p><b id="tag-10">TEN</b></p>"#);
        assert!(serde_json::from_str::<Tags>(r#"{"tags":{"items":{"x":{"label":""}}}}"#).is_err());
    }
}
