//! One LiveView session as a browser runs it: GET the page, open the websocket with the page's
//! CSRF token and cookies, join `lv:<id>`, then events and heartbeats.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::time::Instant;

use crate::frame::{self, Status, Template};
use crate::http::{self, HttpClient, Target};
use crate::page;
use crate::ws::{WsConn, WsError};

/// The client sends a heartbeat this often on held connections.
pub const HEARTBEAT: Duration = Duration::from_secs(30);

/// Why a session (or one exchange) failed. Counted, never fatal to the run.
#[derive(Debug, Clone)]
pub enum SessionError {
    Connect(String),
    Http(String),
    Page(String),
    Handshake(String),
    JoinRefused(String),
    Timeout(&'static str),
    Closed(String),
    Protocol(String),
    /// The server answered an event with an error.
    EventError(String),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Connect(e) => write!(f, "connect: {e}"),
            SessionError::Http(e) => write!(f, "http: {e}"),
            SessionError::Page(e) => write!(f, "page: {e}"),
            SessionError::Handshake(e) => write!(f, "websocket handshake: {e}"),
            SessionError::JoinRefused(e) => write!(f, "join refused: {e}"),
            SessionError::Timeout(phase) => write!(f, "timeout waiting for {phase}"),
            SessionError::Closed(e) => write!(f, "connection closed: {e}"),
            SessionError::Protocol(e) => write!(f, "protocol: {e}"),
            SessionError::EventError(e) => write!(f, "event refused: {e}"),
        }
    }
}

impl From<WsError> for SessionError {
    fn from(e: WsError) -> Self {
        match e {
            WsError::Closed => SessionError::Closed("by the server".into()),
            WsError::Io(e) => SessionError::Closed(e.to_string()),
            WsError::Protocol(p) => SessionError::Protocol(p.into()),
        }
    }
}

/// Error counts by kind, and the first few distinct messages.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Errors {
    pub total: u64,
    pub connect: u64,
    pub http: u64,
    pub page: u64,
    pub handshake: u64,
    pub join_refused: u64,
    pub timeout: u64,
    pub closed: u64,
    pub protocol: u64,
    pub event_error: u64,
    pub samples: Vec<String>,
}

const MAX_SAMPLES: usize = 8;

impl Errors {
    pub fn record(&mut self, e: &SessionError) {
        self.total += 1;
        *match e {
            SessionError::Connect(_) => &mut self.connect,
            SessionError::Http(_) => &mut self.http,
            SessionError::Page(_) => &mut self.page,
            SessionError::Handshake(_) => &mut self.handshake,
            SessionError::JoinRefused(_) => &mut self.join_refused,
            SessionError::Timeout(_) => &mut self.timeout,
            SessionError::Closed(_) => &mut self.closed,
            SessionError::Protocol(_) => &mut self.protocol,
            SessionError::EventError(_) => &mut self.event_error,
        } += 1;
        if self.samples.len() < MAX_SAMPLES {
            let text = e.to_string();
            if !self.samples.contains(&text) {
                self.samples.push(text);
            }
        }
    }

    pub fn merge(&mut self, o: &Errors) {
        self.total += o.total;
        self.connect += o.connect;
        self.http += o.http;
        self.page += o.page;
        self.handshake += o.handshake;
        self.join_refused += o.join_refused;
        self.timeout += o.timeout;
        self.closed += o.closed;
        self.protocol += o.protocol;
        self.event_error += o.event_error;
        for s in &o.samples {
            if self.samples.len() < MAX_SAMPLES && !self.samples.contains(s) {
                self.samples.push(s.clone());
            }
        }
    }
}

/// What every session of a run shares.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub target: Arc<Target>,
    /// Bind connections to this loopback address.
    pub source: Option<IpAddr>,
    /// Limit for each step (page, handshake, join, one event).
    pub timeout: Duration,
    /// The event payload, JSON (see [`frame::click_payload`]).
    pub event_payload: Arc<str>,
}

/// How long each step of a join took.
#[derive(Debug, Clone, Copy, Default)]
pub struct JoinTimings {
    pub page: Duration,
    pub handshake: Duration,
    pub join: Duration,
}

