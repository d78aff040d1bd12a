//! The same view written with each SDK (the counter: `examples/counter`, `counter-js`,
//! `counter-py`, `counter-c`), measured in process on the optimized build: component size,
//! compile time cold and from the disk cache, instantiate + mount + first render, one event
//! round trip (event, render, diff), resident memory per awake session, and what a hibernated
//! session keeps that depends on the language (its snapshot; the rest of a hibernated session,
//! the diff state the client holds and the socket, is the same for every language and is
//! measured with the load tool, `BENCHMARKS.md`).
//! Prints a Markdown table for `BENCHMARKS.md`.
//!
//!     cargo xtask bench -- languages      (or: cargo bench -p liveplug-host --bench languages)
//!
//! Not a criterion bench: a cold compile takes seconds and memory is not a time. Each timing is
//! the median of several runs; awake memory is the growth of this process's resident set divided
//! by the number of sessions (the growth of a few thousand hibernated sessions is lost in the
//! allocator's reuse of what the compiles freed, so their snapshot is counted instead).

// Benchmarks abort on setup failure.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use liveplug::runtime::{GuestView, Limits, Plugin, Runtime, Shape};
use liveplug::session::{Hibernated, Hibernation, LiveSession, MountRequest};
use serde_json::json;
use tokio::runtime::Runtime as Tokio;

/// Awake sessions per memory measurement (each holds an instance).
const SESSIONS: usize = 50;

fn target_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

fn component(language: &str) -> PathBuf {
    match language {
        "rust" => PathBuf::from(liveplug_guest_artifacts::path("counter").expect("the Rust counter is built")),
        suffix => {
            let path = target_dir().join("polyglot").join(format!("counter-{suffix}.wasm"));
            assert!(path.is_file(), "{} is missing: run `cargo xtask build-plugins`", path.display());
            path
        }
    }
}

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn request(name: &str) -> MountRequest {
    MountRequest {
        url: format!("http://localhost/{name}"),
        session: json!({}),
        connect_params: Some(json!({})),
        ..Default::default()
    }
}

fn join(rt: &Tokio, runtime: &Runtime, plugin: &Plugin, name: &str) -> LiveSession<GuestView> {
    rt.block_on(async {
        let view = GuestView::instantiate(runtime, plugin).await.expect("instance");
        LiveSession::join(view, request(name)).await.expect("join").0
    })
}

fn hibernate(rt: &Tokio, session: LiveSession<GuestView>) -> Hibernated {
    match rt.block_on(session.hibernate(1 << 20)).expect("snapshot") {
        Hibernation::Done(hibernated) => hibernated,
        Hibernation::Kept(..) => panic!("the counter snapshots"),
    }
}

fn kib(bytes: usize) -> String {
    if bytes < 1024 { format!("{bytes} B") } else { format!("{:.1} KiB", bytes as f64 / 1024.0) }
}

fn ms(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{} µs", d.as_micros())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let languages = ["rust", "js", "py", "c"];
    let shape = languages
        .iter()
        .map(|l| Shape::of_component(&std::fs::read(component(l)).expect("read")).expect("a component"))
        .fold(Shape::default(), Shape::max);
    let limits = Limits { shape, max_instances: (SESSIONS + 10) as u32, ..Limits::default() };
    println!(
        "| counter in | size | compile cold | compile cached | instantiate + mount + render | event round trip | RSS per awake session | hibernated: snapshot |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for language in languages {
        let path = component(language);
        let name = match language {
            "rust" => "counter".to_owned(),
            suffix => format!("counter-{suffix}"),
        };
        let size = std::fs::metadata(&path).expect("size").len();

        // Cold: a runtime without a cache. Cached: a warm cache directory, a new runtime.
        let runtime = Runtime::new(limits.clone()).expect("engine");
        let cold = median(
            (0..3)
                .map(|_| {
                    let started = Instant::now();
                    Plugin::from_file(&runtime, &path).expect("compiles");
                    started.elapsed()
                })
                .collect(),
        );
        let cache = target_dir().join(format!("bench-compile-cache-{language}"));
        let _ = std::fs::remove_dir_all(&cache);
        Plugin::from_file(&Runtime::with_compile_cache(limits.clone(), Some(&cache)).expect("engine"), &path)
            .expect("compiles");
        let cached = median(
            (0..5)
                .map(|_| {
                    let runtime = Runtime::with_compile_cache(limits.clone(), Some(&cache)).expect("engine");
                    let started = Instant::now();
                    Plugin::from_file(&runtime, &path).expect("loads");
                    started.elapsed()
                })
                .collect(),
        );
        let _ = std::fs::remove_dir_all(&cache);

        let plugin = Plugin::from_file(&runtime, &path).expect("compiles");
        let mount = median(
            (0..30)
                .map(|_| {
                    let started = Instant::now();
                    let session = join(&rt, &runtime, &plugin, &name);
                    let elapsed = started.elapsed();
                    drop(session);
                    elapsed
                })
                .collect(),
        );
        let mut session = join(&rt, &runtime, &plugin, &name);
        let inc = json!({"type": "click", "event": "inc", "value": {"value": ""}});
        for _ in 0..50 {
            rt.block_on(session.event(inc.clone())).expect("event");
        }
        let event = median(
            (0..500)
                .map(|_| {
                    let started = Instant::now();
                    rt.block_on(session.event(inc.clone())).expect("event");
                    started.elapsed()
                })
                .collect(),
        );
        drop(session);

        // Hibernated: the snapshot of a session after one event. Awake: SESSIONS joined
        // sessions at once.
        let mut session = join(&rt, &runtime, &plugin, &name);
        rt.block_on(session.event(inc.clone())).expect("event");
        let snapshot = hibernate(&rt, session).snapshot_len();
        let before = resident_bytes();
        let awake: Vec<_> = (0..SESSIONS).map(|_| join(&rt, &runtime, &plugin, &name)).collect();
        let per_awake = resident_bytes().saturating_sub(before) / SESSIONS;
        drop(awake);

        println!(
            "| {language} | {:.2} MiB | {} | {} | {} | {} | {} | {} |",
            size as f64 / (1 << 20) as f64,
            ms(cold),
            ms(cached),
            ms(mount),
            ms(event),
            kib(per_awake),
            kib(snapshot),
        );
    }
}
