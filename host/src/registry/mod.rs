//! The `plugins/` directory: which views exist, the compiled component of each, and the
//! routes they declared.
//!
//! Compiling is CPU-heavy and happens off the request path; sessions only ever read a
//! finished [`Plugin`].

mod routes;
pub mod watch;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde_json::{Map, Value};

pub use self::routes::{Pattern, RouteError, RouteTable, Routed, path_of};
use crate::runtime::{GuestView, LoadError, Plugin, Runtime, Shape, ViewInfo};

/// The live session of views that name none.
pub const DEFAULT_LIVE_SESSION: &str = "default";

/// The views this host serves, by name (the `.wasm` file stem).
#[derive(Debug)]
pub struct Registry {
    dir: PathBuf,
    state: RwLock<State>,
    /// Bumped whenever a view's code changes or a view goes away: live sessions then compare
    /// their view's generation with [`Registry::generation`] and move.
    epoch: tokio::sync::watch::Sender<u64>,
    /// How the sessions of each view's last swap moved.
    swaps: std::sync::Mutex<BTreeMap<String, SwapReport>>,
}

/// How the live sessions of one swap moved to the new code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapReport {
    pub generation: u64,
    pub started: std::time::Instant,
    /// Sessions whose state was carried over (snapshot, restore, diff).
    pub carried: u64,
    /// Sessions that could not carry their state: they ended and their clients remount.
    pub remounted: u64,
    /// Sessions that will move at their next event (no free instance when the swap came).
    pub deferred: u64,
    /// When the last session moved.
    pub last: Option<std::time::Instant>,
}

/// How one session moved in a swap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    Carried,
    Remounted,
    Deferred,
}

#[derive(Debug, Default)]
struct State {
    views: BTreeMap<String, Served>,
    routes: RouteTable,
    /// The last generation handed out (each version of each view gets its own).
    generations: u64,
}

/// A plugin as it is served.
#[derive(Debug, Clone)]
pub struct Served {
    pub plugin: Plugin,
    /// Its live session: live navigation stays on the socket only within one.
    pub live_session: Arc<str>,
    /// Which version of the view this is: a new one for every load.
    pub generation: u64,
}

/// Where a URL leads: the view, its live session and the path parameters.
#[derive(Debug, Clone)]
pub struct Destination {
    pub view: String,
    pub live_session: Arc<str>,
    pub path_params: Map<String, Value>,
}

/// The outcome of a directory scan: what loaded and what was rejected.
#[derive(Debug, Default)]
pub struct ScanReport {
    pub loaded: Vec<String>,
    pub rejected: Vec<LoadError>,
}

impl Registry {
    /// An empty registry for `dir`.
    pub fn empty(dir: &Path) -> Arc<Self> {
        Arc::new(Self {
            dir: dir.to_owned(),
            state: RwLock::new(State::default()),
            epoch: tokio::sync::watch::channel(0).0,
            swaps: std::sync::Mutex::default(),
        })
    }

    /// Loads every `*.wasm` in `dir` (compiling on blocking threads). A module that fails to
    /// compile, to link, to describe itself or to route is reported and skipped; the others
    /// are served.
    pub async fn load(runtime: &Runtime, dir: &Path) -> std::io::Result<(Arc<Self>, ScanReport)> {
        let registry = Self::empty(dir);
        let mut report = ScanReport::default();
        let mut tasks = Vec::new();
        for path in wasm_files(dir)? {
            let runtime = runtime.clone();
            tasks.push(tokio::task::spawn_blocking(move || Plugin::from_file(&runtime, &path)));
        }
        // In file order, so that of two conflicting routes the same one always wins.
        for task in tasks {
            let loaded = match task.await {
                Ok(Ok(plugin)) => registry.add(runtime, plugin).await,
                Ok(Err(error)) => Err(error),
                Err(join_error) => Err(LoadError::Engine(join_error.to_string())),
            };
            match loaded {
                Ok(name) => report.loaded.push(name),
                Err(error) => report.rejected.push(error),
            }
        }
        report.loaded.sort();
        Ok((registry, report))
    }

    /// Asks `plugin` to describe itself and serves it at its routes. Returns its name.
    pub async fn add(&self, runtime: &Runtime, plugin: Plugin) -> Result<String, LoadError> {
        let name = plugin.name().to_owned();
        let describe_error = |reason: String| LoadError::Describe { name: name.clone(), reason };
        let mut view = GuestView::instantiate(runtime, &plugin).await.map_err(|e| describe_error(e.to_string()))?;
        let info = view.describe().await.map_err(|e| describe_error(e.to_string()))?;
        drop(view);
        self.insert(plugin, info)?;
        Ok(name)
    }

