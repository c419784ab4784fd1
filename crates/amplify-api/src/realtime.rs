//! GraphQL subscriptions over AppSync's realtime WebSocket protocol.
//!
//! One connection per API, shared by every subscription to it; the last subscription to end
//! closes it. The connection is a task of its own ([`connection`]) that owns the socket and the
//! live subscriptions; subscription streams talk to it over a channel.
//!
//! # The wire protocol, exactly
//!
//! **URL** ([`auth::realtime_uri`]): `https://X.appsync-api.R.amazonaws.com/graphql` →
//! `wss://X.appsync-realtime-api.R.amazonaws.com/graphql`; any other `https` URL (a custom
//! domain) → `wss://<host><path>/realtime`; an `http` URL (the local emulator) →
//! `ws://<host><path>/realtime`, e.g. `http://127.0.0.1:PORT/graphql` →
//! `ws://127.0.0.1:PORT/graphql/realtime`. No query string.
//!
//! **Upgrade**: `Sec-WebSocket-Protocol: graphql-ws, header-<H>` where `H` is the unpadded
//! base64url of the JSON object of the connection's authorization headers (the server must
//! select `graphql-ws`). The headers are those of a canonical `POST <graphql url>/connect` with
//! body `{}`, authorized with the mode all the connection's subscriptions share (else the
//! API's default mode):
//!
//! ```text
//! {"accept":"application/json, text/javascript","content-encoding":"amz-1.0",
//!  "content-type":"application/json; charset=UTF-8","host":"<graphql host[:port]>",
//!  ...mode's headers}
//! ```
//!
//! where the mode adds `"x-api-key"` (API_KEY), `"Authorization": "<token>"` (user pools, OIDC,
//! Lambda), or for AWS_IAM SigV4 (service `appsync`) over those headers and the body `{}`:
//! `"x-amz-date"`, `"X-Amz-Security-Token"` (temporary credentials) and `"Authorization":
//! "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=accept;content-encoding;content-type;host;x-amz-date;x-amz-security-token, Signature=…"`.
//!
//! **Frames** (JSON text messages; client → server ⇒, server → client ⇐):
//!
//! ```text
//! ⇒ {"type":"connection_init"}
//! ⇐ {"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}   (no ack within the
//!                                      connect timeout: reconnect; absent/0 ms: 300000)
//! ⇐ {"type":"connection_error","payload":{"errors":[...]}}               (refused: reconnect once)
//! ⇐ {"type":"ka"}                       (none for connectionTimeoutMs: the socket is dropped
//!                                        and reconnected)
//! ⇒ {"id":"<id>","type":"start","payload":{"data":"<JSON text of {\"query\":…,\"variables\":…}>",
//!      "extensions":{"authorization":{…the subscription's mode's headers, as above but for a
//!      POST <graphql url> whose body is the data string, plus the caller's headers}}}}
//! ⇐ {"id":"<id>","type":"start_ack"}    (none within the start timeout: the subscription fails)
//! ⇐ {"id":"<id>","type":"data","payload":{"data":{…},"errors":[…]}}
//! ⇐ {"id":"<id>","type":"error","payload":{"errors":[…] or {…}}}  (an expiry error is retried
//!                                        once with fresh credentials; otherwise the
//!                                        subscription fails)
//! ⇐ {"type":"error","payload":{…}}      (no id: a connection error; reconnect)
//! ⇒ {"id":"<id>","type":"stop"}         (the stream was dropped)
//! ⇐ {"id":"<id>","type":"complete"}     (the stream ends)
//! ```
//!
//! A dropped socket or missed keep-alives reconnect with exponential backoff and jitter, and
//! every live subscription is started again (new `start`, same id). The Hub's API channel sees
//! `Connecting`, `Connected`, `ConnectionDisrupted`, `PendingDisconnect`, `Disconnected` and
//! `Failed`.

pub(crate) mod auth;
pub(crate) mod connection;
pub(crate) mod frame;
pub(crate) mod socket;

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::endpoint::PreparedEndpoint;
use crate::error::ApiError;
use crate::realtime::connection::{Command, Connection, Event, Spec};
use crate::request::Configured;
use crate::transport::SocketSettings;

/// How subscriptions connect, wait and reconnect.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use amplify_api::{ApiPlugin, SubscriptionOptions};
///
/// let api = ApiPlugin::builder()
///     .subscription_options(
///         SubscriptionOptions::default()
///             .start_ack_timeout(Duration::from_secs(5))
///             .reconnect_attempts(3)
///             .reconnect_backoff(Duration::from_millis(200), Duration::from_secs(10)),
///     )
///     .build()?;
/// # let _ = api;
/// # Ok::<(), amplify_api::ApiError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SubscriptionOptions {
    pub(crate) connection_ack_timeout: Duration,
    pub(crate) start_ack_timeout: Duration,
    pub(crate) reconnect_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
}

