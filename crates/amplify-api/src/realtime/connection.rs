//! The task that owns one API's realtime socket and its subscriptions: connects, starts,
//! routes frames to subscription streams, watches keep-alives and start acks, reconnects with
//! backoff, and closes the socket when the last subscription ends.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use amplify_core::AuthorizationType;
use amplify_core::hub::{ApiHubEvent, SubscriptionStatus};
use futures_util::{SinkExt as _, StreamExt as _};
use http::HeaderMap;
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::auth::{self, Credential, SigningService};
use crate::endpoint::PreparedEndpoint;
use crate::error::{
    ApiError, DispatchState, SubscriptionFailure, SubscriptionFailureKind, TimeoutFailure,
    TimeoutPhase, TransportFailure,
};
use crate::graphql::GraphQlError;
use crate::realtime::auth::{Purpose, authorization, header_subprotocol, realtime_uri};
use crate::realtime::frame::{ClientFrame, ServerFrame};
use crate::realtime::socket::{self, Socket};
use crate::realtime::{Realtime, SubscriptionOptions, random_u64};
use crate::request::Configured;
use crate::transport::SocketSettings;

/// What a subscription asks for.
#[derive(Debug)]
pub(crate) struct Spec {
    pub(crate) mode: AuthorizationType,
    /// The `data` string: the JSON text of `{"query","variables"}`.
    pub(crate) data: String,
    /// The caller's headers, added to the `start` authorization.
    pub(crate) headers: HeaderMap,
}

/// What a subscription stream receives.
#[derive(Debug)]
pub(crate) enum Event {
    /// `start_ack` (again after each reconnect).
    Established,
    /// A `data` payload.
    Data(Box<RawValue>),
    /// The subscription ended with an error (the last event).
    Failed(Box<SubscriptionFailure>),
    /// The server completed the subscription (the last event).
    Completed,
}

/// What streams tell the connection.
#[derive(Debug)]
pub(crate) enum Command {
    Subscribe {
        id: String,
        spec: Spec,
        events: mpsc::UnboundedSender<Event>,
    },
    Unsubscribe {
        id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not started on the current socket.
    Pending,
    /// `start` sent, waiting for `start_ack` until the deadline.
    Starting(Instant),
    Established,
}

#[derive(Debug)]
struct Sub {
    spec: Spec,
    events: mpsc::UnboundedSender<Event>,
    phase: Phase,
    /// Whether an expiry error was already retried with fresh credentials.
    retried_expiry: bool,
}

/// Why a connection ended.
enum Outcome {
    /// The last subscription ended; the socket was closed.
    Idle,
    /// The socket could not be opened or initialized.
    Failed(ApiError),
    /// The socket broke (closed, errored, keep-alives missed, connection error).
    Lost(ApiError),
}

pub(crate) struct Connection {
    endpoint: Arc<PreparedEndpoint>,
    state: Arc<Configured>,
    socket: SocketSettings,
    options: SubscriptionOptions,
    registry: Weak<Realtime>,
    tx: mpsc::UnboundedSender<Command>,
    rx: mpsc::UnboundedReceiver<Command>,
    subs: HashMap<String, Sub>,
    /// Whether the current socket proved itself (an ack, keep-alive or data arrived after the
    /// connection ack); a healthy socket resets the failure count.
    healthy: bool,
}

impl Connection {
    pub(crate) fn new(
        endpoint: Arc<PreparedEndpoint>,
        state: Arc<Configured>,
        socket: SocketSettings,
        options: SubscriptionOptions,
        registry: Weak<Realtime>,
        tx: mpsc::UnboundedSender<Command>,
        rx: mpsc::UnboundedReceiver<Command>,
    ) -> Self {
        Self {
            endpoint,
            state,
            socket,
            options,
            registry,
            tx,
            rx,
            subs: HashMap::new(),
            healthy: false,
        }
    }

    fn api(&self) -> &str {
        &self.endpoint.name
    }

    fn publish(&self, status: SubscriptionStatus) {
        tracing::debug!(api = self.api(), ?status, "realtime connection");
        self.state
            .hub
            .api()
            .publish(ApiHubEvent::SubscriptionConnection {
                api_name: self.endpoint.name.clone(),
                status,
            });
    }

