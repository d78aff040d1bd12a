//! The WebAssembly side of the host: engine configuration, loading view components, one
//! `Store` per session and the host capabilities guests import.
//!
//! Mirrors wasmtime's own vocabulary: [`Runtime`] owns the `Engine` and the pre-linked
//! `Linker`; a [`Plugin`] is a compiled component with its imports resolved once
//! (`InstancePre`); a [`GuestView`] is one instance in its own `Store`, driven through the
//! [`View`] trait. No wasmtime type leaves this module.

mod bindings;
mod component;
mod config;
mod engine;
mod error;
mod flash;
mod instance;
mod keyvalue;
mod log;
mod navigation;
mod page;
mod pool;
mod realtime;
mod shape;
mod store;
mod view;
mod wasi;

pub use self::component::Plugin;
pub use self::config::Limits;
pub use self::engine::Runtime;
pub use self::error::{GuestError, LoadError};
pub use self::instance::GuestView;
pub use self::navigation::local_path;
pub use self::pool::{Owner, Residency, Slot};
pub use self::shape::Shape;
pub use self::view::{Effects, Flash, MountContext, Navigation, View, ViewInfo};
