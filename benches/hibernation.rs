//! The session lifecycle with real guests: instantiating from the pool, hibernating (snapshot
//! and dropping the instance), and waking (a fresh instance, restore, then the event), for the
//! counter and the contacts example (components and a stream).

// Benchmarks abort on setup failure.
#![allow(clippy::expect_used)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use liveplug::runtime::{GuestView, Limits, Plugin, Runtime};
use liveplug::session::{Hibernation, LiveSession, MountRequest};
use serde_json::{Value, json};
use tokio::runtime::Runtime as Tokio;

struct Case {
    name: &'static str,
    plugin: Plugin,
    url: String,
    event: Value,
}

fn join(rt: &Tokio, runtime: &Runtime, case: &Case) -> LiveSession<GuestView> {
    rt.block_on(async {
        let view = GuestView::instantiate(runtime, &case.plugin).await.expect("instance");
        let request = MountRequest {
            url: case.url.clone(),
            session: json!({}),
            connect_params: Some(json!({})),
            ..Default::default()
        };
        let (mut session, _) = LiveSession::join(view, request).await.expect("join");
        session.event(case.event.clone()).await.expect("event");
        session
    })
}

fn lifecycle(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let runtime = Runtime::new(Limits::default()).expect("engine");
    let load = |name: &str| {
        let path = liveplug_guest_artifacts::path(name).expect("guest exists");
        Plugin::from_file(&runtime, std::path::Path::new(path)).expect("guest compiles")
    };
    let cases = [
        Case {
            name: "counter",
            plugin: load("counter"),
            url: "http://localhost/counter".into(),
            event: json!({"type": "click", "event": "inc", "value": {"value": ""}}),
        },
        Case {
            name: "contacts",
            plugin: load("contacts"),
            url: "http://localhost/contacts".into(),
            event: json!({"type": "click", "event": "sort", "value": {"by": "email", "value": ""}}),
        },
    ];
    for case in &cases {
        c.bench_function(&format!("{}: instantiate from the pool", case.name), |b| {
            b.iter(|| {
                rt.block_on(async { black_box(GuestView::instantiate(&runtime, &case.plugin).await.expect("i")) })
            })
        });
        c.bench_function(&format!("{}: hibernate (snapshot, drop the instance)", case.name), |b| {
            b.iter_batched(
                || join(&rt, &runtime, case),
                |session| match rt.block_on(session.hibernate(1 << 20)).expect("snapshot") {
                    Hibernation::Done(hibernated) => black_box(hibernated),
                    Hibernation::Kept(..) => panic!("the view snapshots"),
                },
                BatchSize::SmallInput,
            )
        });
        c.bench_function(&format!("{}: wake (instantiate, restore) + event + render + diff", case.name), |b| {
            b.iter_batched(
                || match rt.block_on(join(&rt, &runtime, case).hibernate(1 << 20)).expect("snapshot") {
                    Hibernation::Done(hibernated) => hibernated,
                    Hibernation::Kept(..) => panic!("the view snapshots"),
                },
                |hibernated| {
                    rt.block_on(async {
                        let view = GuestView::instantiate(&runtime, &case.plugin).await.expect("instance");
                        let mut session = hibernated.wake(view).await.expect("restore");
                        black_box(session.event(case.event.clone()).await.expect("event").to_string());
                        session
                    })
                },
                BatchSize::SmallInput,
            )
        });
    }
}

criterion_group!(benches, lifecycle);
criterion_main!(benches);
