//! The smallest view the contract allows: the `minimal-view` world, bindings from wit-bindgen
//! alone, no SDK. It exports only `view` (no describe, params, info, components or snapshot),
//! so the host must serve it at `/minimal`, never hibernate it and skip what it lacks.
//!
//! It renders `<p id="said">{said}</p>` plus a `<b>` whose attributes are dynamic, and its
//! `say` event sets `said` to the event's `text` verbatim: the host, not the guest, escapes
//! text and attribute values, so the tests send hostile strings through it.

use std::cell::RefCell;

wit_bindgen::generate!({
    path: "../../../wit",
    world: "minimal-view",
});

use exports::liveplug::view::view::Guest;
use liveplug::view::parts::{Attribute, Node, Parts, Template, TreeNode};
use liveplug::view::types::{MountContext, ViewError};

const PAGE: u32 = 1;

thread_local! {
    static SAID: RefCell<String> = const { RefCell::new(String::new()) };
    static SENT: RefCell<bool> = const { RefCell::new(false) };
}

struct Minimal;

impl Guest for Minimal {
    fn mount(_ctx: MountContext) -> Result<(), ViewError> {
        SAID.with(|said| *said.borrow_mut() = "nothing yet".into());
        Ok(())
    }

    fn handle_event(name: String, value: String, _target: Option<u32>) -> Result<Option<String>, ViewError> {
        if name != "say" {
            return Err(ViewError { message: format!("unknown event {name}") });
        }
        let value: serde_json::Value =
            serde_json::from_str(&value).map_err(|e| ViewError { message: format!("event value: {e}") })?;
        let text = value.get("text").and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
        SAID.with(|said| *said.borrow_mut() = text);
        Ok(None)
    }

    fn render() -> Parts {
        let said = SAID.with(|said| said.borrow().clone());
        let first = SENT.with(|sent| !sent.replace(true));
        let new_templates = if first {
            vec![Template {
                id: PAGE,
                statics: vec![
                    "<div id=\"minimal\"><p id=\"said\">".into(),
                    "</p><b id=\"attrs\"".into(),
                    ">bold</b><button id=\"say\" phx-click=\"say\" phx-value-text=\"hi\">say</button></div>".into(),
                ],
            }]
        } else {
            Vec::new()
        };
        let nodes = vec![
            Node::Text(said.clone()),
            Node::Attributes(vec![
                Attribute { name: "title".into(), value: Some(said) },
                Attribute { name: "data-on".into(), value: None },
            ]),
            Node::Tree(TreeNode { template: PAGE, slots: vec![0, 1] }),
        ];
        Parts { new_templates, nodes, root: 2, components: Vec::new() }
    }
}

export!(Minimal);
