//! The realtime endpoint's socket: the WebSocket upgrade on the HTTP listener
//! (`GET /graphql/realtime`, or `/graphql` as on AppSync's realtime host), the `graphql-ws`
//! subprotocol, keep-alives, the `realtime-*` faults, and the frames in and out. Everything the
//! frames mean is decided by the AppSync service through [`Backend`].

use std::future::Future;
use std::io;
use std::pin::Pin;

use futures_util::{SinkExt, StreamExt};
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use super::{ReplyBody, into_reply};
use crate::appsync::realtime::{self, Incoming as Frame, Outgoing};
use crate::backend::Backend;
use crate::faults::Fault;

/// A WebSocket session the connection's task runs once hyper hands over the socket.
pub(crate) type Session = Pin<Box<dyn Future<Output = ()> + Send>>;

type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// Whether `request` asks for the realtime endpoint.
pub(crate) fn is_upgrade(request: &Request<Incoming>) -> bool {
    let path = request.uri().path();
    request.method() == Method::GET
        && matches!(path, "/graphql/realtime" | "/graphql")
        && request
            .headers()
            .get(header::UPGRADE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

fn refuse(
    backend: &Backend,
    status: StatusCode,
    error_type: &str,
    message: &str,
) -> Response<ReplyBody> {
    let body = json!({ "errors": [{ "errorType": error_type, "message": message }] });
    let mut response = Response::new(bytes::Bytes::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    into_reply(response, false, backend.clock().now())
}

/// Answers an upgrade request: checks it, authorizes the connection and queues the session.
pub(crate) fn upgrade(
    backend: &Backend,
    request: Request<Incoming>,
    sessions: &mpsc::UnboundedSender<Session>,
) -> Result<Response<ReplyBody>, io::Error> {
    backend.counters().bump("realtime-connect");
    let fault = backend.faults().take("realtime-connect");
    tracing::debug!(?fault, "realtime connect");
    let ack_fault = match fault {
        Some(Fault::DropConnection) => {
            return Err(io::Error::other("injected fault: dropped connection"));
        }
        Some(Fault::Delay(delay)) => Some(Fault::Delay(delay)),
        Some(Fault::Silence) => Some(Fault::Silence),
        Some(other) => {
            return match backend.injected_response("realtime-connect", &other) {
                Some(response) => Ok(into_reply(response, false, backend.clock().now())),
                None => Err(io::Error::other("injected fault: dropped connection")),
            };
        }
        None => None,
    };
    let (parts, body) = request.into_parts();
    let protocols = crate::backend::offered_protocols(&parts);
    if !protocols.contains(&"graphql-ws") {
        return Ok(refuse(
            backend,
            StatusCode::BAD_REQUEST,
            "BadRequestException",
            "The realtime endpoint speaks the graphql-ws subprotocol (Sec-WebSocket-Protocol: graphql-ws).",
        ));
    }
    let key = parts.headers.get(header::SEC_WEBSOCKET_KEY).cloned();
    let version_ok = parts
        .headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_some_and(|v| v.as_bytes() == b"13");
    let Some(key) = key.filter(|_| version_ok) else {
        return Ok(refuse(
            backend,
            StatusCode::BAD_REQUEST,
            "BadRequestException",
            "A WebSocket upgrade needs Sec-WebSocket-Key and Sec-WebSocket-Version: 13.",
        ));
    };
    let connect = backend.realtime_connect(&parts);
    let on_upgrade = hyper::upgrade::on(Request::from_parts(parts, body));
    let session_backend = backend.clone();
    let session: Session = Box::pin(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                // tungstenite zero-fills its whole read buffer (128 KiB by default) before
                // every read, even one that finds nothing; clients send small frames.
                let config = WebSocketConfig::default().read_buffer_size(8 * 1024);
                let socket = WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    Some(config),
                )
                .await;
                run(session_backend, socket, connect, ack_fault).await;
            }
            Err(error) => tracing::trace!(%error, "realtime upgrade failed"),
        }
    });
    if sessions.send(session).is_err() {
        return Err(io::Error::other("the connection is gone"));
    }
    let mut response = Response::new(bytes::Bytes::new());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    headers.insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static("graphql-ws"),
    );
    let (parts, _) = response.into_parts();
    Ok(Response::from_parts(parts, ReplyBody::empty()))
}

/// Unregisters the connection however the session ends.
struct Registration {
    backend: Backend,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.backend.realtime_unregister(self.id);
    }
}

/// What the session does after a frame.
enum Flow {
    Continue,
    /// Close the socket with a close frame.
    Close,
    /// Drop the socket (no close frame).
    Drop,
}

struct Connection {
    backend: Backend,
    id: u64,
    connect: Result<(), Value>,
    ack_fault: Option<Fault>,
    keep_alive: Option<tokio::time::Interval>,
}

async fn send(socket: &mut Socket, frame: String) -> bool {
    socket.send(Message::text(frame)).await.is_ok()
}

