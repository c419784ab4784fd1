//! The connection pool: idle HTTP/1.1 connections and one shared HTTP/2 connection per
//! endpoint (scheme and authority), on hyper's connection-level client.
//!
//! hyper-util's pooled client keys its pool with a `HashMap<(Scheme, Authority), _>` under
//! SipHash, which hashes the authority one byte at a time several times per request: about a
//! tenth of a loopback request's client CPU (issue 20's profile). A plugin talks to the few
//! endpoints of its configuration, so this pool keeps them in a vector that is never shrunk and
//! finds one by comparing bytes (under the lock a checkout takes anyway); a request's lease
//! remembers the endpoint's index.
//!
//! What it keeps from hyper-util's client: a request that a reused connection handed back
//! unsent (the server closed it while it was idle) is retried on another connection (three
//! connections at most); an HTTP/1.1 request goes in origin form, or absolute form through a
//! forward proxy; HTTP/2 is used when TLS negotiated it (ALPN) and one connection is then shared
//! by every request; idle connections close after the idle timeout, and at most `max_idle` are
//! kept per endpoint.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use amplify_core::BoxError;
use http::Uri;
use http::uri::{Authority, PathAndQuery, Scheme};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_util::client::legacy::connect::Connection as _;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::time::Instant;
use tower_service::Service;

use crate::transport::{SendStart, Stack};

/// The request body the pool sends.
type Body = http_body_util::Full<bytes::Bytes>;

/// How many connections one request is offered before its error is returned: a reused
/// connection may hand a request back unsent (the server closed it while idle), and the next may
/// too, but not without end.
const MAX_ATTEMPTS: u32 = 3;

/// Why a request got no response.
#[derive(Debug)]
pub(crate) enum SendError {
    /// No connection could be opened: nothing was sent.
    Connect(BoxError),
    /// The connection failed while the request was sent or its response awaited.
    Send(hyper::Error),
}

/// The pool, shared by the clones of a transport.
#[derive(Debug, Clone)]
pub(crate) struct Pool {
    connector: Arc<Stack>,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    idle_timeout: Duration,
    max_idle: usize,
}

#[derive(Debug, Default)]
struct State {
    /// One entry per endpoint ever used; never removed, so an index stays valid.
    endpoints: Vec<Endpoint>,
    /// The task closing idle connections, while there are any.
    reaper: Option<tokio::task::JoinHandle<()>>,
}

#[derive(Debug)]
struct Endpoint {
    scheme: Scheme,
    authority: Authority,
    /// Idle HTTP/1.1 connections, the most recently used last.
    idle: Vec<Idle>,
    /// The HTTP/2 connection, and when a request last finished on it.
    h2: Option<(http2::SendRequest<Body>, Instant)>,
}

#[derive(Debug)]
struct Idle {
    connection: Http1,
    since: Instant,
}

/// An HTTP/1.1 connection, and whether its requests go to a forward proxy (then in absolute
/// form).
#[derive(Debug)]
struct Http1 {
    sender: http1::SendRequest<Body>,
    proxied: bool,
}

/// A connection ready for one request.
enum Sender {
    Http1(Http1),
    Http2(http2::SendRequest<Body>),
}

/// What a request holds of its connection until its response has been read: an HTTP/1.1
/// connection goes back to the pool through [`Lease::release`], once the body is read in full.
#[derive(Debug)]
pub(crate) struct Lease {
    shared: Arc<Shared>,
    endpoint: usize,
    http1: Option<Http1>,
}

impl Lease {
    /// Returns the connection to the pool: the response was read in full, so the connection
    /// can carry another request.
    pub(crate) fn release(self) {
        let now = Instant::now();
        let mut state = self.shared.lock();
        let Some(endpoint) = state.endpoints.get_mut(self.endpoint) else {
            return;
        };
        match self.http1 {
            Some(connection) => {
                if endpoint.idle.len() >= self.shared.max_idle || connection.sender.is_closed() {
                    return;
                }
                endpoint.idle.push(Idle {
                    connection,
                    since: now,
                });
            }
            None => match &mut endpoint.h2 {
                Some((_, used)) => *used = now,
                None => return,
            },
        }
        self.shared.start_reaper(&mut state);
    }
}

