//! A counter: the smallest useful LiveView. `+` and `-` change the count, `Reset` zeroes it,
//! and the page title follows the count.

use liveplug_guest::{Event, LiveView, Mount, Node, Render, Template, ViewError, page};
use serde_json::Value;

#[derive(Debug, Default)]
struct Counter {
    count: i64,
}

const PAGE: Template = Template::new(&[
    "<main class=\"counter\">\n  <h1>Count: <span id=\"count\">",
    "</span></h1>\n  <button id=\"dec\" phx-click=\"dec\">-</button>\n  <button id=\"inc\" phx-click=\"inc\">+</button>\n  <button id=\"reset\" phx-click=\"reset\">Reset</button>\n</main>",
]);

impl LiveView for Counter {
    fn mount(&mut self, _mount: Mount) -> Result<(), ViewError> {
        page::set_title("Counter");
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        match event.name.as_str() {
            "inc" => self.count = self.count.saturating_add(1),
            "dec" => self.count = self.count.saturating_sub(1),
            "reset" => self.count = 0,
            _ => return Err(event.unknown()),
        }
        page::set_title(&format!("Count: {}", self.count));
        Ok(None)
    }

    fn render(&self, r: &mut Render) -> Node {
        let count = r.text(self.count);
        r.tree(&PAGE, [count])
    }
}

liveplug_guest::export!(Counter);
