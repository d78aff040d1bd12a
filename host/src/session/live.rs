//! One joined view: mount, events, patches, navigation, flash, and the replies they produce.
//!
//! Pure protocol logic over the [`View`] trait: no sockets, no tokens. What a handler leads to
//! is an [`Outcome`] (a reply, maybe after a `live_patch`; or the view leaving for another
//! page), which the socket turns into frames.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::error::SessionError;
use super::event::Event;
use super::url::query_params;
use crate::diff::{Renderer, wire};
use crate::protocol::navigation::{Kind, LivePatch};
use crate::protocol::{EventPush, LIVEVIEW_VERSION};
use crate::pubsub::{Message, Request};
use crate::runtime::{Effects, Flash, MountContext, Navigation, View};

/// Chained `push_patch`es one handler may cause before the session is ended (Phoenix's
/// limit: the 21st raises).
pub const MAX_PATCHES: u32 = 20;

/// What a mount needs besides the view.
#[derive(Debug, Clone, Default)]
pub struct MountRequest {
    /// The absolute URL the view is mounted at.
    pub url: String,
    /// The signed session's data (a JSON object).
    pub session: Value,
    /// The client's connect params; `None` for the dead render.
    pub connect_params: Option<Value>,
    /// The route's path parameters (`/items/:id` → `{"id": "7"}`).
    pub path_params: Map<String, Value>,
    /// The flash the view starts with (from a flash token or the static token).
    pub flash: BTreeMap<String, String>,
}

/// Which URLs a session may patch to: the path parameters of `url` when it routes to this
/// session's view, `None` when it belongs to another view (or none).
pub trait Routes: Sync {
    fn params_for(&self, url: &str) -> Option<Map<String, Value>>;
}

/// Every URL belongs to the view, without path parameters: for a session used on its own
/// (tests, benchmarks).
#[derive(Debug, Clone, Copy, Default)]
pub struct AnyUrl;

impl Routes for AnyUrl {
    fn params_for(&self, _url: &str) -> Option<Map<String, Value>> {
        Some(Map::new())
    }
}

/// The result of an HTTP dead render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadRender {
    /// The page: its HTML, its title and the flash it shows (which the connected mount
    /// starts with).
    Page { html: String, title: Option<String>, flash: BTreeMap<String, String> },
    /// The view navigated or redirected while mounting: an HTTP redirect to `to`.
    Redirect { to: String, flash: BTreeMap<String, String> },
}

impl DeadRender {
    /// The page's HTML, or `None` for a redirect.
    pub fn html(&self) -> Option<&str> {
        match self {
            DeadRender::Page { html, .. } => Some(html),
            DeadRender::Redirect { .. } => None,
        }
    }
}

/// Where a leaving view sends the browser, with the flash that goes along.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leaving {
    /// `push_navigate`: a live navigation (`live_redirect`).
    Navigate { to: String, kind: Kind, flash: BTreeMap<String, String> },
    /// `redirect`: a full page load.
    Redirect { to: String, flash: BTreeMap<String, String> },
}

impl Leaving {
    /// Whether a redirect leaves this host (an absolute URL rather than a path).
    pub fn is_external(&self) -> bool {
        matches!(self, Leaving::Redirect { to, .. } if !to.starts_with('/'))
    }
}

/// What a handler leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Reply with `response` (`{}` or `{"diff": ...}`); when the view patched its URL, push
    /// `live_patch` first.
    Reply { patch: Option<LivePatch>, response: Value },
    /// The view leaves. Phoenix's order: push `diff` `{"e": events}`, then the navigation (in
    /// the reply), then close the channel.
    Leave { events: Value, leaving: Leaving },
}

impl Outcome {
    /// The reply's response, as a test or a benchmark looks at it: a leaving view's is the
    /// navigation object the reply would carry, without flash.
    pub fn into_response(self) -> Value {
        match self {
            Outcome::Reply { response, .. } => response,
            Outcome::Leave { leaving: Leaving::Navigate { to, kind, .. }, .. } => {
                json!({ "live_redirect": { "to": to, "kind": kind } })
            }
            Outcome::Leave { leaving: Leaving::Redirect { to, .. }, .. } => json!({ "redirect": { "to": to } }),
        }
    }
}

