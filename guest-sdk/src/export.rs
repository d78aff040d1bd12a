//! The glue between the WIT exports and a [`LiveView`]: one instance per component instance,
//! kept in a thread-local (a component instance is single-threaded).

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashSet;
use std::marker::PhantomData;

use serde_json::Value;

use crate::bindings::exports::liveplug::view::{components, describe, info, params, snapshot, view};
use crate::bindings::liveplug::view::{parts, types as wit};
use crate::render::Render;
use crate::view::{Event, LiveView, Mount, ViewError};

thread_local! {
    static VIEW: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
    /// Whether this instance rendered before (the first render is complete).
    static RENDERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static SENT_TEMPLATES: RefCell<HashSet<u32>> = RefCell::new(HashSet::new());
}

/// Implements the WIT `view` interface for `V`, with snapshots as `S` makes them;
/// [`crate::export!`] names it.
#[derive(Debug)]
pub struct Exported<V, S = Manual>(PhantomData<(V, S)>);

/// How an exported view is snapshotted and restored.
pub trait Snapshots<V> {
    fn snapshot(view: &V) -> Option<String>;
    fn restore(state: &str) -> Result<V, ViewError>;
}

/// The view's own [`LiveView::snapshot`] and [`LiveView::restore`] (`export!(View)`).
#[derive(Debug)]
pub struct Manual;

impl<V: LiveView> Snapshots<V> for Manual {
    fn snapshot(view: &V) -> Option<String> {
        view.snapshot()
    }

    fn restore(state: &str) -> Result<V, ViewError> {
        V::restore(state)
    }
}

/// `Snapshots::snapshot` of `export!(View, snapshot)`: [`crate::snapshot::encode`], with a
/// failure logged (the host then keeps the session as it is).
pub fn serde_snapshot<V: serde::Serialize>(view: &V, version: u32) -> Option<String> {
    match crate::snapshot::encode(view, version) {
        Ok(text) => Some(text),
        Err(error) => {
            crate::log::warn(&error.message);
            None
        }
    }
}

fn with_view<V: LiveView, R>(f: impl FnOnce(&mut V) -> R) -> R {
    VIEW.with(|cell| {
        let mut slot = cell.borrow_mut();
        let any = slot.get_or_insert_with(|| Box::new(V::default()));
        if !any.is::<V>() {
            *any = Box::new(V::default());
        }
        match any.downcast_mut::<V>() {
            Some(view) => f(view),
            None => unreachable!("the slot was just set to a V"),
        }
    })
}

fn parse(json: &str) -> Result<Value, wit::ViewError> {
    if json.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(json).map_err(|e| wit_error(ViewError::from(e)))
}

fn wit_error(error: ViewError) -> wit::ViewError {
    wit::ViewError { message: error.message }
}

// The SDK exports every optional interface of the `live-view` world, with the defaults the WIT
// documents where the view does not override them (`handle_params` and the others do nothing,
// `snapshot` answers `none` unless the view snapshots).
impl<V: LiveView, S: Snapshots<V>> describe::Guest for Exported<V, S> {
    fn describe() -> wit::ViewInfo {
        wit::ViewInfo {
            routes: V::ROUTES.iter().map(|route| (*route).to_owned()).collect(),
            live_session: V::LIVE_SESSION.map(str::to_owned),
        }
    }
}

impl<V: LiveView, S: Snapshots<V>> view::Guest for Exported<V, S> {
    fn mount(ctx: wit::MountContext) -> Result<(), wit::ViewError> {
        let mount = Mount {
            params: parse(&ctx.params)?,
            session: parse(&ctx.session)?,
            connected: ctx.connected,
            connect_params: ctx.connect_params.as_deref().map(parse).transpose()?,
        };
        with_view::<V, _>(|view| view.mount(mount)).map_err(wit_error)
    }

