//! The router and the page handlers.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, HOST, SET_COOKIE};
use axum::http::{HeaderMap, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::assets::{Assets, BOOTSTRAP_PATH, LIVE_VIEW_PATH, PHOENIX_PATH};
use super::error::HttpError;
use super::token::{self, SessionData, Signer, StaticData};
use super::{csrf, page, websocket};
use crate::registry::Registry;
use crate::runtime::{GuestError, GuestView, Runtime};
use crate::session::{Claims, Gate, Lifecycle, LiveSession, MountRequest, SessionError, SocketConfig};

/// A connection that sends nothing for this long is closed; the client's heartbeat comes
/// every 30 s.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Everything the handlers share. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    runtime: Runtime,
    registry: Arc<Registry>,
    signer: Signer,
    assets: Assets,
    socket: Arc<SocketConfig>,
}

impl AppState {
    pub fn new(runtime: Runtime, registry: Arc<Registry>, signer: Signer, assets: Assets) -> Self {
        Self::with_lifecycle(runtime, registry, signer, assets, Lifecycle::default())
    }

    /// [`AppState::new`] with the given hibernation settings.
    pub fn with_lifecycle(
        runtime: Runtime,
        registry: Arc<Registry>,
        signer: Signer,
        assets: Assets,
        lifecycle: Lifecycle,
    ) -> Self {
        let socket = Arc::new(SocketConfig {
            runtime: runtime.clone(),
            registry: Arc::clone(&registry),
            gate: Arc::new(TokenGate { signer: signer.clone() }),
            idle_timeout: IDLE_TIMEOUT,
            lifecycle,
        });
        Self { inner: Arc::new(Shared { runtime, registry, signer, assets, socket }) }
    }

    pub(super) fn signer(&self) -> &Signer {
        &self.inner.signer
    }

    pub(super) fn socket_config(&self) -> Arc<SocketConfig> {
        Arc::clone(&self.inner.socket)
    }
}

/// The application: pages, assets and the LiveView socket.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(index))
        .route(PHOENIX_PATH, get(|State(s): State<AppState>| async move { s.inner.assets.phoenix() }))
        .route(LIVE_VIEW_PATH, get(|State(s): State<AppState>| async move { s.inner.assets.live_view() }))
        .route(BOOTSTRAP_PATH, get(|| async { Assets::bootstrap() }))
        .route("/live/websocket", get(websocket::upgrade))
        .route("/{view}", get(view_page))
        .with_state(state)
}

async fn index(State(state): State<AppState>) -> Html<String> {
    Html(page::index(&state.inner.registry.names()))
}

/// The dead render: mounts the view disconnected and returns its page.
async fn view_page(
    State(state): State<AppState>,
    Path(name): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let plugin = state.inner.registry.get(&name).ok_or_else(|| HttpError::NoSuchView(name.clone()))?;
    let (secret, new_cookie) = match csrf::secret_from(&headers) {
        Some(secret) => (secret, None),
        None => {
            let secret = csrf::new_secret();
            let cookie = csrf::cookie(&secret);
            (secret, Some(cookie))
        }
    };
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let url = format!("http://{host}{uri}");
    let session = json!({});
    let view = GuestView::instantiate(&state.inner.runtime, &plugin).await.map_err(render_failed(&name))?;
    let request = MountRequest { url, session: session.clone(), connect_params: None };
    let rendered = LiveSession::dead_render(view, request).await.map_err(|e| match e {
        SessionError::Guest(g) => render_failed(&name)(g),
        other => {
            tracing::warn!(view = %name, error = %other, "dead render failed");
            HttpError::RenderFailed
        }
    })?;
    let id = container_id();
    let signer = state.signer();
    let session_token = signer.sign(token::SESSION, &SessionData { id: id.clone(), view: name.clone(), session });
    let static_token = signer.sign(token::STATIC, &StaticData { id: id.clone() });
    let html = page::view(&page::ViewPage {
        title: rendered.title.as_deref().unwrap_or(&name),
        csrf_token: &csrf::token_for(signer, &secret),
        container_id: &id,
        session_token: &session_token,
        static_token: &static_token,
        inner_html: &rendered.html,
    });
    let mut response = ([(CACHE_CONTROL, "no-store")], Html(html)).into_response();
    if let Some(cookie) = new_cookie
        && let Ok(value) = cookie.parse()
    {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

fn render_failed(name: &str) -> impl Fn(GuestError) -> HttpError + '_ {
    move |error| {
        tracing::warn!(view = %name, %error, "dead render failed");
        match error {
            GuestError::Busy => HttpError::Busy,
            _ => HttpError::RenderFailed,
        }
    }
}

/// A unique, DOM-safe container id.
fn container_id() -> String {
    format!("phx-{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 12]>()))
}

/// Verifies join tokens with the server's signer.
struct TokenGate {
    signer: Signer,
}

impl Gate for TokenGate {
    fn verify(&self, id: &str, session: &str, static_token: Option<&str>) -> Option<Claims> {
        let data: SessionData = self.signer.verify(token::SESSION, session)?;
        if data.id != id {
            return None;
        }
        if let Some(static_token) = static_token {
            let data: StaticData = self.signer.verify(token::STATIC, static_token)?;
            if data.id != id {
                return None;
            }
        }
        Some(Claims {
            session: if data.session.is_object() { data.session } else { Value::Object(Default::default()) },
        })
    }
}
