//! Hibernation: an idle session gives its instance back and keeps a snapshot; the next frame
//! wakes it with a fresh instance, and the client cannot tell.

use std::time::Duration;

use liveplug::runtime::{GuestView, Limits, Plugin, Runtime};
use liveplug::session::{Hibernation, Lifecycle, LiveSession, MountRequest};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::support::{Socket, open_page, plugin, runtime, start_server_with, test_limits};

/// Hibernates after every handler.
fn eager() -> Lifecycle {
    Lifecycle { hibernate_after: Duration::ZERO, ..Lifecycle::default() }
}

/// Hibernates only when the pool needs the slot.
fn lazy() -> Lifecycle {
    Lifecycle { hibernate_after: Duration::from_secs(3600), ..Lifecycle::default() }
}

async fn join(runtime: &Runtime, plugin: &Plugin, url: &str) -> (LiveSession<GuestView>, Value) {
    let view = GuestView::instantiate(runtime, plugin).await.expect("instance");
    let request =
        MountRequest { url: url.into(), session: json!({}), connect_params: Some(json!({})), ..Default::default() };
    LiveSession::join(view, request).await.expect("join")
}

/// Hibernates `session` and wakes it in a fresh instance.
async fn hibernate_and_wake(
    runtime: &Runtime,
    plugin: &Plugin,
    session: LiveSession<GuestView>,
) -> LiveSession<GuestView> {
    let Hibernation::Done(hibernated) = session.hibernate(1 << 20).await.expect("snapshot") else {
        panic!("the view snapshots");
    };
    let view = GuestView::instantiate(runtime, plugin).await.expect("instance");
    hibernated.wake(view).await.expect("restore")
}

/// One step of a session: an event, or the two halves of the destroy handshake.
#[derive(Debug, Clone)]
enum Step {
    Event(Value),
    Destroy(u32),
}

fn counter_step(rng: &mut StdRng) -> Step {
    let name = ["inc", "inc", "dec", "reset"][rng.random_range(0..4)];
    Step::Event(json!({"type": "click", "event": name, "value": {"value": ""}}))
}

fn contacts_step(rng: &mut StdRng) -> Step {
    const NAMES: [&str; 5] = ["Zed", "Ada+L.", "%3Cb%3Ebold%3C%2Fb%3E", "Grace", "%C3%89mile"];
    let name = NAMES[rng.random_range(0..NAMES.len())];
    let cid = rng.random_range(1..8u32);
    let click = |event: &str, value: Value| json!({"type": "click", "event": event, "value": value});
    let form = |event: &str, value: String, cid: Option<u32>| {
        let mut payload = json!({"type": "form", "event": event, "value": value, "meta": {}});
        if let Some(cid) = cid {
            payload["cid"] = json!(cid);
        }
        payload
    };
    Step::Event(match rng.random_range(0..9) {
        0 | 1 => form("add", format!("contact%5Bname%5D={name}&contact%5Bemail%5D={name}%40x.test"), None),
        2 => click("sort", json!({"by": "name", "value": ""})),
        3 => click("sort", json!({"by": "email", "value": ""})),
        4 => json!({"type": "click", "event": "edit", "value": {"value": ""}, "cid": cid}),
        5 => form("save", format!("name={name}&email=e%40x.test"), Some(cid)),
        6 => json!({"type": "click", "event": "cancel", "value": {"value": ""}, "cid": cid}),
        7 => click("delete", json!({"id": rng.random_range(1..8u32).to_string(), "value": ""})),
        _ => return Step::Destroy(cid),
    })
}

async fn apply(session: &mut LiveSession<GuestView>, step: &Step) -> Vec<String> {
    match step {
        Step::Event(payload) => vec![session.event(payload.clone()).await.expect("event").to_string()],
        Step::Destroy(cid) => {
            let cids = [*cid];
            let will = session.components_will_destroy(&cids);
            let done = session.components_destroyed(&cids).await.expect("destroyed");
            vec![will.to_string(), done.to_string()]
        }
    }
}

/// Twin sessions get the same random steps; one hibernates at random points between them.
/// Every reply must be byte-identical.
async fn check_twins(name: &str, next: fn(&mut StdRng) -> Step) {
    let runtime = runtime();
    let plugin = plugin(&runtime, name);
    let url = format!("http://h/{name}");
    for seed in 0..6u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let (mut awake, join_a) = join(&runtime, &plugin, &url).await;
        let (mut sleepy, join_b) = join(&runtime, &plugin, &url).await;
        assert_eq!(join_a.to_string(), join_b.to_string());
        let mut hibernations = 0;
        for step_no in 0..50 {
            if rng.random_bool(0.5) {
                sleepy = hibernate_and_wake(&runtime, &plugin, sleepy).await;
                hibernations += 1;
            }
            let step = next(&mut rng);
            let a = apply(&mut awake, &step).await;
            let b = apply(&mut sleepy, &step).await;
            assert_eq!(a, b, "{name} seed {seed} step {step_no}: {step:?}");
        }
        assert!(hibernations > 10);
        assert_eq!(awake.html(), sleepy.html(), "{name} seed {seed}");
    }
}

#[tokio::test]
async fn a_hibernated_counter_replies_byte_identically() {
    check_twins("counter", counter_step).await;
}

#[tokio::test]
async fn hibernated_contacts_reply_byte_identically_with_components_and_streams() {
    check_twins("contacts", contacts_step).await;
}

