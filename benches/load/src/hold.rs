//! Sessions held open: `idle` (memory per idle session) and `wake` (latency of the first event
//! after the server had time to hibernate).
//!
//! Held sessions live in workers. A worker is a thread of this process (`--workers 1`) or a
//! child process (`liveplug-load worker`, re-executed, commands on stdin and replies on stdout
//! as JSON lines), so one run can hold more sessions than one process has file descriptors,
//! from several loopback source addresses when one address has too few ports. In a worker each
//! session is a task that answers nothing, sends a heartbeat every 30 s, and on a command sends
//! events and reports their round trips.

use std::cell::{Cell, RefCell};
use std::io::{BufRead, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Stdio};
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, Semaphore, mpsc as tmpsc, watch};
use tokio::time::Instant;

use crate::client::{ClientConfig, Errors, HEARTBEAT, Joined, SessionError};
use crate::hist::{HistWire, Histogram, Latency};
use crate::procstat;
use crate::run::{self, ClientOptions, ServerUsage, block_on_local, round2, secs, share};

/// What a worker needs to know.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerConfig {
    pub client: ClientOptions,
    pub source: Option<IpAddr>,
    pub concurrency: usize,
    /// The worker ends by itself this long after it starts.
    pub deadline_secs: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Command {
    /// Open sessions until this worker has attempted `upto` in all.
    Join { upto: usize },
    /// Every held session sends `per_session` events, one after the other.
    Events { per_session: u32 },
    /// Close every session and end.
    Close,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    Joined {
        attempted: usize,
        held: usize,
        /// Sessions that were joined and then lost (closed by the server, …).
        lost: usize,
        /// Errors of this command's joins.
        errors: Errors,
        latency: HistWire,
    },
    Events {
        asked: usize,
        answered: usize,
        errors: Errors,
        rtt: HistWire,
    },
    Closed {
        closed: usize,
    },
    Failed {
        message: String,
    },
}

#[derive(Debug, Clone, Copy, Default)]
struct Phase {
    epoch: u64,
    per_session: u32,
    close: bool,
}

#[derive(Debug, Default)]
struct Round {
    answered: usize,
    errors: Errors,
    rtt: Histogram,
}

struct HoldCtx {
    cfg: ClientConfig,
    deadline: Instant,
    alive: Cell<usize>,
    lost: Cell<usize>,
    /// Sessions that still owe an answer in the current round.
    pending: Cell<usize>,
    round: RefCell<Round>,
    phase: watch::Sender<Phase>,
    /// Signalled when `pending` or `alive` drops.
    changed: Notify,
    permits: Semaphore,
}

impl HoldCtx {
    fn epoch(&self) -> u64 {
        self.phase.borrow().epoch
    }

    fn finish_one(&self) {
        self.pending.set(self.pending.get().saturating_sub(1));
        self.changed.notify_one();
    }

    /// Waits for `done()` or the deadline.
    async fn wait_until(&self, until: Instant, done: impl Fn() -> bool) {
        while !done() {
            tokio::select! {
                () = self.changed.notified() => {}
                () = tokio::time::sleep_until(until) => return,
            }
        }
    }
}

fn spawn_hold(j: Joined, ctx: &Rc<HoldCtx>) {
    ctx.alive.set(ctx.alive.get() + 1);
    let rx = ctx.phase.subscribe();
    tokio::task::spawn_local(hold(j, Rc::clone(ctx), rx));
}

