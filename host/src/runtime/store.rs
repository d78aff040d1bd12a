//! The data of one guest's `Store`: its WASI context, its limits, and the effects the current
//! handler collected. Each capability sees only its own slice of it.

use std::time::Instant;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::instance::GuestLimiter;
use super::view::{Effects, Flash};

pub struct StoreState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub limiter: GuestLimiter,
    /// The plugin's name, for log lines.
    pub plugin: String,
    /// When the current guest call started; the epoch callback compares it to the budget.
    pub call_started: Instant,
    /// The wall-clock budget of one call.
    pub call_budget: std::time::Duration,
    pub effects: Effects,
    /// The session's flash messages (the session moves them in and out around hibernation).
    pub flash: Flash,
    /// The shared maps and this view's live session, once the view is served.
    pub keyvalue: Option<(std::sync::Arc<super::keyvalue::SharedMaps>, std::sync::Arc<str>)>,
    /// Topics and presences, which `presence.list` reads.
    pub hub: std::sync::Arc<crate::pubsub::Hub>,
    /// The session this instance serves and its connection's mailbox, once bound; pubsub
    /// and presence calls of an unbound instance (the dead render) do nothing.
    pub bound: Option<super::realtime::Bound>,
}

impl WasiView for StoreState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}