impl State {
    /// The index of the endpoint's entry, added on first use.
    fn endpoint(&mut self, scheme: &Scheme, authority: &Authority) -> usize {
        if let Some(index) = self.endpoints.iter().position(|e| {
            e.authority.as_str() == authority.as_str() && e.scheme.as_str() == scheme.as_str()
        }) {
            return index;
        }
        self.endpoints.push(Endpoint {
            scheme: scheme.clone(),
            authority: authority.clone(),
            idle: Vec::new(),
            h2: None,
        });
        self.endpoints.len() - 1
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts the task that closes idle connections, unless it runs (on a runtime that still
    /// exists) or there is no runtime to run it on.
    fn start_reaper(self: &Arc<Self>, state: &mut State) {
        if state
            .reaper
            .as_ref()
            .is_some_and(|task| !task.is_finished())
        {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let shared = Arc::downgrade(self);
        state.reaper = Some(runtime.spawn(reap(shared, self.idle_timeout)));
    }
}

/// Closes connections idle for `timeout`, waking when the oldest is due; ends when none is
/// idle (the next release starts another) or when the pool is gone.
async fn reap(shared: Weak<Shared>, timeout: Duration) {
    let mut due = Instant::now().checked_add(timeout);
    loop {
        match due {
            Some(due) => tokio::time::sleep_until(due).await,
            // An idle timeout beyond the clock's range: idle connections never expire.
            None => return,
        }
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let mut state = shared.lock();
        let now = Instant::now();
        let expired = |since: Instant| now.saturating_duration_since(since) >= timeout;
        let mut oldest: Option<Instant> = None;
        for endpoint in &mut state.endpoints {
            endpoint
                .idle
                .retain(|idle| !expired(idle.since) && !idle.connection.sender.is_closed());
            if endpoint
                .h2
                .as_ref()
                .is_some_and(|(sender, used)| expired(*used) || sender.is_closed())
            {
                endpoint.h2 = None;
            }
            let since = endpoint
                .idle
                .iter()
                .map(|idle| idle.since)
                .chain(endpoint.h2.as_ref().map(|(_, used)| *used))
                .min();
            oldest = match (oldest, since) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        let Some(oldest) = oldest else {
            state.reaper = None;
            return;
        };
        due = oldest.checked_add(timeout);
    }
}

impl Pool {
    pub(crate) fn new(connector: Arc<Stack>, idle_timeout: Duration, max_idle: usize) -> Self {
        Self {
            connector,
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                idle_timeout,
                max_idle,
            }),
        }
    }

    /// Sends `request` (an absolute URI) on a pooled or a new connection, and waits for the
    /// response's head. `started` is marked as the request is handed to a ready connection, and
    /// cleared if it comes back unsent.
    pub(crate) async fn send(
        &self,
        mut request: http::Request<Body>,
        started: &SendStart,
    ) -> Result<(http::Response<Incoming>, Lease), SendError> {
        let uri = request.uri().clone();
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(SendError::Connect(
                "the request URI has no scheme or authority".into(),
            ));
        };
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (sender, endpoint, reused) = self.checkout(scheme, authority).await?;
            let (result, http1) = match sender {
                Sender::Http1(mut connection) => {
                    if !connection.proxied {
                        *request.uri_mut() = origin_form(&uri);
                    }
                    started.mark();
                    let result = connection.sender.try_send_request(request).await;
                    (result, Some(connection))
                }
                Sender::Http2(mut sender) => {
                    started.mark();
                    (sender.try_send_request(request).await, None)
                }
            };
            let returned = match result {
                Ok(response) => {
                    let lease = Lease {
                        shared: Arc::clone(&self.shared),
                        endpoint,
                        http1,
                    };
                    return Ok((response, lease));
                }
                Err(mut e) => match e.take_message() {
                    Some(unsent) if reused && attempts < MAX_ATTEMPTS => unsent,
                    _ => return Err(SendError::Send(e.into_error())),
                },
            };
            tracing::trace!("a reused connection closed before sending; trying another");
            if http1.is_none() {
                // The shared HTTP/2 connection refused a new stream (it is going away): the next
                // attempt opens another rather than being handed the same one again.
                if let Some(entry) = self.shared.lock().endpoints.get_mut(endpoint) {
                    entry.h2 = None;
                }
            }
            started.clear();
            request = returned;
            *request.uri_mut() = uri.clone();
        }
    }

