//! One guest instance in its own `Store`, owned by one session task.

use std::time::{Duration, Instant};

use serde_json::Value;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Store, UpdateDeadline};
use wasmtime_wasi::WasiCtxBuilder;

use super::bindings::{LiveView, guest, parts};
use super::component::Plugin;
use super::engine::Runtime;
use super::error::GuestError;
use super::pool::{Owner, Slot};
use super::store::StoreState;
use super::view::{Effects, Flash, MountContext, View, ViewInfo};
use crate::diff;

/// Trap messages kept in errors and logs are cut to this length.
const MAX_TRAP_MESSAGE: usize = 2048;

/// A live instance of a view component.
pub struct GuestView {
    store: Store<StoreState>,
    bindings: LiveView,
    /// Set after a trap, a deadline or an out-of-memory: the instance's state is unknown.
    poisoned: bool,
    /// The pool slot this instance occupies, released on drop.
    _slot: Slot,
}

impl std::fmt::Debug for GuestView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuestView")
            .field("plugin", &self.store.data().plugin)
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

/// Memory accounting for one store: refuses growth past the limit and remembers that it did,
/// so that the resulting trap is reported as what it is.
pub(super) struct GuestLimiter {
    max_memory: usize,
    pub exceeded: bool,
}

impl ResourceLimiter for GuestLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = desired <= self.max_memory;
        self.exceeded |= !allowed;
        Ok(allowed)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// The deadline marker the epoch callback raises.
#[derive(Debug)]
struct DeadlineExceeded;

impl std::fmt::Display for DeadlineExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("guest call deadline exceeded")
    }
}

impl std::error::Error for DeadlineExceeded {}

impl GuestView {
    /// Instantiates `plugin` in a fresh store, waiting for a free pool slot if needed.
    pub async fn instantiate(runtime: &Runtime, plugin: &Plugin) -> Result<Self, GuestError> {
        Self::instantiate_for(runtime, plugin, None).await
    }

    /// [`GuestView::instantiate`] for a session of `owner`: when the pool is full, the least
    /// recently used idle session of another owner is hibernated to make room.
    pub async fn instantiate_for(
        runtime: &Runtime,
        plugin: &Plugin,
        owner: Option<&std::sync::Arc<Owner>>,
    ) -> Result<Self, GuestError> {
        let slot = runtime.instance_slot(owner).await?;
        let limits = runtime.limits();
        // Views get no environment, no files, no sockets and no stdio: only what the WIT
        // imports give them.
        let wasi = WasiCtxBuilder::new().build();
        let state = StoreState {
            wasi,
            table: ResourceTable::new(),
            limiter: GuestLimiter { max_memory: limits.max_memory_bytes, exceeded: false },
            plugin: plugin.name().to_owned(),
            call_started: Instant::now(),
            call_budget: limits.call_timeout,
            effects: Effects::default(),
            flash: Flash::default(),
            keyvalue: plugin
                .live_session()
                .map(|session| (std::sync::Arc::clone(runtime.maps()), std::sync::Arc::clone(session))),
        };
        let mut store = Store::new(runtime.engine(), state);
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|ctx| {
            let state = ctx.data();
            if state.call_started.elapsed() > state.call_budget {
                Err(wasmtime::Error::new(DeadlineExceeded))
            } else {
                // Let the other sessions of this thread run, then keep going.
                Ok(UpdateDeadline::Yield(1))
            }
        });
        // Instantiation runs the guest's start code: it is bounded like any call.
        store.data_mut().call_started = Instant::now();
        let result = plugin.pre().instantiate_async(&mut store).await;
        match result {
            Ok(bindings) => Ok(Self { store, bindings, poisoned: false, _slot: slot }),
            Err(error) => Err(classify(store.data_mut(), &error, budget_ms(limits.call_timeout))),
        }
    }

    fn begin(&mut self) -> Result<(), GuestError> {
        if self.poisoned {
            return Err(GuestError::Poisoned);
        }
        let state = self.store.data_mut();
        state.call_started = Instant::now();
        self.store.set_epoch_deadline(1);
        Ok(())
    }

    fn fault(&mut self, error: &wasmtime::Error) -> GuestError {
        self.poisoned = true;
        let budget = budget_ms(self.store.data().call_budget);
        let fault = classify(self.store.data_mut(), error, budget);
        tracing::warn!(plugin = %self.store.data().plugin, %fault, "guest fault");
        fault
    }

    fn finish<T>(&mut self, result: wasmtime::Result<Result<T, guest::ViewError>>) -> Result<T, GuestError> {
        if result.is_ok()
            && let Some(fault) = self.store.data_mut().effects.fault.take()
        {
            // The instance itself is fine; the session ends because the view asked for
            // something it cannot have.
            tracing::warn!(plugin = %self.store.data().plugin, %fault, "capability misused");
            return Err(GuestError::Capability(cut(fault)));
        }
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(refusal)) => Err(GuestError::View(cut(refusal.message))),
            Err(error) => Err(self.fault(&error)),
        }
    }
}

impl GuestView {
    /// What the view declares about itself (routes, live session).
    pub async fn describe(&mut self) -> Result<ViewInfo, GuestError> {
        self.begin()?;
        match self.bindings.liveplug_view_view().call_describe(&mut self.store).await {
            Ok(info) => Ok(ViewInfo { routes: info.routes, live_session: info.live_session }),
            Err(error) => Err(self.fault(&error)),
        }
    }
}

