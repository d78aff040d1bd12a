//! One session's subscriptions and presences, undone when the session ends however it ends
//! (leave, crash, navigation, closed socket): dropping the membership unsubscribes and
//! untracks, so nothing outlives its session.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::hub::{Hub, Mailbox};
use super::message::SessionId;

/// Topics one session may subscribe to.
pub const MAX_SUBSCRIPTIONS: usize = 100;
/// Presences one session may track.
pub const MAX_TRACKED: usize = 16;

/// A request past one of the limits above.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MembershipError {
    #[error("a session subscribes to at most {MAX_SUBSCRIPTIONS} topics")]
    TooManyTopics,
    #[error("a session tracks at most {MAX_TRACKED} presences")]
    TooManyPresences,
}

#[derive(Debug)]
pub struct Membership {
    hub: Arc<Hub>,
    session: SessionId,
    topics: Vec<Arc<str>>,
    tracked: Vec<(Arc<str>, String)>,
}

impl Membership {
    pub fn new(hub: Arc<Hub>, session: SessionId) -> Self {
        Self { hub, session, topics: Vec::new(), tracked: Vec::new() }
    }

    pub fn subscribe(&mut self, topic: &str, mailbox: &Arc<Mailbox>) -> Result<(), MembershipError> {
        if self.topics.iter().any(|t| &**t == topic) {
            return Ok(());
        }
        if self.topics.len() >= MAX_SUBSCRIPTIONS {
            return Err(MembershipError::TooManyTopics);
        }
        self.hub.subscribe(topic, self.session, mailbox);
        self.topics.push(topic.into());
        Ok(())
    }

    pub fn unsubscribe(&mut self, topic: &str) {
        if let Some(i) = self.topics.iter().position(|t| &**t == topic) {
            self.topics.swap_remove(i);
            self.hub.unsubscribe(topic, self.session);
        }
    }

    pub fn track(
        &mut self,
        topic: &str,
        key: &str,
        meta: Map<String, Value>,
        phx_ref: Arc<str>,
    ) -> Result<(), MembershipError> {
        let tracked = self.tracked.iter().any(|(t, k)| &**t == topic && k == key);
        if !tracked && self.tracked.len() >= MAX_TRACKED {
            return Err(MembershipError::TooManyPresences);
        }
        self.hub.track(topic, key, self.session, meta, phx_ref);
        if !tracked {
            self.tracked.push((topic.into(), key.to_owned()));
        }
        Ok(())
    }

    pub fn untrack(&mut self, topic: &str, key: &str) {
        if let Some(i) = self.tracked.iter().position(|(t, k)| &**t == topic && k == key) {
            self.tracked.swap_remove(i);
            self.hub.untrack(topic, key, self.session);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.topics.is_empty() && self.tracked.is_empty()
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        for topic in &self.topics {
            self.hub.unsubscribe(topic, self.session);
        }
        for (topic, key) in &self.tracked {
            self.hub.untrack(topic, key, self.session);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{MAX_SUBSCRIPTIONS, Membership, MembershipError};
    use crate::pubsub::{Counts, Hub, Mailbox, SessionId};

    #[test]
    fn dropping_a_membership_leaves_nothing_behind() {
        let hub = Arc::new(Hub::new());
        let (mailbox, _inbox) = Mailbox::new();
        let mut membership = Membership::new(Arc::clone(&hub), SessionId::next());
        membership.subscribe("a", &mailbox).unwrap();
        membership.subscribe("a", &mailbox).unwrap();
        membership.subscribe("b", &mailbox).unwrap();
        membership.track("a", "me", serde_json::Map::new(), hub.fresh_ref()).unwrap();
        membership.track("a", "me", serde_json::Map::new(), hub.fresh_ref()).unwrap();
        assert_eq!(hub.counts(), Counts { topics: 2, subscriptions: 2, presences: 1 });
        drop(membership);
        assert_eq!(hub.counts(), Counts::default());
    }

    #[test]
    fn limits_hold() {
        let hub = Arc::new(Hub::new());
        let (mailbox, _inbox) = Mailbox::new();
        let mut membership = Membership::new(Arc::clone(&hub), SessionId::next());
        for i in 0..MAX_SUBSCRIPTIONS {
            membership.subscribe(&format!("t{i}"), &mailbox).unwrap();
        }
        assert_eq!(membership.subscribe("one more", &mailbox), Err(MembershipError::TooManyTopics));
        membership.unsubscribe("t0");
        assert!(membership.subscribe("one more", &mailbox).is_ok());
    }
}
