//! Lowering parsed markup to templates (statics split from dynamics at compile time) and the
//! code that fills their slots at render time.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit::Visit;
use syn::{Expr, Pat};

use crate::deps::Deps;
use crate::parse::{AttrValue, Element, ForLoop, Markup, Node};

/// A template: `statics.len() == slots.len() + 1`.
#[derive(Default)]
struct Template {
    statics: Vec<String>,
    slots: Vec<Slot>,
}

enum Slot {
    /// `{expr}` in content: text (escaped), a nested template, raw markup...
    Content { expr: Expr, deps: Deps },
    /// `name={expr}`: the whole attribute, present or not.
    Attribute { name: String, expr: Expr, deps: Deps },
    /// An element with `:if`.
    Conditional { condition: Expr, condition_deps: Deps, body: Template },
    /// An element with `:for` (and `:key`).
    Comprehension(Box<Comprehension>),
}

/// An element with `:for` (and `:key`, and an `:if` filter).
struct Comprehension {
    each: ForLoop,
    key: Option<Expr>,
    filter: Option<Expr>,
    deps: Deps,
    item: Template,
}

impl Template {
    fn push_static(&mut self, text: &str) {
        match self.statics.last_mut() {
            Some(last) => last.push_str(text),
            None => self.statics.push(text.to_owned()),
        }
    }

    fn push_slot(&mut self, slot: Slot) {
        if self.statics.is_empty() {
            self.statics.push(String::new());
        }
        self.slots.push(slot);
        self.statics.push(String::new());
    }

    fn finish(mut self) -> Self {
        if self.statics.is_empty() {
            self.statics.push(String::new());
        }
        self
    }

    /// Everything the template's dynamics read.
    fn deps(&self) -> Deps {
        let mut all = Deps { tracked: true, ..Deps::default() };
        for slot in &self.slots {
            all.merge(&slot.deps());
        }
        all
    }
}

impl Slot {
    fn deps(&self) -> Deps {
        match self {
            Slot::Content { deps, .. } | Slot::Attribute { deps, .. } => deps.clone(),
            Slot::Comprehension(c) => c.deps.clone(),
            Slot::Conditional { condition_deps, body, .. } => {
                let mut deps = condition_deps.clone();
                deps.merge(&body.deps());
                deps
            }
        }
    }
}

