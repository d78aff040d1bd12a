//! Hot swap: a changed `.wasm` in the plugins directory is compiled and swapped in under the
//! live sessions, awake and hibernated, with their state carried over and no socket closed; a
//! broken file is refused and the old version keeps serving; a new file is served; a removed
//! one ends its sessions.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use liveplug::registry::Registry;
use liveplug::registry::watch::{Change, watch};
use liveplug::session::Lifecycle;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::support::{Page, Socket, guest, open_page, plugins_dir, serve_dir, test_limits};

/// Writes `bytes` as `dir/<name>.wasm` the way a deploy should: a temporary file renamed
/// over the old one.
fn install(dir: &Path, name: &str, bytes: &[u8]) {
    let part = dir.join(format!("{name}.wasm.part"));
    std::fs::write(&part, bytes).expect("write");
    std::fs::rename(&part, dir.join(format!("{name}.wasm"))).expect("rename");
}

/// Watches `registry`'s directory; each handled file is reported on the channel.
fn watching(
    runtime: liveplug::runtime::Runtime,
    registry: &Arc<Registry>,
) -> (liveplug::registry::watch::Watcher, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let watcher = watch(runtime, Arc::clone(registry), Duration::from_millis(50), move |change| {
        let _ = tx.send(match change {
            Change::Added { name, .. } => format!("added {name}"),
            Change::Swapped { name, .. } => format!("swapped {name}"),
            Change::Removed { name } => format!("removed {name}"),
            Change::Unchanged { name } => format!("unchanged {name}"),
            Change::Refused { name, error } => format!("refused {name}: {error}"),
        });
    })
    .expect("watch");
    (watcher, rx)
}

async fn next_change(rx: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(60), rx.recv()).await.expect("a change within a minute").expect("watcher")
}

/// The next `diff` push on this socket, skipping replies.
async fn next_diff(socket: &mut Socket) -> Value {
    loop {
        let frame = socket.recv().await;
        if frame[3] == "diff" {
            return frame[4].clone();
        }
        assert_ne!(frame[3], "phx_error", "the session crashed: {frame}");
        assert_ne!(frame[3], "phx_close", "the session closed: {frame}");
    }
}

/// Sends a click without waiting for its reply; returns its ref.
async fn send_click(s: &mut Session, event: &str) -> String {
    let msg_ref = s.socket.make_ref();
    s.socket
        .send(serde_json::json!([s.join_ref, msg_ref, format!("lv:{}", s.page.id), "event", {"type": "click", "event": event, "value": {}}]))
        .await;
    msg_ref
}

