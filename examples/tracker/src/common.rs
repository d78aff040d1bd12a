//! What the tracker's two views share; this file is compiled into both `tracker` and
//! `tracker_issue`: the issues, kept in the live session's key-value map, the title's
//! validation, the issue form, the flash banners and URL helpers.

use std::fmt::Write as _;

use liveplug_guest::js::{JS, Push};
use liveplug_guest::{Assign, Html, Node, Render, ViewError, html, keyvalue, links};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The live session of both views: they navigate to each other over the socket and share one
/// key-value map.
pub const LIVE_SESSION: Option<&str> = Some("tracker");

/// Bounds of an issue's title, in characters, after trimming.
pub const TITLE_MIN: usize = 3;
pub const TITLE_MAX: usize = 80;
/// Longer descriptions are cut.
pub const DESCRIPTION_MAX: usize = 2000;

/// The key of the next issue id.
const NEXT_ID: &str = "next-id";
/// Issues are stored at `issue:<id>`.
const ISSUE_PREFIX: &str = "issue:";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Open,
    Closed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub id: u32,
    pub title: String,
    pub status: Status,
    #[serde(default)]
    pub description: String,
}

impl Issue {
    /// Whether the title or the description contains `needle` (lowercase), ignoring case.
    pub fn matches(&self, needle: &str) -> bool {
        needle.is_empty()
            || self.title.to_lowercase().contains(needle)
            || self.description.to_lowercase().contains(needle)
    }
}

/// The issues a fresh tracker starts with (ids 1 to 8).
const SEED: &[(&str, Status, &str)] = &[
    (
        "Crash when saving an empty form",
        Status::Open,
        "Submitting the settings form with every field empty shows a blank page.",
    ),
    ("Search ignores accents", Status::Open, "Searching for \"cafe\" does not find \"café\"."),
    ("Dark mode colours are too dim", Status::Closed, "Secondary text fails the contrast check in dark mode."),
    ("Keyboard shortcut for a new issue", Status::Open, "Pressing n anywhere should open the new issue form."),
    (
        "Login page shows a stack trace",
        Status::Closed,
        "A wrong password on the login page shows the server's stack trace.",
    ),
    ("Export issues as CSV", Status::Open, "An export button on the list, with the current filters."),
    ("Typo in the welcome email", Status::Closed, "\"Welcom\" should read \"Welcome\"."),
    ("Slow list with 10,000 issues", Status::Open, "The list takes seconds to render in a large tracker."),
];

fn issue_key(id: u32) -> String {
    format!("{ISSUE_PREFIX}{id}")
}

/// Seeds the map with the example issues when the live session's map has none yet. Idempotent:
/// an issue already stored is kept, and `next-id` is written last, so the next call stops at
/// once.
pub fn seed() -> Result<(), ViewError> {
    if keyvalue::get(NEXT_ID).is_some() {
        return Ok(());
    }
    let mut next = 1;
    for (title, status, description) in SEED {
        if keyvalue::get(&issue_key(next)).is_none() {
            let issue =
                Issue { id: next, title: (*title).to_owned(), status: *status, description: (*description).to_owned() };
            save(&issue)?;
        }
        next += 1;
    }
    keyvalue::set_json(NEXT_ID, &next)
}

/// The issue `id`, if there is one.
pub fn load(id: u32) -> Option<Issue> {
    keyvalue::get_json(&issue_key(id))
}

pub fn save(issue: &Issue) -> Result<(), ViewError> {
    keyvalue::set_json(&issue_key(issue.id), issue)
}

/// Every issue, newest first.
pub fn all() -> Vec<Issue> {
    let mut issues: Vec<Issue> =
        keyvalue::keys(ISSUE_PREFIX).iter().filter_map(|key| keyvalue::get_json(key)).collect();
    issues.sort_by_key(|issue| std::cmp::Reverse(issue.id));
    issues
}

/// Stores a new open issue under the next free id.
pub fn create(title: &str, description: &str) -> Result<Issue, ViewError> {
    let stored: u32 = keyvalue::get_json(NEXT_ID).unwrap_or(1);
    let after_last = keyvalue::keys(ISSUE_PREFIX)
        .iter()
        .filter_map(|key| key.strip_prefix(ISSUE_PREFIX)?.parse::<u32>().ok())
        .max()
        .map_or(1, |id| id.saturating_add(1));
    let id = stored.max(after_last);
    keyvalue::set_json(NEXT_ID, &id.saturating_add(1))?;
    let issue = Issue { id, title: title.to_owned(), status: Status::Open, description: description.to_owned() };
    save(&issue)?;
    Ok(issue)
}

/// Why a title is refused, if it is.
pub fn title_error(title: &str) -> Option<&'static str> {
    let length = title.trim().chars().count();
    if length == 0 {
        Some("Title is required")
    } else if length < TITLE_MIN {
        Some("Title must be at least 3 characters")
    } else if length > TITLE_MAX {
        Some("Title must be at most 80 characters")
    } else {
        None
    }
}