    fn handle_event(name: String, value: String, target: Option<u32>) -> Result<Option<String>, wit::ViewError> {
        let event = Event { name, value: parse(&value)?, target };
        let reply = with_view::<V, _>(|view| view.handle_event(event)).map_err(wit_error)?;
        Ok(reply.map(|value| value.to_string()))
    }

    fn render() -> parts::Parts {
        SENT_TEMPLATES.with(|sent| {
            let mut sent = sent.borrow_mut();
            let mut r = Render::new(&mut sent);
            r.set_fresh(!RENDERED.with(|done| done.replace(true)));
            let root = with_view::<V, _>(|view| view.render(&mut r));
            // Assigns written from now on count as changes for the next render.
            crate::html::next_generation();
            r.finish(root)
        })
    }
}

impl<V: LiveView, S: Snapshots<V>> params::Guest for Exported<V, S> {
    fn handle_params(url: String, params: String) -> Result<(), wit::ViewError> {
        let params = parse(&params)?;
        with_view::<V, _>(|view| view.handle_params(&url, params)).map_err(wit_error)
    }
}

impl<V: LiveView, S: Snapshots<V>> info::Guest for Exported<V, S> {
    fn handle_info(message: wit::Message) -> Result<(), wit::ViewError> {
        let message = crate::realtime::decode(message).map_err(wit_error)?;
        with_view::<V, _>(|view| view.handle_info(message)).map_err(wit_error)
    }
}

impl<V: LiveView, S: Snapshots<V>> components::Guest for Exported<V, S> {
    fn components_destroyed(ids: Vec<u32>) {
        with_view::<V, _>(|view| view.components_destroyed(ids));
    }
}

impl<V: LiveView, S: Snapshots<V>> snapshot::Guest for Exported<V, S> {
    fn snapshot() -> Option<String> {
        with_view::<V, _>(|view| S::snapshot(view))
    }

    fn restore(state: String) -> Result<(), wit::ViewError> {
        let restored = S::restore(&state).map_err(wit_error)?;
        VIEW.with(|cell| *cell.borrow_mut() = Some(Box::new(restored)));
        // The next render is complete, as after a mount: the host compares it with what the
        // browser holds, whatever this instance rendered before.
        RENDERED.with(|done| done.set(false));
        SENT_TEMPLATES.with(|sent| sent.borrow_mut().clear());
        Ok(())
    }
}