/// What a join leads to.
#[derive(Debug)]
pub enum Joined<V> {
    /// The session, the full `rendered` tree, and the patch made while mounting (the join
    /// reply's `live_patch`).
    Live { session: Box<LiveSession<V>>, rendered: Map<String, Value>, patch: Option<LivePatch> },
    /// The view navigated or redirected while mounting: a join error reply with `events`.
    Left { events: Value, leaving: Leaving },
}

/// The state machine of one LiveView channel, generic over what runs the view.
#[derive(Debug)]
pub struct LiveSession<V> {
    view: V,
    client: Client,
    /// Effects of the handlers since the last reply.
    pending: Effects,
}

/// What the client holds: everything of a session that is not the view's own state.
#[derive(Debug)]
struct Client {
    renderer: Renderer,
    /// The title the client shows, so that `"t"` is sent only when it changes.
    title: Option<String>,
}

/// A session without an instance: what the client holds plus the view's state as a snapshot
/// and the session's flash. It costs the bytes of these and nothing else;
/// [`Hibernated::wake`] makes it a session again.
#[derive(Debug)]
pub struct Hibernated {
    snapshot: Box<str>,
    client: Client,
    /// `None` when empty (the common case costs one pointer).
    flash: Option<Box<Flash>>,
}

/// The outcome of [`LiveSession::hibernate`].
#[derive(Debug)]
pub enum Hibernation<V> {
    /// The view's state is in the snapshot; the instance was dropped.
    Done(Hibernated),
    /// The view keeps its instance.
    Kept(LiveSession<V>, KeptBecause),
}

/// Why a session was not hibernated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeptBecause {
    /// The view has no snapshot support (it answered `none`).
    NoSnapshot,
    /// The snapshot is larger than the limit (its length in bytes).
    TooLarge(usize),
}

impl Hibernated {
    /// Restores the snapshot into a fresh instance of the view. The instance's first render is
    /// complete and is diffed against what the client holds, so the client sees exactly what
    /// it would have seen from a session that never hibernated.
    pub async fn wake<V: View>(self, mut view: V) -> Result<LiveSession<V>, SessionError> {
        view.restore(&self.snapshot).await?;
        // Restoring is not a handler: nothing it asked for reaches the client.
        let _ = view.take_effects();
        if let Some(flash) = self.flash {
            *view.flash_mut() = *flash;
        }
        Ok(LiveSession { view, client: self.client, pending: Effects::default() })
    }

    /// The snapshot's size in bytes.
    pub fn snapshot_len(&self) -> usize {
        self.snapshot.len()
    }
}

/// Path and query parameters together; a path parameter wins over a query parameter of the
/// same name, as in Phoenix.
fn params(url: &str, path_params: &Map<String, Value>) -> Value {
    let mut params = match query_params(url) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    params.extend(path_params.iter().map(|(k, v)| (k.clone(), v.clone())));
    Value::Object(params)
}

impl<V: View> LiveSession<V> {
    fn new(view: V, renderer: Renderer) -> Self {
        Self { view, client: Client { renderer, title: None }, pending: Effects::default() }
    }

    /// Moves the effects of the call that just ran into `pending`.
    fn absorb(&mut self) {
        let Effects { title, mut events, navigation, fault: _, mut requests, calls: _ } = self.view.take_effects();
        if title.is_some() {
            self.pending.title = title;
        }
        self.pending.events.append(&mut events);
        self.pending.requests.append(&mut requests);
        if navigation.is_some() {
            self.pending.navigation = navigation;
        }
    }

    /// Runs `handle_params` for `url` with the route's `path_params` and the query.
    async fn run_params(&mut self, url: &str, path_params: &Map<String, Value>) -> Result<(), SessionError> {
        self.view.handle_params(url, &params(url, path_params)).await?;
        self.absorb();
        Ok(())
    }

    /// Follows the navigation the handlers so far asked for: a patch runs `handle_params`
    /// for its URL (which may patch again, up to [`MAX_PATCHES`] in a chain); navigate and
    /// redirect make the view leave. Returns the last patch, or the view's leaving.
    async fn follow(
        &mut self,
        routes: &dyn Routes,
        at_join: bool,
    ) -> Result<Result<Option<LivePatch>, Leaving>, SessionError> {
        let mut patch = None;
        let mut hops = 0;
        loop {
            match self.pending.navigation.take() {
                None => return Ok(Ok(patch)),
                Some(Navigation::Patch { to, replace }) => {
                    hops += 1;
                    if hops > MAX_PATCHES {
                        return Err(SessionError::PatchLoop(MAX_PATCHES));
                    }
                    let path_params = routes.params_for(&to).ok_or_else(|| SessionError::PatchElsewhere(to.clone()))?;
                    if !at_join {
                        // What this handler put stays; what was shown before goes.
                        self.view.flash_mut().keep_changed();
                    }
                    self.run_params(&to, &path_params).await?;
                    patch = Some(LivePatch { to, kind: Kind::from_replace(replace) });
                }
                Some(Navigation::Navigate { to, replace }) => {
                    let flash = self.carried_flash(at_join);
                    return Ok(Err(Leaving::Navigate { to, kind: Kind::from_replace(replace), flash }));
                }
                Some(Navigation::Redirect { to }) => {
                    return Ok(Err(Leaving::Redirect { to, flash: self.carried_flash(at_join) }));
                }
            }
        }
    }

