//! The guest SDK's change tracking is correct: after any sequence of events, the HTML a live
//! session holds (built from partial renders in which untouched dynamics and subtrees were
//! reported `unchanged`) equals a from-scratch render of the same state by a fresh instance.

use liveplug::runtime::GuestView;
use liveplug::session::{LiveSession, MountRequest};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::support::{plugin, runtime};

fn random_event(rng: &mut StdRng) -> Value {
    const WORDS: [&str; 6] = ["ada", "grace <hopper>", "", "a b  c", "\"quoted\" & more", "é"];
    let word = |rng: &mut StdRng| WORDS[rng.random_range(0..WORDS.len())];
    let (name, value) = match rng.random_range(0..10) {
        0 => ("inc", json!({})),
        1 => ("dec", json!({})),
        2 => ("rename", json!({"name": word(rng)})),
        3 => ("toggle", json!({})),
        4 => ("theme", json!({"theme": word(rng)})),
        5 | 6 => ("add", json!({"text": word(rng)})),
        7 => ("remove", json!({"index": rng.random_range(0..4)})),
        8 => ("edit", json!({"index": rng.random_range(0..4), "text": word(rng)})),
        _ => ("shuffle", json!({})),
    };
    json!({"type": "click", "event": name, "value": value})
}

#[tokio::test]
async fn tracked_renders_equal_fresh_renders_after_any_events() {
    let runtime = runtime();
    let plugin = plugin(&runtime, "tracked");
    for seed in 0..8u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let view = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
        let request = MountRequest {
            url: "http://h/tracked".into(),
            session: json!({}),
            connect_params: Some(json!({})),
            ..Default::default()
        };
        let (mut session, _) = LiveSession::join(view, request).await.expect("join");
        for step in 0..60 {
            let event = random_event(&mut rng);
            session.event(event.clone()).await.unwrap_or_else(|e| panic!("seed {seed} step {step}: {e}"));
            let state = session.snapshot().await.expect("snapshot").expect("the view snapshots");
            let fresh = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
            let expected = LiveSession::restored_html(fresh, &state).await.expect("fresh render");
            assert_eq!(session.html(), expected, "seed {seed} step {step} after {event}");
        }
    }
}

#[tokio::test]
async fn an_event_that_changes_one_assign_sends_only_its_dynamics() {
    let runtime = runtime();
    let plugin = plugin(&runtime, "tracked");
    let view = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
    let request = MountRequest {
        url: "http://h/tracked".into(),
        session: json!({}),
        connect_params: Some(json!({})),
        ..Default::default()
    };
    let (mut session, _) = LiveSession::join(view, request).await.expect("join");
    let theme =
        session.event(json!({"type": "click", "event": "theme", "value": {"theme": "dark"}})).await.expect("event");
    // Only the class attribute slot changes.
    assert_eq!(theme, json!({"diff": {"0": " class=\"dark\""}}));
    let inc = session.event(json!({"type": "click", "event": "inc", "value": {}})).await.expect("event");
    assert_eq!(inc, json!({"diff": {"1": " data-count=\"1\"", "2": "1"}}));
}

#[tokio::test]
async fn only_the_written_list_row_crosses_the_boundary() {
    use liveplug::diff::PartNode;
    use liveplug::runtime::{MountContext, View};

    let runtime = runtime();
    let plugin = plugin(&runtime, "tracked");
    let mut view = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
    let ctx = MountContext { params: json!({}), session: json!({}), connected: true, connect_params: None };
    view.mount(ctx).await.expect("mount");
    for text in ["a", "b", "c"] {
        view.handle_event("add", &json!({"text": text}), None).await.expect("add");
    }
    view.render().await.expect("first render");
    view.handle_event("edit", &json!({"index": 1, "text": "B"}), None).await.expect("edit");
    let parts = view.render().await.expect("render");
    // The `List` rows: two unchanged items, one re-rendered.
    let rows = parts
        .nodes
        .iter()
        .find_map(|n| match n {
            PartNode::Keyed { items, .. } if items.iter().any(|i| i.slots.is_none()) => Some(items.clone()),
            _ => None,
        })
        .expect("a keyed list with unchanged items");
    let shape: Vec<(Option<&str>, bool)> = rows.iter().map(|i| (i.key.as_deref(), i.slots.is_some())).collect();
    assert_eq!(shape, vec![(Some("1"), false), (Some("2"), true), (Some("3"), false)]);
    // Nothing written: the whole list (and everything else) is unchanged.
    let parts = view.render().await.expect("render");
    assert!(parts.nodes.iter().all(
        |n| !matches!(n, PartNode::Keyed { items, .. } if items.len() == 3 && items.iter().any(|i| i.slots.is_some()))
    ));
}

/// Dynamics whose value `html!` cannot prove depends only on `self.field`s (a free function
/// call, a static, a path call, a macro, a range over a field, an `:if` or `:for` over such
/// values) are evaluated on every render: after events that change only what they read, the
/// client shows the new values.
#[tokio::test]
async fn dynamics_the_macro_cannot_see_into_are_evaluated_on_every_render() {
    use liveplug::diff::Renderer;
    use liveplug::runtime::{MountContext, View};

    let runtime = runtime();
    let plugin = plugin(&runtime, "tracked");
    let mut view = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
    let ctx = MountContext { params: json!({}), session: json!({}), connected: true, connect_params: None };
    view.mount(ctx).await.expect("mount");
    let mut client = Renderer::new();
    client.render(view.render().await.expect("first render")).expect("first diff");
    for _ in 0..3 {
        view.handle_event("add", &json!({"text": "x"}), None).await.expect("add");
        client.render(view.render().await.expect("render")).expect("diff");
    }
    let html = client.html();
    for expected in [
        r#"<footer id="ambient" data-next="3">"#,
        r#"<span id="call">3</span>"#,
        r#"<span id="static">3</span>"#,
        r#"<span id="path">3</span>"#,
        r#"<span id="macro">3</span>"#,
        "<b>odd</b>",
        "</b><i>3</i><i>4</i><s>",
        "<s>0</s><s>1</s><s>2</s></footer>",
    ] {
        assert!(html.contains(expected), "{expected} missing from {html}");
    }
}