impl Default for SubscriptionOptions {
    fn default() -> Self {
        Self {
            connection_ack_timeout: Duration::from_secs(15),
            start_ack_timeout: Duration::from_secs(15),
            reconnect_attempts: 8,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl SubscriptionOptions {
    /// How long to wait for `connection_ack` after `connection_init` (15 s by default).
    pub fn connection_ack_timeout(mut self, timeout: Duration) -> Self {
        self.connection_ack_timeout = timeout;
        self
    }

    /// How long to wait for a subscription's `start_ack` (15 s by default).
    pub fn start_ack_timeout(mut self, timeout: Duration) -> Self {
        self.start_ack_timeout = timeout;
        self
    }

    /// How many reconnects in a row may fail before every subscription of the connection ends
    /// with [`SubscriptionFailureKind::ConnectionLost`](crate::SubscriptionFailureKind) (8 by
    /// default).
    pub fn reconnect_attempts(mut self, attempts: u32) -> Self {
        self.reconnect_attempts = attempts;
        self
    }

    /// The first reconnect delay and the cap it doubles up to (1 s and 30 s by default). Each
    /// delay is jittered between half and all of its value.
    pub fn reconnect_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The delay before reconnect number `attempt` (1-based), jittered with `random`.
    pub(crate) fn backoff(&self, attempt: u32, random: u64) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let cap = exp.min(self.max_backoff);
        let half = cap / 2;
        let spread = u64::try_from(half.as_micros()).unwrap_or(u64::MAX).max(1);
        half + Duration::from_micros(random % spread)
    }
}

/// A random number for ids and jitter (std's per-instance random hasher keys; no extra crate).
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

/// The connections of one plugin, by API name.
#[derive(Debug, Default)]
pub(crate) struct Realtime {
    connections: Mutex<HashMap<String, mpsc::UnboundedSender<Command>>>,
    options: SubscriptionOptions,
}

impl Realtime {
    pub(crate) fn new(options: SubscriptionOptions) -> Self {
        Self {
            connections: Mutex::default(),
            options,
        }
    }

    /// Registers a subscription with the API's connection, opening one when there is none.
    /// Returns the sender the subscription's guard stops it with.
    ///
    /// # Errors
    ///
    /// [`ApiError::Configuration`] outside a Tokio runtime.
    pub(crate) fn subscribe(
        self: &Arc<Self>,
        state: Arc<Configured>,
        endpoint: Arc<PreparedEndpoint>,
        socket: SocketSettings,
        id: String,
        spec: Spec,
        events: mpsc::UnboundedSender<Event>,
    ) -> Result<mpsc::UnboundedSender<Command>, ApiError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| {
            ApiError::configuration_with(None, "subscriptions need a Tokio runtime", e)
        })?;
        let mut connections = self
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut command = Command::Subscribe { id, spec, events };
        if let Some(tx) = connections.get(&endpoint.name) {
            match tx.send(command) {
                Ok(()) => return Ok(tx.clone()),
                Err(mpsc::error::SendError(back)) => command = back,
            }
        }
        let (tx, rx) = mpsc::unbounded_channel();
        // The receiver is alive: it is right here.
        let _ = tx.send(command);
        let endpoint_name = endpoint.name.clone();
        connections.insert(endpoint.name.clone(), tx.clone());
        let connection = Connection::new(
            endpoint,
            state,
            socket,
            self.options.clone(),
            Arc::downgrade(self),
            tx.clone(),
            rx,
        );
        let span = tracing::debug_span!("amplify.api.realtime", api = endpoint_name.as_str());
        runtime.spawn(tracing::Instrument::instrument(connection.run(), span));
        Ok(tx)
    }

    /// Called by a connection with no subscriptions left: removes it from the registry unless a
    /// command arrived meanwhile (`drain` takes them under the lock, so none is lost). Returns
    /// whether the connection may end.
    pub(crate) fn retire(
        &self,
        api: &str,
        tx: &mpsc::UnboundedSender<Command>,
        drain: impl FnOnce() -> bool,
    ) -> bool {
        let mut connections = self
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !drain() {
            return false;
        }
        if connections.get(api).is_some_and(|t| t.same_channel(tx)) {
            connections.remove(api);
        }
        true
    }
}

/// A new subscription id.
pub(crate) fn subscription_id() -> String {
    let r = random_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        r >> 32,
        (r >> 16) & 0xffff,
        r & 0xfff,
        0x8000 | (random_u64() & 0x3fff),
        random_u64() & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let options = SubscriptionOptions::default()
            .reconnect_backoff(Duration::from_secs(1), Duration::from_secs(8));
        for attempt in 1..=10 {
            let full = Duration::from_secs(1u64 << (attempt - 1).min(3));
            for _ in 0..50 {
                let d = options.backoff(attempt, random_u64());
                assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
            }
        }
        // Zero stays zero-ish (tests use it).
        let zero = SubscriptionOptions::default().reconnect_backoff(Duration::ZERO, Duration::ZERO);
        assert!(zero.backoff(3, 12345) <= Duration::from_micros(1));
    }

    #[test]
    fn ids_are_unique_and_uuid_shaped() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| subscription_id()).collect();
        assert_eq!(ids.len(), 1000);
        let id = ids.iter().next().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}
