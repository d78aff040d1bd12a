//! What every mode shares: client options, the per-thread runtime, the paced join of many
//! sessions, server usage.

use std::cell::{Cell, RefCell};
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::client::{self, ClientConfig, Errors, Joined};
use crate::frame;
use crate::hist::{Histogram, Latency};
use crate::http::{HttpClient, Target};
use crate::procstat::{self, Sample};

/// How to reach the server and what to click.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientOptions {
    pub url: String,
    pub ws_path: String,
    pub timeout_secs: f64,
    pub event: String,
    /// JSON of the event's `value`.
    pub value: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:4000/counter".into(),
            ws_path: "/live/websocket".into(),
            timeout_secs: 10.0,
            event: "inc".into(),
            value: "{}".into(),
        }
    }
}

impl ClientOptions {
    pub fn config(&self, source: Option<IpAddr>) -> anyhow::Result<ClientConfig> {
        let target = Target::parse(&self.url, &self.ws_path).map_err(anyhow::Error::msg)?;
        let payload = frame::click_payload(&self.event, &self.value)
            .map_err(|e| anyhow::anyhow!("--value must be JSON ({e}): {}", self.value))?;
        if let Some(ip) = source
            && !ip.is_loopback()
        {
            anyhow::bail!("source address {ip} is not loopback");
        }
        Ok(ClientConfig {
            target: Arc::new(target),
            source,
            timeout: secs(self.timeout_secs),
            event_payload: payload.into(),
        })
    }
}

pub fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::from_secs(u32::MAX.into()))
}

/// Part `i` of `total` split over `parts` (the first ones get the remainder).
pub fn share(total: usize, parts: usize, i: usize) -> usize {
    let parts = parts.max(1);
    total / parts + usize::from(i < total % parts)
}

/// A current-thread runtime with a `LocalSet`, so a thread's tasks can share `Rc` state.
pub fn local_runtime() -> std::io::Result<(tokio::runtime::Runtime, tokio::task::LocalSet)> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    Ok((rt, tokio::task::LocalSet::new()))
}

/// Runs `fut` on a fresh [`local_runtime`].
pub fn block_on_local<F: Future>(fut: F) -> anyhow::Result<F::Output> {
    let (rt, local) = local_runtime()?;
    Ok(local.block_on(&rt, fut))
}

/// Latencies of the joins of a run.
#[derive(Debug, Clone, Default)]
pub struct JoinStats {
    pub attempted: usize,
    pub joined: usize,
    pub errors: Errors,
    pub total: Histogram,
    pub page: Histogram,
    pub handshake: Histogram,
    pub join: Histogram,
}

impl JoinStats {
    pub fn merge(&mut self, o: &JoinStats) {
        self.attempted += o.attempted;
        self.joined += o.joined;
        self.errors.merge(&o.errors);
        self.total.merge(&o.total);
        self.page.merge(&o.page);
        self.handshake.merge(&o.handshake);
        self.join.merge(&o.join);
    }

    pub fn latencies(&self) -> JoinLatency {
        JoinLatency {
            total: self.total.summary(),
            page: self.page.summary(),
            handshake: self.handshake.summary(),
            join: self.join.summary(),
        }
    }
}

/// Join latency, whole and by step: page GET, websocket handshake, join reply.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct JoinLatency {
    pub total: Latency,
    pub page: Latency,
    pub handshake: Latency,
    pub join: Latency,
}

/// Opens `n` sessions, at most `concurrency` at a time (each of those paced joiners keeps one
/// HTTP connection alive for its page GETs), until `deadline`. Each joined session goes to
/// `on_joined`. Must run inside a `LocalSet`.
pub async fn join_sessions(
    n: usize,
    concurrency: usize,
    cfg: &ClientConfig,
    deadline: Instant,
    on_joined: Rc<dyn Fn(Joined)>,
) -> JoinStats {
    let stats = Rc::new(RefCell::new(JoinStats::default()));
    let next = Rc::new(Cell::new(0usize));
    let mut joiners = Vec::new();
    for _ in 0..concurrency.clamp(1, n.max(1)) {
        let (stats, next, cfg, on_joined) = (Rc::clone(&stats), Rc::clone(&next), cfg.clone(), Rc::clone(&on_joined));
        joiners.push(tokio::task::spawn_local(async move {
            let mut http = HttpClient::new(cfg.target.addr, cfg.source);
            loop {
                let i = next.get();
                if i >= n || Instant::now() >= deadline {
                    break;
                }
                next.set(i + 1);
                let result = client::open(&mut http, &cfg, deadline).await;
                let mut s = stats.borrow_mut();
                s.attempted += 1;
                match result {
                    Ok((joined, t)) => {
                        s.joined += 1;
                        s.total.record(t.total());
                        s.page.record(t.page);
                        s.handshake.record(t.handshake);
                        s.join.record(t.join);
                        drop(s);
                        on_joined(joined);
                    }
                    Err(e) => {
                        s.errors.record(&e);
                        // The page connection may be the broken part: start afresh.
                        http = HttpClient::new(cfg.target.addr, cfg.source);
                    }
                }
            }
        }));
    }
    for j in joiners {
        let _ = j.await;
    }
    stats.take()
}

/// The server's CPU and memory over a measured window.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ServerUsage {
    pub pid: u32,
    pub cpu_us: u64,
    pub rss_before_bytes: u64,
    pub rss_after_bytes: u64,
}

impl ServerUsage {
    pub fn between(pid: u32, before: Sample, after: Sample) -> Self {
        ServerUsage {
            pid,
            cpu_us: procstat::ticks_to_us(after.cpu_ticks.saturating_sub(before.cpu_ticks)),
            rss_before_bytes: before.rss_bytes,
            rss_after_bytes: after.rss_bytes,
        }
    }

    pub fn per(&self, ops: u64) -> Option<f64> {
        (ops > 0).then(|| round2(self.cpu_us as f64 / ops as f64))
    }
}

/// Samples `pid` if given; a process that cannot be read gives `None` (reported as null).
pub fn sample(pid: Option<u32>) -> Option<Sample> {
    pid.and_then(|p| procstat::sample(p).ok())
}

pub fn usage(pid: Option<u32>, before: Option<Sample>, after: Option<Sample>) -> Option<ServerUsage> {
    match (pid, before, after) {
        (Some(pid), Some(b), Some(a)) => Some(ServerUsage::between(pid, b, a)),
        _ => None,
    }
}

pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The CPU the tool's own measuring threads used (kernel time spent in softirqs, such as
/// loopback packet delivery, is not in it).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct ClientUsage {
    pub threads: usize,
    pub cpu_us: u64,
    pub user_us: u64,
    pub system_us: u64,
}

impl ClientUsage {
    pub fn new(threads: usize, t: procstat::CpuTimes) -> Self {
        ClientUsage {
            threads,
            cpu_us: procstat::ticks_to_us(t.total()),
            user_us: procstat::ticks_to_us(t.user),
            system_us: procstat::ticks_to_us(t.system),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up() {
        for (total, parts) in [(10, 3), (0, 4), (5, 5), (7, 1), (3, 8)] {
            let v: Vec<usize> = (0..parts).map(|i| share(total, parts, i)).collect();
            assert_eq!(v.iter().sum::<usize>(), total, "{v:?}");
            assert!(v.iter().max().unwrap() - v.iter().min().unwrap() <= 1);
        }
    }
}
