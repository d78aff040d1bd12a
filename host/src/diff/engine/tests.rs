//! Exact-wire tests for the diff engine: parts in, rendered JSON out.

use serde_json::{Value, json};

use super::Renderer;
use crate::diff::{ComponentRoot, DiffError, PartItem, PartNode, Parts, StreamInsert, StreamOps, Template};

/// Builds a render arena the way a guest would.
#[derive(Default)]
struct Arena {
    parts: Parts,
}

impl Arena {
    fn template(&mut self, id: u64, statics: &[&str]) -> &mut Self {
        let statics = statics.iter().map(|s| (*s).to_owned()).collect();
        self.parts.new_templates.push(Template { id, statics });
        self
    }

    fn node(&mut self, node: PartNode) -> u32 {
        self.parts.nodes.push(node);
        u32::try_from(self.parts.nodes.len() - 1).expect("small arena")
    }

    fn text(&mut self, text: &str) -> u32 {
        self.node(PartNode::Text(text.to_owned()))
    }

    fn tree(&mut self, template: u64, slots: &[u32]) -> u32 {
        self.node(PartNode::Tree { template, slots: slots.to_vec() })
    }

    fn keyed(&mut self, template: u64, items: Vec<(Option<&str>, Option<Vec<u32>>)>) -> u32 {
        let items = items.into_iter().map(|(key, slots)| PartItem { key: key.map(str::to_owned), slots }).collect();
        self.node(PartNode::Keyed { template, items })
    }

    fn component(&mut self, id: u32) -> u32 {
        self.node(PartNode::Component(id))
    }

    fn render_component(&mut self, id: u32, root: u32) {
        self.parts.components.push(ComponentRoot { id, root });
    }

    fn stream(
        &mut self,
        name: &str,
        template: u64,
        inserts: Vec<(&str, i32, Vec<u32>)>,
        deletes: &[&str],
        reset: bool,
    ) -> u32 {
        let inserts = inserts
            .into_iter()
            .map(|(dom_id, at, slots)| StreamInsert {
                dom_id: dom_id.to_owned(),
                at,
                limit: None,
                update_only: false,
                slots,
            })
            .collect();
        let deletes = deletes.iter().map(|d| (*d).to_owned()).collect();
        self.node(PartNode::Stream(StreamOps { name: name.to_owned(), template, inserts, deletes, reset }))
    }

    fn unchanged(&mut self) -> u32 {
        self.node(PartNode::Unchanged)
    }

    fn finish(&mut self, root: u32) -> Parts {
        self.parts.root = root;
        std::mem::take(&mut self.parts)
    }
}

fn check(renderer: &mut Renderer, parts: Parts, expected: Value) {
    let diff = renderer.render(parts).expect("valid parts");
    assert_eq!(Value::Object(diff), expected);
}

/// The counter of protocol reference §4.9 A.
fn counter(count: &str, with_template: bool) -> Parts {
    let mut a = Arena::default();
    if with_template {
        a.template(7, &["<div>\n  <h1>Count: ", "</h1>\n  <button phx-click=\"inc\">+</button>\n</div>"]);
    }
    let text = a.text(count);
    let root = a.tree(7, &[text]);
    a.finish(root)
}

#[test]
fn first_render_sends_statics_through_the_template_table() {
    let mut r = Renderer::new();
    check(
        &mut r,
        counter("0", true),
        json!({"0": "0", "s": 0, "p": {"0": ["<div>\n  <h1>Count: ", "</h1>\n  <button phx-click=\"inc\">+</button>\n</div>"]}}),
    );
    assert_eq!(r.html(), "<div>\n  <h1>Count: 0</h1>\n  <button phx-click=\"inc\">+</button>\n</div>");
}

#[test]
fn a_changed_text_sends_only_its_slot() {
    let mut r = Renderer::new();
    r.render(counter("0", true)).expect("valid");
    check(&mut r, counter("1", false), json!({"0": "1"}));
    check(&mut r, counter("1", false), json!({}));
    assert!(r.html().contains("Count: 1"));
}

