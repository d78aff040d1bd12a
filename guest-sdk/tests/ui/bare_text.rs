use liveplug_guest::html;

fn main() {
    let _ = html! { <p>hello</p> };
}
