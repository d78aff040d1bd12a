//! The issue tracker's detail view, one of two views in the live session `tracker` (the other is
//! `tracker`, the list).
//!
//! - `/tracker/:id` shows the issue; its "Edit" patch link goes to `/tracker/:id/edit`, the same
//!   view with an edit form (live validation, as in the create form), which saves, announces it
//!   in the flash and patches back.
//! - Close and Reopen change the status; "Back to the list" navigates to the list over the same
//!   socket. Shortcuts: `e` edits, `Escape` leaves the form, or goes back to the list.
//! - An unknown id puts an error in the flash and navigates to the list.
//!
//! The issues are in the live session's key-value map, shared with the list; the state is
//! serde's, so an idle session can hibernate.

#[path = "../../tracker/src/common.rs"]
pub mod common;

use liveplug_guest::{
    Assign, Event, Html, LiveView, Mount, Node, Render, ViewError, flash, html, links, navigation, page,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::common::{Draft, Issue, Status, flash_banner, issue_form, param, path_of, title_error, update};

/// An unknown id is quoted in the flash up to this many characters.
const QUOTED_ID_MAX: usize = 32;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct IssueView {
    /// The issue on screen (`None` only while leaving for an unknown id).
    issue: Assign<Option<Issue>>,
    /// At `/tracker/:id/edit`.
    editing: Assign<bool>,
    draft: Assign<Draft>,
}

fn detail_href(id: u32) -> String {
    format!("/tracker/{id}")
}

fn edit_href(id: u32) -> String {
    format!("/tracker/{id}/edit")
}

/// The issue, with its actions or its edit form.
fn detail<'a>(
    issue: Option<&'a Issue>,
    editing: bool,
    draft: &'a Draft,
) -> Option<Html<impl FnOnce(&mut Render<'_>) -> Node + 'a>> {
    let issue = issue?;
    let edit = edit_href(issue.id);
    let cancel = detail_href(issue.id);
    let toggle = match issue.status {
        Status::Open => "Close issue",
        Status::Closed => "Reopen issue",
    };
    let description = if issue.description.is_empty() { "No description." } else { issue.description.as_str() };
    Some(html! {
        <article id="issue" class={issue.status.label()}>
            <h1 id="issue-heading"><span class="issue-id">"#" {issue.id}</span> " " <span id="issue-title">{&issue.title}</span></h1>
            <p>"Status: " <span id="issue-status" class="status">{issue.status.label()}</span></p>
            <p :if={!editing} id="issue-description">{description}</p>
            <p :if={!editing} class="actions">
                <span id="edit-link">{links::patch(&edit, "Edit")}</span>
                " "
                <button type="button" id="toggle-status" phx-click="toggle_status">{toggle}</button>
            </p>
            <section :if={editing} id="edit-issue">
                <h2>"Edit issue"</h2>
                {issue_form("edit-issue", "save", "Save", &cancel, draft)}
            </section>
        </article>
    })
}

impl IssueView {
    fn id(&self) -> Option<u32> {
        self.issue.as_ref().map(|issue| issue.id)
    }

    /// The stored issue on screen, read again (another session may have changed it).
    fn stored(&self) -> Option<Issue> {
        self.id().and_then(common::load)
    }

    fn set_title(&self) {
        match self.issue.as_ref() {
            Some(issue) if *self.editing => page::set_title(&format!("Edit #{} · Tracker", issue.id)),
            Some(issue) => page::set_title(&format!("#{} {} · Tracker", issue.id, issue.title)),
            None => {}
        }
    }
}

/// Back to the list with an error, as for an unknown id.
fn gone(id: &str) {
    let quoted: String = id.chars().take(QUOTED_ID_MAX).collect();
    flash::put("error", &format!("No issue #{quoted}"));
    navigation::push_navigate("/tracker", true);
}

impl LiveView for IssueView {
    const ROUTES: &'static [&'static str] = &["/tracker/:id", "/tracker/:id/edit"];
    const LIVE_SESSION: Option<&'static str> = common::LIVE_SESSION;

    fn mount(&mut self, _mount: Mount) -> Result<(), ViewError> {
        common::seed()
    }

    fn handle_params(&mut self, url: &str, params: Value) -> Result<(), ViewError> {
        let raw = param(&params, "id").unwrap_or_default();
        let Some(issue) = raw.parse::<u32>().ok().and_then(common::load) else {
            gone(raw);
            return Ok(());
        };
        let editing = path_of(url).ends_with("/edit");
        if editing && (!*self.editing || self.id() != Some(issue.id)) {
            self.draft.set(Draft::of(&issue));
        }
        update(&mut self.editing, editing);
        update(&mut self.issue, Some(issue));
        self.set_title();
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        let Some(id) = self.id() else {
            // Leaving for the list already.
            return Ok(None);
        };
        match event.name.as_str() {
            // `phx-window-keydown` and the fields' `phx-keydown`: `{"key": ...}`.
            "shortcut" => match param(&event.value, "key") {
                Some("e" | "E") if !*self.editing => navigation::push_patch(&edit_href(id), false),
                Some("Escape") if *self.editing => navigation::push_patch(&detail_href(id), false),
                Some("Escape") => navigation::push_navigate("/tracker", false),
                _ => {}
            },
            "validate" => update(&mut self.draft, Draft::from_form(&event.value)),
            "save" => {
                let mut draft = Draft::from_form(&event.value);
                if title_error(&draft.title).is_some() {
                    draft.title_used = true;
                    update(&mut self.draft, draft);
                    return Ok(None);
                }
                let Some(mut issue) = self.stored() else {
                    gone(&id.to_string());
                    return Ok(None);
                };
                (issue.title, issue.description) = draft.fields();
                common::save(&issue)?;
                update(&mut self.issue, Some(issue));
                flash::put("info", &format!("Issue #{id} saved"));
                navigation::push_patch(&detail_href(id), false);
            }
            "toggle_status" => {
                let Some(mut issue) = self.stored() else {
                    gone(&id.to_string());
                    return Ok(None);
                };
                let done = match issue.status {
                    Status::Open => "closed",
                    Status::Closed => "reopened",
                };
                issue.status = match issue.status {
                    Status::Open => Status::Closed,
                    Status::Closed => Status::Open,
                };
                common::save(&issue)?;
                update(&mut self.issue, Some(issue));
                flash::put("info", &format!("Issue #{id} {done}"));
            }
            _ => return Err(event.unknown()),
        }
        Ok(None)
    }

    fn render(&self, r: &mut Render) -> Node {
        // Flash messages come from the host: read into locals, these dynamics are evaluated on
        // every render.
        let info = flash::get("info");
        let error = flash::get("error");
        html! {
            <main id="tracker-issue" class="tracker">
                {flash_banner("info", info.as_deref())}
                {flash_banner("error", error.as_deref())}
                <header class="bar">
                    <span id="back-link">{links::navigate("/tracker", "Back to the list")}</span>
                </header>
                {detail(self.issue.as_ref(), *self.editing, &self.draft)}
                <p class="hint">"Shortcuts: e, edit; Escape, back."</p>
                <div id="shortcut-e" hidden phx-window-keydown="shortcut" phx-key="e"></div>
                <div id="shortcut-escape" hidden phx-window-keydown="shortcut" phx-key="Escape"></div>
            </main>
        }
        .render(r)
    }
}

liveplug_guest::export!(IssueView, snapshot);
