use liveplug_guest::html;

fn main() {
    let _ = html! { <li :while={true}>"x"</li> };
}