async fn hold(mut j: Joined, ctx: Rc<HoldCtx>, mut phase: watch::Receiver<Phase>) {
    let mut seen = phase.borrow_and_update().epoch;
    // Spread the heartbeats of sessions joined together over the interval.
    let mut next_heartbeat = Instant::now() + HEARTBEAT.mul_f64(0.5 + rand::random::<f64>() / 2.0);
    let outcome: Result<bool, SessionError> = loop {
        tokio::select! {
            m = j.ws.next() => match m {
                Err(e) => break Err(e.into()),
                Ok(m) => {
                    if let Some(head) = crate::frame::scan(j.ws.data(m))
                        && (head.is("phx_error") || head.is("phx_close"))
                        && head.join_ref.text.is_some()
                    {
                        break Err(SessionError::Closed("the server ended the channel".into()));
                    }
                }
            },
            () = tokio::time::sleep_until(next_heartbeat) => {
                j.push_heartbeat();
                if let Err(e) = j.ws.flush().await {
                    break Err(e.into());
                }
                next_heartbeat += HEARTBEAT;
            }
            changed = phase.changed() => {
                if changed.is_err() {
                    break Ok(false);
                }
                let p = *phase.borrow_and_update();
                if p.close {
                    break Ok(true);
                }
                if p.epoch == seen {
                    continue;
                }
                seen = p.epoch;
                let result = answer_round(&mut j, &ctx, p.per_session).await;
                ctx.finish_one();
                if let Err(e) = result
                    && !matches!(e, SessionError::EventError(_))
                {
                    // Already counted in the round; the session is gone.
                    ctx.lost.set(ctx.lost.get() + 1);
                    ctx.alive.set(ctx.alive.get() - 1);
                    ctx.changed.notify_one();
                    return;
                }
            }
        }
    };
    match outcome {
        Ok(close) => {
            if close {
                j.close().await;
            }
        }
        Err(e) => {
            ctx.lost.set(ctx.lost.get() + 1);
            if ctx.epoch() != seen && ctx.pending.get() > 0 {
                // A round is waiting for this session's answer: it will not come.
                ctx.round.borrow_mut().errors.record(&e);
                ctx.finish_one();
            }
        }
    }
    ctx.alive.set(ctx.alive.get() - 1);
    ctx.changed.notify_one();
}

async fn answer_round(j: &mut Joined, ctx: &HoldCtx, per_session: u32) -> Result<(), SessionError> {
    let _permit = ctx.permits.acquire().await;
    for _ in 0..per_session {
        let limit = (Instant::now() + ctx.cfg.timeout).min(ctx.deadline);
        match j.event(limit).await {
            Ok(rtt) => ctx.round.borrow_mut().rtt.record(rtt),
            Err(e) => {
                ctx.round.borrow_mut().errors.record(&e);
                return Err(e);
            }
        }
    }
    ctx.round.borrow_mut().answered += 1;
    Ok(())
}

/// A worker's life: commands in, replies out, until `Close`, the end of the commands or the
/// deadline. Must run inside a `LocalSet`.
pub async fn worker(cfg: WorkerConfig, mut commands: tmpsc::UnboundedReceiver<Command>, reply: impl Fn(Reply)) {
    let client_cfg = match cfg.client.config(cfg.source) {
        Ok(c) => c,
        Err(e) => {
            reply(Reply::Failed { message: e.to_string() });
            return;
        }
    };
    let deadline = Instant::now() + secs(cfg.deadline_secs);
    let ctx = Rc::new(HoldCtx {
        cfg: client_cfg.clone(),
        deadline,
        alive: Cell::new(0),
        lost: Cell::new(0),
        pending: Cell::new(0),
        round: RefCell::default(),
        phase: watch::Sender::new(Phase::default()),
        changed: Notify::new(),
        permits: Semaphore::new(cfg.concurrency.max(1)),
    });
    let mut attempted = 0;
    loop {
        let command = tokio::select! {
            c = commands.recv() => c,
            () = tokio::time::sleep_until(deadline) => None,
        };
        match command {
            None | Some(Command::Close) => break,
            Some(Command::Join { upto }) => {
                let sink = Rc::clone(&ctx);
                let stats = run::join_sessions(
                    upto.saturating_sub(attempted),
                    cfg.concurrency.max(1),
                    &client_cfg,
                    deadline,
                    Rc::new(move |j| spawn_hold(j, &sink)),
                )
                .await;
                attempted += stats.attempted;
                reply(Reply::Joined {
                    attempted,
                    held: ctx.alive.get(),
                    lost: ctx.lost.get(),
                    errors: stats.errors,
                    latency: stats.total.to_wire(),
                });
            }
            Some(Command::Events { per_session }) => {
                *ctx.round.borrow_mut() = Round::default();
                let asked = ctx.alive.get();
                ctx.pending.set(asked);
                let epoch = ctx.epoch() + 1;
                ctx.phase.send_replace(Phase { epoch, per_session, close: false });
                ctx.wait_until(deadline, || ctx.pending.get() == 0).await;
                let round = ctx.round.take();
                reply(Reply::Events {
                    asked,
                    answered: round.answered,
                    errors: round.errors,
                    rtt: round.rtt.to_wire(),
                });
            }
        }
    }
    let closed = ctx.alive.get();
    ctx.phase.send_modify(|p| p.close = true);
    let until = Instant::now() + Duration::from_secs(5);
    ctx.wait_until(until, || ctx.alive.get() == 0).await;
    reply(Reply::Closed { closed });
}

