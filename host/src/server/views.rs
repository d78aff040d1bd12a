//! The views this server serves: the registry's plugins, each session in a wasmtime instance
//! from the pool. The socket and the dead render share it.

use std::sync::Arc;

use crate::registry::Registry;
use crate::runtime::{GuestView, Owner, Residency, Runtime};
use crate::session::{Route, SessionError, Views};

/// The registry's views, run by the runtime.
#[derive(Debug, Clone)]
pub struct GuestViews {
    pub runtime: Runtime,
    pub registry: Arc<Registry>,
}

impl Views for GuestViews {
    type View = GuestView;

    fn route(&self, url: &str) -> Option<Route> {
        self.registry.route(url).map(|destination| Route {
            view: destination.view,
            live_session: destination.live_session,
            path_params: destination.path_params,
        })
    }

    async fn instantiate(&self, name: &str, owner: Option<&Arc<Owner>>) -> Result<GuestView, SessionError> {
        // A view removed since the session joined (or hibernated) is gone for it.
        let served = self.registry.get(name).ok_or_else(|| SessionError::Gone(name.to_owned()))?;
        Ok(GuestView::instantiate_for(&self.runtime, &served.plugin, owner).await?)
    }

    fn reside(&self, owner: &Arc<Owner>) -> Option<Residency> {
        Some(self.runtime.reside(owner))
    }

    fn hub(&self) -> &Arc<crate::pubsub::Hub> {
        self.runtime.hub()
    }

    fn generation(&self, name: &str) -> Option<u64> {
        self.registry.generation(name)
    }

    fn moved(&self, name: &str, generation: u64, how: crate::registry::Moved) {
        self.registry.moved(name, generation, how);
    }

    fn code_changes(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        Some(self.registry.code_changes())
    }
}