    pub(crate) async fn run(mut self) {
        let mut failures: u32 = 0;
        loop {
            if self.subs.is_empty() && self.try_retire() {
                self.publish(SubscriptionStatus::Disconnected);
                return;
            }
            if self.subs.is_empty() {
                continue;
            }
            self.publish(SubscriptionStatus::Connecting);
            self.healthy = false;
            let outcome = match self.connect().await {
                Ok((socket, keep_alive)) => {
                    self.publish(SubscriptionStatus::Connected);
                    self.serve(socket, keep_alive).await
                }
                Err(e) => Outcome::Failed(e),
            };
            let (error, kind) = match outcome {
                Outcome::Idle => {
                    self.publish(SubscriptionStatus::PendingDisconnect);
                    continue;
                }
                Outcome::Failed(e) => (e, SubscriptionFailureKind::ConnectionFailed),
                Outcome::Lost(e) => (e, SubscriptionFailureKind::ConnectionLost),
            };
            if self.healthy {
                failures = 0;
            }
            failures += 1;
            let retry = failures <= self.options.reconnect_attempts && retryable(&error, failures);
            tracing::debug!(failures, retry, error = %error, "realtime connection ended");
            if !retry {
                self.publish(SubscriptionStatus::Failed);
                let error = Arc::new(error);
                for (_, sub) in self.subs.drain() {
                    let failure = SubscriptionFailure::new(
                        &self.endpoint.name,
                        kind,
                        Vec::new(),
                        Some(Arc::clone(&error)),
                    );
                    let _ = sub.events.send(Event::Failed(Box::new(failure)));
                }
                continue;
            }
            if kind == SubscriptionFailureKind::ConnectionLost {
                self.publish(SubscriptionStatus::ConnectionDisrupted);
            }
            for sub in self.subs.values_mut() {
                sub.phase = Phase::Pending;
            }
            let delay = self.options.backoff(failures, random_u64());
            tracing::debug!(delay_ms = delay.as_millis(), "reconnecting");
            let sleep = tokio::time::sleep(delay);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    () = &mut sleep => break,
                    command = self.rx.recv() => match command {
                        Some(command) => self.offline(command),
                        None => break,
                    },
                }
            }
        }
    }

    /// Takes the queued commands and, when no subscription is left, leaves the registry.
    fn try_retire(&mut self) -> bool {
        let Some(registry) = self.registry.upgrade() else {
            // The plugin is gone; commands can still come from live streams.
            while let Ok(command) = self.rx.try_recv() {
                self.offline(command);
            }
            return self.subs.is_empty();
        };
        let tx = self.tx.clone();
        let api = self.endpoint.name.clone();
        registry.retire(&api, &tx, || {
            while let Ok(command) = self.rx.try_recv() {
                self.offline(command);
            }
            self.subs.is_empty()
        })
    }

    /// A command while no socket is open.
    fn offline(&mut self, command: Command) {
        match command {
            Command::Subscribe { id, spec, events } => {
                self.subs.insert(
                    id,
                    Sub {
                        spec,
                        events,
                        phase: Phase::Pending,
                        retried_expiry: false,
                    },
                );
            }
            Command::Unsubscribe { id } => {
                self.subs.remove(&id);
            }
        }
    }

    /// The mode the connection is authorized with: the one all subscriptions share, else the
    /// API's default.
    fn connection_mode(&self) -> AuthorizationType {
        let mut modes = self.subs.values().map(|s| s.spec.mode);
        match modes.next() {
            Some(first) if modes.all(|m| m == first) => first,
            _ => self.endpoint.default_mode,
        }
    }

    async fn connect(&mut self) -> Result<(Socket, Duration), ApiError> {
        let mode = self.connection_mode();
        let credential = auth::resolve(mode, &self.endpoint, &self.state.registry).await?;
        let headers = authorization(
            &credential,
            &self.endpoint,
            Purpose::Connect,
            HeaderMap::new(),
            || {
                self.state
                    .signing_context(&self.endpoint, SigningService::AppSync)
            },
        )?;
        let uri = realtime_uri(&self.endpoint.uri)?;
        tracing::trace!(%uri, mode = mode.as_str(), "opening the realtime socket");
        let mut socket = socket::open(
            &self.socket,
            &uri,
            &header_subprotocol(&headers),
            self.api(),
        )
        .await?;
        send(
            &mut socket,
            ClientFrame::ConnectionInit.encode(),
            self.api(),
        )
        .await?;
        let timeout = self.options.connection_ack_timeout;
        let api = self.endpoint.name.clone();
        let ack = async {
            loop {
                match socket.next().await {
                    Some(Ok(Message::Text(text))) => match ServerFrame::decode(text.as_str()) {
                        Ok(ServerFrame::ConnectionAck {
                            connection_timeout_ms,
                        }) => return Ok(Duration::from_millis(connection_timeout_ms)),
                        Ok(ServerFrame::ConnectionError { errors })
                        | Ok(ServerFrame::Error { id: None, errors }) => {
                            return Err(refused(&api, errors));
                        }
                        Ok(other) => tracing::trace!(?other, "frame before connection_ack"),
                        Err(e) => tracing::debug!(reason = e.reason, "unreadable frame"),
                    },
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(lost(&api, "the realtime socket failed", Some(e))),
                    None => {
                        return Err(lost(
                            &api,
                            "the realtime socket closed before connection_ack",
                            None,
                        ));
                    }
                }
            }
        };
        match tokio::time::timeout(timeout, ack).await {
            Ok(Ok(keep_alive)) => Ok((socket, keep_alive)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ApiError::Timeout(TimeoutFailure::new(
                self.api(),
                TimeoutPhase::Connect,
                Some(timeout),
            ))),
        }
    }

    async fn serve(&mut self, mut socket: Socket, keep_alive: Duration) -> Outcome {
        let mut ka_deadline = Instant::now() + keep_alive;
        let pending: Vec<String> = self.subs.keys().cloned().collect();
        for id in pending {
            if let Err(e) = self.start(&mut socket, &id).await {
                return Outcome::Lost(e);
            }
        }
        loop {
            let start_deadline = self
                .subs
                .values()
                .filter_map(|s| match s.phase {
                    Phase::Starting(at) => Some(at),
                    _ => None,
                })
                .min();
            tokio::select! {
                command = self.rx.recv() => {
                    let Some(command) = command else {
                        close(&mut socket).await;
                        return Outcome::Idle;
                    };
                    match command {
                        Command::Subscribe { id, spec, events } => {
                            self.offline(Command::Subscribe { id: id.clone(), spec, events });
                            if let Err(e) = self.start(&mut socket, &id).await {
                                return Outcome::Lost(e);
                            }
                        }
                        Command::Unsubscribe { id } => {
                            if let Some(sub) = self.subs.remove(&id)
                                && sub.phase != Phase::Pending
                            {
                                let stop = ClientFrame::Stop { id: &id }.encode();
                                if let Err(e) = send(&mut socket, stop, self.api()).await {
                                    return Outcome::Lost(e);
                                }
                            }
                            if self.subs.is_empty() {
                                close(&mut socket).await;
                                return Outcome::Idle;
                            }
                        }
                    }
                }
                message = socket.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        match ServerFrame::decode(text.as_str()) {
                            Ok(ServerFrame::KeepAlive) => {
                                self.healthy = true;
                                ka_deadline = Instant::now() + keep_alive;
                            }
                            Ok(frame) => {
                                if let Some(outcome) = self.on_frame(&mut socket, frame).await {
                                    return outcome;
                                }
                            }
                            Err(e) => tracing::debug!(reason = e.reason, "unreadable frame"),
                        }
                    }
                    Some(Ok(Message::Close(_))) | None => {
                        return Outcome::Lost(lost(self.api(), "the realtime socket closed", None));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => {
                        return Outcome::Lost(lost(self.api(), "the realtime socket failed", Some(e)));
                    }
                },
                () = tokio::time::sleep_until(ka_deadline) => {
                    tracing::debug!(timeout_ms = keep_alive.as_millis(), "keep-alives missed");
                    return Outcome::Lost(ApiError::Timeout(TimeoutFailure::new(
                        self.api(),
                        TimeoutPhase::Request,
                        Some(keep_alive),
                    )));
                }
                () = sleep_until_some(start_deadline) => {
                    let now = Instant::now();
                    let expired: Vec<String> = self
                        .subs
                        .iter()
                        .filter(|(_, s)| matches!(s.phase, Phase::Starting(at) if at <= now))
                        .map(|(id, _)| id.clone())
                        .collect();
                    for id in expired {
                        let stop = ClientFrame::Stop { id: &id }.encode();
                        self.fail(&id, SubscriptionFailureKind::StartTimeout, Vec::new());
                        if let Err(e) = send(&mut socket, stop, self.api()).await {
                            return Outcome::Lost(e);
                        }
                    }
                    if self.subs.is_empty() {
                        close(&mut socket).await;
                        return Outcome::Idle;
                    }
                }
            }
        }
    }

    /// Handles a frame; `Some` when the connection must end.
    async fn on_frame(&mut self, socket: &mut Socket, frame: ServerFrame) -> Option<Outcome> {
        match frame {
            ServerFrame::StartAck { id } => {
                if let Some(sub) = self.subs.get_mut(&id) {
                    self.healthy = true;
                    if matches!(sub.phase, Phase::Starting(_)) {
                        sub.phase = Phase::Established;
                        let _ = sub.events.send(Event::Established);
                    }
                }
            }
            ServerFrame::Data { id, payload } => {
                if let Some(sub) = self.subs.get_mut(&id) {
                    self.healthy = true;
                    if matches!(sub.phase, Phase::Starting(_)) {
                        sub.phase = Phase::Established;
                        let _ = sub.events.send(Event::Established);
                    }
                    let _ = sub.events.send(Event::Data(payload));
                }
            }
            ServerFrame::Complete { id } => {
                if let Some(sub) = self.subs.remove(&id) {
                    let _ = sub.events.send(Event::Completed);
                }
                if self.subs.is_empty() {
                    close(socket).await;
                    return Some(Outcome::Idle);
                }
            }
            ServerFrame::Error {
                id: Some(id),
                errors,
            } => {
                let sub = self.subs.get_mut(&id)?;
                if is_expiry(&errors) && !sub.retried_expiry {
                    tracing::debug!(
                        "a start was refused for expiry; retrying with fresh credentials"
                    );
                    sub.retried_expiry = true;
                    if let Err(e) = self.start(socket, &id).await {
                        return Some(Outcome::Lost(e));
                    }
                } else {
                    self.fail(&id, SubscriptionFailureKind::Rejected, errors);
                    if self.subs.is_empty() {
                        close(socket).await;
                        return Some(Outcome::Idle);
                    }
                }
            }
            ServerFrame::Error { id: None, errors } | ServerFrame::ConnectionError { errors } => {
                return Some(Outcome::Lost(refused(self.api(), errors)));
            }
            ServerFrame::ConnectionAck { .. } | ServerFrame::KeepAlive => {}
            ServerFrame::Other { kind } => tracing::trace!(kind, "ignored frame"),
        }
        None
    }

    /// Sends the `start` of subscription `id` with fresh authorization. A subscription whose
    /// authorization cannot be made fails alone; an error sending ends the connection.
    async fn start(&mut self, socket: &mut Socket, id: &str) -> Result<(), ApiError> {
        let Some(sub) = self.subs.get(id) else {
            return Ok(());
        };
        let mode = sub.spec.mode;
        let headers = sub.spec.headers.clone();
        let credential = if auth::pre_authorized(&headers, mode) {
            Ok(Credential::Unchanged)
        } else {
            auth::resolve(mode, &self.endpoint, &self.state.registry).await
        };
        let Some(sub) = self.subs.get(id) else {
            return Ok(());
        };
        let authorized = credential.and_then(|credential| {
            authorization(
                &credential,
                &self.endpoint,
                Purpose::Start {
                    data: &sub.spec.data,
                },
                headers,
                || {
                    self.state
                        .signing_context(&self.endpoint, SigningService::AppSync)
                },
            )
        });
        let headers = match authorized {
            Ok(headers) => headers,
            Err(e) => {
                self.fail_with(id, SubscriptionFailureKind::Rejected, Vec::new(), Some(e));
                return Ok(());
            }
        };
        let frame = ClientFrame::Start {
            id,
            data: &sub.spec.data,
            authorization: &headers,
        }
        .encode();
        if let Some(sub) = self.subs.get_mut(id) {
            sub.phase = Phase::Starting(Instant::now() + self.options.start_ack_timeout);
        }
        send(socket, frame, &self.endpoint.name).await
    }

    fn fail(&mut self, id: &str, kind: SubscriptionFailureKind, errors: Vec<GraphQlError>) {
        self.fail_with(id, kind, errors, None);
    }

    fn fail_with(
        &mut self,
        id: &str,
        kind: SubscriptionFailureKind,
        errors: Vec<GraphQlError>,
        source: Option<ApiError>,
    ) {
        if let Some(sub) = self.subs.remove(id) {
            tracing::debug!(?kind, errors = errors.len(), "subscription failed");
            let failure =
                SubscriptionFailure::new(&self.endpoint.name, kind, errors, source.map(Arc::new));
            let _ = sub.events.send(Event::Failed(Box::new(failure)));
        }
    }
}