/// `liveplug-load worker --config <json>`: a worker as a child process.
pub fn worker_process(config_json: &str) -> anyhow::Result<()> {
    let cfg: WorkerConfig = serde_json::from_str(config_json)?;
    procstat::raise_nofile_limit();
    let (tx, rx) = tmpsc::unbounded_channel();
    // Commands come as JSON lines on stdin; its end (the parent is gone) means Close.
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            match serde_json::from_str::<Command>(&line) {
                Ok(c) => {
                    if tx.send(c).is_err() {
                        break;
                    }
                }
                Err(e) => eprintln!("worker: bad command {line:?}: {e}"),
            }
        }
    });
    block_on_local(worker(cfg, rx, |r| {
        if let Ok(line) = serde_json::to_string(&r) {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }))
}

/// One worker, seen from the parent.
#[derive(Debug)]
enum Worker {
    Local {
        commands: tmpsc::UnboundedSender<Command>,
        replies: mpsc::Receiver<Reply>,
        thread: Option<std::thread::JoinHandle<()>>,
    },
    Child {
        child: Child,
        stdin: Option<ChildStdin>,
        replies: mpsc::Receiver<Reply>,
    },
}

impl Worker {
    fn local(cfg: WorkerConfig) -> anyhow::Result<Worker> {
        let (commands, rx) = tmpsc::unbounded_channel();
        let (reply_tx, replies) = mpsc::channel();
        let thread = std::thread::Builder::new().name("worker".into()).spawn(move || {
            let reply_tx = reply_tx;
            let result = block_on_local(worker(cfg, rx, |r| {
                let _ = reply_tx.send(r);
            }));
            if let Err(e) = result {
                let _ = reply_tx.send(Reply::Failed { message: e.to_string() });
            }
        })?;
        Ok(Worker::Local { commands, replies, thread: Some(thread) })
    }

    fn child(exe: &Path, cfg: &WorkerConfig) -> anyhow::Result<Worker> {
        let mut child = std::process::Command::new(exe)
            .arg("worker")
            .arg("--config")
            .arg(serde_json::to_string(cfg)?)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| anyhow::anyhow!("starting worker {}: {e}", exe.display()))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("worker has no stdout"))?;
        let stdin = child.stdin.take();
        let (tx, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let reply = serde_json::from_str::<Reply>(&line)
                    .unwrap_or_else(|e| Reply::Failed { message: format!("bad reply {line:?}: {e}") });
                if tx.send(reply).is_err() {
                    break;
                }
            }
        });
        Ok(Worker::Child { child, stdin, replies })
    }

    fn send(&mut self, command: &Command) -> Result<(), String> {
        match self {
            Worker::Local { commands, .. } => commands.send(command.clone()).map_err(|_| "worker ended".to_owned()),
            Worker::Child { stdin, .. } => {
                let stdin = stdin.as_mut().ok_or("worker stdin closed")?;
                let line = serde_json::to_string(command).map_err(|e| e.to_string())?;
                writeln!(stdin, "{line}").and_then(|()| stdin.flush()).map_err(|e| format!("worker: {e}"))
            }
        }
    }

    fn recv(&self, until: std::time::Instant) -> Result<Reply, String> {
        let replies = match self {
            Worker::Local { replies, .. } | Worker::Child { replies, .. } => replies,
        };
        let wait = until.saturating_duration_since(std::time::Instant::now());
        match replies.recv_timeout(wait) {
            Ok(Reply::Failed { message }) => Err(message),
            Ok(r) => Ok(r),
            Err(mpsc::RecvTimeoutError::Timeout) => Err("worker did not answer before the deadline".into()),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err("worker ended".into()),
        }
    }

    /// Waits for the worker to end (it does by itself after `Close`); a child still running
    /// after `grace` is killed.
    fn finish(self, grace: Duration) {
        match self {
            Worker::Local { commands, thread, .. } => {
                drop(commands);
                if let Some(t) = thread {
                    let _ = t.join();
                }
            }
            Worker::Child { mut child, stdin, .. } => {
                drop(stdin);
                let until = std::time::Instant::now() + grace;
                loop {
                    match child.try_wait() {
                        Ok(Some(_)) | Err(_) => return,
                        Ok(None) if std::time::Instant::now() >= until => {
                            let _ = child.kill();
                            let _ = child.wait();
                            return;
                        }
                        Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
            }
        }
    }
}

/// Which loopback addresses workers connect from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sources {
    /// Distinct addresses (127.0.0.2, .3, …) only when one address's ports would not do.
    Auto,
    /// Let the kernel pick (127.0.0.1).
    Default,
    /// Worker i uses address i (modulo the list).
    List(Vec<IpAddr>),
}

