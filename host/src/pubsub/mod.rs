//! Server push: topics shared by sessions (pubsub), presence, and the messages and requests
//! that travel between sessions. In-process by default; the hub is the one place a
//! multi-host adapter plugs in.
//!
//! Nothing here touches a socket or wasmtime: a delivery is a push onto the receiving
//! connection's queue (its [`Inbox`]), which the connection drains between frames.

mod hub;
mod membership;
mod message;
mod presence;
pub mod redis;
mod wire;

pub use self::hub::{Counts, Delivery, Hub, Inbox, MAX_QUEUED, Mailbox, OUTBOX};
pub use self::membership::{MAX_SUBSCRIPTIONS, MAX_TRACKED, Membership, MembershipError};
pub use self::message::{
    MAX_PAYLOAD, MAX_TOPIC, MIN_INTERVAL, Message, Request, SessionId, TimerId, check_meta, check_payload, check_topic,
    next_timer_id,
};
pub use self::presence::{Diff as PresenceDiff, Pending as PendingPresence, Presence, Shared as SharedPresence};
pub use self::wire::{Envelope, WireError};