impl JoinTimings {
    pub fn total(&self) -> Duration {
        self.page + self.handshake + self.join
    }
}

/// A joined LiveView.
#[derive(Debug)]
pub struct Joined {
    pub ws: WsConn,
    pub topic: String,
    join_ref: String,
    next_ref: u64,
    event: Template,
    heartbeat: Template,
}

async fn step<T>(
    deadline: Instant,
    phase: &'static str,
    fut: impl Future<Output = Result<T, SessionError>>,
) -> Result<T, SessionError> {
    tokio::time::timeout_at(deadline, fut).await.map_err(|_| SessionError::Timeout(phase))?
}

/// Opens one session. `deadline` is the run's; each step also has `cfg.timeout`.
pub async fn open(
    http: &mut HttpClient,
    cfg: &ClientConfig,
    deadline: Instant,
) -> Result<(Joined, JoinTimings), SessionError> {
    let limit = |start: Instant| (start + cfg.timeout).min(deadline);
    let t0 = Instant::now();
    let response = step(limit(t0), "the page", http.get_page(&cfg.target)).await?;
    if response.status != 200 {
        return Err(SessionError::Http(format!("GET {} answered {}", cfg.target.page_path, response.status)));
    }
    let html = std::str::from_utf8(&response.body).map_err(|_| SessionError::Page("not UTF-8".into()))?;
    let page = page::parse(html).map_err(|e| SessionError::Page(e.to_string()))?;
    let cookie = page::cookie_header(response.set_cookies.iter().map(String::as_str));

    let t1 = Instant::now();
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(csrf) = &page.csrf {
        query.append_pair("_csrf_token", csrf);
    }
    let query = query
        .append_pair("_mounts", "0")
        .append_pair("_live_referer", "undefined")
        .append_pair("vsn", "2.0.0")
        .finish();
    let mut ws =
        step(limit(t1), "the websocket handshake", http::websocket(&cfg.target, cfg.source, &query, &cookie)).await?;

    let t2 = Instant::now();
    let topic = format!("lv:{}", page.id);
    let join_ref = 1u64;
    let mut params = serde_json::Map::new();
    if let Some(csrf) = &page.csrf {
        params.insert("_csrf_token".into(), csrf.clone().into());
    }
    params.insert("_mounts".into(), 0.into());
    params.insert("_mount_attempts".into(), 0.into());
    let join = json!([join_ref.to_string(), join_ref.to_string(), topic, "phx_join", {
        "url": cfg.target.page_url,
        "params": params,
        "session": page.session,
        "static": page.static_token,
        "sticky": false,
    }])
    .to_string();
    ws.push_text(&[join.as_bytes()]);
    step(limit(t2), "the join reply", async {
        ws.flush().await?;
        match wait_reply(&mut ws, join_ref).await? {
            Reply::Ok => Ok(()),
            Reply::Error(reason) => Err(SessionError::JoinRefused(reason)),
        }
    })
    .await?;
    let t3 = Instant::now();
    ws.shrink();
    let join_ref = join_ref.to_string();
    let joined = Joined {
        ws,
        event: Template::new(Some(&join_ref), &topic, "event", &cfg.event_payload),
        heartbeat: Template::heartbeat(),
        topic,
        join_ref,
        next_ref: 1,
    };
    Ok((joined, JoinTimings { page: t1 - t0, handshake: t2 - t1, join: t3 - t2 }))
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Ok,
    Error(String),
}

/// Reads until the reply to `want` arrives; pushes and other replies are skipped. A
/// `phx_error` or `phx_close` on the channel ends the wait with an error.
pub async fn wait_reply(ws: &mut WsConn, want: u64) -> Result<Reply, SessionError> {
    loop {
        let m = ws.next().await?;
        let data = ws.data(m);
        let Some(head) = frame::scan(data) else {
            return Err(SessionError::Protocol(format!("not a V2 frame: {}", preview(data))));
        };
        if head.is("phx_reply") && head.ref_number() == Some(want) {
            return Ok(match frame::reply_status(head.payload) {
                Status::Ok => Reply::Ok,
                Status::Error | Status::Other => Reply::Error(reason(head.payload)),
            });
        }
        if (head.is("phx_error") || head.is("phx_close")) && head.join_ref.text.is_some() {
            return Err(SessionError::Closed(format!(
                "{} on {}",
                String::from_utf8_lossy(head.event.text.unwrap_or_default()),
                String::from_utf8_lossy(head.topic.text.unwrap_or_default())
            )));
        }
    }
}

