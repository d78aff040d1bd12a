//! Guest render time and bytes crossing the component boundary for a 1,000-row table after
//! one row changed: with the SDK's change tracking (`List`: only the changed row is rendered,
//! the others cross as keys) versus a full re-render (every row rendered and copied).
//! Needs `target/test-guests/table.wasm` (`cargo xtask build-plugins`).

// Benchmarks abort on setup failure.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use liveplug::diff::{PartNode, Parts};
use liveplug::runtime::{GuestView, Limits, MountContext, Plugin, Runtime, View};
use serde_json::json;

/// Bytes of the render output that cross the boundary: strings plus 4 bytes per index.
fn boundary_bytes(parts: &Parts) -> usize {
    let statics: usize = parts.new_templates.iter().map(|t| 8 + t.statics.iter().map(String::len).sum::<usize>()).sum();
    let nodes: usize = parts
        .nodes
        .iter()
        .map(|node| match node {
            PartNode::Text(text) => 4 + text.len(),
            PartNode::Tree { slots, .. } => 8 + 4 * slots.len(),
            PartNode::Keyed { items, .. } => {
                8 + items
                    .iter()
                    .map(|i| 4 + i.key.as_ref().map_or(0, String::len) + 4 * i.slots.as_ref().map_or(0, Vec::len))
                    .sum::<usize>()
            }
            PartNode::Stream(_) | PartNode::Component(_) | PartNode::Unchanged => 4,
        })
        .sum();
    statics + nodes
}

fn guest_render(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let runtime = Runtime::new(Limits::default()).expect("engine");
    let wasm = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-guests/table.wasm");
    let plugin = Plugin::from_file(&runtime, &wasm).expect("target/test-guests/table.wasm is built");
    let table = |full: bool| {
        rt.block_on(async {
            let mut view = GuestView::instantiate(&runtime, &plugin).await.expect("instance");
            let ctx = MountContext { params: json!({}), session: json!({}), connected: true, connect_params: None };
            view.mount(ctx).await.expect("mount");
            if full {
                view.handle_event("full", &json!({}), None).await.expect("full mode");
            }
            view.render().await.expect("first render");
            view
        })
    };
    let mut index = 0u64;
    let mut touch_and_render = |view: &mut GuestView| {
        index = (index + 7) % 1000;
        rt.block_on(async {
            view.handle_event("touch", &json!({"index": index}), None).await.expect("touch");
            view.render().await.expect("render")
        })
    };
    let mut tracked = table(false);
    let mut full = table(true);
    let (tracked_bytes, full_bytes) =
        (boundary_bytes(&touch_and_render(&mut tracked)), boundary_bytes(&touch_and_render(&mut full)));
    println!(
        "\nboundary bytes after one of 1000 rows changed: tracked {tracked_bytes}, full re-render {full_bytes} ({:.0}x)",
        full_bytes as f64 / tracked_bytes as f64
    );
    c.bench_function("1000-row table, one row changed: event + render, change tracking", |b| {
        b.iter(|| black_box(touch_and_render(&mut tracked)))
    });
    c.bench_function("1000-row table, one row changed: event + render, full re-render", |b| {
        b.iter(|| black_box(touch_and_render(&mut full)))
    });
}

criterion_group!(benches, guest_render);
criterion_main!(benches);
