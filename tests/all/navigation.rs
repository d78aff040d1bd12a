//! Navigation, flash, routes and token checks over the real websocket, frame by frame, in the
//! shapes Phoenix sends (protocol reference §3.3, §5.3–§5.5, §7), with the `navigator` test
//! guest (`/nav`, `/nav/:id`, live session `nav`) and the counter (default live session).

use serde_json::{Value, json};

use crate::support::{Page, SESSION_HEADER, Socket, get, get_with, open_page, server};

fn topic(page: &Page) -> String {
    format!("lv:{}", page.id)
}

/// Sends event `name` with `value` and returns its ref.
async fn push(socket: &mut Socket, join_ref: &str, page: &Page, name: &str, value: Value) -> String {
    let msg_ref = socket.make_ref();
    socket
        .send(json!([join_ref, msg_ref, topic(page), "event", {"type": "click", "event": name, "value": value}]))
        .await;
    msg_ref
}

/// A join of `page`'s container with `payload` (the url or redirect, flash...).
async fn join_with(socket: &mut Socket, page: &Page, mut payload: Value) -> (String, Value) {
    let join_ref = socket.make_ref();
    payload["session"] = json!(page.session);
    payload["static"] = json!(page.static_token);
    if payload.get("params").is_none() {
        payload["params"] = json!({"_csrf_token": page.csrf, "_mounts": 0, "_mount_attempts": 0});
    }
    socket.send(json!([join_ref, join_ref, topic(page), "phx_join", payload])).await;
    (join_ref.clone(), join_reply(socket, &join_ref).await)
}

/// The reply to join `join_ref`, after the `phx_close` of a channel the join replaced.
async fn join_reply(socket: &mut Socket, join_ref: &str) -> Value {
    loop {
        let frame = socket.recv().await;
        if frame[3] == "phx_close" && frame[0] != json!(join_ref) {
            continue;
        }
        return frame;
    }
}

/// Opens `path`'s page, connects and joins it: the page, the socket and the join ref.
async fn joined(addr: std::net::SocketAddr, path: &str) -> (Page, Socket, String) {
    let page = open_page(addr, path).await;
    let (socket, join_ref) = connected(addr, &page).await;
    (page, socket, join_ref)
}

/// A socket for `page` with its view joined, and the join ref.
async fn connected(addr: std::net::SocketAddr, page: &Page) -> (Socket, String) {
    let mut socket = Socket::for_page(addr, page).await;
    let (join_ref, reply) = socket.join(page).await;
    assert_eq!(reply[4]["status"], "ok", "{reply}");
    (socket, join_ref)
}

fn rendered_text(reply: &Value) -> String {
    reply[4]["response"]["rendered"].to_string()
}

#[tokio::test]
async fn routes_with_parameters_reach_mount_and_handle_params() {
    let addr = server();
    let page = open_page(addr, "/nav/42?tab=info").await;
    assert!(page.inner_html.contains("id=42 tab=info calls=1"), "{}", page.inner_html);
    let mut socket = Socket::for_page(addr, &page).await;
    let (_, reply) = socket.join(&page).await;
    assert_eq!(reply[4]["status"], "ok", "{reply}");
    assert!(rendered_text(&reply).contains("42"), "{reply}");
    assert_eq!(get(addr, "/nav/1/2", None).await.status, 404);
    assert_eq!(get(addr, "/nav", None).await.status, 200);
}

#[tokio::test]
async fn a_session_token_joins_only_the_view_it_was_issued_for() {
    let addr = server();
    let counter = open_page(addr, "/counter").await;
    let mut socket = Socket::for_page(addr, &counter).await;
    // The counter's tokens, presented at the navigator's URL.
    let (_, reply) = join_with(&mut socket, &counter, json!({"url": format!("http://{addr}/nav")})).await;
    assert_eq!(reply[4], json!({"status": "error", "response": {"reason": "unauthorized"}}));
    // A URL no view is routed at.
    let (_, reply) = join_with(&mut socket, &counter, json!({"url": format!("http://{addr}/nope")})).await;
    assert_eq!(reply[4], json!({"status": "error", "response": {"reason": "unauthorized"}}));
    // And at its own URL it joins.
    let (_, reply) = socket.join(&counter).await;
    assert_eq!(reply[4]["status"], "ok");
}

