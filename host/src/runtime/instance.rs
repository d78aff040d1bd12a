//! One guest instance in its own `Store`, owned by one session task.

use std::time::{Duration, Instant};

use serde_json::Value;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Store, UpdateDeadline};
use wasmtime_wasi::WasiCtxBuilder;

use super::bindings::{Exports, parts, types};
use super::component::Plugin;
use super::engine::Runtime;
use super::error::GuestError;
use super::pool::{Owner, Slot};
use super::store::StoreState;
use super::view::{Effects, Flash, MountContext, View, ViewInfo};
use crate::diff;
use crate::pubsub::Message;

/// Trap messages kept in errors and logs are cut to this length.
const MAX_TRAP_MESSAGE: usize = 2048;

/// A live instance of a view component.
pub struct GuestView {
    store: Store<StoreState>,
    exports: Exports,
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
            hub: std::sync::Arc::clone(runtime.hub()),
            bound: None,
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
        let result = match plugin.pre().instantiate_async(&mut store).await {
            Ok(instance) => plugin.exports().load(&mut store, &instance),
            Err(error) => Err(error),
        };
        match result {
            Ok(exports) => Ok(Self { store, exports, poisoned: false, _slot: slot }),
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

    fn finish<T>(&mut self, result: wasmtime::Result<Result<T, types::ViewError>>) -> Result<T, GuestError> {
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
    /// A view without `describe` is served at its default route in the default live session.
    pub async fn describe(&mut self) -> Result<ViewInfo, GuestError> {
        let Some(describe) = &self.exports.describe else { return Ok(ViewInfo::default()) };
        let describe = describe.clone();
        self.begin()?;
        match describe.call_describe(&mut self.store).await {
            Ok(info) => Ok(ViewInfo { routes: info.routes, live_session: info.live_session }),
            Err(error) => Err(self.fault(&error)),
        }
    }
}

impl View for GuestView {
    async fn mount(&mut self, ctx: MountContext) -> Result<(), GuestError> {
        self.begin()?;
        let ctx = types::MountContext {
            params: ctx.params.to_string(),
            session: ctx.session.to_string(),
            connected: ctx.connected,
            connect_params: ctx.connect_params.map(|p| p.to_string()),
        };
        let result = self.exports.view.call_mount(&mut self.store, &ctx).await;
        self.finish(result)
    }

    async fn handle_params(&mut self, url: &str, params: &Value) -> Result<(), GuestError> {
        // Without `params` the view only hears of the URL through mount.
        let Some(export) = self.exports.params.clone() else { return Ok(()) };
        self.begin()?;
        let params = params.to_string();
        let result = export.call_handle_params(&mut self.store, url, &params).await;
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
        let result = self.exports.view.call_handle_event(&mut self.store, name, &value, target).await;
        let reply = self.finish(result)?;
        // A reply that is not JSON is delivered as a string rather than lost.
        Ok(reply.map(|text| serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    async fn handle_info(&mut self, message: &Message) -> Result<(), GuestError> {
        let Some(export) = self.exports.info.clone() else {
            tracing::debug!(plugin = %self.store.data().plugin, "message dropped: the view has no handle-info");
            return Ok(());
        };
        self.begin()?;
        let message = match message {
            Message::Sent(payload) => types::Message::Sent(payload.to_string()),
            Message::Broadcast { topic, payload } => {
                types::Message::Broadcast(types::Broadcast { topic: topic.to_string(), payload: payload.to_string() })
            }
            Message::Presence { topic, joins, leaves } => types::Message::Presence(types::PresenceDiff {
                topic: topic.to_string(),
                joins: joins.to_string(),
                leaves: leaves.to_string(),
            }),
        };
        let result = export.call_handle_info(&mut self.store, &message).await;
        self.finish(result)
    }

    async fn render(&mut self) -> Result<diff::Parts, GuestError> {
        self.begin()?;
        match self.exports.view.call_render(&mut self.store).await {
            Ok(parts) => convert(parts).map_err(GuestError::Malformed),
            Err(error) => Err(self.fault(&error)),
        }
    }

    async fn components_destroyed(&mut self, ids: Vec<u32>) -> Result<(), GuestError> {
        let Some(export) = self.exports.components.clone() else { return Ok(()) };
        self.begin()?;
        match export.call_components_destroyed(&mut self.store, &ids).await {
            Ok(()) => Ok(()),
            Err(error) => Err(self.fault(&error)),
        }
    }

    async fn snapshot(&mut self) -> Result<Option<String>, GuestError> {
        // Without `snapshot` the session keeps its instance.
        let Some(export) = self.exports.snapshot.clone() else { return Ok(None) };
        self.begin()?;
        match export.call_snapshot(&mut self.store).await {
            Ok(state) => Ok(state),
            Err(error) => Err(self.fault(&error)),
        }
    }

    async fn restore(&mut self, state: &str) -> Result<(), GuestError> {
        let Some(export) = self.exports.snapshot.clone() else {
            return Err(GuestError::View("the view has no snapshot export to restore from".into()));
        };
        self.begin()?;
        let result = export.call_restore(&mut self.store, state).await;
        self.finish(result)
    }

    fn bind(&mut self, session: crate::pubsub::SessionId, mailbox: &std::sync::Arc<crate::pubsub::Mailbox>) {
        let mailbox = std::sync::Arc::clone(mailbox);
        self.store.data_mut().bound = Some(super::realtime::Bound { session, mailbox });
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

/// Moves the guest's render output into the diff engine's types. Text and attribute values
/// are escaped here, once, by the host (`super::escape`); everything else moves without a copy.
fn convert(parts: parts::Parts) -> Result<diff::Parts, String> {
    let mut nodes = Vec::with_capacity(parts.nodes.len());
    for node in parts.nodes {
        nodes.push(match node {
            parts::Node::Text(text) => diff::PartNode::Text(diff::escape::text(text)),
            parts::Node::Raw(html) => diff::PartNode::Text(html),
            parts::Node::Attributes(attributes) => diff::PartNode::Text(diff::escape::attributes(
                attributes.iter().map(|a| (a.name.as_str(), a.value.as_deref())),
            )?),
            parts::Node::Tree(tree) => diff::PartNode::Tree { template: tree.template.into(), slots: tree.slots },
            parts::Node::Keyed(list) => diff::PartNode::Keyed {
                template: list.template.into(),
                items: list.items.into_iter().map(|i| diff::PartItem { key: i.key, slots: i.slots }).collect(),
            },
            parts::Node::Stream(ops) => diff::PartNode::Stream(diff::StreamOps {
                name: ops.name,
                template: ops.template.into(),
                inserts: ops.inserts.into_iter().map(stream_insert).collect::<Result<_, _>>()?,
                deletes: ops.deletes,
                reset: ops.reset,
            }),
            parts::Node::Component(id) => diff::PartNode::Component(id),
            parts::Node::Unchanged => diff::PartNode::Unchanged,
        });
    }
    let new_templates =
        parts.new_templates.into_iter().map(|t| diff::Template { id: t.id.into(), statics: t.statics }).collect();
    let components = parts.components.into_iter().map(|c| diff::ComponentRoot { id: c.id, root: c.root }).collect();
    Ok(diff::Parts { new_templates, nodes, root: parts.root, components })
}

/// The wire's stream position (`-1` appends, `0` prepends, `n` inserts at n) and limit
/// (positive keeps the first n, negative the last n).
fn stream_insert(insert: parts::StreamInsert) -> Result<diff::StreamInsert, String> {
    let index = |n: u32| i32::try_from(n).map_err(|_| format!("stream position {n} is out of range"));
    let at = match insert.at {
        parts::StreamPosition::Append => -1,
        parts::StreamPosition::Prepend => 0,
        parts::StreamPosition::Index(n) => index(n)?,
    };
    let limit = match insert.limit {
        None => None,
        Some(parts::StreamLimit::First(n)) => Some(index(n)?),
        Some(parts::StreamLimit::Last(n)) => Some(-index(n)?),
    };
    Ok(diff::StreamInsert { dom_id: insert.dom_id, at, limit, update_only: insert.update_only, slots: insert.slots })
}
