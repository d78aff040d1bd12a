//! The counter over HTTP and the websocket, frame by frame, as the stock client speaks.

use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Socket, get, open_page, server};

const STATICS: [&str; 2] = [
    "<main class=\"counter\"><h1>Count: <span id=\"count\">",
    "</span></h1><button id=\"dec\" phx-click=\"dec\">-</button><button id=\"inc\" phx-click=\"inc\">+</button><button id=\"reset\" phx-click=\"reset\">Reset</button></main>",
];

fn counter_html(count: i64) -> String {
    format!("{}{count}{}", STATICS[0], STATICS[1])
}

#[tokio::test]
async fn index_lists_the_views() {
    let response = get(server(), "/", None).await;
    assert_eq!(response.status, 200);
    assert!(response.body.contains("<a href=\"/counter\">counter</a>"), "{}", response.body);
    assert_eq!(get(server(), "/nope", None).await.status, 404);
}

#[tokio::test]
async fn the_page_is_the_dead_render_with_signed_tokens_and_pinned_client() {
    let addr = server();
    let response = get(addr, "/counter", None).await;
    assert_eq!(response.status, 200);
    let html = &response.body;
    for needle in [
        "<meta name=\"csrf-token\" content=\"",
        "<title>Counter</title>",
        "<script defer src=\"/assets/phoenix-1.8.16.min.js\"></script>",
        "<script defer src=\"/assets/phoenix_live_view-1.2.12.min.js\"></script>",
        " data-phx-main data-phx-session=\"",
    ] {
        assert!(html.contains(needle), "missing {needle} in {html}");
    }
    let page = open_page(addr, "/counter").await;
    assert_eq!(page.inner_html, counter_html(0));
    assert!(page.id.starts_with("phx-"));
    for asset in
        ["/assets/phoenix-1.8.16.min.js", "/assets/phoenix_live_view-1.2.12.min.js", "/assets/liveplug-0.1.0.js"]
    {
        let response = get(addr, asset, None).await;
        assert_eq!(response.status, 200, "{asset}");
        assert!(response.header("content-type").is_some_and(|t| t.starts_with("text/javascript")));
    }
    assert!(get(addr, "/assets/phoenix_live_view-1.2.12.min.js", None).await.body.starts_with("var LiveView="));
}

#[tokio::test]
async fn join_then_three_increments_send_minimal_diffs() {
    let addr = server();
    let page = open_page(addr, "/counter").await;
    let topic = format!("lv:{}", page.id);
    let mut socket = Socket::for_page(addr, &page).await;
    let (join_ref, reply) = socket.join(&page).await;
    assert_eq!(
        reply,
        json!([join_ref, join_ref, topic, "phx_reply", {"status": "ok", "response": {
            "rendered": {"0": "0", "s": 0, "p": {"0": STATICS}, "t": "Counter"},
            "liveview_version": "1.2.12",
        }}])
    );
    for count in 1..=3 {
        let reply = socket.click(&join_ref, &page, "inc").await;
        let msg_ref = socket_ref(&reply);
        assert_eq!(
            reply,
            json!([join_ref, msg_ref, topic, "phx_reply", {"status": "ok", "response": {
                "diff": {"0": count.to_string(), "t": format!("Count: {count}")}
            }}]),
            "increment {count}"
        );
    }
    // Heartbeats are answered on the phoenix topic with the same ref.
    socket.send(json!([null, "hb-1", "phoenix", "heartbeat", {}])).await;
    assert_eq!(socket.recv().await, json!([null, "hb-1", "phoenix", "phx_reply", {"status": "ok", "response": {}}]));
    // Leaving replies ok, then closes the channel.
    let leave_ref = socket.make_ref();
    socket.send(json!([join_ref, leave_ref, topic, "phx_leave", {}])).await;
    assert_eq!(socket.recv().await, json!([join_ref, leave_ref, topic, "phx_reply", {"status": "ok", "response": {}}]));
    assert_eq!(socket.recv().await, json!([join_ref, join_ref, topic, "phx_close", {}]));
    // After the leave the topic is unknown.
    let reply = socket.click(&join_ref, &page, "inc").await;
    assert_eq!(reply[4], json!({"status": "error", "response": {"reason": "unmatched topic"}}));
}

