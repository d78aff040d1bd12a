//! `cargo xtask compare`: Liveplug and LiveViewJS 0.8.1 side by side, under the same load.
//!
//! One run installs the LiveViewJS counter (`benches/liveviewjs`, pinned by its lockfile) into a
//! temporary directory, builds our optimized server, the guests and the load tool, then starts
//! each server in turn alone on CPU 0 and drives it with `liveplug-load` on CPU 1: joins, closed
//! loop events on 1 and on 20 connections, and idle joined sessions. Every load mode gets a
//! freshly started server. The table goes to stdout as Markdown, ready for `BENCHMARKS.md`;
//! progress goes to stderr.
//!
//! Every step has a time limit, and every child process is killed when its guard drops, on
//! error as well.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// `cargo xtask compare` options.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Idle joined sessions to attempt on each server.
    #[arg(long, default_value_t = 10_000)]
    sessions: u64,
    /// Length of each closed-loop event run, in seconds.
    #[arg(long, default_value_t = 10)]
    duration_secs: u64,
    /// Sequential joins measured for the join latency.
    #[arg(long, default_value_t = 1_000)]
    joins: u64,
    /// Measure one server only.
    #[arg(long, value_enum)]
    only: Option<Side>,
    /// Which measurements to run (all by default).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Measure::Join, Measure::Events, Measure::Idle, Measure::Broadcast])]
    measure: Vec<Measure>,
    /// Chat listeners of the broadcast measurements (one run per count).
    #[arg(long, value_delimiter = ',', default_values_t = [1_000, 10_000])]
    listeners: Vec<u64>,
    /// Messages said in each broadcast run.
    #[arg(long, default_value_t = 20)]
    rounds: u64,
    /// Port on 127.0.0.1 for the server under test (each server in turn); default: a free
    /// port picked before each start.
    #[arg(long)]
    port: Option<u16>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Measure {
    Join,
    Events,
    Idle,
    Broadcast,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Ours,
    Theirs,
}

impl Side {
    fn label(self) -> &'static str {
        match self {
            Side::Ours => "Liveplug (release)",
            Side::Theirs => "LiveViewJS 0.8.1",
        }
    }
}

const NPM_CI_LIMIT: Duration = Duration::from_secs(600);
const BUILD_LIMIT: Duration = Duration::from_secs(60 * 60);
const READY_LIMIT: Duration = Duration::from_secs(30);
/// The CPU the server runs on, and the one the load tool runs on.
const SERVER_CPU: &str = "0";
const LOAD_CPU: &str = "1";