async fn run(
    backend: Backend,
    mut socket: Socket,
    connect: Result<(), Value>,
    ack_fault: Option<Fault>,
) {
    let (id, mut outgoing) = backend.realtime_register();
    let _registration = Registration {
        backend: backend.clone(),
        id,
    };
    let mut session = Connection {
        backend,
        id,
        connect,
        ack_fault,
        keep_alive: None,
    };
    loop {
        let tick = async {
            match session.keep_alive.as_mut() {
                Some(interval) => {
                    interval.tick().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        let flow = tokio::select! {
            message = socket.next() => match message {
                Some(Ok(Message::Text(text))) => session.frame(&mut socket, text.as_str()).await,
                Some(Ok(Message::Binary(_))) => {
                    let frame = realtime::frames::error(None, &realtime::frames::unsupported("binary"));
                    if send(&mut socket, frame).await { Flow::Continue } else { Flow::Drop }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => Flow::Drop,
                Some(Ok(_)) => Flow::Continue,
            },
            out = outgoing.recv() => match out {
                Some(Outgoing::Frame(frame)) => {
                    if send(&mut socket, frame).await { Flow::Continue } else { Flow::Drop }
                }
                Some(Outgoing::Drop) | None => Flow::Drop,
            },
            () = tick => session.keep_alive(&mut socket).await,
        };
        match flow {
            Flow::Continue => {}
            Flow::Close => {
                let _ = socket.close(None).await;
                return;
            }
            Flow::Drop => return,
        }
    }
}

impl Connection {
    async fn keep_alive(&mut self, socket: &mut Socket) -> Flow {
        self.backend.counters().bump("realtime-ka");
        match self.backend.faults().take("realtime-ka") {
            Some(Fault::DropConnection) => return Flow::Drop,
            Some(Fault::Silence) => return Flow::Continue,
            Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
            _ => {}
        }
        if send(socket, realtime::frames::keep_alive()).await {
            Flow::Continue
        } else {
            Flow::Drop
        }
    }

    async fn frame(&mut self, socket: &mut Socket, text: &str) -> Flow {
        if let Err(errors) = &self.connect {
            // The connection was not authorized: whatever comes first gets the refusal.
            let _ = send(socket, realtime::frames::connection_error(errors)).await;
            return Flow::Close;
        }
        let reply = match realtime::parse_frame(text) {
            Frame::Init => match self.ack_fault.take() {
                Some(Fault::Silence) => None,
                fault => {
                    if let Some(Fault::Delay(delay)) = fault {
                        tokio::time::sleep(delay).await;
                    }
                    let (interval, timeout) = self.backend.realtime_timing();
                    if self.keep_alive.is_none() {
                        let start = tokio::time::Instant::now() + interval;
                        self.keep_alive = Some(tokio::time::interval_at(start, interval));
                    }
                    let ack = realtime::frames::connection_ack(timeout);
                    if !send(socket, ack).await {
                        return Flow::Drop;
                    }
                    // AppSync sends the first keep-alive right after the ack.
                    return self.keep_alive(socket).await;
                }
            },
            Frame::Start { id, payload } => return self.start(socket, &id, &payload).await,
            Frame::Stop { id } => {
                self.backend.realtime_stop(self.id, &id);
                Some(realtime::frames::complete(&id))
            }
            Frame::Invalid { id, kind } => Some(realtime::frames::error(
                id.as_deref(),
                &realtime::frames::unsupported(&kind),
            )),
        };
        match reply {
            Some(frame) => {
                if send(socket, frame).await {
                    Flow::Continue
                } else {
                    Flow::Drop
                }
            }
            None => Flow::Continue,
        }
    }

    async fn start(&mut self, socket: &mut Socket, id: &str, payload: &Value) -> Flow {
        self.backend.counters().bump("realtime-start");
        let injected = match self.backend.faults().take("realtime-start") {
            None => None,
            Some(Fault::DropConnection) => return Flow::Drop,
            Some(Fault::Silence) => return Flow::Continue,
            Some(Fault::Delay(delay)) => {
                tokio::time::sleep(delay).await;
                None
            }
            Some(Fault::Throttle) => Some(("LimitExceededError", "Rate limit exceeded".to_owned())),
            Some(Fault::ServiceError(kind)) => {
                Some((kind.as_str(), format!("Injected fault: {kind}.")))
            }
            Some(_) => Some((
                "InternalFailureException",
                "Injected fault: internal error.".to_owned(),
            )),
        };
        let result = match injected {
            Some((error_type, message)) => {
                Err(json!([{ "errorType": error_type, "message": message }]))
            }
            None => self.backend.realtime_start(self.id, id, payload),
        };
        let frame = match result {
            Ok(()) => realtime::frames::start_ack(id),
            Err(errors) => realtime::frames::error(Some(id), &errors),
        };
        if send(socket, frame).await {
            Flow::Continue
        } else {
            Flow::Drop
        }
    }
}
