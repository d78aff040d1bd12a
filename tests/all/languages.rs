//! One test table for every guest language. The counter and the todo list exist in Rust
//! (`examples/counter`, `examples/todo`) and with each other SDK (`examples/counter-js`,
//! `todo-py`, `counter-c`...). Each runs the same scenario. After every step:
//! - the official client's merge of the host's diffs equals the host's render
//!   (`tests/js/conformance.mjs`), and
//! - the page and the title equal the Rust view's, up to whitespace between tags.
//!
//! The browser end-to-end tests (`e2e.rs`) use the same table.

use std::path::PathBuf;

use liveplug::runtime::{GuestView, Limits, Plugin, Runtime, Shape};
use liveplug::session::{LiveSession, MountRequest};
use serde_json::{Value, json};

use crate::conformance::check_many_with_client;
use crate::support::{compile_cache, guest, polyglot, test_limits};

/// Every guest language: its name and the suffix of its examples' names.
pub const LANGUAGES: [(&str, &str); 4] = [("rust", ""), ("javascript", "-js"), ("python", "-py"), ("c", "-c")];

/// The built component of `example` (`counter`, `todo`) in the language with `suffix`.
pub fn example_path(example: &str, suffix: &str) -> PathBuf {
    if suffix.is_empty() { guest(example) } else { polyglot(&format!("{example}{suffix}")) }
}

/// A runtime whose pool fits the component at `path` (interpreted guests need more).
fn runtime_for(path: &PathBuf) -> Runtime {
    let bytes = std::fs::read(path).expect("read component");
    let shape = Shape::of_component(&bytes).expect("a component").max(Shape::default());
    Runtime::with_compile_cache(Limits { shape, ..test_limits() }, Some(&compile_cache())).expect("engine")
}

/// What one step left: the page (whitespace between tags removed) and the title.
#[derive(Debug, PartialEq)]
struct Seen {
    html: String,
    title: Option<Value>,
}

/// Whitespace between tags, and the `/` of self-closed void elements, are spelling.
fn normalize(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(end) = rest.find('>') {
        out.push_str(&rest[..=end]);
        rest = &rest[end + 1..];
        let trimmed = rest.trim_start();
        if trimmed.starts_with('<') {
            rest = trimmed;
        }
    }
    out.push_str(rest);
    out.replace(" />", ">").replace("/>", ">")
}

