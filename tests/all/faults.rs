//! Hostile guests: each fault ends its own session with `phx_error` and nothing else.

use serde_json::json;

use crate::support::{Socket, open_page, server};

async fn check_fault_is_isolated(event: &str) {
    let addr = server();
    let counter = open_page(addr, "/counter").await;
    let hostile = open_page(addr, "/hostile").await;
    let mut socket = Socket::for_page(addr, &counter).await;
    let (counter_ref, _) = socket.join(&counter).await;
    // The hostile page's cookie differs, but both pages' tokens verify on any socket of the
    // same server; join it on the same connection the browser would use.
    let (hostile_ref, reply) = socket.join(&hostile).await;
    assert_eq!(reply[4]["status"], json!("ok"), "{reply}");
    let topic = format!("lv:{}", hostile.id);
    let fault_ref = socket.make_ref();
    socket.send(json!([hostile_ref, fault_ref, topic, "event", {"type": "click", "event": event, "value": {}}])).await;
    assert_eq!(
        socket.recv().await,
        json!([hostile_ref, null, topic, "phx_error", {"reason": "channel_crash"}]),
        "{event}"
    );
    // The other view on the same connection is unaffected.
    let reply = socket.click(&counter_ref, &counter, "inc").await;
    assert_eq!(reply[4]["response"]["diff"]["0"], json!("1"), "{event}");
    // The crashed topic answers like an unknown one until the client rejoins, and the
    // rejoin is a fresh, working mount.
    let reply = socket.click(&hostile_ref, &hostile, "ok").await;
    assert_eq!(reply[4]["response"], json!({"reason": "unmatched topic"}));
    let (rejoin_ref, reply) = socket.join(&hostile).await;
    assert_eq!(reply[4]["status"], json!("ok"));
    let reply = socket.click(&rejoin_ref, &hostile, "ok").await;
    assert_eq!(reply[4]["response"]["diff"]["0"], json!("1"), "{event}");
}

#[tokio::test]
async fn a_trap_ends_only_its_session() {
    check_fault_is_isolated("trap").await;
}

#[tokio::test]
async fn an_endless_loop_hits_the_deadline() {
    check_fault_is_isolated("spin").await;
}

#[tokio::test]
async fn a_memory_bomb_hits_the_memory_limit() {
    check_fault_is_isolated("bomb").await;
}

#[tokio::test]
async fn a_refusing_view_ends_its_session() {
    check_fault_is_isolated("refuse").await;
}

#[tokio::test]
async fn an_unknown_event_is_a_view_error_not_a_panic() {
    check_fault_is_isolated("no-such-event").await;
}

mod classified {
    use liveplug::runtime::{GuestError, GuestView, MountContext, View};
    use serde_json::json;

    use crate::support::{plugin, runtime};

    async fn fault_of(event: &str) -> GuestError {
        let runtime = runtime();
        let plugin = plugin(&runtime, "hostile");
        let mut view = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
        let ctx = MountContext { params: json!({}), session: json!({}), connected: true, connect_params: None };
        view.mount(ctx).await.expect("mount");
        let error = view.handle_event(event, &json!({}), None).await.expect_err("a fault");
        // After a fault the instance refuses further calls instead of running in an unknown
        // state.
        if !matches!(error, GuestError::View(_)) {
            assert_eq!(view.render().await.err(), Some(GuestError::Poisoned));
        }
        error
    }

    #[tokio::test]
    async fn faults_are_named_by_their_cause() {
        assert!(
            matches!(fault_of("trap").await, GuestError::Trap(m) if m.contains("unreachable") || m.contains("panic"))
        );
        let budget = crate::support::test_limits().call_timeout.as_millis();
        assert_eq!(fault_of("spin").await, GuestError::Deadline(budget));
        assert_eq!(fault_of("bomb").await, GuestError::OutOfMemory);
        assert_eq!(fault_of("refuse").await, GuestError::View("refused on purpose".into()));
        assert_eq!(fault_of("what").await, GuestError::View("unknown event \"what\"".into()));
    }
}