impl View for GuestView {
    async fn mount(&mut self, ctx: MountContext) -> Result<(), GuestError> {
        self.begin()?;
        let ctx = guest::MountContext {
            params: ctx.params.to_string(),
            session: ctx.session.to_string(),
            connected: ctx.connected,
            connect_params: ctx.connect_params.map(|p| p.to_string()),
        };
        let result = self.bindings.liveplug_view_view().call_mount(&mut self.store, &ctx).await;
        self.finish(result)
    }

    async fn handle_params(&mut self, url: &str, params: &Value) -> Result<(), GuestError> {
        self.begin()?;
        let params = params.to_string();
        let result = self.bindings.liveplug_view_view().call_handle_params(&mut self.store, url, &params).await;
        self.finish(result)
    }

    async fn handle_event(
        &mut self,
        name: &str,
        value: &Value,
        target: Option<u32>,
    ) -> Result<Option<Value>, GuestError> {
        self.begin()?;
        let value = value.to_string();
        let result = self.bindings.liveplug_view_view().call_handle_event(&mut self.store, name, &value, target).await;
        let reply = self.finish(result)?;
        // A reply that is not JSON is delivered as a string rather than lost.
        Ok(reply.map(|text| serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    async fn handle_info(&mut self, message: &Value) -> Result<(), GuestError> {
        self.begin()?;
        let message = message.to_string();
        let result = self.bindings.liveplug_view_view().call_handle_info(&mut self.store, &message).await;
        self.finish(result)
    }

    async fn render(&mut self) -> Result<diff::Parts, GuestError> {
        self.begin()?;
        match self.bindings.liveplug_view_view().call_render(&mut self.store).await {
            Ok(parts) => Ok(convert(parts)),
            Err(error) => Err(self.fault(&error)),
        }
    }

    async fn components_destroyed(&mut self, ids: Vec<u32>) -> Result<(), GuestError> {
        self.begin()?;
        match self.bindings.liveplug_view_view().call_components_destroyed(&mut self.store, &ids).await {
            Ok(()) => Ok(()),
            Err(error) => Err(self.fault(&error)),
        }
    }

    async fn snapshot(&mut self) -> Result<Option<String>, GuestError> {
        self.begin()?;
        match self.bindings.liveplug_view_view().call_snapshot(&mut self.store).await {
            Ok(state) => Ok(state),
            Err(error) => Err(self.fault(&error)),
        }
    }

    async fn restore(&mut self, state: &str) -> Result<(), GuestError> {
        self.begin()?;
        let result = self.bindings.liveplug_view_view().call_restore(&mut self.store, state).await;
        self.finish(result)
    }

    fn take_effects(&mut self) -> Effects {
        std::mem::take(&mut self.store.data_mut().effects)
    }

    fn flash_mut(&mut self) -> &mut Flash {
        &mut self.store.data_mut().flash
    }
}

/// Names a fault by its cause: our deadline, our memory limit, or the guest's own trap.
fn classify(state: &mut StoreState, error: &wasmtime::Error, budget_ms: u128) -> GuestError {
    if error.downcast_ref::<DeadlineExceeded>().is_some() {
        GuestError::Deadline(budget_ms)
    } else if std::mem::take(&mut state.limiter.exceeded) {
        GuestError::OutOfMemory
    } else {
        GuestError::Trap(cut(format!("{error:#}")))
    }
}

fn budget_ms(budget: Duration) -> u128 {
    budget.as_millis()
}

fn cut(mut message: String) -> String {
    if message.len() > MAX_TRAP_MESSAGE {
        let mut end = MAX_TRAP_MESSAGE;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    message
}

/// Moves the guest's render output into the diff engine's types (no copies of strings).
fn convert(parts: parts::Parts) -> diff::Parts {
    let nodes = parts
        .nodes
        .into_iter()
        .map(|node| match node {
            parts::Node::Text(text) => diff::PartNode::Text(text),
            parts::Node::Tree(tree) => diff::PartNode::Tree { template: tree.template, slots: tree.slots },
            parts::Node::Keyed(list) => diff::PartNode::Keyed {
                template: list.template,
                items: list.items.into_iter().map(|i| diff::PartItem { key: i.key, slots: i.slots }).collect(),
            },
            parts::Node::Stream(ops) => diff::PartNode::Stream(diff::StreamOps {
                name: ops.name,
                template: ops.template,
                inserts: ops
                    .inserts
                    .into_iter()
                    .map(|i| diff::StreamInsert {
                        dom_id: i.dom_id,
                        at: i.at,
                        limit: i.limit,
                        update_only: i.update_only,
                        slots: i.slots,
                    })
                    .collect(),
                deletes: ops.deletes,
                reset: ops.reset,
            }),
            parts::Node::Component(id) => diff::PartNode::Component(id),
            parts::Node::Unchanged => diff::PartNode::Unchanged,
        })
        .collect();
    let new_templates =
        parts.new_templates.into_iter().map(|t| diff::Template { id: t.id, statics: t.statics }).collect();
    let components = parts.components.into_iter().map(|c| diff::ComponentRoot { id: c.id, root: c.root }).collect();
    diff::Parts { new_templates, nodes, root: parts.root, components }
}
