//! The `keyvalue` capability: one in-memory map per live session, shared by the views of that
//! live session on this host, bounded in keys and bytes.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use super::bindings::liveplug::view::keyvalue::Host;
use super::store::StoreState;

/// Longest key, longest value, and what one live session's map may hold.
const MAX_KEY: usize = 256;
const MAX_VALUE: usize = 64 * 1024;
const MAX_KEYS: usize = 100_000;
const MAX_BYTES: usize = 16 << 20;

/// Every live session's map.
#[derive(Debug, Default)]
pub struct SharedMaps {
    spaces: Mutex<HashMap<Arc<str>, Space>>,
}

#[derive(Debug, Default)]
struct Space {
    entries: BTreeMap<String, String>,
    bytes: usize,
}

impl SharedMaps {
    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, Space>> {
        match self.spaces.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub fn get(&self, space: &str, key: &str) -> Option<String> {
        self.lock().get(space).and_then(|s| s.entries.get(key).cloned())
    }

    pub fn set(&self, space: &Arc<str>, key: String, value: String) -> Result<(), String> {
        if key.len() > MAX_KEY {
            return Err(format!("keys have at most {MAX_KEY} bytes"));
        }
        if value.len() > MAX_VALUE {
            return Err(format!("values have at most {MAX_VALUE} bytes"));
        }
        let mut spaces = self.lock();
        let space = spaces.entry(Arc::clone(space)).or_default();
        let old = space.entries.get(&key).map_or(0, |v| key.len() + v.len());
        let bytes = space.bytes - old + key.len() + value.len();
        if bytes > MAX_BYTES || (old == 0 && space.entries.len() >= MAX_KEYS) {
            return Err(format!("the live session's map is full ({MAX_KEYS} keys, {MAX_BYTES} bytes)"));
        }
        space.bytes = bytes;
        space.entries.insert(key, value);
        Ok(())
    }

    pub fn delete(&self, space: &str, key: &str) -> bool {
        let mut spaces = self.lock();
        let Some(space) = spaces.get_mut(space) else { return false };
        match space.entries.remove(key) {
            Some(value) => {
                space.bytes -= key.len() + value.len();
                true
            }
            None => false,
        }
    }

    pub fn keys(&self, space: &str, prefix: &str) -> Vec<String> {
        let spaces = self.lock();
        let Some(space) = spaces.get(space) else { return Vec::new() };
        space
            .entries
            .range(prefix.to_owned()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(prefix))
            .cloned()
            .collect()
    }
}

impl Host for StoreState {
    fn get(&mut self, key: String) -> Option<String> {
        let (maps, space) = self.keyvalue.as_ref()?;
        maps.get(space, &key)
    }

    fn set(&mut self, key: String, value: String) -> Result<(), String> {
        let Some((maps, space)) = self.keyvalue.as_ref() else {
            return Err("no live session yet (describe runs before the view is served)".into());
        };
        maps.set(space, key, value)
    }

    fn delete(&mut self, key: String) -> bool {
        self.keyvalue.as_ref().is_some_and(|(maps, space)| maps.delete(space, &key))
    }

    fn keys(&mut self, prefix: String) -> Vec<String> {
        self.keyvalue.as_ref().map(|(maps, space)| maps.keys(space, &prefix)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{MAX_VALUE, SharedMaps};

    #[test]
    fn maps_are_per_live_session_and_bounded() {
        let maps = SharedMaps::default();
        let a: Arc<str> = "a".into();
        let b: Arc<str> = "b".into();
        maps.set(&a, "issue:1".into(), "x".into()).expect("set");
        maps.set(&a, "issue:2".into(), "y".into()).expect("set");
        maps.set(&a, "other".into(), "z".into()).expect("set");
        assert_eq!(maps.get("a", "issue:1").as_deref(), Some("x"));
        assert_eq!(maps.get("b", "issue:1"), None);
        assert_eq!(maps.keys("a", "issue:"), ["issue:1", "issue:2"]);
        assert!(maps.delete("a", "issue:1"));
        assert!(!maps.delete("a", "issue:1"));
        assert!(maps.set(&b, "k".into(), "v".repeat(MAX_VALUE + 1)).is_err());
        assert!(maps.set(&b, "k".repeat(300), "v".into()).is_err());
        assert_eq!(maps.keys("b", ""), Vec::<String>::new());
    }
}
