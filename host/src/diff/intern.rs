//! Templates shared by every session of the process. A view's templates are the same for all
//! of its sessions, so each distinct template (by content) is kept once, not once per session:
//! an idle session's tree then costs its dynamics, not another copy of the page's markup.
//!
//! Entries are weak: a template no session holds any more is dropped with its last tree, and
//! dead entries are swept whenever the table has doubled since the last sweep.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, Weak};

use super::tree::KnownTemplate;

struct Table {
    /// By fingerprint; a bucket holds several templates only on a fingerprint collision.
    templates: HashMap<u64, Vec<Weak<KnownTemplate>>>,
    entries: usize,
    sweep_at: usize,
}

static TABLE: LazyLock<Mutex<Table>> =
    LazyLock::new(|| Mutex::new(Table { templates: HashMap::new(), entries: 0, sweep_at: 1024 }));

/// The shared template with these statics.
pub(super) fn intern(statics: Vec<String>) -> Arc<KnownTemplate> {
    let fingerprint = KnownTemplate::fingerprint_of(&statics);
    // Every operation below leaves the table consistent, so a poisoned lock is still usable.
    let mut table = TABLE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let bucket = table.templates.entry(fingerprint).or_default();
    if let Some(known) = bucket.iter().filter_map(Weak::upgrade).find(|t| t.statics == statics) {
        return known;
    }
    let template = Arc::new(KnownTemplate::with_fingerprint(statics, fingerprint));
    bucket.retain(|t| t.strong_count() > 0);
    bucket.push(Arc::downgrade(&template));
    table.entries += 1;
    if table.entries >= table.sweep_at {
        table.templates.retain(|_, bucket| {
            bucket.retain(|t| t.strong_count() > 0);
            !bucket.is_empty()
        });
        table.entries = table.templates.values().map(Vec::len).sum();
        table.sweep_at = (table.entries * 2).max(1024);
    }
    template
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_statics_share_one_template_while_anyone_holds_it() {
        let statics = || vec!["<p id=\"intern-test\">".to_owned(), "</p>".to_owned()];
        let a = intern(statics());
        let b = intern(statics());
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &intern(vec!["<p id=\"other\">".into(), "</p>".into()])));
        let weak = Arc::downgrade(&a);
        drop((a, b));
        assert!(weak.upgrade().is_none(), "the table holds templates weakly");
        assert_eq!(intern(statics()).statics, statics());
    }
}
