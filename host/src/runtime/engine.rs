//! The shared `Engine` and `Linker`, configured once per process.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Cache, CacheConfig, Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::bindings::LiveView;
use super::config::{EPOCH_TICK, Limits};
use super::error::{GuestError, LoadError};
use super::keyvalue::SharedMaps;
use super::pool::{Owner, Pool, Residency, Slot};
use super::store::StoreState;
use crate::pubsub::Hub;

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
    hub: Arc<Hub>,
    ticker_stop: Arc<AtomicBool>,
    cache: Option<Cache>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("limits", &self.inner.limits).finish_non_exhaustive()
    }
}

impl Runtime {
    /// A runtime that compiles every component it loads.
    pub fn new(limits: Limits) -> Result<Self, LoadError> {
        Self::with_compile_cache(limits, None)
    }

    /// A runtime whose compiled code is cached on disk in `cache_dir` (wasmtime's own cache,
    /// keyed by the module's hash, the engine's configuration and wasmtime's version, so a
    /// stale or foreign entry is never used): a restart with unchanged plugins, or a swap
    /// back to a recently served version, does not compile again.
    pub fn with_compile_cache(limits: Limits, cache_dir: Option<&std::path::Path>) -> Result<Self, LoadError> {
        let mut config = engine_config(&limits);
        let cache = match cache_dir {
            Some(dir) => {
                let mut cache_config = CacheConfig::new();
                cache_config.with_directory(dir);
                let cache = Cache::new(cache_config)
                    .map_err(|e| LoadError::Engine(format!("compile cache in {}: {e:#}", dir.display())))?;
                config.cache(Some(cache.clone()));
                Some(cache)
            }
            None => None,
        };
        let engine = Engine::new(&config).map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        let mut linker = Linker::new(&engine);
        super::wasi::add_to_linker(&mut linker).map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        LiveView::add_to_linker::<StoreState, HasSelf<StoreState>>(&mut linker, |state| state)
            .map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_epoch_ticker(engine.clone(), Arc::clone(&ticker_stop));
        let pool = Pool::new(limits.max_instances, limits.instance_wait);
        let maps = Arc::new(SharedMaps::default());
        let hub = Arc::new(Hub::new());
        Ok(Self { inner: Arc::new(Inner { engine, linker, limits, pool, maps, hub, ticker_stop, cache }) })
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

    /// The topics and presences of every session on this host.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.inner.hub
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

    /// Compiles served from the disk cache and compiles done, since start (zero without a
    /// cache).
    pub fn compile_cache_stats(&self) -> (usize, usize) {
        self.inner.cache.as_ref().map_or((0, 0), |cache| (cache.cache_hits(), cache.cache_misses()))
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
    let shape = limits.shape;
    let mut pool = PoolingAllocationConfig::default();
    // One component instance per awake session, each with as many core instances, memories
    // and tables as the largest plugin needs (`shape.rs`). Wasmtime adds a few core instances
    // of its own (adapter trampolines between nested components), so the totals keep a
    // margin over what the files declare. The same figures cap one component, so that a
    // component needing more is refused when it loads (its first instance), never later when
    // the pool runs dry under load.
    let per = |declared: u32| declared.saturating_add(declared / 4).saturating_add(2);
    pool.total_component_instances(n)
        .total_core_instances(n.saturating_mul(per(shape.core_instances)))
        .total_memories(n.saturating_mul(per(shape.memories)))
        .total_tables(n.saturating_mul(per(shape.tables)))
        .max_core_instances_per_component(per(shape.core_instances))
        .max_memories_per_component(per(shape.memories))
        .max_tables_per_component(per(shape.tables))
        .max_memories_per_module(shape.memories_per_module.max(1))
        .max_tables_per_module(shape.tables_per_module.max(1))
        .table_elements(usize::try_from(shape.table_elements).unwrap_or(usize::MAX))
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
