//! Every server-push capability in one view, with the same behaviour and markup in every SDK
//! language (`realtime-js`, `realtime-py`, `realtime-c`), so one test table drives them all.
//!
//! Served at `/realtime?user=<name>&room=<room>`. On the connected mount it subscribes to
//! `room:<room>` and tracks itself there under its user name. Events: `say` and `say-others`
//! broadcast `{from, text}` (the second excluding this session, which logs `me: <text>`
//! itself), `tick` starts an interval of `ms` milliseconds (replacing a running one), `stop`
//! cancels it, `later` sends `{note}` to itself after `ms`, `self` sends it at once, `leave`
//! untracks and unsubscribes. Messages: a tick counts, a note or a broadcast is logged (the
//! last 20 entries are kept), a presence change re-reads who is online (`key`, or
//! `key (n)` for a key with n sessions).

use std::time::Duration;

use liveplug_guest::{
    Event, LiveView, Message, Mount, Node, Presences, Render, TimerId, ViewError, html, presence, pubsub, timers,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const MAX_LOG: usize = 20;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Realtime {
    user: String,
    topic: String,
    ticks: u64,
    log: Vec<String>,
    timer: Option<TimerId>,
    online: String,
}

fn text(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn millis(value: &Value) -> Duration {
    Duration::from_millis(value.get("ms").and_then(Value::as_str).and_then(|ms| ms.parse().ok()).unwrap_or(0))
}

/// Who is online: keys in byte order, `key (n)` for a key with several sessions.
fn online_of(list: &Presences) -> String {
    let names: Vec<String> = list
        .iter()
        .map(|(key, presence)| match presence.metas.len() {
            1 => key.clone(),
            n => format!("{key} ({n})"),
        })
        .collect();
    names.join(", ")
}

impl Realtime {
    fn push_log(&mut self, entry: String) {
        self.log.push(entry);
        if self.log.len() > MAX_LOG {
            self.log.remove(0);
        }
    }
}

impl LiveView for Realtime {
    fn mount(&mut self, mount: Mount) -> Result<(), ViewError> {
        let param = |key: &str| Some(text(&mount.params, key)).filter(|s| !s.is_empty());
        self.user = param("user").unwrap_or_else(|| "anon".to_owned());
        self.topic = format!("room:{}", param("room").unwrap_or_else(|| "lobby".to_owned()));
        if mount.connected {
            pubsub::subscribe(&self.topic)?;
            presence::track(&self.topic, &self.user, &json!({ "name": self.user }))?;
            self.online = online_of(&presence::list(&self.topic));
        }
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        let value = &event.value;
        match event.name.as_str() {
            "say" => pubsub::broadcast(&self.topic, &json!({ "from": self.user, "text": text(value, "text") }))?,
            "say-others" => {
                let said = text(value, "text");
                pubsub::broadcast_from(&self.topic, &json!({ "from": self.user, "text": said }))?;
                self.push_log(format!("me: {said}"));
            }
            "tick" => {
                if let Some(timer) = self.timer.take() {
                    timers::cancel(timer);
                }
                self.timer = Some(timers::interval(&json!({ "tick": true }), millis(value))?);
            }
            "stop" => {
                if let Some(timer) = self.timer.take() {
                    timers::cancel(timer);
                }
            }
            "later" => {
                timers::send_after(&json!({ "note": text(value, "text") }), millis(value))?;
            }
            "self" => timers::send_self(&json!({ "note": text(value, "text") }))?,
            "leave" => {
                presence::untrack(&self.topic, &self.user);
                pubsub::unsubscribe(&self.topic);
                self.push_log("left".to_owned());
                self.online = online_of(&presence::list(&self.topic));
            }
            _ => {}
        }
        Ok(None)
    }

    fn handle_info(&mut self, message: Message) -> Result<(), ViewError> {
        match message {
            Message::Sent(payload) => {
                if payload.get("tick").is_some() {
                    self.ticks += 1;
                } else if payload.get("note").is_some() {
                    self.push_log(format!("note: {}", text(&payload, "note")));
                }
            }
            Message::Broadcast { payload, .. } => {
                self.push_log(format!("{}: {}", text(&payload, "from"), text(&payload, "text")));
            }
            Message::Presence(diff) => self.online = online_of(&presence::list(&diff.topic)),
        }
        Ok(())
    }

    fn render(&self, r: &mut Render) -> Node {
        html! {
            <section id="realtime"><p id="ticks">"ticks: " {self.ticks}</p><p id="online">"online: " {&self.online}</p><ul id="log"><li :for={entry in self.log.iter()}>{entry}</li></ul></section>
        }
        .render(r)
    }
}

liveplug_guest::export!(Realtime, snapshot);
