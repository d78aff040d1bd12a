//! Why a render output cannot be turned into a diff. Every case is a guest fault: the host
//! ends that one session and keeps serving the others.

/// A malformed render output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    #[error("node index {0} is out of range")]
    BadIndex(u32),
    #[error("node {0} is reachable more than once")]
    NodeReused(u32),
    #[error("template {0} was never sent")]
    UnknownTemplate(u64),
    #[error("template {0} was sent again with different statics")]
    TemplateRedefined(u64),
    #[error("template {0} has no statics")]
    EmptyTemplate(u64),
    #[error("template {template} has {expected} slots but the node fills {got}")]
    SlotCount { template: u64, expected: usize, got: usize },
    #[error("node {0} is `unchanged` but nothing was rendered at its position before")]
    NothingUnchanged(u32),
    #[error("comprehension item {0:?} is `unchanged` but no item had that key before")]
    UnchangedItem(String),
    #[error("two comprehension items share the key {0:?}")]
    DuplicateKey(String),
    #[error("the render is nested deeper than {0} levels")]
    TooDeep(usize),
    #[error("the root node must be a template instance")]
    RootNotTree,
    #[error("component {0} is rendered twice")]
    DuplicateComponent(u32),
    #[error("component {0} is new but was not rendered")]
    MissingComponent(u32),
    #[error("component {0} must render a template with a single root element")]
    ComponentRoot(u32),
}
