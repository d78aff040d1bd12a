use liveplug_guest::{Node, Render, html};

struct Opaque;

fn render(r: &mut Render) -> Node {
    html! { <p>{Opaque}</p> }.render(r)
}

fn main() {}