    /// Serves `plugin` with what it declared, in place of the version served so far (whose
    /// sessions then move to it). On an error the previous version keeps serving.
    pub fn insert(&self, plugin: Plugin, info: ViewInfo) -> Result<(), LoadError> {
        let name = plugin.name().to_owned();
        let routes = if info.routes.is_empty() { vec![format!("/{name}")] } else { info.routes };
        let live_session = match info.live_session {
            Some(session) if session.is_empty() || session.len() > 128 => {
                return Err(LoadError::Describe { name, reason: "a live session name has 1 to 128 bytes".into() });
            }
            Some(session) => session,
            None => DEFAULT_LIVE_SESSION.to_owned(),
        };
        let live_session: Arc<str> = live_session.into();
        let plugin = plugin.in_live_session(Arc::clone(&live_session));
        let mut state = self.write();
        state
            .routes
            .insert(&name, &routes)
            .map_err(|e| LoadError::Route { name: name.clone(), reason: e.to_string() })?;
        state.generations += 1;
        let generation = state.generations;
        let replaced = state.views.insert(name.clone(), Served { plugin, live_session, generation }).is_some();
        drop(state);
        if replaced {
            let report = SwapReport {
                generation,
                started: std::time::Instant::now(),
                carried: 0,
                remounted: 0,
                deferred: 0,
                last: None,
            };
            self.lock_swaps().insert(name, report);
            self.epoch.send_modify(|epoch| *epoch += 1);
        }
        Ok(())
    }

    /// Counts one session of view `name` moved to `generation`.
    pub fn moved(&self, name: &str, generation: u64, how: Moved) {
        let mut swaps = self.lock_swaps();
        let Some(report) = swaps.get_mut(name).filter(|r| r.generation == generation) else { return };
        match how {
            Moved::Carried => report.carried += 1,
            Moved::Remounted => report.remounted += 1,
            Moved::Deferred => report.deferred += 1,
        }
        report.last = Some(std::time::Instant::now());
    }

    /// How the sessions of `name`'s last swap moved so far.
    pub fn swap_report(&self, name: &str) -> Option<SwapReport> {
        self.lock_swaps().get(name).cloned()
    }

    fn lock_swaps(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, SwapReport>> {
        match self.swaps.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Stops serving `name`: no new joins, and its live sessions end (their clients reload).
    /// Returns whether it was served.
    pub fn remove(&self, name: &str) -> bool {
        let mut state = self.write();
        state.routes.remove(name);
        let removed = state.views.remove(name).is_some();
        drop(state);
        if removed {
            self.epoch.send_modify(|epoch| *epoch += 1);
        }
        removed
    }

    /// The generation of the version of `name` served now; `None` once it is not served.
    pub fn generation(&self, name: &str) -> Option<u64> {
        self.read().views.get(name).map(|served| served.generation)
    }

    /// Changes whenever a served view's code changes or a view goes away.
    pub fn code_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.epoch.subscribe()
    }

    /// The plugin serving the view `name`.
    pub fn get(&self, name: &str) -> Option<Served> {
        self.read().views.get(name).cloned()
    }

    /// The view `url` (an absolute URL or a path) routes to.
    pub fn route(&self, url: &str) -> Option<Destination> {
        let state = self.read();
        let routed = state.routes.route(url)?;
        // Only the live session: routing runs on every patch, and nothing there needs the
        // plugin itself.
        let live_session = Arc::clone(&state.views.get(routed.view)?.live_session);
        Some(Destination { view: routed.view.to_owned(), live_session, path_params: routed.params })
    }

    /// Every view name with a path to link to it (when one of its routes has no
    /// parameters), sorted by name.
    pub fn index(&self) -> Vec<(String, Option<String>)> {
        let state = self.read();
        state.views.keys().map(|name| (name.clone(), state.routes.link(name).map(str::to_owned))).collect()
    }

    /// The names of the views served.
    pub fn names(&self) -> Vec<String> {
        self.read().views.keys().cloned().collect()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        match self.state.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        match self.state.read() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// The pool shape that fits every plugin in `dir` (and the SDKs' small views): call it before
/// creating the runtime. A file that cannot be read or parsed is skipped here; loading it
/// reports why.
pub fn pool_shape(dir: &Path) -> Shape {
    let files = wasm_files(dir).unwrap_or_default();
    files
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .filter_map(|bytes| Shape::of_component(&bytes).ok())
        .fold(Shape::default(), Shape::max)
}

/// Whether `path` names a plugin: `<name>.wasm`, the name of letters, digits, `_` and `-`
/// (a temporary file such as `counter.wasm.part` or `.counter.wasm` is not one).
pub(crate) fn is_plugin_file(path: &Path) -> bool {
    let is_wasm = path.extension().is_some_and(|e| e == "wasm");
    let valid_name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    is_wasm && valid_name
}

fn wasm_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if is_plugin_file(&path) && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
