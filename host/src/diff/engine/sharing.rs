//! Which component a new one borrows its statics from (`"s": ±cid`): among those whose current
//! tree the client holds with the same root template, the highest cid; a component the guest
//! re-renders in the same diff only once it is done (with its new tree, `+cid`); a component
//! the client is about to destroy only after something referenced it again.

use serde_json::{Value, json};

use super::Renderer;
use crate::diff::{ComponentRoot, PartItem, PartNode, Parts, Template};

/// The view: `<div>` around a keyed list of components.
const VIEW: u64 = 20;
const ITEM: u64 = 21;
/// Component roots: two slots each.
const P: u64 = 11;
const B: u64 = 12;
/// A component root with one slot holding another component.
const SECTION: u64 = 13;

/// What a component renders.
#[derive(Clone, Copy)]
enum Body<'a> {
    Texts(u64, [&'a str; 2]),
    /// A `<section>` around component `gid`.
    Nesting(u32),
}

/// A render of the view listing components `listed` (by guest id) whose guest re-rendered
/// `rendered`, in that order.
fn render(listed: &[u32], rendered: &[(u32, Body<'_>)]) -> Parts {
    let mut parts = Parts::default();
    for (id, statics) in [
        (VIEW, &["<div>", "</div>"][..]),
        (ITEM, &["", ""]),
        (P, &["<p>", " ", "</p>"]),
        (B, &["<b>", " ", "</b>"]),
        (SECTION, &["<section>", "</section>"]),
    ] {
        parts.new_templates.push(Template { id, statics: statics.iter().map(|s| (*s).to_owned()).collect() });
    }
    let push = |parts: &mut Parts, node: PartNode| {
        parts.nodes.push(node);
        u32::try_from(parts.nodes.len() - 1).expect("small arena")
    };
    let items = listed
        .iter()
        .map(|&gid| {
            let slot = push(&mut parts, PartNode::Component(gid));
            PartItem { key: Some(gid.to_string()), slots: Some(vec![slot]) }
        })
        .collect();
    let list = push(&mut parts, PartNode::Keyed { template: ITEM, items });
    let root = push(&mut parts, PartNode::Tree { template: VIEW, slots: vec![list] });
    parts.root = root;
    for &(id, body) in rendered {
        let root = match body {
            Body::Texts(template, texts) => {
                let slots = texts.iter().map(|t| push(&mut parts, PartNode::Text((*t).to_owned()))).collect();
                push(&mut parts, PartNode::Tree { template, slots })
            }
            Body::Nesting(gid) => {
                let inner = push(&mut parts, PartNode::Component(gid));
                push(&mut parts, PartNode::Tree { template: SECTION, slots: vec![inner] })
            }
        };
        parts.components.push(ComponentRoot { id, root });
    }
    parts
}

/// The `"c"` map of a render.
fn components(r: &mut Renderer, parts: Parts) -> Value {
    r.render(parts).expect("valid parts").remove("c").unwrap_or(Value::Null)
}

fn p(x: &'static str, y: &'static str) -> Body<'static> {
    Body::Texts(P, [x, y])
}

#[test]
fn the_highest_cid_lends_and_re_rendered_components_lend_once_done() {
    let mut r = Renderer::new();
    assert_eq!(
        components(&mut r, render(&[1, 2], &[(1, p("a", "x")), (2, p("b", "x"))])),
        json!({"1": {"0": "a", "1": "x", "r": 1, "s": ["<p>", " ", "</p>"]}, "2": {"0": "b", "s": 1}}),
    );
    // Both are on the client: the highest cid lends (not sent in this diff: negative).
    assert_eq!(components(&mut r, render(&[1, 2, 3], &[(3, p("c", "x"))])), json!({"3": {"0": "c", "s": -2}}));
    // 3 is re-rendered after 4: it lends to 4 only once done, to 5 with its new tree.
    assert_eq!(
        components(&mut r, render(&[1, 2, 3, 4, 5], &[(4, p("d", "x")), (3, p("c", "y")), (5, p("c", "y"))])),
        json!({"4": {"0": "d", "s": -2}, "3": {"1": "y"}, "5": {"0": "c", "1": "y", "s": 4}}),
    );
    // A component that changed its root template lends the new one.
    let sent = components(
        &mut r,
        render(&[1, 2, 3, 4, 5, 6], &[(5, Body::Texts(B, ["e", "z"])), (6, Body::Texts(B, ["e", "z"]))]),
    );
    assert_eq!(sent["6"], json!({"s": 5}));
}

#[test]
fn a_component_about_to_be_destroyed_lends_only_once_referenced_again() {
    let first = || render(&[1, 2], &[(1, p("a", "x")), (2, p("b", "x"))]);
    // 2 is marked; the new component 4 comes before 3, which references 2 again.
    let mut r = Renderer::new();
    r.render(first()).expect("valid");
    r.components_will_destroy(&[2]);
    assert_eq!(
        components(&mut r, render(&[1, 3, 4], &[(4, p("b", "y")), (3, Body::Nesting(2))])),
        json!({"4": {"0": "b", "1": "y", "s": -1}, "3": {"0": 2, "r": 1, "s": ["<section>", "</section>"]}}),
    );
    // The same with 3 first: 2 is no longer about to be destroyed when 4 looks for a lender.
    let mut r = Renderer::new();
    r.render(first()).expect("valid");
    r.components_will_destroy(&[2]);
    assert_eq!(
        components(&mut r, render(&[1, 3, 4], &[(3, Body::Nesting(2)), (4, p("b", "y"))])),
        json!({"3": {"0": 2, "r": 1, "s": ["<section>", "</section>"]}, "4": {"1": "y", "s": -2}}),
    );
}

/// Many new components in one render: each borrows from the highest cid done before it.
#[test]
fn a_thousand_new_components_borrow_from_the_previous_one() {
    let mut r = Renderer::new();
    let ids: Vec<u32> = (1..=1000).collect();
    let names: Vec<String> = ids.iter().map(|id| format!("row {id}")).collect();
    let rendered: Vec<(u32, Body<'_>)> =
        ids.iter().zip(&names).map(|(&id, name)| (id, Body::Texts(P, [name.as_str(), "x"]))).collect();
    let Value::Object(sent) = components(&mut r, render(&ids, &rendered)) else { panic!("no components sent") };
    assert_eq!(sent.len(), 1000);
    assert_eq!(sent["1"], json!({"0": "row 1", "1": "x", "r": 1, "s": ["<p>", " ", "</p>"]}));
    for id in 2..=1000 {
        assert_eq!(sent[&id.to_string()], json!({"0": format!("row {id}"), "s": id - 1}), "component {id}");
    }
}
