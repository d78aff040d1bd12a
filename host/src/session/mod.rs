//! The LiveView channel: what happens between a join and a leave, independent of sockets and
//! of wasmtime.
//!
//! [`LiveSession`] is the state machine of one joined view (mount, events, patches, replies,
//! hibernation); `channel.rs` keeps one joined topic awake or hibernated; [`socket::serve`]
//! runs the channels of one connection in one task over any `Sink`/`Stream` of websocket
//! messages, so that tests drive it without a network.

mod channel;
mod error;
mod event;
pub mod form;
mod live;
mod realtime;
pub mod socket;
mod timers;
mod url;
mod views;

pub use self::channel::Lifecycle;
pub use self::error::SessionError;
pub use self::live::{
    AnyUrl, DeadRender, Hibernated, Hibernation, Joined, KeptBecause, Leaving, LiveSession, MAX_PATCHES, MountRequest,
    Outcome, Routes,
};
pub use self::socket::{Claims, Gate, SocketConfig};
pub use self::views::{Route, ViewRoutes, Views};