impl std::str::FromStr for Sources {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Sources::Auto),
            "none" | "default" => Ok(Sources::Default),
            "distinct" => Ok(Sources::List((0..250).map(distinct_source).collect())),
            list => list
                .split(',')
                .map(|a| {
                    let ip: IpAddr = a.trim().parse().map_err(|_| format!("not an address: {a:?}"))?;
                    if ip.is_loopback() { Ok(ip) } else { Err(format!("{ip} is not a loopback address")) }
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Sources::List),
        }
    }
}

fn distinct_source(i: usize) -> IpAddr {
    let i = i % 250;
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + i as u8))
}

fn plan_sources(sources: &Sources, workers: usize, sessions: usize, concurrency: usize) -> Vec<Option<IpAddr>> {
    match sources {
        Sources::Default => vec![None; workers],
        Sources::List(list) if !list.is_empty() => (0..workers).map(|i| Some(list[i % list.len()])).collect(),
        Sources::List(_) => vec![None; workers],
        Sources::Auto => {
            // One source address reaches one server port from at most this many ports (with a
            // margin for connections in TIME_WAIT and other programs).
            let ports = procstat::ephemeral_ports() as usize * 9 / 10;
            if sessions + concurrency > ports {
                (0..workers).map(|i| Some(distinct_source(i))).collect()
            } else {
                vec![None; workers]
            }
        }
    }
}

/// Options shared by `idle` and `wake`.
#[derive(Debug, Clone)]
pub struct HoldOptions {
    pub client: ClientOptions,
    pub sessions: usize,
    pub workers: usize,
    /// Joins at a time (all workers together); also events at a time in a round.
    pub concurrency: usize,
    pub sources: Sources,
    pub pid: Option<u32>,
    pub deadline: Duration,
    /// How the workers are started: this executable (`None`: the current one).
    pub worker_exe: Option<PathBuf>,
    /// Longest wait for the server's RSS to settle.
    pub settle: Duration,
}

impl Default for HoldOptions {
    fn default() -> Self {
        Self {
            client: ClientOptions::default(),
            sessions: 1000,
            workers: 1,
            concurrency: 32,
            sources: Sources::Auto,
            pid: None,
            deadline: Duration::from_secs(1800),
            worker_exe: None,
            settle: Duration::from_secs(10),
        }
    }
}

/// The workers of a run, driven in lock step.
struct Workers {
    workers: Vec<Worker>,
    sources: Vec<Option<IpAddr>>,
    deadline: std::time::Instant,
    failures: Vec<String>,
}

#[derive(Debug, Default)]
struct JoinRound {
    attempted: usize,
    held: usize,
    lost: usize,
    errors: Errors,
    latency: Histogram,
}

#[derive(Debug, Default)]
struct EventRound {
    asked: usize,
    answered: usize,
    errors: Errors,
    rtt: Histogram,
}

impl Workers {
    fn start(opts: &HoldOptions) -> anyhow::Result<Workers> {
        let count = opts.workers.max(1);
        let sources = plan_sources(&opts.sources, count, opts.sessions, opts.concurrency);
        let deadline = std::time::Instant::now() + opts.deadline;
        let limit = procstat::raise_nofile_limit().0.unwrap_or(u64::MAX) as usize;
        let per_worker = share(opts.sessions, count, 0) + share(opts.concurrency, count, 0) + 64;
        if per_worker > limit {
            eprintln!(
                "warning: {per_worker} descriptors per worker exceed the open-file limit {limit}: use more --workers"
            );
        }
        let exe = match &opts.worker_exe {
            Some(p) => p.clone(),
            None => std::env::current_exe()?,
        };
        let mut workers = Vec::with_capacity(count);
        for (i, source) in sources.iter().enumerate() {
            let cfg = WorkerConfig {
                client: opts.client.clone(),
                source: *source,
                concurrency: share(opts.concurrency, count, i).max(1),
                deadline_secs: opts.deadline.as_secs_f64(),
            };
            workers.push(if count == 1 { Worker::local(cfg)? } else { Worker::child(&exe, &cfg)? });
        }
        Ok(Workers { workers, sources, deadline, failures: Vec::new() })
    }

