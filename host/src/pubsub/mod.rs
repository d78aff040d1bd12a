//! Server push: topics shared by sessions (pubsub), presence, and the messages and requests
//! that travel between sessions. In-process by default; the hub is the one place a
//! multi-host adapter plugs in.
//!
//! Nothing here touches a socket or wasmtime: a delivery is a push onto the receiving
//! connection's [`Mailbox`], which the connection drains between frames.

mod hub;
mod membership;
mod message;
mod presence;
pub mod redis;
mod wire;

pub use self::hub::{Counts, Delivery, Hub, MAX_QUEUED, MAX_QUEUED_BYTES, Mailbox, OUTBOX};
pub use self::membership::{MAX_SUBSCRIPTIONS, MAX_TRACKED, Membership, MembershipError};
pub use self::message::{
    MAX_PAYLOAD, MAX_TOPIC, MIN_INTERVAL, Message, Request, SessionId, TimerId, check_key, check_meta, check_payload,
    check_topic, next_timer_id,
};
pub use self::presence::{Diff as PresenceDiff, Presence, Shared as SharedPresence};
pub use self::wire::{Envelope, WireError};
