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
    /// A comprehension (not served yet).
    Keyed,
    /// A stream (not served yet).
    Stream,
    /// A stateful component (not served yet).
    Component(u32),
    /// Same as the previous render at this position.
    Unchanged,
}

/// A whole render: new templates, the node arena and its root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts {
    pub new_templates: Vec<Template>,
    pub nodes: Vec<PartNode>,
    pub root: u32,
}