/// Closes the socket with the close handshake: sends `Close` and reads (discarding) until the
/// server's `Close` or EOF, for at most a second, so frames still in flight are not reset away.
async fn close(socket: &mut Socket) {
    let _ = socket.close(None).await;
    let drain = async { while let Some(Ok(_)) = socket.next().await {} };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}

async fn send(socket: &mut Socket, text: String, api: &str) -> Result<(), ApiError> {
    socket
        .send(Message::text(text))
        .await
        .map_err(|e| lost(api, "could not write to the realtime socket", Some(e)))
}

async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn lost(
    api: &str,
    message: &'static str,
    source: Option<tokio_tungstenite::tungstenite::Error>,
) -> ApiError {
    ApiError::Transport(TransportFailure::new(
        api,
        DispatchState::MaybeSent,
        message,
        source.map(|e| Box::new(e) as amplify_core::BoxError),
    ))
}

/// A `connection_error` (or an `error` without id): the connection is refused.
fn refused(api: &str, errors: Vec<GraphQlError>) -> ApiError {
    ApiError::Subscription(Box::new(SubscriptionFailure::new(
        api,
        SubscriptionFailureKind::ConnectionFailed,
        errors,
        None,
    )))
}

/// Whether errors say the credentials expired (then asking the provider again may help).
fn is_expiry(errors: &[GraphQlError]) -> bool {
    errors.iter().any(|e| {
        let message = e.message.to_ascii_lowercase();
        message.contains("expired")
            || e.error_type
                .as_deref()
                .is_some_and(|t| t.to_ascii_lowercase().contains("expired"))
    })
}

