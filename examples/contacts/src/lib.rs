//! Contacts: a sortable table whose rows are stateful components (each editable in place,
//! with its own events), an add form, and a live activity feed kept as a stream (sent once,
//! stored by nobody).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use liveplug_guest::{At, Event, Item, LiveView, Mount, Node, Render, Stream, Template, ViewError, page};
use serde_json::Value;

/// The feed keeps at most this many entries in the browser.
const FEED_LIMIT: i32 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Contact {
    name: String,
    email: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Email,
}

impl Column {
    fn label(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Email => "email",
        }
    }
}

#[derive(Debug)]
struct Activity {
    seq: u64,
    text: String,
}

#[derive(Debug)]
struct Contacts {
    contacts: BTreeMap<u32, Contact>,
    /// Rows in edit mode.
    editing: BTreeSet<u32>,
    sort: Option<(Column, bool)>,
    next_id: u32,
    /// Bumped after each add, so the add form is replaced by an empty one.
    form_generation: u64,
    feed: Stream<Activity>,
    feed_seq: u64,
    /// Rows whose component must be re-rendered (changed or new since the last render).
    dirty: RefCell<BTreeSet<u32>>,
}

impl Default for Contacts {
    fn default() -> Self {
        Self {
            contacts: BTreeMap::new(),
            editing: BTreeSet::new(),
            sort: None,
            next_id: 1,
            form_generation: 0,
            feed: Stream::new("activity", |a: &Activity| format!("activity-{}", a.seq)),
            feed_seq: 0,
            dirty: RefCell::new(BTreeSet::new()),
        }
    }
}

const PAGE: Template = Template::new(&[
    "<main id=\"contacts-app\">\n  <h1>Contacts (<span id=\"contact-count\">",
    "</span>)</h1>\n  ",
    "\n  <table id=\"contacts\">\n    <thead><tr>\n      <th><button id=\"sort-name\" phx-click=\"sort\" phx-value-by=\"name\">Name",
    "</button></th>\n      <th><button id=\"sort-email\" phx-click=\"sort\" phx-value-by=\"email\">Email",
    "</button></th>\n      <th></th>\n    </tr></thead>\n    <tbody id=\"contact-rows\">",
    "</tbody>\n  </table>\n  <h2>Activity</h2>\n  <ul id=\"activity\" phx-update=\"stream\">",
    "</ul>\n</main>",
]);

/// The inputs' ids change after each add, so the browser replaces them with empty ones.
const ADD_FORM: Template = Template::new(&[
    "<form id=\"add-contact\" phx-submit=\"add\">\n    <input type=\"text\" id=\"new-name-",
    "\" name=\"contact[name]\" placeholder=\"Name\" value=\"\">\n    <input type=\"email\" id=\"new-email-",
    "\" name=\"contact[email]\" placeholder=\"Email\" value=\"\">\n    <button type=\"submit\" id=\"add-button\">Add</button>\n  </form>",
]);

/// One table row: a slot for the row component.
const ROW: Template = Template::new(&["", ""]);

const ROW_VIEW: Template = Template::new(&[
    "<tr id=\"contact-",
    "\"><td class=\"name\">",
    "</td><td class=\"email\">",
    "</td><td><button class=\"edit\" phx-click=\"edit\" phx-target=\"#contact-",
    "\">Edit</button> <button class=\"delete\" phx-click=\"delete\" phx-value-id=\"",
    "\">Delete</button></td></tr>",
]);

const ROW_EDIT: Template = Template::new(&[
    "<tr id=\"contact-",
    "\"><td colspan=\"3\"><form class=\"edit-form\" id=\"edit-",
    "\" phx-submit=\"save\" phx-target=\"#contact-",
    "\"><input name=\"name\" value=\"",
    "\"> <input name=\"email\" value=\"",
    "\"> <button type=\"submit\" class=\"save\">Save</button> <button type=\"button\" class=\"cancel\" phx-click=\"cancel\" phx-target=\"#contact-",
    "\">Cancel</button></form></td></tr>",
]);

const FEED_ITEM: Template = Template::new(&["<li id=\"", "\">", "</li>"]);

