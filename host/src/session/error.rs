//! Session failures and how each one reaches the client.

use crate::diff::DiffError;
use crate::runtime::GuestError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The guest faulted or refused: the session ends with `phx_error` and the client rejoins.
    #[error(transparent)]
    Guest(#[from] GuestError),
    /// The guest rendered something the diff engine rejects: a guest fault too.
    #[error("malformed render: {0}")]
    Render(#[from] DiffError),
    /// The view's plugin is no longer served (removed while the session was hibernated), or
    /// the session ended earlier.
    #[error("the view {0:?} is no longer available")]
    Gone(String),
    /// `push_patch` kept patching (a `handle_params` loop).
    #[error("more than {0} chained push_patch calls: check handle_params for a patch loop")]
    PatchLoop(u32),
    /// `push_patch` to a URL that another view (or none) is routed at.
    #[error("push_patch to {0:?}, which is not a path of this view (use push_navigate)")]
    PatchElsewhere(String),
    /// The view's code was swapped and this session's state could not be carried over (the
    /// view cannot snapshot, or the new code refused the snapshot): the session ends with
    /// `phx_error`, and the client's rejoin mounts the new code afresh.
    #[error("the view {0:?} changed and this session's state could not move to it")]
    NotCarried(String),
    /// The client sent a payload we cannot use: answered with an error reply, the session
    /// goes on.
    #[error("bad payload: {0}")]
    BadPayload(String),
}

impl SessionError {
    /// Whether the session can go on after this error.
    pub fn is_fatal(&self) -> bool {
        !matches!(self, SessionError::BadPayload(_))
    }
}
