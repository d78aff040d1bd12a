//! Server push over the socket: pubsub, presence and timers, for the `realtime` test view in
//! every language (`tests/guests/realtime`, `realtime-js`, `-py`, `-c`).
//!
//! Three tabs (alice, bob, and alice again) join one room on one host. Every step says
//! which pushes each tab gets and what its page shows afterwards; every diff (join, replies,
//! pushes) then goes through the official client's merge (`tests/js/conformance.mjs`), which
//! must arrive at exactly that page. The table runs on a host that keeps sessions awake and on
//! one that hibernates every session after every handler, so that subscriptions, presences
//! and timers are seen to belong to the session, not to its instance.

use std::net::SocketAddr;
use std::time::Duration;

use liveplug::runtime::Runtime;
use liveplug::session::Lifecycle;
use serde_json::{Value, json};

use crate::conformance::check_many_with_client;
use crate::languages::LANGUAGES;
use crate::support::{Page, Socket, open_page, start_server_with, test_limits};

/// The page the spec of the `realtime` view prescribes (`tests/guests/realtime/src/lib.rs`).
fn page(ticks: u64, online: &str, log: &[&str]) -> String {
    let items: String = log.iter().map(|entry| format!("<li>{}</li>", escape(entry))).collect();
    format!(
        r#"<section id="realtime"><p id="ticks">ticks: {ticks}</p><p id="online">online: {}</p><ul id="log">{items}</ul></section>"#,
        escape(online)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// How long a tab waits to be sure that nothing more arrives.
const QUIET: Duration = Duration::from_millis(400);

/// One browser tab on the view: its socket and every diff it received, as conformance steps.
struct Tab {
    socket: Socket,
    page: Page,
    join_ref: String,
    topic: String,
    steps: Vec<Value>,
    label: String,
}

impl Tab {
    async fn open(addr: SocketAddr, path: &str, label: &str, html: &str) -> Tab {
        let page = open_page(addr, path).await;
        let mut socket = Socket::for_page(addr, &page).await;
        let (join_ref, reply) = socket.join(&page).await;
        assert_eq!(reply[4]["status"], "ok", "{label} joins: {reply}");
        let topic = format!("lv:{}", page.id);
        let steps =
            vec![json!({"step": "join", "view_id": page.id, "diff": reply[4]["response"]["rendered"], "html": html})];
        Tab { socket, page, join_ref, topic, steps, label: label.to_owned() }
    }

    /// Sends event `name` and reads frames up to its reply, keeping every diff.
    async fn event(&mut self, name: &str, value: Value) {
        let msg_ref = self.socket.make_ref();
        let frame =
            json!([self.join_ref, msg_ref, self.topic, "event", {"type": "click", "event": name, "value": value}]);
        self.socket.send(frame).await;
        loop {
            let frame = self.socket.recv().await;
            if frame[1] == msg_ref.as_str() {
                assert_eq!(frame[4]["status"], "ok", "{} {name}: {frame}", self.label);
                let diff = frame[4]["response"].get("diff").cloned().unwrap_or_else(|| json!({}));
                self.record(&format!("{name} reply"), diff);
                return;
            }
            self.push(frame, name);
        }
    }

    /// Keeps a pushed diff (any other push fails the test).
    fn push(&mut self, frame: Value, during: &str) {
        assert_eq!(frame[2], self.topic.as_str(), "{}: {frame}", self.label);
        assert_eq!(frame[3], "diff", "{} during {during}: {frame}", self.label);
        assert!(frame[1].is_null(), "a push has no ref: {frame}");
        self.record(&format!("push during {during}"), frame[4].clone());
    }

    fn record(&mut self, step: &str, diff: Value) {
        self.steps.push(json!({"step": step, "view_id": self.page.id, "diff": diff}));
    }

    /// Reads `n` pushed diffs; the page must then be `html`.
    async fn pushes(&mut self, n: usize, html: &str, during: &str) {
        for _ in 0..n {
            let frame = self.socket.recv().await;
            self.push(frame, during);
        }
        self.expect(html);
    }

    /// Reads pushes until none came for [`QUIET`]; returns how many came.
    async fn drain(&mut self, during: &str) -> usize {
        let mut n = 0;
        while let Some(frame) = self.socket.recv_within(QUIET).await {
            self.push(frame, during);
            n += 1;
        }
        n
    }

    /// The page after the last diff must be `html`.
    fn expect(&mut self, html: &str) {
        if let Some(last) = self.steps.last_mut() {
            last["html"] = Value::from(html);
        }
    }

    /// Nothing arrives for a while.
    async fn silent(&mut self, during: &str) {
        if let Some(frame) = self.socket.recv_within(QUIET).await {
            panic!("{} got a frame during {during}: {frame}", self.label);
        }
    }

    async fn leave(&mut self) {
        let msg_ref = self.socket.make_ref();
        self.socket.send(json!([self.join_ref, msg_ref, self.topic, "phx_leave", {}])).await;
        // The reply and `phx_close`, in either order.
        for _ in 0..2 {
            let frame = self.socket.recv().await;
            assert!(frame[3] == "phx_reply" || frame[3] == "phx_close", "{frame}");
        }
    }

    fn session(&self) -> (String, Vec<Value>) {
        (format!("{}-{}", self.label, self.page.id), self.steps.clone())
    }
}

/// The whole scenario for the view at `/realtime<suffix>` in room `room`.
async fn scenario(addr: SocketAddr, suffix: &str, room: &str) -> Vec<(String, Vec<Value>)> {
    let path = |user: &str| format!("/realtime{suffix}?user={user}&room={room}");
    let mut alice = Tab::open(addr, &path("alice"), "alice", &page(0, "alice", &[])).await;
    // Her own presence reaches her as a message, which changes nothing.
    alice.silent("her own join").await;

    let mut bob = Tab::open(addr, &path("bob"), "bob", &page(0, "alice, bob", &[])).await;
    alice.pushes(1, &page(0, "alice, bob", &[]), "bob's join").await;
    bob.silent("his own join").await;

    let mut tab2 = Tab::open(addr, &path("alice"), "alice-2", &page(0, "alice (2), bob", &[])).await;
    alice.pushes(1, &page(0, "alice (2), bob", &[]), "a second tab").await;
    bob.pushes(1, &page(0, "alice (2), bob", &[]), "a second tab").await;

    // A broadcast reaches every subscriber, the sender included; the host escapes the text.
    let mut log = vec!["alice: hi <b>&"];
    alice.event("say", json!({"text": "hi <b>&"})).await;
    alice.pushes(1, &page(0, "alice (2), bob", &log), "say").await;
    bob.pushes(1, &page(0, "alice (2), bob", &log), "say").await;
    tab2.pushes(1, &page(0, "alice (2), bob", &log), "say").await;

    // Excluding the sender: bob logs his own line, the others get the broadcast.
    bob.event("say-others", json!({"text": "yo"})).await;
    let bob_log = vec!["alice: hi <b>&", "me: yo"];
    bob.expect(&page(0, "alice (2), bob", &bob_log));
    bob.silent("his say-others").await;
    log.push("bob: yo");
    alice.pushes(1, &page(0, "alice (2), bob", &log), "say-others").await;
    tab2.pushes(1, &page(0, "alice (2), bob", &log), "say-others").await;

    // Messages to oneself: now, and later.
    alice.event("self", json!({"text": "ping"})).await;
    log.push("note: ping");
    alice.pushes(1, &page(0, "alice (2), bob", &log), "self").await;
    alice.event("later", json!({"ms": "60", "text": "soon"})).await;
    log.push("note: soon");
    alice.pushes(1, &page(0, "alice (2), bob", &log), "later").await;

    // An interval: two ticks, then stop; a tick already due may still come, then none.
    alice.event("tick", json!({"ms": "150"})).await;
    alice.pushes(1, &page(1, "alice (2), bob", &log), "tick").await;
    alice.pushes(1, &page(2, "alice (2), bob", &log), "tick").await;
    alice.event("stop", json!({})).await;
    let late = alice.drain("stop").await;
    assert!(late <= 1, "{late} ticks after stop");
    alice.expect(&page(2 + late as u64, "alice (2), bob", &log));
    let ticks = 2 + late as u64;

    // Restarting the interval replaces it: ticks keep counting from where they were.
    alice.event("tick", json!({"ms": "100"})).await;
    alice.event("tick", json!({"ms": "100"})).await;
    alice.pushes(1, &page(ticks + 1, "alice (2), bob", &log), "tick again").await;
    alice.event("stop", json!({})).await;
    let late = alice.drain("stop again").await;
    assert!(late <= 1, "{late} ticks after the second stop: the first interval was not replaced");
    let ticks = ticks + 1 + late as u64;
    alice.expect(&page(ticks, "alice (2), bob", &log));

    // A tab that leaves takes its presence along.
    tab2.leave().await;
    alice.pushes(1, &page(ticks, "alice, bob", &log), "the second tab leaving").await;
    bob.pushes(1, &page(0, "alice, bob", &bob_log), "the second tab leaving").await;

    // Bob untracks and unsubscribes: alice sees him go, and he hears nothing more.
    bob.event("leave", json!({})).await;
    let mut bob_log = bob_log;
    bob_log.push("left");
    bob.expect(&page(0, "alice", &bob_log));
    alice.pushes(1, &page(ticks, "alice", &log), "bob's leave").await;
    alice.event("say", json!({"text": "bye"})).await;
    log.push("alice: bye");
    alice.pushes(1, &page(ticks, "alice", &log), "say bye").await;
    bob.silent("a broadcast after he unsubscribed").await;

    vec![alice.session(), bob.session(), tab2.session()]
}

/// A host of its own, with this lifecycle.
async fn host(lifecycle: Lifecycle) -> (SocketAddr, Runtime) {
    start_server_with(test_limits(), lifecycle).await
}

async fn wait_for_no_members(runtime: &Runtime) {
    for _ in 0..100 {
        if runtime.hub().counts() == liveplug::pubsub::Counts::default() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("left behind after every socket closed: {:?}", runtime.hub().counts());
}

async fn every_language(lifecycle: Lifecycle, label: &str) {
    let (addr, runtime) = host(lifecycle).await;
    let mut sessions = Vec::new();
    for (language, suffix) in LANGUAGES {
        let mut found = scenario(addr, suffix, &format!("{label}-{language}")).await;
        for (name, _) in &mut found {
            *name = format!("{language}-{name}");
        }
        sessions.extend(found);
    }
    // The sockets closed with the scenarios: no subscription or presence outlives them.
    wait_for_no_members(&runtime).await;
    check_many_with_client(&format!("realtime-{label}"), &sessions);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pubsub_presence_and_timers_in_every_language() {
    every_language(Lifecycle { hibernate_after: Duration::from_secs(3600), ..Lifecycle::default() }, "awake").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hibernated_sessions_keep_their_subscriptions_presences_and_timers() {
    every_language(Lifecycle { hibernate_after: Duration::ZERO, ..Lifecycle::default() }, "hibernating").await;
}

/// Thousands of joins and leaves, with subscriptions, presences and timers, leave nothing in
/// the hub.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joins_and_leaves_leave_nothing_behind() {
    const SOCKETS: usize = 4;
    const JOINS: usize = 500;
    let (addr, runtime) = host(Lifecycle::default()).await;
    let churn = |n: usize| async move {
        let page = open_page(addr, &format!("/realtime?user=churn{n}&room=churn")).await;
        let mut socket = Socket::for_page(addr, &page).await;
        let topic = format!("lv:{}", page.id);
        for i in 0..JOINS {
            let (join_ref, reply) = socket.join(&page).await;
            assert_eq!(reply[4]["status"], "ok", "join {i}: {reply}");
            if i % 10 == 0 {
                let msg_ref = socket.make_ref();
                let tick = json!([join_ref, msg_ref, topic, "event", {"type": "click", "event": "tick", "value": {"ms": "10"}}]);
                socket.send(tick).await;
                while socket.recv().await[1] != msg_ref.as_str() {}
            }
            let msg_ref = socket.make_ref();
            socket.send(json!([join_ref, msg_ref, topic, "phx_leave", {}])).await;
            let (mut closed, mut replied) = (false, false);
            while !(closed && replied) {
                let frame = socket.recv().await;
                closed |= frame[3] == "phx_close";
                replied |= frame[1] == msg_ref.as_str();
            }
        }
        socket
    };
    let mut sockets = Vec::new();
    for socket in futures_util::future::join_all((0..SOCKETS).map(churn)).await {
        sockets.push(socket);
    }
    let counts = runtime.hub().counts();
    assert_eq!(counts, liveplug::pubsub::Counts::default(), "after {} joins and leaves", SOCKETS * JOINS);
    // The timers went with their sessions: nothing arrives on the quiet sockets.
    for socket in &mut sockets {
        if let Some(frame) = socket.recv_within(Duration::from_millis(300)).await {
            panic!("a frame for a session that left: {frame}");
        }
    }
}

/// A broadcast to many hibernated sessions reaches every one of them, and leaves no more
/// instances awake than the pool holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_wakes_hibernated_sessions_one_by_one() {
    let limits = liveplug::runtime::Limits { max_instances: 4, ..test_limits() };
    let lifecycle = Lifecycle { hibernate_after: Duration::ZERO, ..Lifecycle::default() };
    let (addr, runtime) = start_server_with(limits, lifecycle).await;
    const SOCKETS: usize = 10;
    const PER_SOCKET: usize = 30;
    let page = open_page(addr, "/realtime?user=many&room=many").await;
    let mut sockets = Vec::new();
    for _ in 0..SOCKETS {
        let mut socket = Socket::for_page(addr, &page).await;
        for _ in 0..PER_SOCKET {
            // A page per channel: a session token is issued for one container.
            let page = open_page(addr, "/realtime?user=many&room=many").await;
            let join_ref = socket.make_ref();
            socket
                .send(json!([join_ref, join_ref, format!("lv:{}", page.id), "phx_join", {
                    "url": page.url,
                    "params": {"_csrf_token": page.csrf, "_mounts": 0},
                    "session": page.session,
                    "static": page.static_token,
                }]))
                .await;
        }
        // Join replies, and presence pushes as the room fills.
        let mut joined = 0;
        while joined < PER_SOCKET {
            let frame = socket.recv().await;
            if frame[3] == "phx_reply" {
                assert_eq!(frame[4]["status"], "ok", "{frame}");
                joined += 1;
            }
        }
        sockets.push(socket);
        // As the browser does every 30 s: on a slow machine these joins take longer than the
        // server's idle timeout.
        for socket in &mut sockets {
            let heartbeat_ref = socket.make_ref();
            socket.send(json!([null, heartbeat_ref, "phoenix", "heartbeat", {}])).await;
        }
    }
    // Let the presence pushes of all those joins settle.
    for socket in &mut sockets {
        while socket.recv_within(Duration::from_millis(300)).await.is_some() {}
    }
    let sessions = SOCKETS * PER_SOCKET;
    assert_eq!(runtime.hub().counts().subscriptions, sessions);
    assert!(runtime.instances().0 <= 4, "{:?} instances awake", runtime.instances());

    let mut speaker = Socket::for_page(addr, &page).await;
    let (join_ref, _) = speaker.join(&page).await;
    let msg_ref = speaker.make_ref();
    let topic = format!("lv:{}", page.id);
    speaker
        .send(
            json!([join_ref, msg_ref, topic, "event", {"type": "click", "event": "say", "value": {"text": "to all"}}]),
        )
        .await;
    for socket in &mut sockets {
        let mut got = 0;
        while got < PER_SOCKET {
            let frame = socket.recv().await;
            if frame[3] == "diff" && frame[4].to_string().contains("many: to all") {
                got += 1;
            }
        }
    }
    assert!(runtime.instances().0 <= 4, "{:?} instances awake after the broadcast", runtime.instances());
}