pub fn run(root: &Path, args: Args) -> Result<()> {
    if args.sessions == 0 || args.joins == 0 || args.duration_secs == 0 || args.rounds == 0 {
        bail!("--sessions, --joins, --duration-secs and --rounds must be at least 1");
    }
    if args.listeners.is_empty() || args.listeners.contains(&0) {
        bail!("--listeners must be a list of counts of at least 1");
    }
    let cpus = thread::available_parallelism().map(usize::from).unwrap_or(1);
    if cpus < 2 {
        bail!("compare pins the server and the load tool to different CPUs; this machine has {cpus}");
    }
    let sides: Vec<Side> = match args.only {
        Some(side) => vec![side],
        None => vec![Side::Ours, Side::Theirs],
    };
    if let Some(port) = args.port {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        if answers(addr) {
            bail!("something already listens on {addr}; pick another --port");
        }
    }

    let temp = TempDir::new()?;
    let theirs_dir = temp.path.join("liveviewjs");
    if sides.contains(&Side::Theirs) {
        copy_dir(&root.join("benches/liveviewjs"), &theirs_dir)?;
        run_bounded(
            Command::new("npm").current_dir(&theirs_dir).args(["ci", "--no-audit", "--no-fund"]),
            NPM_CI_LIMIT,
        )?;
    }
    if sides.contains(&Side::Ours) {
        if !root.join("node_modules/phoenix_live_view").is_dir() {
            run_bounded(Command::new("npm").current_dir(root).args(["ci", "--no-audit", "--no-fund"]), NPM_CI_LIMIT)?;
        }
        run_bounded(Command::new("cargo").current_dir(root).args(["xtask", "build-plugins"]), BUILD_LIMIT)?;
        run_bounded(
            Command::new("cargo").current_dir(root).args([
                "build",
                "--release",
                "-p",
                "liveplug-host",
                "--bin",
                "liveplug",
            ]),
            BUILD_LIMIT,
        )?;
    }
    run_bounded(
        Command::new("cargo").current_dir(root).args(["build", "--release", "-p", "liveplug-load"]),
        BUILD_LIMIT,
    )?;
    let load_bin = root.join("target/release/liveplug-load");

    let mut results = Vec::new();
    let mut failures = Vec::new();
    for &side in &sides {
        let server = ServerSpec { side, root, theirs_dir: &theirs_dir, logs: &temp.path, port: args.port };
        let mut figures = Figures::default();
        for mode in modes(&args) {
            eprintln!("== {}: {}", side.label(), mode.name);
            match measure(&server, &load_bin, &mode) {
                Ok(report) => {
                    if let Err(err) = (mode.record)(&mut figures, &report) {
                        failures.push(format!("{}, {}: {err:#}", side.label(), mode.name));
                    }
                }
                Err(err) => {
                    eprintln!("{}, {}: {err:#}", side.label(), mode.name);
                    failures.push(format!("{}, {}: {err:#}", side.label(), mode.name));
                }
            }
        }
        results.push((side, figures));
    }

    print!("{}", markdown(&args, &results, &failures));
    if !failures.is_empty() {
        bail!("{} measurement(s) failed (listed under the table)", failures.len());
    }
    Ok(())
}

/// One load run against a freshly started server.
struct Mode {
    name: String,
    /// The page the load tool opens.
    path: String,
    args: Vec<String>,
    limit: Duration,
    record: fn(&mut Figures, &Value) -> Result<()>,
}

fn modes(args: &Args) -> Vec<Mode> {
    let events = |connections: u64, record: fn(&mut Figures, &Value) -> Result<()>| Mode {
        name: format!("events, {connections} connection(s), {} s", args.duration_secs),
        path: "/counter".into(),
        args: vec![
            "events".into(),
            "--connections".into(),
            connections.to_string(),
            "--duration-secs".into(),
            args.duration_secs.to_string(),
        ],
        limit: Duration::from_secs(args.duration_secs + 120),
        record,
    };
    let n = args.sessions;
    let mut checkpoints: Vec<u64> = [n / 10, n / 2, n].into_iter().filter(|&c| c > 0).collect();
    checkpoints.dedup();
    let checkpoints: Vec<String> = checkpoints.iter().map(u64::to_string).collect();
    let mut modes = Vec::new();
    let on = |m: Measure| args.measure.contains(&m);
    if on(Measure::Join) {
        modes.push(Mode {
            name: format!("join, {} sessions one after another", args.joins),
            path: "/counter".into(),
            args: vec!["join".into(), "--sessions".into(), args.joins.to_string(), "--concurrency".into(), "1".into()],
            limit: Duration::from_secs(120 + args.joins / 20),
            record: record_join,
        });
    }
    if on(Measure::Events) {
        modes.push(events(1, record_events_1));
        modes.push(events(20, record_events_20));
    }
    if on(Measure::Idle) {
        modes.push(Mode {
            name: format!("idle, {n} sessions"),
            path: "/counter".into(),
            args: vec![
                "idle".into(),
                "--sessions".into(),
                n.to_string(),
                "--checkpoints".into(),
                checkpoints.join(","),
                // Each worker process stays well inside its own open-file limit.
                "--workers".into(),
                (1 + n / 15_000).to_string(),
            ],
            limit: Duration::from_secs(300 + n / 20),
            record: record_idle,
        });
    }
    if on(Measure::Broadcast) {
        for (i, &listeners) in args.listeners.iter().enumerate() {
            modes.push(Mode {
                name: format!("broadcast, {listeners} chat listeners, {} messages", args.rounds),
                // The same room markup on both sides: examples/chat and the LiveViewJS chat.
                path: "/chat/bench".into(),
                args: vec![
                    "broadcast".into(),
                    "--listeners".into(),
                    listeners.to_string(),
                    "--rounds".into(),
                    args.rounds.to_string(),
                ],
                limit: Duration::from_secs(300 + listeners / 20 + args.rounds * 30),
                record: RECORD_BROADCAST.get(i).copied().unwrap_or(record_broadcast::<0>),
            });
        }
    }
    modes
}