#[tokio::test]
async fn live_navigation_stays_within_its_live_session() {
    let addr = server();
    let page = open_page(addr, "/nav").await;
    let mut socket = Socket::for_page(addr, &page).await;
    let (join_ref, _) = socket.join(&page).await;
    // The client leaves, then joins the same topic with `redirect`.
    let leave_ref = socket.make_ref();
    socket.send(json!([join_ref, leave_ref, topic(&page), "phx_leave", {}])).await;
    assert_eq!(
        socket.recv().await,
        json!([join_ref, leave_ref, topic(&page), "phx_reply", {"status": "ok", "response": {}}])
    );
    assert_eq!(socket.recv().await, json!([join_ref, join_ref, topic(&page), "phx_close", {}]));
    let (_, reply) = join_with(&mut socket, &page, json!({"redirect": format!("http://{addr}/nav/5")})).await;
    assert_eq!(reply[4]["status"], "ok", "{reply}");
    assert!(rendered_text(&reply).contains("5"), "{reply}");
    // The counter is in another live session, `/nope` is nobody's: the client loads the page.
    for url in ["/counter", "/nope"] {
        let (_, reply) = join_with(&mut socket, &page, json!({"redirect": format!("http://{addr}{url}")})).await;
        assert_eq!(reply[4], json!({"status": "error", "response": {"reason": "unauthorized"}}), "{url}");
    }
}

#[tokio::test]
async fn push_patch_pushes_live_patch_then_replies_with_the_diff() {
    let addr = server();
    let (page, mut socket, jr) = joined(addr, "/nav").await;
    let r = push(&mut socket, &jr, &page, "patch", json!({"to": "/nav/3?tab=a"})).await;
    assert_eq!(
        socket.recv().await,
        json!([jr, null, topic(&page), "live_patch", {"to": "/nav/3?tab=a", "kind": "push"}])
    );
    let reply = socket.recv().await;
    assert_eq!((&reply[1], &reply[3], &reply[4]["status"]), (&json!(r), &json!("phx_reply"), &json!("ok")));
    let diff = reply[4]["response"]["diff"].to_string();
    assert!(diff.contains("\"3\"") && diff.contains("\"a\"") && diff.contains("2"), "{reply}");
    let r = push(&mut socket, &jr, &page, "patch_replace", json!({"to": "/nav"})).await;
    assert_eq!(socket.recv().await[4], json!({"to": "/nav", "kind": "replace"}));
    assert_eq!(socket.recv().await[1], json!(r));
    // A patch to another view's path ends the session.
    push(&mut socket, &jr, &page, "patch", json!({"to": "/counter"})).await;
    assert_eq!(socket.recv().await, json!([jr, null, topic(&page), "phx_error", {"reason": "channel_crash"}]));
}

#[tokio::test]
async fn a_client_patch_runs_handle_params_or_redirects_to_the_other_view() {
    let addr = server();
    let (page, mut socket, jr) = joined(addr, "/nav").await;
    let r = socket.make_ref();
    socket.send(json!([jr, r, topic(&page), "live_patch", {"url": format!("http://{addr}/nav/4?tab=b")}])).await;
    let reply = socket.recv().await;
    assert_eq!(reply[1], json!(r));
    assert!(reply[4]["response"]["diff"].to_string().contains("\"4\""), "{reply}");
    let r = socket.make_ref();
    socket.send(json!([jr, r, topic(&page), "live_patch", {"url": format!("http://{addr}/counter")}])).await;
    assert_eq!(socket.recv().await[4], json!({"status": "ok", "response": {"link_redirect": true}}));
}

