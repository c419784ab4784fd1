//! The HTTP/1.1 server: one hyper connection per socket, request counting and fault injection,
//! then the sans-IO [`Backend`].

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderValue, Request, Response, header};
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

use crate::backend::Backend;
use crate::error::{CognitoError, EmulatorError, ErrorKind};
use crate::faults::Fault;
use crate::protocol::MAX_BODY;
use crate::protocol::error_response;

mod realtime;
mod request_log;

/// A response body that can stop half-way (the truncated-body fault).
#[derive(Debug)]
pub(crate) struct ReplyBody {
    data: Option<Bytes>,
    fail_after: bool,
    exact: u64,
}

impl ReplyBody {
    /// No body (the upgrade's 101).
    pub(crate) fn empty() -> Self {
        Self::full(Bytes::new())
    }

    fn full(data: Bytes) -> Self {
        let exact = u64::try_from(data.len()).unwrap_or(u64::MAX);
        Self {
            data: Some(data),
            fail_after: false,
            exact,
        }
    }

    fn truncated(data: &Bytes) -> Self {
        let half = data.slice(..data.len() / 2);
        Self {
            data: Some(half),
            fail_after: true,
            exact: u64::try_from(data.len()).unwrap_or(u64::MAX),
        }
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if let Some(data) = this.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if this.fail_after {
            this.fail_after = false;
            return Poll::Ready(Some(Err(io::Error::other(
                "injected fault: truncated body",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && !self.fail_after
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.exact)
    }
}

/// Binds `127.0.0.1:<port>`. With a data directory and no port asked for (0), the last run's
/// port when it is free: tokens carry the endpoint in their issuer, and the app's configuration
/// names it. The port bound is remembered for the next run.
pub(crate) async fn bind(port: u16, backend: &Backend) -> Result<TcpListener, EmulatorError> {
    let remembered = match (port, backend.persist()) {
        (0, Some(persist)) => persist.port(),
        _ => None,
    };
    let listener = match remembered {
        Some(last) => match TcpListener::bind(("127.0.0.1", last)).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(port = last, error = %e, "the last run's port is taken; using another");
                TcpListener::bind(("127.0.0.1", 0))
                    .await
                    .map_err(EmulatorError::Bind)?
            }
        },
        None => TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(EmulatorError::Bind)?,
    };
    if let (Some(persist), Ok(addr)) = (backend.persist(), listener.local_addr()) {
        persist.set_port(addr.port());
    }
    Ok(listener)
}

/// Accepts connections until `shutdown` fires (or its sender is dropped).
pub(crate) async fn serve(
    listener: TcpListener,
    backend: Backend,
    mut shutdown: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::task::yield_now().await;
                    continue;
                };
                // Without it, a burst of small realtime frames on one socket waits for the
                // client's delayed ACK (Nagle): 40 ms stalls.
                let _ = stream.set_nodelay(true);
                let backend = backend.clone();
                connections.spawn(async move {
                    // A WebSocket upgrade hands its session here, to run once hyper lets go of
                    // the socket (so shutdown aborts it with the connection).
                    let (sessions, mut upgraded) = mpsc::unbounded_channel();
                    let service = service_fn(move |request| {
                        serve_request(backend.clone(), sessions.clone(), request)
                    });
                    if let Err(error) = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await
                    {
                        tracing::trace!(%error, "connection ended");
                    }
                    if let Ok(session) = upgraded.try_recv() {
                        session.await;
                    }
                });
            }
            Some(joined) = connections.join_next(), if !connections.is_empty() => {
                if let Err(error) = joined
                    && let Ok(payload) = error.try_into_panic()
                {
                    backend.record_panic(format!("connection: {}", panic_message(payload.as_ref())));
                }
            }
        }
    }
    // Wait for the aborted connections, so no request is still running (and holding the
    // backend and its data directory) when `shutdown` returns.
    connections.shutdown().await;
}

async fn serve_request(
    backend: Backend,
    sessions: mpsc::UnboundedSender<realtime::Session>,
    request: Request<Incoming>,
) -> Result<Response<ReplyBody>, io::Error> {
    if realtime::is_upgrade(&request) {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let reply = realtime::upgrade(&backend, request, &sessions);
        let line = request_log::Line::new("realtime-connect", &method, &path);
        match &reply {
            Ok(response) => line.emit_head(&backend, response.status(), response.headers()),
            Err(_) => line.emit_dropped(&backend),
        }
        return reply;
    }
    let (parts, body) = request.into_parts();
    let target = parts.headers.get("x-amz-target").map(HeaderValue::as_bytes);
    let operation = Backend::operation_of(&parts.method, parts.uri.path(), target);
    let line = request_log::Line::new(&operation, &parts.method, parts.uri.path());
    let clock = backend.clock().clone();
    match answer(&backend, operation, parts, body).await {
        Ok((response, truncate)) => {
            line.emit(&backend, &response);
            Ok(into_reply(response, truncate, clock.now()))
        }
        Err(error) => {
            line.emit_dropped(&backend);
            Err(error)
        }
    }
}

/// Counts the request, applies its fault and asks the backend. The `bool` is the truncated-body
/// fault.
async fn answer(
    backend: &Backend,
    operation: String,
    parts: http::request::Parts,
    body: Incoming,
) -> Result<(Response<Bytes>, bool), io::Error> {
    backend.counters().bump(&operation);
    let fault = backend.faults().take(&operation);
    tracing::debug!(operation, ?fault, "request");
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let error = CognitoError::new(
                ErrorKind::RequestTooLarge,
                "The request body is too large or was cut off.",
            );
            return Ok((error_response(&error, &backend.request_id()), false));
        }
    };
    match &fault {
        Some(Fault::DropConnection) => {
            return Err(io::Error::other("injected fault: dropped connection"));
        }
        Some(Fault::Delay(delay)) => tokio::time::sleep(*delay).await,
        Some(Fault::Silence) => std::future::pending::<()>().await,
        Some(other) => {
            if let Some(response) = backend.injected_response(&operation, other) {
                return Ok((response, false));
            }
        }
        None => {}
    }
    let request = Request::from_parts(parts, body);
    // The backend locks its state briefly and never awaits; run it off the reactor threads anyway
    // since SRP math takes a few milliseconds.
    let handler = backend.clone();
    let response = match tokio::task::spawn_blocking(move || handler.handle(&request)).await {
        Ok(response) => response,
        Err(error) => {
            let message = match error.try_into_panic() {
                Ok(payload) => panic_message(payload.as_ref()),
                Err(error) => error.to_string(),
            };
            tracing::error!(operation, message, "request handling panicked");
            backend.record_panic(format!("{operation}: {message}"));
            return Err(io::Error::other("request handling panicked"));
        }
    };
    Ok((response, matches!(fault, Some(Fault::TruncatedBody))))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}

fn into_reply(
    response: Response<Bytes>,
    truncate: bool,
    now: std::time::SystemTime,
) -> Response<ReplyBody> {
    let (mut parts, body) = response.into_parts();
    // Real Cognito's `Date` comes from its clock; clients learn their clock skew from it. Here it
    // comes from the emulator's (possibly manual) clock, not from hyper's wall clock.
    let secs = crate::timefmt::epoch_secs(now);
    if let Ok(value) = HeaderValue::from_str(&crate::timefmt::http_date(secs)) {
        parts.headers.insert(header::DATE, value);
    }
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    let body = if truncate {
        ReplyBody::truncated(&body)
    } else {
        ReplyBody::full(body)
    };
    Response::from_parts(parts, body)
}
