//! Watching the plugins directory: a `.wasm` that appears is compiled and served, one that
//! changes is swapped in under its live sessions, one that goes away stops being served.
//!
//! File events are debounced (`notify-debouncer-full`) and handled one file at a time by a
//! single task, so a change that arrives while another compiles waits its turn instead of
//! racing it. A file is read only once its size and modification time have stayed the same
//! for [`SETTLE`] (a copy in progress is never loaded; an atomic rename is best). A file that
//! does not load (not a component, another contract version, imports the host does not grant,
//! fails to instantiate or to describe itself) is refused with one log line naming it and the
//! reason, and the version served before keeps serving.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::{Registry, is_plugin_file};
use crate::runtime::{LoadError, Plugin, Runtime};

/// How long a file must stay unchanged before it is read.
pub const SETTLE: Duration = Duration::from_millis(150);
/// A swap's sessions are done moving when none moved for this long.
const SWAP_QUIET: Duration = Duration::from_millis(500);
/// The swap report is logged after this long at the latest.
const SWAP_REPORT_LIMIT: Duration = Duration::from_secs(60);
/// A file still changing after this long is read anyway (and refused if it is incomplete).
const SETTLE_LIMIT: Duration = Duration::from_secs(30);

/// What happened to one file.
#[derive(Debug)]
pub enum Change {
    /// A new view, served at its routes.
    Added { name: String, generation: u64, took: Duration },
    /// A new version of a served view; its sessions move to it.
    Swapped { name: String, generation: u64, took: Duration },
    /// The file went away: the view is no longer served.
    Removed { name: String },
    /// The file is the same bytes as the version served.
    Unchanged { name: String },
    /// The file did not load; what was served before (if anything) still is.
    Refused { name: String, error: LoadError },
}

