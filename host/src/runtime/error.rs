//! What can go wrong with a guest.

/// A module that cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{name} is not a valid view component: {reason}")]
    Compile { name: String, reason: String },
    /// Imports the host does not grant, exports of another contract version, wrong shapes.
    #[error("{name} is refused: {reason}")]
    Link { name: String, reason: String },
    #[error("{name} describes itself wrongly: {reason}")]
    Describe { name: String, reason: String },
    #[error("{name} cannot be routed: {reason}")]
    Route { name: String, reason: String },
    #[error("engine configuration failed: {0}")]
    Engine(String),
}

/// A guest fault. Each one ends the session it happened in and nothing else.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuestError {
    #[error("the view trapped: {0}")]
    Trap(String),
    #[error("the view ran longer than its {0} ms budget")]
    Deadline(u128),
    #[error("the view exceeded its memory limit")]
    OutOfMemory,
    #[error("the view refused: {0}")]
    View(String),
    #[error("the view misused a capability: {0}")]
    Capability(String),
    #[error("the view rendered malformed parts: {0}")]
    Malformed(String),
    #[error("no instance slot became free in time")]
    Busy,
    #[error("the view instance is no longer usable after an earlier fault")]
    Poisoned,
}
