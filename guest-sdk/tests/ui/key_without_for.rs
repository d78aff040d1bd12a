use liveplug_guest::html;

fn main() {
    let _ = html! { <li :key={1}>"x"</li> };
}