/// Whether reconnecting may help after `error` (the `failures`-th in a row): network trouble
/// always; a refusal (authorization, `connection_error`) once, with fresh credentials.
fn retryable(error: &ApiError, failures: u32) -> bool {
    use amplify_core::AmplifyError as _;
    match error {
        ApiError::Transport(_) | ApiError::Timeout(_) => true,
        ApiError::Unauthorized(_) | ApiError::Subscription(_) => failures <= 1,
        ApiError::HttpStatus(f) => f.is_retryable() || failures <= 1,
        other => other.is_retryable(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(error_type: Option<&str>, message: &str) -> GraphQlError {
        serde_json::from_value(serde_json::json!({"errorType": error_type, "message": message}))
            .unwrap()
    }

    #[test]
    fn expiry_errors_are_recognized() {
        assert!(is_expiry(&[error(
            Some("UnauthorizedException"),
            "Token has expired."
        )]));
        assert!(is_expiry(&[error(Some("TokenExpiredException"), "x")]));
        assert!(is_expiry(&[error(
            None,
            "Signature expired: 20231114T221320Z is now earlier"
        )]));
        assert!(!is_expiry(&[error(
            Some("UnauthorizedException"),
            "Not Authorized"
        )]));
        assert!(!is_expiry(&[]));
    }

    #[test]
    fn network_failures_retry_refusals_once() {
        let transport = lost("a", "x", None);
        assert!(retryable(&transport, 1));
        assert!(retryable(&transport, 7));
        let refusal = refused("a", vec![error(Some("UnauthorizedException"), "no")]);
        assert!(retryable(&refusal, 1));
        assert!(!retryable(&refusal, 2));
        assert!(!retryable(&ApiError::configuration(None, "x"), 1));
    }
}
