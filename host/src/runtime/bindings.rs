//! The one place that runs `bindgen!` over `wit/`; the rest of the runtime uses its types.
//!
//! The bindings are generated for the `live-view` world (every export), but a component needs
//! only `view`: [`ExportIndices`] looks each optional interface up on its own, so a view that
//! leaves one out gets the documented default instead of failing to load.

use wasmtime::AsContextMut;
use wasmtime::component::{Component, Instance, InstancePre};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "live-view",
    exports: { default: async },
});

pub use self::exports::liveplug::view::view as guest;
pub use self::exports::liveplug::view::{components, describe, info, params, snapshot};
pub use self::liveplug::view::{parts, types};

/// The version of the contract this host implements.
pub const PACKAGE: &str = "liveplug:view";
pub const VERSION: &str = "0.4.0";

/// Where each export of a component is, found once per plugin.
#[derive(Clone)]
pub struct ExportIndices {
    view: guest::GuestIndices,
    describe: Option<describe::GuestIndices>,
    params: Option<params::GuestIndices>,
    info: Option<info::GuestIndices>,
    components: Option<components::GuestIndices>,
    snapshot: Option<snapshot::GuestIndices>,
}

/// The exports of one instance.
pub struct Exports {
    pub view: guest::Guest,
    pub describe: Option<describe::Guest>,
    pub params: Option<params::Guest>,
    pub info: Option<info::Guest>,
    pub components: Option<components::Guest>,
    pub snapshot: Option<snapshot::Guest>,
}

/// `liveplug:view/<interface>@<version>`.
pub fn export_name(interface: &str) -> String {
    format!("{PACKAGE}/{interface}@{VERSION}")
}

impl ExportIndices {
    /// Finds the exports of `pre`'s component. The error says what is missing or wrong.
    pub fn new<T>(pre: &InstancePre<T>) -> Result<Self, String> {
        let component = pre.component();
        if component.get_export_index(None, export_name("view")).is_none() {
            return Err(missing_view(component));
        }
        let view = guest::GuestIndices::new(pre).map_err(|e| format!("{e:#}"))?;
        Ok(Self {
            view,
            describe: optional(pre, "describe", describe::GuestIndices::new)?,
            params: optional(pre, "params", params::GuestIndices::new)?,
            info: optional(pre, "info", info::GuestIndices::new)?,
            components: optional(pre, "components", components::GuestIndices::new)?,
            snapshot: optional(pre, "snapshot", snapshot::GuestIndices::new)?,
        })
    }

    /// The typed exports of a fresh `instance` of this component.
    pub fn load(&self, mut store: impl AsContextMut, instance: &Instance) -> wasmtime::Result<Exports> {
        let mut store = store.as_context_mut();
        Ok(Exports {
            view: self.view.load(&mut store, instance)?,
            describe: self.describe.as_ref().map(|i| i.load(&mut store, instance)).transpose()?,
            params: self.params.as_ref().map(|i| i.load(&mut store, instance)).transpose()?,
            info: self.info.as_ref().map(|i| i.load(&mut store, instance)).transpose()?,
            components: self.components.as_ref().map(|i| i.load(&mut store, instance)).transpose()?,
            snapshot: self.snapshot.as_ref().map(|i| i.load(&mut store, instance)).transpose()?,
        })
    }
}

/// An optional export: absent is fine, present with the wrong shape is not.
fn optional<T, I>(
    pre: &InstancePre<T>,
    interface: &str,
    new: impl FnOnce(&InstancePre<T>) -> wasmtime::Result<I>,
) -> Result<Option<I>, String> {
    if pre.component().get_export_index(None, export_name(interface)).is_none() {
        return Ok(None);
    }
    new(pre).map(Some).map_err(|e| format!("{e:#}"))
}

/// Why a component has no `view` export: built for another version of the contract, or not a
/// view at all.
fn missing_view(component: &Component) -> String {
    let engine = component.engine();
    let ours = format!("{PACKAGE}/");
    let other = component
        .component_type()
        .exports(engine)
        .map(|(name, _)| name.to_owned())
        .find(|name| name.starts_with(&ours));
    match other {
        Some(name) => format!(
            "it exports `{name}`, built for another version of the contract; this host implements \
             {PACKAGE}@{VERSION}: rebuild the view with a current SDK"
        ),
        None => format!("it does not export `{}`", export_name("view")),
    }
}
