//! The human-readable tables of every report.

use std::fmt::Write as _;

use crate::broadcast::BroadcastReport;
use crate::client::Errors;
use crate::events::{EventsReport, SelfbenchReport};
use crate::hist::Latency;
use crate::hold::{IdleReport, WakeReport};
use crate::join::JoinReport;
use crate::run::{JoinLatency, ServerUsage};

/// A report: a table for people, JSON for scripts.
pub trait Report: serde::Serialize {
    fn table(&self) -> String;
}

#[derive(Debug, Default)]
struct Table {
    title: String,
    rows: Vec<(String, String)>,
}

fn us(v: f64) -> String {
    if v >= 1_000_000.0 {
        format!("{:.2} s", v / 1_000_000.0)
    } else if v >= 1000.0 {
        format!("{:.2} ms", v / 1000.0)
    } else {
        format!("{v:.1} µs")
    }
}

fn bytes(v: Option<u64>) -> String {
    v.map_or_else(|| "n/a (no --pid)".to_owned(), |b| format!("{:.1} MiB", b as f64 / 1048576.0))
}

fn opt<T: std::fmt::Display>(v: Option<T>, unit: &str) -> String {
    v.map_or_else(|| "n/a".to_owned(), |v| format!("{v}{unit}"))
}

impl Table {
    fn new(title: impl Into<String>) -> Self {
        Self { title: title.into(), rows: Vec::new() }
    }

    fn row(&mut self, k: &str, v: impl std::fmt::Display) {
        self.rows.push((k.to_owned(), v.to_string()));
    }

    fn latency(&mut self, k: &str, l: &Latency) {
        if l.count == 0 {
            self.row(k, "no samples");
        } else {
            self.row(
                k,
                format!(
                    "p50 {}  p90 {}  p99 {}  max {}  mean {}  (n={})",
                    us(l.p50_us),
                    us(l.p90_us),
                    us(l.p99_us),
                    us(l.max_us),
                    us(l.mean_us),
                    l.count
                ),
            );
        }
    }

    fn join_latency(&mut self, l: &JoinLatency) {
        self.latency("join latency", &l.total);
        self.latency("  page GET", &l.page);
        self.latency("  ws handshake", &l.handshake);
        self.latency("  join reply", &l.join);
    }

    fn errors(&mut self, k: &str, e: &Errors) {
        if e.total == 0 {
            self.row(k, 0);
            return;
        }
        let kinds = [
            ("connect", e.connect),
            ("http", e.http),
            ("page", e.page),
            ("handshake", e.handshake),
            ("join refused", e.join_refused),
            ("timeout", e.timeout),
            ("closed", e.closed),
            ("protocol", e.protocol),
            ("event error", e.event_error),
        ];
        let parts: Vec<String> = kinds.iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{k} {n}")).collect();
        self.row(k, format!("{} ({})", e.total, parts.join(", ")));
        for s in &e.samples {
            self.row("", format!("e.g. {s}"));
        }
    }

    fn server(&mut self, s: &Option<ServerUsage>) {
        match s {
            None => self.row("server", "n/a (no --pid)"),
            Some(s) => {
                self.row("server pid", s.pid);
                self.row("server CPU", us(s.cpu_us as f64));
                self.row(
                    "server RSS",
                    format!("{} → {}", bytes(Some(s.rss_before_bytes)), bytes(Some(s.rss_after_bytes))),
                );
            }
        }
    }

    fn render(&self) -> String {
        let width = self.rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        let mut out = format!("{}\n", self.title);
        for (k, v) in &self.rows {
            let _ = writeln!(out, "  {k:<width$}  {v}");
        }
        out
    }
}

impl Report for JoinReport {
    fn table(&self) -> String {
        let mut t = Table::new(format!("join: {}", self.url));
        t.row("sessions", format!("{} asked, {} attempted, {} joined", self.sessions, self.attempted, self.joined));
        t.row("concurrency", format!("{} ({} threads)", self.concurrency, self.threads));
        t.row("elapsed", format!("{:.2} s", self.elapsed_secs));
        t.row("joins/s", self.joins_per_sec);
        t.join_latency(&self.latency);
        t.errors("errors", &self.errors);
        t.server(&self.server);
        t.row("server CPU/join", opt(self.server_cpu_us_per_join, " µs"));
        t.row("client CPU", us(self.client.cpu_us as f64));
        t.render()
    }
}

impl Report for EventsReport {
    fn table(&self) -> String {
        let mut t = Table::new(format!("events: {}", self.url));
        t.row(
            "connections",
            format!(
                "{} asked, {} joined ({} threads, {} in flight each)",
                self.connections, self.joined, self.threads, self.pipeline
            ),
        );
        t.join_latency(&self.join_latency);
        t.errors("join errors", &self.join_errors);
        t.row("window", format!("{:.2} s", self.elapsed_secs));
        t.row("events", self.events);
        t.row("events/s", self.events_per_sec);
        t.latency("round trip", &self.rtt);
        t.errors("errors", &self.errors);
        t.server(&self.server);
        t.row("server CPU/event", opt(self.server_cpu_us_per_event, " µs"));
        t.row(
            "client CPU",
            format!(
                "{} (user {}, system {})",
                us(self.client.cpu_us as f64),
                us(self.client.user_us as f64),
                us(self.client.system_us as f64)
            ),
        );
        t.row("client CPU/event", opt(self.client_cpu_us_per_event, " µs"));
        t.render()
    }
}