#[test]
fn unchanged_nodes_keep_the_previous_subtree() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(1, &["<main>", "<p>", "</p></main>"]).template(2, &["<h1>", " ", "</h1>"]);
    let (x, y) = (a.text("x"), a.text("y"));
    let header = a.tree(2, &[x, y]);
    let tick = a.text("tick 0");
    let root = a.tree(1, &[header, tick]);
    check(
        &mut r,
        a.finish(root),
        json!({"0": {"0": "x", "1": "y", "s": 0, "r": 1}, "1": "tick 0", "s": 1,
               "p": {"0": ["<h1>", " ", "</h1>"], "1": ["<main>", "<p>", "</p></main>"]}}),
    );
    let header = a.unchanged();
    let tick = a.text("tick 1");
    let root = a.tree(1, &[header, tick]);
    check(&mut r, a.finish(root), json!({"1": "tick 1"}));
    assert_eq!(r.html(), "<main><h1>x y</h1><p>tick 1</p></main>");
}

#[test]
fn nested_change_sends_the_path_to_the_slot() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(1, &["<a>", "", "</a>"]).template(2, &["<b>", "|", "</b>"]);
    let (s0, x, y) = (a.text("0"), a.text("x"), a.text("y"));
    let inner = a.tree(2, &[x, y]);
    let root = a.tree(1, &[s0, inner]);
    r.render(a.finish(root)).expect("valid");
    let (s0, x, y) = (a.text("0"), a.text("x"), a.text("new"));
    let inner = a.tree(2, &[x, y]);
    let root = a.tree(1, &[s0, inner]);
    check(&mut r, a.finish(root), json!({"1": {"1": "new"}}));
}

#[test]
fn a_new_branch_resends_its_statics_and_shares_identical_ones() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(1, &["<div>", "", "</div>"]).template(2, &["<b>", "</b>"]).template(3, &["<i>", "</i>"]);
    let on = a.text("on");
    let branch = a.tree(2, &[on]);
    let other = a.text("-");
    let root = a.tree(1, &[branch, other]);
    r.render(a.finish(root)).expect("valid");
    // Both slots switch to template 3: its statics travel once.
    let (x, y) = (a.text("x"), a.text("y"));
    let (bx, by) = (a.tree(3, &[x]), a.tree(3, &[y]));
    let root = a.tree(1, &[bx, by]);
    check(
        &mut r,
        a.finish(root),
        json!({"0": {"0": "x", "s": 0, "r": 1}, "1": {"0": "y", "s": 0, "r": 1}, "p": {"0": ["<i>", "</i>"]}}),
    );
    assert_eq!(r.html(), "<div><i>x</i><i>y</i></div>");
}

#[test]
fn a_new_root_template_resends_everything_including_unchanged_children() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(1, &["<p>", "</p>"]).template(2, &["<q>", "</q>"]);
    let x = a.text("x");
    let root = a.tree(1, &[x]);
    r.render(a.finish(root)).expect("valid");
    let x = a.unchanged();
    let root = a.tree(2, &[x]);
    check(&mut r, a.finish(root), json!({"0": "x", "s": 0, "p": {"0": ["<q>", "</q>"]}}));
}

#[test]
fn malformed_renders_are_errors() {
    type Build = Box<dyn Fn(&mut Arena) -> u32>;
    let cases: Vec<(Build, DiffError)> = vec![
        (Box::new(|a| a.tree(9, &[])), DiffError::UnknownTemplate(9)),
        (
            Box::new(|a| {
                a.template(1, &["<p>", "</p>"]);
                a.tree(1, &[])
            }),
            DiffError::SlotCount { template: 1, expected: 1, got: 0 },
        ),
        (
            Box::new(|a| {
                a.template(1, &["<p>", "</p>"]);
                a.tree(1, &[42])
            }),
            DiffError::BadIndex(42),
        ),
        (
            Box::new(|a| {
                a.template(1, &["<p>", "", "</p>"]);
                let t = a.text("x");
                a.tree(1, &[t, t])
            }),
            DiffError::NodeReused(0),
        ),
        (
            Box::new(|a| {
                a.template(1, &["<p>", "</p>"]);
                let u = a.unchanged();
                a.tree(1, &[u])
            }),
            DiffError::NothingUnchanged(0),
        ),
        (Box::new(|a| a.text("x")), DiffError::RootNotTree),
        (
            Box::new(|a| {
                a.template(1, &[]);
                a.tree(1, &[])
            }),
            DiffError::EmptyTemplate(1),
        ),
    ];
    for (build, expected) in cases {
        let mut a = Arena::default();
        let root = build(&mut a);
        assert_eq!(Renderer::new().render(a.finish(root)), Err(expected));
    }
}

