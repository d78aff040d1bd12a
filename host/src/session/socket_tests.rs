//! `socket::serve` over in-memory channels, with plain Rust views: the connection's own
//! behaviour (limits, closing, timeouts, back-pressure, duplicate joins), without a network or
//! wasmtime.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Message;
use futures_util::{Sink, Stream};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Claims, Gate, SocketConfig, serve};
use crate::diff::{PartNode, Parts, Template};
use crate::runtime::{Effects, Flash, GuestError, MountContext, Owner, Residency, View};
use crate::session::views::{Route, Views};
use crate::session::{Lifecycle, SessionError};

/// `<p>{n}</p>`; `inc` adds one; `later` sends the view `value.do` as a message, which then
/// adds one (`inc`), pushes an event too (`event`), or navigates (`patch`, `navigate`,
/// `redirect`).
#[derive(Debug, Default)]
struct Counter {
    n: i64,
    sent: bool,
    effects: Effects,
    flash: Flash,
    hub: Arc<crate::pubsub::Hub>,
    bound: Option<(crate::pubsub::SessionId, Arc<crate::pubsub::Mailbox>)>,
}

impl View for Counter {
    async fn mount(&mut self, _ctx: MountContext) -> Result<(), GuestError> {
        Ok(())
    }

    async fn handle_params(&mut self, _url: &str, _params: &Value) -> Result<(), GuestError> {
        Ok(())
    }

    async fn handle_event(&mut self, name: &str, value: &Value, _t: Option<u32>) -> Result<Option<Value>, GuestError> {
        match name {
            "inc" => self.n += 1,
            "later" => {
                let what = value.get("do").cloned().unwrap_or_default();
                let payload = std::sync::Arc::from(what.to_string());
                let id = crate::pubsub::next_timer_id();
                let delay = Duration::ZERO;
                self.effects.requests.push(crate::pubsub::Request::Timer { id, payload, delay, repeat: false });
            }
            "subscribe" => {
                if let Some((session, mailbox)) = &self.bound {
                    self.hub.subscribe("t", *session, mailbox).map_err(|e| GuestError::View(e.to_string()))?;
                }
            }
            "crash" => return Err(GuestError::Trap("boom".into())),
            _ => return Err(GuestError::View(format!("unknown event {name:?}"))),
        }
        Ok(None)
    }

    async fn handle_info(&mut self, message: &crate::pubsub::Message) -> Result<(), GuestError> {
        use crate::runtime::Navigation;
        let crate::pubsub::Message::Sent(what) = message else { return Ok(()) };
        match &**what {
            "\"inc\"" => self.n += 1,
            "\"event\"" => {
                self.n += 1;
                self.effects.events.push(("hello".into(), json!({"from": "info"}), false));
            }
            "\"patch\"" => self.effects.navigation = Some(Navigation::Patch { to: "/c".into(), replace: true }),
            "\"navigate\"" => self.effects.navigation = Some(Navigation::Navigate { to: "/c".into(), replace: false }),
            "\"redirect\"" => self.effects.navigation = Some(Navigation::Redirect { to: "/elsewhere".into() }),
            other => return Err(GuestError::View(format!("unexpected message {other}"))),
        }
        Ok(())
    }

    async fn render(&mut self) -> Result<Parts, GuestError> {
        let new_templates = if std::mem::replace(&mut self.sent, true) {
            vec![]
        } else {
            vec![Template { id: 1, statics: vec!["<p>".into(), "</p>".into()] }]
        };
        let nodes = vec![PartNode::Text(self.n.to_string()), PartNode::Tree { template: 1, slots: vec![0] }];
        Ok(Parts { new_templates, nodes, root: 1, components: vec![] })
    }

    async fn components_destroyed(&mut self, _ids: Vec<u32>) -> Result<(), GuestError> {
        Ok(())
    }

    async fn snapshot(&mut self) -> Result<Option<String>, GuestError> {
        Ok(None)
    }

    async fn restore(&mut self, _state: &str) -> Result<(), GuestError> {
        Err(GuestError::View("no snapshots".into()))
    }

