//! Who is on which topic (Phoenix.Presence): one meta per tracking session, grouped by key,
//! and the diffs each change makes. Pure state; the hub broadcasts the diffs.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::message::{Message, SessionId};

/// One session's meta under a key.
#[derive(Debug, Clone)]
struct Entry {
    session: SessionId,
    phx_ref: Arc<str>,
    meta: Map<String, Value>,
}

/// A change on one topic, as Phoenix.Presence diffs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    /// `key → metas` that arrived.
    pub joins: BTreeMap<String, Vec<Value>>,
    /// `key → metas` that left.
    pub leaves: BTreeMap<String, Vec<Value>>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.joins.is_empty() && self.leaves.is_empty()
    }

    /// The `handle-info` message for subscribers of `topic`.
    pub fn message(&self, topic: &str) -> Message {
        Message::Presence {
            topic: topic.into(),
            joins: metas_json(&self.joins).to_string().into(),
            leaves: metas_json(&self.leaves).to_string().into(),
        }
    }
}

fn metas_json(map: &BTreeMap<String, Vec<Value>>) -> Value {
    Value::Object(map.iter().map(|(key, metas)| (key.clone(), json!({ "metas": metas }))).collect())
}

/// One presence as hosts tell each other about it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Shared {
    pub topic: String,
    pub key: String,
    pub phx_ref: String,
    pub meta: Map<String, Value>,
}

/// Every tracked session on this host, by topic and key, and what the other hosts last said
/// they track.
#[derive(Debug, Default)]
pub struct Presence {
    topics: HashMap<Arc<str>, BTreeMap<String, Vec<Entry>>>,
    /// Other hosts' presences, by host: ref → presence.
    remote: HashMap<String, BTreeMap<String, Shared>>,
}

impl Presence {
    pub fn new() -> Self {
        Self::default()
    }

    /// Tracks `session` under `key` on `topic` with `meta` and the fresh ref `phx_ref`;
    /// tracking again replaces the meta (a leave under the old ref, a join under the new one
    /// that names the old as `phx_ref_prev`, as Phoenix's `update`).
    pub fn track(
        &mut self,
        topic: &str,
        key: &str,
        session: SessionId,
        meta: Map<String, Value>,
        phx_ref: Arc<str>,
    ) -> Diff {
        let entries = self.topics.entry(topic.into()).or_default().entry(key.to_owned()).or_default();
        let mut diff = Diff::default();
        let mut joined = wire_meta(&meta, &phx_ref);
        if let Some(old) = entries.iter_mut().find(|e| e.session == session) {
            diff.leaves.entry(key.to_owned()).or_default().push(wire_meta(&old.meta, &old.phx_ref));
            if let Value::Object(map) = &mut joined {
                map.insert("phx_ref_prev".into(), Value::from(&*old.phx_ref));
            }
            old.meta = meta;
            old.phx_ref = phx_ref;
        } else {
            entries.push(Entry { session, phx_ref, meta });
        }
        diff.joins.entry(key.to_owned()).or_default().push(joined);
        diff
    }

    /// Stops tracking `session` under `key` on `topic`.
    pub fn untrack(&mut self, topic: &str, key: &str, session: SessionId) -> Diff {
        let mut diff = Diff::default();
        let Some(keys) = self.topics.get_mut(topic) else { return diff };
        if let Some(entries) = keys.get_mut(key) {
            entries.retain(|e| {
                let leaving = e.session == session;
                if leaving {
                    diff.leaves.entry(key.to_owned()).or_default().push(wire_meta(&e.meta, &e.phx_ref));
                }
                !leaving
            });
            if entries.is_empty() {
                keys.remove(key);
            }
        }
        if keys.is_empty() {
            self.topics.remove(topic);
        }
        diff
    }

    /// `{key: {"metas": [...]}}` for `topic`: this host's metas, then the other hosts'.
    pub fn list(&self, topic: &str) -> Value {
        let mut list: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for (key, entries) in self.topics.get(topic).into_iter().flatten() {
            list.entry(key).or_default().extend(entries.iter().map(|e| wire_meta(&e.meta, &e.phx_ref)));
        }
        for shared in self.remote.values().flat_map(BTreeMap::values).filter(|s| s.topic == topic) {
            list.entry(&shared.key).or_default().push(wire_meta(&shared.meta, &shared.phx_ref));
        }
        Value::Object(list.into_iter().map(|(key, metas)| (key.to_owned(), json!({ "metas": metas }))).collect())
    }

    /// What this host tracks, for the other hosts.
    pub fn shared(&self) -> Vec<Shared> {
        let mut all = Vec::new();
        for (topic, keys) in &self.topics {
            for (key, entries) in keys {
                for e in entries {
                    all.push(Shared {
                        topic: topic.to_string(),
                        key: key.clone(),
                        phx_ref: e.phx_ref.to_string(),
                        meta: e.meta.clone(),
                    });
                }
            }
        }
        all
    }