    /// Sends each worker its command, then collects every reply.
    fn round(&mut self, command: impl Fn(usize) -> Command) -> Vec<Reply> {
        let mut sent = Vec::new();
        for (i, w) in self.workers.iter_mut().enumerate() {
            match w.send(&command(i)) {
                Ok(()) => sent.push(i),
                Err(e) => self.failures.push(format!("worker {i}: {e}")),
            }
        }
        let mut replies = Vec::new();
        for i in sent {
            match self.workers[i].recv(self.deadline) {
                Ok(r) => replies.push(r),
                Err(e) => self.failures.push(format!("worker {i}: {e}")),
            }
        }
        replies
    }

    fn join(&mut self, total: usize) -> JoinRound {
        let count = self.workers.len();
        let mut out = JoinRound::default();
        for r in self.round(|i| Command::Join { upto: share(total, count, i) }) {
            if let Reply::Joined { attempted, held, lost, errors, latency } = r {
                out.attempted += attempted;
                out.held += held;
                out.lost += lost;
                out.errors.merge(&errors);
                out.latency.merge(&Histogram::from_wire(&latency));
            }
        }
        out
    }

    fn events(&mut self, per_session: u32) -> EventRound {
        let mut out = EventRound::default();
        for r in self.round(|_| Command::Events { per_session }) {
            if let Reply::Events { asked, answered, errors, rtt } = r {
                out.asked += asked;
                out.answered += answered;
                out.errors.merge(&errors);
                out.rtt.merge(&Histogram::from_wire(&rtt));
            }
        }
        out
    }

    fn close(mut self) -> Vec<String> {
        let _ = self.round(|_| Command::Close);
        for w in self.workers.drain(..) {
            w.finish(Duration::from_secs(10));
        }
        self.failures
    }

    fn source_names(&self) -> Vec<String> {
        self.sources.iter().map(|s| s.map_or_else(|| "default".to_owned(), |ip| ip.to_string())).collect()
    }

    fn time_left(&self) -> Duration {
        self.deadline.saturating_duration_since(std::time::Instant::now())
    }
}

fn settle(pid: Option<u32>, max_wait: Duration) -> (Option<u64>, bool) {
    match pid.map(|p| procstat::settle_rss(p, max_wait)) {
        Some(Ok((rss, settled))) => (Some(rss), settled),
        _ => (None, false),
    }
}

fn slope(a: (usize, Option<u64>), b: (usize, Option<u64>)) -> Option<f64> {
    let (Some(ra), Some(rb)) = (a.1, b.1) else { return None };
    (b.0 != a.0).then(|| ((rb as f64 - ra as f64) / (b.0 as f64 - a.0 as f64)).round())
}