    fn bind(&mut self, session: crate::pubsub::SessionId, mailbox: &Arc<crate::pubsub::Mailbox>) {
        self.bound = Some((session, Arc::clone(mailbox)));
    }

    fn take_effects(&mut self) -> Effects {
        std::mem::take(&mut self.effects)
    }

    fn flash_mut(&mut self) -> &mut Flash {
        &mut self.flash
    }
}

/// `/c` is view `c` and `/d` view `d`, in different live sessions.
#[derive(Default)]
struct TestViews {
    hub: Arc<crate::pubsub::Hub>,
}

impl Views for TestViews {
    type View = Counter;

    fn route(&self, url: &str) -> Option<Route> {
        let path = url.split("://").nth(1).and_then(|rest| rest.find('/').map(|i| &rest[i..])).unwrap_or(url);
        let (view, live_session) = match path {
            "/c" => ("c", "one"),
            "/d" => ("d", "two"),
            _ => return None,
        };
        Some(Route { view: view.into(), live_session: live_session.into(), path_params: Default::default() })
    }

    async fn instantiate(&self, _name: &str, _owner: Option<&Arc<Owner>>) -> Result<Counter, SessionError> {
        Ok(Counter { hub: Arc::clone(&self.hub), ..Counter::default() })
    }

    fn reside(&self, _owner: &Arc<Owner>) -> Option<Residency> {
        None
    }

    fn hub(&self) -> &Arc<crate::pubsub::Hub> {
        &self.hub
    }
}

/// Session tokens are `"<id>:<view>"`; the live session is the view's.
struct TestGate;

impl Gate for TestGate {
    fn verify(&self, id: &str, session: &str, _static_token: Option<&str>) -> Option<Claims> {
        let (token_id, view) = session.split_once(':')?;
        (token_id == id).then(|| Claims {
            session: json!({}),
            view: view.to_owned(),
            live_session: if view == "c" { "one" } else { "two" }.to_owned(),
            flash: None,
        })
    }

    fn sign_flash(&self, _flash: &BTreeMap<String, String>) -> String {
        "flash".into()
    }

    fn verify_flash(&self, _token: &str) -> BTreeMap<String, String> {
        BTreeMap::new()
    }
}

type Write = Pin<Box<dyn Sink<Message, Error = ()> + Send>>;
type Read = Pin<Box<dyn Stream<Item = Result<Message, Infallible>> + Send>>;

/// A client on the other end of in-memory channels. `window` is how many frames the server
/// may send before the client reads (back-pressure).
struct Client {
    to_server: mpsc::Sender<Result<Message, Infallible>>,
    from_server: mpsc::Receiver<Message>,
    task: JoinHandle<()>,
}

fn config(idle: Duration, write: Duration) -> Arc<SocketConfig<TestViews>> {
    Arc::new(SocketConfig {
        views: TestViews::default(),
        gate: Arc::new(TestGate),
        idle_timeout: idle,
        write_timeout: write,
        lifecycle: Lifecycle::default(),
    })
}

fn connect(config: Arc<SocketConfig<TestViews>>, window: usize) -> Client {
    let (to_server, incoming) = mpsc::channel::<Result<Message, Infallible>>(64);
    let (outgoing, from_server) = mpsc::channel::<Message>(window);
    let write: Write = Box::pin(futures_util::sink::unfold(outgoing, |tx, message: Message| async move {
        tx.send(message).await.map_err(|_| ())?;
        Ok::<_, ()>(tx)
    }));
    let read: Read =
        Box::pin(futures_util::stream::unfold(incoming, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) }));
    let task = tokio::spawn(serve(write, read, config, true));
    Client { to_server, from_server, task }
}

impl Client {
    async fn send(&self, frame: Value) {
        self.to_server.send(Ok(Message::Text(frame.to_string().into()))).await.expect("server reads");
    }

    async fn recv(&mut self) -> Value {
        let message = tokio::time::timeout(Duration::from_secs(5), self.from_server.recv())
            .await
            .expect("a frame within 5 s")
            .expect("connection open");
        match message {
            Message::Text(text) => serde_json::from_str(text.as_str()).expect("JSON"),
            other => panic!("unexpected {other:?}"),
        }
    }

