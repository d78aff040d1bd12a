//! Property test of the diff engine against the official client.
//!
//! Random walks over a view state that uses every construct at once: text, conditional
//! branches (templates that come and go), a keyed list with nested optional templates, a
//! positional list, stateful components (two root templates, a keyed list inside, statics
//! sharing, destroy handshake), a stream (appends, prepends, inserts, updates, deletes,
//! limits, resets) and root replacements. Each step renders the new state the way a guest with
//! change tracking would (unchanged subtrees reported as `unchanged`, unchanged items without
//! slots, only changed components), diffs it, and checks:
//!
//! 1. in Rust, that the HTML the renderer now holds equals a from-scratch render of the same
//!    state by a fresh renderer (the host's own full render);
//! 2. in Node, with the official client's own merge and DOM patch code, that the page after
//!    applying every diff equals that same HTML, and that the client throws nothing.
//!
//! Seeded and reproducible: `LIVEPLUG_PROPERTY_SEED`, `LIVEPLUG_PROPERTY_CASES` and
//! `LIVEPLUG_PROPERTY_STEPS` override the defaults.

use std::collections::{BTreeSet, HashSet};

use liveplug::diff::{ComponentRoot, PartItem, PartNode, Parts, Renderer, StreamInsert, StreamOps, Template};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::conformance::check_many_with_client;

const ROOT_A: u64 = 1;
const ROOT_B: u64 = 2;
const BRANCH_A: u64 = 3;
const BRANCH_B: u64 = 4;
const ITEM: u64 = 5;
const BADGE: u64 = 6;
const UNKEYED: u64 = 7;
const COMP_SLOT: u64 = 8;
const COMP_A: u64 = 9;
const COMP_B: u64 = 10;
const TAG: u64 = 11;
const FEED_ITEM: u64 = 12;