    /// The local presence of `session` under `key` on `topic`, as shared.
    pub fn shared_one(&self, topic: &str, key: &str, session: SessionId) -> Option<Shared> {
        let entry = self.topics.get(topic)?.get(key)?.iter().find(|e| e.session == session)?;
        Some(Shared {
            topic: topic.to_owned(),
            key: key.to_owned(),
            phx_ref: entry.phx_ref.to_string(),
            meta: entry.meta.clone(),
        })
    }

    /// Host `node` tracks `shared` (a new presence, or a new meta under a new ref).
    pub fn remote_join(&mut self, node: &str, shared: Shared) -> Diff {
        let mut diff = Diff::default();
        // Known already (from a state that crossed this join): nothing changes.
        if self.remote.get(node).is_some_and(|refs| refs.contains_key(&shared.phx_ref)) {
            return diff;
        }
        diff.joins.entry(shared.key.clone()).or_default().push(wire_meta(&shared.meta, &shared.phx_ref));
        self.remote.entry(node.to_owned()).or_default().insert(shared.phx_ref.clone(), shared);
        diff
    }

    /// Host `node` replaced the meta of its presence `old_ref` with `shared` (a new ref): one
    /// diff, the old meta leaving and the new one joining with `phx_ref_prev`, as a local
    /// update.
    pub fn remote_update(&mut self, node: &str, old_ref: &str, shared: Shared) -> Diff {
        let mut diff = Diff::default();
        let refs = self.remote.entry(node.to_owned()).or_default();
        if let Some(old) = refs.remove(old_ref) {
            diff.leaves.entry(old.key.clone()).or_default().push(wire_meta(&old.meta, &old.phx_ref));
        }
        if refs.contains_key(&shared.phx_ref) {
            return diff;
        }
        let mut joined = wire_meta(&shared.meta, &shared.phx_ref);
        if let Value::Object(map) = &mut joined {
            map.insert("phx_ref_prev".into(), Value::from(old_ref));
        }
        diff.joins.entry(shared.key.clone()).or_default().push(joined);
        refs.insert(shared.phx_ref.clone(), shared);
        diff
    }

    /// Host `node` no longer tracks the presence `phx_ref`. Returns its topic and the diff.
    pub fn remote_leave(&mut self, node: &str, phx_ref: &str) -> Option<(String, Diff)> {
        let refs = self.remote.get_mut(node)?;
        let gone = refs.remove(phx_ref)?;
        if refs.is_empty() {
            self.remote.remove(node);
        }
        let mut diff = Diff::default();
        diff.leaves.entry(gone.key.clone()).or_default().push(wire_meta(&gone.meta, &gone.phx_ref));
        Some((gone.topic, diff))
    }

    /// Host `node` tracks exactly `state` (its answer to a newcomer, or after a reconnect):
    /// the diffs, by topic, from what it was known to track.
    pub fn remote_state(&mut self, node: &str, state: Vec<Shared>) -> Vec<(String, Diff)> {
        let old = self.remote.remove(node).unwrap_or_default();
        let new: BTreeMap<String, Shared> = state.into_iter().map(|s| (s.phx_ref.clone(), s)).collect();
        let mut diffs: BTreeMap<String, Diff> = BTreeMap::new();
        for (phx_ref, gone) in old.iter().filter(|(r, _)| !new.contains_key(*r)) {
            let diff = diffs.entry(gone.topic.clone()).or_default();
            diff.leaves.entry(gone.key.clone()).or_default().push(wire_meta(&gone.meta, phx_ref));
        }
        for (phx_ref, came) in new.iter().filter(|(r, _)| !old.contains_key(*r)) {
            let diff = diffs.entry(came.topic.clone()).or_default();
            diff.joins.entry(came.key.clone()).or_default().push(wire_meta(&came.meta, phx_ref));
        }
        if !new.is_empty() {
            self.remote.insert(node.to_owned(), new);
        }
        diffs.into_iter().collect()
    }

    /// Host `node` is gone (it stopped answering): everything it tracked leaves.
    pub fn remote_down(&mut self, node: &str) -> Vec<(String, Diff)> {
        self.remote_state(node, Vec::new())
    }

    /// The hosts whose presences are known.
    pub fn remote_nodes(&self) -> Vec<String> {
        self.remote.keys().cloned().collect()
    }

    /// Metas tracked in all, over every topic and key.
    pub fn len(&self) -> usize {
        self.topics.values().flat_map(BTreeMap::values).map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }
}