/// Escapes static text for HTML (content and quoted attribute values alike).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Lowers `markup` into one template. `allowed` are bindings dynamics may read and stay
/// tracked (a `:for` pattern's names inside its item).
fn lower_nodes(nodes: &[Node], template: &mut Template, allowed: &BTreeSet<String>) {
    for node in nodes {
        match node {
            Node::Text(text) => template.push_static(&escape(&text.value())),
            Node::Block(expr) => {
                let deps = Deps::of(quote!(#expr), allowed);
                template.push_slot(Slot::Content { expr: expr.clone(), deps });
            }
            Node::Element(element) => lower_element(element, template, allowed),
        }
    }
}

fn lower_element(element: &Element, template: &mut Template, allowed: &BTreeSet<String>) {
    if let Some(each) = &element.each {
        let mut inner_allowed = allowed.clone();
        inner_allowed.extend(pattern_names(&each.pattern));
        let item = lower_tag(element, &inner_allowed);
        let mut deps = item.deps();
        let key = element.key.clone();
        if let Some(key) = &key {
            deps.merge(&Deps::of(quote!(#key), &inner_allowed));
        }
        let filter = element.condition.clone();
        if let Some(filter) = &filter {
            deps.merge(&Deps::of(quote!(#filter), &inner_allowed));
        }
        let iterable = &each.iterable;
        deps.merge(&Deps::of(quote!(#iterable), allowed));
        template.push_slot(Slot::Comprehension(Box::new(Comprehension {
            each: ForLoop { pattern: each.pattern.clone(), iterable: each.iterable.clone() },
            key,
            filter,
            deps,
            item,
        })));
        return;
    }
    if let Some(condition) = &element.condition {
        let body = lower_tag(element, allowed);
        let condition_deps = Deps::of(quote!(#condition), allowed);
        template.push_slot(Slot::Conditional { condition: condition.clone(), condition_deps, body });
        return;
    }
    write_tag(element, template, allowed);
}

/// An element as a template of its own.
fn lower_tag(element: &Element, allowed: &BTreeSet<String>) -> Template {
    let mut template = Template::default();
    write_tag(element, &mut template, allowed);
    template.finish()
}

fn write_tag(element: &Element, template: &mut Template, allowed: &BTreeSet<String>) {
    template.push_static(&format!("<{}", element.name));
    for attr in &element.attrs {
        match &attr.value {
            AttrValue::Bare => template.push_static(&format!(" {}", attr.name)),
            AttrValue::Literal(value) => {
                template.push_static(&format!(" {}=\"{}\"", attr.name, escape(&value.value())))
            }
            AttrValue::Dynamic(expr) => {
                let deps = Deps::of(quote!(#expr), allowed);
                template.push_slot(Slot::Attribute { name: attr.name.clone(), expr: expr.clone(), deps });
            }
        }
    }
    template.push_static(">");
    if element.void {
        return;
    }
    lower_nodes(&element.children, template, allowed);
    template.push_static(&format!("</{}>", element.name));
}

fn pattern_names(pattern: &Pat) -> Vec<String> {
    struct Names(Vec<String>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, node: &'ast syn::PatIdent) {
            self.0.push(node.ident.to_string());
            syn::visit::visit_pat_ident(self, node);
        }
    }
    let mut names = Names(Vec::new());
    names.visit_pat(pattern);
    names.0
}

/// `html! { ... }`: an `Html` value that renders the markup into a `Render`.
pub fn expand(markup: &Markup) -> TokenStream {
    let mut template = Template::default();
    lower_nodes(&markup.nodes, &mut template, &BTreeSet::new());
    let body = tree(&template.finish());
    quote! {
        ::liveplug_guest::Html::new(move |__r: &mut ::liveplug_guest::Render<'_>| -> ::liveplug_guest::Node {
            #[allow(unused_imports)]
            use ::liveplug_guest::__private::{TrackedProbe as _, UntrackedProbe as _};
            #body
        })
    }
}

/// `true` when one of `deps` changed since the last render (an untracked dynamic always has).
fn changed(deps: &Deps) -> TokenStream {
    if !deps.tracked {
        return quote!(true);
    }
    let probes = deps.fields.iter().map(|field| {
        let field = format_ident!("{}", field);
        quote!((&::liveplug_guest::__private::Probe(&self.#field)).changed())
    });
    quote!(false #(|| #probes)*)
}

/// The code that renders one template instance and returns its node.
fn tree(template: &Template) -> TokenStream {
    let statics = &template.statics;
    let slots = template.slots.iter().map(slot);
    quote! {{
        const __TEMPLATE: ::liveplug_guest::Template = ::liveplug_guest::Template::new(&[#(#statics),*]);
        let __slots = [#(#slots),*];
        __r.tree(&__TEMPLATE, __slots)
    }}
}

fn slot(slot: &Slot) -> TokenStream {
    let changed_now = changed(&slot.deps());
    let evaluate = match slot {
        Slot::Content { expr, .. } => quote! {
            __r.fresh(|__r| ::liveplug_guest::__private::Dynamic::into_node(#expr, __r))
        },
        Slot::Attribute { name, expr, .. } => quote! {
            ::liveplug_guest::__private::attribute(__r, #name, #expr)
        },
        Slot::Conditional { condition, condition_deps, body } => {
            let condition_changed = changed(condition_deps);
            let body = tree(body);
            quote! {{
                // A branch that just appeared has nothing to compare with.
                let __fresh = #condition_changed;
                if #condition {
                    __r.fresh_if(__fresh, |__r| #body)
                } else {
                    __r.text("")
                }
            }}
        }
        Slot::Comprehension(comprehension) => {
            let Comprehension { each, key, filter, item, .. } = &**comprehension;
            let pattern = &each.pattern;
            let iterable = &each.iterable;
            let item_statics = &item.statics;
            let item_slots = item.slots.iter().map(self::slot);
            let skip = filter.as_ref().map(|filter| quote!(if !(#filter) { continue; }));
            // An item that did not change (a `List` row not written since the last render,
            // whose template reads nothing else that changed) is sent as "unchanged" by key,
            // without evaluating it. Only for keyed lists without a filter, where the previous
            // render had every item.
            let item_deps = item.deps();
            let unchanged_item = match (&each.pattern, key, filter, item_deps.tracked) {
                (Pat::Ident(binding), Some(key), None, true) => {
                    let binding = &binding.ident;
                    let others_changed = changed(&item_deps);
                    quote! {
                        if !__r.is_fresh()
                            && !(&::liveplug_guest::__private::Probe(&#binding)).changed()
                            && !(#others_changed)
                        {
                            __items.push(::liveplug_guest::Item::unchanged(#key));
                            continue;
                        }
                    }
                }
                _ => quote!(),
            };
            let push = match key {
                Some(key) => quote!(__items.push(::liveplug_guest::Item::keyed(#key, __slots));),
                None => quote!(__items.push(::liveplug_guest::Item::positional(__slots));),
            };
            quote! {{
                const __ITEM: ::liveplug_guest::Template = ::liveplug_guest::Template::new(&[#(#item_statics),*]);
                let mut __items = ::std::vec::Vec::new();
                for #pattern in #iterable {
                    #skip
                    #unchanged_item
                    let __slots = __r.fresh(|__r| [#(#item_slots),*]);
                    #push
                }
                __r.list(&__ITEM, __items)
            }}
        }
    };
    quote! {
        if !__r.is_fresh() && !(#changed_now) { __r.unchanged() } else { #evaluate }
    }
}
