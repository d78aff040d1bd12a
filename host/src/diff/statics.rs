//! Where a template's statics go on the wire: an index into the diff's shared `"p"` table, or
//! a literal array where no table is in scope (inside components, per Phoenix).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::tree::KnownTemplate;

/// The `"p"` table of one diff (or of one comprehension inside a component): each distinct
/// template travels once.
#[derive(Debug, Default)]
pub(super) struct TemplateTable {
    index: HashMap<u64, usize>,
    statics: Vec<Arc<KnownTemplate>>,
}

impl TemplateTable {
    /// The `"s"` value for a template: its index in this table.
    pub fn reference(&mut self, template: &Arc<KnownTemplate>) -> Value {
        let next = self.statics.len();
        let index = *self.index.entry(template.fingerprint).or_insert_with(|| {
            self.statics.push(Arc::clone(template));
            next
        });
        Value::from(index)
    }

    pub fn is_empty(&self) -> bool {
        self.statics.is_empty()
    }

    pub fn into_json(self) -> Value {
        let table: Map<String, Value> =
            self.statics.iter().enumerate().map(|(i, t)| (i.to_string(), Value::from(t.statics.clone()))).collect();
        Value::Object(table)
    }
}

/// The statics scope of the node being written.
#[derive(Debug, Default)]
pub(super) struct StaticsScope {
    table: Option<TemplateTable>,
}

impl StaticsScope {
    /// A scope that shares statics through a table (the view's tree).
    pub fn shared() -> Self {
        Self { table: Some(TemplateTable::default()) }
    }

    /// A scope without a table (a component's tree).
    pub fn literal() -> Self {
        Self { table: None }
    }

    /// The `"s"` value for `template` in this scope.
    pub fn reference(&mut self, template: &Arc<KnownTemplate>) -> Value {
        match &mut self.table {
            Some(table) => table.reference(template),
            None => Value::from(template.statics.clone()),
        }
    }

    /// Opens a table for a comprehension's items when none is in scope; returns what to give
    /// back to [`StaticsScope::close_local`].
    pub fn open_local(&mut self) -> Option<Option<TemplateTable>> {
        if self.table.is_some() {
            return None;
        }
        Some(self.table.replace(TemplateTable::default()))
    }

    /// Closes a table opened by [`StaticsScope::open_local`]; returns the comprehension's
    /// `"p"` when it holds anything.
    pub fn close_local(&mut self, opened: Option<Option<TemplateTable>>) -> Option<Value> {
        let saved = opened?;
        let local = std::mem::replace(&mut self.table, saved)?;
        (!local.is_empty()).then(|| local.into_json())
    }

    /// The finished table of a shared scope, when it holds anything.
    pub fn into_json(self) -> Option<Value> {
        self.table.filter(|t| !t.is_empty()).map(TemplateTable::into_json)
    }
}
