//! Streams: large or endless collections whose items are sent to the browser once and kept
//! by neither the view nor the host (Phoenix's `stream/4`).

use std::cell::RefCell;

/// A stream of `T`. Insert, delete or reset in handlers; [`crate::Render::stream`] sends the
/// pending operations with the next render and forgets them.
///
/// A stream is not serializable: its items live only in the browser, and its DOM id function
/// cannot be saved. In a view restored from a [snapshot](crate::snapshot), take it from the
/// view's `Default`, which builds it empty (the browser keeps its items; nothing is reset or
/// sent again):
///
/// ```
/// # use liveplug_guest::Stream;
/// # struct Message { id: u32 }
/// #[derive(serde::Serialize, serde::Deserialize)]
/// #[serde(default)] // missing and skipped fields come from `Chat::default()`
/// struct Chat {
///     #[serde(skip)]
///     messages: Stream<Message>,
///     unread: u32,
/// }
///
/// impl Default for Chat {
///     fn default() -> Self {
///         Self { messages: Stream::new("messages", |m: &Message| format!("msg-{}", m.id)), unread: 0 }
///     }
/// }
///
/// let chat: Chat = serde_json::from_str(r#"{"unread":2}"#).unwrap();
/// assert_eq!((chat.messages.name(), chat.unread), ("messages", 2));
/// ```
pub struct Stream<T> {
    name: String,
    dom_id: fn(&T) -> String,
    pending: RefCell<Pending<T>>,
}

impl<T> std::fmt::Debug for Stream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream").field("name", &self.name).finish_non_exhaustive()
    }
}

pub(crate) struct Insert<T> {
    pub dom_id: String,
    pub value: T,
    pub at: crate::bindings::liveplug::view::parts::StreamPosition,
    pub limit: Option<i32>,
    pub update_only: bool,
}

pub(crate) struct Pending<T> {
    pub inserts: Vec<Insert<T>>,
    pub deletes: Vec<String>,
    pub reset: bool,
}

impl<T> Default for Pending<T> {
    fn default() -> Self {
        Self { inserts: Vec::new(), deletes: Vec::new(), reset: false }
    }
}

/// Where an insert goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    Start,
    End,
    Index(u16),
}

impl At {
    fn wire(self) -> crate::bindings::liveplug::view::parts::StreamPosition {
        use crate::bindings::liveplug::view::parts::StreamPosition;
        match self {
            At::Start => StreamPosition::Prepend,
            At::End => StreamPosition::Append,
            At::Index(i) => StreamPosition::Index(u32::from(i)),
        }
    }
}

impl<T> Stream<T> {
    /// A stream named `name` (unique within the view) whose items have the DOM id
    /// `dom_id(item)`.
    pub fn new(name: &str, dom_id: fn(&T) -> String) -> Self {
        Self { name: name.to_owned(), dom_id, pending: RefCell::new(Pending::default()) }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The DOM id of `item`.
    pub fn dom_id(&self, item: &T) -> String {
        (self.dom_id)(item)
    }

    /// Inserts `item` (or updates the element with its DOM id, wherever it is).
    pub fn insert(&self, item: T, at: At) {
        self.insert_with(item, at, None, false);
    }

    /// Inserts `item` and then keeps at most `limit` children: the first `limit` when
    /// positive, the last `-limit` when negative.
    pub fn insert_limited(&self, item: T, at: At, limit: i32) {
        self.insert_with(item, at, Some(limit), false);
    }

    /// Updates the element of `item` only if the browser has it.
    pub fn update(&self, item: T) {
        self.insert_with(item, At::End, None, true);
    }

    fn insert_with(&self, item: T, at: At, limit: Option<i32>, update_only: bool) {
        let dom_id = self.dom_id(&item);
        self.pending.borrow_mut().inserts.push(Insert { dom_id, value: item, at: at.wire(), limit, update_only });
    }

    /// Removes the element with this DOM id.
    pub fn delete(&self, dom_id: impl Into<String>) {
        self.pending.borrow_mut().deletes.push(dom_id.into());
    }

    /// Removes every element, then inserts `items` in order.
    pub fn reset(&self, items: impl IntoIterator<Item = T>) {
        let mut pending = self.pending.borrow_mut();
        *pending = Pending { reset: true, ..Pending::default() };
        drop(pending);
        for item in items {
            self.insert(item, At::End);
        }
    }

    pub(crate) fn drain(&self) -> Pending<T> {
        std::mem::take(&mut *self.pending.borrow_mut())
    }
}