#[tokio::test]
async fn push_navigate_sends_events_the_live_redirect_with_flash_then_closes() {
    let addr = server();
    let (page, mut socket, jr) = joined(addr, "/nav").await;
    let r = push(&mut socket, &jr, &page, "flash_and_navigate", json!({"to": "/nav/9"})).await;
    assert_eq!(socket.recv().await, json!([jr, null, topic(&page), "diff", {"e": [["leaving", {}]]}]));
    let reply = socket.recv().await;
    assert_eq!((&reply[1], &reply[4]["status"]), (&json!(r), &json!("ok")), "{reply}");
    let redirect = &reply[4]["response"]["live_redirect"];
    assert_eq!((&redirect["to"], &redirect["kind"]), (&json!("/nav/9"), &json!("push")));
    let flash = redirect["flash"].as_str().expect("a flash token").to_owned();
    assert_eq!(socket.recv().await, json!([jr, jr, topic(&page), "phx_close", {}]));
    // The next view starts with that flash.
    let (_, reply) =
        join_with(&mut socket, &page, json!({"redirect": format!("http://{addr}/nav/9"), "flash": flash})).await;
    assert!(rendered_text(&reply).contains("carried"), "{reply}");
    // A forged flash token is ignored.
    let (_, reply) =
        join_with(&mut socket, &page, json!({"redirect": format!("http://{addr}/nav/9"), "flash": "forged.token"}))
            .await;
    assert_eq!(reply[4]["status"], "ok");
    assert!(!rendered_text(&reply).contains("carried"), "{reply}");
}

#[tokio::test]
async fn redirects_reply_with_their_target_then_close() {
    let addr = server();
    let page = open_page(addr, "/nav").await;
    for (event, to) in [("redirect", "/counter"), ("external", "https://example.com/docs")] {
        let (mut socket, jr) = connected(addr, &page).await;
        let r = push(&mut socket, &jr, &page, event, json!({"to": to})).await;
        assert_eq!(socket.recv().await, json!([jr, null, topic(&page), "diff", {"e": []}]));
        assert_eq!(
            socket.recv().await,
            json!([jr, r, topic(&page), "phx_reply", {"status": "ok", "response": {"redirect": {"to": to, "status": 302}}}])
        );
        assert_eq!(socket.recv().await, json!([jr, jr, topic(&page), "phx_close", {}]));
    }
    // A redirect that is not a path of this host ends the session.
    for (event, to) in [
        ("redirect", "//evil.test/x"),
        ("redirect", "/\\evil.test"),
        ("external", "javascript:alert(1)"),
        ("navigate", "http://x/"),
    ] {
        let (mut socket, jr) = connected(addr, &page).await;
        push(&mut socket, &jr, &page, event, json!({"to": to})).await;
        assert_eq!(
            socket.recv().await,
            json!([jr, null, topic(&page), "phx_error", {"reason": "channel_crash"}]),
            "{to}"
        );
    }
}

#[tokio::test]
async fn navigation_while_joining_shapes_the_join_reply() {
    let addr = server();
    let join_at = |query: &str| format!("/nav?{query}");
    // A patch while mounting: the join reply has `live_patch`; handle_params ran once, for the
    // patched URL.
    let page = open_page(addr, &join_at("mount_nav=patch")).await;
    let mut socket = Socket::for_page(addr, &page).await;
    let (_, reply) = socket.join(&page).await;
    assert_eq!(reply[4]["response"]["live_patch"], json!({"to": "/nav/7?tab=patched", "kind": "replace"}), "{reply}");
    assert!(rendered_text(&reply).contains("patched"), "{reply}");
    assert_eq!(reply[4]["response"]["liveview_version"], "1.2.12");
    // Navigate and redirect while mounting are join errors with the pending events.
    let cases = [
        ("mount_nav=navigate", json!({"live_redirect": {"to": "/nav/8", "kind": "push"}, "events": []})),
        (
            "mount_nav=redirect",
            json!({"redirect": {"to": "/counter", "status": 302}, "events": [["bye", {"at": "mount"}]]}),
        ),
        // Phoenix sends no status for an external redirect at join.
        ("mount_nav=external", json!({"redirect": {"to": "https://example.com/x"}, "events": []})),
    ];
    for (query, expected) in cases {
        let page = open_page(addr, &join_at(query)).await;
        let mut socket = Socket::for_page(addr, &page).await;
        let (_, reply) = socket.join(&page).await;
        assert_eq!(reply[4], json!({"status": "error", "response": expected}), "{query}");
    }
    // At join the whole flash goes along.
    let page = open_page(addr, &join_at("mount_nav=navigate&mount_flash=1")).await;
    let mut socket = Socket::for_page(addr, &page).await;
    let (_, reply) = socket.join(&page).await;
    assert!(reply[4]["response"]["live_redirect"]["flash"].is_string(), "{reply}");
}