/// Runs `events` on `example` in the language with `suffix`; returns what each step left and
/// the conformance steps.
async fn drive(example: &str, suffix: &str, events: &[(&str, Value)]) -> (Vec<Seen>, Vec<Value>) {
    let path = example_path(example, suffix);
    let runtime = runtime_for(&path);
    let plugin = Plugin::from_file(&runtime, &path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = format!("{example}{suffix}");
    let request = MountRequest {
        url: format!("http://localhost/{name}"),
        session: json!({}),
        connect_params: Some(json!({})),
        ..Default::default()
    };
    let view = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
    let (mut session, join) = LiveSession::join(view, request).await.unwrap_or_else(|e| panic!("{name} joins: {e}"));
    let view_id = format!("phx-{name}");
    let mut seen = vec![Seen { html: normalize(&session.html()), title: join["rendered"].get("t").cloned() }];
    let mut steps = vec![json!({"step": "join", "view_id": view_id, "diff": join["rendered"], "html": session.html()})];
    for (label, payload) in events {
        let reply = session.event(payload.clone()).await.unwrap_or_else(|e| panic!("{name} {label}: {e}"));
        let diff = reply.get("diff").cloned().unwrap_or_else(|| json!({}));
        seen.push(Seen { html: normalize(&session.html()), title: diff.get("t").cloned() });
        steps.push(json!({"step": label, "view_id": view_id, "diff": diff, "html": session.html()}));
    }
    (seen, steps)
}

/// Runs the scenario in every language and compares each with Rust.
async fn same_in_every_language(example: &str, events: &[(&str, Value)], check: impl Fn(&[Seen])) {
    let (reference, rust_steps) = drive(example, "", events).await;
    check(&reference);
    let mut sessions = vec![(format!("{example}-rust"), rust_steps)];
    for (language, suffix) in LANGUAGES.iter().skip(1) {
        let (seen, steps) = drive(example, suffix, events).await;
        for (i, (theirs, ours)) in seen.iter().zip(&reference).enumerate() {
            let label = if i == 0 { "join" } else { events[i - 1].0 };
            assert_eq!(theirs, ours, "{example} in {language} differs from Rust after `{label}`");
        }
        sessions.push((format!("{example}{suffix}"), steps));
    }
    check_many_with_client(&format!("languages-{example}"), &sessions);
}

fn click(event: &str, value: Value) -> Value {
    json!({"type": "click", "event": event, "value": value})
}

/// A form event as the client sends it: urlencoded, with `_target` on changes.
fn form(event: &str, title: &str) -> Value {
    let encoded: String = form_urlencoded::byte_serialize(title.as_bytes()).collect();
    let value = match event {
        "validate" => format!("_target=todo%5Btitle%5D&todo%5Btitle%5D={encoded}"),
        _ => format!("todo%5Btitle%5D={encoded}"),
    };
    json!({"type": "form", "event": event, "value": value, "meta": {}})
}

#[tokio::test]
async fn the_counter_is_the_same_in_every_language() {
    let none = json!({"value": ""});
    let events: Vec<(&str, Value)> = ["inc", "inc", "dec", "reset", "dec", "inc", "inc"]
        .into_iter()
        .map(|event| (event, click(event, none.clone())))
        .collect();
    same_in_every_language("counter", &events, |seen| {
        assert!(seen[0].html.contains("<span id=\"count\">0</span>"), "{}", seen[0].html);
        assert_eq!(seen[0].title, Some(json!("Counter")));
        assert!(seen[2].html.contains("<span id=\"count\">2</span>"), "{}", seen[2].html);
        assert_eq!(seen[5].title, Some(json!("Count: -1")));
    })
    .await;
}

#[tokio::test]
async fn the_todo_list_is_the_same_in_every_language() {
    let hostile = r#"Buy <milk> & "eggs" 'now'"#;
    let long = "é".repeat(81);
    let id = |id: &str| json!({"id": id, "value": ""});
    let events: Vec<(&str, Value)> = vec![
        ("validate empty", form("validate", "")),
        ("validate blank", form("validate", "   ")),
        ("validate hostile", form("validate", hostile)),
        ("add hostile", form("add", hostile)),
        ("add walk", form("add", "  Walk the dog  ")),
        ("add blank", form("add", " ")),
        ("validate long", form("validate", &long)),
        ("add long", form("add", &long)),
        ("add milk", form("add", "milk")),
        ("toggle 1", click("toggle", id("1"))),
        ("toggle 2", click("toggle", id("2"))),
        ("toggle 2 again", click("toggle", id("2"))),
        ("toggle unknown", click("toggle", id("99"))),
        ("delete 1", click("delete", id("1"))),
        ("delete unknown", click("delete", id("99"))),
        ("add x", form("add", "x")),
    ];
    same_in_every_language("todo", &events, |seen| {
        let last = &seen[seen.len() - 1].html;
        assert!(seen[0].html.contains(r#"<p id="remaining">0 left</p>"#), "{}", seen[0].html);
        assert_eq!(seen[0].title, Some(json!("Todos")));
        assert!(
            seen[2].html.contains("can&#x27;t be blank") && seen[2].html.contains("aria-invalid=\"true\""),
            "{}",
            seen[2].html
        );
        assert!(seen[4].html.contains("Buy &lt;milk&gt; &amp; &quot;eggs&quot; &#x27;now&#x27;"), "{}", seen[4].html);
        assert!(seen[7].html.contains("should be at most 80 characters"), "{}", seen[7].html);
        assert!(seen[10].html.contains(r#"<li id="todo-1" class="todo done">"#), "{}", seen[10].html);
        assert!(!last.contains("todo-1") && last.contains("todo-4") && last.contains("Walk the dog"), "{last}");
        assert!(last.contains(r#"<p id="remaining">3 left</p>"#), "{last}");
    })
    .await;
}
