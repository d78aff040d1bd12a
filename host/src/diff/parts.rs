//! The render output of a view, as the WIT `parts` interface defines it, in host types.
//!
//! The runtime converts the guest's values into these (moving strings, not copying them) so
//! that the diff engine knows nothing of wasmtime.

/// Static markup around the dynamic slots of a template: `n + 1` strings for `n` slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: u64,
    pub statics: Vec<String>,
}

/// One node of the arena.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartNode {
    /// Escaped dynamic text.
    Text(String),
    /// A template instance: one child node index per slot.
    Tree { template: u64, slots: Vec<u32> },
    /// A comprehension: every item renders `template`.
    Keyed { template: u64, items: Vec<PartItem> },
    /// Operations on a stream.
    Stream(StreamOps),
    /// A stateful component, by the guest's id for it.
    Component(u32),
    /// Same as the previous render at this position.
    Unchanged,
}

/// One item of a comprehension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartItem {
    /// Identifies the item across renders; `None` means "by position".
    pub key: Option<String>,
    /// `None`: the item with this key is unchanged since the last render.
    pub slots: Option<Vec<u32>>,
}

/// What changed in a stream since the last render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamOps {
    pub name: String,
    pub template: u64,
    pub inserts: Vec<StreamInsert>,
    pub deletes: Vec<String>,
    pub reset: bool,
}

/// One element inserted into (or updated in) a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamInsert {
    pub dom_id: String,
    /// -1 appends, 0 prepends, n > 0 inserts at that index.
    pub at: i32,
    pub limit: Option<i32>,
    pub update_only: bool,
    pub slots: Vec<u32>,
}

/// The render of one stateful component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComponentRoot {
    pub id: u32,
    pub root: u32,
}

/// A whole render: new templates, the node arena, its root, and re-rendered components.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts {
    pub new_templates: Vec<Template>,
    pub nodes: Vec<PartNode>,
    pub root: u32,
    pub components: Vec<ComponentRoot>,
}