#[tokio::test]
async fn flash_survives_a_redirect_through_the_cookie_once() {
    let addr = server();
    let (page, mut socket, jr) = joined(addr, "/nav").await;
    push(&mut socket, &jr, &page, "flash_and_redirect", json!({"to": "/nav/2"})).await;
    socket.recv().await;
    let reply = socket.recv().await;
    let flash = reply[4]["response"]["redirect"]["flash"].as_str().expect("a flash token").to_owned();
    assert_eq!(socket.recv().await[3], "phx_close");
    // The client stores the token in `__phoenix_flash__` and loads the page.
    let cookie = format!("{}; __phoenix_flash__={flash}", page.cookie);
    let response = get(addr, "/nav/2", Some(&cookie)).await;
    assert_eq!(response.status, 200);
    assert!(response.body.contains("<p id=\"flash\">redirected</p>"), "{}", response.body);
    let deleted = response.headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("set-cookie") && v.starts_with("__phoenix_flash__=;") && v.contains("max-age=0")
    });
    assert!(deleted, "the flash cookie is deleted: {:?}", response.headers);
    // The static token carries that flash to the first connected mount, not to a rejoin.
    let marker = "data-phx-static=\"";
    let start = response.body.find(marker).expect("static token") + marker.len();
    let static_token = response.body[start..][..response.body[start..].find('"').expect("quote")].to_owned();
    let marker = "data-phx-session=\"";
    let start = response.body.find(marker).expect("session token") + marker.len();
    let session = response.body[start..][..response.body[start..].find('"').expect("quote")].to_owned();
    let marker = "<div id=\"";
    let start = response.body.find(marker).expect("id") + marker.len();
    let id = response.body[start..][..response.body[start..].find('"').expect("quote")].to_owned();
    let redirected = Page { url: format!("http://{addr}/nav/2"), id, session, static_token, ..page.clone() };
    let (_, reply) = socket.join(&redirected).await;
    assert!(rendered_text(&reply).contains("redirected"), "{reply}");
    let url = redirected.url.clone();
    let (_, reply) =
        join_with(&mut socket, &redirected, json!({"url": url, "params": {"_csrf_token": page.csrf, "_mounts": 1}}))
            .await;
    assert!(!rendered_text(&reply).contains("redirected"), "{reply}");
}

#[tokio::test]
async fn a_dead_render_that_redirects_answers_302_with_the_flash_cookie() {
    let response = get(server(), "/nav?dead_nav=redirect&mount_flash=1", None).await;
    assert_eq!(response.status, 302, "{}", response.body);
    assert_eq!(response.header("location"), Some("/counter"));
    let flash_cookie = response
        .headers
        .iter()
        .find(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with("__phoenix_flash__="))
        .map(|(_, v)| v.clone())
        .expect("a flash cookie");
    assert!(flash_cookie.ends_with("; max-age=60; path=/"), "{flash_cookie}");
}

#[tokio::test]
async fn lv_clear_flash_clears_without_reaching_the_view() {
    let addr = server();
    let (page, mut socket, jr) = joined(addr, "/nav").await;
    push(&mut socket, &jr, &page, "flash", json!({})).await;
    assert!(socket.recv().await[4]["response"]["diff"].to_string().contains("saved"));
    // The navigator refuses unknown events, so a forwarded `lv:clear-flash` would crash it.
    push(&mut socket, &jr, &page, "lv:clear-flash", json!({"key": "info"})).await;
    let reply = socket.recv().await;
    assert_eq!(reply[4]["status"], "ok", "{reply}");
    assert!(!reply[4]["response"].to_string().contains("saved"), "{reply}");
    assert!(reply[4]["response"]["diff"].is_object(), "the flash's markup changed: {reply}");
}

