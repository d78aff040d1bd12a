//! A real server on 127.0.0.1:0 with the example and test guests, and a minimal client that
//! speaks HTTP and the Phoenix websocket protocol the way the browser does.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use liveplug::registry::Registry;
use liveplug::runtime::{Limits, Plugin, Runtime};
use liveplug::server::{AppState, Assets, Signer, app};
use liveplug::session::Lifecycle;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The request header test servers copy into the signed session.
pub const SESSION_HEADER: &str = "x-test-user";

/// How long a test waits for any one frame.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(10);

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("host/ has a parent").to_path_buf()
}

/// The path of a built guest (an example or a test guest), built by the
/// `liveplug-guest-artifacts` dev-dependency.
pub fn guest(name: &str) -> PathBuf {
    PathBuf::from(liveplug_guest_artifacts::path(name).unwrap_or_else(|| panic!("no guest called {name}")))
}

/// The target directory (`$CARGO_TARGET_DIR` or `target/`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => repo_root().join(dir),
        _ => repo_root().join("target"),
    }
}

/// The test servers' compile cache: each test binary starts several servers, and a Python
/// view takes seconds to compile cold.
pub fn compile_cache() -> PathBuf {
    target_dir().join("test-compile-cache")
}

/// The examples built with the JavaScript, Python and C SDKs (`cargo xtask build-plugins`, or
/// `cargo xtask test`, builds them into `target/polyglot/`): `(name, path)`.
pub fn polyglot_examples() -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(target_dir().join("polyglot")) else { return Vec::new() };
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
        .filter_map(|path| Some((path.file_stem()?.to_string_lossy().into_owned(), path)))
        .collect();
    found.sort();
    found
}

/// The path of the polyglot example `name`; fails with what to run when it was not built.
pub fn polyglot(name: &str) -> PathBuf {
    polyglot_examples().into_iter().find(|(n, _)| n == name).map(|(_, p)| p).unwrap_or_else(|| {
        panic!("{name}.wasm is not in target/polyglot/: run `cargo xtask build-plugins` (or `cargo xtask test`)")
    })
}

/// Limits small enough that fault tests finish quickly. The call budget is wall-clock time,
/// which a guest also spends preempted: on a loaded 2-core CI machine an interpreted guest's
/// first call (CPython starting) has taken over 300 ms, so the budget is the production
/// default's order of magnitude, not a tight one.
pub fn test_limits() -> Limits {
    Limits {
        call_timeout: Duration::from_millis(1000),
        max_instances: 64,
        max_memory_bytes: 32 << 20,
        ..Limits::default()
    }
}

pub fn runtime() -> Runtime {
    Runtime::new(test_limits()).expect("engine")
}

pub fn plugin(runtime: &Runtime, name: &str) -> Plugin {
    Plugin::from_file(runtime, &guest(name)).expect("guest compiles")
}

/// The shared server: started once per test binary on its own runtime thread.
pub fn server() -> SocketAddr {
    static SERVER: OnceLock<SocketAddr> = OnceLock::new();
    *SERVER.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
            rt.block_on(async move {
                let addr = start_server().await;
                tx.send(addr).expect("report address");
                std::future::pending::<()>().await;
            });
        });
        rx.recv_timeout(Duration::from_secs(120)).expect("server started")
    })
}

async fn start_server() -> SocketAddr {
    start_server_with(test_limits(), Lifecycle::default()).await.0
}

/// A server of its own with these limits and this session lifecycle, on the calling test's
/// runtime; returns its address and its runtime (to look at the instance pool).
pub async fn start_server_with(limits: Limits, lifecycle: Lifecycle) -> (SocketAddr, Runtime) {
    let dir = plugins_dir("plugins");
    // Every example and every test guest, served under its package name, and the examples in
    // other languages that `cargo xtask test` built.
    for (name, path) in liveplug_guest_artifacts::all() {
        std::fs::copy(path, dir.join(format!("{name}.wasm"))).expect("copy guest");
    }
    for (name, path) in polyglot_examples() {
        std::fs::copy(&path, dir.join(format!("{name}.wasm"))).expect("copy polyglot example");
    }
    let (addr, runtime, _) = serve_dir(&dir, limits, lifecycle).await;
    (addr, runtime)
}

/// A fresh, empty plugins directory for one test.
pub fn plugins_dir(label: &str) -> PathBuf {
    static DIRS: AtomicU32 = AtomicU32::new(0);
    let n = DIRS.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("liveplug-test-{label}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A server for the plugins in `dir` (every one must load); returns its address, its runtime
/// and its registry.
pub async fn serve_dir(dir: &Path, limits: Limits, lifecycle: Lifecycle) -> (SocketAddr, Runtime, Arc<Registry>) {
    let root = repo_root();
    let limits = Limits { shape: liveplug::registry::pool_shape(dir), ..limits };
    let runtime = Runtime::with_compile_cache(limits, Some(&compile_cache())).expect("engine");
    let (registry, report) = Registry::load(&runtime, dir).await.expect("plugins dir");
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let assets = Assets::load(&root.join("node_modules")).expect("npm ci was run");
    let state = AppState::with_lifecycle(runtime.clone(), Arc::clone(&registry), Signer::random(), assets, lifecycle)
        .with_session_headers(vec![axum::http::HeaderName::from_static(SESSION_HEADER)]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app(state)).await });
    (addr, runtime, registry)
}

