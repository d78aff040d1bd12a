//! A compiled view component with its imports resolved once (`InstancePre`).

use std::path::Path;

use wasmtime::component::Component;

use super::bindings::LiveViewPre;
use super::engine::Runtime;
use super::error::LoadError;
use super::store::StoreState;

/// One `plugins/*.wasm`, ready to instantiate many times.
#[derive(Clone)]
pub struct Plugin {
    name: String,
    pre: LiveViewPre<StoreState>,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Plugin {
    /// Compiles and links a component. This is CPU-heavy: call it off the request path.
    pub fn from_bytes(runtime: &Runtime, name: &str, bytes: &[u8]) -> Result<Self, LoadError> {
        let component = Component::new(runtime.engine(), bytes)
            .map_err(|e| LoadError::Compile { name: name.to_owned(), reason: format!("{e:#}") })?;
        let instance_pre = runtime
            .linker()
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Link { name: name.to_owned(), reason: format!("{e:#}") })?;
        let pre = LiveViewPre::new(instance_pre)
            .map_err(|e| LoadError::Link { name: name.to_owned(), reason: format!("{e:#}") })?;
        Ok(Self { name: name.to_owned(), pre })
    }

    /// Reads and compiles `path`; the plugin's name is the file stem.
    pub fn from_file(runtime: &Runtime, path: &Path) -> Result<Self, LoadError> {
        let bytes =
            std::fs::read(path).map_err(|source| LoadError::Read { path: path.display().to_string(), source })?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Self::from_bytes(runtime, &name, &bytes)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub(super) fn pre(&self) -> &LiveViewPre<StoreState> {
        &self.pre
    }
}