#[tokio::test]
async fn hook_payloads_reach_the_view_unchanged() {
    let addr = server();
    let (page, mut socket, jr) = joined(addr, "/nav").await;
    for value in [json!([1, 2]), json!(5), json!("text"), json!({"a": 1})] {
        let r = socket.make_ref();
        socket.send(json!([jr, r, topic(&page), "event", {"type": "hook", "event": "echo", "value": value}])).await;
        assert_eq!(socket.recv().await[4]["response"], json!({"diff": {"r": value}}));
    }
}

#[tokio::test]
async fn the_session_comes_from_the_page_request_signed_into_the_token() {
    let addr = server();
    let response = get_with(addr, "/nav", &format!("{SESSION_HEADER}: ada\r\n")).await;
    assert!(response.body.contains("<p id=\"user\">user=ada</p>"), "{}", response.body);
    // The join's session is the token's, whatever the socket's own request carries.
    let cookie = response.header("set-cookie").expect("csrf cookie").split(';').next().expect("pair").to_owned();
    let value = |marker: &str| {
        let start = response.body.find(marker).expect("marker") + marker.len();
        response.body[start..][..response.body[start..].find('"').expect("quote")].to_owned()
    };
    let page = Page {
        url: format!("http://{addr}/nav"),
        id: value("<div id=\""),
        session: value("data-phx-session=\""),
        static_token: value("data-phx-static=\""),
        csrf: value("<meta name=\"csrf-token\" content=\""),
        cookie,
        inner_html: String::new(),
    };
    let mut socket = Socket::for_page(addr, &page).await;
    let (_, reply) = socket.join(&page).await;
    assert!(rendered_text(&reply).contains("ada"), "{reply}");
    // Without the header, no user; nor when it comes twice (a proxy that appends would let
    // the client's copy through).
    assert!(get(addr, "/nav", None).await.body.contains("user=-"));
    let twice = get_with(addr, "/nav", &format!("{SESSION_HEADER}: mallory\r\n{SESSION_HEADER}: ada\r\n")).await;
    assert!(twice.body.contains("user=-"), "{}", twice.body);
}

#[tokio::test]
async fn a_route_another_view_serves_is_refused_when_the_plugin_loads() {
    use liveplug::registry::Registry;
    use liveplug::runtime::Plugin;

    let runtime = crate::support::runtime();
    let bytes = std::fs::read(crate::support::guest("navigator")).expect("navigator built");
    let registry = Registry::empty(std::path::Path::new("plugins"));
    let first = Plugin::from_bytes(&runtime, "navigator", &bytes).expect("compiles");
    assert_eq!(registry.add(&runtime, first).await.expect("served"), "navigator");
    // The same routes under another name: refused, with a reason naming both.
    let copy = Plugin::from_bytes(&runtime, "copy", &bytes).expect("compiles");
    let error = registry.add(&runtime, copy).await.expect_err("conflicting routes");
    assert_eq!(error.to_string(), r#"copy cannot be routed: route "/nav" conflicts with "/nav" of view "navigator""#);
    assert!(registry.get("copy").is_none());
    assert_eq!(registry.route("/nav/3").map(|d| d.view).as_deref(), Some("navigator"));
}

#[tokio::test]
async fn a_dead_render_redirect_encodes_its_location_and_deletes_a_stale_flash_cookie() {
    // `dead_nav=redirect` without a flash of its own, with a flash cookie from before.
    let response = get(server(), "/nav?dead_nav=redirect", Some("__phoenix_flash__=old.token")).await;
    assert_eq!(response.status, 302);
    let deleted = response.headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("set-cookie") && v.starts_with("__phoenix_flash__=;") && v.contains("max-age=0")
    });
    assert!(deleted, "{:?}", response.headers);
}
