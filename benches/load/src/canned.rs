//! A trivial LiveView server that answers with canned frames: the page, the websocket upgrade
//! (it insists on the cookie and the CSRF token, as a real server does), heartbeats, joins,
//! events and leaves, and one chat message: a `say` event's value is pushed as a `diff` to every
//! joined socket of the server (what `broadcast` measures). It costs a few hundred nanoseconds per event, so what a run against it
//! measures is the load tool.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{broadcast, watch};

use crate::frame;
use crate::http::accept_key;
use crate::ws::{Role, WsConn};

const COOKIE_NAME: &str = "_canned_key";
const JOIN_RESPONSE: &[u8] = br#"{"status":"ok","response":{"rendered":{"0":"0","s":["<main><h1>Count: ","</h1><button phx-click=\"inc\">+</button></main>"],"t":"Canned"},"liveview_version":"1.2.12"}}"#;
const EVENT_RESPONSE: &[u8] = br#"{"status":"ok","response":{"diff":{"0":"1"}}}"#;
const EMPTY_OK: &[u8] = br#"{"status":"ok","response":{}}"#;
const UNMATCHED: &[u8] = br#"{"status":"error","response":{"reason":"unmatched topic"}}"#;

/// A running canned server; stops when dropped (or after its run time).
#[derive(Debug)]
pub struct CannedServer {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl CannedServer {
    /// Starts `threads` server threads (a current-thread runtime each, sharing the port through
    /// SO_REUSEPORT), optionally pinned to `cpu`, stopping by themselves after `run_for`.
    pub fn start(
        listen: SocketAddr,
        threads: usize,
        cpu: Option<usize>,
        run_for: Duration,
    ) -> std::io::Result<CannedServer> {
        let (stop, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared { pages: AtomicU64::new(0), said: broadcast::channel(1024).0 });
        let mut addr = listen;
        let mut handles = Vec::new();
        for i in 0..threads.max(1) {
            let (bound_tx, bound_rx) = std::sync::mpsc::channel();
            let stop_rx = stop_rx.clone();
            let shared = Arc::clone(&shared);
            let handle = std::thread::Builder::new().name(format!("canned-{i}")).spawn(move || {
                if let Some(cpu) = cpu {
                    let _ = crate::procstat::pin_thread(cpu);
                }
                let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = bound_tx.send(Err(e));
                        return;
                    }
                };
                rt.block_on(async move {
                    let listener = match listen_reuseport(addr) {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = bound_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = bound_tx.send(listener.local_addr());
                    let _ = tokio::time::timeout(run_for, accept_loop(listener, stop_rx, shared)).await;
                });
            })?;
            handles.push(handle);
            let bound =
                bound_rx.recv().map_err(|_| std::io::Error::other("canned server thread ended before binding"))??;
            // The other threads share the port the first one got.
            addr = bound;
        }
        Ok(CannedServer { addr, stop, threads: handles })
    }

    /// Signals the threads and waits for them.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.send_replace(true);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for CannedServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// What every thread of the server shares.
#[derive(Debug)]
struct Shared {
    /// Pages served (each gets its own token and id).
    pages: AtomicU64,
    /// What was said, as JSON strings, to push to every joined socket.
    said: broadcast::Sender<Arc<str>>,
}

fn listen_reuseport(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseport(true)?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

async fn accept_loop(listener: TcpListener, mut stop: watch::Receiver<bool>, shared: Arc<Shared>) {
    let conn_stop = stop.clone();
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors or similar: back off a little.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                let stop = conn_stop.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(req, Arc::clone(&shared)));
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades();
                    let mut stop = stop;
                    tokio::select! {
                        _ = conn => {}
                        _ = stop.wait_for(|s| *s) => {}
                    }
                });
            }
        }
    }
}

fn response(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r
}

