//! What `html!` expands to: [`Html`] values, the [`Dynamic`] and [`AttrValue`] conversions of
//! slot values, and [`Assign`], the change-tracked field type.

use std::cell::Cell;
use std::ops::{Deref, DerefMut};

use crate::render::{Node, Render};

/// Markup built by `html!`: render it with [`Html::render`], return it from a function
/// component, or put it in another template's `{...}`.
#[must_use = "markup does nothing until it is rendered"]
pub struct Html<F>(F);

impl<F> std::fmt::Debug for Html<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Html(..)")
    }
}

impl<F> Html<F>
where
    F: FnOnce(&mut Render<'_>) -> Node,
{
    #[doc(hidden)]
    pub fn new(build: F) -> Self {
        Self(build)
    }

    /// Renders the markup into `r`.
    pub fn render(self, r: &mut Render<'_>) -> Node {
        (self.0)(r)
    }
}

/// Markup inserted without escaping. Only for HTML you built or sanitized yourself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw(pub String);

/// Opts a value out of escaping: `{raw(markdown_html)}`.
pub fn raw(html: impl Into<String>) -> Raw {
    Raw(html.into())
}

/// A stateful component placed in a template: `{Component(id)}`. Render its markup with
/// [`Render::component_root`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component(pub u32);

/// A value that can fill a content slot.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot fill a template slot",
    note = "text: a string, a number, a char or a bool (`.to_string()` for other `Display` types); markup: `html!` or `raw(..)`; a stateful component: `Component(id)`"
)]
pub trait Dynamic {
    fn into_node(self, r: &mut Render<'_>) -> Node;
}

macro_rules! text_dynamic {
    ($($t:ty),*) => {$(
        impl Dynamic for $t {
            fn into_node(self, r: &mut Render<'_>) -> Node {
                r.text(self)
            }
        }
        impl Dynamic for &$t {
            fn into_node(self, r: &mut Render<'_>) -> Node {
                r.text(self)
            }
        }
        impl AttrValue for $t {
            fn value(self) -> Option<Option<String>> {
                Some(Some(self.to_string()))
            }
        }
        impl AttrValue for &$t {
            fn value(self) -> Option<Option<String>> {
                Some(Some(self.to_string()))
            }
        }
    )*};
}

text_dynamic!(String, char, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);

impl Dynamic for &str {
    fn into_node(self, r: &mut Render<'_>) -> Node {
        r.text(self)
    }
}

impl Dynamic for bool {
    fn into_node(self, r: &mut Render<'_>) -> Node {
        r.text(self)
    }
}

impl Dynamic for Raw {
    fn into_node(self, r: &mut Render<'_>) -> Node {
        r.raw(self.0)
    }
}

impl Dynamic for Node {
    fn into_node(self, _r: &mut Render<'_>) -> Node {
        self
    }
}

impl Dynamic for Component {
    fn into_node(self, r: &mut Render<'_>) -> Node {
        r.component(self.0)
    }
}

impl<F> Dynamic for Html<F>
where
    F: FnOnce(&mut Render<'_>) -> Node,
{
    fn into_node(self, r: &mut Render<'_>) -> Node {
        self.render(r)
    }
}

impl<D: Dynamic> Dynamic for Option<D> {
    fn into_node(self, r: &mut Render<'_>) -> Node {
        match self {
            Some(value) => value.into_node(r),
            None => r.text(""),
        }
    }
}

impl<'a, T> Dynamic for &'a Assign<T>
where
    &'a T: Dynamic,
{
    fn into_node(self, r: &mut Render<'_>) -> Node {
        (&self.value).into_node(r)
    }
}

/// A value for a dynamic attribute `name={value}`: text is written as `name="escaped"`,
/// `true` as a bare `name`, `false` and `None` leave the attribute out.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an attribute value",
    note = "use a string or a number (`.to_string()` for other `Display` types), a `bool` for a boolean attribute, or an `Option` to leave it out"
)]
pub trait AttrValue {
    /// `None` leaves the attribute out, `Some(None)` writes it bare, `Some(Some(v))` with the
    /// value `v` (escaped by the host).
    fn value(self) -> Option<Option<String>>;
}

impl AttrValue for &str {
    fn value(self) -> Option<Option<String>> {
        Some(Some(self.to_owned()))
    }
}

impl AttrValue for bool {
    fn value(self) -> Option<Option<String>> {
        self.then_some(None)
    }
}

impl<V: AttrValue> AttrValue for Option<V> {
    fn value(self) -> Option<Option<String>> {
        self.and_then(AttrValue::value)
    }
}

impl<'a, T> AttrValue for &'a Assign<T>
where
    &'a T: AttrValue,
{
    fn value(self) -> Option<Option<String>> {
        (&self.value).value()
    }
}

