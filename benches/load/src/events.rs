//! `events`: N joined connections, each a closed loop (send a click, wait for its reply,
//! repeat) for a fixed window; and `selfbench`, the same against the in-process canned server.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::{Barrier, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::canned::CannedServer;
use crate::client::{self, Errors, HEARTBEAT, Joined, SessionError};
use crate::frame::{self, Status};
use crate::hist::{Histogram, Latency};
use crate::procstat;
use crate::run::{self, ClientOptions, ClientUsage, JoinLatency, JoinStats, ServerUsage, local_runtime, round2, share};

#[derive(Debug, Clone)]
pub struct EventsOptions {
    pub client: ClientOptions,
    pub connections: usize,
    pub duration: Duration,
    /// Stop after this many events in all (split over threads).
    pub max_events: Option<u64>,
    /// Events in flight per connection (1 = strict closed loop).
    pub pipeline: usize,
    pub join_concurrency: usize,
    pub threads: usize,
    pub pid: Option<u32>,
    /// Everything, joins included, ends by then.
    pub deadline: Duration,
    /// Pin the measuring threads to this CPU.
    pub cpu: Option<usize>,
}

impl Default for EventsOptions {
    fn default() -> Self {
        Self {
            client: ClientOptions::default(),
            connections: 10,
            duration: Duration::from_secs(10),
            max_events: None,
            pipeline: 1,
            join_concurrency: 32,
            threads: 1,
            pid: None,
            deadline: Duration::from_secs(330),
            cpu: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EventsReport {
    pub mode: &'static str,
    pub url: String,
    pub connections: usize,
    pub threads: usize,
    pub pipeline: usize,
    pub joined: usize,
    pub join_latency: JoinLatency,
    pub join_errors: Errors,
    /// The measured window, from the start signal to the last reply.
    pub elapsed_secs: f64,
    pub events: u64,
    pub events_per_sec: f64,
    pub rtt: Latency,
    pub errors: Errors,
    pub server: Option<ServerUsage>,
    pub server_cpu_us_per_event: Option<f64>,
    pub client: ClientUsage,
    pub client_cpu_us_per_event: Option<f64>,
}

struct DriveCtx {
    window_end: Instant,
    hard_deadline: Instant,
    timeout: Duration,
    pipeline: usize,
    /// Events this thread may still send (`u64::MAX`: no limit).
    budget: Cell<u64>,
    rtt: RefCell<Histogram>,
    events: Cell<u64>,
    errors: RefCell<Errors>,
    last_reply: Cell<Instant>,
}

impl DriveCtx {
    fn take_one(&self) -> bool {
        match self.budget.get() {
            0 => false,
            u64::MAX => true,
            n => {
                self.budget.set(n - 1);
                true
            }
        }
    }

    fn fail(&self, e: &SessionError) {
        self.errors.borrow_mut().record(e);
    }
}

/// One connection's closed loop.
async fn drive(mut j: Joined, ctx: Rc<DriveCtx>) {
    let mut inflight: VecDeque<(u64, Instant)> = VecDeque::with_capacity(ctx.pipeline);
    let start = Instant::now();
    let mut next_heartbeat = start + HEARTBEAT;
    let guard = tokio::time::sleep_until((start + ctx.timeout).min(ctx.hard_deadline));
    tokio::pin!(guard);
    'run: loop {
        let now = Instant::now();
        if now < ctx.window_end && now < ctx.hard_deadline {
            while inflight.len() < ctx.pipeline && ctx.take_one() {
                inflight.push_back((j.push_event(), now));
            }
        }
        if inflight.is_empty() {
            break;
        }
        if now >= next_heartbeat {
            j.push_heartbeat();
            next_heartbeat = now + HEARTBEAT;
        }
        if let Err(e) = j.ws.flush().await {
            ctx.fail(&e.into());
            break;
        }
        let first = tokio::select! {
            biased;
            m = j.ws.next() => m,
            () = &mut guard => {
                let now = Instant::now();
                let oldest = inflight.front().map_or(now, |(_, sent)| *sent);
                let limit = (oldest + ctx.timeout).min(ctx.hard_deadline);
                if now >= limit {
                    for _ in 0..inflight.len() {
                        ctx.fail(&SessionError::Timeout("an event reply"));
                    }
                    break 'run;
                }
                guard.as_mut().reset(limit);
                continue 'run;
            }
        };
        let mut msg = match first {
            Ok(m) => m,
            Err(e) => {
                ctx.fail(&e.into());
                break;
            }
        };
        loop {
            let now = Instant::now();
            let Some(head) = frame::scan(j.ws.data(msg)) else {
                ctx.fail(&SessionError::Protocol(format!("not a V2 frame: {}", client::preview(j.ws.data(msg)))));
                break 'run;
            };
            if head.is("phx_reply") {
                let pos = head.ref_number().and_then(|r| inflight.iter().position(|(sent_ref, _)| *sent_ref == r));
                if let Some(pos) = pos {
                    let sent = inflight.remove(pos).map_or(now, |(_, sent)| sent);
                    match frame::reply_status(head.payload) {
                        Status::Ok => {
                            ctx.rtt.borrow_mut().record(now - sent);
                            ctx.events.set(ctx.events.get() + 1);
                            ctx.last_reply.set(now);
                        }
                        _ => ctx.fail(&SessionError::EventError(client::reason(head.payload))),
                    }
                }
            } else if (head.is("phx_error") || head.is("phx_close")) && head.join_ref.text.is_some() {
                ctx.fail(&SessionError::Closed(format!(
                    "{} from the server",
                    String::from_utf8_lossy(head.event.text.unwrap_or_default())
                )));
                break 'run;
            }
            match j.ws.poll_buffered() {
                Ok(Some(m)) => msg = m,
                Ok(None) => break,
                Err(e) => {
                    ctx.fail(&e.into());
                    break 'run;
                }
            }
        }
    }
}

struct ThreadResult {
    join: JoinStats,
    rtt: Histogram,
    events: u64,
    errors: Errors,
    cpu: procstat::CpuTimes,
    last_reply: Option<Instant>,
}

async fn events_thread(
    t: usize,
    opts: &EventsOptions,
    cfg: &client::ClientConfig,
    hard_deadline: Instant,
    barrier: &Barrier,
    start: &Mutex<Option<Instant>>,
) -> ThreadResult {
    let n = share(opts.connections, opts.threads, t);
    let joined = Rc::new(RefCell::new(Vec::with_capacity(n)));
    let sink = Rc::clone(&joined);
    let join = run::join_sessions(
        n,
        share(opts.join_concurrency, opts.threads, t).max(1),
        cfg,
        hard_deadline,
        Rc::new(move |j| sink.borrow_mut().push(j)),
    )
    .await;
    // Every thread has joined; the main thread samples the server, then lets all go at once.
    barrier.wait();
    barrier.wait();
    let start = start.lock().ok().and_then(|s| *s).unwrap_or_else(Instant::now);
    let budget = match opts.max_events {
        None => u64::MAX,
        Some(m) => share(usize::try_from(m).unwrap_or(usize::MAX), opts.threads, t) as u64,
    };
    let ctx = Rc::new(DriveCtx {
        window_end: start + opts.duration,
        hard_deadline,
        timeout: cfg.timeout,
        pipeline: opts.pipeline.max(1),
        budget: Cell::new(budget),
        rtt: RefCell::new(Histogram::new()),
        events: Cell::new(0),
        errors: RefCell::new(Errors::default()),
        last_reply: Cell::new(start),
    });
    let cpu_before = procstat::thread_cpu();
    let drivers: Vec<_> =
        joined.take().into_iter().map(|j| tokio::task::spawn_local(drive(j, Rc::clone(&ctx)))).collect();
    for d in drivers {
        let _ = d.await;
    }
    let cpu = procstat::thread_cpu().since(cpu_before);
    ThreadResult {
        join,
        rtt: ctx.rtt.take(),
        events: ctx.events.get(),
        errors: ctx.errors.take(),
        cpu,
        last_reply: (ctx.events.get() > 0).then(|| ctx.last_reply.get()),
    }
}

pub fn run(opts: &EventsOptions) -> anyhow::Result<EventsReport> {
    let cfg = opts.client.config(None)?;
    let threads = opts.threads.max(1);
    let opts = EventsOptions { threads, ..opts.clone() };
    let hard_deadline = Instant::now() + opts.deadline;
    let barrier = Barrier::new(threads + 1);
    let start_cell = Mutex::new(None);
    let (results, before, start) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (opts, cfg, barrier, start_cell) = (&opts, &cfg, &barrier, &start_cell);
                scope.spawn(move || {
                    if let Some(cpu) = opts.cpu {
                        let _ = procstat::pin_thread(cpu);
                    }
                    match local_runtime() {
                        Ok((rt, local)) => {
                            Ok(local.block_on(&rt, events_thread(t, opts, cfg, hard_deadline, barrier, start_cell)))
                        }
                        Err(e) => {
                            // Still meet the others at both barriers.
                            barrier.wait();
                            barrier.wait();
                            Err(anyhow::Error::from(e))
                        }
                    }
                })
            })
            .collect();
        barrier.wait();
        let before = run::sample(opts.pid);
        let start = Instant::now();
        if let Ok(mut s) = start_cell.lock() {
            *s = Some(start);
        }
        barrier.wait();
        let results: Vec<_> = handles.into_iter().map(|h| h.join()).collect();
        (results, before, start)
    });
    let after = run::sample(opts.pid);
    let mut join = JoinStats::default();
    let mut rtt = Histogram::new();
    let mut events = 0;
    let mut cpu = procstat::CpuTimes::default();
    let mut errors = Errors::default();
    let mut last = None::<Instant>;
    for r in results {
        let r = r.map_err(|_| anyhow::anyhow!("a measuring thread panicked"))??;
        join.merge(&r.join);
        rtt.merge(&r.rtt);
        events += r.events;
        cpu.add(r.cpu);
        errors.merge(&r.errors);
        last = last.max(r.last_reply);
    }
    let elapsed = last.map_or(Duration::ZERO, |l| l.saturating_duration_since(start)).as_secs_f64();
    let server = run::usage(opts.pid, before, after);
    let client = ClientUsage::new(threads, cpu);
    Ok(EventsReport {
        mode: "events",
        url: opts.client.url.clone(),
        connections: opts.connections,
        threads,
        pipeline: opts.pipeline.max(1),
        joined: join.joined,
        join_latency: join.latencies(),
        join_errors: join.errors,
        elapsed_secs: round2(elapsed),
        events,
        events_per_sec: if elapsed > 0.0 { (events as f64 / elapsed).round() } else { 0.0 },
        rtt: rtt.summary(),
        errors,
        server_cpu_us_per_event: server.and_then(|s| s.per(events)),
        server,
        client_cpu_us_per_event: (events > 0).then(|| round2(client.cpu_us as f64 / events as f64)),
        client,
    })
}

