//! The router and the page handlers.

use std::sync::Arc;
use std::time::Duration;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, HOST, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::assets::{Assets, BOOTSTRAP_PATH, LIVE_VIEW_PATH, PHOENIX_PATH};
use super::error::HttpError;
use super::token::{self, SessionData, Signer, StaticData};
use super::views::GuestViews;
use super::{csrf, page, websocket};
use crate::registry::Registry;
use crate::runtime::{GuestError, Runtime};
use crate::session::{
    Claims, DeadRender, Gate, Lifecycle, LiveSession, MountRequest, SessionError, SocketConfig, ViewRoutes, Views,
};

/// The cookie the client sets for a redirect's flash, read (and deleted) by the next page.
pub const FLASH_COOKIE: &str = "__phoenix_flash__";

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
    signer: Signer,
    assets: Assets,
    /// The views and what every connection shares; the dead render uses the same views.
    socket: Arc<SocketConfig<GuestViews>>,
    /// Request headers copied into the signed session of each page (`--session-header`).
    session_headers: Vec<HeaderName>,
}

/// A session header's value longer than this is left out.
const MAX_SESSION_HEADER: usize = 4096;

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
            views: GuestViews { runtime, registry },
            gate: Arc::new(TokenGate { signer: signer.clone() }),
            idle_timeout: IDLE_TIMEOUT,
            write_timeout: crate::session::socket::WRITE_TIMEOUT,
            lifecycle,
        });
        Self { inner: Arc::new(Shared { signer, assets, socket, session_headers: Vec::new() }) }
    }

    /// Copies these request headers of a page request into the session its views receive
    /// (`session["<lowercase name>"]`), signed into the page's session token: how an
    /// authenticating proxy in front of the host hands views the user. Call it before serving.
    ///
    /// The session is signed, not encrypted: the page shows it. Credentials (`cookie`,
    /// `authorization`, `proxy-authorization`) are refused for that reason, with an error log.
    pub fn with_session_headers(mut self, names: Vec<HeaderName>) -> Self {
        let (refused, names): (Vec<HeaderName>, Vec<HeaderName>) =
            names.into_iter().partition(|n| matches!(n.as_str(), "cookie" | "authorization" | "proxy-authorization"));
        for name in refused {
            tracing::error!(header = %name, "a credential header cannot be a session header: the page would show it; ignored");
        }
        match Arc::get_mut(&mut self.inner) {
            Some(shared) => shared.session_headers = names,
            None => tracing::error!("session headers must be set before the state is shared; ignored"),
        }
        self
    }

    /// The session of a page request: the configured headers it carries.
    fn session_from(&self, headers: &HeaderMap) -> Value {
        let mut session = serde_json::Map::new();
        for name in &self.inner.session_headers {
            // Exactly one value: a proxy that appends instead of replacing would otherwise let
            // the client's own copy through.
            let mut values = headers.get_all(name).iter();
            let (Some(value), None) = (values.next(), values.next()) else { continue };
            let value = value.to_str().ok().filter(|v| v.len() <= MAX_SESSION_HEADER);
            if let Some(value) = value {
                session.insert(name.as_str().to_owned(), Value::from(value));
            }
        }
        Value::Object(session)
    }

    pub(super) fn signer(&self) -> &Signer {
        &self.inner.signer
    }

    fn views(&self) -> &GuestViews {
        &self.inner.socket.views
    }

    fn registry(&self) -> &Registry {
        &self.inner.socket.views.registry
    }

    pub(super) fn socket_config(&self) -> Arc<SocketConfig<GuestViews>> {
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
        // Every other path is a view's, if one is routed there.
        .fallback(view_page)
        .with_state(state)
}