thread_local! {
    /// The number of renders so far; an assign changed since the last render carries the
    /// current value.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

pub(crate) fn generation() -> u64 {
    GENERATION.with(Cell::get)
}

pub(crate) fn next_generation() {
    GENERATION.with(|g| g.set(g.get() + 1));
}

/// A view field whose changes `html!` tracks: a dynamic that reads only `self.field`s held in
/// `Assign`s is re-evaluated only after one of them was written (through `DerefMut` or
/// [`Assign::set`]); otherwise the host keeps what it has.
#[derive(Clone, Default)]
pub struct Assign<T> {
    value: T,
    changed_at: u64,
}

impl<T: std::fmt::Debug> std::fmt::Debug for Assign<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

impl<T> Assign<T> {
    pub fn new(value: T) -> Self {
        Self { value, changed_at: generation() }
    }

    /// Replaces the value.
    pub fn set(&mut self, value: T) {
        self.value = value;
        self.changed_at = generation();
    }

    /// Whether the value was written since the last render.
    pub fn changed(&self) -> bool {
        self.changed_at == generation()
    }

    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> Deref for Assign<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Assign<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.changed_at = generation();
        &mut self.value
    }
}

impl<T> From<T> for Assign<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

/// Serialized as the value alone (for snapshots).
impl<T: serde::Serialize> serde::Serialize for Assign<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

/// Deserialized from the value alone, as written since the last render (a restored view's
/// first render evaluates it).
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Assign<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self::new)
    }
}

/// Change probes: `(&Probe(&self.field)).changed()` asks an `Assign` whether it changed and
/// answers "changed" for any other field type, so untracked fields are always re-evaluated.
#[doc(hidden)]
pub struct Probe<'a, T: ?Sized>(pub &'a T);

impl<T: ?Sized> std::fmt::Debug for Probe<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Probe(..)")
    }
}

#[doc(hidden)]
pub trait TrackedProbe {
    fn changed(&self) -> bool;
}

impl<T> TrackedProbe for Probe<'_, Assign<T>> {
    fn changed(&self) -> bool {
        self.0.changed()
    }
}

impl<T> TrackedProbe for Probe<'_, crate::List<T>> {
    fn changed(&self) -> bool {
        self.0.changed()
    }
}

impl<T> TrackedProbe for Probe<'_, crate::Row<'_, T>> {
    fn changed(&self) -> bool {
        self.0.changed()
    }
}

#[doc(hidden)]
pub trait UntrackedProbe {
    fn changed(&self) -> bool;
}

impl<T: ?Sized> UntrackedProbe for &Probe<'_, T> {
    fn changed(&self) -> bool {
        true
    }
}

/// A dynamic attribute's slot.
#[doc(hidden)]
pub fn attribute(r: &mut Render<'_>, name: &str, value: impl AttrValue) -> Node {
    r.attributes(value.value().map(|value| (name, value)))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{Assign, next_generation};
    use crate::bindings::liveplug::view::parts::{self, Node as P};
    use crate::{Node, Render, html};

    #[derive(Default)]
    struct View {
        show: Assign<bool>,
        name: Assign<String>,
    }

    impl View {
        fn render(&self, fresh: bool, sent: &mut HashSet<u32>) -> parts::Parts {
            let mut r = Render::new(sent);
            r.set_fresh(fresh);
            let root: Node = html! { <div><p :if={*self.show}>"Hi " {&self.name}</p></div> }.render(&mut r);
            next_generation();
            r.finish(root)
        }
    }

    #[test]
    fn a_branch_that_appears_is_rendered_completely() {
        let mut sent = HashSet::new();
        let mut view = View::default();
        view.render(true, &mut sent);
        *view.show = true;
        let parts = view.render(false, &mut sent);
        let texts: Vec<&P> = parts.nodes.iter().filter(|n| !matches!(n, P::Tree(_))).collect();
        assert!(!texts.iter().any(|n| matches!(n, P::Unchanged)), "{:?}", parts.nodes);
        // Nothing changed: the whole slot is unchanged.
        let parts = view.render(false, &mut sent);
        assert!(matches!(parts.nodes[0], P::Unchanged), "{:?}", parts.nodes);
    }
}

#[cfg(test)]
mod serde_tests {
    use super::{Assign, next_generation};

    #[test]
    fn an_assign_round_trips_as_its_value_and_counts_as_changed() {
        let assign = Assign::new(vec!["a".to_owned()]);
        next_generation();
        assert!(!assign.changed());
        let text = serde_json::to_string(&assign).unwrap();
        assert_eq!(text, r#"["a"]"#);
        let restored: Assign<Vec<String>> = serde_json::from_str(&text).unwrap();
        assert_eq!(*restored, ["a"]);
        assert!(restored.changed());
        assert_eq!(serde_json::to_string(&Assign::new(Some(3))).unwrap(), "3");
        assert!(serde_json::from_str::<Assign<u8>>("300").is_err());
    }
}

#[cfg(test)]
mod probe_tests {
    use super::{Assign, Probe, TrackedProbe as _, UntrackedProbe as _, next_generation};

    #[test]
    // The explicit borrow is how `html!` calls probes: it selects the fallback for non-assigns.
    #[allow(clippy::needless_borrow)]
    fn probes_ask_assigns_and_call_everything_else_changed() {
        let a = Assign::new(1);
        let plain = 5;
        next_generation();
        assert!(!(&Probe(&a)).changed());
        assert!((&Probe(&plain)).changed());
    }
}