/// The fields of an issue form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub title: String,
    pub description: String,
    /// Whether the user typed in the title (the client marks untouched fields `_unused_`):
    /// its error shows only then, or after a refused submit.
    pub title_used: bool,
}

impl Draft {
    pub fn of(issue: &Issue) -> Self {
        Self { title: issue.title.clone(), description: issue.description.clone(), title_used: false }
    }

    /// The fields of a `phx-change` or `phx-submit` value (`title`, `description`); anything
    /// missing or of another shape reads as empty.
    pub fn from_form(value: &Value) -> Self {
        let text = |name: &str| value.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
        Self {
            title: text("title"),
            description: text("description"),
            title_used: value.get("_unused_title").is_none(),
        }
    }

    /// The title and description to store: trimmed, the description cut to its bound.
    pub fn fields(&self) -> (String, String) {
        (self.title.trim().to_owned(), self.description.trim().chars().take(DESCRIPTION_MAX).collect())
    }

    /// The error shown next to the title.
    pub fn shown_error(&self) -> Option<&'static str> {
        if self.title_used { title_error(&self.title) } else { None }
    }
}

/// Writes `value` unless the field already holds it, so unchanged state is not rendered again.
pub fn update<T: PartialEq>(field: &mut Assign<T>, value: T) {
    if **field != value {
        field.set(value);
    }
}

/// The issue form, with live validation: `phx-change="validate"` reports every edit, the error
/// shows next to the title and the submit button stays disabled while the title is invalid.
/// `prefix` makes the ids (`<prefix>-form`, `<prefix>-title`, `<prefix>-title-error`,
/// `<prefix>-description`, `<prefix>-submit`, `<prefix>-cancel`). Escape in a field sends the
/// `shortcut` event (the window's shortcuts ignore keys typed into a field that has its own
/// `phx-keydown`).
pub fn issue_form<'a>(
    prefix: &'a str,
    submit: &'a str,
    label: &'a str,
    cancel_href: &'a str,
    draft: &'a Draft,
) -> Html<impl FnOnce(&mut Render<'_>) -> Node + 'a> {
    let error = draft.shown_error();
    let invalid = title_error(&draft.title).is_some();
    html! {
        <form id={format!("{prefix}-form")} class="issue-form" phx-change="validate" phx-submit={submit}>
            <p class="field">
                <label for={format!("{prefix}-title")}>"Title"</label>
                <input type="text" id={format!("{prefix}-title")} name="title" value={&draft.title} autocomplete="off"
                    aria-invalid={error.is_some()} aria-describedby={format!("{prefix}-title-error")}
                    phx-keydown="shortcut" phx-key="Escape" />
                <span id={format!("{prefix}-title-error")} class="error" aria-live="polite">{error.unwrap_or("")}</span>
            </p>
            <p class="field">
                <label for={format!("{prefix}-description")}>"Description"</label>
                <textarea id={format!("{prefix}-description")} name="description" rows="4" maxlength="2000"
                    phx-keydown="shortcut" phx-key="Escape">{&draft.description}</textarea>
            </p>
            <p class="actions">
                <button type="submit" id={format!("{prefix}-submit")} disabled={invalid}>{label}</button>
                " "
                <span id={format!("{prefix}-cancel")}>{links::patch(cancel_href, "Cancel")}</span>
            </p>
        </form>
    }
}

/// The flash message of `kind` with a close control, which hides it at once and clears it on
/// the server (`lv:clear-flash`, handled by the host). Pass `flash::get(kind)` read in
/// `render` into a local, so that the dynamic is evaluated on every render.
pub fn flash_banner<'a>(
    kind: &'a str,
    message: Option<&'a str>,
) -> Option<Html<impl FnOnce(&mut Render<'_>) -> Node + 'a>> {
    let message = message?;
    let close = JS::new().push(Push::new("lv:clear-flash").value(json!({"key": kind}))).hide(format!("#flash-{kind}"));
    Some(html! {
        <div id={format!("flash-{kind}")} class={format!("flash flash-{kind}")} role="alert">
            <span class="flash-message">{message}</span>
            " "
            <button type="button" id={format!("flash-{kind}-close")} class="flash-close" aria-label="Close" phx-click={close}>"×"</button>
        </div>
    })
}

/// The path of a URL (`http://host/tracker/3/edit?x=1` is `/tracker/3/edit`), without a
/// trailing slash.
pub fn path_of(url: &str) -> &str {
    let rest = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |at| &rest[at..]),
        None => url,
    };
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    match path.strip_suffix('/') {
        Some(trimmed) if !trimmed.is_empty() => trimmed,
        _ => path,
    }
}

/// Percent-encodes a query parameter's value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The text of a string parameter, if it is one.
pub fn param<'a>(params: &'a Value, name: &str) -> Option<&'a str> {
    params.get(name).and_then(Value::as_str)
}
