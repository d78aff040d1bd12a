//! The issue tracker's list, one of two views in the live session `tracker` (the other is
//! `tracker_issue`, the detail of one issue).
//!
//! - The filters live in the URL (`/tracker?status=open|closed|all&q=text`): the status tabs are
//!   patch links, the search form patches the URL as you type (replacing the history entry), and
//!   `handle_params` reads both, so back and forward restore them.
//! - `/tracker/new` is the same view with a create form above the list: live validation on
//!   every change; a created issue is stored, announced in the flash and shown by navigating to
//!   its detail view over the same socket.
//! - Shortcuts: `n` opens the form, `Escape` closes it; "Sign out" redirects to `/`.
//!
//! The issues are in the live session's key-value map, seeded on the first mount; the state
//! (filters, rows on screen, the form) is serde's, so an idle session can hibernate.

pub mod common;

use liveplug_guest::{
    Assign, Event, Html, LiveView, Mount, Node, Render, ViewError, flash, html, links, navigation, page,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::common::{Draft, Issue, Status, encode, flash_banner, issue_form, param, path_of, title_error, update};

/// The status tabs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Filter {
    #[default]
    Open,
    Closed,
    All,
}

impl Filter {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "open" => Some(Filter::Open),
            "closed" => Some(Filter::Closed),
            "all" => Some(Filter::All),
            _ => None,
        }
    }

    /// The value of `status` in the URL.
    fn param(self) -> &'static str {
        match self {
            Filter::Open => "open",
            Filter::Closed => "closed",
            Filter::All => "all",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Filter::Open => "Open",
            Filter::Closed => "Closed",
            Filter::All => "All",
        }
    }

    fn admits(self, status: Status) -> bool {
        match self {
            Filter::Open => status == Status::Open,
            Filter::Closed => status == Status::Closed,
            Filter::All => true,
        }
    }
}

/// How many issues each tab holds (whatever the search).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Counts {
    open: usize,
    closed: usize,
}

