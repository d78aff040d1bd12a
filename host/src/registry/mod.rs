//! The `plugins/` directory: which views exist and the compiled component of each.
//!
//! Compiling is CPU-heavy and happens off the request path; sessions only ever read a
//! finished [`Plugin`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::runtime::{LoadError, Plugin, Runtime};

/// The views this host serves, by name (the `.wasm` file stem).
#[derive(Debug)]
pub struct Registry {
    dir: PathBuf,
    plugins: RwLock<BTreeMap<String, Plugin>>,
}

/// The outcome of a directory scan: what loaded and what was rejected.
#[derive(Debug, Default)]
pub struct ScanReport {
    pub loaded: Vec<String>,
    pub rejected: Vec<LoadError>,
}

impl Registry {
    /// Loads every `*.wasm` in `dir` (compiling on blocking threads). A module that fails to
    /// compile or to link is reported and skipped; the others are served.
    pub async fn load(runtime: &Runtime, dir: &Path) -> std::io::Result<(Arc<Self>, ScanReport)> {
        let registry = Arc::new(Self { dir: dir.to_owned(), plugins: RwLock::new(BTreeMap::new()) });
        let mut report = ScanReport::default();
        let mut tasks = Vec::new();
        for path in wasm_files(dir)? {
            let runtime = runtime.clone();
            tasks.push(tokio::task::spawn_blocking(move || Plugin::from_file(&runtime, &path)));
        }
        for task in tasks {
            match task.await {
                Ok(Ok(plugin)) => {
                    report.loaded.push(plugin.name().to_owned());
                    registry.insert(plugin);
                }
                Ok(Err(error)) => report.rejected.push(error),
                Err(join_error) => report.rejected.push(LoadError::Engine(join_error.to_string())),
            }
        }
        report.loaded.sort();
        Ok((registry, report))
    }

    /// The plugin serving `name`.
    pub fn get(&self, name: &str) -> Option<Plugin> {
        self.read().get(name).cloned()
    }

    /// Every view name, sorted.
    pub fn names(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn insert(&self, plugin: Plugin) {
        let mut plugins = match self.plugins.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        plugins.insert(plugin.name().to_owned(), plugin);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Plugin>> {
        match self.plugins.read() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

fn wasm_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_wasm = path.extension().is_some_and(|e| e == "wasm");
        let valid_name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        if is_wasm && valid_name && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
