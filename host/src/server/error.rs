//! HTTP failures, each with its status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("no view named {0:?}")]
    NoSuchView(String),
    #[error("the view failed to render")]
    RenderFailed,
    #[error("the server is at capacity; try again shortly")]
    Busy,
    #[error("cross-origin websocket refused")]
    CrossOrigin,
    #[error("unsupported serializer version; use vsn=2.0.0")]
    SerializerVersion,
}

impl HttpError {
    fn status(&self) -> StatusCode {
        match self {
            HttpError::NoSuchView(_) => StatusCode::NOT_FOUND,
            HttpError::RenderFailed => StatusCode::INTERNAL_SERVER_ERROR,
            HttpError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            HttpError::CrossOrigin => StatusCode::FORBIDDEN,
            HttpError::SerializerVersion => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (self.status(), self.to_string()).into_response()
    }
}
