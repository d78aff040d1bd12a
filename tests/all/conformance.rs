//! The host's diffs, run through the official client's own merge and patch code (Node,
//! pinned `phoenix_live_view`): after every step the client's DOM must equal the host's own
//! render of that state.

use std::path::Path;
use std::process::Command;

use liveplug::runtime::GuestView;
use liveplug::session::{LiveSession, MountRequest};
use serde_json::{Value, json};

use crate::support::{plugin, repo_root, runtime};

/// Runs the ndjson `steps` through `tests/js/conformance.mjs` and fails with its report.
pub fn check_with_client(name: &str, steps: &[Value]) {
    let root = repo_root();
    let out = root.join("target/conformance");
    std::fs::create_dir_all(&out).expect("output dir");
    let file = out.join(format!("{name}.ndjson"));
    let body: String = steps.iter().map(|s| format!("{s}\n")).collect();
    std::fs::write(&file, body).expect("write steps");
    let output = Command::new("node")
        .current_dir(&root)
        .arg(Path::new("tests/js/conformance.mjs"))
        .arg(&file)
        .output()
        .expect("node runs (install Node.js)");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the client disagrees with the host on {name}:\n{report}");
    assert!(report.contains(&format!("conformance ok: {} steps", steps.len())), "{report}");
}

fn diff_of(response: &Value) -> Value {
    response.get("diff").cloned().unwrap_or_else(|| json!({}))
}

#[tokio::test]
async fn counter_diffs_merge_to_the_host_render_in_the_official_client() {
    let runtime = runtime();
    let plugin = plugin(&runtime, "counter");
    let request =
        MountRequest { url: "http://localhost/counter".into(), session: json!({}), connect_params: Some(json!({})) };
    let dead = LiveSession::dead_render(
        GuestView::instantiate(&runtime, &plugin).await.expect("instance"),
        MountRequest { connect_params: None, ..request.clone() },
    )
    .await
    .expect("dead render");
    let view = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
    let (mut session, join) = LiveSession::join(view, request).await.expect("join");
    assert_eq!(dead.html, session.html(), "the dead render is what the join renders");
    let view_id = "phx-conformance";
    let mut steps = vec![
        json!({"step": "join", "view_id": view_id, "diff": join["rendered"], "html": session.html(), "title": "Counter"}),
    ];
    let mut count = 0i64;
    for event in ["inc", "inc", "inc", "dec", "reset", "reset", "dec", "dec", "inc"] {
        let response =
            session.event(&json!({"type": "click", "event": event, "value": {"value": ""}})).await.expect("event");
        count = match event {
            "inc" => count + 1,
            "dec" => count - 1,
            _ => 0,
        };
        assert!(session.html().contains(&format!("<span id=\"count\">{count}</span>")));
        steps.push(json!({"step": event, "view_id": view_id, "diff": diff_of(&response), "html": session.html(), "title": format!("Count: {count}")}));
    }
    check_with_client("counter", &steps);
}
