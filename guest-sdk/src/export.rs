//! The glue between the WIT exports and a [`LiveView`]: one instance per component instance,
//! kept in a thread-local (a component instance is single-threaded).

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashSet;
use std::marker::PhantomData;

use serde_json::Value;

use crate::bindings::exports::liveplug::view::view::{self as wit, Guest};
use crate::bindings::liveplug::view::parts;
use crate::render::Render;
use crate::view::{Event, LiveView, Mount, ViewError};

thread_local! {
    static VIEW: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
    /// Whether this instance rendered before (the first render is complete).
    static RENDERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static SENT_TEMPLATES: RefCell<HashSet<u64>> = RefCell::new(HashSet::new());
}

/// Implements the WIT `view` interface for `V`; [`crate::export!`] names it.
#[derive(Debug)]
pub struct Exported<V>(PhantomData<V>);

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

impl<V: LiveView> Guest for Exported<V> {
    fn mount(ctx: wit::MountContext) -> Result<(), wit::ViewError> {
        let mount = Mount {
            params: parse(&ctx.params)?,
            session: parse(&ctx.session)?,
            connected: ctx.connected,
            connect_params: ctx.connect_params.as_deref().map(parse).transpose()?,
        };
        with_view::<V, _>(|view| view.mount(mount)).map_err(wit_error)
    }

    fn handle_params(url: String, params: String) -> Result<(), wit::ViewError> {
        let params = parse(&params)?;
        with_view::<V, _>(|view| view.handle_params(&url, params)).map_err(wit_error)
    }

    fn handle_event(name: String, value: String, target: Option<u32>) -> Result<Option<String>, wit::ViewError> {
        let event = Event { name, value: parse(&value)?, target };
        let reply = with_view::<V, _>(|view| view.handle_event(event)).map_err(wit_error)?;
        Ok(reply.map(|value| value.to_string()))
    }

    fn handle_info(message: String) -> Result<(), wit::ViewError> {
        let message = parse(&message)?;
        with_view::<V, _>(|view| view.handle_info(message)).map_err(wit_error)
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

    fn components_destroyed(ids: Vec<u32>) {
        with_view::<V, _>(|view| view.components_destroyed(ids));
    }

    fn snapshot() -> Option<String> {
        with_view::<V, _>(|view| view.snapshot())
    }

    fn restore(state: String) -> Result<(), wit::ViewError> {
        let restored = V::restore(&state).map_err(wit_error)?;
        VIEW.with(|cell| *cell.borrow_mut() = Some(Box::new(restored)));
        Ok(())
    }
}

/// Exports a [`LiveView`] type as this component's view.
#[macro_export]
macro_rules! export {
    ($view:ty) => {
        #[doc(hidden)]
        type __LiveplugExported = $crate::__private::Exported<$view>;
        $crate::bindings::__export_live_view!(__LiveplugExported with_types_in $crate::bindings);
    };
}