    /// The flash a leaving view takes along: everything at join, what the handler put
    /// otherwise (Phoenix's `get_flash` and `changed_flash`).
    fn carried_flash(&mut self, at_join: bool) -> BTreeMap<String, String> {
        let flash = self.view.flash_mut();
        if at_join { flash.messages().clone() } else { flash.changed().clone() }
    }

    /// Mounts the view and runs `handle_params` (for the URL, or for the URL `mount` patched
    /// to). Returns the patch made, or the view's leaving.
    async fn mount(
        &mut self,
        request: MountRequest,
        routes: &dyn Routes,
    ) -> Result<Result<Option<LivePatch>, Leaving>, SessionError> {
        *self.view.flash_mut() = Flash::from_messages(request.flash);
        let ctx = MountContext {
            params: params(&request.url, &request.path_params),
            session: request.session,
            connected: request.connect_params.is_some(),
            connect_params: request.connect_params,
        };
        self.view.mount(ctx).await?;
        self.absorb();
        // A view that navigated in mount gets no handle_params for the URL it left (Phoenix
        // runs it only for the patched URL).
        if self.pending.navigation.is_none() {
            self.run_params(&request.url, &request.path_params).await?;
        }
        self.follow(routes, true).await
    }

    /// The HTTP render: a disconnected mount turned into HTML, or the redirect it asked for.
    pub async fn dead_render_at(
        view: V,
        request: MountRequest,
        routes: &dyn Routes,
    ) -> Result<DeadRender, SessionError> {
        let mut session = Self::new(view, Renderer::new());
        if let Err(leaving) = session.mount(request, routes).await? {
            let (Leaving::Navigate { to, flash, .. } | Leaving::Redirect { to, flash }) = leaving;
            return Ok(DeadRender::Redirect { to, flash });
        }
        let parts = session.view.render().await?;
        session.absorb();
        let html = session.client.renderer.render_html(parts)?;
        let flash = session.view.flash_mut().messages().clone();
        Ok(DeadRender::Page { html, title: session.pending.title, flash })
    }

    /// [`LiveSession::dead_render_at`] where every URL belongs to the view.
    pub async fn dead_render(view: V, request: MountRequest) -> Result<DeadRender, SessionError> {
        Self::dead_render_at(view, request, &AnyUrl).await
    }

    /// A connected mount.
    pub async fn join_at(
        view: V,
        request: MountRequest,
        renderer: Renderer,
        routes: &dyn Routes,
    ) -> Result<Joined<V>, SessionError> {
        let mut session = Self::new(view, renderer);
        match session.mount(request, routes).await? {
            Ok(patch) => {
                let rendered = session.render(None).await?;
                Ok(Joined::Live { session: Box::new(session), rendered, patch })
            }
            Err(leaving) => Ok(Joined::Left { events: session.take_events(), leaving }),
        }
    }

    /// A connected mount where every URL belongs to the view: returns the session and the
    /// join reply's `response`. A view that leaves while mounting is an error here.
    pub async fn join(view: V, request: MountRequest) -> Result<(Self, Value), SessionError> {
        Self::join_with(view, request, Renderer::new()).await
    }

    /// [`LiveSession::join`] with a given renderer (tests use one that keeps stream HTML).
    pub async fn join_with(view: V, request: MountRequest, renderer: Renderer) -> Result<(Self, Value), SessionError> {
        match Self::join_at(view, request, renderer, &AnyUrl).await? {
            Joined::Live { session, rendered, patch } => Ok((*session, join_response(rendered, patch))),
            Joined::Left { leaving, .. } => {
                Err(SessionError::BadPayload(format!("the view left while joining: {leaving:?}")))
            }
        }
    }

