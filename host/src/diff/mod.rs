//! The diff engine: a view's render output ("parts") in, Phoenix rendered JSON out.
//!
//! Pure and total: no I/O, and every malformed input is a [`DiffError`], never a panic. A
//! [`Renderer`] holds what the client already has for one joined view (templates, the current
//! tree, components, stream refs) the way Phoenix keeps its fingerprint tree: state in, state
//! out. The same tree renders the HTML of the dead render, so the page the HTTP request returns
//! and the page the client shows after the join are the same by construction.

mod component;
mod engine;
mod error;
pub mod escape;
mod intern;
mod parts;
mod pass;
mod root;
mod statics;
mod tree;
pub mod wire;

pub use self::engine::Renderer;
pub use self::error::DiffError;
pub use self::parts::{ComponentRoot, PartItem, PartNode, Parts, StreamInsert, StreamOps, Template};
