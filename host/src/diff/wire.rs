//! The keys of the rendered-diff vocabulary (protocol reference §4), spelled once.

/// Statics: an array of strings, or an index into the diff's template table.
pub const STATIC: &str = "s";
/// The template table shared by the descendants of the node that carries it.
pub const TEMPLATES: &str = "p";
/// Page title (top level only).
pub const TITLE: &str = "t";
/// Events pushed to the client (top level only).
pub const EVENTS: &str = "e";
/// Hook reply at the top level of a diff.
pub const REPLY: &str = "r";
/// On a template instance: it renders a single root element.
pub const ROOT: &str = "r";
/// Keyed comprehension entries.
pub const KEYED: &str = "k";
/// Inside `"k"`: the number of entries.
pub const KEYED_COUNT: &str = "kc";
/// Inside `"k"`: entries moved (the client snapshots the old ones first).
pub const KEYED_MOVED: &str = "km";
/// Stream operations on a comprehension.
pub const STREAM: &str = "stream";
/// Stateful components by cid (top level only).
pub const COMPONENTS: &str = "c";