#[test]
fn a_template_id_cannot_change_its_statics() {
    let mut r = Renderer::new();
    r.render(counter("0", true)).expect("valid");
    let mut a = Arena::default();
    a.template(7, &["<x>", "</x>"]);
    let t = a.text("1");
    let root = a.tree(7, &[t]);
    assert_eq!(r.render(a.finish(root)), Err(DiffError::TemplateRedefined(7)));
}

#[test]
fn deep_renders_are_rejected_without_exhausting_the_stack() {
    let mut a = Arena::default();
    a.template(1, &["<i>", "</i>"]);
    let mut node = a.text("leaf");
    for _ in 0..10_000 {
        node = a.tree(1, &[node]);
    }
    assert_eq!(Renderer::new().render(a.finish(node)), Err(DiffError::TooDeep(128)));
}

/// Builds the keyed list of protocol reference §4.9 B from item names.
fn list(a: &mut Arena, names: &[&str], define: bool) -> Parts {
    if define {
        a.template(1, &["<ul>\n  ", "\n</ul>"]).template(2, &["<li>", "</li>"]);
    }
    let items = names
        .iter()
        .map(|name| {
            let text = a.text(name);
            (Some(name.trim_end_matches('!')), Some(vec![text]))
        })
        .collect::<Vec<_>>();
    let keyed = a.keyed(2, items);
    let root = a.tree(1, &[keyed]);
    a.finish(root)
}

#[test]
fn keyed_list_of_the_reference() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    check(
        &mut r,
        list(&mut a, &["First", "Second"], true),
        json!({"0": {"k": {"0": {"0": "First"}, "1": {"0": "Second"}, "kc": 2}, "s": 0},
               "s": 1, "p": {"0": ["<li>", "</li>"], "1": ["<ul>\n  ", "\n</ul>"]}}),
    );
    check(
        &mut r,
        list(&mut a, &["First", "Second", "Third"], false),
        json!({"0": {"k": {"2": {"0": "Third"}, "kc": 3}}}),
    );
    check(
        &mut r,
        list(&mut a, &["Zero", "First", "Second", "Third"], false),
        json!({"0": {"k": {"0": {"0": "Zero"}, "1": 0, "2": 1, "3": 2, "kc": 4, "km": true}}}),
    );
    check(
        &mut r,
        list(&mut a, &["Zero", "FIRST!", "Second", "Third"], false),
        json!({"0": {"k": {"1": {"0": "FIRST!"}, "kc": 4}}}),
    );
    check(
        &mut r,
        list(&mut a, &["FIRST!", "Second"], false),
        json!({"0": {"k": {"0": 1, "1": 2, "kc": 2, "km": true}}}),
    );
    check(&mut r, list(&mut a, &["FIRST!", "Second"], false), json!({}));
    check(&mut r, list(&mut a, &[], false), json!({"0": {"k": {"kc": 0}}}));
    assert_eq!(r.html(), "<ul>\n  \n</ul>");
}

#[test]
fn keyed_moves_with_changes_and_unchanged_items() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    r.render(list(&mut a, &["a", "b", "c"], true)).expect("valid");
    // Swap a and c; c changes its text, a and b are reported unchanged by the guest.
    let c = a.text("C");
    let keyed = a.keyed(2, vec![(Some("c"), Some(vec![c])), (Some("b"), None), (Some("a"), None)]);
    let root = a.tree(1, &[keyed]);
    check(&mut r, a.finish(root), json!({"0": {"k": {"0": [2, {"0": "C"}], "2": 0, "kc": 3, "km": true}}}));
    assert_eq!(r.html(), "<ul>\n  <li>C</li><li>b</li><li>a</li>\n</ul>");
}

#[test]
fn keyed_errors() {
    let mut a = Arena::default();
    let keyed = a.keyed(2, vec![(Some("x"), None)]);
    a.template(1, &["<ul>", "</ul>"]).template(2, &["<li>", "</li>"]);
    let root = a.tree(1, &[keyed]);
    assert_eq!(Renderer::new().render(a.finish(root)), Err(DiffError::UnchangedItem("x".into())));
    let (t1, t2) = (a.text("1"), a.text("2"));
    let keyed = a.keyed(2, vec![(Some("x"), Some(vec![t1])), (Some("x"), Some(vec![t2]))]);
    a.template(1, &["<ul>", "</ul>"]).template(2, &["<li>", "</li>"]);
    let root = a.tree(1, &[keyed]);
    assert_eq!(Renderer::new().render(a.finish(root)), Err(DiffError::DuplicateKey("x".into())));
}