    async fn join(&mut self, join_ref: &str, topic: &str, url: &str, session: &str) -> Value {
        self.send(json!([join_ref, join_ref, topic, "phx_join", {"url": url, "params": {}, "session": session}])).await;
        self.recv().await
    }

    /// Waits for the server to end the connection.
    async fn ended(self) {
        tokio::time::timeout(Duration::from_secs(5), self.task).await.expect("the connection ends").expect("no panic");
    }
}

fn ok() -> Arc<SocketConfig<TestViews>> {
    config(Duration::from_secs(60), Duration::from_secs(30))
}

#[tokio::test]
async fn joins_events_and_heartbeats() {
    let mut client = connect(ok(), 16);
    let reply = client.join("1", "lv:a", "http://h/c", "a:c").await;
    assert_eq!(reply[4]["status"], "ok");
    assert_eq!(reply[4]["response"]["rendered"]["0"], "0");
    client.send(json!(["1", "2", "lv:a", "event", {"type": "click", "event": "inc", "value": {}}])).await;
    assert_eq!(
        client.recv().await,
        json!(["1", "2", "lv:a", "phx_reply", {"status": "ok", "response": {"diff": {"0": "1"}}}])
    );
    client.send(json!([null, "3", "phoenix", "heartbeat", {}])).await;
    assert_eq!(client.recv().await, json!([null, "3", "phoenix", "phx_reply", {"status": "ok", "response": {}}]));
    // An event with an old join ref is for a channel that is gone.
    client.send(json!(["0", "4", "lv:a", "event", {"type": "click", "event": "inc", "value": {}}])).await;
    assert_eq!(client.recv().await[4]["response"], json!({"reason": "unmatched topic"}));
    // A payload without an event name is refused; the session goes on.
    client.send(json!(["1", "5", "lv:a", "event", {"type": "click"}])).await;
    assert_eq!(client.recv().await[4]["status"], "error");
    client.send(json!(["1", "6", "lv:a", "event", {"type": "click", "event": "inc", "value": {}}])).await;
    assert_eq!(client.recv().await[4]["response"], json!({"diff": {"0": "2"}}));
}

#[tokio::test]
async fn tokens_must_match_the_container_the_view_and_the_live_session() {
    let mut client = connect(ok(), 16);
    // Another container's token: stale.
    assert_eq!(client.join("1", "lv:a", "http://h/c", "b:c").await[4]["response"], json!({"reason": "stale"}));
    // The right container, another view's URL, or nobody's: unauthorized.
    assert_eq!(client.join("2", "lv:a", "http://h/d", "a:c").await[4]["response"], json!({"reason": "unauthorized"}));
    assert_eq!(client.join("3", "lv:a", "http://h/x", "a:c").await[4]["response"], json!({"reason": "unauthorized"}));
    // A live navigation to another live session: unauthorized; within it: ok.
    client
        .send(json!(["4", "4", "lv:a", "phx_join", {"redirect": "http://h/d", "params": {}, "session": "a:c"}]))
        .await;
    assert_eq!(client.recv().await[4]["response"], json!({"reason": "unauthorized"}));
    client
        .send(json!(["5", "5", "lv:a", "phx_join", {"redirect": "http://h/c", "params": {}, "session": "a:c"}]))
        .await;
    assert_eq!(client.recv().await[4]["status"], "ok");
}

#[tokio::test]
async fn a_duplicate_join_closes_the_old_channel_first() {
    let mut client = connect(ok(), 16);
    client.join("1", "lv:a", "http://h/c", "a:c").await;
    client.send(json!(["1", "2", "lv:a", "event", {"type": "click", "event": "inc", "value": {}}])).await;
    client.recv().await;
    client.send(json!(["3", "3", "lv:a", "phx_join", {"url": "http://h/c", "params": {}, "session": "a:c"}])).await;
    assert_eq!(client.recv().await, json!(["1", "1", "lv:a", "phx_close", {}]));
    let reply = client.recv().await;
    assert_eq!((&reply[0], &reply[4]["response"]["rendered"]["0"]), (&json!("3"), &json!("0")), "a fresh mount");
}

