//! Resource limits for guests. Every default says why it is what it is, and each can be
//! overridden by the environment (see `Limits::from_env`).

use std::time::Duration;

use super::shape::Shape;

/// How much one guest may use, and how many may run at once.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Linear memory per instance. 64 MiB holds any reasonable view's state many times over,
    /// and bounds what a memory bomb costs the host. `LIVEPLUG_MAX_MEMORY_MB`.
    pub max_memory_bytes: usize,
    /// Wall-clock budget for one guest call (mount, one event, one render...). Views answer
    /// user input; anything slower than a second is a bug or an attack.
    /// `LIVEPLUG_CALL_TIMEOUT_MS`.
    pub call_timeout: Duration,
    /// Instances alive at once: awake sessions plus dead renders in progress. Sizes the
    /// pooling allocator. It caps awake instances, not sessions: idle sessions hibernate and
    /// give their slot back, and a full pool hibernates its least recently used idle session
    /// before a join waits. 1,000 awake instances cost about 100 MB of touched guest memory
    /// for small views. `LIVEPLUG_MAX_INSTANCES`.
    pub max_instances: u32,
    /// How long a join waits for a free instance slot (only when no idle session can be
    /// hibernated to make room) before it is refused.
    pub instance_wait: Duration,
    /// What one instance may need from the pool (core instances, memories, tables): derive it
    /// from the plugins with [`crate::registry::pool_shape`] before creating the runtime, so
    /// that interpreted guests (Python, JavaScript) fit.
    pub shape: Shape,
}

/// How often the epoch ticks: the granularity of the call deadline and of the points where a
/// long guest call yields to the other tasks of its thread.
pub(super) const EPOCH_TICK: Duration = Duration::from_millis(10);

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_memory_bytes: 64 << 20,
            call_timeout: Duration::from_secs(1),
            max_instances: 1000,
            instance_wait: Duration::from_secs(5),
            shape: Shape::default(),
        }
    }
}

impl Limits {
    /// Defaults, overridden by `LIVEPLUG_MAX_MEMORY_MB`, `LIVEPLUG_CALL_TIMEOUT_MS` and
    /// `LIVEPLUG_MAX_INSTANCES` when they are set to numbers.
    pub fn from_env() -> Self {
        let mut limits = Self::default();
        if let Some(mb) = env_number("LIVEPLUG_MAX_MEMORY_MB") {
            limits.max_memory_bytes = usize::try_from(mb).unwrap_or(usize::MAX).saturating_mul(1 << 20);
        }
        if let Some(ms) = env_number("LIVEPLUG_CALL_TIMEOUT_MS") {
            limits.call_timeout = Duration::from_millis(ms);
        }
        if let Some(n) = env_number("LIVEPLUG_MAX_INSTANCES") {
            limits.max_instances = u32::try_from(n).unwrap_or(u32::MAX).max(1);
        }
        limits
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}