fn statics(id: u64) -> &'static [&'static str] {
    match id {
        ROOT_A => &[
            "<main id=\"root\"><h1>",
            "</h1><section>",
            "</section><ul id=\"items\">",
            "</ul><ol>",
            "</ol><div id=\"comps\">",
            "</div><ul id=\"feed\" phx-update=\"stream\">",
            "</ul></main>",
        ],
        ROOT_B => &[
            "<main id=\"root\" class=\"alt\"><h2>",
            "</h2><section>",
            "</section><ul id=\"items\">",
            "</ul><ol>",
            "</ol><div id=\"comps\">",
            "</div><ul id=\"feed\" phx-update=\"stream\">",
            "</ul></main>",
        ],
        BRANCH_A => &["<p class=\"a\">", "</p>"],
        BRANCH_B => &["<div class=\"b\"><span>", "</span><em>", "</em></div>"],
        ITEM => &["<li id=\"item-", "\">", "", "</li>"],
        BADGE => &["<b>", "</b>"],
        UNKEYED => &["<li>", "</li>"],
        COMP_SLOT => &["", ""],
        COMP_A => &["<div id=\"comp-", "\" class=\"a\">", "<ul>", "</ul></div>"],
        COMP_B => &["<section id=\"comp-", "\">", "</section>"],
        TAG => &["<li>", "", "</li>"],
        FEED_ITEM => &["<li id=\"feed-", "\">", "</li>"],
        _ => &[""],
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Branch {
    None,
    A(String),
    B(String, String),
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: u8,
    label: String,
    badge: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Comp {
    id: u8,
    label: String,
    alt: bool,
    tags: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
struct State {
    root_alt: bool,
    header: String,
    branch: Branch,
    items: Vec<Entry>,
    unkeyed: Vec<String>,
    comps: Vec<Comp>,
    /// The stream's elements as the browser should show them.
    feed: Vec<(u32, String)>,
}

/// One stream operation of a step (the stream itself keeps nothing).
#[derive(Debug, Clone)]
struct Insert {
    id: u32,
    text: String,
    at: i32,
    limit: Option<i32>,
}

#[derive(Debug, Clone, Default)]
struct FeedOps {
    inserts: Vec<Insert>,
    deletes: Vec<u32>,
    reset: bool,
}

fn word(rng: &mut StdRng) -> String {
    const WORDS: [&str; 8] = ["alpha", "beta", "<gamma>", "delta & co", "\"eps\"", "zeta", "", "é"];
    let w = WORDS[rng.random_range(0..WORDS.len())];
    // Escape like a guest SDK does: dynamics arrive escaped.
    w.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn entries(rng: &mut StdRng, max: usize) -> Vec<Entry> {
    let mut keys: Vec<u8> = (0..12).collect();
    let n = rng.random_range(0..=max);
    (0..n)
        .map(|_| {
            let key = keys.remove(rng.random_range(0..keys.len()));
            Entry { key, label: word(rng), badge: rng.random_bool(0.4).then(|| word(rng)) }
        })
        .collect()
}

fn mutate_entries(rng: &mut StdRng, list: &mut Vec<Entry>, max: usize) {
    match rng.random_range(0..6) {
        0 => list.reverse(),
        1 if !list.is_empty() => {
            let i = rng.random_range(0..list.len());
            list.remove(i);
        }
        2 if list.len() < max => {
            let used: HashSet<u8> = list.iter().map(|e| e.key).collect();
            if let Some(key) = (0..12).find(|k| !used.contains(k)) {
                let at = rng.random_range(0..=list.len());
                list.insert(at, Entry { key, label: word(rng), badge: None });
            }
        }
        3 if !list.is_empty() => {
            let i = rng.random_range(0..list.len());
            list[i].label = word(rng);
        }
        4 if !list.is_empty() => {
            let i = rng.random_range(0..list.len());
            list[i].badge = if list[i].badge.is_some() { None } else { Some(word(rng)) };
        }
        5 if list.len() > 1 => {
            let (i, j) = (rng.random_range(0..list.len()), rng.random_range(0..list.len()));
            list.swap(i, j);
        }
        _ => *list = entries(rng, max),
    }
}

fn initial(rng: &mut StdRng) -> State {
    State {
        root_alt: false,
        header: word(rng),
        branch: Branch::A(word(rng)),
        items: entries(rng, 5),
        unkeyed: vec![word(rng)],
        comps: vec![Comp { id: 1, label: word(rng), alt: false, tags: entries(rng, 3) }],
        feed: Vec::new(),
    }
}

/// Changes a few parts of the state and picks this step's stream operations.
fn step(rng: &mut StdRng, state: &State, next_feed_id: &mut u32) -> (State, FeedOps) {
    let mut s = state.clone();
    for _ in 0..rng.random_range(1..=3) {
        match rng.random_range(0..20) {
            0 => s.root_alt = !s.root_alt,
            1..=2 => s.header = word(rng),
            3..=4 => {
                s.branch = match rng.random_range(0..3) {
                    0 => Branch::None,
                    1 => Branch::A(word(rng)),
                    _ => Branch::B(word(rng), word(rng)),
                }
            }
            5..=8 => mutate_entries(rng, &mut s.items, 8),
            9..=10 => {
                let n = rng.random_range(0..4);
                s.unkeyed = (0..n).map(|_| word(rng)).collect();
            }
            11..=15 => mutate_comps(rng, &mut s.comps),
            _ => {}
        }
    }
    let mut ops = FeedOps::default();
    for _ in 0..rng.random_range(0..3) {
        match rng.random_range(0..10) {
            0..=4 => {
                let (id, text) = if !s.feed.is_empty() && ops.inserts.is_empty() && rng.random_bool(0.2) {
                    // An update of an element the browser has. Only alone in its render: when a
                    // patch mixes updates with new elements, where the client's DOM patch
                    // (morphdom) leaves them depends on its child-matching walk, not on the
                    // stream operations.
                    (s.feed[rng.random_range(0..s.feed.len())].0, word(rng))
                } else if ops.inserts.iter().any(|i| s.feed.iter().any(|(id, _)| *id == i.id)) {
                    continue;
                } else {
                    *next_feed_id += 1;
                    (*next_feed_id, word(rng))
                };
                if ops.inserts.iter().any(|i: &Insert| i.id == id) {
                    continue;
                }
                let at = [-1, 0, 1][rng.random_range(0..3)];
                let limit = match rng.random_range(0..8) {
                    0 => Some(4),
                    1 => Some(-4),
                    _ => None,
                };
                ops.inserts.push(Insert { id, text, at, limit });
            }
            5..=6 if !s.feed.is_empty() => {
                let id = s.feed[rng.random_range(0..s.feed.len())].0;
                if !ops.deletes.contains(&id) && !ops.inserts.iter().any(|i| i.id == id) {
                    ops.deletes.push(id);
                }
            }
            7 if ops.inserts.is_empty() && ops.deletes.is_empty() => ops.reset = true,
            _ => {}
        }
    }
    apply_feed(&mut s.feed, &ops);
    (s, ops)
}

fn mutate_comps(rng: &mut StdRng, comps: &mut Vec<Comp>) {
    match rng.random_range(0..6) {
        0 if comps.len() < 4 => {
            let used: BTreeSet<u8> = comps.iter().map(|c| c.id).collect();
            if let Some(id) = (1..=6).find(|id| !used.contains(id)) {
                let at = rng.random_range(0..=comps.len());
                comps.insert(at, Comp { id, label: word(rng), alt: rng.random_bool(0.3), tags: entries(rng, 3) });
            }
        }
        1 if !comps.is_empty() => {
            let i = rng.random_range(0..comps.len());
            comps.remove(i);
        }
        2 if !comps.is_empty() => {
            let i = rng.random_range(0..comps.len());
            comps[i].alt = !comps[i].alt;
        }
        3 if !comps.is_empty() => {
            let i = rng.random_range(0..comps.len());
            comps[i].label = word(rng);
        }
        4 if !comps.is_empty() => {
            let i = rng.random_range(0..comps.len());
            mutate_entries(rng, &mut comps[i].tags, 4);
        }
        _ => comps.reverse(),
    }
}

/// What the browser does with the stream operations (`dom_patch.ts`).
fn apply_feed(feed: &mut Vec<(u32, String)>, ops: &FeedOps) {
    if ops.reset {
        feed.clear();
    }
    feed.retain(|(id, _)| !ops.deletes.contains(id));
    for insert in &ops.inserts {
        if let Some(existing) = feed.iter_mut().find(|(id, _)| *id == insert.id) {
            existing.1 = insert.text.clone();
            continue;
        }
        let at = usize::try_from(insert.at).map_or(feed.len(), |at| at.min(feed.len()));
        feed.insert(at, (insert.id, insert.text.clone()));
        match insert.limit {
            Some(limit) if limit >= 0 => feed.truncate(usize::try_from(limit).unwrap_or(0)),
            Some(limit) => {
                let keep = usize::try_from(-limit).unwrap_or(0);
                let excess = feed.len().saturating_sub(keep);
                feed.drain(..excess);
            }
            None => {}
        }
    }
}

/// Builds the parts of `state` like a change-tracking guest: `prev` is the previous state
/// (`None` for a complete render), `live` the components the host holds.
struct Builder<'a> {
    parts: Parts,
    sent: &'a mut HashSet<u64>,
}

impl Builder<'_> {
    fn node(&mut self, node: PartNode) -> u32 {
        self.parts.nodes.push(node);
        u32::try_from(self.parts.nodes.len() - 1).expect("small")
    }

    fn text(&mut self, text: &str) -> u32 {
        self.node(PartNode::Text(text.to_owned()))
    }

    fn unchanged(&mut self) -> u32 {
        self.node(PartNode::Unchanged)
    }

    fn template(&mut self, id: u64) {
        if self.sent.insert(id) {
            let statics = statics(id).iter().map(|s| (*s).to_owned()).collect();
            self.parts.new_templates.push(Template { id, statics });
        }
    }

    fn tree(&mut self, template: u64, slots: &[u32]) -> u32 {
        self.template(template);
        self.node(PartNode::Tree { template, slots: slots.to_vec() })
    }

    fn branch(&mut self, branch: &Branch) -> u32 {
        match branch {
            Branch::None => self.text(""),
            Branch::A(x) => {
                let x = self.text(x);
                self.tree(BRANCH_A, &[x])
            }
            Branch::B(x, y) => {
                let (x, y) = (self.text(x), self.text(y));
                self.tree(BRANCH_B, &[x, y])
            }
        }
    }

    /// A keyed list of entries; an entry equal to the previous one with its key is unchanged.
    fn entries(&mut self, template: u64, list: &[Entry], prev: Option<&[Entry]>, with_key_slot: bool) -> u32 {
        if prev == Some(list) {
            return self.unchanged();
        }
        self.template(template);
        let items = list
            .iter()
            .map(|entry| {
                let before = prev.and_then(|p| p.iter().find(|e| e.key == entry.key));
                let slots = match before {
                    Some(before) if before == entry => None,
                    _ => {
                        let mut slots = Vec::new();
                        if with_key_slot {
                            slots.push(self.text(&entry.key.to_string()));
                        }
                        slots.push(match before {
                            Some(b) if b.label == entry.label => self.unchanged(),
                            _ => self.text(&entry.label),
                        });
                        slots.push(match (before, &entry.badge) {
                            (Some(b), _) if b.badge == entry.badge => self.unchanged(),
                            (_, Some(badge)) => {
                                let t = self.text(badge);
                                self.tree(BADGE, &[t])
                            }
                            (_, None) => self.text(""),
                        });
                        Some(slots)
                    }
                };
                PartItem { key: Some(entry.key.to_string()), slots }
            })
            .collect();
        self.node(PartNode::Keyed { template, items })
    }

    fn component(&mut self, comp: &Comp, prev: Option<&Comp>) {
        let prev = prev.filter(|p| p.alt == comp.alt);
        let id = self.text(&comp.id.to_string());
        let label = match prev {
            Some(p) if p.label == comp.label => self.unchanged(),
            _ => self.text(&comp.label),
        };
        let root = if comp.alt {
            self.tree(COMP_B, &[id, label])
        } else {
            let tags = self.entries(TAG, &comp.tags, prev.map(|p| p.tags.as_slice()), false);
            self.tree(COMP_A, &[id, label, tags])
        };
        self.parts.components.push(ComponentRoot { id: u32::from(comp.id), root });
    }
}

/// The parts of `state`. `prev` is `None` for a complete render; `live` holds the
/// components the host has, which are re-rendered only when they changed.
fn build(state: &State, prev: Option<&State>, live: &HashSet<u8>, ops: &FeedOps, sent: &mut HashSet<u64>) -> Parts {
    let mut b = Builder { parts: Parts::default(), sent };
    // A new root template is rendered completely.
    let prev = prev.filter(|p| p.root_alt == state.root_alt);
    let header = match prev {
        Some(p) if p.header == state.header => b.unchanged(),
        _ => b.text(&state.header),
    };
    let branch = match prev {
        Some(p) if p.branch == state.branch => b.unchanged(),
        _ => b.branch(&state.branch),
    };
    let items = b.entries(ITEM, &state.items, prev.map(|p| p.items.as_slice()), true);
    let unkeyed = match prev {
        Some(p) if p.unkeyed == state.unkeyed => b.unchanged(),
        _ => {
            b.template(UNKEYED);
            let items = state
                .unkeyed
                .iter()
                .map(|text| {
                    let t = b.text(text);
                    PartItem { key: None, slots: Some(vec![t]) }
                })
                .collect();
            b.node(PartNode::Keyed { template: UNKEYED, items })
        }
    };
    let ids: Vec<u8> = state.comps.iter().map(|c| c.id).collect();
    let prev_ids: Option<Vec<u8>> = prev.map(|p| p.comps.iter().map(|c| c.id).collect());
    let comps = if prev_ids.as_ref() == Some(&ids) {
        b.unchanged()
    } else {
        b.template(COMP_SLOT);
        let items = ids
            .iter()
            .map(|id| {
                let slot = b.node(PartNode::Component(u32::from(*id)));
                PartItem { key: Some(id.to_string()), slots: Some(vec![slot]) }
            })
            .collect();
        b.node(PartNode::Keyed { template: COMP_SLOT, items })
    };
    for comp in &state.comps {
        let before = state_comp(prev, comp.id);
        let known = live.contains(&comp.id);
        if !known || before != Some(comp) {
            b.component(comp, if known { before } else { None });
        }
    }
    b.template(FEED_ITEM);
    let inserts = ops
        .inserts
        .iter()
        .map(|i| {
            let (id, text) = (b.text(&i.id.to_string()), b.text(&i.text));
            StreamInsert {
                dom_id: format!("feed-{}", i.id),
                at: i.at,
                limit: i.limit,
                update_only: false,
                slots: vec![id, text],
            }
        })
        .collect();
    let deletes = ops.deletes.iter().map(|id| format!("feed-{id}")).collect();
    let stream = b.node(PartNode::Stream(StreamOps {
        name: "feed".into(),
        template: FEED_ITEM,
        inserts,
        deletes,
        reset: ops.reset,
    }));
    let root = b.tree(if state.root_alt { ROOT_B } else { ROOT_A }, &[header, branch, items, unkeyed, comps, stream]);
    b.parts.root = root;
    b.parts
}

fn state_comp(state: Option<&State>, id: u8) -> Option<&Comp> {
    state.and_then(|s| s.comps.iter().find(|c| c.id == id))
}

/// The host's own full render of `state`, by a fresh renderer.
fn full_html(state: &State) -> String {
    let ops = FeedOps {
        inserts: state
            .feed
            .iter()
            .map(|(id, text)| Insert { id: *id, text: text.clone(), at: -1, limit: None })
            .collect(),
        ..FeedOps::default()
    };
    let parts = build(state, None, &HashSet::new(), &ops, &mut HashSet::new());
    let mut fresh = Renderer::keeping_stream_html();
    fresh.render(parts).expect("a complete render is valid");
    fresh.html()
}

/// One random walk: returns its ndjson steps.
fn walk(seed: u64, steps: usize) -> Vec<Value> {
    let mut rng = StdRng::seed_from_u64(seed);
    let view_id = format!("phx-prop-{seed}");
    let mut renderer = Renderer::keeping_stream_html();
    let mut sent = HashSet::new();
    let mut live: HashSet<u8> = HashSet::new();
    let mut next_feed_id = 0;
    let mut state = initial(&mut rng);
    let ops = FeedOps::default();
    let mut out = Vec::with_capacity(steps + 1);
    let parts = build(&state, None, &live, &ops, &mut sent);
    let diff = renderer.render(parts).unwrap_or_else(|e| panic!("seed {seed} join: {e}"));
    live.extend(state.comps.iter().map(|c| c.id));
    assert_eq!(renderer.html(), full_html(&state), "seed {seed} join");
    out.push(json!({"step": "join", "view_id": view_id, "diff": diff, "html": renderer.html()}));
    for n in 1..=steps {
        let (next, ops) = step(&mut rng, &state, &mut next_feed_id);
        let parts = build(&next, Some(&state), &live, &ops, &mut sent);
        let diff = renderer.render(parts).unwrap_or_else(|e| panic!("seed {seed} step {n}: {e}\n{next:?}"));
        for gone in renderer.take_dropped() {
            live.remove(&u8::try_from(gone).expect("small id"));
        }
        live.extend(next.comps.iter().map(|c| c.id));
        let expected = full_html(&next);
        assert_eq!(renderer.html(), expected, "seed {seed} step {n}: incremental and fresh renders differ\n{next:?}");
        out.push(json!({"step": format!("step {n}"), "view_id": view_id, "diff": diff, "html": expected}));
        // The browser destroys components that left the page: the handshake, then a prune.
        let gone: Vec<u32> = state
            .comps
            .iter()
            .filter(|c| !next.comps.iter().any(|n| n.id == c.id) && live.contains(&c.id))
            .filter_map(|c| renderer.component_cid(u32::from(c.id)))
            .collect();
        if !gone.is_empty() {
            renderer.components_will_destroy(&gone);
            let (removed, ids) = renderer.components_destroyed(&gone);
            assert_eq!(removed, gone, "seed {seed} step {n}: destroy handshake");
            for id in ids {
                live.remove(&u8::try_from(id).expect("small id"));
            }
            out.push(json!({"step": format!("step {n} prune"), "view_id": view_id, "diff": {}, "prune": removed, "html": expected}));
        }
        state = next;
    }
    out
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn random_view_states_render_identically_in_the_official_client() {
    let seed = env_number("LIVEPLUG_PROPERTY_SEED", 18_780_585);
    let cases = env_number("LIVEPLUG_PROPERTY_CASES", 100);
    let steps = usize::try_from(env_number("LIVEPLUG_PROPERTY_STEPS", 40)).unwrap_or(40);
    let walks: Vec<(String, Vec<Value>)> =
        (0..cases).map(|case| (format!("property-{}", seed + case), walk(seed + case, steps))).collect();
    let total: usize = walks.iter().map(|(_, steps)| steps.len()).sum();
    assert!(total >= 3000 || cases < 100, "the property test runs thousands of steps ({total})");
    check_many_with_client("property", &walks);
}
