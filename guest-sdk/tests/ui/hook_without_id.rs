use liveplug_guest::html;

fn main() {
    let _ = html! { <div phx-hook="Chart">"x"</div> };
}
