//! Exact-wire tests for the diff engine: parts in, rendered JSON out.

use serde_json::{Value, json};

use super::Renderer;
use crate::diff::{DiffError, PartNode, Parts, Template};

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
        json!({"0": {"0": "x", "1": "y", "s": 0}, "1": "tick 0", "s": 1,
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
        json!({"0": {"0": "x", "s": 0}, "1": {"0": "y", "s": 0}, "p": {"0": ["<i>", "</i>"]}}),
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
