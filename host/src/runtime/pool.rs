//! The instance pool: a fixed number of slots (the pooling allocator's size), used as a cache
//! over sessions rather than one slot per session.
//!
//! A session whose view can snapshot registers a [`Residency`] while it is awake. When a
//! join or a wake finds every slot taken, the pool picks the least recently used resident and
//! asks its owner (the connection that holds the session) to hibernate it, which frees the
//! slot; only when no resident can be evicted does the request wait, and past
//! `Limits::instance_wait` it fails with [`GuestError::Busy`].
//!
//! The owner is told through a [`tokio::sync::Notify`] it selects on; the resident's flag says
//! which of its sessions to hibernate. Picking scans the residents (at most the pool size),
//! which happens only when the pool is full; a touch on every event is one atomic store.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::error::GuestError;

/// How long a waiting request gives an asked resident to hibernate before it asks the next.
const EVICTION_GRACE: Duration = Duration::from_millis(50);

/// A free pool slot: the right to hold one instance. Released on drop.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

/// Instance slots plus the residents that may be evicted from them.
#[derive(Debug)]
pub(super) struct Pool {
    slots: Arc<Semaphore>,
    size: usize,
    wait: Duration,
    residents: Arc<Residents>,
}

#[derive(Debug)]
struct Residents {
    started: Instant,
    next_id: AtomicU64,
    map: Mutex<HashMap<u64, Arc<Resident>>>,
}

#[derive(Debug)]
struct Resident {
    /// Milliseconds since the pool started, at the session's last activity.
    last_used: AtomicU64,
    /// Set when the pool wants this session hibernated.
    evict: AtomicBool,
    owner: Arc<Owner>,
}

/// Whoever holds sessions (one per connection): told when one of its sessions must give up
/// its instance.
#[derive(Debug, Default)]
pub struct Owner {
    notify: Notify,
}

impl Owner {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Resolves when the pool asked one of this owner's residents to hibernate (check each
    /// with [`Residency::eviction_requested`]).
    pub async fn evictions(&self) {
        self.notify.notified().await;
    }
}

/// An awake session's place in the eviction order. Dropping it (the session hibernated or
/// ended) removes it.
#[derive(Debug)]
pub struct Residency {
    id: u64,
    resident: Arc<Resident>,
    residents: Weak<Residents>,
}

impl Residency {
    /// Marks the session as just used: the last to be evicted.
    pub fn touch(&self) {
        if let Some(residents) = self.residents.upgrade() {
            self.resident.last_used.store(residents.now(), Ordering::Relaxed);
        }
    }

    /// Whether the pool asked for this session's instance.
    pub fn eviction_requested(&self) -> bool {
        self.resident.evict.load(Ordering::Relaxed)
    }
}

impl Drop for Residency {
    fn drop(&mut self) {
        if let Some(residents) = self.residents.upgrade() {
            residents.lock().remove(&self.id);
        }
    }
}

impl Residents {
    fn now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Resident>>> {
        // A panic while holding this lock cannot leave the map inconsistent (every operation
        // is a single insert, remove or scan), so a poisoned lock is still usable.
        self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Pool {
    pub fn new(size: u32, wait: Duration) -> Self {
        let size = usize::try_from(size).unwrap_or(usize::MAX).min(Semaphore::MAX_PERMITS);
        Self {
            slots: Arc::new(Semaphore::new(size)),
            size,
            wait,
            residents: Arc::new(Residents {
                started: Instant::now(),
                next_id: AtomicU64::new(0),
                map: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Slots in use right now.
    pub fn in_use(&self) -> usize {
        self.size - self.slots.available_permits()
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Registers an awake session of `owner` as evictable.
    pub fn reside(&self, owner: &Arc<Owner>) -> Residency {
        let id = self.residents.next_id.fetch_add(1, Ordering::Relaxed);
        let resident = Arc::new(Resident {
            last_used: AtomicU64::new(self.residents.now()),
            evict: AtomicBool::new(false),
            owner: Arc::clone(owner),
        });
        self.residents.lock().insert(id, Arc::clone(&resident));
        Residency { id, resident, residents: Arc::downgrade(&self.residents) }
    }

    /// A free slot. When none is free, the least recently used resident of another owner is
    /// asked to hibernate first; `me` is the caller's own owner, whose sessions it cannot
    /// hibernate while it waits here.
    pub async fn acquire(&self, me: Option<&Arc<Owner>>) -> Result<Slot, GuestError> {
        if let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() {
            return Ok(Slot { _permit: permit });
        }
        let deadline = tokio::time::Instant::now() + self.wait;
        loop {
            let asked = self.evict_one(me);
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(GuestError::Busy);
            }
            // Without anyone to evict, wait for a slot to come back for the rest of the time.
            let wait = if asked { EVICTION_GRACE.min(deadline - now) } else { deadline - now };
            match tokio::time::timeout(wait, Arc::clone(&self.slots).acquire_owned()).await {
                Ok(Ok(permit)) => return Ok(Slot { _permit: permit }),
                Ok(Err(_)) => return Err(GuestError::Busy),
                Err(_) if tokio::time::Instant::now() >= deadline => return Err(GuestError::Busy),
                Err(_) => {}
            }
        }
    }

    /// Asks the least recently used resident not already asked (and not `me`'s) to hibernate.
    fn evict_one(&self, me: Option<&Arc<Owner>>) -> bool {
        let victim = {
            let map = self.residents.lock();
            map.values()
                .filter(|r| !r.evict.load(Ordering::Relaxed))
                .filter(|r| me.is_none_or(|me| !Arc::ptr_eq(me, &r.owner)))
                .min_by_key(|r| r.last_used.load(Ordering::Relaxed))
                .cloned()
        };
        match victim {
            Some(victim) => {
                victim.evict.store(true, Ordering::Relaxed);
                victim.owner.notify.notify_one();
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_pool_asks_the_least_recently_used_resident_of_another_owner() {
        let pool = Pool::new(2, Duration::from_millis(200));
        let (a, b, me) = (Owner::new(), Owner::new(), Owner::new());
        let slot_a = pool.acquire(None).await.expect("free slot");
        let slot_b = pool.acquire(None).await.expect("free slot");
        let res_a = pool.reside(&a);
        let res_b = pool.reside(&b);
        tokio::time::sleep(Duration::from_millis(5)).await;
        res_a.touch();
        assert_eq!(pool.in_use(), 2);
        // `b` is the least recently used: it is asked, and its slot comes back.
        let waiter = {
            let b = Arc::clone(&b);
            tokio::spawn(async move {
                b.evictions().await;
                drop(slot_b);
            })
        };
        let slot = pool.acquire(Some(&me)).await.expect("b gave its slot");
        assert!(res_b.eviction_requested());
        assert!(!res_a.eviction_requested());
        waiter.await.expect("waiter");
        drop((slot, slot_a));
    }

    #[tokio::test]
    async fn without_residents_a_full_pool_refuses_after_the_wait() {
        let pool = Pool::new(1, Duration::from_millis(30));
        let me = Owner::new();
        let _held = pool.acquire(None).await.expect("free slot");
        // The only resident is the caller's own: it is not asked.
        let own = pool.reside(&me);
        assert_eq!(pool.acquire(Some(&me)).await.err(), Some(GuestError::Busy));
        assert!(!own.eviction_requested());
        drop(own);
        assert!(pool.residents.lock().is_empty());
    }
}