    /// A ready connection to the endpoint, the endpoint's index, and whether the connection
    /// was reused: the shared HTTP/2 one, else the most recently idle HTTP/1.1 one that is still
    /// open, else a new one. The endpoint's entry is found (or added) under the same lock.
    async fn checkout(
        &self,
        scheme: &Scheme,
        authority: &Authority,
    ) -> Result<(Sender, usize, bool), SendError> {
        loop {
            let (endpoint, pooled) = {
                let mut state = self.shared.lock();
                let endpoint = state.endpoint(scheme, authority);
                let pooled = state.endpoints.get_mut(endpoint).and_then(take_pooled);
                (endpoint, pooled)
            };
            match pooled {
                Some(Sender::Http1(mut connection)) => {
                    let sender = &mut connection.sender;
                    if sender.is_ready() || sender.ready().await.is_ok() {
                        return Ok((Sender::Http1(connection), endpoint, true));
                    }
                    // It closed while idle: try the next one.
                }
                Some(Sender::Http2(mut sender)) => {
                    if sender.ready().await.is_ok() {
                        return Ok((Sender::Http2(sender), endpoint, true));
                    }
                }
                // Boxed: the connect and handshake futures are large, and a pooled request
                // would otherwise carry (and copy) their space on every call.
                None => {
                    let sender = Box::pin(self.connect(endpoint, scheme, authority)).await?;
                    return Ok((sender, endpoint, false));
                }
            }
        }
    }

    /// Opens a connection (the connector stack bounds this with the connect timeout) and
    /// completes hyper's handshake; an HTTP/2 one becomes the endpoint's shared connection.
    async fn connect(
        &self,
        endpoint: usize,
        scheme: &Scheme,
        authority: &Authority,
    ) -> Result<Sender, SendError> {
        let target = Uri::builder()
            .scheme(scheme.clone())
            .authority(authority.clone())
            .path_and_query(PathAndQuery::from_static("/"))
            .build()
            .map_err(|e| SendError::Connect(Box::new(e)))?;
        let io = Stack::clone(&self.connector)
            .call(target)
            .await
            .map_err(SendError::Connect)?;
        let connected = io.connected();
        if connected.is_negotiated_h2() {
            let (mut sender, connection) = http2::Builder::new(TokioExecutor::new())
                .timer(TokioTimer::new())
                .handshake(io)
                .await
                .map_err(handshake_failed)?;
            drive(connection, "HTTP/2");
            sender.ready().await.map_err(handshake_failed)?;
            let mut state = self.shared.lock();
            if let Some(entry) = state.endpoints.get_mut(endpoint)
                && entry.h2.as_ref().is_none_or(|(h2, _)| h2.is_closed())
            {
                entry.h2 = Some((sender.clone(), Instant::now()));
            }
            Ok(Sender::Http2(sender))
        } else {
            // Head and body are copied into one buffer and written with one `write`, rather than
            // gathered with `writev`: for the small JSON bodies of GraphQL and REST calls the copy
            // costs less than assembling the slices (about 450 instructions a request on the
            // throughput bench); a large body is copied once more.
            let (mut sender, connection) = http1::Builder::new()
                .writev(false)
                .handshake(io)
                .await
                .map_err(handshake_failed)?;
            drive(connection, "HTTP/1.1");
            sender.ready().await.map_err(handshake_failed)?;
            Ok(Sender::Http1(Http1 {
                sender,
                proxied: connected.is_proxied(),
            }))
        }
    }
}

/// A failed handshake: nothing was sent.
fn handshake_failed(e: hyper::Error) -> SendError {
    SendError::Connect(Box::new(e))
}

/// Runs a connection's I/O on a task of its own until it closes.
fn drive(
    connection: impl std::future::Future<Output = hyper::Result<()>> + Send + 'static,
    version: &'static str,
) {
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, version, "connection ended with an error");
        }
    });
}

/// The shared HTTP/2 connection if it is open, else the most recently idle HTTP/1.1 one that is
/// open (closed ones are dropped on the way).
fn take_pooled(entry: &mut Endpoint) -> Option<Sender> {
    if let Some((sender, _)) = &entry.h2 {
        if !sender.is_closed() {
            return Some(Sender::Http2(sender.clone()));
        }
        entry.h2 = None;
    }
    while let Some(idle) = entry.idle.pop() {
        if !idle.connection.sender.is_closed() {
            return Some(Sender::Http1(idle.connection));
        }
    }
    None
}

/// The request target of an HTTP/1.1 request straight to the server: the path and query.
fn origin_form(uri: &Uri) -> Uri {
    match uri.path_and_query() {
        Some(path) if path.as_str() != "/" => {
            let mut parts = http::uri::Parts::default();
            parts.path_and_query = Some(path.clone());
            Uri::from_parts(parts).unwrap_or_default()
        }
        _ => Uri::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_form_keeps_the_path_and_query() {
        let uri: Uri = "https://example.com:8443/items/1?x=y%20z".parse().unwrap();
        assert_eq!(origin_form(&uri).to_string(), "/items/1?x=y%20z");
        let root: Uri = "http://example.com".parse().unwrap();
        assert_eq!(origin_form(&root).to_string(), "/");
    }
}
