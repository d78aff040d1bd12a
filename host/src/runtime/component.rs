//! A compiled view component with its imports resolved once (`InstancePre`).

use std::path::Path;
use std::sync::Arc;

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
    /// The live session it is served in, once it described itself (its `keyvalue` map).
    live_session: Option<Arc<str>>,
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
        Ok(Self { name: name.to_owned(), pre, live_session: None })
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

    /// The plugin served in `live_session`: its instances share that live session's map.
    pub fn in_live_session(mut self, live_session: Arc<str>) -> Self {
        self.live_session = Some(live_session);
        self
    }

    pub(super) fn live_session(&self) -> Option<&Arc<str>> {
        self.live_session.as_ref()
    }

    pub(super) fn pre(&self) -> &LiveViewPre<StoreState> {
        &self.pre
    }
}
