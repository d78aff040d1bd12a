//! [`List`]: a change-tracked collection. A `:for` over `list.iter()` re-evaluates only the
//! items that changed since the last render; the others are reported unchanged by key, so a
//! 1,000-row table with one edited row costs one row, in the guest and on the wire.

use crate::html::generation;

/// A vector whose items know whether they changed since the last render.
#[derive(Debug, Clone)]
pub struct List<T> {
    items: Vec<Entry<T>>,
    changed_at: u64,
}

#[derive(Debug, Clone)]
struct Entry<T> {
    value: T,
    changed_at: u64,
}

/// One item of a [`List`] during a render: derefs to the item.
#[derive(Debug)]
pub struct Row<'a, T> {
    value: &'a T,
    changed: bool,
}

impl<T> std::ops::Deref for Row<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.value
    }
}

impl<'a, T> Row<'a, T> {
    /// Whether this item was written, or added, since the last render.
    pub fn changed(&self) -> bool {
        self.changed
    }

    pub fn get(&self) -> &'a T {
        self.value
    }
}

impl<T> Default for List<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> List<T> {
    pub fn new() -> Self {
        Self { items: Vec::new(), changed_at: generation() }
    }

    fn touch(&mut self) -> u64 {
        self.changed_at = generation();
        self.changed_at
    }

    /// Whether anything in the list changed since the last render.
    pub fn changed(&self) -> bool {
        self.changed_at == generation()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn push(&mut self, value: T) {
        let changed_at = self.touch();
        self.items.push(Entry { value, changed_at });
    }

    pub fn insert(&mut self, index: usize, value: T) {
        let changed_at = self.touch();
        self.items.insert(index, Entry { value, changed_at });
    }

    pub fn remove(&mut self, index: usize) -> T {
        self.touch();
        self.items.remove(index).value
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        self.items.get(index).map(|e| &e.value)
    }

    /// The item at `index`, marked changed.
    pub fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        let changed_at = self.touch();
        self.items.get_mut(index).map(|e| {
            e.changed_at = changed_at;
            &mut e.value
        })
    }

    /// Keeps the items for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.touch();
        self.items.retain(|e| keep(&e.value));
    }

    /// Reorders the items (an unchanged item that moves is sent as a move).
    pub fn sort_by_key<K: Ord>(&mut self, mut key: impl FnMut(&T) -> K) {
        self.touch();
        self.items.sort_by_key(|e| key(&e.value));
    }

    pub fn reverse(&mut self) {
        self.touch();
        self.items.reverse();
    }

    /// The items with their change flags, for `:for`.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_, T>> {
        let now = generation();
        self.items.iter().map(move |e| Row { value: &e.value, changed: e.changed_at == now })
    }

    /// The items, without change flags.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.items.iter().map(|e| &e.value)
    }
}

/// Serialized as an array of the items (for snapshots).
impl<T: serde::Serialize> serde::Serialize for List<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.values())
    }
}

/// Deserialized from an array of the items, each written since the last render (a restored
/// view's first render renders every row in full).
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for List<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(deserializer).map(Self::from_iter)
    }
}

impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let now = generation();
        Self { items: iter.into_iter().map(|value| Entry { value, changed_at: now }).collect(), changed_at: now }
    }
}

#[cfg(test)]
mod tests {
    use super::List;
    use crate::html::next_generation;

    #[test]
    fn a_list_round_trips_as_its_items_all_changed() {
        let mut list: List<(u32, String)> = [(1, "a".to_owned()), (2, "b".to_owned())].into_iter().collect();
        next_generation();
        list.get_mut(1).unwrap().1 = "B".into();
        let text = serde_json::to_string(&list).unwrap();
        assert_eq!(text, r#"[[1,"a"],[2,"B"]]"#);
        next_generation();
        let restored: List<(u32, String)> = serde_json::from_str(&text).unwrap();
        assert_eq!(restored.values().cloned().collect::<Vec<_>>(), [(1, "a".to_owned()), (2, "B".to_owned())]);
        assert!(restored.changed());
        assert!(restored.iter().all(|row| row.changed()));
        assert!(serde_json::from_str::<List<u8>>(r#"{"a":1}"#).is_err());
    }
}