/// Exports a [`LiveView`] type as this component's view.
///
/// - `export!(View)`: snapshots are the view's own [`LiveView::snapshot`] and
///   [`LiveView::restore`] (by default, none).
/// - `export!(View, snapshot)`: the view derives serde's `Serialize` and `Deserialize` and is
///   snapshotted as JSON, at version 1 (see [`crate::snapshot`]).
/// - `export!(View, snapshot, version = 2)`: the same at another version; a snapshot of
///   another version is restored through [`LiveView::migrate`].
#[macro_export]
macro_rules! export {
    (@with $view:ty, $snapshots:ty) => {
        #[doc(hidden)]
        type __LiveplugExported = $crate::__private::Exported<$view, $snapshots>;
        $crate::bindings::__export_live_view!(__LiveplugExported with_types_in $crate::bindings);
    };
    // The impl names the view's type, so a view that is not serde's fails here, once.
    (@serde $view:ty, $version:expr) => {
        #[doc(hidden)]
        struct __LiveplugSnapshots;
        impl $crate::__private::Snapshots<$view> for __LiveplugSnapshots {
            fn snapshot(view: &$view) -> ::core::option::Option<::std::string::String> {
                $crate::__private::serde_snapshot(view, $version)
            }
            fn restore(state: &str) -> ::core::result::Result<$view, $crate::ViewError> {
                $crate::snapshot::decode(state, $version)
            }
        }
        $crate::export!(@with $view, __LiveplugSnapshots);
    };
    ($view:ty $(,)?) => {
        $crate::export!(@with $view, $crate::__private::Manual);
    };
    ($view:ty, snapshot $(,)?) => {
        $crate::export!(@serde $view, 1);
    };
    ($view:ty, snapshot, version = $version:expr $(,)?) => {
        $crate::export!(@serde $view, $version);
    };
    ($($other:tt)*) => {
        ::core::compile_error!(
            "expected `export!(View)`, `export!(View, snapshot)` or `export!(View, snapshot, version = N)`"
        );
    };
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde::{Deserialize, Serialize};
    use serde_json::Value;

    use super::{Exported, Snapshots, serde_snapshot};
    use crate::bindings::exports::liveplug::view::snapshot::Guest as _;
    use crate::bindings::exports::liveplug::view::view::Guest as _;
    use crate::bindings::liveplug::view::parts::{Node as P, Parts};
    use crate::bindings::liveplug::view::types::MountContext;
    use crate::{
        Assign, At, Components, Event, List, LiveComponent, LiveView, Node, Render, Stream, Template, ViewError, html,
    };

    const FEED: Template = Template::new(&["<li id=\"", "\">", "</li>"]);

    #[derive(Debug, Serialize, Deserialize)]
    struct Card {
        likes: u32,
    }

    impl LiveComponent for Card {
        fn render(&self, id: u32, r: &mut Render) -> Node {
            html! { <div id={format!("card-{id}")}>"likes: " {self.likes}</div> }.render(r)
        }

        fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
            match event.name.as_str() {
                "like" => self.likes += 1,
                _ => return Err(event.unknown()),
            }
            Ok(None)
        }
    }

    /// Every stateful construct: assigns, a conditional, a list, components, a stream.
    #[derive(Debug, Serialize, Deserialize)]
    #[serde(default)]
    struct Board {
        title: Assign<String>,
        show: Assign<bool>,
        rows: List<(u32, String)>,
        cards: Components<Card>,
        #[serde(skip)]
        feed: Stream<String>,
    }

    impl Default for Board {
        fn default() -> Self {
            Self {
                title: Assign::default(),
                show: Assign::default(),
                rows: List::new(),
                cards: Components::new(),
                feed: Stream::new("feed", |s: &String| format!("f-{s}")),
            }
        }
    }

    impl LiveView for Board {
        fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
            if let Some(result) = self.cards.handle_event(event.clone()) {
                return result;
            }
            let text = event.value.get("text").and_then(Value::as_str).unwrap_or_default().to_owned();
            match event.name.as_str() {
                "title" => self.title.set(text),
                "show" => *self.show = !*self.show,
                "add" => {
                    let id = u32::try_from(self.rows.len()).unwrap_or_default() + 1;
                    self.rows.push((id, text));
                }
                "edit" => {
                    if let Some(row) = self.rows.get_mut(0) {
                        row.1 = text;
                    }
                }
                "card" => {
                    let id = u32::try_from(self.cards.len()).unwrap_or_default() + 1;
                    self.cards.insert(id, Card { likes: 0 });
                }
                "feed" => self.feed.insert(text, At::Start),
                _ => return Err(event.unknown()),
            }
            Ok(None)
        }

        fn render(&self, r: &mut Render) -> Node {
            let cards: Vec<Node> = self
                .cards
                .iter()
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
                .into_iter()
                .map(|id| self.cards.place(r, id))
                .collect();
            let first = cards.first().copied();
            let second = cards.get(1).copied();
            let feed = r.stream(&self.feed, &FEED, |r, dom_id, text| [r.text(dom_id), r.text(text)]);
            html! {
                <main>
                    <h1>{&self.title}</h1>
                    <p :if={*self.show}>"shown: " {&self.title}</p>
                    <ul><li :for={row in self.rows.iter()} :key={row.0}>{&row.1}</li></ul>
                    <section>{first} {second}</section>
                    <ol id="feed" phx-update="stream">{feed}</ol>
                </main>
            }
            .render(r)
        }
    }

    /// What `export!(Board, snapshot, version = N)` generates.
    struct Serde<const VERSION: u32>;

    impl<const VERSION: u32> Snapshots<Board> for Serde<VERSION> {
        fn snapshot(view: &Board) -> Option<String> {
            serde_snapshot(view, VERSION)
        }

        fn restore(state: &str) -> Result<Board, ViewError> {
            crate::snapshot::decode(state, VERSION)
        }
    }

    type Board1 = Exported<Board, Serde<1>>;

    /// Runs `f` on a thread of its own: a fresh instance (the glue's state is thread-local).
    fn instance<R: Send>(f: impl FnOnce() -> R + Send) -> R {
        std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|_| panic!("the instance panicked"))
    }

    fn event(name: &str, text: &str) {
        Board1::handle_event(name.to_owned(), serde_json::json!({ "text": text }).to_string(), None).unwrap();
    }

    fn mount() {
        let ctx = MountContext { params: "{}".into(), session: "{}".into(), connected: true, connect_params: None };
        Board1::mount(ctx).unwrap();
    }

    /// The events before the snapshot.
    fn history() {
        event("title", "plans");
        event("show", "");
        event("add", "one");
        event("add", "two");
        event("card", "");
        event("card", "");
        event("feed", "hello");
    }

    /// A render the host can diff without anything from before: every template used is sent,
    /// nothing is unchanged, every row and placed component is rendered.
    fn assert_complete(parts: &Parts, components: &[u32]) {
        let sent: HashSet<u32> = parts.new_templates.iter().map(|t| t.id).collect();
        for node in &parts.nodes {
            match node {
                P::Unchanged => panic!("unchanged node in {:?}", parts.nodes),
                P::Tree(tree) => assert!(sent.contains(&tree.template), "template not sent"),
                P::Keyed(list) => {
                    assert!(sent.contains(&list.template), "list template not sent");
                    assert!(list.items.iter().all(|item| item.slots.is_some()), "unchanged row");
                }
                P::Stream(ops) => assert!(sent.contains(&ops.template), "stream template not sent"),
                P::Text(_) | P::Raw(_) | P::Attributes(_) | P::Component(_) => {}
            }
        }
        let rendered: Vec<u32> = parts.components.iter().map(|c| c.id).collect();
        assert_eq!(rendered, components);
    }

    /// The stream is in the render, with nothing to do: no reset, no items, no deletes.
    fn assert_stream_untouched(parts: &Parts) {
        let streams: Vec<_> =
            parts.nodes.iter().filter_map(|n| if let P::Stream(ops) = n { Some(ops) } else { None }).collect();
        assert_eq!(streams.len(), 1);
        assert!(
            !streams[0].reset && streams[0].inserts.is_empty() && streams[0].deletes.is_empty(),
            "{:?}",
            streams[0]
        );
    }

    #[test]
    fn a_restored_instance_renders_completely_and_like_one_that_never_stopped() {
        let (snapshot, live_html) = instance(|| {
            mount();
            history();
            let first = Board1::render();
            assert_complete(&first, &[1, 2]);
            // Later renders are partial: what did not change is unchanged, the stream sent.
            event("edit", "ONE");
            Board1::handle_event("like".into(), "{}".into(), Some(2)).unwrap();
            let partial = Board1::render();
            assert!(partial.nodes.iter().any(|n| matches!(n, P::Unchanged)));
            assert!(partial.new_templates.is_empty());
            assert_eq!(partial.components.iter().map(|c| c.id).collect::<Vec<_>>(), [2]);
            // Card 1 changes after the last render: the snapshot says it is due.
            Board1::handle_event("like".into(), "{}".into(), Some(1)).unwrap();
            (Board1::snapshot().unwrap(), crate::testing::parts_html(&first))
        });
        assert_eq!(
            snapshot,
            r#"{"v":1,"state":{"title":"plans","show":true,"rows":[[1,"ONE"],[2,"two"]],"cards":{"items":{"1":{"likes":1},"2":{"likes":1}},"dirty":[1]}}}"#
        );
        assert!(live_html.contains("<li id=\"f-hello\">hello</li>"));

        // A fresh instance restores, handles the next event, and renders everything but the
        // component the host already holds as it is (card 2).
        let restored = instance(|| {
            Board1::restore(snapshot.clone()).unwrap();
            event("title", "plans!");
            let parts = Board1::render();
            assert_complete(&parts, &[1]);
            assert_stream_untouched(&parts);
            // From then on, it tracks changes again.
            let next = Board1::render();
            assert!(next.new_templates.is_empty() && next.components.is_empty());
            assert!(next.nodes.iter().any(|n| matches!(n, P::Unchanged)), "{:?}", next.nodes);
            crate::testing::parts_html(&parts)
        });

        // The same as an instance that reached that state without a snapshot (first render).
        let never_stopped = instance(|| {
            mount();
            history();
            event("edit", "ONE");
            Board1::handle_event("like".into(), "{}".into(), Some(2)).unwrap();
            Board1::handle_event("like".into(), "{}".into(), Some(1)).unwrap();
            event("title", "plans!");
            let parts = Board1::render();
            // Its stream items are sent once; a restored instance sends none (the browser has
            // them), nor card 2, which the host holds.
            crate::testing::parts_html(&parts)
                .replace("<li id=\"f-hello\">hello</li>", "")
                .replace("<div id=\"card-2\">likes: 1</div>", "")
        });
        assert_eq!(restored, never_stopped);
        assert_eq!(
            restored,
            r#"<main><h1>plans!</h1><p>shown: plans!</p><ul><li>ONE</li><li>two</li></ul><section><div id="card-1">likes: 1</div></section><ol id="feed" phx-update="stream"></ol></main>"#
        );
    }

    #[test]
    fn restoring_a_used_instance_starts_its_renders_over() {
        instance(|| {
            mount();
            history();
            Board1::render();
            let snapshot = Board1::snapshot().unwrap();
            Board1::restore(snapshot).unwrap();
            let parts = Board1::render();
            // Both cards were rendered before the snapshot: the host holds them.
            assert_complete(&parts, &[]);
            assert_stream_untouched(&parts);
        });
    }

    #[test]
    fn a_failed_restore_changes_nothing() {
        instance(|| {
            mount();
            history();
            Board1::render();
            let error = Board1::restore("{\"v\":1,\"state\":{\"rows\":7}}".into()).unwrap_err();
            assert!(error.message.starts_with("the snapshot's state does not fit the view"), "{}", error.message);
            assert_eq!(
                Board1::restore(String::new()).unwrap_err().message,
                "invalid snapshot: EOF while parsing a value at line 1 column 0"
            );
            // The view and its render state are as before: nothing changed, nothing is sent.
            let parts = Board1::render();
            assert!(parts.nodes.iter().any(|n| matches!(n, P::Unchanged)));
            assert!(parts.new_templates.is_empty() && parts.components.is_empty());
            assert_stream_untouched(&parts);
        });
    }

    #[test]
    fn another_version_is_refused_by_default() {
        let snapshot = instance(|| {
            mount();
            history();
            Board1::snapshot().unwrap()
        });
        instance(|| {
            let error = Exported::<Board, Serde<2>>::restore(snapshot).unwrap_err();
            assert_eq!(
                error.message,
                "cannot restore a version 1 snapshot into version 2: this view does not migrate snapshots (implement `LiveView::migrate`)"
            );
        });
    }

    #[test]
    fn without_the_option_snapshots_are_the_views_own() {
        instance(|| {
            type Plain = Exported<Board>;
            assert_eq!(Plain::snapshot(), None);
            assert_eq!(Plain::restore("{}".into()).unwrap_err().message, "this view does not restore snapshots");
        });
    }
}