    /// Handles an `event` push.
    pub async fn handle_event(&mut self, push: EventPush, routes: &dyn Routes) -> Result<Outcome, SessionError> {
        let event = Event::from_push(push);
        self.view.flash_mut().begin_handler();
        if event.name == "lv:clear-flash" {
            // Phoenix's built-in: the view's handler is not called; the view renders again.
            let key = event.value.get("key").and_then(Value::as_str);
            self.view.flash_mut().clear(key);
            return self.finish(None, None).await;
        }
        if event.name.starts_with("lv:") {
            return Err(SessionError::BadPayload(format!("unknown built-in event {:?}", event.name)));
        }
        let target = match event.cid {
            None => None,
            Some(cid) => match self.client.renderer.component_id(cid) {
                Some(id) => Some(id),
                // The component is gone: Phoenix answers such an event with an empty reply.
                None => return Ok(Outcome::Reply { patch: None, response: json!({}) }),
            },
        };
        let reply = self.view.handle_event(&event.name, &event.value, target).await?;
        self.absorb();
        self.after_handler(reply, routes).await
    }

    /// Handles an `event` payload given as JSON, where every URL belongs to the view (tests,
    /// benchmarks): returns the reply's response.
    pub async fn event(&mut self, payload: Value) -> Result<Value, SessionError> {
        let push: EventPush = serde_json::from_value(payload).map_err(|e| SessionError::BadPayload(e.to_string()))?;
        Ok(self.handle_event(push, &AnyUrl).await?.into_response())
    }

    /// Follows the navigation the handler asked for, then renders.
    async fn after_handler(&mut self, hook_reply: Option<Value>, routes: &dyn Routes) -> Result<Outcome, SessionError> {
        match self.follow(routes, false).await? {
            Ok(patch) => self.finish(patch, hook_reply).await,
            Err(leaving) => Ok(Outcome::Leave { events: self.take_events(), leaving }),
        }
    }

    async fn finish(&mut self, patch: Option<LivePatch>, hook_reply: Option<Value>) -> Result<Outcome, SessionError> {
        let diff = self.render(hook_reply).await?;
        let response = if diff.is_empty() { json!({}) } else { json!({ "diff": diff }) };
        Ok(Outcome::Reply { patch, response })
    }

    /// The events pushed so far, as the `e` list of a diff or the `events` of a join error.
    fn take_events(&mut self) -> Value {
        let events = std::mem::take(&mut self.pending.events);
        Value::Array(events.into_iter().map(event_entry).collect())
    }

    /// `cids_will_destroy`: the client is about to remove these components.
    pub fn components_will_destroy(&mut self, cids: &[u32]) -> Value {
        self.client.renderer.components_will_destroy(cids);
        json!({})
    }

    /// `cids_destroyed`: removes the components still marked and tells the view; replies
    /// with the cids removed, which the client prunes.
    pub async fn components_destroyed(&mut self, cids: &[u32]) -> Result<Value, SessionError> {
        let (removed, ids) = self.client.renderer.components_destroyed(cids);
        if !ids.is_empty() {
            self.view.components_destroyed(ids).await?;
        }
        Ok(json!({ "cids": removed }))
    }

    /// Handles a `live_patch` from the client (a patch link, back/forward): `link_redirect`
    /// when the URL belongs to another view, otherwise [`LiveSession::live_patch_within`].
    pub async fn live_patch(&mut self, url: String, routes: &dyn Routes) -> Result<Outcome, SessionError> {
        match routes.params_for(&url) {
            Some(path_params) => self.live_patch_within(url, path_params, routes).await,
            None => Ok(Outcome::Reply { patch: None, response: json!({ "link_redirect": true }) }),
        }
    }

    /// A client `live_patch` to `url`, a URL of this view with these path parameters: the
    /// flash is cleared (as Phoenix does), `handle_params` runs, and the view renders.
    pub async fn live_patch_within(
        &mut self,
        url: String,
        path_params: Map<String, Value>,
        routes: &dyn Routes,
    ) -> Result<Outcome, SessionError> {
        let flash = self.view.flash_mut();
        flash.clear(None);
        flash.begin_handler();
        self.run_params(&url, &path_params).await?;
        self.after_handler(None, routes).await
    }

    /// [`LiveSession::live_patch`] where every URL belongs to the view: the response.
    pub async fn patch(&mut self, url: &str) -> Result<Value, SessionError> {
        Ok(self.live_patch(url.to_owned(), &AnyUrl).await?.into_response())
    }

