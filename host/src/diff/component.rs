//! Stateful components of one view: guest ids mapped to wire cids, the tree the client holds
//! for each, and the destroy handshake (protocol reference §4.7, §5.7).

use std::collections::{BTreeMap, HashMap};

use super::tree::{ComponentTrees, Tree};

/// One component as the host tracks it.
#[derive(Debug)]
pub(super) struct ComponentState {
    /// The guest's id for it.
    pub gid: u32,
    /// Its current tree (`None` until first rendered).
    pub tree: Option<Tree>,
    /// Whether the client holds `tree`; false for a new component and after the client reset
    /// its component cache (a root replacement).
    pub on_client: bool,
    /// The client announced it is about to destroy it (`cids_will_destroy`).
    pub marked: bool,
}

impl ComponentState {
    /// The fingerprint of its root template if it may lend its statics to a new component:
    /// the client holds its current tree and is not about to destroy it.
    fn lendable(&self) -> Option<u64> {
        match &self.tree {
            Some(tree) if self.on_client && !self.marked => Some(tree.template.fingerprint),
            _ => None,
        }
    }
}

/// The components of one view.
#[derive(Debug, Default)]
pub(super) struct Components {
    by_gid: HashMap<u32, u32>,
    states: BTreeMap<u32, ComponentState>,
    last_cid: u32,
    /// Components a reference un-marked since [`Components::lenders`] (they may lend again).
    unmarked: Vec<u32>,
}

/// The components that may lend their statics to a new one with the same root template
/// (`"s": ±cid`) during one render, by root template fingerprint; the highest cid when several
/// may. Built once per render ([`Components::lenders`]) and grown as the render goes
/// ([`Components::lend`], [`Components::lend_unmarked`]), so that finding the lender of each
/// new component costs one lookup, not a walk over every component.
#[derive(Debug, Default)]
pub(super) struct Lenders {
    by_fingerprint: HashMap<u64, u32>,
}

impl Lenders {
    /// The component that lends to a new one whose root template has `fingerprint`.
    pub fn get(&self, fingerprint: u64) -> Option<u32> {
        self.by_fingerprint.get(&fingerprint).copied()
    }

    fn offer(&mut self, fingerprint: u64, cid: u32) {
        let lender = self.by_fingerprint.entry(fingerprint).or_insert(cid);
        *lender = (*lender).max(cid);
    }
}

impl Components {
    /// The cid of guest component `gid`, allocating one (never reused) for a new component.
    /// A reference to a component cancels a pending destroy.
    pub fn cid_for(&mut self, gid: u32) -> u32 {
        let cid = match self.by_gid.get(&gid) {
            Some(&cid) => cid,
            None => {
                self.last_cid += 1;
                let cid = self.last_cid;
                self.by_gid.insert(gid, cid);
                self.states.insert(cid, ComponentState { gid, tree: None, on_client: false, marked: false });
                cid
            }
        };
        if let Some(state) = self.states.get_mut(&cid)
            && std::mem::take(&mut state.marked)
        {
            self.unmarked.push(cid);
        }
        cid
    }

    pub fn state(&self, cid: u32) -> Option<&ComponentState> {
        self.states.get(&cid)
    }

    pub fn state_mut(&mut self, cid: u32) -> Option<&mut ComponentState> {
        self.states.get_mut(&cid)
    }

    pub fn cid_of(&self, gid: u32) -> Option<u32> {
        self.by_gid.get(&gid).copied()
    }

    /// The guest id behind a cid the client sent.
    pub fn gid_of(&self, cid: u32) -> Option<u32> {
        self.states.get(&cid).map(|s| s.gid)
    }

    /// The client replaced the whole tree and dropped its component cache.
    pub fn forget_client(&mut self) {
        for state in self.states.values_mut() {
            state.on_client = false;
        }
    }

    /// Components the client no longer has and that nothing re-sent: removed. Returns their
    /// guest ids.
    pub fn drop_unsent(&mut self) -> Vec<u32> {
        let gone: Vec<u32> = self.states.iter().filter(|(_, s)| !s.on_client).map(|(&cid, _)| cid).collect();
        gone.into_iter().filter_map(|cid| self.remove(cid)).collect()
    }

    /// `cids_will_destroy`.
    pub fn mark(&mut self, cids: &[u32]) {
        for cid in cids {
            if let Some(state) = self.states.get_mut(cid) {
                state.marked = true;
            }
        }
    }

    /// `cids_destroyed`: removes the components still marked. Returns the removed cids (the
    /// reply) and their guest ids (for the view).
    pub fn destroy(&mut self, cids: &[u32]) -> (Vec<u32>, Vec<u32>) {
        let mut removed = Vec::new();
        let mut gids = Vec::new();
        for &cid in cids {
            if self.states.get(&cid).is_some_and(|s| s.marked)
                && let Some(gid) = self.remove(cid)
            {
                removed.push(cid);
                gids.push(gid);
            }
        }
        (removed, gids)
    }

    fn remove(&mut self, cid: u32) -> Option<u32> {
        let state = self.states.remove(&cid)?;
        self.by_gid.remove(&state.gid);
        Some(state.gid)
    }

    /// The components that may lend their statics to new ones now, leaving out `excluded`
    /// (those the guest re-renders in this render: each lends once done, through
    /// [`Components::lend`]).
    pub fn lenders(&mut self, excluded: impl Fn(u32) -> bool) -> Lenders {
        self.unmarked.clear();
        let mut lenders = Lenders::default();
        for (&cid, state) in &self.states {
            if let Some(fingerprint) = state.lendable().filter(|_| !excluded(cid)) {
                lenders.offer(fingerprint, cid);
            }
        }
        lenders
    }

    /// Component `cid` may lend from now on if it can (after it was rendered).
    pub fn lend(&self, lenders: &mut Lenders, cid: u32) {
        if let Some(fingerprint) = self.states.get(&cid).and_then(ComponentState::lendable) {
            lenders.offer(fingerprint, cid);
        }
    }

    /// The components a reference un-marked since the last call may lend from now on, but
    /// for `excluded`.
    pub fn lend_unmarked(&mut self, lenders: &mut Lenders, excluded: impl Fn(u32) -> bool) {
        for cid in std::mem::take(&mut self.unmarked) {
            if !excluded(cid) {
                self.lend(lenders, cid);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.states.len()
    }
}

impl ComponentTrees for Components {
    fn tree(&self, cid: u32) -> Option<&Tree> {
        self.states.get(&cid).and_then(|s| s.tree.as_ref())
    }
}
