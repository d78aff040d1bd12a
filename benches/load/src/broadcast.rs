//! `broadcast`: N sessions subscribed to one chat room and one more that talks. Each round the
//! talker says one message; every listener waits for the push that carries it. Per round: the
//! time from the talker's event until the last listener has read its push (and the
//! distribution over listeners), deliveries per second, bytes per push, and the server's CPU
//! per delivery.
//!
//! Works against any chat view whose listeners receive a `diff` push containing the message's
//! text (Liveplug's `examples/chat`, the LiveViewJS chat of `benches/liveviewjs`): the talker
//! optionally submits a setup form first (`--setup-event join --setup-value name=bench`),
//! then submits `--say-event` with `--say-field=<marker>`, a text unique to the run and the
//! round, which is how a listener tells the round's push from any other.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::client::{self, ClientConfig, Errors, HEARTBEAT, Joined, SessionError};
use crate::frame;
use crate::hist::{Histogram, Latency};
use crate::procstat;
use crate::run::{self, ClientOptions, ClientUsage, JoinStats, ServerUsage, round2};

#[derive(Debug, Clone)]
pub struct BroadcastOptions {
    /// The listeners' page (and the talker's, unless `talker_url` is set).
    pub client: ClientOptions,
    pub talker_url: Option<String>,
    pub listeners: usize,
    pub rounds: usize,
    /// Between the end of one round and the next talker event.
    pub pause: Duration,
    /// Longest wait for every listener's push in one round.
    pub round_timeout: Duration,
    pub join_concurrency: usize,
    /// A form the talker submits once before the rounds (event name, urlencoded value).
    pub setup: Option<(String, String)>,
    /// The form the talker submits each round, and the field carrying the message.
    pub say_event: String,
    pub say_field: String,
    /// After the joins and the setup: wait until no listener has read anything for this long.
    pub quiet: Duration,
    pub pid: Option<u32>,
    pub deadline: Duration,
}

impl Default for BroadcastOptions {
    fn default() -> Self {
        Self {
            client: ClientOptions { url: "http://127.0.0.1:4000/chat/bench".into(), ..ClientOptions::default() },
            talker_url: None,
            listeners: 1000,
            rounds: 20,
            pause: Duration::from_millis(200),
            round_timeout: Duration::from_secs(30),
            join_concurrency: 32,
            setup: Some(("join".into(), "name=bench".into())),
            say_event: "say".into(),
            say_field: "text".into(),
            quiet: Duration::from_millis(500),
            pid: None,
            deadline: Duration::from_secs(1800),
        }
    }
}