impl Counts {
    fn of(self, filter: Filter) -> usize {
        match filter {
            Filter::Open => self.open,
            Filter::Closed => self.closed,
            Filter::All => self.open + self.closed,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Tracker {
    filter: Assign<Filter>,
    query: Assign<String>,
    /// The issues on screen: those of the filter that match the query, newest first.
    rows: Assign<Vec<Issue>>,
    counts: Assign<Counts>,
    /// At `/tracker/new`.
    creating: Assign<bool>,
    draft: Assign<Draft>,
}

/// `?status=…&q=…` for the filters.
fn query_string(filter: Filter, query: &str) -> String {
    let mut out = format!("?status={}", filter.param());
    if !query.is_empty() {
        out.push_str("&q=");
        out.push_str(&encode(query));
    }
    out
}

fn list_href(filter: Filter, query: &str) -> String {
    format!("/tracker{}", query_string(filter, query))
}

fn new_href(filter: Filter, query: &str) -> String {
    format!("/tracker/new{}", query_string(filter, query))
}

/// A status tab: a patch link to the filter, with its count.
fn filter_tab<'a>(
    filter: Filter,
    current: Filter,
    query: &'a str,
    counts: Counts,
) -> Html<impl FnOnce(&mut Render<'_>) -> Node + 'a> {
    let href = list_href(filter, query);
    let label = format!("{} ({})", filter.label(), counts.of(filter));
    let active = filter == current;
    html! {
        <li id={format!("filter-{}", filter.param())} class={active.then_some("active")} aria-current={active.then_some("page")}>
            {links::patch(&href, &label)}
        </li>
    }
}

fn count_text(shown: usize) -> String {
    match shown {
        1 => "1 issue".to_owned(),
        n => format!("{n} issues"),
    }
}

impl Tracker {
    /// Reads the issues again and applies the filters.
    fn reload(&mut self) {
        let issues = common::all();
        let open = issues.iter().filter(|i| i.status == Status::Open).count();
        update(&mut self.counts, Counts { open, closed: issues.len() - open });
        let needle = self.query.trim().to_lowercase();
        let filter = *self.filter;
        let rows = issues.into_iter().filter(|i| filter.admits(i.status) && i.matches(&needle)).collect();
        update(&mut self.rows, rows);
    }

    /// The URL of the current mode with other filters.
    fn href(&self, filter: Filter, query: &str) -> String {
        if *self.creating { new_href(filter, query) } else { list_href(filter, query) }
    }

    fn set_title(&self) {
        if *self.creating {
            page::set_title("New issue · Tracker");
        } else {
            page::set_title(&format!("{} issues ({}) · Tracker", self.filter.label(), self.rows.len()));
        }
    }
}

impl LiveView for Tracker {
    const ROUTES: &'static [&'static str] = &["/tracker", "/tracker/new"];
    const LIVE_SESSION: Option<&'static str> = common::LIVE_SESSION;

    fn mount(&mut self, _mount: Mount) -> Result<(), ViewError> {
        common::seed()
    }

    fn handle_params(&mut self, url: &str, params: Value) -> Result<(), ViewError> {
        let filter = param(&params, "status").and_then(Filter::parse).unwrap_or_default();
        let query = param(&params, "q").unwrap_or_default().to_owned();
        let creating = path_of(url) == "/tracker/new";
        if creating && !*self.creating {
            self.draft.set(Draft::default());
        }
        update(&mut self.creating, creating);
        update(&mut self.filter, filter);
        update(&mut self.query, query);
        self.reload();
        self.set_title();
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        match event.name.as_str() {
            // The search form: the URL follows as you type, without a history entry per key.
            "search" => {
                let query = param(&event.value, "q").unwrap_or_default();
                navigation::push_patch(&self.href(*self.filter, query), true);
            }
            // `phx-window-keydown` and the fields' `phx-keydown`: `{"key": ...}`.
            "shortcut" => match param(&event.value, "key") {
                Some("n" | "N") if !*self.creating => {
                    navigation::push_patch(&new_href(*self.filter, &self.query), false)
                }
                Some("Escape") if *self.creating => {
                    navigation::push_patch(&list_href(*self.filter, &self.query), false)
                }
                _ => {}
            },
            "validate" => update(&mut self.draft, Draft::from_form(&event.value)),
            "create" => {
                let mut draft = Draft::from_form(&event.value);
                if title_error(&draft.title).is_some() {
                    draft.title_used = true;
                    update(&mut self.draft, draft);
                    return Ok(None);
                }
                let (title, description) = draft.fields();
                let issue = common::create(&title, &description)?;
                flash::put("info", &format!("Issue #{} created", issue.id));
                navigation::push_navigate(&format!("/tracker/{}", issue.id), false);
            }
            "sign_out" => navigation::redirect("/"),
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
            <main id="tracker" class="tracker">
                {flash_banner("info", info.as_deref())}
                {flash_banner("error", error.as_deref())}
                <header class="bar">
                    <h1 id="heading">"Issues"</h1>
                    " "
                    <span id="new-link">{links::patch(&new_href(*self.filter, &self.query), "New issue")}</span>
                    " "
                    <button type="button" id="sign-out" phx-click="sign_out">"Sign out"</button>
                </header>
                <section :if={*self.creating} id="new-issue">
                    <h2>"New issue"</h2>
                    {issue_form("new-issue", "create", "Create issue", &list_href(*self.filter, &self.query), &self.draft)}
                </section>
                <nav id="filters" aria-label="Status">
                    <ul>
                        {filter_tab(Filter::Open, *self.filter, &self.query, *self.counts)}
                        {filter_tab(Filter::Closed, *self.filter, &self.query, *self.counts)}
                        {filter_tab(Filter::All, *self.filter, &self.query, *self.counts)}
                    </ul>
                </nav>
                <form id="search" role="search" phx-change="search" phx-submit="search">
                    <input type="search" id="search-q" name="q" value={&*self.query} placeholder="Search issues"
                        autocomplete="off" aria-label="Search issues" phx-keydown="shortcut" phx-key="Escape" />
                </form>
                <p id="issue-count">{count_text(self.rows.len())}</p>
                <ul id="issues">
                    <li :for={issue in self.rows.iter()} :key={issue.id} id={format!("issue-{}", issue.id)} class={issue.status.label()}>
                        <span class="issue-id">"#" {issue.id}</span>
                        " "
                        {links::navigate(&format!("/tracker/{}", issue.id), &issue.title)}
                        " "
                        <span class="issue-status">{issue.status.label()}</span>
                    </li>
                </ul>
                <p :if={self.rows.is_empty()} id="no-issues">"No issues match."</p>
                <p class="hint">"Shortcuts: n, a new issue; Escape, back to the list."</p>
                <div id="shortcut-n" hidden phx-window-keydown="shortcut" phx-key="n"></div>
                <div id="shortcut-escape" hidden phx-window-keydown="shortcut" phx-key="Escape"></div>
            </main>
        }
        .render(r)
    }
}

liveplug_guest::export!(Tracker, snapshot);