/// Through the socket: a server that hibernates after every event answers exactly like one
/// that never does.
#[tokio::test]
async fn over_the_socket_hibernating_after_every_event_changes_nothing_the_client_sees() {
    let (eager_addr, eager_runtime) = start_server_with(test_limits(), eager()).await;
    let (lazy_addr, _) = start_server_with(test_limits(), lazy()).await;
    let mut transcripts = Vec::new();
    for addr in [eager_addr, lazy_addr] {
        let page = open_page(addr, "/counter").await;
        let mut socket = Socket::for_page(addr, &page).await;
        let (join_ref, reply) = socket.join(&page).await;
        let mut transcript = vec![reply[4].clone()];
        for event in ["inc", "inc", "dec", "reset", "inc"] {
            transcript.push(socket.click(&join_ref, &page, event).await[4].clone());
        }
        transcripts.push(transcript);
    }
    assert_eq!(transcripts[0], transcripts[1]);
    assert_eq!(transcripts[0][5]["response"]["diff"], json!({"0": "1", "t": "Count: 1"}));
    // The eager server's session is hibernated between events: no instance is left.
    wait_for_instances(&eager_runtime, 0).await;
}

async fn wait_for_instances(runtime: &Runtime, expected: usize) {
    for _ in 0..200 {
        if runtime.instances().0 == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{} instances alive, expected {expected}", runtime.instances().0);
}

/// A pool of two instances serves fifty sessions (fifty browsers) that take turns: every join
/// and every wake hibernates the least recently used idle session.
#[tokio::test]
async fn a_pool_of_two_serves_fifty_sessions_that_take_turns() {
    let limits = Limits { max_instances: 2, ..test_limits() };
    let (addr, runtime) = start_server_with(limits, lazy()).await;
    let mut sessions = Vec::new();
    for _ in 0..50 {
        let page = open_page(addr, "/counter").await;
        let mut socket = Socket::for_page(addr, &page).await;
        let (join_ref, reply) = socket.join(&page).await;
        assert_eq!(reply[4]["status"], json!("ok"), "{reply}");
        sessions.push((socket, join_ref, page));
        assert!(runtime.instances().0 <= 2);
    }
    for round in 1..=3 {
        for (socket, join_ref, page) in &mut sessions {
            let reply = socket.click(join_ref, page, "inc").await;
            assert_eq!(reply[4]["response"]["diff"]["0"], json!(round.to_string()), "{reply}");
            assert!(runtime.instances().0 <= 2);
        }
    }
}

/// A view that cannot snapshot (the `table` test guest) keeps its instance and its state.
#[tokio::test]
async fn a_view_without_snapshot_support_is_never_hibernated() {
    let limits = Limits { max_instances: 2, instance_wait: Duration::from_millis(300), ..test_limits() };
    let (addr, runtime) = start_server_with(limits, eager()).await;
    let table = open_page(addr, "/table").await;
    let mut table_socket = Socket::for_page(addr, &table).await;
    let (table_ref, reply) = table_socket.join(&table).await;
    assert_eq!(reply[4]["status"], json!("ok"), "{reply}");
    let first = table_socket.click(&table_ref, &table, "touch").await;
    assert_eq!(first[4]["status"], json!("ok"), "{first}");
    // A counter on another connection hibernates after each event; the table does not.
    let counter = open_page(addr, "/counter").await;
    let mut counter_socket = Socket::for_page(addr, &counter).await;
    let (counter_ref, _) = counter_socket.join(&counter).await;
    for _ in 0..3 {
        counter_socket.click(&counter_ref, &counter, "inc").await;
    }
    wait_for_instances(&runtime, 1).await;
    // The table's state lived on in its instance: the next touch continues from the first.
    let second = table_socket.click(&table_ref, &table, "touch").await;
    assert_eq!(second[4]["status"], json!("ok"), "{second}");
    assert_ne!(first[4]["response"], second[4]["response"]);
    // Two tables fill the pool; nobody can be evicted, so a third join is refused.
    let other = open_page(addr, "/counter").await;
    let table2 = open_page(addr, "/table").await;
    let mut socket2 = Socket::for_page(addr, &table2).await;
    let (_, reply) = socket2.join(&table2).await;
    assert_eq!(reply[4]["status"], json!("ok"), "{reply}");
    let mut socket3 = Socket::for_page(addr, &other).await;
    let (_, reply) = socket3.join(&other).await;
    assert_eq!(reply[4]["response"], json!({"reason": "join crashed"}), "{reply}");
    assert_eq!(runtime.instances().0, 2);
}

/// A guest whose `restore` traps ends only its own session.
#[tokio::test]
async fn a_restore_that_traps_ends_only_that_session() {
    let (addr, _) = start_server_with(test_limits(), eager()).await;
    let counter = open_page(addr, "/counter").await;
    let hostile = open_page(addr, "/hostile").await;
    let mut socket = Socket::for_page(addr, &counter).await;
    let (counter_ref, _) = socket.join(&counter).await;
    let (hostile_ref, _) = socket.join(&hostile).await;
    let armed = socket.click(&hostile_ref, &hostile, "arm-restore-trap").await;
    assert_eq!(armed[4]["status"], json!("ok"), "{armed}");
    // The session hibernated after that event; waking it runs the trapping restore.
    let topic = format!("lv:{}", hostile.id);
    let msg_ref = socket.make_ref();
    socket.send(json!([hostile_ref, msg_ref, topic, "event", {"type": "click", "event": "ok", "value": {}}])).await;
    assert_eq!(socket.recv().await, json!([hostile_ref, null, topic, "phx_error", {"reason": "channel_crash"}]));
    let reply = socket.click(&counter_ref, &counter, "inc").await;
    assert_eq!(reply[4]["response"]["diff"]["0"], json!("1"), "{reply}");
}
