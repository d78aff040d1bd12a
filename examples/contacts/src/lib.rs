//! Contacts: a sortable table whose rows are stateful components (each editable in place,
//! with its own events), an add form, and a live activity feed kept as a stream (sent once,
//! stored by nobody). The state is serde's, so an idle session can hibernate: the rows and the
//! sort are saved, the feed stays in the browser.

use liveplug_guest::{
    At, Components, Event, Item, LiveComponent, LiveView, Mount, Node, Render, Stream, Template, ViewError, html, page,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The feed keeps at most this many entries in the browser.
const FEED_LIMIT: i32 = 10;

/// A slot for one row component (the list items carry no markup of their own).
const ROW: Template = Template::new(&["", ""]);

/// One feed entry.
const FEED_ITEM: Template = Template::new(&["<li id=\"", "\">", "</li>"]);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Contact {
    name: String,
    email: String,
}

/// A table row: a stateful component, in view or edit mode.
#[derive(Debug, Serialize, Deserialize)]
struct Row {
    contact: Contact,
    editing: bool,
}

/// A row's edit form.
#[derive(Deserialize)]
struct EditForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

impl LiveComponent for Row {
    fn render(&self, id: u32, r: &mut Render) -> Node {
        let target = format!("#contact-{id}");
        let contact = &self.contact;
        if self.editing {
            html! {
                <tr id={format!("contact-{id}")}><td colspan="3">
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
                <tr id={format!("contact-{id}")}>
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

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        match event.name.as_str() {
            "edit" => self.editing = true,
            "cancel" => self.editing = false,
            "save" => {
                let form: EditForm = event.params()?;
                let name = form.name.trim();
                if !name.is_empty() {
                    self.contact = Contact { name: name.to_owned(), email: form.email.trim().to_owned() };
                    self.editing = false;
                }
            }
            _ => return Err(event.unknown()),
        }
        Ok(None)
    }
}

/// The add form.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// Snapshots hold every field but the feed, which a restored view takes from `Default`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(default)]
struct Contacts {
    rows: Components<Row>,
    sort: Option<(Column, bool)>,
    next_id: u32,
    /// Bumped after each add, so the add form's inputs are replaced by empty ones.
    form_generation: u64,
    #[serde(skip)]
    feed: Stream<Activity>,
    feed_seq: u64,
}

impl Default for Contacts {
    fn default() -> Self {
        Self {
            rows: Components::new(),
            sort: None,
            next_id: 1,
            form_generation: 0,
            feed: Stream::new("activity", |a: &Activity| format!("activity-{}", a.seq)),
            feed_seq: 0,
        }
    }
}

impl Contacts {
    fn add(&mut self, name: &str, email: &str) {
        let id = self.next_id;
        self.next_id += 1;
        let contact = Contact { name: name.to_owned(), email: email.to_owned() };
        self.rows.insert(id, Row { contact, editing: false });
    }

    fn log(&mut self, text: String) {
        self.feed_seq += 1;
        self.feed.insert_limited(Activity { seq: self.feed_seq, text }, At::Start, FEED_LIMIT);
    }

    fn set_title(&self) {
        page::set_title(&format!("Contacts ({})", self.rows.len()));
    }

    /// Contact ids in display order.
    fn order(&self) -> Vec<u32> {
        let mut rows: Vec<(u32, &Contact)> = self.rows.iter().map(|(id, row)| (id, &row.contact)).collect();
        if let Some((column, ascending)) = self.sort {
            rows.sort_by_key(|(id, c)| {
                let field = match column {
                    Column::Name => c.name.to_lowercase(),
                    Column::Email => c.email.to_lowercase(),
                };
                (field, *id)
            });
            if !ascending {
                rows.reverse();
            }
        }
        rows.into_iter().map(|(id, _)| id).collect()
    }

    fn arrow(&self, column: Column) -> &'static str {
        match self.sort {
            Some((c, true)) if c == column => " ▲",
            Some((c, false)) if c == column => " ▼",
            _ => "",
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
        self.log(format!("{} contacts loaded", self.rows.len()));
        self.set_title();
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        // Events aimed at a row go to that row's component.
        if let Some(id) = event.target {
            let before = self.rows.get(id).map(|row| row.contact.clone());
            let saving = event.name == "save";
            let Some(result) = self.rows.handle_event(event) else {
                return Ok(None);
            };
            let reply = result?;
            if let (true, Some(before), Some(after)) = (saving, before, self.rows.get(id).map(|r| &r.contact))
                && !self.rows.get(id).is_some_and(|r| r.editing)
            {
                let text = if before.name == after.name {
                    format!("Updated {}", after.name)
                } else {
                    format!("Renamed {} to {}", before.name, after.name)
                };
                self.log(text);
            }
            return Ok(reply);
        }
        match event.name.as_str() {
            "add" => {
                let AddForm { contact } = event.params()?;
                let (name, email) = (contact.name.trim(), contact.email.trim());
                if !name.is_empty() {
                    self.add(name, email);
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
                if let Some(row) = id.and_then(|id| self.rows.remove(id)) {
                    self.log(format!("Deleted {}", row.contact.name));
                }
            }
            _ => return Err(event.unknown()),
        }
        self.set_title();
        Ok(None)
    }

    fn render(&self, r: &mut Render) -> Node {
        // The keyed list only refers to the row components, so a sort sends moves.
        let items = self.order().into_iter().map(|id| Item::keyed(id, [self.rows.place(r, id)])).collect();
        let rows = r.list(&ROW, items);
        let feed = r.stream(&self.feed, &FEED_ITEM, |r, dom_id, activity| [r.text(dom_id), r.text(&activity.text)]);
        html! {
            <main id="contacts-app">
                <h1>"Contacts (" <span id="contact-count">{self.rows.len()}</span> ")"</h1>
                <form id="add-contact" phx-submit="add">
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
        self.rows.destroyed(&ids);
    }
}

liveplug_guest::export!(Contacts, snapshot);