/// A view with one component slot; component `id` renders `<div>FROM {a} {b}</div>`.
fn with_component(a: &mut Arena, slot: u32, render: Option<(u32, &str, &str)>) -> Parts {
    let root = a.tree(10, &[slot]);
    if let Some((id, x, y)) = render {
        let (x, y) = (a.text(x), a.text(y));
        let croot = a.tree(11, &[x, y]);
        a.render_component(id, croot);
    }
    a.finish(root)
}

#[test]
fn components_of_the_reference() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(10, &["<div>\n  ", "\n</div>"]).template(11, &["<div>FROM ", " ", "</div>"]);
    let slot = a.component(7);
    check(
        &mut r,
        with_component(&mut a, slot, Some((7, "component", "world"))),
        json!({"0": 1, "c": {"1": {"0": "component", "1": "world", "r": 1, "s": ["<div>FROM ", " ", "</div>"]}},
               "s": 0, "p": {"0": ["<div>\n  ", "\n</div>"]}}),
    );
    assert_eq!(r.html(), "<div>\n  <div>FROM component world</div>\n</div>");
    // A component-only diff.
    let slot = a.unchanged();
    check(&mut r, with_component(&mut a, slot, Some((7, "rerender", "world"))), json!({"c": {"1": {"0": "rerender"}}}));
    // A new component with the same template borrows the statics of the one the client has.
    let slot = a.component(8);
    check(
        &mut r,
        with_component(&mut a, slot, Some((8, "another", "world"))),
        json!({"0": 2, "c": {"2": {"0": "another", "s": -1}}}),
    );
    assert_eq!(r.component_id(2), Some(8));
    // Nothing changed: nothing is sent.
    let slot = a.unchanged();
    check(&mut r, with_component(&mut a, slot, None), json!({}));
}

#[test]
fn two_new_components_share_statics_within_one_diff() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(12, &["<p>", "", "</p>"]).template(11, &["<div>FROM ", " ", "</div>"]);
    let (c1, c2) = (a.component(1), a.component(2));
    let root = a.tree(12, &[c1, c2]);
    for (id, x) in [(1, "one"), (2, "two")] {
        let (x, y) = (a.text(x), a.text("same"));
        let croot = a.tree(11, &[x, y]);
        a.render_component(id, croot);
    }
    check(
        &mut r,
        a.finish(root),
        json!({"0": 1, "1": 2, "s": 0, "p": {"0": ["<p>", "", "</p>"]},
               "c": {"1": {"0": "one", "1": "same", "r": 1, "s": ["<div>FROM ", " ", "</div>"]},
                     "2": {"0": "two", "s": 1}}}),
    );
}

#[test]
fn the_destroy_handshake_removes_only_what_stayed_marked() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(10, &["<div>\n  ", "\n</div>"]).template(11, &["<div>FROM ", " ", "</div>"]);
    let slot = a.component(7);
    r.render(with_component(&mut a, slot, Some((7, "a", "b")))).expect("valid");
    let slot = a.text("gone");
    r.render(with_component(&mut a, slot, None)).expect("valid");
    r.components_will_destroy(&[1, 99]);
    assert_eq!(r.components_destroyed(&[1, 99]), (vec![1], vec![7]));
    assert_eq!(r.component_id(1), None);
    // A component rendered again between the two messages survives.
    let slot = a.component(8);
    r.render(with_component(&mut a, slot, Some((8, "x", "y")))).expect("valid");
    r.components_will_destroy(&[2]);
    let slot = a.component(8);
    r.render(with_component(&mut a, slot, None)).expect("valid");
    assert_eq!(r.components_destroyed(&[2]), (vec![], vec![]));
    assert_eq!(r.component_id(2), Some(8));
}