/// The running watcher; it stops when dropped.
pub struct Watcher {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").finish_non_exhaustive()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts watching the registry's directory. `debounce` groups the events of one write;
/// `on_change` hears about each file handled (the server logs them; tests wait on them).
pub fn watch(
    runtime: Runtime,
    registry: Arc<Registry>,
    debounce: Duration,
    on_change: impl Fn(&Change) + Send + Sync + 'static,
) -> Result<Watcher, notify_debouncer_full::notify::Error> {
    let dir = registry.dir().to_owned();
    let (tx, rx) = mpsc::unbounded_channel::<Vec<PathBuf>>();
    let mut debouncer = new_debouncer(debounce, None, move |result: DebounceEventResult| match result {
        Ok(events) => {
            // Reading a file is an event too (ours included): only writes, creations,
            // renames and removals count.
            let paths: Vec<PathBuf> = events
                .into_iter()
                .filter(|e| !matches!(e.event.kind, EventKind::Access(_) | EventKind::Other))
                .flat_map(|e| e.event.paths)
                .collect();
            if paths.is_empty() {
                return;
            }
            let _ = tx.send(paths);
        }
        Err(errors) => {
            for error in errors {
                tracing::warn!(%error, "watching the plugins directory");
            }
        }
    })?;
    debouncer.watch(&dir, RecursiveMode::NonRecursive)?;
    // What is served now, by content: a file rewritten with the same bytes is no change.
    let mut hashes = HashMap::new();
    for name in registry.names() {
        if let Ok(bytes) = std::fs::read(dir.join(format!("{name}.wasm"))) {
            hashes.insert(name, hash(&bytes));
        }
    }
    let task = tokio::spawn(handle(runtime, registry, rx, hashes, on_change));
    Ok(Watcher { _debouncer: debouncer, task })
}

async fn handle(
    runtime: Runtime,
    registry: Arc<Registry>,
    mut rx: mpsc::UnboundedReceiver<Vec<PathBuf>>,
    mut hashes: HashMap<String, [u8; 32]>,
    on_change: impl Fn(&Change),
) {
    while let Some(paths) = rx.recv().await {
        // Everything that piled up while the previous files compiled, once per file.
        let mut pending: BTreeSet<PathBuf> = paths.into_iter().filter(|p| is_plugin_file(p)).collect();
        while let Ok(more) = rx.try_recv() {
            pending.extend(more.into_iter().filter(|p| is_plugin_file(p)));
        }
        for path in pending {
            let change = apply(&runtime, &registry, &path, &mut hashes).await;
            log(&change);
            if let Change::Swapped { name, generation, .. } = &change {
                tokio::spawn(report_swap(Arc::clone(&registry), name.clone(), *generation));
            }
            on_change(&change);
        }
    }
}

/// Loads, swaps or removes the view of `path`.
async fn apply(runtime: &Runtime, registry: &Registry, path: &Path, hashes: &mut HashMap<String, [u8; 32]>) -> Change {
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let Some(bytes) = settled(path).await else {
        hashes.remove(&name);
        return if registry.remove(&name) { Change::Removed { name } } else { Change::Unchanged { name } };
    };
    let digest = hash(&bytes);
    if hashes.get(&name) == Some(&digest) && registry.generation(&name).is_some() {
        return Change::Unchanged { name };
    }
    let start = Instant::now();
    let compiled = {
        let (runtime, name) = (runtime.clone(), name.clone());
        tokio::task::spawn_blocking(move || Plugin::from_bytes(&runtime, &name, &bytes)).await
    };
    let plugin = match compiled {
        Ok(Ok(plugin)) => plugin,
        Ok(Err(error)) => return Change::Refused { name, error },
        Err(join) => return Change::Refused { name, error: LoadError::Engine(join.to_string()) },
    };
    let existed = registry.generation(&name).is_some();
    if let Err(error) = registry.add(runtime, plugin).await {
        return Change::Refused { name, error };
    }
    hashes.insert(name.clone(), digest);
    let generation = registry.generation(&name).unwrap_or_default();
    let took = start.elapsed();
    if existed { Change::Swapped { name, generation, took } } else { Change::Added { name, generation, took } }
}

/// Once the sessions of a swap stopped moving (nothing for [`SWAP_QUIET`]), one log line
/// says how many were carried over, remounted or deferred, and when the last one moved.
async fn report_swap(registry: Arc<Registry>, name: String, generation: u64) {
    let mut seen = None;
    loop {
        tokio::time::sleep(SWAP_QUIET).await;
        let Some(report) = registry.swap_report(&name).filter(|r| r.generation == generation) else { return };
        let moved = (report.carried, report.remounted, report.deferred);
        if seen == Some(moved) || report.started.elapsed() > SWAP_REPORT_LIMIT {
            tracing::info!(
                plugin = %name,
                generation,
                carried = report.carried,
                remounted = report.remounted,
                deferred = report.deferred,
                last_moved_ms = report.last.map(|last| last.duration_since(report.started).as_millis() as u64),
                "plugin swap done"
            );
            return;
        }
        seen = Some(moved);
    }
}

/// The file's bytes once it stopped changing; `None` when it is not there (any more).
async fn settled(path: &Path) -> Option<Vec<u8>> {
    let stat = |path: &Path| -> Option<(u64, Option<SystemTime>)> {
        let meta = std::fs::metadata(path).ok().filter(std::fs::Metadata::is_file)?;
        Some((meta.len(), meta.modified().ok()))
    };
    let start = Instant::now();
    let mut last = stat(path)?;
    loop {
        tokio::time::sleep(SETTLE).await;
        let now = stat(path)?;
        if now == last || start.elapsed() > SETTLE_LIMIT {
            break;
        }
        last = now;
    }
    std::fs::read(path).ok()
}

fn hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn log(change: &Change) {
    match change {
        Change::Added { name, generation, took } => {
            tracing::info!(plugin = %name, generation, ms = took.as_millis() as u64, "plugin added");
        }
        Change::Swapped { name, generation, took } => {
            tracing::info!(
                plugin = %name,
                generation,
                ms = took.as_millis() as u64,
                "plugin swapped: its live sessions move to the new code"
            );
        }
        Change::Removed { name } => tracing::info!(plugin = %name, "plugin removed: its sessions end"),
        Change::Unchanged { name } => tracing::debug!(plugin = %name, "plugin file touched, content unchanged"),
        Change::Refused { name, error } => {
            tracing::error!(plugin = %name, %error, "plugin refused: the version served before keeps serving");
        }
    }
}
