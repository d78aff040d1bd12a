//! Every mode against the in-process canned server.

// Test code fails by panicking: that is how a test reports.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use liveplug_load::broadcast::{self, BroadcastOptions};
use liveplug_load::canned::CannedServer;
use liveplug_load::events::{self, EventsOptions, SelfbenchOptions};
use liveplug_load::hold::{self, HoldOptions, IdleOptions, WakeOptions};
use liveplug_load::join::{self, JoinOptions};
use liveplug_load::run::ClientOptions;

fn server() -> CannedServer {
    CannedServer::start("127.0.0.1:0".parse().unwrap(), 1, None, Duration::from_secs(120)).unwrap()
}

fn client(server: &CannedServer) -> ClientOptions {
    ClientOptions { url: format!("http://{}/counter", server.addr), timeout_secs: 5.0, ..ClientOptions::default() }
}

#[test]
fn join_opens_every_session() {
    let server = server();
    let me = std::process::id();
    let report = join::run(&JoinOptions {
        client: client(&server),
        sessions: 200,
        concurrency: 8,
        threads: 2,
        pid: Some(me),
        deadline: Duration::from_secs(60),
    })
    .unwrap();
    assert_eq!(report.errors.total, 0, "{:?}", report.errors);
    assert_eq!((report.attempted, report.joined), (200, 200));
    assert_eq!(report.latency.total.count, 200);
    assert!(report.latency.total.p50_us > 0.0);
    assert!(report.server.is_some());
}

#[test]
fn events_run_a_closed_loop_for_a_second() {
    let server = server();
    let report = events::run(&EventsOptions {
        client: client(&server),
        connections: 16,
        duration: Duration::from_secs(1),
        deadline: Duration::from_secs(60),
        ..EventsOptions::default()
    })
    .unwrap();
    assert_eq!(report.joined, 16);
    assert_eq!(report.errors.total, 0, "{:?}", report.errors);
    assert!(report.events > 1000, "{} events", report.events);
    assert_eq!(report.rtt.count, report.events);
    assert!(report.elapsed_secs >= 0.9 && report.elapsed_secs < 5.0, "{}", report.elapsed_secs);
    assert!(report.server.is_none(), "no --pid, no server figures");
}

#[test]
fn max_events_and_pipelining_bound_the_run() {
    let server = server();
    let report = events::run(&EventsOptions {
        client: client(&server),
        connections: 4,
        duration: Duration::from_secs(30),
        max_events: Some(2000),
        pipeline: 4,
        threads: 2,
        deadline: Duration::from_secs(60),
        ..EventsOptions::default()
    })
    .unwrap();
    assert_eq!(report.errors.total, 0, "{:?}", report.errors);
    assert_eq!(report.events, 2000);
    assert!(report.elapsed_secs < 10.0);
}

#[test]
fn refused_connections_are_counted_not_fatal() {
    // Nothing listens there (a port just released).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let report = join::run(&JoinOptions {
        client: ClientOptions { url: format!("http://127.0.0.1:{port}/counter"), ..ClientOptions::default() },
        sessions: 5,
        concurrency: 2,
        deadline: Duration::from_secs(30),
        ..JoinOptions::default()
    })
    .unwrap();
    assert_eq!(report.joined, 0);
    assert_eq!(report.errors.connect, 5);
}

#[test]
fn idle_holds_sessions_and_every_one_answers() {
    let server = server();
    let report = hold::idle(&IdleOptions {
        hold: HoldOptions {
            client: client(&server),
            sessions: 60,
            pid: Some(std::process::id()),
            settle: Duration::from_millis(1200),
            deadline: Duration::from_secs(60),
            ..HoldOptions::default()
        },
        checkpoints: vec![20, 40],
        hold_secs: Duration::from_millis(200),
    })
    .unwrap();
    assert_eq!(report.held, 60);
    assert_eq!(report.checkpoints.iter().map(|c| c.held).collect::<Vec<_>>(), vec![20, 40, 60]);
    assert!(report.checkpoints.iter().all(|c| c.rss_bytes.is_some()));
    assert_eq!((report.asked, report.answered), (60, 60), "{:?}", report.event_errors);
    assert!(report.worker_failures.is_empty(), "{:?}", report.worker_failures);
}

