//! The Phoenix channel V2 wire format: frames, topics and the message vocabulary.
//!
//! Pure: no I/O and no knowledge of views or wasmtime. The socket loop decodes every incoming
//! websocket message with [`Frame::decode_text`] / [`Frame::decode_binary`] and encodes every
//! outgoing one with [`Frame::encode`].

mod frame;
mod topic;

pub use self::frame::{Frame, FrameError, Payload, Reply, ReplyStatus};
pub use self::topic::Topic;

/// The LiveView version the pinned client reports; sent in every join reply.
pub const LIVEVIEW_VERSION: &str = "1.2.12";

/// The only serializer version we speak (`vsn` query parameter of the socket URL).
pub const SERIALIZER_VSN: &str = "2.0.0";

/// Event names of the channel protocol, spelled once.
pub mod event {
    pub const JOIN: &str = "phx_join";
    pub const LEAVE: &str = "phx_leave";
    pub const REPLY: &str = "phx_reply";
    pub const CLOSE: &str = "phx_close";
    pub const ERROR: &str = "phx_error";
    pub const HEARTBEAT: &str = "heartbeat";
    pub const EVENT: &str = "event";
    pub const DIFF: &str = "diff";
    pub const LIVE_PATCH: &str = "live_patch";
    pub const LIVE_REDIRECT: &str = "live_redirect";
    pub const REDIRECT: &str = "redirect";
    pub const CIDS_WILL_DESTROY: &str = "cids_will_destroy";
    pub const CIDS_DESTROYED: &str = "cids_destroyed";
}
