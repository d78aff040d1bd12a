//! JS commands in `html!` attributes, through the public API: the attribute holds the JSON the
//! client executes, HTML-escaped exactly once, and is tracked like any other dynamic.

use liveplug_guest::js::{Classes, Dispatch, Hide, JS, Push, Show, To, closest, inner};
use liveplug_guest::{Assign, LiveView, Node, Render, html, testing};
use serde_json::json;

#[derive(Default)]
struct Counter {
    step: Assign<i64>,
}

impl LiveView for Counter {
    fn render(&self, r: &mut Render) -> Node {
        html! {
            <div id="counter">
                <button id="inc" phx-click={JS::new().push("inc")}>"+"</button>
                <button id="by" phx-click={JS::new().push(Push::new("by").value(json!({"step": *self.step})))}>"+n"</button>
                <button id="close" phx-click={JS::new().push(Push::new("close").target("#counter")).hide(Hide::new().to("#counter").transition("fade-out"))}>"x"</button>
            </div>
        }
        .render(r)
    }
}

#[test]
fn a_js_attribute_is_the_json_html_escaped_once() {
    let counter = Counter { step: Assign::new(5) };
    assert_eq!(
        testing::render_html(&counter),
        concat!(
            r#"<div id="counter">"#,
            r#"<button id="inc" phx-click="[[&quot;push&quot;,{&quot;event&quot;:&quot;inc&quot;}]]">+</button>"#,
            r#"<button id="by" phx-click="[[&quot;push&quot;,{&quot;event&quot;:&quot;by&quot;,&quot;value&quot;:{&quot;step&quot;:5}}]]">+n</button>"#,
            r#"<button id="close" phx-click="[[&quot;push&quot;,{&quot;event&quot;:&quot;close&quot;,&quot;target&quot;:&quot;#counter&quot;}],"#,
            r#"[&quot;hide&quot;,{&quot;to&quot;:&quot;#counter&quot;,&quot;transition&quot;:[[&quot;fade-out&quot;],[],[]]}]]">x</button>"#,
            r#"</div>"#,
        )
    );
}

#[derive(Default)]
struct Menu {
    open: JS,
    label: String,
}

impl LiveView for Menu {
    fn render(&self, r: &mut Render) -> Node {
        let hidden: Option<JS> = None;
        html! {
            <nav phx-click-away={JS::new().hide(inner(".menu"))} data-open={&self.open} phx-remove={hidden}>
                <a phx-click={JS::new().toggle_class(Classes::new("open").to(closest("nav"))).focus_first(inner(".menu"))}>{&self.label}</a>
                <ul class="menu" phx-mounted={JS::new().show(Show::new().display("flex")).exec("data-open", To::This)}></ul>
                <input phx-keydown={JS::new().dispatch(Dispatch::new("app:say").detail(json!({"text": self.label})))} />
            </nav>
        }
        .render(r)
    }
}

#[test]
fn selectors_quotes_and_markup_in_values_round_trip_through_the_attribute() {
    let menu = Menu { open: JS::new().show(".menu"), label: r#"<b>"Tom" & 'Jerry'</b>"#.to_owned() };
    let html = testing::render_html(&menu);
    assert_eq!(
        html,
        concat!(
            r#"<nav phx-click-away="[[&quot;hide&quot;,{&quot;to&quot;:{&quot;inner&quot;:&quot;.menu&quot;}}]]" "#,
            r#"data-open="[[&quot;show&quot;,{&quot;to&quot;:&quot;.menu&quot;}]]">"#,
            r#"<a phx-click="[[&quot;toggle_class&quot;,{&quot;names&quot;:[&quot;open&quot;],&quot;to&quot;:{&quot;closest&quot;:&quot;nav&quot;}}],"#,
            r#"[&quot;focus_first&quot;,{&quot;to&quot;:{&quot;inner&quot;:&quot;.menu&quot;}}]]">&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;</a>"#,
            r#"<ul class="menu" phx-mounted="[[&quot;show&quot;,{&quot;display&quot;:&quot;flex&quot;}],[&quot;exec&quot;,{&quot;attr&quot;:&quot;data-open&quot;}]]"></ul>"#,
            r#"<input phx-keydown="[[&quot;dispatch&quot;,{&quot;detail&quot;:{&quot;text&quot;:&quot;&lt;b&gt;\&quot;Tom\&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;&quot;},&quot;event&quot;:&quot;app:say&quot;}]]">"#,
            r#"</nav>"#,
        )
    );
    // Decoding the attribute gives the JSON back, which decodes to the label.
    let start = html.find(r#"phx-keydown=""#).unwrap() + r#"phx-keydown=""#.len();
    let end = start + html[start..].find('"').unwrap();
    let json = html_escape::decode_html_entities(&html[start..end]).into_owned();
    let commands: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(commands[0][1]["detail"]["text"], menu.label);
    assert_eq!(json, JS::new().dispatch(Dispatch::new("app:say").detail(json!({"text": menu.label}))).to_string());
}

#[test]
fn a_js_value_serializes_into_a_payload_as_its_command_array() {
    let js = JS::new().push("inc").hide("#x");
    assert_eq!(
        json!({"to": "#row-1", "js": js}),
        json!({"to": "#row-1", "js": [["push", {"event": "inc"}], ["hide", {"to": "#x"}]]})
    );
}
