//! Which assigns a dynamic reads, so that it is re-evaluated only when one of them changed.
//!
//! A dynamic is *tracked* when every value it reads is a field of `self` read as `self.field`
//! (or a binding the caller allows, such as a `:for` pattern). Anything else (a local variable,
//! a method call on `self`, `self` passed whole, a closure parameter, a `format!` string that
//! captures names) makes it untracked: it is evaluated on every render. That is conservative:
//! a wrong "tracked" would show stale markup, a wrong "untracked" only costs time.

use std::collections::BTreeSet;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// What a dynamic depends on.
#[derive(Debug, Clone, Default)]
pub struct Deps {
    /// `self.<field>` reads.
    pub fields: BTreeSet<String>,
    /// False when the dynamic reads something other than fields and allowed bindings.
    pub tracked: bool,
}

impl Deps {
    pub fn of(tokens: TokenStream, allowed: &BTreeSet<String>) -> Deps {
        let mut deps = Deps { fields: BTreeSet::new(), tracked: true };
        scan(tokens, allowed, &mut deps);
        deps
    }

    pub fn merge(&mut self, other: &Deps) {
        self.fields.extend(other.fields.iter().cloned());
        self.tracked &= other.tracked;
    }
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "else", "enum", "false", "fn", "for", "if", "impl",
    "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "super", "trait",
    "true", "type", "unsafe", "use", "where", "while",
];

fn scan(tokens: TokenStream, allowed: &BTreeSet<String>, deps: &mut Deps) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let punct = |i: usize, c: char| matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
    let is_path_sep = |i: usize| punct(i, ':') && punct(i + 1, ':');
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Group(group) => {
                // A closure's parameters are unknown bindings: `|x| ...` makes the dynamic
                // untracked through the `|` check below.
                scan(group.stream(), allowed, deps);
                if group.delimiter() == Delimiter::None {
                    continue;
                }
            }
            TokenTree::Punct(p) if p.as_char() == '|' => deps.tracked = false,
            TokenTree::Literal(literal) => {
                // `format!("{name}")` reads `name` without naming it as a token.
                let text = literal.to_string();
                if text.starts_with('"') && captures_names(&text) {
                    deps.tracked = false;
                }
            }
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                let after_dot = i > 0 && punct(i - 1, '.');
                let after_path = i > 1 && punct(i - 1, ':') && punct(i - 2, ':');
                if after_dot || after_path {
                    continue;
                }
                if name == "self" {
                    let field = match (punct(i + 1, '.'), tokens.get(i + 2)) {
                        (true, Some(TokenTree::Ident(field))) => Some(field.to_string()),
                        _ => None,
                    };
                    let method_call = matches!(tokens.get(i + 3), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                    match field {
                        Some(field) if !method_call => {
                            deps.fields.insert(field);
                        }
                        _ => deps.tracked = false,
                    }
                    continue;
                }
                let called =
                    matches!(tokens.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                let is_macro = punct(i + 1, '!');
                let starts_path = is_path_sep(i + 1);
                let is_type_or_const = name.chars().next().is_some_and(|c| c.is_ascii_uppercase());
                if KEYWORDS.contains(&name.as_str()) || called || is_macro || starts_path || is_type_or_const {
                    continue;
                }
                if !allowed.contains(&name) {
                    deps.tracked = false;
                }
            }
            TokenTree::Punct(_) => {}
        }
    }
}

/// Whether a format string literal names a variable inline (`"{count}"`, `"{x:?}"`).
fn captures_names(literal: &str) -> bool {
    let bytes = literal.as_bytes();
    bytes.windows(2).any(|w| w[0] == b'{' && (w[1].is_ascii_alphabetic() || w[1] == b'_'))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use quote::quote;

    use super::Deps;

    fn check(tokens: proc_macro2::TokenStream, fields: &[&str], tracked: bool) {
        let deps = Deps::of(tokens.clone(), &BTreeSet::from(["item".to_owned()]));
        assert_eq!(deps.fields, fields.iter().map(|f| (*f).to_owned()).collect(), "{tokens}");
        assert_eq!(deps.tracked, tracked, "{tokens}");
    }

    #[test]
    fn fields_and_tracking() {
        check(quote!(self.count), &["count"], true);
        check(quote!(*self.count + 1), &["count"], true);
        check(quote!(&self.user.name), &["user"], true);
        check(quote!(format!("{} of {}", self.a, self.b)), &["a", "b"], true);
        check(quote!(if self.on { "yes" } else { "no" }), &["on"], true);
        check(quote!(item.name.len()), &[], true);
        check(quote!(std::cmp::max(self.a, 3)), &["a"], true);
        check(quote!(Some(self.a)), &["a"], true);
    }

    #[test]
    fn what_is_untracked() {
        check(quote!(self.total()), &[], false);
        check(quote!(helper(self)), &[], false);
        check(quote!(local + self.a), &["a"], false);
        check(quote!(format!("{local}")), &[], false);
        check(quote!(self.xs.iter().map(|x| x + 1).sum::<i32>()), &["xs"], false);
    }
}