/// A meta as the wire has it: the view's object plus `phx_ref`.
fn wire_meta(meta: &Map<String, Value>, phx_ref: &str) -> Value {
    let mut meta = meta.clone();
    meta.insert("phx_ref".into(), Value::from(phx_ref));
    Value::Object(meta)
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::{Presence, SessionId};

    fn meta(name: &str) -> Map<String, Value> {
        let Value::Object(map) = json!({ "name": name }) else { unreachable!() };
        map
    }

    #[test]
    fn two_tabs_are_one_presence_with_two_metas() {
        let mut presence = Presence::new();
        let (a, b) = (SessionId::next(), SessionId::next());
        let diff = presence.track("room", "alice", a, meta("tab 1"), "n1.1".into());
        assert_eq!(diff.joins["alice"], vec![json!({"name": "tab 1", "phx_ref": "n1.1"})]);
        assert!(diff.leaves.is_empty());
        presence.track("room", "alice", b, meta("tab 2"), "n1.2".into());
        let list = presence.list("room");
        assert_eq!(list["alice"]["metas"].as_array().map(Vec::len), Some(2));
        assert_eq!(presence.len(), 2);

        let diff = presence.untrack("room", "alice", a);
        assert_eq!(diff.leaves["alice"], vec![json!({"name": "tab 1", "phx_ref": "n1.1"})]);
        assert_eq!(presence.list("room")["alice"]["metas"], json!([{"name": "tab 2", "phx_ref": "n1.2"}]));
        presence.untrack("room", "alice", b);
        assert_eq!(presence.list("room"), json!({}));
        assert!(presence.is_empty());
    }

    #[test]
    fn tracking_again_replaces_the_meta() {
        let mut presence = Presence::new();
        let a = SessionId::next();
        presence.track("t", "k", a, meta("old"), "1".into());
        let diff = presence.track("t", "k", a, meta("new"), "2".into());
        assert_eq!(diff.leaves["k"], vec![json!({"name": "old", "phx_ref": "1"})]);
        assert_eq!(diff.joins["k"], vec![json!({"name": "new", "phx_ref": "2", "phx_ref_prev": "1"})]);
        assert_eq!(presence.len(), 1);
    }

    #[test]
    fn untracking_what_is_not_tracked_changes_nothing() {
        let mut presence = Presence::new();
        let a = SessionId::next();
        assert!(presence.untrack("t", "k", a).is_empty());
        presence.track("t", "k", a, meta("x"), "1".into());
        assert!(presence.untrack("t", "other", a).is_empty());
        assert!(presence.untrack("t", "k", SessionId::next()).is_empty());
        assert_eq!(presence.len(), 1);
    }

    #[test]
    fn other_hosts_presences_join_leave_and_resync() {
        let mut presence = Presence::new();
        let shared = |key: &str, phx_ref: &str| super::Shared {
            topic: "t".into(),
            key: key.into(),
            phx_ref: phx_ref.into(),
            meta: meta(key),
        };
        let me = SessionId::next();
        presence.track("t", "alice", me, meta("alice"), "a1".into());
        let diff = presence.remote_join("b", shared("bob", "b1"));
        assert_eq!(diff.joins["bob"], vec![json!({"name": "bob", "phx_ref": "b1"})]);
        presence.remote_join("b", shared("alice", "b2"));
        let list = presence.list("t");
        assert_eq!(list["alice"]["metas"].as_array().map(Vec::len), Some(2), "{list}");
        assert_eq!(presence.len(), 1, "only local metas count");

        // A resync: b2 went, b3 came.
        let diffs = presence.remote_state("b", vec![shared("bob", "b1"), shared("carol", "b3")]);
        assert_eq!(diffs.len(), 1);
        assert_eq!(diffs[0].1.leaves["alice"], vec![json!({"name": "alice", "phx_ref": "b2"})]);
        assert_eq!(diffs[0].1.joins["carol"], vec![json!({"name": "carol", "phx_ref": "b3"})]);

        // An update on b is one diff: the old meta leaves, the new one joins naming it.
        let diff = presence.remote_update("b", "b3", shared("carol", "b4"));
        assert_eq!(diff.leaves["carol"], vec![json!({"name": "carol", "phx_ref": "b3"})]);
        assert_eq!(diff.joins["carol"], vec![json!({"name": "carol", "phx_ref": "b4", "phx_ref_prev": "b3"})]);
        assert_eq!(presence.list("t")["carol"]["metas"].as_array().map(Vec::len), Some(1));

        let (topic, diff) = presence.remote_leave("b", "b1").unwrap();
        assert_eq!((topic.as_str(), diff.leaves.len()), ("t", 1));
        assert!(presence.remote_leave("b", "b1").is_none());

        let diffs = presence.remote_down("b");
        assert_eq!(diffs[0].1.leaves["carol"].len(), 1);
        assert!(presence.remote_nodes().is_empty());
        assert_eq!(presence.list("t"), json!({"alice": {"metas": [{"name": "alice", "phx_ref": "a1"}]}}));
        assert_eq!(
            presence.shared(),
            vec![super::Shared { topic: "t".into(), key: "alice".into(), phx_ref: "a1".into(), meta: meta("alice") }]
        );
    }

    #[test]
    fn diffs_become_messages() {
        let mut presence = Presence::new();
        let diff = presence.track("t", "k", SessionId::next(), meta("x"), "1".into());
        let super::Message::Presence { topic, joins, leaves } = diff.message("t") else { panic!() };
        assert_eq!(&*topic, "t");
        assert_eq!(&*joins, r#"{"k":{"metas":[{"name":"x","phx_ref":"1"}]}}"#);
        assert_eq!(&*leaves, "{}");
    }
}
