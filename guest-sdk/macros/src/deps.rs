//! Which assigns a dynamic reads, so that it is re-evaluated only when one of them changed.
//!
//! A dynamic is *tracked* when the macro can see that its value depends on nothing but fields
//! of `self` read as `self.field` (and bindings the caller allows, such as a `:for` pattern):
//! literals, operators, casts, field and index accesses, method calls on those values, `if`
//! and `match` over them, enum variants and tuple-struct constructors (`Some(..)`,
//! `Ordering::Less`), and the std macros whose expansion reads only their arguments
//! (`format!`, `matches!`, ...; [`PURE_MACROS`]).
//!
//! Anything else makes it untracked: evaluated on every render. That is a local variable, a
//! method call on `self` or `self` passed whole, a closure, a `format!` string that captures
//! names (`"{local}"`, `"{:width$}"`), a call of a function (`now()`, `helper(self.a)`,
//! `Instant::now()`) or of a value (`(self.callback)()`), any other macro, a `static` or
//! `const` (an all-uppercase name or last segment: `COUNTER`, `crate::X`, `i32::MAX`), a
//! lowercase path that is not called (a function item, a lowercase static), and a method that
//! reads something besides its receiver's value (a clock, a lock, a cell, an atomic:
//! [`AMBIENT_METHODS`]). That is conservative: a wrong "tracked" would show stale markup, a
//! wrong "untracked" only costs time.
//!
//! What a tracked dynamic still assumes: a field's value changes only through its `Assign`
//! (`DerefMut`, `set`), and the methods, `Deref`, `Index` and `Display` of a value depend only
//! on that value and their arguments.

use std::collections::BTreeSet;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

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

/// Macros (by name, bare or under `std`/`core`/`alloc`) whose expansion reads only what their
/// arguments name, or compile-time constants. Any other macro may read anything.
const PURE_MACROS: &[&str] = &[
    "cfg",
    "column",
    "concat",
    "env",
    "file",
    "format",
    "format_args",
    "include_bytes",
    "include_str",
    "line",
    "matches",
    "module_path",
    "option_env",
    "stringify",
    "vec",
];

/// Methods whose result depends on more than their receiver's value: the clock, locks, cells,
/// atomics and channels (interior mutability a field's `Assign` does not see), weak
/// references. A call of one of these on a field leaves the dynamic untracked.
const AMBIENT_METHODS: &[&str] = &[
    "borrow",
    "borrow_mut",
    "compare_exchange",
    "compare_exchange_weak",
    "elapsed",
    "load",
    "lock",
    "now",
    "read",
    "recv",
    "recv_timeout",
    "set",
    "strong_count",
    "swap",
    "try_borrow",
    "try_borrow_mut",
    "try_lock",
    "try_read",
    "try_recv",
    "try_write",
    "upgrade",
    "weak_count",
    "write",
];

/// Paths a pure macro may be named under.
const STD_CRATES: &[&str] = &["std", "core", "alloc"];

fn scan(tokens: TokenStream, allowed: &BTreeSet<String>, deps: &mut Deps) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut scanner = Scanner { tokens: &tokens, allowed, deps };
    let mut i = 0;
    while i < tokens.len() {
        i = scanner.token(i);
    }
}

/// One token stream (one level of groups) being scanned.
struct Scanner<'a> {
    tokens: &'a [TokenTree],
    allowed: &'a BTreeSet<String>,
    deps: &'a mut Deps,
}

