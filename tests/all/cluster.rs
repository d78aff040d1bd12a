//! Several hosts sharing topics and presences over a real Redis server: two `liveplug`
//! processes on loopback, a `redis-server` of the test's own on a free port (`cargo xtask
//! test` installs it when missing; `REDIS_SERVER` names another binary).
//!
//! The chat example in two Chromium pages, one on each host; presence across hosts,
//! including a host killed mid-test; and Redis restarted under both hosts.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{Socket, compile_cache, open_page, repo_root};

/// Presence of a host not heard from for this long is dropped (the hosts' flag).
const PRESENCE_TIMEOUT_MS: u64 = 1500;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn wait_for_port(port: u16, what: &str, child: &mut Child, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited ({status}):\n{}", std::fs::read_to_string(log).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on {port}:\n{}", std::fs::read_to_string(log).unwrap_or_default());
}

/// A child process killed when the test ends, however it ends.
struct Process {
    child: Child,
    log: PathBuf,
    name: String,
}

impl Process {
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("liveplug-cluster-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// `redis-server` on `port`, keeping nothing on disk.
fn redis(port: u16, dir: &Path) -> Process {
    let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    let log = dir.join(format!("redis-{port}.log"));
    let mut child = Command::new(&binary)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir)
        .stdout(std::fs::File::create(&log).expect("log file"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{binary} runs (cargo xtask test installs redis-server): {e}"));
    wait_for_port(port, "redis-server", &mut child, &log);
    Process { child, log, name: "redis".into() }
}

/// A `liveplug` host serving every example and test guest, sharing topics over Redis.
fn host(name: &str, plugins: &Path, redis_port: u16, dir: &Path) -> (Process, SocketAddr) {
    let port = free_port();
    let log = dir.join(format!("{name}.log"));
    let root = repo_root();
    let mut child = Command::new(env!("CARGO_BIN_EXE_liveplug"))
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--plugins")
        .arg(plugins)
        .arg("--node-modules")
        .arg(root.join("node_modules"))
        .arg("--compile-cache")
        .arg(compile_cache())
        .args(["--secret-key-base", "cluster-test-secret-key-base-of-at-least-32-bytes"])
        .arg("--pubsub")
        .arg(format!("redis://127.0.0.1:{redis_port}"))
        .arg("--presence-timeout-ms")
        .arg(PRESENCE_TIMEOUT_MS.to_string())
        .env("RUST_LOG", "info,liveplug=debug")
        .env("NO_COLOR", "1")
        .stdout(std::fs::File::create(&log).expect("log file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("the liveplug binary runs");
    wait_for_port(port, name, &mut child, &log);
    (Process { child, log, name: name.into() }, SocketAddr::from(([127, 0, 0, 1], port)))
}

/// The plugins every host serves: the views these tests use (small, so that the hosts start
/// quickly even while the other tests load the machine).
fn plugins(dir: &Path) -> PathBuf {
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).expect("plugins dir");
    for name in ["realtime", "chat"] {
        let path = liveplug_guest_artifacts::path(name).unwrap_or_else(|| panic!("the {name} guest is built"));
        std::fs::copy(path, plugins.join(format!("{name}.wasm"))).expect("copy guest");
    }
    plugins
}

/// A tab on the `realtime` view, reading pushes until one shows `text`.
struct Tab {
    socket: Socket,
    join_ref: String,
    topic: String,
    /// Every diff pushed since the last [`Tab::mark`], as JSON text.
    seen: Vec<String>,
}

impl Tab {
    async fn open(addr: SocketAddr, user: &str, room: &str) -> Tab {
        let page = open_page(addr, &format!("/realtime?user={user}&room={room}")).await;
        let mut socket = Socket::for_page(addr, &page).await;
        let (join_ref, reply) = socket.join(&page).await;
        assert_eq!(reply[4]["status"], "ok", "{reply}");
        Tab { socket, join_ref, topic: format!("lv:{}", page.id), seen: Vec::new() }
    }

    async fn say(&mut self, text: &str) {
        let msg_ref = self.socket.make_ref();
        let frame = json!([self.join_ref, msg_ref, self.topic, "event", {"type": "click", "event": "say", "value": {"text": text}}]);
        self.socket.send(frame).await;
    }

    /// Whether a diff pushed since the last mark contains `text`, waiting up to `within` for
    /// one.
    async fn sees(&mut self, text: &str, within: Duration) -> bool {
        if self.count(text) > 0 {
            return true;
        }
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.socket.recv_within(left).await {
                Some(frame) if frame[3] == "diff" => {
                    let diff = frame[4].to_string();
                    let found = diff.contains(text);
                    self.seen.push(diff);
                    if found {
                        return true;
                    }
                }
                Some(_) => {}
                None => return false,
            }
        }
    }

    /// Pushes since the last mark that contain `text`.
    fn count(&self, text: &str) -> usize {
        self.seen.iter().filter(|diff| diff.contains(text)).count()
    }

    /// Forgets what was pushed so far.
    fn mark(&mut self) {
        self.seen.clear();
    }
}

fn report(processes: &[&Process]) -> String {
    processes.iter().map(|p| format!("--- {} ---\n{}", p.name, p.log())).collect::<Vec<_>>().join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_share_topics_and_presences_and_survive_redis_restarts() {
    let dir = scratch("redis-restart");
    let plugins = plugins(&dir);
    let redis_port = free_port();
    let mut redis_server = redis(redis_port, &dir);
    let (mut a, a_addr) = host("host-a", &plugins, redis_port, &dir);
    let (b, b_addr) = host("host-b", &plugins, redis_port, &dir);
    let long = Duration::from_secs(10);

    let mut alice = Tab::open(a_addr, "alice", "cluster").await;
    let mut bob = Tab::open(b_addr, "bob", "cluster").await;
    // Presence across hosts: alice, on host A, sees bob join on host B.
    assert!(alice.sees("alice, bob", long).await, "presence did not cross hosts\n{}", report(&[&a, &b]));

    // A broadcast on A reaches B's subscriber once, and A's own.
    alice.say("across").await;
    assert!(bob.sees("alice: across", long).await, "{}", report(&[&a, &b]));
    assert!(alice.sees("alice: across", long).await);
    assert!(!bob.sees("never sent", Duration::from_millis(300)).await);
    assert_eq!(bob.count("alice: across"), 1, "delivered once");

    // Redis goes away: each host keeps serving its own sessions.
    redis_server.kill();
    let mut carol = Tab::open(a_addr, "carol", "cluster").await;
    alice.say("while redis is down").await;
    assert!(carol.sees("alice: while redis is down", long).await, "local traffic stopped\n{}", report(&[&a]));

    // Redis comes back on the same port: the hosts reconnect by themselves.
    let _redis_again = redis(redis_port, &dir);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut n = 0;
    loop {
        n += 1;
        alice.say(&format!("after restart {n}")).await;
        if bob.sees(&format!("alice: after restart {n}"), Duration::from_millis(500)).await {
            break;
        }
        assert!(Instant::now() < deadline, "host B never heard from A again\n{}", report(&[&a, &b]));
    }
    // After the reconnect the hosts exchanged presences: carol, who arrived meanwhile, is
    // on bob's list.
    assert!(bob.sees("carol", long).await, "presences not resynchronized\n{}", report(&[&a, &b]));
    let a_log = a.log();
    assert_eq!(a_log.matches("serving local traffic and reconnecting").count(), 1, "one outage, one line:\n{a_log}");
    assert_eq!(a_log.matches("Redis reachable again").count(), 1, "{a_log}");

    // A host dies: its presences leave the other host's lists once it stops answering.
    bob.mark();
    a.kill();
    // The online list's dynamic becomes exactly "bob".
    assert!(
        bob.sees("\"bob\"", Duration::from_millis(PRESENCE_TIMEOUT_MS * 4)).await,
        "host A's presences outlived it\n{}",
        report(&[&b])
    );
    drop(b);
}

#[test]
fn chat_across_two_hosts_in_chromium() {
    let dir = scratch("chat");
    let plugins = plugins(&dir);
    let redis_port = free_port();
    let _redis = redis(redis_port, &dir);
    let (a, a_addr) = host("host-a", &plugins, redis_port, &dir);
    let (b, b_addr) = host("host-b", &plugins, redis_port, &dir);
    let output = Command::new("node")
        .current_dir(repo_root())
        .arg("tests/js/e2e_cluster.mjs")
        .arg(format!("http://{a_addr}"))
        .arg(format!("http://{b_addr}"))
        .arg(b.child.id().to_string())
        .output()
        .expect("node runs");
    let out = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "e2e_cluster.mjs failed:\n{out}\n{}", report(&[&a, &b]));
}
