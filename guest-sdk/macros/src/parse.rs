//! The template syntax: HTML elements, string literals for text, `{expr}` for dynamics.
//!
//! ```text
//! markup    := node*
//! node      := element | "text" | { expr }
//! element   := < name attr* /> | < name attr* > markup </ name >      (void elements need no end tag)
//! attr      := name | name = "value" | name = { expr }
//!            | :if = { expr } | :for = { pattern in expr } | :key = { expr }
//! ```

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Pat, Token, braced};

/// Elements that have no end tag.
pub const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

pub struct Markup {
    pub nodes: Vec<Node>,
}

pub enum Node {
    Element(Box<Element>),
    Text(LitStr),
    Block(Expr),
}

pub struct Element {
    pub name: String,
    pub name_span: Span,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
    pub void: bool,
    /// `:if={cond}`.
    pub condition: Option<Expr>,
    /// `:for={pattern in iterable}`.
    pub each: Option<ForLoop>,
    /// `:key={expr}`.
    pub key: Option<Expr>,
}

pub struct ForLoop {
    pub pattern: Pat,
    pub iterable: Expr,
}

pub struct Attr {
    pub name: String,
    pub value: AttrValue,
}

pub enum AttrValue {
    /// A bare attribute: `disabled`.
    Bare,
    Literal(LitStr),
    Dynamic(Expr),
}

impl Parse for Markup {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let nodes = parse_nodes(input, None)?;
        Ok(Markup { nodes })
    }
}

/// Nodes up to the end of input, or up to `</` when inside an element.
fn parse_nodes(input: ParseStream<'_>, inside: Option<&str>) -> syn::Result<Vec<Node>> {
    let mut nodes = Vec::new();
    loop {
        if input.is_empty() {
            if let Some(name) = inside {
                return Err(input.error(format!("`<{name}>` is not closed: expected `</{name}>`")));
            }
            return Ok(nodes);
        }
        if input.peek(Token![<]) && input.peek2(Token![/]) {
            if inside.is_none() {
                return Err(input.error("closing tag without an opening tag"));
            }
            return Ok(nodes);
        }
        nodes.push(input.parse()?);
    }
}

impl Parse for Node {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Token![<]) {
            return input.parse().map(|e| Node::Element(Box::new(e)));
        }
        if input.peek(LitStr) {
            return input.parse().map(Node::Text);
        }
        if input.peek(syn::token::Brace) {
            let content;
            braced!(content in input);
            if content.is_empty() {
                return Err(content.error("empty `{}`: put an expression inside"));
            }
            return content.parse().map(Node::Block);
        }
        Err(input.error("expected an element `<tag>`, a string literal for text, or an `{expression}`"))
    }
}

/// `name` or `name-with-dashes` (keywords allowed: `type`, `for`, ...).
fn parse_name(input: ParseStream<'_>) -> syn::Result<(String, Span)> {
    let first = Ident::parse_any(input)?;
    let span = first.span();
    let mut name = first.to_string();
    while input.peek(Token![-]) {
        input.parse::<Token![-]>()?;
        name.push('-');
        name.push_str(&Ident::parse_any(input)?.to_string());
    }
    Ok((name, span))
}

impl Parse for Element {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        input.parse::<Token![<]>()?;
        let (name, name_span) = parse_name(input)?;
        let mut element = Element {
            void: VOID.contains(&name.to_ascii_lowercase().as_str()),
            name,
            name_span,
            attrs: Vec::new(),
            children: Vec::new(),
            condition: None,
            each: None,
            key: None,
        };
        loop {
            if input.peek(Token![/]) && input.peek2(Token![>]) {
                input.parse::<Token![/]>()?;
                input.parse::<Token![>]>()?;
                return element.finish();
            }
            if input.peek(Token![>]) {
                input.parse::<Token![>]>()?;
                break;
            }
            if input.peek(Token![:]) {
                element.parse_special(input)?;
                continue;
            }
            if input.is_empty() {
                return Err(syn::Error::new(name_span, format!("`<{}` is not finished: expected `>`", element.name)));
            }
            element.attrs.push(input.parse()?);
        }
        if element.void {
            return element.finish();
        }
        element.children = parse_nodes(input, Some(&element.name))?;
        input.parse::<Token![<]>()?;
        input.parse::<Token![/]>()?;
        let (closing, closing_span) = parse_name(input)?;
        if closing != element.name {
            return Err(syn::Error::new(
                closing_span,
                format!("mismatched closing tag: expected `</{}>`, found `</{closing}>`", element.name),
            ));
        }
        input.parse::<Token![>]>()?;
        element.finish()
    }
}

impl Element {
    /// `:if`, `:for`, `:key`.
    fn parse_special(&mut self, input: ParseStream<'_>) -> syn::Result<()> {
        let colon = input.parse::<Token![:]>()?;
        let name = Ident::parse_any(input)?;
        input
            .parse::<Token![=]>()
            .map_err(|e| syn::Error::new(e.span(), format!("`:{name}` needs a value: `:{name}={{...}}`")))?;
        let content;
        braced!(content in input);
        match name.to_string().as_str() {
            "if" => self.condition = Some(content.parse()?),
            "key" => self.key = Some(content.parse()?),
            "for" => {
                let pattern = Pat::parse_single(&content)?;
                content.parse::<Token![in]>()?;
                let iterable = content.parse()?;
                self.each = Some(ForLoop { pattern, iterable });
            }
            other => {
                let span = colon.span.join(name.span()).unwrap_or(name.span());
                return Err(syn::Error::new(
                    span,
                    format!("unknown special attribute `:{other}`; expected `:if`, `:for` or `:key`"),
                ));
            }
        }
        if !content.is_empty() {
            return Err(content.error("unexpected tokens after the expression"));
        }
        Ok(())
    }

    fn finish(self) -> syn::Result<Self> {
        if let (Some(key), None) = (&self.key, &self.each) {
            return Err(syn::Error::new(key.span(), "`:key` only makes sense together with `:for`"));
        }
        // The client finds hooked and stream/append/ignore containers by id.
        let has_id = self.attrs.iter().any(|a| a.name == "id");
        if let Some(attr) = self.attrs.iter().find(|a| a.name == "phx-hook" || a.name == "phx-update")
            && !has_id
        {
            return Err(syn::Error::new(
                self.name_span,
                format!("`<{}>` has `{}` but no `id`: the LiveView client needs one", self.name, attr.name),
            ));
        }
        Ok(self)
    }
}

impl Parse for Attr {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let (name, span) = parse_name(input).map_err(|e| syn::Error::new(e.span(), "expected an attribute name"))?;
        if !input.peek(Token![=]) {
            return Ok(Attr { name, value: AttrValue::Bare });
        }
        input.parse::<Token![=]>()?;
        let value = if input.peek(LitStr) {
            AttrValue::Literal(input.parse()?)
        } else if input.peek(syn::token::Brace) {
            let content;
            braced!(content in input);
            AttrValue::Dynamic(content.parse()?)
        } else {
            return Err(syn::Error::new(
                span,
                format!("the value of `{name}` must be a string literal or an `{{expression}}`"),
            ));
        };
        Ok(Attr { name, value })
    }
}