impl Scanner<'_> {
    fn untracked(&mut self) {
        self.deps.tracked = false;
    }

    fn punct(&self, i: usize, c: char) -> bool {
        matches!(self.tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c)
    }

    fn path_sep(&self, i: usize) -> bool {
        self.punct(i, ':') && self.punct(i + 1, ':')
    }

    fn group(&self, i: usize, delimiter: Delimiter) -> bool {
        matches!(self.tokens.get(i), Some(TokenTree::Group(g)) if g.delimiter() == delimiter)
    }

    fn ident(&self, i: usize) -> Option<String> {
        match self.tokens.get(i) {
            Some(TokenTree::Ident(ident)) => Some(ident.to_string()),
            _ => None,
        }
    }

    /// Whether token `i` is the `.` of a member access (`a.b`), not the end of a `..` range.
    fn member_dot(&self, i: usize) -> bool {
        self.punct(i, '.')
            && !matches!(i.checked_sub(1).and_then(|j| self.tokens.get(j)),
                Some(TokenTree::Punct(p)) if p.as_char() == '.' && p.spacing() == Spacing::Joint)
    }

    /// Whether the token before `i` ends an operand, so that a `|` at `i` is an operator (`a |
    /// b`, `a || b`, a pattern alternative) rather than the start of a closure.
    fn after_operand(&self, i: usize) -> bool {
        match i.checked_sub(1).and_then(|j| self.tokens.get(j)) {
            Some(TokenTree::Literal(_) | TokenTree::Group(_)) => true,
            Some(TokenTree::Ident(ident)) => {
                let name = ident.to_string();
                !KEYWORDS.contains(&name.as_str()) || name == "true" || name == "false"
            }
            Some(TokenTree::Punct(p)) => p.as_char() == '?',
            None => false,
        }
    }

    /// Skips `<...>` starting at `i` (generic arguments: types and constants, nothing read at
    /// run time); returns the index after the closing `>`.
    fn skip_generics(&self, mut i: usize) -> usize {
        let mut depth = 0usize;
        while let Some(token) = self.tokens.get(i) {
            i += 1;
            if let TokenTree::Punct(p) = token {
                match p.as_char() {
                    '<' => depth += 1,
                    '>' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        i
    }

    /// Skips the type of a cast (`as u64`, `as &str`, `as crate::Id`) starting at `i`.
    fn skip_type(&self, mut i: usize) -> usize {
        while self.punct(i, '&') || self.punct(i, '*') || matches!(self.ident(i).as_deref(), Some("mut" | "const")) {
            i += 1;
        }
        if self.ident(i).is_none() {
            return i;
        }
        i += 1;
        loop {
            if self.path_sep(i) && self.ident(i + 2).is_some() {
                i += 3;
            } else if self.path_sep(i) && self.punct(i + 2, '<') {
                i = self.skip_generics(i + 2);
            } else if self.punct(i, '<') {
                i = self.skip_generics(i);
            } else {
                return i;
            }
        }
    }

    /// Scans the token at `i`; returns the index of the next one to scan.
    fn token(&mut self, i: usize) -> usize {
        let tokens = self.tokens;
        let Some(token) = tokens.get(i) else {
            return i + 1;
        };
        match token {
            TokenTree::Group(group) => {
                scan(group.stream(), self.allowed, self.deps);
                // `(self.callback)(x)`, `self.handlers[0](x)`: a call of a value.
                let after_value = i
                    .checked_sub(1)
                    .is_some_and(|j| self.group(j, Delimiter::Parenthesis) || self.group(j, Delimiter::Bracket));
                if group.delimiter() == Delimiter::Parenthesis && after_value {
                    self.untracked();
                }
                i + 1
            }
            TokenTree::Punct(p) if p.as_char() == '|' => {
                if !self.after_operand(i) {
                    // A closure: its parameters are unknown bindings.
                    self.untracked();
                    return i + 1;
                }
                if p.spacing() == Spacing::Joint && self.punct(i + 1, '|') { i + 2 } else { i + 1 }
            }
            TokenTree::Punct(_) => i + 1,
            TokenTree::Literal(literal) => {
                // `format!("{name}")` reads `name` without naming it as a token.
                if reads_names(&literal.to_string()) {
                    self.untracked();
                }
                i + 1
            }
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                if i > 0 && self.member_dot(i - 1) {
                    return self.member(&name, i);
                }
                match name.as_str() {
                    "self" if !self.path_sep(i + 1) => self.self_access(i),
                    "true" | "false" | "_" => i + 1,
                    "as" => self.skip_type(i + 1),
                    "crate" | "super" | "self" | "Self" => self.path(i),
                    keyword if KEYWORDS.contains(&keyword) => i + 1,
                    _ => self.path(i),
                }
            }
        }
    }

    /// `self.<field>`: a tracked read; `self.method()` and `self` alone are not.
    fn self_access(&mut self, i: usize) -> usize {
        let field = if self.member_dot(i + 1) { self.ident(i + 2) } else { None };
        let called = self.group(i + 3, Delimiter::Parenthesis) || (self.path_sep(i + 3) && self.punct(i + 5, '<'));
        match field {
            Some(field) if !called => {
                self.deps.fields.insert(field);
            }
            _ => self.untracked(),
        }
        i + 1
    }

    /// A field or method name after a member `.` at `i - 1`.
    fn member(&mut self, name: &str, i: usize) -> usize {
        let mut next = i + 1;
        if self.path_sep(next) && self.punct(next + 2, '<') {
            next = self.skip_generics(next + 2);
        }
        if self.group(next, Delimiter::Parenthesis) && (AMBIENT_METHODS.contains(&name) || name.starts_with("fetch_")) {
            self.untracked();
        }
        next
    }

    /// A path starting at `i` (`x`, `a::b::C`, `::std::format`, `Vec::<u8>::new`): a binding,
    /// a constructor, a function, a macro, a static or a constant.
    fn path(&mut self, i: usize) -> usize {
        let mut segments = Vec::new();
        let mut next = i;
        if let Some(first) = self.ident(next) {
            segments.push(first);
            next += 1;
        }
        loop {
            if self.path_sep(next) && self.punct(next + 2, '<') {
                next = self.skip_generics(next + 2);
            } else if let (true, Some(segment)) = (self.path_sep(next), self.ident(next + 2)) {
                segments.push(segment);
                next += 3;
            } else {
                break;
            }
        }
        let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
            self.untracked();
            return next.max(i + 1);
        };
        let is_macro = self.punct(next, '!')
            && (self.group(next + 1, Delimiter::Parenthesis)
                || self.group(next + 1, Delimiter::Bracket)
                || self.group(next + 1, Delimiter::Brace));
        if is_macro {
            let std = segments.len() == 1 || STD_CRATES.contains(&first.as_str());
            if !(std && PURE_MACROS.contains(&last.as_str())) {
                self.untracked();
            }
            // The arguments are scanned like any group.
            return next + 1;
        }
        let pure = if self.group(next, Delimiter::Parenthesis) {
            // A tuple struct or variant builds a value from its arguments; a function may
            // read anything.
            is_type_like(last)
        } else if segments.len() == 1 {
            self.allowed.contains(last) || is_type_like(last)
        } else {
            // A unit variant or struct; not a constant, a static or a function item.
            is_type_like(last)
        };
        if !pure {
            self.untracked();
        }
        next
    }
}

