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
    check_many_with_client(name, &[(name.to_owned(), steps.to_vec())]);
}

fn diff_of(response: &Value) -> Value {
    response.get("diff").cloned().unwrap_or_else(|| json!({}))
}

/// Joins example `name` with `renderer`, after checking that its dead render is exactly what
/// the join renders. Returns the session and the join reply.
async fn join_checked(name: &str, renderer: liveplug::diff::Renderer) -> (LiveSession<GuestView>, Value) {
    let runtime = runtime();
    let plugin = plugin(&runtime, name);
    let request = MountRequest {
        url: format!("http://localhost/{name}"),
        session: json!({}),
        connect_params: Some(json!({})),
        ..Default::default()
    };
    let dead = LiveSession::dead_render(
        GuestView::instantiate(&runtime, &plugin).await.expect("instance"),
        MountRequest { connect_params: None, ..request.clone() },
    )
    .await
    .expect("dead render");
    let view = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
    let (session, join) = LiveSession::join_with(view, request, renderer).await.expect("join");
    assert_eq!(dead.html(), Some(session.html().as_str()), "the dead render is what the join renders");
    (session, join)
}

#[tokio::test]
async fn counter_diffs_merge_to_the_host_render_in_the_official_client() {
    let (mut session, join) = join_checked("counter", liveplug::diff::Renderer::new()).await;
    let view_id = "phx-conformance";
    let mut steps = vec![
        json!({"step": "join", "view_id": view_id, "diff": join["rendered"], "html": session.html(), "title": "Counter"}),
    ];
    let mut count = 0i64;
    for event in ["inc", "inc", "inc", "dec", "reset", "reset", "dec", "dec", "inc"] {
        let response =
            session.event(json!({"type": "click", "event": event, "value": {"value": ""}})).await.expect("event");
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

/// Drives the contacts example (keyed list, row components with their own events, the destroy
/// handshake, a stream) through a session and checks every step with the official client.
#[tokio::test]
async fn contacts_diffs_merge_to_the_host_render_in_the_official_client() {
    let (mut session, join) = join_checked("contacts", liveplug::diff::Renderer::keeping_stream_html()).await;
    let view_id = "phx-contacts";
    let mut steps = vec![
        json!({"step": "join", "view_id": view_id, "diff": join["rendered"], "html": session.html(), "title": "Contacts (3)"}),
    ];
    let click = |event: &str, value: Value| json!({"type": "click", "event": event, "value": value});
    let submit = |event: &str, form: &str, cid: Option<u32>| {
        let mut payload = json!({"type": "form", "event": event, "value": form, "meta": {}});
        if let Some(cid) = cid {
            payload["cid"] = json!(cid);
        }
        payload
    };
    let targeted = |event: &str, cid: u32| json!({"type": "click", "event": event, "value": {"value": ""}, "cid": cid});
    let events: Vec<(&str, Value)> = vec![
        ("add", submit("add", "contact%5Bname%5D=Zed+Zulu&contact%5Bemail%5D=zed%40example.com", None)),
        ("sort name", click("sort", json!({"by": "name", "value": ""}))),
        ("sort name again", click("sort", json!({"by": "name", "value": ""}))),
        ("sort email", click("sort", json!({"by": "email", "value": ""}))),
        ("edit grace", targeted("edit", 2)),
        ("save grace", submit("save", "name=Grace+B.+Hopper&email=grace%40example.com", Some(2))),
        ("edit alan", targeted("edit", 3)),
        ("cancel alan", targeted("cancel", 3)),
        ("add <script>", submit("add", "contact%5Bname%5D=%3Cscript%3Ex%3C%2Fscript%3E&contact%5Bemail%5D=", None)),
        ("delete ada", click("delete", json!({"id": "1", "value": ""}))),
    ];
    for (label, payload) in events {
        let response = session.event(payload).await.expect(label);
        steps.push(json!({"step": label, "view_id": view_id, "diff": diff_of(&response), "html": session.html()}));
    }
    assert!(session.html().contains("&lt;script&gt;x&lt;/script&gt;"), "names are escaped");
    // The browser removed Ada's row component: the destroy handshake.
    assert_eq!(session.components_will_destroy(&[1]), json!({}));
    assert_eq!(session.components_destroyed(&[1]).await.expect("destroyed"), json!({"cids": [1]}));
    steps.push(json!({"step": "prune ada", "view_id": view_id, "diff": {}, "prune": [1], "html": session.html()}));
    // An event for the destroyed component gets an empty reply.
    assert_eq!(session.event(targeted("edit", 1)).await.expect("stale target"), json!({}));
    for i in 0..12 {
        let by = if i % 2 == 0 { "email" } else { "name" };
        let response = session.event(click("sort", json!({"by": by, "value": ""}))).await.expect("sort");
        steps.push(json!({"step": format!("sort {i}"), "view_id": view_id, "diff": diff_of(&response), "html": session.html()}));
    }
    assert_eq!(session.html().matches("<li id=\"activity-").count(), 10, "the feed keeps ten entries");
    check_with_client("contacts", &steps);
}

/// Runs several independent sessions through the client in one Node process. Their files go
/// to `target/conformance/<label>/`, one directory per test, since tests run in parallel.
pub fn check_many_with_client(label: &str, sessions: &[(String, Vec<Value>)]) {
    let root = repo_root();
    let out = root.join("target/conformance").join(label);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("output dir");
    let mut files = Vec::with_capacity(sessions.len());
    for (name, steps) in sessions {
        let file = out.join(format!("{name}.ndjson"));
        let body: String = steps.iter().map(|s| format!("{s}\n")).collect();
        std::fs::write(&file, body).expect("write steps");
        files.push(file);
    }
    let output = Command::new("node")
        .current_dir(&root)
        .arg(Path::new("tests/js/conformance.mjs"))
        .args(&files)
        .output()
        .expect("node runs (install Node.js)");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let total: usize = sessions.iter().map(|(_, s)| s.len()).sum();
    assert!(output.status.success(), "the client disagrees with the host:\n{report}");
    let summary = match sessions.len() {
        1 => format!("conformance ok: {total} steps"),
        n => format!("conformance ok: {total} steps in {n} files"),
    };
    assert!(report.contains(&summary), "{report}");
}