/// One round's figures.
#[derive(Debug, Clone, Serialize)]
pub struct RoundReport {
    pub round: usize,
    pub delivered: usize,
    pub missed: usize,
    /// From the talker's event to the last listener's push, in microseconds.
    pub last_us: f64,
    /// The spread of arrival times over the listeners.
    pub arrival: Latency,
    /// `delivered` / `last_us`.
    pub deliveries_per_sec: f64,
    /// Mean websocket payload bytes of the pushes that carried the message.
    pub bytes_per_push: f64,
    /// The first of them (its first 1,000 bytes).
    pub sample_push: String,
    /// The talker's own event reply.
    pub talker_reply_us: f64,
    pub server_cpu_us: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BroadcastReport {
    pub mode: &'static str,
    pub url: String,
    pub listeners: usize,
    pub joined: usize,
    pub join_latency: Latency,
    pub join_errors: Errors,
    pub rounds: Vec<RoundReport>,
    pub pause_secs: f64,
    /// Medians over the rounds.
    pub median_last_us: f64,
    pub median_deliveries_per_sec: f64,
    pub median_bytes_per_push: f64,
    /// All rounds: delivered and missed pushes, listeners lost.
    pub delivered: usize,
    pub missed: usize,
    pub lost: usize,
    pub errors: Errors,
    /// Server CPU over all rounds / deliveries.
    pub server: Option<ServerUsage>,
    pub server_cpu_us_per_delivery: Option<f64>,
    pub client: ClientUsage,
}

/// What the listeners share with the round driver.
struct Shared {
    /// The round's marker (empty between rounds) and when its event was sent.
    marker: RefCell<Vec<u8>>,
    round: Cell<usize>,
    sent_at: Cell<Instant>,
    waiting: Cell<usize>,
    arrivals: RefCell<Histogram>,
    bytes: Cell<u64>,
    sample: RefCell<String>,
    done: Notify,
    /// When any listener last read a frame (for the quiet wait).
    last_read: Cell<Instant>,
    alive: Cell<usize>,
    errors: RefCell<Errors>,
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

async fn listen(mut j: Joined, shared: Rc<Shared>) {
    let mut seen_round = 0usize;
    let mut heartbeat = tokio::time::interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
    let result: Result<(), SessionError> = async {
        loop {
            tokio::select! {
                m = j.ws.next() => {
                    let m = m?;
                    shared.last_read.set(Instant::now());
                    let round = shared.round.get();
                    if round == seen_round {
                        continue;
                    }
                    let data = j.ws.data(m);
                    let Some(head) = frame::scan(data) else {
                        return Err(SessionError::Protocol(format!("not a V2 frame: {}", client::preview(data))));
                    };
                    if (head.is("phx_error") || head.is("phx_close")) && head.join_ref.text.is_some() {
                        return Err(SessionError::Closed("the channel ended".into()));
                    }
                    if head.is("diff") && contains(head.payload, &shared.marker.borrow()) {
                        seen_round = round;
                        shared.arrivals.borrow_mut().record(shared.sent_at.get().elapsed());
                        shared.bytes.set(shared.bytes.get() + data.len() as u64);
                        let mut sample = shared.sample.borrow_mut();
                        if sample.is_empty() {
                            *sample = String::from_utf8_lossy(&data[..data.len().min(1000)]).into_owned();
                        }
                        let left = shared.waiting.get().saturating_sub(1);
                        shared.waiting.set(left);
                        if left == 0 {
                            shared.done.notify_one();
                        }
                    }
                }
                _ = heartbeat.tick() => {
                    j.push_heartbeat();
                    j.ws.flush().await?;
                }
            }
        }
    }
    .await;
    if let Err(e) = result {
        shared.errors.borrow_mut().record(&e);
    }
    shared.alive.set(shared.alive.get().saturating_sub(1));
}

fn form_payload(event: &str, value: &str) -> String {
    serde_json::json!({"type": "form", "event": event, "value": value}).to_string()
}

async fn run_local(
    opts: &BroadcastOptions,
    cfg: &ClientConfig,
    talker_cfg: &ClientConfig,
) -> anyhow::Result<BroadcastReport> {
    let deadline = Instant::now() + opts.deadline;
    let shared = Rc::new(Shared {
        marker: RefCell::new(Vec::new()),
        round: Cell::new(0),
        sent_at: Cell::new(Instant::now()),
        waiting: Cell::new(0),
        arrivals: RefCell::new(Histogram::new()),
        bytes: Cell::new(0),
        sample: RefCell::new(String::new()),
        done: Notify::new(),
        last_read: Cell::new(Instant::now()),
        alive: Cell::new(0),
        errors: RefCell::new(Errors::default()),
    });
    let sink = Rc::clone(&shared);
    let joins: JoinStats = run::join_sessions(
        opts.listeners,
        opts.join_concurrency,
        cfg,
        deadline,
        Rc::new(move |joined| {
            sink.alive.set(sink.alive.get() + 1);
            tokio::task::spawn_local(listen(joined, Rc::clone(&sink)));
        }),
    )
    .await;
    let joined = joins.joined;
    eprintln!("broadcast: {joined} listeners joined");

    let mut http = crate::http::HttpClient::new(talker_cfg.target.addr, talker_cfg.source);
    let (mut talker, _) =
        client::open(&mut http, talker_cfg, deadline).await.map_err(|e| anyhow::anyhow!("the talker: {e}"))?;
    if let Some((event, value)) = &opts.setup {
        talker
            .send(&form_payload(event, value), deadline)
            .await
            .map_err(|e| anyhow::anyhow!("the talker's {event}: {e}"))?;
    }
    // Whatever the joins and the setup pushed to the listeners is read before the rounds.
    let quiet_until = (Instant::now() + Duration::from_secs(60)).min(deadline);
    while Instant::now() < quiet_until && shared.last_read.get().elapsed() < opts.quiet {
        tokio::time::sleep(opts.quiet / 4).await;
    }

    let nonce: u32 = rand::random();
    let mut rounds = Vec::new();
    let mut talker_rtt = Vec::new();
    let cpu_start = run::sample(opts.pid);
    let cpu_before = procstat::thread_cpu();
    for r in 1..=opts.rounds {
        if Instant::now() >= deadline {
            break;
        }
        let marker = format!("lp-broadcast-{nonce:08x}-{r}-end");
        let expected = shared.alive.get();
        *shared.marker.borrow_mut() = marker.clone().into_bytes();
        *shared.arrivals.borrow_mut() = Histogram::new();
        shared.bytes.set(0);
        shared.sample.borrow_mut().clear();
        shared.waiting.set(expected);
        let before = run::sample(opts.pid);
        let payload = form_payload(&opts.say_event, &format!("{}={marker}", opts.say_field));
        shared.sent_at.set(Instant::now());
        shared.round.set(r);
        let reply = talker.send(&payload, deadline).await;
        let reply_us = match reply {
            Ok(d) => d.as_secs_f64() * 1e6,
            Err(e) => anyhow::bail!("the talker's {}: {e}", opts.say_event),
        };
        talker_rtt.push(reply_us);
        if shared.waiting.get() > 0 {
            let limit = (Instant::now() + opts.round_timeout).min(deadline);
            let _ = tokio::time::timeout_at(limit, shared.done.notified()).await;
        }
        let after = run::sample(opts.pid);
        let arrivals = shared.arrivals.borrow().clone();
        let delivered = arrivals.count() as usize;
        let last_us = arrivals.summary().max_us;
        rounds.push(RoundReport {
            round: r,
            delivered,
            missed: expected.saturating_sub(delivered),
            last_us,
            arrival: arrivals.summary(),
            deliveries_per_sec: if last_us > 0.0 { (delivered as f64 / (last_us / 1e6)).round() } else { 0.0 },
            bytes_per_push: if delivered > 0 { round2(shared.bytes.get() as f64 / delivered as f64) } else { 0.0 },
            sample_push: shared.sample.take(),
            talker_reply_us: round2(reply_us),
            server_cpu_us: run::usage(opts.pid, before, after).map(|u| u.cpu_us),
        });
        // Nothing more counts for this round.
        shared.round.set(0);
        shared.marker.borrow_mut().clear();
        // A server that lost pushes twice in a row will not deliver them later: the run
        // reports what it saw instead of waiting out every round.
        let incomplete = |r: &RoundReport| r.missed > 0;
        if rounds.len() >= 2 && rounds.iter().rev().take(2).all(incomplete) {
            eprintln!("broadcast: two rounds in a row missed pushes; stopping after round {r}");
            break;
        }
        tokio::time::sleep(opts.pause).await;
    }
    let cpu_end = run::sample(opts.pid);
    let client_cpu = procstat::thread_cpu().since(cpu_before);
    talker.close().await;

    let median = |f: &dyn Fn(&RoundReport) -> f64| {
        let mut v: Vec<f64> = rounds.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let delivered: usize = rounds.iter().map(|r| r.delivered).sum();
    let server = run::usage(opts.pid, cpu_start, cpu_end);
    Ok(BroadcastReport {
        mode: "broadcast",
        url: opts.client.url.clone(),
        listeners: opts.listeners,
        joined,
        join_latency: joins.total.summary(),
        join_errors: joins.errors,
        pause_secs: opts.pause.as_secs_f64(),
        median_last_us: median(&|r| r.last_us),
        median_deliveries_per_sec: median(&|r| r.deliveries_per_sec),
        median_bytes_per_push: median(&|r| r.bytes_per_push),
        delivered,
        missed: rounds.iter().map(|r| r.missed).sum(),
        lost: joined.saturating_sub(shared.alive.get()),
        errors: shared.errors.borrow().clone(),
        server_cpu_us_per_delivery: server.and_then(|u| u.per(delivered as u64)),
        server,
        rounds,
        client: ClientUsage::new(1, client_cpu),
    })
}

pub fn run(opts: &BroadcastOptions) -> anyhow::Result<BroadcastReport> {
    let cfg = opts.client.config(None)?;
    let talker_cfg = match &opts.talker_url {
        Some(url) => ClientOptions { url: url.clone(), ..opts.client.clone() }.config(None)?,
        None => cfg.clone(),
    };
    run::block_on_local(run_local(opts, &cfg, &talker_cfg))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_marker_in_a_frame() {
        let frame = br#"[null,null,"lv:x","diff",{"0":{"d":[["m-1","bench","lp-broadcast-1-end"]]}}]"#;
        assert!(contains(frame, b"lp-broadcast-1-end"));
        assert!(!contains(frame, b"lp-broadcast-2-end"));
        assert!(!contains(frame, b""));
    }

    #[test]
    fn forms_are_sent_as_the_browser_sends_them() {
        let p: serde_json::Value = serde_json::from_str(&form_payload("say", "text=a%20b")).unwrap();
        assert_eq!(p, serde_json::json!({"type": "form", "event": "say", "value": "text=a%20b"}));
    }
}