#[derive(Debug, Clone)]
pub struct SelfbenchOptions {
    pub connections: usize,
    pub duration: Duration,
    pub pipeline: usize,
    pub threads: usize,
    pub server_threads: usize,
    pub server_cpu: Option<usize>,
    pub client_cpu: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SelfbenchReport {
    pub mode: &'static str,
    pub events_per_sec: f64,
    pub server_threads: usize,
    pub server_cpu: Option<usize>,
    pub client_cpu: Option<usize>,
    pub events: EventsReport,
}

/// Starts the canned server on its own threads and runs `events` against it.
pub fn selfbench(opts: &SelfbenchOptions) -> anyhow::Result<SelfbenchReport> {
    let run_for = opts.duration + Duration::from_secs(120);
    let server = CannedServer::start(([127, 0, 0, 1], 0).into(), opts.server_threads, opts.server_cpu, run_for)?;
    let events = EventsOptions {
        client: ClientOptions { url: format!("http://{}/counter", server.addr), ..ClientOptions::default() },
        connections: opts.connections,
        duration: opts.duration,
        pipeline: opts.pipeline,
        threads: opts.threads,
        cpu: opts.client_cpu,
        deadline: opts.duration + Duration::from_secs(60),
        ..EventsOptions::default()
    };
    let report = run(&events);
    server.stop();
    let report = report?;
    Ok(SelfbenchReport {
        mode: "selfbench",
        events_per_sec: report.events_per_sec,
        server_threads: opts.server_threads,
        server_cpu: opts.server_cpu,
        client_cpu: opts.client_cpu,
        events: report,
    })
}
