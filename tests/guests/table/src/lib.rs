//! A 1,000-row table for the guest render benchmark. `touch` changes one row. In the default
//! mode the rows live in a `List` (per-row change tracking); after `full` they are re-rendered
//! from a plain `Vec` on every render, as a view without change tracking would.

use liveplug_guest::{Event, List, LiveView, Mount, Node, Render, ViewError, html};
use serde_json::Value;

#[derive(Debug, Clone)]
struct Row {
    id: u32,
    name: String,
    value: u64,
}

#[derive(Debug, Default)]
struct Table {
    tracked: List<Row>,
    plain: Vec<Row>,
    full: bool,
}

impl LiveView for Table {
    fn mount(&mut self, _mount: Mount) -> Result<(), ViewError> {
        let rows: Vec<Row> = (1..=1000).map(|id| Row { id, name: format!("Row number {id}"), value: 0 }).collect();
        self.tracked = rows.iter().cloned().collect();
        self.plain = rows;
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        match event.name.as_str() {
            "full" => self.full = true,
            "touch" => {
                let index = event.value.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
                if let Some(row) = self.tracked.get_mut(index) {
                    row.value += 1;
                }
                if let Some(row) = self.plain.get_mut(index) {
                    row.value += 1;
                }
            }
            _ => return Err(event.unknown()),
        }
        Ok(None)
    }

    fn render(&self, r: &mut Render) -> Node {
        if self.full {
            html! {
                <table><tbody>
                    <tr :for={row in self.plain.iter()} :key={row.id} id={format!("row-{}", row.id)}>
                        <td>{&row.name}</td><td>{row.value}</td>
                    </tr>
                </tbody></table>
            }
            .render(r)
        } else {
            html! {
                <table><tbody>
                    <tr :for={row in self.tracked.iter()} :key={row.id} id={format!("row-{}", row.id)}>
                        <td>{&row.name}</td><td>{row.value}</td>
                    </tr>
                </tbody></table>
            }
            .render(r)
        }
    }
}

liveplug_guest::export!(Table);
