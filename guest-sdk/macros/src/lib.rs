//! The `html!` template macro of the Liveplug guest SDK (re-exported by `liveplug-guest`;
//! see its documentation for the syntax and a walkthrough).

mod deps;
mod lower;
mod parse;

use proc_macro::TokenStream;

/// A template: HTML elements, `"text"` literals and `{expression}` dynamics, with `:if`,
/// `:for` and `:key` on elements. Statics are split from dynamics at compile time, every
/// dynamic is escaped unless it is `raw(...)`, and a dynamic that only reads `self.field`s
/// held in `Assign`s is re-evaluated only when one of them changed.
#[proc_macro]
pub fn html(input: TokenStream) -> TokenStream {
    match syn::parse::<parse::Markup>(input) {
        Ok(markup) => lower::expand(&markup).into(),
        Err(error) => error.to_compile_error().into(),
    }
}