/// `Some`, `Ordering`, `Self`: a type, variant or tuple-struct name by Rust's conventions, not
/// an all-uppercase constant or static (`COUNTER`, `X`) nor a function.
fn is_type_like(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().any(|c| c.is_ascii_lowercase())
}

/// Whether a string literal, used as a format string, names variables: inline (`"{count}"`,
/// `"{x:?}"`) or as a width or precision (`"{:w$}"`, `"{:.p$}"`). Other literals read nothing.
fn reads_names(literal: &str) -> bool {
    let body = match literal.strip_prefix('r') {
        Some(raw) => raw.trim_start_matches('#'),
        None => literal,
    };
    if !body.starts_with('"') {
        return false;
    }
    let bytes = body.as_bytes();
    let inline = bytes.windows(2).any(|w| w[0] == b'{' && (w[1].is_ascii_alphabetic() || w[1] == b'_'));
    let named_count = bytes.iter().enumerate().filter(|(_, b)| **b == b'$').any(|(end, _)| {
        let word = &bytes[..end];
        let start = word.iter().rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_')).map_or(0, |p| p + 1);
        word.get(start).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    });
    inline || named_count
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

    /// Values the macro cannot see into: calls, statics and constants, other macros.
    #[test]
    fn calls_statics_and_unknown_macros_are_untracked() {
        // Free and path function calls, even with tracked arguments.
        check(quote!(now()), &[], false);
        check(quote!(badge(&self.name)), &["name"], false);
        check(quote!(std::cmp::max(self.a, 3)), &["a"], false);
        check(quote!(clock::now()), &[], false);
        check(quote!(Instant::now()), &[], false);
        check(quote!(::std::time::SystemTime::now()), &[], false);
        check(quote!(Vec::<u8>::new()), &[], false);
        check(quote!(Self::helper(&self.a)), &["a"], false);
        check(quote!(item.name.len() + now()), &[], false);
        // Calling a value.
        check(quote!((self.callback)(1)), &["callback"], false);
        check(quote!(self.handlers[0](1)), &["handlers"], false);
        // Statics and constants (all uppercase), and lowercase paths that are not called.
        check(quote!(COUNTER.load(Ordering::Relaxed)), &[], false);
        check(quote!(crate::X), &[], false);
        check(quote!(crate::state::COUNTER.load(Ordering::SeqCst)), &[], false);
        check(quote!(*self.count + OFFSET), &["count"], false);
        check(quote!(i32::MAX), &[], false);
        check(quote!(Self::LIMIT), &[], false);
        check(quote!(<u8 as Default>::MAX), &[], false);
        check(quote!(self.items.iter().map(Item::name)), &["items"], false);
        check(quote!(module::value), &[], false);
        // Macros other than the pure std ones.
        check(quote!(now!()), &[], false);
        check(quote!(my_format!("{}", self.a)), &["a"], false);
        check(quote!(html! { <em>"on"</em> }), &[], false);
        check(quote!(other::format!("{}", self.a)), &["a"], false);
        // Methods that read a clock, a lock, a cell or an atomic.
        check(quote!(self.started.elapsed().as_secs()), &["started"], false);
        check(quote!(self.hits.load(Ordering::Relaxed)), &["hits"], false);
        check(quote!(self.shared.borrow().len()), &["shared"], false);
        check(quote!(self.shared.lock().map(|v| v.len())), &["shared"], false);
        check(quote!(item.hits.fetch_add(1, Ordering::Relaxed)), &[], false);
        // Format strings that name variables as widths or precisions, raw ones included.
        check(quote!(format!("{:w$}", self.a)), &["a"], false);
        check(quote!(format!("{:.prec$}", self.a)), &["a"], false);
        check(quote!(format!(r"{local}")), &[], false);
        check(quote!(format!(r#"{local}"#)), &[], false);
        // Any literal that looks like a format string naming a variable (conservative).
        check(quote!("{not a format string}" == "x"), &[], false);
        // `self` behind a range is still read (not a member access).
        check(quote!(0..self.n), &["n"], true);
        check(quote!(0..local), &[], false);
        check(quote!(self.a..=local), &["a"], false);
        // A closure after an operator, or as an argument.
        check(quote!(self.a.then(|| 1)), &["a"], false);
        check(quote!(self.a == 1 || (|| true)()), &["a"], false);
    }

    /// What stays tracked: reads of fields and bindings through operators, casts, methods,
    /// constructors, variants and the pure std macros.
    #[test]
    fn pure_reads_of_tracked_values_stay_tracked() {
        check(quote!(self.items.len()), &["items"], true);
        check(quote!(self.items.is_empty()), &["items"], true);
        check(quote!(self.name.split(' ')), &["name"], true);
        check(quote!(self.items.iter().count()), &["items"], true);
        check(quote!(self.xs.iter().sum::<i32>()), &["xs"], true);
        check(quote!(self.name.replace(' ', "-")), &["name"], true);
        check(quote!(self.items.iter().take(3)), &["items"], true);
        check(quote!(self.error.as_deref()), &["error"], true);
        check(quote!(item.done.then_some("done")), &[], true);
        check(quote!(self.items.get(*self.index)), &["index", "items"], true);
        check(quote!(self.items[*self.index].name.clone()), &["index", "items"], true);
        check(quote!(*self.a || *self.b), &["a", "b"], true);
        check(quote!(*self.a | *self.b), &["a", "b"], true);
        check(quote!(!*self.on && item.visible), &["on"], true);
        check(quote!(*self.count as f64 / 2.0), &["count"], true);
        check(quote!(*self.count as usize + 1), &["count"], true);
        check(
            quote!(match *self.state {
                State::On | State::Idle => "on",
                _ => "off",
            }),
            &["state"],
            true,
        );
        check(quote!(matches!(*self.state, State::On)), &["state"], true);
        check(quote!(std::format!("{}-{}", self.a, item.id)), &["a"], true);
        check(quote!(vec![self.a, self.b]), &["a", "b"], true);
        check(quote!(concat!("a", "b")), &[], true);
        check(quote!(Ok::<_, ()>(self.a)), &["a"], true);
        check(quote!(Ordering::Less), &[], true);
        check(quote!(None), &[], true);
        check(quote!(Self::Variant(self.a)), &["a"], true);
        check(quote!("price: 5$"), &[], true);
        check(quote!(format!("{0:1$}", self.a, 4)), &["a"], true);
    }
}
