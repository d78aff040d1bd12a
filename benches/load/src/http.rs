//! HTTP with hyper: the page GET over a kept-alive connection, and the websocket upgrade
//! (hyper does the handshake, then hands the TCP stream to [`crate::ws`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{self, HeaderValue};
use hyper_util::rt::TokioIo;
use sha1::{Digest, Sha1};
use tokio::net::{TcpSocket, TcpStream};

use crate::client::SessionError;
use crate::ws::{Role, WsConn};

/// Added to a websocket key, hashed, to make the accept value (RFC 6455 §4.2.2).
pub const WS_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Where the server is, from `--url` (which must point at loopback).
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: SocketAddr,
    /// `host[:port]` as written in the URL: the Host header, the origin.
    pub authority: String,
    /// Path and query of the page.
    pub page_path: String,
    /// The whole page URL (the join's `url`).
    pub page_url: String,
    /// The websocket endpoint path, e.g. `/live/websocket`.
    pub ws_path: String,
}

impl Target {
    pub fn parse(url: &str, ws_path: &str) -> Result<Target, String> {
        let uri: hyper::Uri = url.parse().map_err(|e| format!("bad --url {url:?}: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!("--url must be http://… (got {url:?})"));
        }
        let authority = uri.authority().ok_or_else(|| format!("--url has no host: {url:?}"))?.to_string();
        let host = uri.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
        let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            host.parse().map_err(|_| format!("--url host must be a loopback address or localhost (got {host:?})"))?
        };
        if !ip.is_loopback() {
            return Err(format!("this tool only sends load to loopback addresses, not {ip}"));
        }
        let port = uri.port_u16().unwrap_or(80);
        let page_path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let ws_path = if ws_path.starts_with('/') { ws_path.to_owned() } else { format!("/{ws_path}") };
        Ok(Target {
            addr: SocketAddr::new(ip, port),
            page_url: format!("http://{authority}{page_path}"),
            authority,
            page_path,
            ws_path,
        })
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.authority)
    }
}

/// A TCP connection to the target, from `source` if given (bound before connecting, so
/// sessions can spread over several loopback addresses and their port ranges).
pub async fn connect(addr: SocketAddr, source: Option<IpAddr>) -> std::io::Result<TcpStream> {
    let stream = match source {
        None => TcpStream::connect(addr).await?,
        Some(ip) => {
            let socket = if ip.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
            socket.bind(SocketAddr::new(ip, 0))?;
            socket.connect(addr).await?
        }
    };
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// A page as fetched.
#[derive(Debug)]
pub struct PageResponse {
    pub status: u16,
    pub set_cookies: Vec<String>,
    pub body: Bytes,
}

/// An HTTP/1.1 client on one kept-alive connection, reopened when the server closes it.
#[derive(Debug)]
pub struct HttpClient {
    addr: SocketAddr,
    source: Option<IpAddr>,
    sender: Option<SendRequest<Empty<Bytes>>>,
}

impl HttpClient {
    pub fn new(addr: SocketAddr, source: Option<IpAddr>) -> Self {
        Self { addr, source, sender: None }
    }

    async fn sender(&mut self) -> Result<&mut SendRequest<Empty<Bytes>>, SessionError> {
        if let Some(sender) = &mut self.sender
            && sender.ready().await.is_err()
        {
            self.sender = None;
        }
        if self.sender.is_none() {
            let stream = connect(self.addr, self.source).await.map_err(|e| SessionError::Connect(e.to_string()))?;
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| SessionError::Http(e.to_string()))?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.sender = Some(sender);
        }
        self.sender.as_mut().ok_or_else(|| SessionError::Http("no connection".into()))
    }

    /// GET `target.page_path` the way a browser loads the page.
    pub async fn get_page(&mut self, target: &Target) -> Result<PageResponse, SessionError> {
        let request = || {
            Request::get(target.page_path.as_str())
                .header(header::HOST, target.authority.as_str())
                .header(header::ACCEPT, "text/html")
                .header(header::USER_AGENT, "liveplug-load")
                .body(Empty::<Bytes>::new())
                .map_err(|e| SessionError::Http(e.to_string()))
        };
        // A kept-alive connection the server closed in between fails once: retry on a new one.
        let response = match self.sender().await?.send_request(request()?).await {
            Ok(r) => r,
            Err(_) => {
                self.sender = None;
                self.sender().await?.send_request(request()?).await.map_err(|e| SessionError::Http(e.to_string()))?
            }
        };
        let status = response.status().as_u16();
        let set_cookies = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect();
        let body = response.into_body().collect().await.map_err(|e| SessionError::Http(e.to_string()))?.to_bytes();
        Ok(PageResponse { status, set_cookies, body })
    }
}

