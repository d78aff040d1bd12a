//! One joined view: mount, events, patches, and the replies they produce.

use serde_json::{Map, Value, json};

use super::error::SessionError;
use super::event::Event;
use super::url::query_params;
use crate::diff::{Renderer, wire};
use crate::protocol::LIVEVIEW_VERSION;
use crate::runtime::{Effects, MountContext, View};

/// What a mount needs besides the view.
#[derive(Debug, Clone)]
pub struct MountRequest {
    /// The absolute URL the view is mounted at.
    pub url: String,
    /// The signed session's data (a JSON object).
    pub session: Value,
    /// The client's connect params; `None` for the dead render.
    pub connect_params: Option<Value>,
}

/// The result of an HTTP dead render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadRender {
    pub html: String,
    pub title: Option<String>,
}

/// The state machine of one LiveView channel, generic over what runs the view.
#[derive(Debug)]
pub struct LiveSession<V> {
    view: V,
    client: Client,
}

/// What the client holds: everything of a session that is not the view's own state.
#[derive(Debug)]
struct Client {
    renderer: Renderer,
    /// The title the client shows, so that `"t"` is sent only when it changes.
    title: Option<String>,
}

/// A session without an instance: what the client holds plus the view's state as a snapshot.
/// It costs the bytes of both and nothing else; [`Hibernated::wake`] makes it a session again.
#[derive(Debug)]
pub struct Hibernated {
    snapshot: Box<str>,
    client: Client,
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
        Ok(LiveSession { view, client: self.client })
    }

    /// The snapshot's size in bytes.
    pub fn snapshot_len(&self) -> usize {
        self.snapshot.len()
    }
}

impl<V: View> LiveSession<V> {
    /// Mounts `view` and runs `handle_params` for the URL.
    async fn mount(view: &mut V, request: MountRequest) -> Result<(), SessionError> {
        let params = query_params(&request.url);
        let ctx = MountContext {
            params: params.clone(),
            session: request.session,
            connected: request.connect_params.is_some(),
            connect_params: request.connect_params,
        };
        view.mount(ctx).await?;
        view.handle_params(&request.url, &params).await?;
        Ok(())
    }

    /// The HTTP render: a disconnected mount turned into HTML.
    pub async fn dead_render(mut view: V, request: MountRequest) -> Result<DeadRender, SessionError> {
        Self::mount(&mut view, request).await?;
        let parts = view.render().await?;
        let html = Renderer::new().render_html(parts)?;
        Ok(DeadRender { html, title: view.take_effects().title })
    }

    /// A connected mount: returns the session and the join reply's `response`.
    pub async fn join(view: V, request: MountRequest) -> Result<(Self, Value), SessionError> {
        Self::join_with(view, request, Renderer::new()).await
    }

    /// [`LiveSession::join`] with a given renderer (tests use one that keeps stream HTML).
    pub async fn join_with(
        mut view: V,
        request: MountRequest,
        renderer: Renderer,
    ) -> Result<(Self, Value), SessionError> {
        Self::mount(&mut view, request).await?;
        let mut session = Self { view, client: Client { renderer, title: None } };
        let rendered = session.render(None).await?;
        let response = json!({ "rendered": rendered, "liveview_version": LIVEVIEW_VERSION });
        Ok((session, response))
    }

    /// Handles an `event` push and returns the reply's `response`.
    pub async fn event(&mut self, payload: Value) -> Result<Value, SessionError> {
        let event = Event::parse(payload)?;
        if event.name == "lv:clear-flash" {
            // Flash lives in the view's markup; there is nothing to clear host-side yet.
            return Ok(json!({}));
        }
        if event.name.starts_with("lv:") {
            return Err(SessionError::BadPayload(format!("unknown built-in event {:?}", event.name)));
        }
        let target = match event.cid {
            None => None,
            Some(cid) => match u32::try_from(cid).ok().and_then(|cid| self.client.renderer.component_id(cid)) {
                Some(id) => Some(id),
                // The component is gone: Phoenix answers such an event with an empty reply.
                None => return Ok(json!({})),
            },
        };
        let reply = self.view.handle_event(&event.name, &event.value, target).await?;
        self.reply(reply).await
    }

    /// `cids_will_destroy`: the client is about to remove these components.
    pub fn components_will_destroy(&mut self, payload: &Value) -> Result<Value, SessionError> {
        self.client.renderer.components_will_destroy(&cids(payload)?);
        Ok(json!({}))
    }

    /// `cids_destroyed`: removes the components still marked and tells the view; replies
    /// with the cids removed, which the client prunes.
    pub async fn components_destroyed(&mut self, payload: &Value) -> Result<Value, SessionError> {
        let (removed, ids) = self.client.renderer.components_destroyed(&cids(payload)?);
        if !ids.is_empty() {
            self.view.components_destroyed(ids).await?;
        }
        Ok(json!({ "cids": removed }))
    }

