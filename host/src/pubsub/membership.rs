//! One session's hold on the hub: dropping it ends the session's subscriptions and
//! presences however the session ends (leave, crash, navigation, closed socket, a failed
//! mount), so nothing outlives its session.

use std::sync::Arc;

use super::hub::Hub;
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
}

impl Membership {
    pub fn new(hub: Arc<Hub>, session: SessionId) -> Self {
        Self { hub, session }
    }

    pub fn session(&self) -> SessionId {
        self.session
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.hub.leave(self.session);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::Membership;
    use crate::pubsub::{Counts, Hub, Mailbox, SessionId};

    #[test]
    fn dropping_a_membership_leaves_nothing_behind() {
        let hub = Arc::new(Hub::new());
        let mailbox = Mailbox::new();
        let session = SessionId::next();
        let membership = Membership::new(Arc::clone(&hub), session);
        hub.subscribe("a", session, &mailbox).unwrap();
        hub.subscribe("b", session, &mailbox).unwrap();
        hub.track("a", "me", session, serde_json::Map::new()).unwrap();
        assert_eq!(hub.counts(), Counts { topics: 2, subscriptions: 2, presences: 1, members: 1 });
        drop(membership);
        assert_eq!(hub.counts(), Counts::default());
    }
}
