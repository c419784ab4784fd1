//! The realtime (subscriptions) endpoint, service side: AppSync's WebSocket protocol frames,
//! authorization at connect and at every `start` (the same checks as `POST /graphql`), the
//! subscription registry, and the fan-out of mutation results to `@aws_subscribe` fields with
//! argument and Amplify `filter` matching and field-level authorization.
//!
//! The socket itself (upgrade, keep-alive timer, faults) is the HTTP layer's; this module is
//! sans-IO: frames in, frames out, and an unbounded channel per connection for `data` frames.

mod fanout;
pub(crate) mod frames;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

pub(crate) use self::fanout::publish;
pub(crate) use self::frames::{Incoming, parse_frame};
use super::auth::{self, Authorized, Refusal};
use super::exec::{self, GraphQlRequest, RootField};
use super::spec::{Identity, LambdaAuthRequest};
use super::{ACCOUNT_ID, AppSync, GraphQlApi};
use crate::context::Ctx;
use crate::state::Store;
use crate::util::b64_decode_lenient;

/// AppSync's `connectionTimeoutMs`: five minutes.
pub(crate) const DEFAULT_CONNECTION_TIMEOUT: Duration = Duration::from_secs(300);
/// How often a `ka` frame is sent.
pub(crate) const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(60);

/// What the hub asks a connection's socket task to do.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// Send this text frame.
    Frame(String),
    /// Close the socket at once, without a close frame (a dropped connection).
    Drop,
}

/// One live subscription.
struct Subscription {
    request: GraphQlRequest,
    fields: Vec<RootField>,
    identity: Identity,
    denied: Vec<String>,
    headers: BTreeMap<String, String>,
}

struct Connection {
    sender: mpsc::UnboundedSender<Outgoing>,
    /// By subscription id, in start order.
    subscriptions: Vec<(String, Subscription)>,
}

/// The registry of realtime connections and their subscriptions.
#[derive(Default)]
pub(crate) struct Realtime {
    next_id: AtomicU64,
    connections: Mutex<HashMap<u64, Connection>>,
}

impl std::fmt::Debug for Realtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Realtime")
            .field("connections", &self.connection_count())
            .finish_non_exhaustive()
    }
}

impl Realtime {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Connection>> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A new connection: its id and the receiver of the frames the hub sends it.
    pub(crate) fn register(&self) -> (u64, mpsc::UnboundedReceiver<Outgoing>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = mpsc::unbounded_channel();
        self.lock().insert(
            id,
            Connection {
                sender,
                subscriptions: Vec::new(),
            },
        );
        (id, receiver)
    }

    /// Forgets a closed connection and its subscriptions.
    pub(crate) fn unregister(&self, connection: u64) {
        self.lock().remove(&connection);
    }

    /// Open connections.
    pub(crate) fn connection_count(&self) -> usize {
        self.lock().len()
    }

    /// Live subscriptions on all connections.
    pub(crate) fn subscription_count(&self) -> usize {
        self.lock().values().map(|c| c.subscriptions.len()).sum()
    }

    /// Drops every connection (no close frame); returns how many there were.
    pub(crate) fn drop_all(&self) -> usize {
        let connections = self.lock();
        for connection in connections.values() {
            // A connection whose task already ended is unregistered right after.
            let _ = connection.sender.send(Outgoing::Drop);
        }
        connections.len()
    }

    /// Removes a subscription; `false` when the connection had none with that id.
    pub(crate) fn stop(&self, connection: u64, id: &str) -> bool {
        let mut connections = self.lock();
        let Some(conn) = connections.get_mut(&connection) else {
            return false;
        };
        let before = conn.subscriptions.len();
        conn.subscriptions.retain(|(sub_id, _)| sub_id != id);
        conn.subscriptions.len() != before
    }
}

/// An `errors` entry for a refused request, as AppSync sends it over the realtime channel
/// (`errorCode` is the HTTP status the same refusal gets over HTTP).
pub(crate) fn refusal_error(refusal: &Refusal) -> Value {
    let (code, status) = match refusal {
        Refusal::Signature(e) => (e.code(), 403),
        _ => ("UnauthorizedException", 401),
    };
    json!({ "errorType": code, "message": refusal.appsync_message(), "errorCode": status })
}

/// The authorization headers of a connect request: the `header-<base64url(JSON)>` subprotocol
/// or the `header=<base64(JSON)>` query parameter (already percent-decoded).
pub(crate) fn connect_headers(
    protocols: &[&str],
    header_param: Option<&str>,
) -> Option<Map<String, Value>> {
    let encoded = protocols
        .iter()
        .find_map(|p| p.trim().strip_prefix("header-"))
        .or(header_param)?;
    let bytes = b64_decode_lenient(encoded.trim())?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// A request made of JSON headers, as the checks over HTTP see it.
fn synthetic_request(path: &str, headers: &Map<String, Value>, body: Bytes) -> Request<Bytes> {
    let mut request = Request::new(body);
    *request.method_mut() = Method::POST;
    if let Ok(uri) = path.parse() {
        *request.uri_mut() = uri;
    }
    for (name, value) in headers {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&text),
        ) {
            request.headers_mut().append(name, value);
        }
    }
    request
}