/// One RSS reading of `idle`.
#[derive(Debug, Clone, Serialize)]
pub struct Checkpoint {
    /// Sessions asked for so far.
    pub sessions: usize,
    pub attempted: usize,
    /// Sessions open and joined when the RSS was read.
    pub held: usize,
    pub rss_bytes: Option<u64>,
    pub settled: bool,
    /// (RSS − previous RSS) / (held − previous held); the previous point of the first
    /// checkpoint is the baseline with no session.
    pub slope_bytes_per_session: Option<f64>,
    pub elapsed_secs: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IdleReport {
    pub mode: &'static str,
    pub url: String,
    pub sessions: usize,
    pub workers: usize,
    pub sources: Vec<String>,
    pub concurrency: usize,
    pub attempted: usize,
    pub held: usize,
    pub join_latency: Latency,
    pub join_errors: Errors,
    pub baseline_rss_bytes: Option<u64>,
    pub checkpoints: Vec<Checkpoint>,
    /// From the first checkpoint to the last.
    pub slope_bytes_per_session: Option<f64>,
    /// From no session to the last checkpoint (includes one-time costs).
    pub slope_from_baseline_bytes_per_session: Option<f64>,
    pub hold_secs: f64,
    /// Sessions lost while held.
    pub lost: usize,
    /// Sessions asked for one event at the end, and how many answered it.
    pub asked: usize,
    pub answered: usize,
    pub event_rtt: Latency,
    pub event_errors: Errors,
    pub rss_after_events_bytes: Option<u64>,
    pub server_cpu_us_joining: Option<u64>,
    pub server_cpu_us_per_event: Option<f64>,
    pub worker_failures: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct IdleOptions {
    pub hold: HoldOptions,
    pub checkpoints: Vec<usize>,
    pub hold_secs: Duration,
}

pub fn idle(opts: &IdleOptions) -> anyhow::Result<IdleReport> {
    let h = &opts.hold;
    h.client.config(None)?;
    let mut points: Vec<usize> = opts.checkpoints.iter().copied().filter(|&c| c > 0 && c < h.sessions).collect();
    points.sort_unstable();
    points.dedup();
    points.push(h.sessions);

    let (baseline, _) = settle(h.pid, h.settle);
    let cpu_start = run::sample(h.pid);
    let start = std::time::Instant::now();
    let mut workers = Workers::start(h)?;
    let mut join_latency = Histogram::new();
    let mut join_errors = Errors::default();
    let mut checkpoints: Vec<Checkpoint> = Vec::new();
    let (mut attempted, mut held, mut lost) = (0, 0, 0);
    let mut previous = (0usize, baseline);
    for &target in &points {
        if workers.time_left().is_zero() {
            break;
        }
        let round = workers.join(target);
        join_latency.merge(&round.latency);
        join_errors.merge(&round.errors);
        (attempted, held, lost) = (round.attempted, round.held, round.lost);
        let (rss, settled) = settle(h.pid, h.settle.min(workers.time_left()));
        let point = (held, rss);
        eprintln!(
            "idle: {held} sessions held ({attempted} attempted), server RSS {}",
            rss.map_or_else(|| "?".to_owned(), |r| format!("{:.1} MiB", r as f64 / 1048576.0))
        );
        checkpoints.push(Checkpoint {
            sessions: target,
            attempted,
            held,
            rss_bytes: rss,
            settled,
            slope_bytes_per_session: slope(previous, point),
            elapsed_secs: round2(start.elapsed().as_secs_f64()),
        });
        previous = point;
    }
    let cpu_joined = run::sample(h.pid);
    std::thread::sleep(opts.hold_secs.min(workers.time_left()));
    let cpu_before_events = run::sample(h.pid);
    let events = workers.events(1);
    let cpu_after_events = run::sample(h.pid);
    let rss_after_events = h.pid.and_then(|p| procstat::rss_bytes(p).ok());
    let sources = workers.source_names();
    let worker_failures = workers.close();

    let first = checkpoints.first().map(|c| (c.held, c.rss_bytes));
    let last = checkpoints.last().map(|c| (c.held, c.rss_bytes));
    let event_usage = run::usage(h.pid, cpu_before_events, cpu_after_events);
    Ok(IdleReport {
        mode: "idle",
        url: h.client.url.clone(),
        sessions: h.sessions,
        workers: h.workers.max(1),
        sources,
        concurrency: h.concurrency,
        attempted,
        held,
        join_latency: join_latency.summary(),
        join_errors,
        baseline_rss_bytes: baseline,
        slope_bytes_per_session: match (first, last) {
            (Some(a), Some(b)) if checkpoints.len() > 1 => slope(a, b),
            _ => None,
        },
        slope_from_baseline_bytes_per_session: last.and_then(|b| slope((0, baseline), b)),
        checkpoints,
        hold_secs: opts.hold_secs.as_secs_f64(),
        lost,
        asked: events.asked,
        answered: events.answered,
        event_rtt: events.rtt.summary(),
        event_errors: events.errors,
        rss_after_events_bytes: rss_after_events,
        server_cpu_us_joining: run::usage(h.pid, cpu_start, cpu_joined).map(|u| u.cpu_us),
        server_cpu_us_per_event: event_usage.and_then(|u| u.per(events.answered as u64)),
        worker_failures,
    })
}

#[derive(Debug, Clone)]
pub struct WakeOptions {
    pub hold: HoldOptions,
    pub idle: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct WakeReport {
    pub mode: &'static str,
    pub url: String,
    pub sessions: usize,
    pub workers: usize,
    pub concurrency: usize,
    pub idle_secs: f64,
    pub attempted: usize,
    pub held: usize,
    pub join_latency: Latency,
    pub join_errors: Errors,
    /// Sessions lost while idle.
    pub lost: usize,
    /// The first event after the idle period.
    pub asked: usize,
    pub answered: usize,
    pub wake_rtt: Latency,
    pub wake_errors: Errors,
    /// A second event right after, for comparison.
    pub warm_rtt: Latency,
    pub warm_errors: Errors,
    pub rss_before_idle_bytes: Option<u64>,
    pub rss_after_idle_bytes: Option<u64>,
    pub rss_after_wake_bytes: Option<u64>,
    pub server_wake: Option<ServerUsage>,
    pub server_cpu_us_per_wake: Option<f64>,
    pub server_cpu_us_per_warm_event: Option<f64>,
    pub worker_failures: Vec<String>,
}

pub fn wake(opts: &WakeOptions) -> anyhow::Result<WakeReport> {
    let h = &opts.hold;
    h.client.config(None)?;
    let mut workers = Workers::start(h)?;
    let joined = workers.join(h.sessions);
    eprintln!("wake: {} sessions held; idle for {:?}", joined.held, opts.idle);
    let rss_before_idle = h.pid.and_then(|p| procstat::rss_bytes(p).ok());
    std::thread::sleep(opts.idle.min(workers.time_left()));
    let (rss_after_idle, _) = settle(h.pid, Duration::from_secs(2).min(workers.time_left()));
    let before = run::sample(h.pid);
    let wake = workers.events(1);
    let between = run::sample(h.pid);
    let warm = workers.events(1);
    let after = run::sample(h.pid);
    let worker_failures = workers.close();
    let server_wake = run::usage(h.pid, before, between);
    let server_warm = run::usage(h.pid, between, after);
    Ok(WakeReport {
        mode: "wake",
        url: h.client.url.clone(),
        sessions: h.sessions,
        workers: h.workers.max(1),
        concurrency: h.concurrency,
        idle_secs: opts.idle.as_secs_f64(),
        attempted: joined.attempted,
        held: joined.held,
        join_latency: joined.latency.summary(),
        join_errors: joined.errors,
        lost: joined.held.saturating_sub(wake.asked),
        asked: wake.asked,
        answered: wake.answered,
        wake_rtt: wake.rtt.summary(),
        wake_errors: wake.errors,
        warm_rtt: warm.rtt.summary(),
        warm_errors: warm.errors,
        rss_before_idle_bytes: rss_before_idle,
        rss_after_idle_bytes: rss_after_idle,
        rss_after_wake_bytes: between.map(|s| s.rss_bytes),
        server_cpu_us_per_wake: server_wake.and_then(|u| u.per(wake.answered as u64)),
        server_cpu_us_per_warm_event: server_warm.and_then(|u| u.per(warm.answered as u64)),
        server_wake,
        worker_failures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_replies_are_json_lines() {
        let c = serde_json::to_string(&Command::Join { upto: 5 }).unwrap();
        assert_eq!(c, r#"{"cmd":"join","upto":5}"#);
        let r = Reply::Events { asked: 2, answered: 1, errors: Errors::default(), rtt: Histogram::new().to_wire() };
        let back: Reply = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert!(matches!(back, Reply::Events { asked: 2, answered: 1, .. }));
    }

    #[test]
    fn sources() {
        assert_eq!("auto".parse::<Sources>(), Ok(Sources::Auto));
        assert_eq!(
            "127.0.0.2, 127.0.0.3".parse::<Sources>(),
            Ok(Sources::List(vec!["127.0.0.2".parse().unwrap(), "127.0.0.3".parse().unwrap()]))
        );
        assert!("10.0.0.1".parse::<Sources>().is_err());
        assert_eq!(plan_sources(&Sources::Auto, 2, 1000, 32), vec![None, None]);
        let many = plan_sources(&Sources::Auto, 3, 40_000, 32);
        assert_eq!(many, vec![Some(distinct_source(0)), Some(distinct_source(1)), Some(distinct_source(2))]);
        assert_eq!(many[0], Some("127.0.0.2".parse().unwrap()));
    }
}