/// `/`: the view routed at `/`, or the list of views.
async fn index(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Result<Response, HttpError> {
    if state.registry().route("/").is_some() {
        return view_page(State(state), Method::GET, uri, headers).await;
    }
    Ok(Html(page::index(&state.registry().index())).into_response())
}

/// The dead render: mounts the view routed at the path disconnected and returns its page, or
/// the redirect it asked for.
async fn view_page(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    if method != Method::GET && method != Method::HEAD {
        return Ok(StatusCode::METHOD_NOT_ALLOWED.into_response());
    }
    let views = state.views();
    let destination = views.route(uri.path()).ok_or_else(|| HttpError::NoSuchView(uri.path().to_owned()))?;
    let name = destination.view;
    let (secret, new_cookie) = match csrf::secret_from(&headers) {
        Some(secret) => (secret, None),
        None => {
            let secret = csrf::new_secret();
            let cookie = csrf::cookie(&secret);
            (secret, Some(cookie))
        }
    };
    let signer = state.signer();
    // A redirect's flash, which the client left in a cookie: shown once, then deleted.
    let flash_cookie = csrf::cookie_value(&headers, FLASH_COOKIE);
    let flash: BTreeMap<String, String> = flash_cookie
        .as_deref()
        .and_then(|t| signer.verify_younger_than(token::FLASH, t, token::FLASH_MAX_AGE))
        .unwrap_or_default();
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let url = format!("http://{host}{uri}");
    let session = state.session_from(&headers);
    let dead_render_failed = |error: SessionError| match error {
        SessionError::Guest(g) => render_failed(&name)(g),
        other => {
            tracing::warn!(view = %name, error = %other, "dead render failed");
            HttpError::RenderFailed
        }
    };
    let view = views.instantiate(&name, None).await.map_err(dead_render_failed)?;
    let request = MountRequest {
        url,
        session: session.clone(),
        connect_params: None,
        path_params: destination.path_params,
        flash,
    };
    let routes = ViewRoutes { views, view: &name };
    let rendered = LiveSession::dead_render_at(view, request, &routes).await.map_err(dead_render_failed)?;
    let mut response = match rendered {
        DeadRender::Redirect { to, flash } => {
            let mut response = (StatusCode::FOUND, [(CACHE_CONTROL, "no-store")]).into_response();
            // Non-ASCII (a path like `/café`) is percent-encoded: a header value is ASCII.
            let location = percent_encoding::utf8_percent_encode(&to, percent_encoding::CONTROLS).to_string();
            if let Ok(location) = location.parse() {
                response.headers_mut().insert(LOCATION, location);
            }
            let cookie = if !flash.is_empty() {
                Some(format!("{FLASH_COOKIE}={}; max-age=60; path=/", signer.sign(token::FLASH, &flash)))
            } else {
                // The flash that came in is shown nowhere; like Phoenix, delete it anyway.
                flash_cookie.is_some().then(delete_flash_cookie)
            };
            if let Some(Ok(cookie)) = cookie.map(|c| c.parse()) {
                response.headers_mut().append(SET_COOKIE, cookie);
            }
            response
        }
        DeadRender::Page { html, title, flash } => {
            let id = container_id();
            let live_session = destination.live_session.to_string();
            let session_token =
                signer.sign(token::SESSION, &SessionData { id: id.clone(), view: name.clone(), live_session, session });
            let static_token = signer.sign(token::STATIC, &StaticData { id: id.clone(), flash: Some(flash) });
            let html = page::view(&page::ViewPage {
                title: title.as_deref().unwrap_or(&name),
                csrf_token: &csrf::token_for(signer, &secret),
                container_id: &id,
                session_token: &session_token,
                static_token: &static_token,
                inner_html: &html,
            });
            let mut response = ([(CACHE_CONTROL, "no-store")], Html(html)).into_response();
            if flash_cookie.is_some()
                && let Ok(delete) = delete_flash_cookie().parse()
            {
                response.headers_mut().append(SET_COOKIE, delete);
            }
            response
        }
    };
    if let Some(cookie) = new_cookie
        && let Ok(value) = cookie.parse()
    {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

/// The `Set-Cookie` that deletes the flash cookie (Phoenix's `delete_resp_cookie`).
fn delete_flash_cookie() -> String {
    format!("{FLASH_COOKIE}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0; HttpOnly")
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
        let mut flash = None;
        if let Some(static_token) = static_token {
            let data: StaticData = self.signer.verify(token::STATIC, static_token)?;
            if data.id != id {
                return None;
            }
            flash = data.flash;
        }
        Some(Claims {
            session: if data.session.is_object() { data.session } else { Value::Object(Default::default()) },
            view: data.view,
            live_session: data.live_session,
            flash,
        })
    }

    fn sign_flash(&self, flash: &BTreeMap<String, String>) -> String {
        self.signer.sign(token::FLASH, flash)
    }

    fn verify_flash(&self, token: &str) -> BTreeMap<String, String> {
        self.signer.verify_younger_than(token::FLASH, token, token::FLASH_MAX_AGE).unwrap_or_default()
    }
}
