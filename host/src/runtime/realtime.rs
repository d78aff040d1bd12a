//! The `pubsub`, `timers` and `presence` capabilities: checked here, collected as requests
//! for the current handler, carried out by the session once the handler returns (the
//! session, not the instance, owns subscriptions and timers). Only `presence.list` reads
//! shared state during the call.

use std::time::Duration;

use super::bindings::liveplug::view::{presence, pubsub, timers};
use super::store::StoreState;
use crate::pubsub::{
    MIN_INTERVAL, PendingPresence, Request, TimerId, check_meta, check_payload, check_topic, next_timer_id,
};

/// Requests one handler may make; more are refused.
pub const MAX_REQUESTS: usize = 256;

impl StoreState {
    fn request(&mut self, request: Request) -> Result<(), String> {
        if self.effects.requests.len() >= MAX_REQUESTS {
            tracing::warn!(plugin = %self.plugin, "too many pubsub, timer and presence calls in one handler");
            return Err(format!("a handler makes at most {MAX_REQUESTS} pubsub, timer and presence calls"));
        }
        self.effects.requests.push(request);
        Ok(())
    }

    fn timer(&mut self, payload: String, delay: Duration, repeat: bool) -> Result<TimerId, String> {
        let payload = check_payload(payload)?;
        let id = next_timer_id();
        self.request(Request::Timer { id, payload, delay, repeat })?;
        Ok(id)
    }
}

impl pubsub::Host for StoreState {
    fn subscribe(&mut self, topic: String) -> Result<(), String> {
        check_topic(&topic)?;
        self.request(Request::Subscribe(topic))
    }

    fn unsubscribe(&mut self, topic: String) {
        // An invalid name cannot be subscribed to, so there is nothing to end.
        if check_topic(&topic).is_ok() {
            let _ = self.request(Request::Unsubscribe(topic));
        }
    }

    fn broadcast(&mut self, topic: String, payload: String, exclude_self: bool) -> Result<(), String> {
        check_topic(&topic)?;
        let payload = check_payload(payload)?;
        self.request(Request::Broadcast { topic, payload, exclude_self })
    }
}

impl timers::Host for StoreState {
    fn send_self(&mut self, payload: String) -> Result<(), String> {
        self.timer(payload, Duration::ZERO, false).map(|_| ())
    }

    fn send_after(&mut self, payload: String, delay_ms: u32) -> Result<TimerId, String> {
        self.timer(payload, Duration::from_millis(delay_ms.into()), false)
    }

    fn interval(&mut self, payload: String, period_ms: u32) -> Result<TimerId, String> {
        let period = Duration::from_millis(period_ms.into());
        if period < MIN_INTERVAL {
            return Err(format!("an interval is at least {} ms, got {period_ms}", MIN_INTERVAL.as_millis()));
        }
        self.timer(payload, period, true)
    }

    fn cancel(&mut self, id: TimerId) {
        let _ = self.request(Request::Cancel(id));
    }
}

impl presence::Host for StoreState {
    fn track(&mut self, topic: String, key: String, meta: String) -> Result<(), String> {
        check_topic(&topic)?;
        check_key(&key)?;
        let meta = check_meta(&meta)?;
        let phx_ref = self.hub.fresh_ref();
        self.request(Request::Track { topic, key, meta, phx_ref })
    }

    fn untrack(&mut self, topic: String, key: String) {
        if check_topic(&topic).is_ok() && check_key(&key).is_ok() {
            let _ = self.request(Request::Untrack { topic, key });
        }
    }

    fn list(&mut self, topic: String) -> String {
        // What this handler tracked and untracked is not carried out yet, but the handler
        // sees it, as it would in Phoenix.
        let pending: Vec<PendingPresence<'_>> = self
            .effects
            .requests
            .iter()
            .filter_map(|request| match request {
                Request::Track { topic: t, key, meta, phx_ref } if *t == topic => {
                    Some(PendingPresence { key, track: Some((meta, phx_ref)) })
                }
                Request::Untrack { topic: t, key } if *t == topic => Some(PendingPresence { key, track: None }),
                _ => None,
            })
            .collect();
        self.hub.presence_list(&topic, self.session, &pending)
    }
}

/// A presence key: like a topic, 1 to 256 bytes without control characters.
fn check_key(key: &str) -> Result<(), String> {
    check_topic(key).map_err(|e| e.replace("topic", "presence key"))
}
