//! A live dashboard: figures that a timer updates every second (or faster), a bar chart of
//! the last thirty readings, and how many people are watching (presence). Pause, resume and
//! change the pace; the timer belongs to the session, so it keeps running while the session
//! hibernates between ticks, and stops when the tab closes.
//!
//! The readings are a deterministic random walk (the view has no data source of its own);
//! a real dashboard would read its figures from a broadcast its data source sends.

use std::time::Duration;

use liveplug_guest::{
    Event, LiveView, Message, Mount, Node, Render, TimerId, ViewError, html, presence, pubsub, timers,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Readings the chart shows.
const HISTORY: usize = 30;
const TOPIC: &str = "dashboard";
/// The paces offered, in milliseconds.
const PACES: [u32; 3] = [250, 1000, 5000];

#[derive(Debug, Serialize, Deserialize)]
#[serde(default)]
struct Dashboard {
    /// Readings, oldest first, 0 to 100.
    history: Vec<u32>,
    ticks: u64,
    seed: u64,
    pace_ms: u32,
    timer: Option<TimerId>,
    watching: usize,
    /// A tab's key for presence (every tab counts once).
    tab: String,
}

impl Default for Dashboard {
    fn default() -> Self {
        Self { history: Vec::new(), ticks: 0, seed: 1, pace_ms: 1000, timer: None, watching: 0, tab: String::new() }
    }
}

impl Dashboard {
    fn start(&mut self) -> Result<(), ViewError> {
        self.stop();
        self.timer = Some(timers::interval(&json!({ "tick": true }), Duration::from_millis(self.pace_ms.into()))?);
        Ok(())
    }

    fn stop(&mut self) {
        if let Some(timer) = self.timer.take() {
            timers::cancel(timer);
        }
    }

    /// The next reading: a bounded random walk (xorshift).
    fn tick(&mut self) {
        let mut x = self.seed;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed = x;
        let last = self.history.last().copied().unwrap_or(50) as i64;
        let step = (x % 21) as i64 - 10;
        self.history.push((last + step).clamp(0, 100) as u32);
        if self.history.len() > HISTORY {
            self.history.remove(0);
        }
        self.ticks += 1;
    }

    fn average(&self) -> u32 {
        if self.history.is_empty() { 0 } else { self.history.iter().sum::<u32>() / self.history.len() as u32 }
    }
}

impl LiveView for Dashboard {
    fn mount(&mut self, mount: Mount) -> Result<(), ViewError> {
        if mount.connected {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos());
            self.seed = (now as u64) | 1;
            self.tab = format!("tab-{:x}", self.seed & 0xffff_ffff);
            pubsub::subscribe(TOPIC)?;
            presence::track(TOPIC, &self.tab, &json!({}))?;
            self.watching = presence::list(TOPIC).len();
            self.start()?;
        }
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        match event.name.as_str() {
            "pause" => self.stop(),
            "resume" => self.start()?,
            "pace" => {
                let ms = event.value.get("ms").and_then(Value::as_str).and_then(|ms| ms.parse().ok());
                if let Some(ms) = ms.filter(|ms| PACES.contains(ms)) {
                    self.pace_ms = ms;
                    if self.timer.is_some() {
                        self.start()?;
                    }
                }
            }
            _ => return Err(event.unknown()),
        }
        Ok(None)
    }

    fn handle_info(&mut self, message: Message) -> Result<(), ViewError> {
        match message {
            Message::Sent(payload) if payload.get("tick").is_some() => self.tick(),
            Message::Presence(_) => self.watching = presence::list(TOPIC).len(),
            _ => {}
        }
        Ok(())
    }

    fn render(&self, r: &mut Render) -> Node {
        let running = self.timer.is_some();
        html! {
            <main id="dashboard">
                <h1>"Dashboard"</h1>
                <dl class="figures">
                    <dt>"Now"</dt><dd id="now">{self.history.last().copied().unwrap_or(0)}</dd>
                    <dt>"Average"</dt><dd id="average">{self.average()}</dd>
                    <dt>"Readings"</dt><dd id="ticks">{self.ticks}</dd>
                    <dt>"Watching"</dt><dd id="watching">{self.watching}</dd>
                </dl>
                <div id="chart" class="chart" style="display: flex; align-items: flex-end; gap: 2px; height: 120px; width: 320px; border-bottom: 1px solid #999">
                    <span :for={(i, value) in self.history.iter().enumerate()} :key={self.ticks as usize + i - self.history.len()}
                        class="bar" style={format!("flex: 1; height: {value}%; background: #3b7dd8")} title={value}></span>
                </div>
                <p class="controls">
                    <button :if={running} id="pause" phx-click="pause">"Pause"</button>
                    <button :if={!running} id="resume" phx-click="resume">"Resume"</button>
                    <button :for={ms in PACES.iter()} :key={*ms} phx-click="pace" phx-value-ms={*ms}
                        class={if *ms == self.pace_ms { "pace active" } else { "pace" }}>{format!("{ms} ms")}</button>
                </p>
            </main>
        }
        .render(r)
    }
}

liveplug_guest::export!(Dashboard, snapshot);
