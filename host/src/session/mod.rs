//! The LiveView channel: what happens between a join and a leave, independent of sockets and
//! of wasmtime.
//!
//! [`LiveSession`] is the state machine of one joined view (mount, events, patches, replies);
//! [`socket::serve`] multiplexes the channels of one connection, one task per joined view,
//! over any `Sink`/`Stream` of websocket messages so that tests drive it without a network.

mod error;
mod event;
pub mod form;
mod live;
pub mod socket;
mod url;

pub use self::error::SessionError;
pub use self::live::{DeadRender, LiveSession, MountRequest};
pub use self::socket::{Claims, Gate, SocketConfig};
pub use self::url::view_name;
