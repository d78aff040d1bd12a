//! A view that misbehaves on request, for the host's fault-isolation tests. Each event is one
//! kind of hostile guest: `trap` panics (a wasm trap), `spin` never returns, `bomb` allocates
//! until memory runs out, `refuse` returns an error; `ok` counts like a well-behaved view.
//!
//! It snapshots (`export!(Hostile, snapshot)`), and `arm-restore-trap` makes the snapshots
//! taken from then on trap when they are restored: a fault inside `restore`, in the fresh
//! instance of a hibernated session.

use liveplug_guest::{Event, LiveView, Node, Render, Template, ViewError};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Hostile {
    oks: u64,
    /// Set by `arm-restore-trap`: restoring a snapshot with it set panics.
    #[serde(deserialize_with = "trap_if_armed")]
    restore_trap: bool,
    #[serde(skip)]
    hoard: Vec<Vec<u8>>,
}

/// Restores `restore_trap`, and traps (inside `restore`) when it is set.
fn trap_if_armed<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    if bool::deserialize(deserializer)? {
        panic!("hostile guest traps in restore on purpose");
    }
    Ok(false)
}

const PAGE: Template = Template::new(&[
    "<div id=\"hostile\">oks: <span id=\"oks\">",
    "</span> <button id=\"ok\" phx-click=\"ok\">ok</button> <button id=\"trap\" phx-click=\"trap\">trap</button> <button id=\"spin\" phx-click=\"spin\">spin</button></div>",
]);

impl LiveView for Hostile {
    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        match event.name.as_str() {
            "ok" => self.oks += 1,
            "trap" => panic!("hostile guest traps on purpose"),
            "spin" => spin(),
            "bomb" => loop {
                // 1 MiB at a time, touched so that it is really allocated.
                self.hoard.push(vec![1; 1 << 20]);
            },
            "refuse" => return Err(ViewError::new("refused on purpose")),
            "arm-restore-trap" => self.restore_trap = true,
            _ => return Err(event.unknown()),
        }
        Ok(None)
    }

    fn render(&self, r: &mut Render) -> Node {
        let oks = r.text(self.oks);
        r.tree(&PAGE, [oks])
    }
}

/// Loops forever in a way the optimizer cannot remove.
fn spin() -> ! {
    let mut x: u64 = 1;
    loop {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
}

liveplug_guest::export!(Hostile, snapshot);
