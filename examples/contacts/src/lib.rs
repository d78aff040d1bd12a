//! Contacts: a sortable table whose rows are stateful components (each editable in place,
//! with its own events), an add form, and a live activity feed kept as a stream (sent once,
//! stored by nobody).

use std::cell::RefCell;

use liveplug_guest::Template;
use std::collections::{BTreeMap, BTreeSet};

use liveplug_guest::{At, Event, Item, LiveView, Mount, Node, Render, Stream, ViewError, html, page};
use serde::Deserialize;
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

/// A slot for one row component (the list items carry no markup of their own).
const ROW: Template = Template::new(&["", ""]);

/// One feed entry.
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
                let form: EditForm = event.params()?;
                let (name, email) = (form.name.trim().to_owned(), form.email.trim().to_owned());
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

    /// A row component's markup: view mode, or an inline edit form. Events inside target the
    /// row through `phx-target="#contact-<id>"`.
    fn render_row(&self, r: &mut Render, id: u32, contact: &Contact) -> Node {
        let target = format!("#contact-{id}");
        let dom_id = format!("contact-{id}");
        if self.editing.contains(&id) {
            html! {
                <tr id={&dom_id}><td colspan="3">
                    <form class="edit-form" id={format!("edit-{id}")} phx-submit="save" phx-target={&target}>
                        <input name="name" value={&contact.name} />
                        " "
                        <input name="email" value={&contact.email} />
                        " "
                        <button type="submit" class="save">"Save"</button>
                        " "
                        <button type="button" class="cancel" phx-click="cancel" phx-target={&target}>"Cancel"</button>
                    </form>
                </td></tr>
            }
            .render(r)
        } else {
            html! {
                <tr id={&dom_id}>
                    <td class="name">{&contact.name}</td>
                    <td class="email">{&contact.email}</td>
                    <td>
                        <button class="edit" phx-click="edit" phx-target={&target}>"Edit"</button>
                        " "
                        <button class="delete" phx-click="delete" phx-value-id={id}>"Delete"</button>
                    </td>
                </tr>
            }
            .render(r)
        }
    }
}

/// The add form's params.
#[derive(Deserialize)]
struct AddForm {
    contact: NewContact,
}

#[derive(Deserialize)]
struct NewContact {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

/// A row's edit form params.
#[derive(Deserialize)]
struct EditForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
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
                let AddForm { contact } = event.params()?;
                let (name, email) = (contact.name.trim().to_owned(), contact.email.trim().to_owned());
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
        // Row components re-render only when they changed; the list of rows only refers to them.
        let mut dirty = self.dirty.borrow_mut();
        for (&id, contact) in &self.contacts {
            if dirty.remove(&id) {
                let root = self.render_row(r, id, contact);
                r.component_root(id, root);
            }
        }
        // Each row is a component; the keyed list only refers to them, so a sort sends moves.
        let items = self.order().into_iter().map(|id| Item::keyed(id, [r.component(id)])).collect();
        let rows = r.list(&ROW, items);
        let feed = r.stream(&self.feed, &FEED_ITEM, |r, dom_id, activity| [r.text(dom_id), r.text(&activity.text)]);
        html! {
            <main id="contacts-app">
                <h1>"Contacts (" <span id="contact-count">{self.contacts.len()}</span> ")"</h1>
                <form id="add-contact" phx-submit="add">
                    // The inputs' ids change after each add, so the browser replaces them with
                    // empty ones.
                    <input type="text" id={format!("new-name-{}", self.form_generation)} name="contact[name]" placeholder="Name" value="" />
                    <input type="email" id={format!("new-email-{}", self.form_generation)} name="contact[email]" placeholder="Email" value="" />
                    <button type="submit" id="add-button">"Add"</button>
                </form>
                <table id="contacts">
                    <thead><tr>
                        <th><button id="sort-name" phx-click="sort" phx-value-by="name">"Name" {self.arrow(Column::Name)}</button></th>
                        <th><button id="sort-email" phx-click="sort" phx-value-by="email">"Email" {self.arrow(Column::Email)}</button></th>
                        <th></th>
                    </tr></thead>
                    <tbody id="contact-rows">{rows}</tbody>
                </table>
                <h2>"Activity"</h2>
                <ul id="activity" phx-update="stream">{feed}</ul>
            </main>
        }
        .render(r)
    }

    fn components_destroyed(&mut self, ids: Vec<u32>) {
        for id in ids {
            self.editing.remove(&id);
        }
    }
}

liveplug_guest::export!(Contacts);
