//! Liveplug hosts Phoenix LiveViews written as WebAssembly components.
//!
//! The browser runs the stock `phoenix_live_view` client; this crate is the server side: it
//! renders pages, speaks the Phoenix channel protocol over a websocket, runs each joined view
//! in its own sandboxed wasmtime `Store`, and diffs what the view renders into the minimal
//! update the client needs. See `ARCHITECTURE.md` for the map.
//!
//! Dependencies point one way: `server → session/registry → runtime → pubsub/diff/protocol`.

pub mod diff;
pub mod protocol;
pub mod pubsub;
pub mod registry;
pub mod runtime;
pub mod server;
pub mod session;
