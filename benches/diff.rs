//! The diff engine alone: bytes on the wire and time for typical updates, against a naive full
//! re-render (the whole tree with its statics, what a server without diffing would send).
//!
//! Scenarios: (a) one changed counter; (b) one changed row in a 1,000-row keyed table; (c) a
//! row prepended to that table; (d) one item inserted into a stream; (e) 1,000 new stateful
//! components in one render (each borrows the statics of one before it). Byte counts are
//! printed first (they do not vary); criterion then times each update and the naive render.

// Benchmarks abort on setup failure.
#![allow(clippy::expect_used)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use liveplug::diff::{ComponentRoot, PartItem, PartNode, Parts, Renderer, StreamInsert, StreamOps, Template};

const ROWS: usize = 1000;

/// Builds arenas the way a change-tracking guest does.
#[derive(Default)]
struct Arena {
    parts: Parts,
}

impl Arena {
    fn node(&mut self, node: PartNode) -> u32 {
        self.parts.nodes.push(node);
        u32::try_from(self.parts.nodes.len() - 1).expect("small arena")
    }

    fn text(&mut self, text: &str) -> u32 {
        self.node(PartNode::Text(text.to_owned()))
    }

    fn templates(&mut self, templates: &[(u64, &[&str])]) {
        for (id, statics) in templates {
            let statics = statics.iter().map(|s| (*s).to_owned()).collect();
            self.parts.new_templates.push(Template { id: *id, statics });
        }
    }

    fn finish(mut self, template: u64, slots: Vec<u32>) -> Parts {
        self.parts.root = self.node(PartNode::Tree { template, slots });
        self.parts
    }
}

const COUNTER: &[&str] = &[
    "<main class=\"counter\">\n  <h1>Count: <span id=\"count\">",
    "</span></h1>\n  <button id=\"inc\" phx-click=\"inc\">+</button>\n</main>",
];
const TABLE: &[&str] = &["<table id=\"rows\"><tbody>", "</tbody></table>"];
const ROW: &[&str] = &["<tr id=\"row-", "\"><td class=\"name\">", "</td><td class=\"value\">", "</td></tr>"];
const FEED: &[&str] = &["<ul id=\"feed\" phx-update=\"stream\">", "</ul>"];
const FEED_ITEM: &[&str] = &["<li id=\"", "\">", "</li>"];
const CARDS: &[&str] = &["<div id=\"cards\">", "</div>"];
const CARD_SLOT: &[&str] = &["", ""];
const CARD: &[&str] = &["<div class=\"card\" id=\"card-", "\"><span>", "</span></div>"];

fn counter(count: u64, first: bool) -> Parts {
    let mut a = Arena::default();
    if first {
        a.templates(&[(1, COUNTER)]);
    }
    let text = a.text(&count.to_string());
    a.finish(1, vec![text])
}

/// Rows `ids` with value `value(id)`; rows in `changed` (or every row when `changed` is
/// `None`) carry their slots, the others are reported unchanged.
fn table(ids: &[usize], value: impl Fn(usize) -> String, changed: Option<&[usize]>, first: bool) -> Parts {
    let mut a = Arena::default();
    if first {
        a.templates(&[(2, TABLE), (3, ROW)]);
    }
    let items = ids
        .iter()
        .map(|&id| {
            let slots = if changed.is_none_or(|c| c.contains(&id)) {
                let (i, n, v) = (a.text(&id.to_string()), a.text(&format!("Row {id}")), a.text(&value(id)));
                Some(vec![i, n, v])
            } else {
                None
            };
            PartItem { key: Some(id.to_string()), slots }
        })
        .collect();
    let list = a.node(PartNode::Keyed { template: 3, items });
    a.finish(2, vec![list])
}

fn stream(ids: &[usize], first: bool) -> Parts {
    let mut a = Arena::default();
    if first {
        a.templates(&[(4, FEED), (5, FEED_ITEM)]);
    }
    let inserts = ids
        .iter()
        .map(|id| {
            let (dom_id, text) = (a.text(&format!("feed-{id}")), a.text(&format!("Event number {id} happened")));
            StreamInsert {
                dom_id: format!("feed-{id}"),
                at: 0,
                limit: Some(100),
                update_only: false,
                slots: vec![dom_id, text],
            }
        })
        .collect();
    let ops = a.node(PartNode::Stream(StreamOps {
        name: "feed".into(),
        template: 5,
        inserts,
        deletes: vec![],
        reset: false,
    }));
    a.finish(4, vec![ops])
}

