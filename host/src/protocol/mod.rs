//! The Phoenix channel V2 wire format: frames, topics and the message vocabulary.
//!
//! Pure: no I/O and no knowledge of views or wasmtime. The socket loop decodes every incoming
//! websocket message with [`Frame::decode_text`] / [`Frame::decode_binary`] and encodes every
//! outgoing one with [`Frame::encode`].

mod frame;
mod message;
pub mod navigation;
mod topic;

pub use self::frame::{Frame, FrameError, Payload, Reply, ReplyStatus};
pub use self::message::{ClientMessage, EventPush, Join, JoinUrl, PayloadError};
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
    pub const ALLOW_UPLOAD: &str = "allow_upload";
    pub const PROGRESS: &str = "progress";
}

/// The `reason` of error replies and pushes, spelled once. The client acts on the first three
/// (reference §3.3): `stale` and `unauthorized` make it load the page again.
pub mod reason {
    /// The tokens do not verify (forged, expired, for another container) or the CSRF token
    /// is missing: the client reloads the page for fresh ones.
    pub const STALE: &str = "stale";
    /// The URL does not route to the token's view, or a live navigation leaves its live
    /// session: the client loads the page instead.
    pub const UNAUTHORIZED: &str = "unauthorized";
    /// A push on a topic that is not joined (or with an old join ref).
    pub const UNMATCHED_TOPIC: &str = "unmatched topic";
    /// The view failed while joining.
    pub const JOIN_CRASHED: &str = "join crashed";
    /// The connection has as many channels as it may.
    pub const TOO_MANY_CHANNELS: &str = "too many channels";
    /// `phx_error` of a view that failed after joining: the client rejoins.
    pub const CHANNEL_CRASH: &str = "channel_crash";
    /// Uploads are not served yet.
    pub const UPLOADS_UNSUPPORTED: &str = "uploads are not supported by this host";
}
