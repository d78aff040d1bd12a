//! Hostile text through every path a view has for it: a text node, a quoted attribute value,
//! a dynamic attribute, and (the trusted path) raw markup. Its twins in the other SDKs
//! (`tests/guests/escape-js`, `-py`, `-c`) render the same page; `tests/js/e2e_escape.mjs`
//! types hostile strings into the form and checks the DOM.

use liveplug_guest::{Assign, Event, LiveView, Mount, Node, Render, ViewError, html, page, raw};
use serde_json::Value;

#[derive(Debug, Default)]
struct Escape {
    said: Assign<String>,
}

impl LiveView for Escape {
    fn mount(&mut self, _mount: Mount) -> Result<(), ViewError> {
        page::set_title("Escape");
        self.said.set("nothing yet".into());
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        match event.name.as_str() {
            "say" => {
                let text = event.value.get("text").and_then(Value::as_str).unwrap_or_default();
                self.said.set(text.to_owned());
                Ok(None)
            }
            _ => Err(event.unknown()),
        }
    }

    fn render(&self, r: &mut Render) -> Node {
        html! {
            <main id="escape">
                <p id="text">{&*self.said}</p>
                <p id="attr" title={&*self.said}>"attribute"</p>
                <b id="attrs" title={&*self.said} data-on={true}>"attributes"</b>
                <div id="raw">{raw("<em id=\"trusted\" class=\"raw\">trusted markup</em>")}</div>
                <form id="say" phx-submit="say">
                    <input id="words" name="text" autocomplete="off" />
                    <button id="send" type="submit">"Say"</button>
                </form>
            </main>
        }
        .render(r)
    }
}

liveplug_guest::export!(Escape);
