//! What the session layer needs from the views it serves: where a URL leads, fresh instances,
//! and a place in the instance pool. The server implements it over the registry and wasmtime
//! (`server::GuestViews`); tests implement it over plain Rust views.

use std::future::Future;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::SessionError;
use super::live::Routes;
use crate::pubsub::Hub;
use crate::runtime::{Owner, Residency, View};

/// Where a URL leads.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The view's name.
    pub view: String,
    /// Its live session.
    pub live_session: Arc<str>,
    /// The route's path parameters.
    pub path_params: Map<String, Value>,
}

/// The views a socket serves.
pub trait Views: Send + Sync + 'static {
    type View: View + 'static;

    /// The view `url` (absolute, or a path) routes to.
    fn route(&self, url: &str) -> Option<Route>;

    /// A fresh instance of view `name`, for a session of `owner` (the dead render has none).
    fn instantiate(
        &self,
        name: &str,
        owner: Option<&Arc<Owner>>,
    ) -> impl Future<Output = Result<Self::View, SessionError>> + Send;

    /// Registers an awake session of `owner` with the instance pool, which may then ask for
    /// its instance back; `None` when instances are not pooled.
    fn reside(&self, owner: &Arc<Owner>) -> Option<Residency>;

    /// The topics and presences the sessions share.
    fn hub(&self) -> &Arc<Hub>;

    /// The version of view `name` served now (it changes when the view's code is swapped);
    /// `None` once the view is not served. Views that never change answer `Some(0)`.
    fn generation(&self, name: &str) -> Option<u64> {
        let _ = name;
        Some(0)
    }

    /// Counts how one session of view `name` moved to its code's `generation`.
    fn moved(&self, name: &str, generation: u64, how: crate::registry::Moved) {
        let _ = (name, generation, how);
    }

    /// Changes whenever some view's code changes or a view goes away; `None` when views
    /// never change.
    fn code_changes(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }
}

/// The URLs of one view: those `views` routes to it.
#[derive(Debug)]
pub struct ViewRoutes<'a, F> {
    pub views: &'a F,
    pub view: &'a str,
}

impl<F: Views> Routes for ViewRoutes<'_, F> {
    fn params_for(&self, url: &str) -> Option<Map<String, Value>> {
        self.views.route(url).filter(|route| route.view == self.view).map(|route| route.path_params)
    }
}