impl Contacts {
    fn add(&mut self, name: &str, email: &str) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        self.contacts.insert(id, Contact { name: name.to_owned(), email: email.to_owned() });
        self.dirty.borrow_mut().insert(id);
        id
    }

    fn log(&mut self, text: String) {
        self.feed_seq += 1;
        self.feed.insert_limited(Activity { seq: self.feed_seq, text }, At::Start, FEED_LIMIT);
    }

    fn set_title(&self) {
        page::set_title(&format!("Contacts ({})", self.contacts.len()));
    }

    /// Contact ids in display order.
    fn order(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.contacts.keys().copied().collect();
        if let Some((column, ascending)) = self.sort {
            let field = |id: &u32| {
                self.contacts.get(id).map(|c| match column {
                    Column::Name => c.name.to_lowercase(),
                    Column::Email => c.email.to_lowercase(),
                })
            };
            ids.sort_by_key(|id| (field(id), *id));
            if !ascending {
                ids.reverse();
            }
        }
        ids
    }

    fn arrow(&self, column: Column) -> &'static str {
        match self.sort {
            Some((c, true)) if c == column => " ▲",
            Some((c, false)) if c == column => " ▼",
            _ => "",
        }
    }

    fn handle_row_event(&mut self, id: u32, event: &Event) -> Result<(), ViewError> {
        if !self.contacts.contains_key(&id) {
            return Ok(());
        }
        match event.name.as_str() {
            "edit" => {
                self.editing.insert(id);
            }
            "cancel" => {
                self.editing.remove(&id);
            }
            "save" => {
                let text = |key: &str| event.value.get(key).and_then(Value::as_str).unwrap_or("").trim().to_owned();
                let (name, email) = (text("name"), text("email"));
                if let Some(contact) = self.contacts.get_mut(&id)
                    && !name.is_empty()
                {
                    let old = std::mem::replace(&mut contact.name, name.clone());
                    contact.email = email;
                    self.editing.remove(&id);
                    self.log(if old == name { format!("Updated {name}") } else { format!("Renamed {old} to {name}") });
                }
            }
            _ => return Err(event.unknown()),
        }
        self.dirty.borrow_mut().insert(id);
        Ok(())
    }

    fn render_row(&self, r: &mut Render, id: u32, contact: &Contact) -> Node {
        let ids = [r.text(id), r.text(id), r.text(id)];
        if self.editing.contains(&id) {
            let (name, email) = (r.text(&contact.name), r.text(&contact.email));
            let cancel = r.text(id);
            r.tree(&ROW_EDIT, [ids[0], ids[1], ids[2], name, email, cancel])
        } else {
            let (name, email) = (r.text(&contact.name), r.text(&contact.email));
            r.tree(&ROW_VIEW, [ids[0], name, email, ids[1], ids[2]])
        }
    }
}

impl LiveView for Contacts {
    fn mount(&mut self, _mount: Mount) -> Result<(), ViewError> {
        for (name, email) in [
            ("Ada Lovelace", "ada@example.com"),
            ("Grace Hopper", "grace@example.com"),
            ("Alan Turing", "alan@example.com"),
        ] {
            self.add(name, email);
        }
        self.log(format!("{} contacts loaded", self.contacts.len()));
        self.set_title();
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        if let Some(id) = event.target {
            self.handle_row_event(id, &event)?;
            return Ok(None);
        }
        match event.name.as_str() {
            "add" => {
                let field = |key: &str| {
                    event
                        .value
                        .pointer(&format!("/contact/{key}"))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .trim()
                        .to_owned()
                };
                let (name, email) = (field("name"), field("email"));
                if !name.is_empty() {
                    self.add(&name, &email);
                    self.form_generation += 1;
                    self.log(format!("Added {name}"));
                }
            }
            "sort" => {
                let column = match event.value.get("by").and_then(Value::as_str) {
                    Some("email") => Column::Email,
                    _ => Column::Name,
                };
                let ascending = !matches!(self.sort, Some((c, true)) if c == column);
                self.sort = Some((column, ascending));
                let direction = if ascending { "ascending" } else { "descending" };
                self.log(format!("Sorted by {} {direction}", column.label()));
            }
            "delete" => {
                let id = event.value.get("id").and_then(Value::as_str).and_then(|s| s.parse().ok());
                if let Some(contact) = id.and_then(|id| self.contacts.remove(&id)) {
                    self.log(format!("Deleted {}", contact.name));
                }
            }
            _ => return Err(event.unknown()),
        }
        self.set_title();
        Ok(None)
    }

    fn render(&self, r: &mut Render) -> Node {
        let count = r.text(self.contacts.len());
        let generation = [r.text(self.form_generation), r.text(self.form_generation)];
        let form = r.tree(&ADD_FORM, generation);
        let (name_arrow, email_arrow) = (r.text(self.arrow(Column::Name)), r.text(self.arrow(Column::Email)));
        let mut dirty = self.dirty.borrow_mut();
        let items = self
            .order()
            .into_iter()
            .filter_map(|id| {
                let contact = self.contacts.get(&id)?;
                if dirty.remove(&id) {
                    let root = self.render_row(r, id, contact);
                    r.component_root(id, root);
                }
                let row = r.component(id);
                Some(Item::keyed(id, [row]))
            })
            .collect();
        let rows = r.list(&ROW, items);
        let feed = r.stream(&self.feed, &FEED_ITEM, |r, dom_id, activity| [r.text(dom_id), r.text(&activity.text)]);
        r.tree(&PAGE, [count, form, name_arrow, email_arrow, rows, feed])
    }

    fn components_destroyed(&mut self, ids: Vec<u32>) {
        for id in ids {
            self.editing.remove(&id);
        }
    }
}

liveplug_guest::export!(Contacts);