fn socket_ref(frame: &Value) -> Value {
    frame[1].clone()
}

#[tokio::test]
async fn unknown_topics_follow_phoenix() {
    let addr = server();
    let page = open_page(addr, "/counter").await;
    let mut socket = Socket::for_page(addr, &page).await;
    // The client leaves its dead view `lv:` on unload: an ok reply.
    socket.send(json!([null, "5", "lv:", "phx_leave", {}])).await;
    assert_eq!(socket.recv().await, json!([null, "5", "lv:", "phx_reply", {"status": "ok", "response": {}}]));
    // Any other message on a topic that is not joined.
    socket.send(json!(["1", "6", "lv:phx-nope", "event", {"type": "click", "event": "inc", "value": {}}])).await;
    assert_eq!(
        socket.recv().await,
        json!(["1", "6", "lv:phx-nope", "phx_reply", {"status": "error", "response": {"reason": "unmatched topic"}}])
    );
    socket.send(json!(["1", "7", "room:lobby", "phx_join", {}])).await;
    assert_eq!(socket.recv().await[4]["response"], json!({"reason": "unmatched topic"}));
}

#[tokio::test]
async fn a_second_join_on_a_joined_topic_closes_the_old_channel_and_mounts_anew() {
    let addr = server();
    let page = open_page(addr, "/counter").await;
    let topic = format!("lv:{}", page.id);
    let mut socket = Socket::for_page(addr, &page).await;
    let (old_ref, _) = socket.join(&page).await;
    socket.click(&old_ref, &page, "inc").await;
    let new_ref = socket.make_ref();
    socket.send(json!([new_ref, new_ref, topic, "phx_join", {"url": page.url, "params": {}, "session": page.session, "static": page.static_token}])).await;
    assert_eq!(socket.recv().await, json!([old_ref, old_ref, topic, "phx_close", {}]));
    let reply = socket.recv().await;
    assert_eq!(reply[0], json!(new_ref));
    assert_eq!(reply[4]["response"]["rendered"]["0"], json!("0"), "a rejoin is a fresh mount");
}

#[tokio::test]
async fn joins_with_bad_tokens_or_without_csrf_are_stale() {
    let addr = server();
    let page = open_page(addr, "/counter").await;
    // A token for another container id.
    let other = open_page(addr, "/counter").await;
    let mut socket = Socket::for_page(addr, &page).await;
    let forged = crate::support::Page { session: other.session.clone(), ..page.clone() };
    let (_, reply) = socket.join(&forged).await;
    assert_eq!(reply[4], json!({"status": "error", "response": {"reason": "stale"}}));
    let tampered = crate::support::Page { session: format!("{}x", page.session), ..page.clone() };
    let (_, reply) = socket.join(&tampered).await;
    assert_eq!(reply[4], json!({"status": "error", "response": {"reason": "stale"}}));
    // No CSRF token on the handshake, or a token for another cookie.
    for csrf in [None, Some(other.csrf.as_str())] {
        let mut socket = crate::support::Socket::connect(addr, Some(&page.cookie), csrf).await;
        let (_, reply) = socket.join(&page).await;
        assert_eq!(reply[4], json!({"status": "error", "response": {"reason": "stale"}}), "csrf {csrf:?}");
    }
}

#[tokio::test]
async fn malformed_frames_are_ignored_and_the_connection_goes_on() {
    let addr = server();
    let page = open_page(addr, "/counter").await;
    let mut socket = Socket::for_page(addr, &page).await;
    let (join_ref, _) = socket.join(&page).await;
    for bad in ["not json", "{}", "[1,2,3]", "[null,\"1\",\"phoenix\",\"heartbeat\",[]]", "[null,null,null,null,null]"]
    {
        socket.send_raw(Message::Text(bad.into())).await;
    }
    socket.send_raw(Message::Binary(vec![0, 200, 1].into())).await;
    // An event without a name gets an error reply; the session survives.
    let topic = format!("lv:{}", page.id);
    socket.send(json!([join_ref, "x1", topic, "event", {"type": "click"}])).await;
    let reply = socket.recv().await;
    assert_eq!(reply[4]["status"], json!("error"));
    let reply = socket.click(&join_ref, &page, "inc").await;
    assert_eq!(reply[4]["response"]["diff"]["0"], json!("1"));
}
