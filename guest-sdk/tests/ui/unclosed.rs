use liveplug_guest::html;

fn main() {
    let _ = html! { <div><p>"x"</p> };
}