/// Starts the server, runs the load tool against it, stops the server.
fn measure(server: &ServerSpec<'_>, load_bin: &Path, mode: &Mode) -> Result<Value> {
    let (running, addr) = server.start()?;
    let url = format!("http://{addr}{}", mode.path);
    let mut cmd = Command::new("taskset");
    cmd.args(["-c", LOAD_CPU])
        .arg(load_bin)
        .args(["--url", &url, "--pid", &running.pid().to_string(), "--json"])
        .args(&mode.args);
    let out = output_bounded(&mut cmd, mode.limit)?;
    running.check_alive()?;
    drop(running);
    let line = out.lines().rev().find(|l| l.trim_start().starts_with('{')).context("the load tool printed no JSON")?;
    serde_json::from_str(line).with_context(|| format!("the load tool's output is not JSON: {line}"))
}

struct ServerSpec<'a> {
    side: Side,
    root: &'a Path,
    theirs_dir: &'a Path,
    logs: &'a Path,
    port: Option<u16>,
}

impl ServerSpec<'_> {
    /// The running server and its address.
    fn start(&self) -> Result<(Guard, SocketAddr)> {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port.map_or_else(free_port, Ok)?));
        if answers(addr) {
            bail!("{addr} is taken before starting {}", self.side.label());
        }
        let log_path = self.logs.join(match self.side {
            Side::Ours => "liveplug.log",
            Side::Theirs => "liveviewjs.log",
        });
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path)?;
        let mut cmd = Command::new("taskset");
        cmd.args(["-c", SERVER_CPU]).stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log);
        match self.side {
            Side::Ours => {
                cmd.current_dir(self.root)
                    .arg(self.root.join("target/release/liveplug"))
                    .args(["--listen", &addr.to_string(), "--plugins", "plugins", "--node-modules", "node_modules"])
                    // Nothing per request at warn, as for the LiveViewJS server.
                    .env("RUST_LOG", "warn");
            }
            Side::Theirs => {
                cmd.current_dir(self.theirs_dir).args(["node", "server.mjs", "--port", &addr.port().to_string()]);
            }
        }
        let child = cmd.spawn().with_context(|| format!("cannot start {cmd:?}"))?;
        let guard = Guard { name: self.side.label().into(), child, log: Some(log_path) };
        let deadline = Instant::now() + READY_LIMIT;
        loop {
            guard.check_alive()?;
            if page_ok(addr) {
                return Ok((guard, addr));
            }
            if Instant::now() > deadline {
                bail!("{} did not answer on {} within {READY_LIMIT:?}{}", self.side.label(), addr, guard.log_tail());
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A child process, killed when dropped.
struct Guard {
    name: String,
    child: Child,
    log: Option<PathBuf>,
}

impl Guard {
    fn pid(&self) -> u32 {
        // `taskset` execs the program, so this is the server's own PID.
        self.child.id()
    }

    fn check_alive(&self) -> Result<()> {
        // `try_wait` needs `&mut`; /proc answers without reaping.
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next());
        if matches!(state, None | Some("Z" | "X")) {
            bail!("{} exited{}", self.name, self.log_tail());
        }
        Ok(())
    }

    fn log_tail(&self) -> String {
        let Some(path) = &self.log else { return String::new() };
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        format!("; last lines of {}:\n{tail}", path.display())
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory under the system temporary directory, removed when dropped.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> Result<Self> {
        let path = std::env::temp_dir().join(format!("liveplug-compare-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir_all(&path).with_context(|| format!("create {}", path.display()))?;
        Ok(Self { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Copies the files of `from` (not `node_modules`) into `to`.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("read {}", from.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "node_modules" {
            continue;
        }
        let (src, dest) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_dir() {
            copy_dir(&src, &dest)?;
        } else {
            std::fs::copy(&src, &dest).with_context(|| format!("copy {} to {}", src.display(), dest.display()))?;
        }
    }
    Ok(())
}

/// Runs `cmd` with inherited output; kills it after `limit`.
fn run_bounded(cmd: &mut Command, limit: Duration) -> Result<()> {
    eprintln!("$ {cmd:?}");
    // Its output goes to stderr: stdout is for the table.
    let child =
        cmd.stdin(Stdio::null()).stdout(std::io::stderr()).spawn().with_context(|| format!("cannot start {cmd:?}"))?;
    let mut guard = Guard { name: format!("{cmd:?}"), child, log: None };
    wait_bounded(&mut guard, limit)
}

/// Runs `cmd` and returns its stdout (stderr is inherited); kills it after `limit`.
fn output_bounded(cmd: &mut Command, limit: Duration) -> Result<String> {
    eprintln!("$ {cmd:?}");
    let mut child =
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).spawn().with_context(|| format!("cannot start {cmd:?}"))?;
    let mut stdout = child.stdout.take().context("piped stdout")?;
    let mut guard = Guard { name: format!("{cmd:?}"), child, log: None };
    let reader = thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    wait_bounded(&mut guard, limit)?;
    reader.join().map_err(|_| anyhow::anyhow!("stdout reader panicked"))?.context("read the load tool's stdout")
}

fn wait_bounded(guard: &mut Guard, limit: Duration) -> Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = guard.child.try_wait()? {
            if !status.success() {
                bail!("{} failed: {status}", guard.name);
            }
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{} ran longer than {limit:?}; killed", guard.name);
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// A port on 127.0.0.1 that nothing listens on right now.
fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).context("bind 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn answers(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

/// `GET /counter` answers 200.
fn page_ok(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /counter HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

/// The figures of one server; `None` where a measurement failed. Times in seconds.
#[derive(Debug, Default)]
struct Figures {
    held: Option<f64>,
    answered: Option<f64>,
    rss_per_session: Option<f64>,
    cpu_per_event_1: Option<f64>,
    cpu_per_event_20: Option<f64>,
    events_per_sec_1: Option<f64>,
    events_per_sec_20: Option<f64>,
    join_p50: Option<f64>,
    join_p99: Option<f64>,
    cpu_per_join: Option<f64>,
    rtt_1: Option<(f64, f64)>,
    rtt_20: Option<(f64, f64)>,
    broadcast: [Option<Broadcast>; MAX_BROADCASTS],
}

/// One broadcast run's medians over its messages.
#[derive(Debug, Clone, Copy)]
struct Broadcast {
    /// Pushes that never arrived (within the round's time limit), all rounds together.
    missed: f64,
    last: f64,
    deliveries_per_sec: f64,
    bytes_per_push: f64,
    cpu_per_delivery: Option<f64>,
}

/// Broadcast runs a table holds (one per listener count).
const MAX_BROADCASTS: usize = 4;
const RECORD_BROADCAST: [fn(&mut Figures, &Value) -> Result<()>; MAX_BROADCASTS] =
    [record_broadcast::<0>, record_broadcast::<1>, record_broadcast::<2>, record_broadcast::<3>];

fn record_broadcast<const I: usize>(f: &mut Figures, report: &Value) -> Result<()> {
    let joined = number(report, "joined")?;
    let listeners = number(report, "listeners")?;
    if joined < listeners {
        bail!("{joined} of {listeners} listeners joined");
    }
    let missed = number(report, "missed")?;
    f.broadcast[I] = Some(Broadcast {
        missed,
        last: number(report, "median_last_us")? / 1e6,
        deliveries_per_sec: number(report, "median_deliveries_per_sec")?,
        bytes_per_push: number(report, "median_bytes_per_push")?,
        cpu_per_delivery: number(report, "server_cpu_us_per_delivery").ok().map(|us| us / 1e6),
    });
    no_errors(report, "join_errors")?;
    no_errors(report, "errors")?;
    if missed > 0.0 {
        bail!("{missed} pushes never arrived within the round time limit (the figures shown are of what arrived)");
    }
    Ok(())
}

// The load tool's JSON reports (`liveplug-load --json`, benches/load/src/{join,events,hold}.rs).
// Latencies and CPU times are in microseconds there.

fn record_join(f: &mut Figures, report: &Value) -> Result<()> {
    f.join_p50 = Some(number(report, "latency.total.p50_us")? / 1e6);
    f.join_p99 = Some(number(report, "latency.total.p99_us")? / 1e6);
    f.cpu_per_join = number(report, "server_cpu_us_per_join").ok().map(|us| us / 1e6);
    no_errors(report, "errors")
}

fn record_events_1(f: &mut Figures, report: &Value) -> Result<()> {
    let (cpu, rate, rtt) = events(report)?;
    (f.cpu_per_event_1, f.events_per_sec_1, f.rtt_1) = (Some(cpu), Some(rate), Some(rtt));
    no_errors(report, "join_errors")?;
    no_errors(report, "errors")
}

fn record_events_20(f: &mut Figures, report: &Value) -> Result<()> {
    let (cpu, rate, rtt) = events(report)?;
    (f.cpu_per_event_20, f.events_per_sec_20, f.rtt_20) = (Some(cpu), Some(rate), Some(rtt));
    no_errors(report, "join_errors")?;
    no_errors(report, "errors")
}

/// Server CPU per event, events per second, round trip p50 and p99.
fn events(report: &Value) -> Result<(f64, f64, (f64, f64))> {
    if number(report, "events")? <= 0.0 {
        bail!("no event completed");
    }
    let cpu = number(report, "server_cpu_us_per_event")? / 1e6;
    let rate = number(report, "events_per_sec")?;
    let p50 = number(report, "rtt.p50_us")? / 1e6;
    let p99 = number(report, "rtt.p99_us")? / 1e6;
    Ok((cpu, rate, (p50, p99)))
}

/// Sessions held, how many answered an event afterwards, and the RSS slope from the first
/// checkpoint to the last.
fn record_idle(f: &mut Figures, report: &Value) -> Result<()> {
    f.held = Some(number(report, "held")?);
    f.answered = number(report, "answered").ok();
    f.rss_per_session = number(report, "slope_bytes_per_session").ok();
    if let Some(failures) = report.get("worker_failures").and_then(Value::as_array).filter(|f| !f.is_empty()) {
        bail!("load worker failures: {failures:?}");
    }
    if f.rss_per_session.is_none() {
        bail!("no RSS slope in the idle report (fewer than two checkpoints with an RSS reading)");
    }
    Ok(())
}

fn no_errors(report: &Value, key: &str) -> Result<()> {
    let errors = number(report, &format!("{key}.total")).unwrap_or(0.0);
    if errors > 0.0 {
        let samples = report.get(key).and_then(|e| e.get("samples")).cloned().unwrap_or_default();
        bail!("{errors} {key} during the run, e.g. {samples}");
    }
    Ok(())
}

/// The number at a dotted `path` of the report.
fn number(v: &Value, path: &str) -> Result<f64> {
    path.split('.')
        .try_fold(v, |v, key| v.get(key))
        .and_then(Value::as_f64)
        .with_context(|| format!("no number at `{path}` in the load report"))
}

enum Unit {
    Count,
    Bytes,
    Seconds,
    Rate,
}

enum Better {
    Higher,
    Lower,
}

fn format(value: Option<f64>, unit: &Unit) -> String {
    let Some(v) = value else { return "failed".into() };
    match unit {
        Unit::Count => thousands(v.round() as u64),
        Unit::Bytes if v.abs() >= 1024.0 * 1024.0 => format!("{:.1} MiB", v / (1024.0 * 1024.0)),
        Unit::Bytes if v.abs() >= 1024.0 => format!("{:.1} KiB", v / 1024.0),
        Unit::Bytes => format!("{v:.0} B"),
        Unit::Seconds if v >= 1.0 => format!("{v:.2} s"),
        Unit::Seconds if v >= 1e-3 => format!("{:.2} ms", v * 1e3),
        Unit::Seconds => format!("{:.1} µs", v * 1e6),
        Unit::Rate if v >= 1e3 => format!("{:.1}k", v / 1e3),
        Unit::Rate => format!("{v:.0}"),
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn markdown(args: &Args, results: &[(Side, Figures)], failures: &[String]) -> String {
    type Row = (String, fn(&Figures, usize) -> Option<f64>, usize, Unit, Better, Measure);
    let mut rows: Vec<Row> = vec![
        (
            format!("idle joined sessions held, {} attempted", thousands(args.sessions)),
            |f, _| f.held,
            0,
            Unit::Count,
            Better::Higher,
            Measure::Idle,
        ),
        (
            "idle sessions answering an event afterwards".into(),
            |f, _| f.answered,
            0,
            Unit::Count,
            Better::Higher,
            Measure::Idle,
        ),
        (
            "RSS per idle joined session (slope)".into(),
            |f, _| f.rss_per_session,
            0,
            Unit::Bytes,
            Better::Lower,
            Measure::Idle,
        ),
        (
            "server CPU per event, 1 connection".into(),
            |f, _| f.cpu_per_event_1,
            0,
            Unit::Seconds,
            Better::Lower,
            Measure::Events,
        ),
        (
            "server CPU per event, 20 connections".into(),
            |f, _| f.cpu_per_event_20,
            0,
            Unit::Seconds,
            Better::Lower,
            Measure::Events,
        ),
        (
            "events per second, 1 connection".into(),
            |f, _| f.events_per_sec_1,
            0,
            Unit::Rate,
            Better::Higher,
            Measure::Events,
        ),
        (
            "events per second, 20 connections".into(),
            |f, _| f.events_per_sec_20,
            0,
            Unit::Rate,
            Better::Higher,
            Measure::Events,
        ),
        (
            "join p50 (GET + websocket + join reply)".into(),
            |f, _| f.join_p50,
            0,
            Unit::Seconds,
            Better::Lower,
            Measure::Join,
        ),
        ("join p99".into(), |f, _| f.join_p99, 0, Unit::Seconds, Better::Lower, Measure::Join),
        ("server CPU per join".into(), |f, _| f.cpu_per_join, 0, Unit::Seconds, Better::Lower, Measure::Join),
        (
            "event round trip p50, 1 connection".into(),
            |f, _| f.rtt_1.map(|r| r.0),
            0,
            Unit::Seconds,
            Better::Lower,
            Measure::Events,
        ),
        (
            "event round trip p99, 1 connection".into(),
            |f, _| f.rtt_1.map(|r| r.1),
            0,
            Unit::Seconds,
            Better::Lower,
            Measure::Events,
        ),
        (
            "event round trip p50, 20 connections".into(),
            |f, _| f.rtt_20.map(|r| r.0),
            0,
            Unit::Seconds,
            Better::Lower,
            Measure::Events,
        ),
        (
            "event round trip p99, 20 connections".into(),
            |f, _| f.rtt_20.map(|r| r.1),
            0,
            Unit::Seconds,
            Better::Lower,
            Measure::Events,
        ),
    ];
    for (i, listeners) in args.listeners.iter().take(MAX_BROADCASTS).enumerate() {
        let n = thousands(*listeners);
        let get: [fn(&Figures, usize) -> Option<f64>; 5] = [
            |f, i| f.broadcast[i].map(|b| b.last),
            |f, i| f.broadcast[i].map(|b| b.deliveries_per_sec),
            |f, i| f.broadcast[i].map(|b| b.bytes_per_push),
            |f, i| f.broadcast[i].and_then(|b| b.cpu_per_delivery),
            |f, i| f.broadcast[i].map(|b| b.missed),
        ];
        let b = Measure::Broadcast;
        rows.push((
            format!("one chat message to {n} listeners: until the last push is read"),
            get[0],
            i,
            Unit::Seconds,
            Better::Lower,
            b,
        ));
        rows.push((format!("  deliveries per second, {n} listeners"), get[1], i, Unit::Rate, Better::Higher, b));
        rows.push((format!("  bytes per push, {n} listeners"), get[2], i, Unit::Bytes, Better::Lower, b));
        rows.push((format!("  server CPU per delivery, {n} listeners"), get[3], i, Unit::Seconds, Better::Lower, b));
        rows.push((format!("  pushes that never arrived, {n} listeners"), get[4], i, Unit::Count, Better::Lower, b));
    }
    let mut md = String::new();
    let _ = writeln!(md, "{}\n", machine());
    let _ = writeln!(md, "`{}`\n", command_line());
    md.push_str("| figure |");
    for (side, _) in results {
        let _ = write!(md, " {} |", side.label());
    }
    let both = results.len() == 2;
    if both {
        md.push_str(" ours / theirs | better |");
    }
    md.push_str("\n|---|");
    for _ in results {
        md.push_str("---:|");
    }
    if both {
        md.push_str("---:|---|");
    }
    md.push('\n');
    for (label, get, i, unit, better, measure) in &rows {
        if !args.measure.contains(measure) {
            continue;
        }
        let _ = write!(md, "| {label} |");
        for (_, figures) in results {
            let _ = write!(md, " {} |", format(get(figures, *i), unit));
        }
        if both {
            let ratio = match (get(&results[0].1, *i), get(&results[1].1, *i)) {
                (Some(ours), Some(theirs)) if theirs != 0.0 => format!("{:.2}", ours / theirs),
                _ => "–".into(),
            };
            let better = match better {
                Better::Higher => "higher",
                Better::Lower => "lower",
            };
            let _ = write!(md, " {ratio} | {better} |");
        }
        md.push('\n');
    }
    if !failures.is_empty() {
        md.push_str("\nFailed measurements:\n\n");
        for failure in failures {
            let _ = writeln!(md, "- {failure}");
        }
    }
    md
}

/// `nproc`, the CPU model, the kernel, Node, and the date.
fn machine() -> String {
    let sh = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "?".into())
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned()))
        })
        .unwrap_or_else(|| "?".into());
    // Other work on the machine shares the pinned CPUs; the load average says how much.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    format!(
        "Machine: {} CPUs (`nproc`), {cpu}, Linux {} (`uname -r`), Node {}; run of {}, 1-minute load average {load} at the \
         end (the run itself adds up to 2). Server on CPU {SERVER_CPU}, load tool on CPU {LOAD_CPU} (`taskset`).",
        sh("nproc", &[]),
        sh("uname", &["-r"]),
        sh("node", &["--version"]),
        sh("date", &["-u", "+%Y-%m-%d"]),
    )
}

/// The command as typed.
fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip_while(|a| a != "compare").collect();
    format!("cargo xtask {}", args.join(" "))
}