impl Report for SelfbenchReport {
    fn table(&self) -> String {
        let mut out = self.events.table();
        let pin = |c: Option<usize>| c.map_or_else(|| "not pinned".to_owned(), |c| format!("CPU {c}"));
        let _ = writeln!(
            out,
            "selfbench: {} events/s (canned server: {} thread(s), {}; client: {})",
            self.events_per_sec,
            self.server_threads,
            pin(self.server_cpu),
            pin(self.client_cpu)
        );
        out
    }
}

impl Report for IdleReport {
    fn table(&self) -> String {
        let mut t = Table::new(format!("idle: {}", self.url));
        t.row(
            "sessions",
            format!("{} asked, {} attempted, {} held, {} lost", self.sessions, self.attempted, self.held, self.lost),
        );
        t.row("workers", format!("{} (sources: {})", self.workers, self.sources.join(", ")));
        t.latency("join latency", &self.join_latency);
        t.errors("join errors", &self.join_errors);
        t.row("baseline RSS", bytes(self.baseline_rss_bytes));
        for c in &self.checkpoints {
            t.row(
                &format!("at {}", c.sessions),
                format!(
                    "{} held, RSS {}{}, slope {}",
                    c.held,
                    bytes(c.rss_bytes),
                    if c.settled || c.rss_bytes.is_none() { "" } else { " (not settled)" },
                    opt(c.slope_bytes_per_session, " B/session")
                ),
            );
        }
        t.row("slope", opt(self.slope_bytes_per_session, " B/session"));
        t.row("slope from baseline", opt(self.slope_from_baseline_bytes_per_session, " B/session"));
        t.row("answered", format!("{} of {} after {:.1} s held", self.answered, self.asked, self.hold_secs));
        t.latency("event round trip", &self.event_rtt);
        t.errors("event errors", &self.event_errors);
        t.row("RSS after events", bytes(self.rss_after_events_bytes));
        t.row("server CPU joining", opt(self.server_cpu_us_joining.map(|v| us(v as f64)), ""));
        t.row("server CPU/event", opt(self.server_cpu_us_per_event, " µs"));
        for f in &self.worker_failures {
            t.row("worker failure", f);
        }
        t.render()
    }
}

impl Report for WakeReport {
    fn table(&self) -> String {
        let mut t = Table::new(format!("wake: {}", self.url));
        t.row(
            "sessions",
            format!(
                "{} asked, {} attempted, {} held, {} lost while idle",
                self.sessions, self.attempted, self.held, self.lost
            ),
        );
        t.latency("join latency", &self.join_latency);
        t.errors("join errors", &self.join_errors);
        t.row("idle", format!("{:.1} s", self.idle_secs));
        t.row(
            "RSS",
            format!(
                "{} before idle, {} after idle, {} after wake",
                bytes(self.rss_before_idle_bytes),
                bytes(self.rss_after_idle_bytes),
                bytes(self.rss_after_wake_bytes)
            ),
        );
        t.row("answered", format!("{} of {}", self.answered, self.asked));
        t.latency("wake latency", &self.wake_rtt);
        t.errors("wake errors", &self.wake_errors);
        t.latency("warm latency", &self.warm_rtt);
        t.errors("warm errors", &self.warm_errors);
        t.row("server CPU/wake", opt(self.server_cpu_us_per_wake, " µs"));
        t.row("server CPU/warm event", opt(self.server_cpu_us_per_warm_event, " µs"));
        for f in &self.worker_failures {
            t.row("worker failure", f);
        }
        t.render()
    }
}

impl Report for BroadcastReport {
    fn table(&self) -> String {
        let mut t = Table::new(format!("broadcast: {}", self.url));
        t.row(
            "listeners",
            format!("{} asked, {} joined, {} lost during the rounds", self.listeners, self.joined, self.lost),
        );
        t.latency("join latency", &self.join_latency);
        t.errors("join errors", &self.join_errors);
        t.row("rounds", format!("{} ({:.2} s apart)", self.rounds.len(), self.pause_secs));
        for r in &self.rounds {
            t.row(
                &format!("  round {}", r.round),
                format!(
                    "{} pushes ({} missed), last after {}, p50 {}, {} deliveries/s, {} B/push",
                    r.delivered,
                    r.missed,
                    us(r.last_us),
                    us(r.arrival.p50_us),
                    r.deliveries_per_sec,
                    r.bytes_per_push
                ),
            );
        }
        if let Some(last) = self.rounds.last() {
            t.row("last round's push", &last.sample_push);
        }
        t.row("median time to last", us(self.median_last_us));
        t.row("median deliveries/s", self.median_deliveries_per_sec);
        t.row("median bytes/push", self.median_bytes_per_push);
        t.row("pushes", format!("{} delivered, {} missed", self.delivered, self.missed));
        t.errors("listener errors", &self.errors);
        t.server(&self.server);
        t.row("server CPU/delivery", opt(self.server_cpu_us_per_delivery, " µs"));
        t.row("client CPU", us(self.client.cpu_us as f64));
        t.render()
    }
}
