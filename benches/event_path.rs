//! The in-process event path of the counter: event payload → guest `handle_event` → guest
//! `render` → diff → reply JSON text. The guest is built by the `liveplug-guest-artifacts`
//! dev-dependency.

// Benchmarks abort on setup failure.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use liveplug::runtime::{GuestView, Limits, Plugin, Runtime};
use liveplug::session::{LiveSession, MountRequest};
use serde_json::json;

fn event_path(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let runtime = Runtime::new(Limits::default()).expect("engine");
    let wasm = liveplug_guest_artifacts::path("counter").expect("the counter guest exists");
    let plugin = Plugin::from_file(&runtime, Path::new(wasm)).expect("the counter compiles");
    let request = MountRequest {
        url: "http://localhost/counter".into(),
        session: json!({}),
        connect_params: Some(json!({})),
        ..Default::default()
    };
    let event = json!({"type": "click", "event": "inc", "value": {"value": ""}});

    let mut session = rt.block_on(async {
        let view = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
        LiveSession::join(view, request.clone()).await.expect("join").0
    });
    c.bench_function("counter: event → guest → render → diff json", |b| {
        b.iter(|| {
            let reply = rt.block_on(session.event(black_box(event.clone()))).expect("event");
            black_box(reply.to_string())
        })
    });

    c.bench_function("counter: instantiate + mount + first render (join)", |b| {
        b.iter(|| {
            rt.block_on(async {
                let view = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
                black_box(LiveSession::join(view, request.clone()).await.expect("join").1.to_string())
            })
        })
    });
}

criterion_group!(benches, event_path);
criterion_main!(benches);