    /// Handles messages from pubsub, presence and timers, in order, then renders once: a
    /// session that falls behind sends one diff for all of them (the latest render wins). A
    /// patch runs `handle_params` before the next message, as in Phoenix; messages after one
    /// that navigates away or redirects are not handled (the view is leaving).
    pub async fn info(&mut self, messages: &[Message], routes: &dyn Routes) -> Result<Outcome, SessionError> {
        self.view.flash_mut().begin_handler();
        let mut patch = None;
        for message in messages {
            self.view.handle_info(message).await?;
            self.absorb();
            match self.follow(routes, false).await? {
                Ok(Some(patched)) => patch = Some(patched),
                Ok(None) => {}
                Err(leaving) => return Ok(Outcome::Leave { events: self.take_events(), leaving }),
            }
        }
        self.finish(patch, None).await
    }

    /// The pubsub, timer and presence requests of the handlers since the last call, in order.
    pub fn take_requests(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.pending.requests)
    }

    /// The view's state, if it can snapshot (for hot swap, and for tests that compare a
    /// session with a from-scratch render of the same state).
    pub async fn snapshot(&mut self) -> Result<Option<String>, SessionError> {
        Ok(self.view.snapshot().await?)
    }

    /// Snapshots the view and drops its instance, unless the view cannot snapshot or its
    /// snapshot is longer than `max_snapshot` bytes. Call it between handlers only.
    pub async fn hibernate(mut self, max_snapshot: usize) -> Result<Hibernation<V>, SessionError> {
        let snapshot = self.view.snapshot().await?;
        let _ = self.view.take_effects();
        match snapshot {
            None => Ok(Hibernation::Kept(self, KeptBecause::NoSnapshot)),
            Some(snapshot) if snapshot.len() > max_snapshot => {
                Ok(Hibernation::Kept(self, KeptBecause::TooLarge(snapshot.len())))
            }
            Some(snapshot) => {
                let Self { mut view, mut client, pending: _ } = self;
                let flash = std::mem::take(view.flash_mut());
                let flash = (!flash.is_empty()).then(|| Box::new(flash));
                drop(view);
                client.renderer.forget_guest_templates();
                Ok(Hibernation::Done(Hibernated { snapshot: snapshot.into_boxed_str(), client, flash }))
            }
        }
    }

    /// A from-scratch render, as HTML, of a view restored from `state`.
    pub async fn restored_html(mut view: V, state: &str) -> Result<String, SessionError> {
        view.restore(state).await?;
        let parts = view.render().await?;
        Ok(Renderer::new().render_html(parts)?)
    }

    /// The HTML the client holds after the last reply.
    pub fn html(&self) -> String {
        self.client.renderer.html()
    }

    /// The session's flash messages.
    pub fn flash(&mut self) -> &BTreeMap<String, String> {
        self.view.flash_mut().messages()
    }

    /// Renders the view, diffs it against what the client holds and adds the effects of the
    /// handlers that ran since the last render.
    async fn render(&mut self, hook_reply: Option<Value>) -> Result<Map<String, Value>, SessionError> {
        let parts = self.view.render().await?;
        self.absorb();
        // Navigation asked for while rendering is ignored, as Phoenix cannot do it either.
        self.pending.navigation = None;
        let mut diff = self.client.renderer.render(parts)?;
        let dropped = self.client.renderer.take_dropped();
        if !dropped.is_empty() {
            self.view.components_destroyed(dropped).await?;
            self.absorb();
            self.pending.navigation = None;
        }
        if let Some(title) = self.pending.title.take()
            && self.client.title.as_ref() != Some(&title)
        {
            diff.insert(wire::TITLE.to_owned(), Value::from(title.as_str()));
            self.client.title = Some(title);
        }
        if !self.pending.events.is_empty() {
            diff.insert(wire::EVENTS.to_owned(), self.take_events());
        }
        if let Some(reply) = hook_reply {
            diff.insert(wire::REPLY.to_owned(), reply);
        }
        Ok(diff)
    }
}

/// The `response` of a successful join reply.
pub fn join_response(rendered: Map<String, Value>, patch: Option<LivePatch>) -> Value {
    let mut response = Map::new();
    response.insert("rendered".into(), Value::Object(rendered));
    response.insert("liveview_version".into(), Value::from(LIVEVIEW_VERSION));
    if let Some(patch) = patch {
        response.insert("live_patch".into(), json!({ "to": patch.to, "kind": patch.kind }));
    }
    Value::Object(response)
}

