//! The counter example's next version, for hot swap tests: the same state (so a session's
//! count carries over through snapshot and restore), a different template (a new heading,
//! a class, and a "+10" button), so a swapped session's new markup is visible.

use liveplug_guest::{Assign, Event, LiveView, Mount, Node, Render, ViewError, html, page};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Counter {
    count: Assign<i64>,
}

impl LiveView for Counter {
    fn mount(&mut self, _mount: Mount) -> Result<(), ViewError> {
        page::set_title("Counter v2");
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        match event.name.as_str() {
            "inc" => *self.count = self.count.saturating_add(1),
            "inc10" => *self.count = self.count.saturating_add(10),
            "dec" => *self.count = self.count.saturating_sub(1),
            "reset" => self.count.set(0),
            _ => return Err(event.unknown()),
        }
        page::set_title(&format!("Count: {}", *self.count));
        Ok(None)
    }

    fn render(&self, r: &mut Render) -> Node {
        html! {
            <main class="counter v2">
                <h1>"Total: " <span id="count">{*self.count}</span></h1>
                <button id="dec" phx-click="dec">"-"</button>
                <button id="inc" phx-click="inc">"+"</button>
                <button id="inc10" phx-click="inc10">"+10"</button>
                <button id="reset" phx-click="reset">"Reset"</button>
            </main>
        }
        .render(r)
    }
}

liveplug_guest::export!(Counter, snapshot);