/// A view placing components `ids` (one keyed item each), every one of them rendered by the
/// guest.
fn cards(ids: &[usize], first: bool) -> Parts {
    let mut a = Arena::default();
    if first {
        a.templates(&[(6, CARDS), (7, CARD_SLOT), (8, CARD)]);
    }
    let component_id = |id: usize| u32::try_from(id).expect("small ids");
    let items = ids
        .iter()
        .map(|&id| {
            let slot = a.node(PartNode::Component(component_id(id)));
            PartItem { key: Some(id.to_string()), slots: Some(vec![slot]) }
        })
        .collect();
    let list = a.node(PartNode::Keyed { template: 7, items });
    for &id in ids {
        let (dom_id, text) = (a.text(&id.to_string()), a.text(&format!("Card {id}")));
        let root = a.node(PartNode::Tree { template: 8, slots: vec![dom_id, text] });
        a.parts.components.push(ComponentRoot { id: component_id(id), root });
    }
    a.finish(6, vec![list])
}

/// A scenario: the state before (applied in setup) and the update that is measured, plus the
/// naive full render of the state after.
struct Scenario {
    name: &'static str,
    before: fn() -> Parts,
    update: fn() -> Parts,
    full_after: fn() -> Parts,
}

fn all_rows() -> Vec<usize> {
    (1..=ROWS).collect()
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "(a) counter +1",
            before: || counter(41, true),
            update: || counter(42, false),
            full_after: || counter(42, true),
        },
        Scenario {
            name: "(b) 1 of 1000 rows changed",
            before: || table(&all_rows(), |_| "0".into(), None, true),
            update: || table(&all_rows(), |id| if id == 500 { "1".into() } else { "0".into() }, Some(&[500]), false),
            full_after: || table(&all_rows(), |id| if id == 500 { "1".into() } else { "0".into() }, None, true),
        },
        Scenario {
            name: "(c) prepend to 1000 rows",
            before: || table(&all_rows(), |_| "0".into(), None, true),
            update: || {
                let ids: Vec<usize> = std::iter::once(0).chain(1..=ROWS).collect();
                table(&ids, |_| "0".into(), Some(&[0]), false)
            },
            full_after: || {
                let ids: Vec<usize> = std::iter::once(0).chain(1..=ROWS).collect();
                table(&ids, |_| "0".into(), None, true)
            },
        },
        Scenario {
            name: "(d) stream insert",
            before: || stream(&(1..=100).collect::<Vec<_>>(), true),
            update: || stream(&[101], false),
            full_after: || stream(&(1..=101).collect::<Vec<_>>(), true),
        },
        Scenario {
            name: "(e) 1000 new components",
            before: || cards(&[], true),
            update: || cards(&all_rows(), false),
            full_after: || cards(&all_rows(), true),
        },
    ]
}

fn wire_bytes(diff: &serde_json::Map<String, serde_json::Value>) -> usize {
    serde_json::to_string(diff).expect("json").len()
}

fn diff_engine(c: &mut Criterion) {
    println!("\n{:<30} {:>12} {:>14} {:>8}", "scenario", "diff bytes", "naive bytes", "ratio");
    for s in scenarios() {
        let mut r = Renderer::new();
        r.render((s.before)()).expect("before");
        let diff = wire_bytes(&r.render((s.update)()).expect("update"));
        let naive = wire_bytes(&Renderer::new().render((s.full_after)()).expect("full"));
        println!("{:<30} {:>12} {:>14} {:>7.0}x", s.name, diff, naive, naive as f64 / diff.max(1) as f64);
    }
    for s in scenarios() {
        c.bench_function(&format!("{}: diff", s.name), |b| {
            b.iter_batched(
                || {
                    let mut r = Renderer::new();
                    r.render((s.before)()).expect("before");
                    (r, (s.update)())
                },
                // The renderer is returned so that dropping it is not timed.
                |(mut r, update)| {
                    let json = serde_json::to_string(&r.render(update).expect("update")).expect("json");
                    black_box((r, json))
                },
                BatchSize::LargeInput,
            )
        });
        c.bench_function(&format!("{}: naive full render", s.name), |b| {
            b.iter_batched(
                || (s.full_after)(),
                |full| {
                    let mut r = Renderer::new();
                    let json = serde_json::to_string(&r.render(full).expect("full")).expect("json");
                    black_box((r, json))
                },
                BatchSize::LargeInput,
            )
        });
    }
    // The same 1-of-1000 update from a guest without change tracking: every row re-sent.
    c.bench_function("(b) 1 of 1000 rows changed, every row re-sent: diff", |b| {
        b.iter_batched(
            || {
                let mut r = Renderer::new();
                r.render(table(&all_rows(), |_| "0".into(), None, true)).expect("before");
                (r, table(&all_rows(), |id| if id == 500 { "1".into() } else { "0".into() }, None, false))
            },
            |(mut r, update)| black_box(serde_json::to_string(&r.render(update).expect("update")).expect("json")),
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, diff_engine);
criterion_main!(benches);
