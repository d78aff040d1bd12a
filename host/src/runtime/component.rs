//! A compiled view component with its imports resolved once (`InstancePre`).

use std::path::Path;
use std::sync::Arc;

use wasmtime::component::{Component, InstancePre};

use super::bindings::ExportIndices;
use super::engine::Runtime;
use super::error::LoadError;
use super::shape::Shape;
use super::store::StoreState;

/// One `plugins/*.wasm`, ready to instantiate many times.
#[derive(Clone)]
pub struct Plugin {
    name: String,
    pre: InstancePre<StoreState>,
    exports: Arc<ExportIndices>,
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
        let refused = |reason: String| LoadError::Link { name: name.to_owned(), reason };
        // A component the pool cannot hold is refused before it costs a compile.
        if let Ok(needed) = Shape::of_component(bytes) {
            runtime.limits().shape.fits(&needed).map_err(refused)?;
        }
        let component = Component::new(runtime.engine(), bytes)
            .map_err(|e| LoadError::Compile { name: name.to_owned(), reason: format!("{e:#}") })?;
        // Named refusals first: the linker's own error would only say "not found".
        super::wasi::check_imports(&component).map_err(refused)?;
        let pre = runtime.linker().instantiate_pre(&component).map_err(|e| refused(format!("{e:#}")))?;
        let exports = ExportIndices::new(&pre).map_err(refused)?;
        Ok(Self { name: name.to_owned(), pre, exports: Arc::new(exports), live_session: None })
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

    pub(super) fn pre(&self) -> &InstancePre<StoreState> {
        &self.pre
    }

    pub(super) fn exports(&self) -> &ExportIndices {
        &self.exports
    }
}
