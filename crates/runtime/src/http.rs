//! The embedded backend's HTTP API: the template's routes (the shell both
//! backends serve, `wiring::http`) over the SQLite order store and the
//! archive's reports; a placement wakes the outbox relay.

use crate::services::Services;
use ::wiring::RouteSpec;
use ::wiring::http::{HttpLimits, TemplateApi, template_router};
use std::sync::Arc;
use tokio::sync::Notify;

/// The embedded runtime's API: its SQLite order store and archive.
#[derive(Clone)]
pub(crate) struct Api {
    pub routes: Arc<Vec<RouteSpec>>,
    pub services: Arc<Services>,
    pub relay: Arc<Notify>,
    pub limits: HttpLimits,
}

pub(crate) fn router(api: Api) -> axum::Router {
    template_router(TemplateApi {
        routes: api.routes.to_vec(),
        orders: api.services.orders.clone(),
        reports: reports::local::LocalSource {
            db: api.services.db.clone(),
        },
        placed: Some(api.relay),
        body_timeout: api.limits.body_timeout,
    })
}
