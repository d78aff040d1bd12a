use liveplug_guest::{LiveView, Node, Render, html};

#[derive(Default)]
struct Counter;

impl LiveView for Counter {
    fn render(&self, r: &mut Render) -> Node {
        html! { <p>"0"</p> }.render(r)
    }
}

liveplug_guest::export!(Counter, snapshots);

fn main() {}