/// A short text for an error reply: `response.reason` when there is one.
pub fn reason(payload: &[u8]) -> String {
    let v: Option<serde_json::Value> = serde_json::from_slice(payload).ok();
    let response = v.as_ref().and_then(|v| v.get("response"));
    match response.and_then(|r| r.get("reason")).and_then(|r| r.as_str()) {
        Some(reason) => reason.to_owned(),
        None => preview(response.map(|r| r.to_string()).as_deref().unwrap_or("no response").as_bytes()),
    }
}

pub fn preview(data: &[u8]) -> String {
    let text = String::from_utf8_lossy(&data[..data.len().min(120)]);
    if data.len() > 120 { format!("{text}…") } else { text.into_owned() }
}

impl Joined {
    /// Queues a click event; returns its ref.
    pub fn push_event(&mut self) -> u64 {
        self.next_ref += 1;
        let mut buf = [0; 20];
        let digits = frame::format_u64(self.next_ref, &mut buf);
        self.ws.push_text(&self.event.parts(digits));
        self.next_ref
    }

    /// Queues a heartbeat; returns its ref.
    pub fn push_heartbeat(&mut self) -> u64 {
        self.next_ref += 1;
        let mut buf = [0; 20];
        let digits = frame::format_u64(self.next_ref, &mut buf);
        self.ws.push_text(&self.heartbeat.parts(digits));
        self.next_ref
    }

    /// One event, sent and answered; returns its round trip.
    pub async fn event(&mut self, deadline: Instant) -> Result<Duration, SessionError> {
        let start = Instant::now();
        let want = self.push_event();
        self.answered(want, start, deadline).await
    }

    /// Sends one event with this payload (JSON: `{"type", "event", "value"}`) and waits for
    /// its reply; returns the round trip.
    pub async fn send(&mut self, payload: &str, deadline: Instant) -> Result<Duration, SessionError> {
        let start = Instant::now();
        self.next_ref += 1;
        let want = self.next_ref;
        let join_ref = self.join_ref.clone();
        let frame = Template::new(Some(&join_ref), &self.topic, "event", payload);
        let mut buf = [0; 20];
        let digits = frame::format_u64(want, &mut buf);
        self.ws.push_text(&frame.parts(digits));
        self.answered(want, start, deadline).await
    }

    /// Sends what is queued and waits for the reply to `want`; the round trip from `start`.
    async fn answered(&mut self, want: u64, start: Instant, deadline: Instant) -> Result<Duration, SessionError> {
        let ws = &mut self.ws;
        let reply = step(deadline, "an event reply", async {
            ws.flush().await?;
            wait_reply(ws, want).await
        })
        .await?;
        match reply {
            Reply::Ok => Ok(start.elapsed()),
            Reply::Error(reason) => Err(SessionError::EventError(reason)),
        }
    }

    /// Closes the connection with the closing handshake.
    pub async fn close(self) {
        self.ws.close(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_count_by_kind_and_keep_distinct_samples() {
        let mut e = Errors::default();
        e.record(&SessionError::Timeout("the join reply"));
        e.record(&SessionError::Timeout("the join reply"));
        e.record(&SessionError::JoinRefused("stale".into()));
        let mut total = Errors::default();
        total.merge(&e);
        total.merge(&e);
        assert_eq!((total.total, total.timeout, total.join_refused), (6, 4, 2));
        assert_eq!(total.samples, vec!["timeout waiting for the join reply", "join refused: stale"]);
    }

    #[test]
    fn reasons() {
        assert_eq!(reason(br#"{"status":"error","response":{"reason":"stale"}}"#), "stale");
        assert_eq!(reason(br#"{"status":"error","response":{"x":1}}"#), r#"{"x":1}"#);
        assert_eq!(reason(b"nonsense"), "no response");
    }
}