#[tokio::test]
async fn a_connection_holds_at_most_100_channels() {
    let mut client = connect(ok(), 16);
    for n in 0..100 {
        let (id, r) = (format!("t{n}"), n.to_string());
        let reply = client.join(&r, &format!("lv:{id}"), "http://h/c", &format!("{id}:c")).await;
        assert_eq!(reply[4]["status"], "ok", "join {n}");
    }
    let reply = client.join("x", "lv:more", "http://h/c", "more:c").await;
    assert_eq!(reply[4]["response"], json!({"reason": "too many channels"}));
    // Leaving one makes room.
    client.send(json!(["0", "l", "lv:t0", "phx_leave", {}])).await;
    assert_eq!(client.recv().await[4]["status"], "ok");
    assert_eq!(client.recv().await[3], "phx_close");
    assert_eq!(client.join("y", "lv:more", "http://h/c", "more:c").await[4]["status"], "ok");
}

#[tokio::test]
async fn a_crashed_view_ends_only_its_channel() {
    let mut client = connect(ok(), 16);
    client.join("1", "lv:a", "http://h/c", "a:c").await;
    client.join("2", "lv:b", "http://h/c", "b:c").await;
    client.send(json!(["1", "3", "lv:a", "event", {"type": "click", "event": "crash", "value": {}}])).await;
    assert_eq!(client.recv().await, json!(["1", null, "lv:a", "phx_error", {"reason": "channel_crash"}]));
    client.send(json!(["2", "4", "lv:b", "event", {"type": "click", "event": "inc", "value": {}}])).await;
    assert_eq!(client.recv().await[4]["response"], json!({"diff": {"0": "1"}}));
    client.send(json!(["1", "5", "lv:a", "event", {"type": "click", "event": "inc", "value": {}}])).await;
    assert_eq!(client.recv().await[4]["response"], json!({"reason": "unmatched topic"}));
}

#[tokio::test]
async fn a_close_frame_or_a_closed_stream_ends_the_connection() {
    let client = connect(ok(), 16);
    client.to_server.send(Ok(Message::Close(None))).await.expect("send");
    client.ended().await;
    let client = connect(ok(), 16);
    let Client { to_server, from_server, task } = client;
    drop(to_server);
    Client { to_server: mpsc::channel(1).0, from_server, task }.ended().await;
}