pub fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(WS_GUID.as_bytes());
    STANDARD.encode(sha.finalize())
}

/// Opens the websocket `target.ws_path?query` with the page's cookies.
pub async fn websocket(
    target: &Target,
    source: Option<IpAddr>,
    query: &str,
    cookie: &str,
) -> Result<WsConn, SessionError> {
    let stream = connect(target.addr, source).await.map_err(|e| SessionError::Connect(e.to_string()))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
        .await
        .map_err(|e| SessionError::Handshake(e.to_string()))?;
    tokio::spawn(async move {
        let _ = conn.with_upgrades().await;
    });
    let key = STANDARD.encode(rand::random::<[u8; 16]>());
    let mut request = Request::get(format!("{}?{query}", target.ws_path))
        .header(header::HOST, target.authority.as_str())
        .header(header::UPGRADE, "websocket")
        .header(header::CONNECTION, "Upgrade")
        .header(header::SEC_WEBSOCKET_KEY, key.as_str())
        .header(header::SEC_WEBSOCKET_VERSION, "13")
        .header(header::ORIGIN, target.origin())
        .header(header::USER_AGENT, "liveplug-load")
        .body(Empty::<Bytes>::new())
        .map_err(|e| SessionError::Handshake(e.to_string()))?;
    if !cookie.is_empty() {
        let value = HeaderValue::from_str(cookie).map_err(|e| SessionError::Handshake(format!("cookie: {e}")))?;
        request.headers_mut().insert(header::COOKIE, value);
    }
    let response = sender.send_request(request).await.map_err(|e| SessionError::Handshake(e.to_string()))?;
    if response.status() != hyper::StatusCode::SWITCHING_PROTOCOLS {
        return Err(SessionError::Handshake(format!("HTTP {} instead of 101", response.status().as_u16())));
    }
    let accept = response.headers().get(header::SEC_WEBSOCKET_ACCEPT).and_then(|v| v.to_str().ok());
    if accept != Some(accept_key(&key).as_str()) {
        return Err(SessionError::Handshake("wrong Sec-WebSocket-Accept".into()));
    }
    let upgraded = hyper::upgrade::on(response).await.map_err(|e| SessionError::Handshake(e.to_string()))?;
    let parts = upgraded
        .downcast::<TokioIo<TcpStream>>()
        .map_err(|_| SessionError::Handshake("upgraded stream is not TCP".into()))?;
    Ok(WsConn::new(parts.io.into_inner(), Role::Client, &parts.read_buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_loopback_only() {
        let t = Target::parse("http://127.0.0.1:4000/counter?x=1", "/live/websocket").unwrap();
        assert_eq!(t.addr, "127.0.0.1:4000".parse().unwrap());
        assert_eq!(t.page_path, "/counter?x=1");
        assert_eq!(t.page_url, "http://127.0.0.1:4000/counter?x=1");
        assert_eq!(t.origin(), "http://127.0.0.1:4000");
        let t = Target::parse("http://localhost:3000", "live/websocket").unwrap();
        assert_eq!((t.page_path.as_str(), t.ws_path.as_str()), ("/", "/live/websocket"));
        assert_eq!(Target::parse("http://[::1]:9/", "/ws").unwrap().addr, "[::1]:9".parse().unwrap());
        assert!(Target::parse("http://10.0.0.1/", "/ws").is_err());
        assert!(Target::parse("http://example.com/", "/ws").is_err());
        assert!(Target::parse("https://127.0.0.1/", "/ws").is_err());
    }

    #[test]
    fn accept_key_matches_the_rfc_example() {
        assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }
}
