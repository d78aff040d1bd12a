//! The LiveView socket endpoint: checks the handshake, then hands the connection to the
//! session layer.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Query, State, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
use axum::response::Response;
use futures_util::StreamExt;
use tracing::Instrument as _;

use super::csrf;
use super::error::HttpError;
use super::routes::AppState;
use crate::protocol::SERIALIZER_VSN;
use crate::session::socket;

/// Largest websocket message accepted: well above an upload chunk (64 KiB by default) and any
/// form payload, far below what could hurt the host.
const MAX_MESSAGE: usize = 2 << 20;
/// The read buffer each connection keeps between frames. Sized for an idle session, not a
/// burst: LiveView frames (heartbeats, clicks, small forms) fit in it, and a larger message
/// grows the buffer for as long as it takes to read. Every idle connection holds this much,
/// so it is most of an idle session's cost (tungstenite's default is 128 KiB).
const READ_BUFFER: usize = 1 << 10;
/// Frames are written as soon as they are sent (the socket loop flushes every frame); a
/// client that stops reading is cut off once this much is queued for it.
const MAX_WRITE_BUFFER: usize = 4 << 20;

pub async fn upgrade(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, HttpError> {
    if query.get("vsn").is_some_and(|vsn| vsn != SERIALIZER_VSN) {
        return Err(HttpError::SerializerVersion);
    }
    if !same_origin(&headers) {
        return Err(HttpError::CrossOrigin);
    }
    let csrf_ok = match (csrf::secret_from(&headers), query.get("_csrf_token")) {
        (Some(secret), Some(token)) => csrf::is_valid(state.signer(), &secret, token),
        _ => false,
    };
    let config = state.socket_config();
    let ws = ws
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER);
    let span = tracing::debug_span!("socket", connection = CONNECTIONS.fetch_add(1, Ordering::Relaxed));
    Ok(ws.on_upgrade(move |socket| {
        let (write, read) = socket.split();
        // Instrumented, not entered: the span is current exactly while this connection runs.
        socket::serve(write, read, config, csrf_ok).instrument(span)
    }))
}

/// Numbers the connections in log lines.
static CONNECTIONS: AtomicU64 = AtomicU64::new(0);

/// A browser always sends `Origin` on websocket handshakes; it must name this host. Clients
/// that are not browsers send none and are not subject to the check.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    origin.split_once("://").is_some_and(|(_, authority)| authority.trim_end_matches('/') == host)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static(host));
        if let Some(origin) = origin {
            headers.insert(ORIGIN, HeaderValue::from_static(origin));
        }
        headers
    }

    #[test]
    fn only_same_origin_browsers_may_connect() {
        assert!(same_origin(&headers(Some("http://127.0.0.1:4000"), "127.0.0.1:4000")));
        assert!(same_origin(&headers(None, "127.0.0.1:4000")));
        assert!(!same_origin(&headers(Some("http://evil.test"), "127.0.0.1:4000")));
        assert!(!same_origin(&headers(Some("null"), "127.0.0.1:4000")));
    }
}
