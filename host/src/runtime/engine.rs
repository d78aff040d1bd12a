//! The shared `Engine` and `Linker`, configured once per process.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::bindings::LiveView;
use super::config::{EPOCH_TICK, Limits};
use super::error::{GuestError, LoadError};
use super::keyvalue::SharedMaps;
use super::pool::{Owner, Pool, Residency, Slot};
use super::store::StoreState;

/// Everything guests share: the engine, the linker with every host capability, the limits and
/// the instance slots. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    linker: Linker<StoreState>,
    limits: Limits,
    pool: Pool,
    maps: Arc<SharedMaps>,
    ticker_stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("limits", &self.inner.limits).finish_non_exhaustive()
    }
}

impl Runtime {
    pub fn new(limits: Limits) -> Result<Self, LoadError> {
        let engine = Engine::new(&engine_config(&limits)).map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        LiveView::add_to_linker::<StoreState, HasSelf<StoreState>>(&mut linker, |state| state)
            .map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_epoch_ticker(engine.clone(), Arc::clone(&ticker_stop));
        let pool = Pool::new(limits.max_instances, limits.instance_wait);
        let maps = Arc::new(SharedMaps::default());
        Ok(Self { inner: Arc::new(Inner { engine, linker, limits, pool, maps, ticker_stop }) })
    }

    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    pub(super) fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The `keyvalue` maps of every live session.
    pub(super) fn maps(&self) -> &Arc<SharedMaps> {
        &self.inner.maps
    }

    pub(super) fn linker(&self) -> &Linker<StoreState> {
        &self.inner.linker
    }

    /// A free instance slot, evicting the least recently used idle session of another owner
    /// when the pool is full (see `pool.rs`).
    pub(super) async fn instance_slot(&self, me: Option<&Arc<Owner>>) -> Result<Slot, GuestError> {
        self.inner.pool.acquire(me).await
    }

    /// Registers an awake session of `owner` as one the pool may ask to hibernate.
    pub fn reside(&self, owner: &Arc<Owner>) -> Residency {
        self.inner.pool.reside(owner)
    }

    /// Instances alive right now, and the pool's size.
    pub fn instances(&self) -> (usize, usize) {
        (self.inner.pool.in_use(), self.inner.pool.size())
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

fn engine_config(limits: &Limits) -> Config {
    let n = limits.max_instances;
    let mut pool = PoolingAllocationConfig::default();
    // One component instance per session; a Rust or C guest has a handful of core instances,
    // memories and tables (the WASI adapter and its shims), interpreted guests a few more.
    pool.total_component_instances(n)
        .total_core_instances(n.saturating_mul(4))
        .total_memories(n.saturating_mul(2))
        .total_tables(n.saturating_mul(4))
        // Async calls run on fiber stacks; one per instance in flight.
        .total_stacks(n)
        .max_memory_size(limits.max_memory_bytes)
        // Keep a few freed slots warm so the next join reuses already-mapped memory.
        .max_unused_warm_slots(n.min(100));
    let mut config = Config::new();
    config
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
        // Copy-on-write memory images make instantiation cost microseconds, not a copy of the
        // guest's data segment.
        .memory_init_cow(true)
        // Epochs bound every call in time without per-instruction fuel accounting.
        .epoch_interruption(true)
        // Enough native stack for deep but legitimate guest recursion; overflow is a trap.
        .max_wasm_stack(1 << 20)
        .wasm_component_model(true);
    config
}

fn spawn_epoch_ticker(engine: Engine, stop: Arc<AtomicBool>) {
    let spawned = std::thread::Builder::new().name("liveplug-epoch".into()).spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(EPOCH_TICK);
            engine.increment_epoch();
        }
    });
    if let Err(error) = spawned {
        // Without the ticker a runaway guest would never be interrupted; refuse to pretend.
        tracing::error!(%error, "cannot start the epoch ticker; guest deadlines are disabled");
    }
}