#[test]
fn wake_measures_the_first_event_after_idle() {
    let server = server();
    let report = hold::wake(&WakeOptions {
        hold: HoldOptions {
            client: client(&server),
            sessions: 30,
            deadline: Duration::from_secs(60),
            ..HoldOptions::default()
        },
        idle: Duration::from_millis(300),
    })
    .unwrap();
    assert_eq!((report.held, report.answered), (30, 30));
    assert_eq!((report.wake_rtt.count, report.warm_rtt.count), (30, 30));
}

#[test]
fn selfbench_reports_a_rate() {
    let report = events::selfbench(&SelfbenchOptions {
        connections: 8,
        duration: Duration::from_millis(500),
        pipeline: 1,
        threads: 1,
        server_threads: 1,
        server_cpu: None,
        client_cpu: None,
    })
    .unwrap();
    assert!(report.events_per_sec > 1000.0, "{}", report.events_per_sec);
}

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_liveplug-load"))
}

#[test]
fn idle_with_worker_processes_and_source_addresses_prints_json() {
    let server = server();
    let out = Command::new(exe())
        .args(["--url", &format!("http://{}/counter", server.addr), "--json", "idle", "--sessions", "40"])
        .args(["--workers", "2", "--source-addrs", "127.0.0.2,127.0.0.3", "--checkpoints", "10", "--settle-secs", "0"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["mode"], "idle");
    assert_eq!(v["held"], 40);
    assert_eq!(v["answered"], 40);
    assert_eq!(v["sources"], serde_json::json!(["127.0.0.2", "127.0.0.3"]));
    assert_eq!(v["checkpoints"].as_array().unwrap().len(), 2);
}

#[test]
fn the_command_line_prints_one_json_object_per_mode() {
    let server = server();
    let url = format!("http://{}/counter", server.addr);
    for args in [
        &["join", "--sessions", "10"][..],
        &["events", "--connections", "2", "--duration-secs", "0.3"],
        &["wake", "--sessions", "3", "--idle-secs", "0.1"],
        &["broadcast", "--listeners", "3", "--rounds", "2", "--setup-event", ""],
    ] {
        let out = Command::new(exe()).args(["--url", &url, "--json"]).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["mode"], args[0]);
        assert!(!String::from_utf8_lossy(&out.stderr).is_empty(), "the table goes to stderr");
    }
    let bad = Command::new(exe()).args(["--url", "http://192.0.2.1/x", "join"]).output().unwrap();
    assert!(!bad.status.success());
}

#[test]
fn broadcast_times_every_listener_and_counts_what_is_missed() {
    let server = server();
    let me = std::process::id();
    let report = broadcast::run(&BroadcastOptions {
        client: client(&server),
        listeners: 300,
        rounds: 3,
        pause: Duration::from_millis(20),
        round_timeout: Duration::from_secs(10),
        // The canned server has no setup form.
        setup: None,
        pid: Some(me),
        deadline: Duration::from_secs(60),
        ..BroadcastOptions::default()
    })
    .unwrap();
    assert_eq!(report.joined, 300);
    assert_eq!(report.join_errors.total, 0, "{:?}", report.join_errors);
    assert_eq!(report.errors.total, 0, "{:?}", report.errors);
    assert_eq!(report.rounds.len(), 3);
    for r in &report.rounds {
        assert_eq!((r.delivered, r.missed), (300, 0), "{r:?}");
        assert_eq!(r.arrival.count, 300);
        assert!(r.last_us > 0.0 && r.last_us >= r.arrival.p50_us, "{r:?}");
        assert!(r.deliveries_per_sec > 0.0);
        // `[null,null,"lv:phx-canned-N","diff",{"0":"text=lp-broadcast-…-end"}]`
        assert!(r.bytes_per_push > 60.0 && r.bytes_per_push < 100.0, "{}", r.bytes_per_push);
    }
    assert_eq!((report.delivered, report.missed, report.lost), (900, 0, 0));
    assert!(report.server_cpu_us_per_delivery.is_some());

    // A talker whose message nobody receives: every listener is counted as missed.
    let report = broadcast::run(&BroadcastOptions {
        client: client(&server),
        listeners: 5,
        rounds: 1,
        round_timeout: Duration::from_millis(300),
        setup: None,
        say_event: "inc".into(),
        deadline: Duration::from_secs(60),
        ..BroadcastOptions::default()
    })
    .unwrap();
    assert_eq!((report.delivered, report.missed), (0, 5));
}