#[test]
fn a_root_replacement_resends_every_component_it_keeps() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(10, &["<div>\n  ", "\n</div>"]).template(11, &["<div>FROM ", " ", "</div>"]);
    a.template(13, &["<section>", "</section>"]);
    let (c7, c8) = (a.component(7), a.component(8));
    a.template(12, &["<p>", "", "</p>"]);
    let root = a.tree(12, &[c7, c8]);
    for id in [7, 8] {
        let (x, y) = (a.text("x"), a.text("y"));
        let croot = a.tree(11, &[x, y]);
        a.render_component(id, croot);
    }
    r.render(a.finish(root)).expect("valid");
    // New root template keeping component 7 only, which the guest did not re-render.
    let c7 = a.component(7);
    let root = a.tree(13, &[c7]);
    check(
        &mut r,
        a.finish(root),
        json!({"0": 1, "s": 0, "p": {"0": ["<section>", "</section>"]},
               "c": {"1": {"0": "x", "1": "y", "r": 1, "s": ["<div>FROM ", " ", "</div>"]}}}),
    );
    assert_eq!(r.take_dropped(), vec![8]);
    assert_eq!(r.component_count(), 1);
}

#[test]
fn components_must_have_one_root_element_and_be_rendered_when_new() {
    let mut a = Arena::default();
    a.template(10, &["<div>", "</div>"]).template(14, &["text ", ""]);
    let slot = a.component(1);
    let root = a.tree(10, &[slot]);
    let t = a.text("x");
    let croot = a.tree(14, &[t]);
    a.render_component(1, croot);
    assert_eq!(Renderer::new().render(a.finish(root)), Err(DiffError::ComponentRoot(1)));
    a.template(10, &["<div>", "</div>"]);
    let slot = a.component(1);
    let root = a.tree(10, &[slot]);
    assert_eq!(Renderer::new().render(a.finish(root)), Err(DiffError::MissingComponent(1)));
}

#[test]
fn streams_send_items_once_and_keep_none() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(20, &["<ul id=\"songs\" phx-update=\"stream\">", "</ul>"]).template(21, &["<li id=\"", "\">", "</li>"]);
    let items = |a: &mut Arena, rows: &[(&'static str, &str)]| {
        rows.iter()
            .map(|(id, name)| {
                let (i, n) = (a.text(id), a.text(name));
                (*id, -1, vec![i, n])
            })
            .collect::<Vec<_>>()
    };
    let inserts = items(&mut a, &[("songs-1", "A"), ("songs-2", "B")]);
    let stream = a.stream("songs", 21, inserts, &[], false);
    let root = a.tree(20, &[stream]);
    check(
        &mut r,
        a.finish(root),
        json!({"0": {"s": 0, "k": {"0": {"0": "songs-1", "1": "A"}, "1": {"0": "songs-2", "1": "B"}, "kc": 2},
                     "stream": ["0", [["songs-1", -1, null, null], ["songs-2", -1, null, null]], []]},
               "s": 1, "p": {"0": ["<li id=\"", "\">", "</li>"], "1": ["<ul id=\"songs\" phx-update=\"stream\">", "</ul>"]}}),
    );
    // Nothing new: nothing sent.
    let stream = a.stream("songs", 21, vec![], &[], false);
    let root = a.tree(20, &[stream]);
    check(&mut r, a.finish(root), json!({}));
    // An insert at the front and a delete.
    let inserts = items(&mut a, &[("songs-3", "C")]);
    let stream = a.stream("songs", 21, inserts.into_iter().map(|(id, _, s)| (id, 0, s)).collect(), &["songs-1"], false);
    let root = a.tree(20, &[stream]);
    check(
        &mut r,
        a.finish(root),
        json!({"0": {"k": {"0": {"0": "songs-3", "1": "C"}, "kc": 1}, "stream": ["0", [["songs-3", 0, null, null]], ["songs-1"]]}}),
    );
    // A reset.
    let stream = a.stream("songs", 21, vec![], &[], true);
    let root = a.tree(20, &[stream]);
    check(&mut r, a.finish(root), json!({"0": {"k": {"kc": 0}, "stream": ["0", [], [], true]}}));
    // The host keeps no items.
    assert_eq!(r.html(), "<ul id=\"songs\" phx-update=\"stream\"></ul>");
}

