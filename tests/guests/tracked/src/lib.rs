//! A view that uses every `html!` construct with change tracking, and supports
//! snapshot/restore (derived from serde), so that the host's tests can compare the HTML a live session reaches
//! through tracked, partial renders with a from-scratch render of the same state.

use std::sync::atomic::{AtomicU32, Ordering};

use liveplug_guest::{Assign, Event, Html, List, LiveView, Node, Render, ViewError, html, raw};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// State outside the view's fields, the way a clock or a global counter is: `html!` cannot
/// see that a dynamic reads it, so every dynamic that does must be evaluated on every render.
/// (`render` keeps it equal to the plain field `next`, so that a fresh render of the same state
/// shows the same value.)
static NEXT: AtomicU32 = AtomicU32::new(0);

/// A free function reading ambient state, like `now()`.
fn now() -> u32 {
    NEXT.load(Ordering::Relaxed)
}

mod clock {
    /// The same behind a path.
    pub fn now() -> u32 {
        super::now()
    }
}

/// The same behind a macro.
macro_rules! now {
    () => {
        crate::now()
    };
}

/// Snapshots come from serde (`export!(Tracked, snapshot)`): every field, `rows` included.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Tracked {
    count: Assign<i64>,
    name: Assign<String>,
    show: Assign<bool>,
    items: Assign<Vec<(u32, String)>>,
    /// The same items in a change-tracked list: each row re-rendered only when written.
    rows: List<(u32, String)>,
    theme: Assign<String>,
    next: u32,
}

/// A function component: a plain function returning markup.
fn badge(label: &str) -> Html<impl FnOnce(&mut Render<'_>) -> Node + '_> {
    html! { <span class="badge">{label}</span> }
}

fn text(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_str).unwrap_or("").to_owned()
}

impl LiveView for Tracked {
    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        let v = &event.value;
        match event.name.as_str() {
            "inc" => *self.count += 1,
            "dec" => *self.count -= 1,
            "rename" => self.name.set(text(v, "name")),
            "toggle" => *self.show = !*self.show,
            "theme" => self.theme.set(text(v, "theme")),
            "add" => {
                self.next += 1;
                let id = self.next;
                self.items.push((id, text(v, "text")));
                self.rows.push((id, text(v, "text")));
            }
            "remove" => {
                let index = v.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
                if index < self.items.len() {
                    self.items.remove(index);
                    self.rows.remove(index);
                }
            }
            "edit" => {
                let index = v.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
                if let Some(item) = self.items.get_mut(index) {
                    item.1 = text(v, "text");
                }
                if let Some(row) = self.rows.get_mut(index) {
                    row.1 = text(v, "text");
                }
            }
            "shuffle" => {
                self.items.reverse();
                self.rows.reverse();
            }
            _ => return Err(event.unknown()),
        }
        Ok(None)
    }

    fn render(&self, r: &mut Render) -> Node {
        NEXT.store(self.next, Ordering::Relaxed);
        html! {
            <div id="tracked" class={&self.theme} data-count={*self.count}>
                <h1>"Count: " {*self.count} " <&> "</h1>
                <p :if={*self.show} class="shown">"Hello, " {&self.name} "!"</p>
                <ul>
                    <li :for={(id, label) in self.items.iter()} :key={id} id={format!("item-{}", id)}>
                        {label} " / " {*self.count}
                    </li>
                </ul>
                <table><tr :for={row in self.rows.iter()} :key={row.0} id={format!("row-{}", row.0)}><td>{&row.1}</td></tr></table>
                <ol><li :for={word in self.name.split(' ')} :if={!word.is_empty()}>{word}</li></ol>
                {badge(&self.name)}
                <input type="checkbox" checked={*self.show} disabled={self.items.is_empty()} />
                {raw("<hr>")}
                {if *self.show { Some(html! { <em>"on"</em> }) } else { None }}
                <footer id="ambient" data-next={clock::now()}>
                    <span id="call">{now()}</span>
                    <span id="static">{NEXT.load(Ordering::Relaxed)}</span>
                    <span id="path">{crate::NEXT.load(Ordering::Relaxed)}</span>
                    <span id="macro">{now!()}</span>
                    <b :if={now() % 2 == 1}>"odd"</b>
                    <i :for={i in now()..now() + 2}>{i}</i>
                    <s :for={i in 0..self.items.len()}>{i}</s>
                </footer>
            </div>
        }
        .render(r)
    }
}

liveplug_guest::export!(Tracked, snapshot);
