//! The realtime endpoint's calls into the AppSync service: connect and `start` authorization,
//! `stop`, the connection registry, and what the socket task needs to know (keep-alive
//! interval, `connectionTimeoutMs`).

use std::time::Duration;

use http::header;
use serde_json::Value;
use tokio::sync::mpsc;

use super::Backend;
use super::routing::query_param;
use crate::appsync::realtime::{self, Outgoing};

impl Backend {
    /// Checks a WebSocket upgrade's connect-time authorization (the `header-<base64url>`
    /// subprotocol or the `header=` query parameter).
    ///
    /// # Errors
    ///
    /// The `errors` of the `connection_error` frame to answer `connection_init` with.
    pub(crate) fn realtime_connect(&self, parts: &http::request::Parts) -> Result<(), Value> {
        let protocols = offered_protocols(parts);
        let header_param = parts
            .uri
            .query()
            .and_then(|query| query_param(query, "header"));
        let headers = realtime::connect_headers(&protocols, header_param.as_deref());
        self.with_context(|ctx| {
            realtime::connect(
                &self.inner.appsync,
                ctx,
                &self.inner.store,
                headers.as_ref(),
            )
        })
    }

    /// A `start` on `connection`.
    ///
    /// # Errors
    ///
    /// The `errors` of the `error` frame.
    pub(crate) fn realtime_start(
        &self,
        connection: u64,
        id: &str,
        payload: &Value,
    ) -> Result<(), Value> {
        self.with_context(|ctx| {
            realtime::start(
                &self.inner.appsync,
                ctx,
                &self.inner.store,
                connection,
                id,
                payload,
            )
        })
    }

    /// A `stop` on `connection`.
    pub(crate) fn realtime_stop(&self, connection: u64, id: &str) -> bool {
        self.inner.appsync.realtime.stop(connection, id)
    }

    /// Registers a new realtime connection.
    pub(crate) fn realtime_register(&self) -> (u64, mpsc::UnboundedReceiver<Outgoing>) {
        self.inner.appsync.realtime.register()
    }

    /// Forgets a closed realtime connection.
    pub(crate) fn realtime_unregister(&self, connection: u64) {
        self.inner.appsync.realtime.unregister(connection);
    }

    /// The keep-alive interval and the `connectionTimeoutMs` of the GraphQL API.
    pub(crate) fn realtime_timing(&self) -> (Duration, Duration) {
        self.inner.appsync.graphql.as_ref().map_or(
            (
                realtime::DEFAULT_KEEP_ALIVE,
                realtime::DEFAULT_CONNECTION_TIMEOUT,
            ),
            |api| (api.keep_alive, api.connection_timeout),
        )
    }

    /// Open realtime (WebSocket) connections.
    pub fn realtime_connections(&self) -> usize {
        self.inner.appsync.realtime.connection_count()
    }

    /// Live subscriptions on all realtime connections.
    pub fn realtime_subscriptions(&self) -> usize {
        self.inner.appsync.realtime.subscription_count()
    }

    /// Drops every realtime connection at once, without a close frame, as a network failure
    /// would; returns how many were open.
    pub fn drop_realtime_connections(&self) -> usize {
        self.inner.appsync.realtime.drop_all()
    }
}

/// The subprotocols a WebSocket upgrade offers.
pub(crate) fn offered_protocols(parts: &http::request::Parts) -> Vec<&str> {
    parts
        .headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}
