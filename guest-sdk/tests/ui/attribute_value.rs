use liveplug_guest::html;

fn main() {
    let _ = html! { <p class=big>"x"</p> };
}