async fn handle(mut req: Request<Incoming>, shared: Arc<Shared>) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.uri().path().ends_with("/websocket") {
        let has_cookie = req
            .headers()
            .get(header::COOKIE)
            .and_then(|c| c.to_str().ok())
            .is_some_and(|c| c.contains(&format!("{COOKIE_NAME}=")));
        let has_csrf = req.uri().query().is_some_and(|q| q.contains("_csrf_token=canned-"));
        let key = req.headers().get(header::SEC_WEBSOCKET_KEY).and_then(|k| k.to_str().ok()).map(accept_key);
        let (Some(accept), true, true) = (key, has_cookie, has_csrf) else {
            return Ok(response(StatusCode::FORBIDDEN, "need the page's cookie, CSRF token and a websocket key"));
        };
        let on_upgrade = hyper::upgrade::on(&mut req);
        let said = shared.said.subscribe();
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let Ok(upgraded) = on_upgrade.await else { return };
            let Ok(parts) = upgraded.downcast::<TokioIo<TcpStream>>() else { return };
            let ws = WsConn::new(parts.io.into_inner(), Role::Server, &parts.read_buf);
            serve_socket(ws, &shared, said).await;
        });
        let mut r = response(StatusCode::SWITCHING_PROTOCOLS, Bytes::new());
        let headers = r.headers_mut();
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
        if let Ok(v) = HeaderValue::from_str(&accept) {
            headers.insert(header::SEC_WEBSOCKET_ACCEPT, v);
        }
        return Ok(r);
    }
    let n = shared.pages.fetch_add(1, Ordering::Relaxed);
    let html = format!(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"csrf-token\" content=\"canned-{n}\">\n<title>Canned</title>\n</head>\n<body>\n<div id=\"phx-canned-{n}\" data-phx-main data-phx-session=\"session-{n}\" data-phx-static=\"static-{n}\"><main><h1>Count: 0</h1><button phx-click=\"inc\">+</button></main></div>\n</body>\n</html>\n"
    );
    let mut r = response(StatusCode::OK, html);
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("{COOKIE_NAME}=k{n}; Path=/; HttpOnly")) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// The text a `say` event carries (its form value), as a JSON string.
fn said(payload: &[u8]) -> Option<Arc<str>> {
    let v: serde_json::Value = serde_json::from_slice(payload).ok()?;
    if v.get("event")?.as_str()? != "say" {
        return None;
    }
    Some(serde_json::Value::from(v.get("value")?.as_str()?).to_string().into())
}

/// Answers every frame; replies to all the frames of one read go out in one write. Pushes
/// what anyone said to the channel this socket joined.
async fn serve_socket(mut ws: WsConn, shared: &Shared, mut heard: broadcast::Receiver<Arc<str>>) {
    let mut scratch = Vec::with_capacity(256);
    let mut topic: Option<Vec<u8>> = None;
    loop {
        tokio::select! {
            read = ws.fill() => if read.is_err() {
                return;
            },
            text = heard.recv() => {
                let Ok(text) = text else { continue };
                if let Some(topic) = &topic {
                    ws.push_text(&[b"[null,null,", topic, b",\"diff\",{\"0\":", text.as_bytes(), b"}]"]);
                    if ws.flush().await.is_err() {
                        return;
                    }
                }
                continue;
            }
        }
        loop {
            let m = match ws.poll_buffered() {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(_) => {
                    let _ = ws.flush().await;
                    return;
                }
            };
            let Some(head) = frame::scan(ws.data(m)) else { return };
            let body: &[u8] = if head.is("event") {
                if let Some(text) = said(head.payload) {
                    let _ = shared.said.send(text);
                }
                EVENT_RESPONSE
            } else if head.is("heartbeat") || head.is("phx_leave") {
                EMPTY_OK
            } else if head.is("phx_join") {
                topic = Some(head.topic.raw.to_vec());
                JOIN_RESPONSE
            } else {
                UNMATCHED
            };
            // The reply echoes join_ref, ref and topic as they came.
            scratch.clear();
            for piece in [
                &b"["[..],
                head.join_ref.raw,
                b",",
                head.msg_ref.raw,
                b",",
                head.topic.raw,
                b",\"phx_reply\",",
                body,
                b"]",
            ] {
                scratch.extend_from_slice(piece);
            }
            ws.push_text(&[&scratch]);
        }
        if ws.flush().await.is_err() {
            return;
        }
    }
}
