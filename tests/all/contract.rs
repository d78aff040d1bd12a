//! The contract (`liveplug:view@0.4.0`) as a non-Rust author meets it: optional exports have
//! their documented defaults, the host escapes text and attributes, and a component that
//! imports more than the granted WASI surface, or was built for another version, is refused at
//! load with the reason named.

use std::time::Duration;

use liveplug::runtime::{Limits, Plugin};
use liveplug::session::Lifecycle;
use serde_json::{Value, json};

use crate::support::{Socket, get, open_page, runtime, server, start_server_with, test_limits};

fn refusal(wat: &str) -> String {
    let runtime = runtime();
    match Plugin::from_bytes(&runtime, "sneaky", wat.as_bytes()) {
        Ok(_) => panic!("the component was accepted"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn a_component_importing_sockets_or_http_is_refused_with_the_import_named() {
    for import in ["wasi:sockets/tcp@0.2.6", "wasi:http/outgoing-handler@0.2.6", "wasi:sockets/ip-name-lookup@0.2.0"] {
        let error = refusal(&format!(r#"(component (import "{import}" (instance)))"#));
        assert!(error.contains("sneaky") && error.contains(import) && error.contains("not granted"), "{error}");
    }
}

#[test]
fn a_component_built_for_another_contract_version_is_told_to_rebuild() {
    let error = refusal(r#"(component (import "liveplug:view/log@0.2.0" (instance)))"#);
    assert!(error.contains("liveplug:view/log@0.2.0") && error.contains("rebuild"), "{error}");
    let error = refusal(r#"(component (instance $v) (export "liveplug:view/view@0.2.0" (instance $v)))"#);
    assert!(error.contains("liveplug:view/view@0.2.0") && error.contains("0.4.0"), "{error}");
    let error = refusal(r#"(component (instance $v) (export "liveplug:view/view@0.3.0" (instance $v)))"#);
    assert!(error.contains("liveplug:view/view@0.3.0") && error.contains("rebuild"), "{error}");
    let error = refusal("(component)");
    assert!(error.contains("does not export `liveplug:view/view@0.4.0`"), "{error}");
}

/// The frame's diff (a reply's `response.diff`, or a join's `response.rendered`).
fn diff(frame: &Value) -> String {
    let response = &frame[4]["response"];
    response.get("diff").or_else(|| response.get("rendered")).map(Value::to_string).unwrap_or_default()
}

#[tokio::test]
async fn a_minimal_view_is_served_at_its_file_name_with_defaults_and_host_escaping() {
    let addr = server();
    // No `describe`: served at `/minimal`.
    let page = open_page(addr, "/minimal").await;
    assert!(
        page.inner_html.contains(r#"<p id="said">nothing yet</p><b id="attrs" title="nothing yet" data-on>"#),
        "{}",
        page.inner_html
    );
    let mut socket = Socket::for_page(addr, &page).await;
    let (join_ref, reply) = socket.join(&page).await;
    assert_eq!(reply[4]["status"], json!("ok"), "{reply}");

    // Text and attribute values are escaped by the host, whatever the guest sends.
    let hostile = r#"<script>alert("x")</script> & 'q'"#;
    let msg_ref = socket.make_ref();
    socket
        .send(json!([join_ref, msg_ref, format!("lv:{}", page.id), "event", {"type": "click", "event": "say", "value": {"text": hostile}}]))
        .await;
    let reply = socket.recv().await;
    assert_eq!(reply[4]["status"], json!("ok"), "{reply}");
    let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;";
    let sent: Value = serde_json::from_str(&diff(&reply)).expect("diff");
    assert_eq!(sent["0"], json!(escaped), "{reply}");
    assert_eq!(sent["1"], json!(format!(" title=\"{escaped}\" data-on")), "{reply}");

    // A live patch to the same view only re-renders (no `params` export): nothing changed.
    let patch_ref = socket.make_ref();
    socket
        .send(
            json!([join_ref, patch_ref, format!("lv:{}", page.id), "live_patch", {"url": format!("{}?x=1", page.url)}]),
        )
        .await;
    let reply = socket.recv().await;
    assert_eq!(reply[4]["status"], json!("ok"), "{reply}");
}

#[tokio::test]
async fn a_view_without_a_snapshot_export_keeps_its_instance_and_its_state() {
    let eager = Lifecycle { hibernate_after: Duration::ZERO, ..Lifecycle::default() };
    let (addr, runtime) = start_server_with(Limits { max_instances: 4, ..test_limits() }, eager).await;
    let page = open_page(addr, "/minimal").await;
    let mut socket = Socket::for_page(addr, &page).await;
    let (join_ref, _) = socket.join(&page).await;
    let msg_ref = socket.make_ref();
    socket
        .send(json!([join_ref, msg_ref, format!("lv:{}", page.id), "event", {"type": "click", "event": "say", "value": {"text": "kept"}}]))
        .await;
    socket.recv().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(runtime.instances().0, 1, "the session was hibernated");
    // An unknown event is the view's refusal: the session ends, the host goes on.
    let msg_ref = socket.make_ref();
    socket.send(json!([join_ref, msg_ref, format!("lv:{}", page.id), "event", {"type": "click", "event": "nope", "value": {}}])).await;
    let reply = socket.recv().await;
    assert!(reply.to_string().contains("phx_error") || reply[4]["status"] == json!("error"), "{reply}");
    assert_eq!(get(addr, "/minimal", None).await.status, 200);
}

/// The disk cache: a second runtime (a restart) with the same plugin compiles nothing.
#[test]
fn a_restart_with_unchanged_plugins_compiles_nothing() {
    let dir = crate::support::target_dir().join(format!("compile-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let first = liveplug::runtime::Runtime::with_compile_cache(test_limits(), Some(&dir)).expect("engine");
    Plugin::from_file(&first, &crate::support::guest("counter")).expect("compiles");
    assert_eq!(first.compile_cache_stats(), (0, 1), "a cold cache compiles");
    let restarted = liveplug::runtime::Runtime::with_compile_cache(test_limits(), Some(&dir)).expect("engine");
    Plugin::from_file(&restarted, &crate::support::guest("counter")).expect("loads");
    assert_eq!(restarted.compile_cache_stats(), (1, 0), "the restart reads the compiled code");
    // Another module is compiled, not confused with the cached one.
    Plugin::from_file(&restarted, &crate::support::guest("minimal")).expect("compiles");
    assert_eq!(restarted.compile_cache_stats(), (1, 1));
    let _ = std::fs::remove_dir_all(&dir);
}