#[test]
fn the_dead_render_places_stream_items_like_the_client() {
    let mut a = Arena::default();
    a.template(20, &["<ul id=\"s\" phx-update=\"stream\">", "</ul>"]).template(21, &["<li id=\"", "\"></li>"]);
    let rows = ["a", "b", "c"].map(|id| {
        let t = a.text(id);
        (id, if id == "c" { 0 } else { -1 }, vec![t])
    });
    let stream = a.stream("s", 21, rows.to_vec(), &[], false);
    let root = a.tree(20, &[stream]);
    let html = Renderer::new().render_html(a.finish(root)).expect("valid");
    assert_eq!(html, "<ul id=\"s\" phx-update=\"stream\"><li id=\"c\"></li><li id=\"a\"></li><li id=\"b\"></li></ul>");
}

#[test]
fn a_comprehension_inside_a_component_carries_its_own_template_table() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(10, &["<div>", "</div>"]).template(30, &["<ul>", "</ul>"]).template(31, &["<li>", "</li>"]);
    a.template(32, &["<b>", "</b>"]);
    let slot = a.component(1);
    let root = a.tree(10, &[slot]);
    let t = a.text("x");
    let bold = a.tree(32, &[t]);
    let keyed = a.keyed(31, vec![(Some("k"), Some(vec![bold]))]);
    let croot = a.tree(30, &[keyed]);
    a.render_component(1, croot);
    check(
        &mut r,
        a.finish(root),
        json!({"0": 1, "s": 0, "p": {"0": ["<div>", "</div>"]},
               "c": {"1": {"0": {"s": ["<li>", "</li>"], "k": {"0": {"0": {"0": "x", "s": 0, "r": 1}}, "kc": 1},
                                 "p": {"0": ["<b>", "</b>"]}},
                           "r": 1, "s": ["<ul>", "</ul>"]}}}),
    );
}

#[test]
fn a_renderer_keeping_stream_html_models_the_browser() {
    let mut r = Renderer::keeping_stream_html();
    let mut a = Arena::default();
    a.template(20, &["<ul id=\"s\" phx-update=\"stream\">", "</ul>"]).template(21, &["<li id=\"", "\">", "</li>"]);
    let mut step = |a: &mut Arena, inserts: &[(&'static str, i32, &str)], deletes: &[&str], reset: bool| {
        let inserts = inserts
            .iter()
            .map(|(id, at, text)| {
                let (i, t) = (a.text(id), a.text(text));
                (*id, *at, vec![i, t])
            })
            .collect();
        let stream = a.stream("s", 21, inserts, deletes, reset);
        let root = a.tree(20, &[stream]);
        r.render(a.finish(root)).expect("valid");
        r.html()
    };
    assert_eq!(
        step(&mut a, &[("a", -1, "A"), ("b", -1, "B")], &[], false),
        "<ul id=\"s\" phx-update=\"stream\"><li id=\"a\">A</li><li id=\"b\">B</li></ul>"
    );
    assert_eq!(
        step(&mut a, &[("c", 1, "C"), ("a", 0, "A2")], &["b"], false),
        "<ul id=\"s\" phx-update=\"stream\"><li id=\"a\">A2</li><li id=\"c\">C</li></ul>"
    );
    assert_eq!(
        step(&mut a, &[("d", 0, "D")], &[], true),
        "<ul id=\"s\" phx-update=\"stream\"><li id=\"d\">D</li></ul>"
    );
}

/// `diff_test.exs` "change tracking with minimal diff updates" / "... when no key is given":
/// `<ul><li :for={item <- @items} :key={item.id}>Outside assign: {@count} Inside assign: {item.name}</li></ul>`.
fn minimal_diff_list(a: &mut Arena, count: &str, items: &[(&str, &str)], keyed: bool, define: bool) -> Parts {
    if define {
        a.template(1, &["<ul>\n  ", "\n</ul>"])
            .template(2, &["<li>\n    Outside assign: ", " Inside assign: ", "\n  </li>"]);
    }
    let items = items
        .iter()
        .map(|(id, name)| {
            let (c, n) = (a.text(count), a.text(name));
            (keyed.then_some(*id), Some(vec![c, n]))
        })
        .collect();
    let list = a.keyed(2, items);
    let root = a.tree(1, &[list]);
    a.finish(root)
}

#[test]
fn phoenix_change_tracking_with_minimal_diff_updates() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    check(
        &mut r,
        minimal_diff_list(&mut a, "0", &[("1", "First"), ("2", "Second")], true, true),
        json!({"0": {"k": {"0": {"0": "0", "1": "First"}, "1": {"0": "0", "1": "Second"}, "kc": 2}, "s": 0},
               "p": {"0": ["<li>\n    Outside assign: ", " Inside assign: ", "\n  </li>"], "1": ["<ul>\n  ", "\n</ul>"]}, "s": 1}),
    );
    check(
        &mut r,
        minimal_diff_list(&mut a, "0", &[("2", "Second"), ("1", "First")], true, false),
        json!({"0": {"k": {"0": 1, "1": 0, "kc": 2, "km": true}}}),
    );
    check(
        &mut r,
        minimal_diff_list(&mut a, "1", &[("2", "Second"), ("1", "First")], true, false),
        json!({"0": {"k": {"0": {"0": "1"}, "1": {"0": "1"}, "kc": 2}}}),
    );
    check(
        &mut r,
        minimal_diff_list(&mut a, "1", &[("1", "First"), ("3", "Third")], true, false),
        json!({"0": {"k": {"0": 1, "1": {"0": "1", "1": "Third"}, "kc": 2, "km": true}}}),
    );
}