/// One pushed event as the wire lists it: `[name, payload]`, or `[name, payload, true]` to
/// dispatch it before the patch.
fn event_entry((name, payload, before): (String, Value, bool)) -> Value {
    if before { json!([name, payload, true]) } else { json!([name, payload]) }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{AnyUrl, Joined, Leaving, LiveSession, MountRequest, Outcome, Routes};
    use crate::diff::{PartNode, Parts, Template};
    use crate::protocol::navigation::{Kind, LivePatch};
    use crate::runtime::{Effects, Flash, GuestError, MountContext, Navigation, View};

    /// A view written directly against the `View` trait: renders `<p>{n}</p>`, and on events
    /// sets the title, pushes events and replies as the event name says.
    #[derive(Debug, Default)]
    struct Scripted {
        n: u64,
        effects: Effects,
        flash: Flash,
        sent_template: bool,
        /// Every handle_params call's URL and params.
        params_seen: Vec<(String, Value)>,
        /// What mount asks for.
        on_mount: Option<Navigation>,
    }

    impl View for Scripted {
        async fn mount(&mut self, _ctx: MountContext) -> Result<(), GuestError> {
            self.effects.navigation = self.on_mount.take();
            Ok(())
        }

        async fn handle_params(&mut self, url: &str, params: &Value) -> Result<(), GuestError> {
            self.params_seen.push((url.to_owned(), params.clone()));
            // `/loop` patches to itself forever.
            if url.starts_with("/loop") {
                self.effects.navigation = Some(Navigation::Patch { to: "/loop".into(), replace: false });
            }
            Ok(())
        }

        async fn handle_event(
            &mut self,
            name: &str,
            value: &Value,
            _target: Option<u32>,
        ) -> Result<Option<Value>, GuestError> {
            match name {
                "title" => self.effects.title = Some("Same".into()),
                "events" => {
                    self.effects.events.push(("after".into(), json!({"x": 1}), false));
                    self.effects.events.push(("before".into(), json!(null), true));
                }
                "hook" => return Ok(Some(json!({"echo": value}))),
                "bump" => self.n += 1,
                "flash" => self.flash.put("info".into(), "saved".into()),
                "patch" => {
                    self.n += 1;
                    self.effects.navigation = Some(Navigation::Patch { to: "/v?page=2".into(), replace: true });
                }
                "loop" => self.effects.navigation = Some(Navigation::Patch { to: "/loop".into(), replace: false }),
                "elsewhere" => {
                    self.effects.navigation = Some(Navigation::Patch { to: "/other".into(), replace: false })
                }
                "navigate" => {
                    self.flash.put("info".into(), "bye".into());
                    self.effects.events.push(("left".into(), json!(1), false));
                    self.effects.navigation = Some(Navigation::Navigate { to: "/other".into(), replace: false });
                }
                "redirect" => self.effects.navigation = Some(Navigation::Redirect { to: "https://x.test/".into() }),
                _ => return Err(GuestError::View(format!("unknown event {name:?}"))),
            }
            Ok(None)
        }

        async fn handle_info(&mut self, _message: &crate::pubsub::Message) -> Result<(), GuestError> {
            Ok(())
        }

        async fn render(&mut self) -> Result<Parts, GuestError> {
            let new_templates = if std::mem::replace(&mut self.sent_template, true) {
                vec![]
            } else {
                vec![Template { id: 1, statics: vec!["<p>".into(), "</p>".into()] }]
            };
            let text = match self.flash.get("info") {
                Some(info) => format!("{} {info}", self.n),
                None => self.n.to_string(),
            };
            let nodes = vec![PartNode::Text(text), PartNode::Tree { template: 1, slots: vec![0] }];
            Ok(Parts { new_templates, nodes, root: 1, components: vec![] })
        }

        async fn components_destroyed(&mut self, _ids: Vec<u32>) -> Result<(), GuestError> {
            Ok(())
        }

        async fn snapshot(&mut self) -> Result<Option<String>, GuestError> {
            Ok(Some(self.n.to_string()))
        }

        async fn restore(&mut self, state: &str) -> Result<(), GuestError> {
            self.n = state.parse().map_err(|_| GuestError::View("bad snapshot".into()))?;
            Ok(())
        }

        fn take_effects(&mut self) -> Effects {
            std::mem::take(&mut self.effects)
        }

        fn flash_mut(&mut self) -> &mut Flash {
            &mut self.flash
        }
    }

    /// `/v...` is this view's; `/other` another's.
    struct OnlyV;

    impl Routes for OnlyV {
        fn params_for(&self, url: &str) -> Option<serde_json::Map<String, Value>> {
            let mut params = serde_json::Map::new();
            params.insert("from_path".into(), json!("yes"));
            (url.starts_with("/v") || url.starts_with("/loop")).then_some(params)
        }
    }

    fn push(event: &str) -> crate::protocol::EventPush {
        serde_json::from_value(json!({"type": "click", "event": event, "value": {}})).expect("event push")
    }

    async fn joined() -> LiveSession<Scripted> {
        let request = MountRequest {
            url: "http://h/v".into(),
            session: json!({}),
            connect_params: Some(json!({})),
            ..Default::default()
        };
        LiveSession::join(Scripted::default(), request).await.expect("join").0
    }

    fn click(event: &str) -> Value {
        json!({"type": "click", "event": event, "value": {"k": "v"}})
    }

    #[tokio::test]
    async fn replies_carry_title_events_and_hook_replies() {
        let mut s = joined().await;
        assert_eq!(s.event(click("title")).await, Ok(json!({"diff": {"t": "Same"}})));
        // The same title again is not re-sent.
        assert_eq!(s.event(click("title")).await, Ok(json!({})));
        assert_eq!(
            s.event(click("events")).await,
            Ok(json!({"diff": {"e": [["after", {"x": 1}], ["before", null, true]]}}))
        );
        assert_eq!(
            s.event(json!({"type": "hook", "event": "hook", "value": {"a": 1}})).await,
            Ok(json!({"diff": {"r": {"echo": {"a": 1}}}}))
        );
        assert_eq!(s.event(click("bump")).await, Ok(json!({"diff": {"0": "1"}})));
    }

    #[tokio::test]
    async fn built_in_and_bad_events() {
        let mut s = joined().await;
        assert_eq!(
            s.event(json!({"type": "click", "event": "lv:clear-flash", "value": {"key": "info"}})).await,
            Ok(json!({}))
        );
        assert!(matches!(s.event(click("lv:other")).await, Err(super::SessionError::BadPayload(_))));
        assert!(matches!(s.event(json!({"type": "click"})).await, Err(super::SessionError::BadPayload(_))));
        // An event for a component that does not exist gets an empty reply.
        assert_eq!(s.event(json!({"type": "click", "event": "bump", "value": {}, "cid": 9})).await, Ok(json!({})));
        assert!(matches!(s.event(click("nope")).await, Err(super::SessionError::Guest(GuestError::View(_)))));
    }

    #[tokio::test]
    async fn a_woken_session_diffs_against_what_the_client_held() {
        let mut s = joined().await;
        assert_eq!(s.event(click("bump")).await, Ok(json!({"diff": {"0": "1"}})));
        let super::Hibernation::Done(hibernated) = s.hibernate(64).await.expect("snapshot") else {
            panic!("Scripted snapshots");
        };
        assert_eq!(hibernated.snapshot_len(), 1);
        // A fresh instance defines its template again under the same id; the client is not
        // sent anything it already holds.
        let mut s = hibernated.wake(Scripted::default()).await.expect("restore");
        assert_eq!(s.event(click("title")).await, Ok(json!({"diff": {"t": "Same"}})));
        assert_eq!(s.event(click("bump")).await, Ok(json!({"diff": {"0": "2"}})));
        assert_eq!(s.html(), "<p>2</p>");
    }

    #[tokio::test]
    async fn a_snapshot_over_the_limit_keeps_the_session_awake() {
        let mut s = joined().await;
        for _ in 0..10 {
            s.event(click("bump")).await.expect("bump");
        }
        // "10" is two bytes.
        match s.hibernate(1).await.expect("snapshot") {
            super::Hibernation::Kept(s, super::KeptBecause::TooLarge(2)) => assert_eq!(s.html(), "<p>10</p>"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn the_destroy_handshake_replies_with_the_removed_cids() {
        let mut s = joined().await;
        assert_eq!(s.components_will_destroy(&[4]), json!({}));
        assert_eq!(s.components_destroyed(&[4]).await, Ok(json!({"cids": []})));
    }

    #[tokio::test]
    async fn a_patch_from_an_event_runs_handle_params_then_replies() {
        let mut s = joined().await;
        let outcome = s.handle_event(push("patch"), &OnlyV).await.expect("patch");
        assert_eq!(
            outcome,
            Outcome::Reply {
                patch: Some(LivePatch { to: "/v?page=2".into(), kind: Kind::Replace }),
                response: json!({"diff": {"0": "1"}})
            }
        );
        assert_eq!(
            s.view.params_seen.last(),
            Some(&("/v?page=2".to_owned(), json!({"page": "2", "from_path": "yes"})))
        );
        // A patch to another view's path ends the session; a loop is cut after 20 patches.
        assert!(matches!(s.handle_event(push("elsewhere"), &OnlyV).await, Err(super::SessionError::PatchElsewhere(_))));
        let mut s = joined().await;
        assert!(matches!(s.handle_event(push("loop"), &OnlyV).await, Err(super::SessionError::PatchLoop(20))));
        // Mount's handle_params, then one per patch: the 21st patch is refused.
        assert_eq!(s.view.params_seen.len(), 1 + 20);
    }

    #[tokio::test]
    async fn navigate_and_redirect_leave_with_events_and_the_handlers_flash() {
        let mut s = joined().await;
        s.view.flash.put("old".into(), "shown before".into());
        let outcome = s.handle_event(push("navigate"), &OnlyV).await.expect("navigate");
        let flash = [("info".to_owned(), "bye".to_owned())].into_iter().collect();
        assert_eq!(
            outcome,
            Outcome::Leave {
                events: json!([["left", 1]]),
                leaving: Leaving::Navigate { to: "/other".into(), kind: Kind::Push, flash }
            }
        );
        let outcome = s.handle_event(push("redirect"), &OnlyV).await.expect("redirect");
        let Outcome::Leave { events, leaving } = outcome else { panic!("{outcome:?}") };
        assert_eq!(events, json!([]));
        assert!(leaving.is_external());
    }

    #[tokio::test]
    async fn flash_is_cleared_by_the_client_and_by_client_patches() {
        let mut s = joined().await;
        assert_eq!(s.event(click("flash")).await, Ok(json!({"diff": {"0": "0 saved"}})));
        assert_eq!(
            s.event(json!({"type": "click", "event": "lv:clear-flash", "value": {"key": "info"}})).await,
            Ok(json!({"diff": {"0": "0"}}))
        );
        s.event(click("flash")).await.expect("flash");
        // A patch from the client clears every message before handle_params.
        let outcome = s.live_patch("/v?x=1".into(), &OnlyV).await.expect("patch");
        assert_eq!(outcome, Outcome::Reply { patch: None, response: json!({"diff": {"0": "0"}}) });
        let outcome = s.live_patch("/other".into(), &OnlyV).await.expect("patch");
        assert_eq!(outcome, Outcome::Reply { patch: None, response: json!({"link_redirect": true}) });
    }

    #[tokio::test]
    async fn mount_time_navigation_shapes_the_join() {
        let request = |url: &str| MountRequest {
            url: url.into(),
            connect_params: Some(json!({})),
            flash: [("info".to_owned(), "welcome".to_owned())].into_iter().collect(),
            ..Default::default()
        };
        let view = Scripted {
            on_mount: Some(Navigation::Patch { to: "/v?tab=2".into(), replace: false }),
            ..Default::default()
        };
        let Joined::Live { session, patch, rendered } =
            LiveSession::join_at(view, request("http://h/v"), crate::diff::Renderer::new(), &OnlyV)
                .await
                .expect("join")
        else {
            panic!("joined")
        };
        assert_eq!(patch, Some(LivePatch { to: "/v?tab=2".into(), kind: Kind::Push }));
        // handle_params ran only for the patched URL, and the flash shows.
        assert_eq!(session.view.params_seen.len(), 1);
        assert_eq!(rendered.get("0"), Some(&json!("0 welcome")));
        let view = Scripted { on_mount: Some(Navigation::Redirect { to: "/login".into() }), ..Default::default() };
        let joined = LiveSession::join_at(view, request("http://h/v"), crate::diff::Renderer::new(), &AnyUrl).await;
        let Ok(Joined::Left { leaving, events }) = joined else { panic!("left") };
        // At join the whole flash goes along.
        assert_eq!(
            leaving,
            Leaving::Redirect {
                to: "/login".into(),
                flash: [("info".to_owned(), "welcome".to_owned())].into_iter().collect()
            }
        );
        assert_eq!(events, json!([]));
    }
}