/// A raw HTTP/1.1 response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// GET `path` over a fresh connection.
pub async fn get(addr: SocketAddr, path: &str, cookie: Option<&str>) -> Response {
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    get_with(addr, path, &cookie).await
}

/// GET `path` with `extra` header lines (each ending in `\r\n`).
pub async fn get_with(addr: SocketAddr, path: &str, extra: &str) -> Response {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8(raw).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("http response");
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status");
    let headers = lines.filter_map(|l| l.split_once(": ")).map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
    Response { status, headers, body: body.to_owned() }
}

/// What a browser takes from a view's page.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: String,
    pub id: String,
    pub session: String,
    pub static_token: String,
    pub csrf: String,
    pub cookie: String,
    pub inner_html: String,
}

fn attribute(html: &str, marker: &str) -> String {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker} in {html}")) + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

pub async fn open_page(addr: SocketAddr, path: &str) -> Page {
    let response = get(addr, path, None).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let cookie = response.header("set-cookie").expect("csrf cookie").split(';').next().expect("pair").to_owned();
    let html = &response.body;
    let container = &html[html.find("data-phx-main").expect("container")..];
    let inner_start = container.find('>').expect("tag end") + 1;
    let inner_end = container.rfind("</div>\n</body>").expect("container end");
    Page {
        url: format!("http://{addr}{path}"),
        id: attribute(html, "<div id=\""),
        session: attribute(html, "data-phx-session=\""),
        static_token: attribute(html, "data-phx-static=\""),
        csrf: attribute(html, "<meta name=\"csrf-token\" content=\""),
        cookie,
        inner_html: container[inner_start..inner_end].to_owned(),
    }
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// A websocket client that sends and reads V2 frames.
pub struct Socket {
    ws: Ws,
    next_ref: u64,
}

impl Socket {
    /// Connects like the browser does for `page`, with a CSRF token (`None` omits it).
    pub async fn connect(addr: SocketAddr, cookie: Option<&str>, csrf: Option<&str>) -> Socket {
        let csrf = csrf.map(|c| format!("_csrf_token={c}&")).unwrap_or_default();
        let url = format!("ws://{addr}/live/websocket?{csrf}_mounts=0&_live_referer=undefined&vsn=2.0.0");
        let mut request = url.into_client_request().expect("request");
        if let Some(cookie) = cookie {
            request.headers_mut().insert("cookie", cookie.parse().expect("cookie header"));
        }
        request.headers_mut().insert("origin", format!("http://{addr}").parse().expect("origin header"));
        let (ws, _) = tokio_tungstenite::connect_async(request).await.expect("websocket handshake");
        Socket { ws, next_ref: 0 }
    }

    pub async fn for_page(addr: SocketAddr, page: &Page) -> Socket {
        Socket::connect(addr, Some(&page.cookie), Some(&page.csrf)).await
    }

    pub fn make_ref(&mut self) -> String {
        self.next_ref += 1;
        self.next_ref.to_string()
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.expect("send");
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_raw(Message::Text(frame.to_string().into())).await;
    }

    /// The next text frame, parsed.
    pub async fn recv(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(FRAME_TIMEOUT, self.ws.next())
                .await
                .expect("a frame within the timeout")
                .expect("socket open")
                .expect("valid message");
            match message {
                Message::Text(text) => return serde_json::from_str(text.as_str()).expect("JSON frame"),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// The next text frame if one arrives within `wait`.
    pub async fn recv_within(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let message =
                tokio::time::timeout(wait, self.ws.next()).await.ok()?.expect("socket open").expect("valid message");
            match message {
                Message::Text(text) => return Some(serde_json::from_str(text.as_str()).expect("JSON frame")),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// Joins `page`'s view; returns the join_ref and the reply frame.
    pub async fn join(&mut self, page: &Page) -> (String, Value) {
        let join_ref = self.make_ref();
        self.send(json!([join_ref, join_ref, format!("lv:{}", page.id), "phx_join", {
            "url": page.url,
            "params": {"_csrf_token": page.csrf, "_mounts": 0, "_mount_attempts": 0},
            "session": page.session,
            "static": page.static_token,
            "sticky": false,
        }]))
        .await;
        let reply = self.recv().await;
        (join_ref, reply)
    }

    /// Sends a click event and returns the reply frame.
    pub async fn click(&mut self, join_ref: &str, page: &Page, event: &str) -> Value {
        let msg_ref = self.make_ref();
        self.send(json!([join_ref, msg_ref, format!("lv:{}", page.id), "event", {"type": "click", "event": event, "value": {"value": ""}}])).await;
        self.recv().await
    }
}