    /// Handles a `live_patch` (the URL changed within this view) and returns the reply.
    pub async fn patch(&mut self, url: &str) -> Result<Value, SessionError> {
        let params = query_params(url);
        self.view.handle_params(url, &params).await?;
        self.reply(None).await
    }

    /// Handles a message from pubsub or a timer; returns the diff to push, if any.
    pub async fn info(&mut self, message: &Value) -> Result<Option<Map<String, Value>>, SessionError> {
        self.view.handle_info(message).await?;
        let diff = self.render(None).await?;
        Ok((!diff.is_empty()).then_some(diff))
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
                let Self { view, mut client } = self;
                drop(view);
                client.renderer.forget_guest_templates();
                Ok(Hibernation::Done(Hibernated { snapshot: snapshot.into_boxed_str(), client }))
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

    async fn reply(&mut self, hook_reply: Option<Value>) -> Result<Value, SessionError> {
        let diff = self.render(hook_reply).await?;
        Ok(if diff.is_empty() { json!({}) } else { json!({ "diff": diff }) })
    }

    /// Renders the view, diffs it against what the client holds and adds the effects of the
    /// handler that just ran.
    async fn render(&mut self, hook_reply: Option<Value>) -> Result<Map<String, Value>, SessionError> {
        let parts = self.view.render().await?;
        let mut diff = self.client.renderer.render(parts)?;
        let dropped = self.client.renderer.take_dropped();
        if !dropped.is_empty() {
            self.view.components_destroyed(dropped).await?;
        }
        let Effects { title, events } = self.view.take_effects();
        if let Some(title) = title
            && self.client.title.as_ref() != Some(&title)
        {
            diff.insert(wire::TITLE.to_owned(), Value::from(title.as_str()));
            self.client.title = Some(title);
        }
        if !events.is_empty() {
            let events = events
                .into_iter()
                .map(
                    |(name, payload, before)| {
                        if before { json!([name, payload, true]) } else { json!([name, payload]) }
                    },
                )
                .collect();
            diff.insert(wire::EVENTS.to_owned(), Value::Array(events));
        }
        if let Some(reply) = hook_reply {
            diff.insert(wire::REPLY.to_owned(), reply);
        }
        Ok(diff)
    }
}

/// The `cids` list of a destroy-handshake payload.
fn cids(payload: &Value) -> Result<Vec<u32>, SessionError> {
    payload
        .get("cids")
        .and_then(Value::as_array)
        .map(|cids| cids.iter().filter_map(Value::as_u64).filter_map(|c| u32::try_from(c).ok()).collect())
        .ok_or_else(|| SessionError::BadPayload("`cids` must be a list of component ids".into()))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{LiveSession, MountRequest};
    use crate::diff::{PartNode, Parts, Template};
    use crate::runtime::{Effects, GuestError, MountContext, View};

    /// A view written directly against the `View` trait: renders `<p>{n}</p>`, and on events
    /// sets the title, pushes events and replies as the event name says.
    #[derive(Debug, Default)]
    struct Scripted {
        n: u64,
        effects: Effects,
        sent_template: bool,
    }

    impl View for Scripted {
        async fn mount(&mut self, _ctx: MountContext) -> Result<(), GuestError> {
            Ok(())
        }

        async fn handle_params(&mut self, _url: &str, _params: &Value) -> Result<(), GuestError> {
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
                _ => return Err(GuestError::View(format!("unknown event {name:?}"))),
            }
            Ok(None)
        }

        async fn handle_info(&mut self, _message: &Value) -> Result<(), GuestError> {
            Ok(())
        }

        async fn render(&mut self) -> Result<Parts, GuestError> {
            let new_templates = if std::mem::replace(&mut self.sent_template, true) {
                vec![]
            } else {
                vec![Template { id: 1, statics: vec!["<p>".into(), "</p>".into()] }]
            };
            let nodes = vec![PartNode::Text(self.n.to_string()), PartNode::Tree { template: 1, slots: vec![0] }];
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
    }

    async fn joined() -> LiveSession<Scripted> {
        let request = MountRequest { url: "http://h/v".into(), session: json!({}), connect_params: Some(json!({})) };
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
        assert_eq!(s.components_will_destroy(&json!({"cids": [4]})), Ok(json!({})));
        assert_eq!(s.components_destroyed(&json!({"cids": [4]})).await, Ok(json!({"cids": []})));
        assert!(s.components_destroyed(&json!({"nope": 1})).await.is_err());
    }
}
