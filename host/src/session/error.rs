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