fn lambda_request<'a>(
    api: &'a GraphQlApi,
    ctx: &'a Ctx<'_>,
    graphql: Option<&'a GraphQlRequest>,
    headers: &'a BTreeMap<String, String>,
) -> impl FnOnce(&str) -> LambdaAuthRequest + 'a {
    move |token: &str| LambdaAuthRequest {
        authorization_token: token.to_owned(),
        api_id: api.id.clone(),
        account_id: ACCOUNT_ID.to_owned(),
        request_id: ctx.rng.uuid(),
        query_string: graphql.map(|g| g.query.clone()).unwrap_or_default(),
        operation_name: graphql.and_then(|g| g.operation_name.clone()),
        variables: graphql.map(|g| g.variables.clone()).unwrap_or_default(),
        request_headers: headers.clone(),
    }
}

/// Checks the connect-time authorization: the headers are those of a `POST
/// <graphql url>/connect` with body `{}` (what clients sign for IAM).
///
/// # Errors
///
/// The `errors` of the `connection_error` frame.
pub(crate) fn connect(
    apis: &AppSync,
    ctx: &Ctx<'_>,
    store: &Store,
    headers: Option<&Map<String, Value>>,
) -> Result<(), Value> {
    let Some(api) = &apis.graphql else {
        return Err(json!([{
            "errorType": "NotFoundException",
            "message": "This emulator serves no GraphQL API.",
            "errorCode": 404,
        }]));
    };
    let Some(headers) = headers else {
        return Err(json!([refusal_error(&Refusal::Missing)]));
    };
    let request = synthetic_request("/graphql/connect", headers, Bytes::from_static(b"{}"));
    let public = auth::public_headers(&request);
    auth::authorize(
        ctx,
        store,
        &api.auth,
        &request,
        lambda_request(api, ctx, None, &public),
    )
    .map(|_| ())
    .map_err(|refusal| {
        tracing::debug!(?refusal, "realtime connect refused");
        json!([refusal_error(&refusal)])
    })
}

/// A `start`: authorizes `payload.extensions.authorization` as the `POST /graphql` of
/// `payload.data` (what clients sign for IAM), validates the subscription and registers it.
///
/// # Errors
///
/// The `errors` of the `error` frame.
pub(crate) fn start(
    apis: &AppSync,
    ctx: &Ctx<'_>,
    store: &Store,
    connection: u64,
    id: &str,
    payload: &Value,
) -> Result<(), Value> {
    let Some(api) = &apis.graphql else {
        return Err(
            json!([{ "errorType": "NotFoundException", "message": "This emulator serves no GraphQL API." }]),
        );
    };
    let Some(data) = payload.get("data").and_then(Value::as_str) else {
        return Err(json!([{
            "errorType": "MalformedMessage",
            "message": "The start message needs payload.data, a JSON string of {query, variables}.",
        }]));
    };
    let graphql = match exec::parse_request(data.as_bytes()) {
        Ok(request) => request,
        Err((_, body)) => return Err(body.get("errors").cloned().unwrap_or(Value::Null)),
    };
    let empty = Map::new();
    let headers = payload
        .pointer("/extensions/authorization")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let request = synthetic_request("/graphql", headers, Bytes::copy_from_slice(data.as_bytes()));
    let public = auth::public_headers(&request);
    let authorized: Authorized = auth::authorize(
        ctx,
        store,
        &api.auth,
        &request,
        lambda_request(api, ctx, Some(&graphql), &public),
    )
    .map_err(|refusal| {
        tracing::debug!(?refusal, "realtime start refused");
        let mut error = refusal_error(&refusal);
        if let Some(map) = error.as_object_mut() {
            map.remove("errorCode");
        }
        json!([error])
    })?;
    let realtime = super::realtime_url(ctx);
    let env = api.env(
        &authorized.identity,
        &authorized.denied_fields,
        ctx,
        &public,
        &realtime,
    );
    let fields = exec::subscribe(&env, &graphql)?;
    let mut connections = apis.realtime.lock();
    let Some(conn) = connections.get_mut(&connection) else {
        return Err(
            json!([{ "errorType": "ConnectionClosed", "message": "The connection is closed." }]),
        );
    };
    if conn.subscriptions.iter().any(|(sub_id, _)| sub_id == id) {
        return Err(json!([{
            "errorType": "DuplicatedOperationError",
            "message": format!("Duplicated subscription id: {id}"),
        }]));
    }
    conn.subscriptions.push((
        id.to_owned(),
        Subscription {
            request: graphql,
            fields,
            identity: authorized.identity,
            denied: authorized.denied_fields,
            headers: public,
        },
    ));
    Ok(())
}