#[test]
fn phoenix_change_tracking_when_no_key_is_given() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    r.render(minimal_diff_list(&mut a, "0", &[("1", "First"), ("2", "Second")], false, true)).expect("valid");
    check(
        &mut r,
        minimal_diff_list(&mut a, "0", &[("2", "Second"), ("1", "First")], false, false),
        json!({"0": {"k": {"0": {"1": "Second"}, "1": {"1": "First"}, "kc": 2}}}),
    );
    check(
        &mut r,
        minimal_diff_list(&mut a, "1", &[("2", "Second"), ("1", "First")], false, false),
        json!({"0": {"k": {"0": {"0": "1"}, "1": {"0": "1"}, "kc": 2}}}),
    );
    check(
        &mut r,
        minimal_diff_list(&mut a, "1", &[("2", "Second"), ("3", "Third")], false, false),
        json!({"0": {"k": {"1": {"1": "Third"}, "kc": 2}}}),
    );
}

#[test]
fn phoenix_components_inside_a_comprehension_share_statics() {
    // `diff_test.exs` "inside comprehension": two new components of one template in a list.
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(1, &["<div>\n  ", "\n</div>"]).template(2, &["\n    ", ": ", "\n  "]);
    a.template(3, &["<div>FROM ", " ", "</div>"]);
    let mut items = Vec::new();
    for (i, id) in [(0, 1), (1, 2)] {
        let (index, comp) = (a.text(&i.to_string()), a.component(id));
        items.push((Some(["a", "b"][i]), Some(vec![index, comp])));
        let (x, y) = (a.text(&format!("index_{id}")), a.text("world"));
        let croot = a.tree(3, &[x, y]);
        a.render_component(id, croot);
    }
    let list = a.keyed(2, items);
    let root = a.tree(1, &[list]);
    check(
        &mut r,
        a.finish(root),
        json!({"0": {"s": 0, "k": {"0": {"0": "0", "1": 1}, "1": {"0": "1", "1": 2}, "kc": 2}},
               "c": {"1": {"0": "index_1", "1": "world", "r": 1, "s": ["<div>FROM ", " ", "</div>"]},
                     "2": {"0": "index_2", "s": 1}},
               "s": 1, "p": {"0": ["\n    ", ": ", "\n  "], "1": ["<div>\n  ", "\n</div>"]}}),
    );
}

#[test]
fn duplicate_stream_inserts_keep_the_last() {
    let mut r = Renderer::new();
    let mut a = Arena::default();
    a.template(20, &["<ul id=\"s\" phx-update=\"stream\">", "</ul>"]).template(21, &["<li id=\"", "\">", "</li>"]);
    let rows = [("x", "old"), ("x", "new")].map(|(id, text)| {
        let (i, t) = (a.text(id), a.text(text));
        (id, -1, vec![i, t])
    });
    let stream = a.stream("s", 21, rows.to_vec(), &[], false);
    let root = a.tree(20, &[stream]);
    let diff = r.render(a.finish(root)).expect("valid");
    assert_eq!(diff["0"]["k"], json!({"0": {"0": "x", "1": "new"}, "kc": 1}));
    assert_eq!(diff["0"]["stream"], json!(["0", [["x", -1, null, null]], []]));
}