#[tokio::test]
async fn a_silent_client_is_closed_after_the_idle_timeout() {
    let client = connect(config(Duration::from_millis(200), Duration::from_secs(30)), 16);
    let started = std::time::Instant::now();
    client.ended().await;
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn a_client_that_stops_reading_is_cut_off() {
    // Room for one frame; the client never reads.
    let client = connect(config(Duration::from_secs(60), Duration::from_millis(200)), 1);
    for n in 0..3 {
        client.send(json!([null, n.to_string(), "phoenix", "heartbeat", {}])).await;
    }
    client.ended().await;
}

#[tokio::test]
async fn garbage_is_ignored_until_it_is_all_the_client_sends() {
    let mut client = connect(ok(), 64);
    for _ in 0..15 {
        client.to_server.send(Ok(Message::Text("nope".into()))).await.expect("send");
    }
    // One good frame resets the count.
    client.send(json!([null, "1", "phoenix", "heartbeat", {}])).await;
    assert_eq!(client.recv().await[4]["status"], "ok");
    for _ in 0..16 {
        client.to_server.send(Ok(Message::Text("nope".into()))).await.expect("send");
    }
    client.ended().await;
}

#[tokio::test]
async fn a_leave_with_an_old_join_ref_leaves_the_newer_channel_alone() {
    let mut client = connect(ok(), 16);
    client.join("1", "lv:a", "http://h/c", "a:c").await;
    client.send(json!(["2", "2", "lv:a", "phx_join", {"url": "http://h/c", "params": {}, "session": "a:c"}])).await;
    assert_eq!(client.recv().await[3], "phx_close");
    assert_eq!(client.recv().await[4]["status"], "ok");
    // The first join's leave arrives late: answered, and the second join stays.
    client.send(json!(["1", "3", "lv:a", "phx_leave", {}])).await;
    assert_eq!(client.recv().await, json!(["1", "3", "lv:a", "phx_reply", {"status": "ok", "response": {}}]));
    client.send(json!(["2", "4", "lv:a", "event", {"type": "click", "event": "inc", "value": {}}])).await;
    assert_eq!(client.recv().await[4]["response"], json!({"diff": {"0": "1"}}));
}

/// Messages (here the view's own, sent from an event) push what they change in the shapes
/// Phoenix uses outside a reply: `diff` (with `e` for pushed events), `live_patch`, and
/// `live_redirect` / `redirect` followed by `phx_close`.
#[tokio::test]
async fn messages_push_diffs_events_and_navigation() {
    let mut client = connect(ok(), 16);
    assert_eq!(client.join("1", "lv:a", "http://h/c", "a:c").await[4]["status"], "ok");
    let later = |r: &str, what: &str| json!(["1", r, "lv:a", "event", {"type": "click", "event": "later", "value": {"do": what}}]);
    let reply = |r: &str| json!(["1", r, "lv:a", "phx_reply", {"status": "ok", "response": {}}]);

    client.send(later("2", "inc")).await;
    assert_eq!(client.recv().await, reply("2"));
    assert_eq!(client.recv().await, json!(["1", null, "lv:a", "diff", {"0": "1"}]));

    client.send(later("3", "event")).await;
    assert_eq!(client.recv().await, reply("3"));
    assert_eq!(client.recv().await, json!(["1", null, "lv:a", "diff", {"0": "2", "e": [["hello", {"from": "info"}]]}]));

    // A patch from a message: `live_patch`, and no diff when nothing changed.
    client.send(later("4", "patch")).await;
    assert_eq!(client.recv().await, reply("4"));
    assert_eq!(client.recv().await, json!(["1", null, "lv:a", "live_patch", {"to": "/c", "kind": "replace"}]));
    client.send(json!([null, "5", "phoenix", "heartbeat", {}])).await;
    assert_eq!(client.recv().await[1], "5", "nothing else was pushed");

    client.send(later("6", "navigate")).await;
    assert_eq!(client.recv().await, reply("6"));
    assert_eq!(client.recv().await, json!(["1", null, "lv:a", "live_redirect", {"to": "/c", "kind": "push"}]));
    assert_eq!(client.recv().await, json!(["1", "1", "lv:a", "phx_close", {}]));

    assert_eq!(client.join("7", "lv:a", "http://h/c", "a:c").await[4]["status"], "ok");
    client
        .send(json!(["7", "8", "lv:a", "event", {"type": "click", "event": "later", "value": {"do": "redirect"}}]))
        .await;
    assert_eq!(client.recv().await[1], "8");
    assert_eq!(client.recv().await, json!(["7", null, "lv:a", "redirect", {"to": "/elsewhere", "status": 302}]));
    assert_eq!(client.recv().await, json!(["7", "7", "lv:a", "phx_close", {}]));
}

/// A client that stops reading while broadcasts pour in: the broadcaster never waits, the
/// connection is closed (its queue bound or its write timeout), and its subscription goes.
#[tokio::test]
async fn a_slow_client_never_stalls_a_broadcast() {
    let config = config(Duration::from_secs(60), Duration::from_millis(200));
    let hub = Arc::clone(&config.views.hub);
    let mut client = connect(config, 1);
    assert_eq!(client.join("1", "lv:a", "http://h/c", "a:c").await[4]["status"], "ok");
    client.send(json!(["1", "2", "lv:a", "event", {"type": "click", "event": "subscribe", "value": {}}])).await;
    assert_eq!(client.recv().await[1], "2");
    assert_eq!(hub.counts().subscriptions, 1);
    // Each message makes the view render; the client reads none of the pushes. `broadcast`
    // does not wait for the connection (it is not even async): it queues or refuses.
    let queued: usize = (0..crate::pubsub::MAX_QUEUED * 2).map(|_| hub.broadcast("t", Arc::from("1"), None)).sum();
    assert!(queued <= crate::pubsub::MAX_QUEUED + super::super::realtime::MAX_BATCH * 2, "{queued} queued");
    client.ended().await;
    assert_eq!(hub.counts(), crate::pubsub::Counts::default());
}