struct Session {
    socket: Socket,
    page: Page,
    join_ref: String,
    count: i64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_plugin_moves_every_session_with_its_state_and_no_socket_closes() {
    let dir = plugins_dir("hotswap");
    install(&dir, "counter", &std::fs::read(guest("counter")).expect("counter built"));
    let lifecycle = Lifecycle { hibernate_after: Duration::from_secs(4), ..Lifecycle::default() };
    let (addr, runtime, registry) = serve_dir(&dir, test_limits(), lifecycle).await;
    let (_watcher, mut changes) = watching(runtime, &registry);

    // 100 sessions with different counts: the first half then idles until it hibernates,
    // the second half is awake when the code changes.
    let mut sessions = Vec::new();
    for _ in 0..100 {
        let page = open_page(addr, "/counter").await;
        let mut socket = Socket::for_page(addr, &page).await;
        let (join_ref, reply) = socket.join(&page).await;
        assert_eq!(reply[4]["status"], "ok", "{reply}");
        sessions.push(Session { socket, page, join_ref, count: 0 });
    }
    for (i, s) in sessions.iter_mut().enumerate() {
        let clicks = (i % 7 + 1) as i64;
        if i < 50 {
            for _ in 0..clicks {
                let reply = s.socket.click(&s.join_ref, &s.page, "inc").await;
                assert_eq!(reply[4]["status"], "ok", "{reply}");
            }
            s.count = clicks;
        }
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    for (i, s) in sessions.iter_mut().enumerate().skip(50) {
        let clicks = (i % 7 + 1) as i64;
        for _ in 0..clicks {
            let reply = s.socket.click(&s.join_ref, &s.page, "inc").await;
            assert_eq!(reply[4]["status"], "ok", "{reply}");
        }
        s.count = clicks;
    }
    let generation = registry.generation("counter").expect("served");

    install(&dir, "counter", &std::fs::read(guest("counter-v2")).expect("counter-v2 built"));
    // Events keep coming while the new code compiles and while the sessions move: none is
    // lost, each is answered, by the old code or the new one, and counts.
    let mut in_flight = Vec::new();
    for s in sessions.iter_mut().take(10) {
        in_flight.push(send_click(s, "inc").await);
    }
    assert_eq!(next_change(&mut changes).await, "swapped counter");
    assert!(registry.generation("counter").expect("served") > generation);
    for s in sessions.iter_mut().skip(10).take(10) {
        in_flight.push(send_click(s, "inc").await);
    }

    for (i, s) in sessions.iter_mut().enumerate() {
        if let Some(msg_ref) = in_flight.get(i) {
            // The reply to the click, and the new template, in the reply (a hibernated
            // session woken by the click wakes into the new code) or in the swap's diff.
            let (mut replied, mut swapped) = (false, false);
            while !(replied && swapped) {
                let frame = s.socket.recv().await;
                assert_ne!(frame[3], "phx_error", "the session crashed: {frame}");
                if frame[3] == "phx_reply" && frame[1] == msg_ref.as_str() {
                    assert_eq!(frame[4]["status"], "ok", "{frame}");
                    replied = true;
                }
                if frame[4].to_string().contains("Total: ") {
                    swapped = true;
                }
            }
            s.count += 1;
        } else {
            // The new template's statics reach the client with this session's own count.
            let diff = next_diff(&mut s.socket).await.to_string();
            assert!(diff.contains("Total: "), "{diff}");
            assert!(diff.contains(&format!("\"{}\"", s.count)), "count {} in {diff}", s.count);
        }
        // The new code runs with the carried state: it knows "inc10".
        let reply = s.socket.click(&s.join_ref, &s.page, "inc10").await;
        assert_eq!(reply[4]["status"], "ok", "{reply}");
        assert!(reply[4]["response"].to_string().contains(&format!("\"{}\"", s.count + 10)), "{reply}");
    }
    // The swap's report counts every session as carried over.
    let report = registry.swap_report("counter").expect("a swap report");
    assert_eq!((report.carried, report.remounted, report.deferred), (100, 0, 0), "{report:?}");
    assert!(report.last.is_some_and(|last| last >= report.started));
    // A new page renders the new code.
    let page = open_page(addr, "/counter").await;
    assert!(page.inner_html.contains("Total: "), "{}", page.inner_html);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_plugin_is_refused_and_the_old_version_keeps_serving() {
    let dir = plugins_dir("hotswap-broken");
    let counter = std::fs::read(guest("counter")).expect("counter built");
    install(&dir, "counter", &counter);
    let (addr, runtime, registry) = serve_dir(&dir, test_limits(), Lifecycle::default()).await;
    let (_watcher, mut changes) = watching(runtime, &registry);
    let page = open_page(addr, "/counter").await;
    let mut socket = Socket::for_page(addr, &page).await;
    let (join_ref, _) = socket.join(&page).await;
    socket.click(&join_ref, &page, "inc").await;

    let generation = registry.generation("counter");
    let cases: [(&str, Vec<u8>); 3] = [
        ("not a component", b"\0asm garbage, not a component".to_vec()),
        ("a core module", wat::parse_str("(module)").expect("wat")),
        ("a cut-off copy", counter[..counter.len() / 2].to_vec()),
    ];
    for (what, bytes) in cases {
        install(&dir, "counter", &bytes);
        let change = next_change(&mut changes).await;
        assert!(change.starts_with("refused counter: "), "{what}: {change}");
        assert_eq!(registry.generation("counter"), generation, "{what}");
        // The session keeps running the old code.
        let reply = socket.click(&join_ref, &page, "inc").await;
        assert_eq!(reply[4]["status"], "ok", "{what}: {reply}");
        assert!(open_page(addr, "/counter").await.inner_html.contains("Count: "), "{what}");
    }
    // Putting a good file back serves it again: the same bytes as the version served.
    install(&dir, "counter", &counter);
    let change = next_change(&mut changes).await;
    assert!(change == "unchanged counter" || change == "swapped counter", "{change}");
    assert!(socket.recv_within(Duration::from_millis(300)).await.is_none_or(|f| f[3] != "phx_error"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_appear_and_disappear_while_the_host_runs() {
    let dir = plugins_dir("hotswap-add");
    install(&dir, "counter", &std::fs::read(guest("counter")).expect("counter built"));
    let (addr, runtime, registry) = serve_dir(&dir, test_limits(), Lifecycle::default()).await;
    let (_watcher, mut changes) = watching(runtime, &registry);
    assert_eq!(crate::support::get(addr, "/todo", None).await.status, 404);

    install(&dir, "todo", &std::fs::read(guest("todo")).expect("todo built"));
    assert_eq!(next_change(&mut changes).await, "added todo");
    let page = open_page(addr, "/todo").await;
    let mut socket = Socket::for_page(addr, &page).await;
    let (_, reply) = socket.join(&page).await;
    assert_eq!(reply[4]["status"], "ok", "{reply}");

    std::fs::remove_file(dir.join("todo.wasm")).expect("remove");
    assert_eq!(next_change(&mut changes).await, "removed todo");
    // Its session ends; the rejoin is refused, so the client reloads the page (now a 404).
    let frame = socket.recv().await;
    assert_eq!(frame[3], "phx_error", "{frame}");
    let (_, rejoin) = socket.join(&page).await;
    assert_eq!(rejoin[4]["status"], "error", "{rejoin}");
    assert_eq!(crate::support::get(addr, "/todo", None).await.status, 404);
    // The other view was not touched.
    assert_eq!(crate::support::get(addr, "/counter", None).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_sees_the_page_change_in_place_after_a_swap() {
    let dir = plugins_dir("hotswap-e2e");
    install(&dir, "counter", &std::fs::read(guest("counter")).expect("counter built"));
    let (addr, runtime, registry) = serve_dir(&dir, test_limits(), Lifecycle::default()).await;
    let (_watcher, _changes) = watching(runtime, &registry);
    let new = guest("counter-v2");
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .current_dir(crate::support::repo_root())
            .arg("tests/js/e2e_hotswap.mjs")
            .arg(format!("http://{addr}"))
            .arg(&dir)
            .arg(&new)
            .output()
            .expect("node runs (install Node.js)")
    })
    .await
    .expect("node");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "e2e_hotswap.mjs failed:\n{report}");
}
