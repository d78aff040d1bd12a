//! `join`: N sessions, at most C at a time: dead render, websocket, join reply; each session is
//! closed (closing handshake) right after its join.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use serde::Serialize;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::client::{ClientConfig, Errors};
use crate::procstat;
use crate::run::{self, ClientOptions, ClientUsage, JoinLatency, JoinStats, ServerUsage, local_runtime, round2, share};

#[derive(Debug, Clone)]
pub struct JoinOptions {
    pub client: ClientOptions,
    pub sessions: usize,
    pub concurrency: usize,
    pub threads: usize,
    pub pid: Option<u32>,
    pub deadline: Duration,
}

impl Default for JoinOptions {
    fn default() -> Self {
        Self {
            client: ClientOptions::default(),
            sessions: 100,
            concurrency: 16,
            threads: 1,
            pid: None,
            deadline: Duration::from_secs(600),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct JoinReport {
    pub mode: &'static str,
    pub url: String,
    pub sessions: usize,
    pub concurrency: usize,
    pub threads: usize,
    pub attempted: usize,
    pub joined: usize,
    pub elapsed_secs: f64,
    pub joins_per_sec: f64,
    /// From the page GET to the join reply, and each step.
    pub latency: JoinLatency,
    pub errors: Errors,
    pub server: Option<ServerUsage>,
    pub server_cpu_us_per_join: Option<f64>,
    pub client: ClientUsage,
}

async fn join_thread(
    t: usize,
    opts: &JoinOptions,
    cfg: &ClientConfig,
    deadline: Instant,
) -> (JoinStats, procstat::CpuTimes) {
    let cpu_before = procstat::thread_cpu();
    let closers: Rc<RefCell<Vec<JoinHandle<()>>>> = Rc::default();
    let sink = Rc::clone(&closers);
    let stats = run::join_sessions(
        share(opts.sessions, opts.threads, t),
        share(opts.concurrency, opts.threads, t).max(1),
        cfg,
        deadline,
        Rc::new(move |joined| sink.borrow_mut().push(tokio::task::spawn_local(joined.close()))),
    )
    .await;
    let closers = closers.take();
    // Each close lingers at most a second.
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        for c in closers {
            let _ = c.await;
        }
    })
    .await;
    (stats, procstat::thread_cpu().since(cpu_before))
}

pub fn run(opts: &JoinOptions) -> anyhow::Result<JoinReport> {
    let cfg = opts.client.config(None)?;
    let threads = opts.threads.max(1);
    let opts = JoinOptions { threads, ..opts.clone() };
    let deadline = Instant::now() + opts.deadline;
    let before = run::sample(opts.pid);
    let start = Instant::now();
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (opts, cfg) = (&opts, &cfg);
                scope.spawn(move || -> anyhow::Result<(JoinStats, procstat::CpuTimes)> {
                    let (rt, local) = local_runtime()?;
                    Ok(local.block_on(&rt, join_thread(t, opts, cfg, deadline)))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let after = run::sample(opts.pid);
    let mut stats = JoinStats::default();
    let mut cpu = procstat::CpuTimes::default();
    for r in results {
        let (s, times) = r.map_err(|_| anyhow::anyhow!("a measuring thread panicked"))??;
        stats.merge(&s);
        cpu.add(times);
    }
    let server = run::usage(opts.pid, before, after);
    Ok(JoinReport {
        mode: "join",
        url: opts.client.url.clone(),
        sessions: opts.sessions,
        concurrency: opts.concurrency,
        threads,
        attempted: stats.attempted,
        joined: stats.joined,
        elapsed_secs: round2(elapsed),
        joins_per_sec: if elapsed > 0.0 { round2(stats.joined as f64 / elapsed) } else { 0.0 },
        latency: stats.latencies(),
        errors: stats.errors,
        server_cpu_us_per_join: server.and_then(|s| s.per(stats.joined as u64)),
        server,
        client: ClientUsage::new(threads, cpu),
    })
}
