//! GraphQL subscriptions: [`SubscriptionOperation`] and the [`GraphQlSubscription`] stream it
//! starts.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use amplify_core::AuthorizationType;
use amplify_core::config::EndpointType;
use http::StatusCode;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;

use crate::error::{ApiError, DecodeFailure, SubscriptionFailure, SubscriptionFailureKind};
use crate::graphql::{GraphQlResponse, codec};
use crate::operation::graphql::encode_body;
use crate::realtime::connection::{Command, Event, Spec};
use crate::realtime::{Realtime, subscription_id};
use crate::request::{Dispatcher, RequestHeaders};

/// A GraphQL subscription being built; start it with [`start`](Self::start).
///
/// Created by [`ApiPlugin::subscribe`](crate::ApiPlugin::subscribe), with the same setters as
/// queries. Every subscription to one API shares one WebSocket.
///
/// # Examples
///
/// ```no_run
/// # async fn run(api: amplify_api::ApiPlugin) -> Result<(), amplify_api::ApiError> {
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Todo { id: String, name: String }
///
/// let mut todos = api
///     .subscribe("subscription { onCreateTodo { id name } }")
///     .decode_path("onCreateTodo")
///     .start::<Todo>()?;
/// todos.established().await?;
/// while let Some(event) = todos.next().await {
///     let todo = event?.data;
///     # let _ = todo;
/// }
/// # Ok(()) }
/// ```
#[must_use = "a subscription does nothing until `start` is called"]
pub struct SubscriptionOperation {
    dispatcher: Arc<Dispatcher>,
    realtime: Arc<Realtime>,
    document: String,
    variables: Option<Result<serde_json::Value, serde_json::Error>>,
    operation_name: Option<String>,
    api_name: Option<String>,
    mode: Option<AuthorizationType>,
    headers: RequestHeaders,
    decode_path: Option<String>,
}

impl fmt::Debug for SubscriptionOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubscriptionOperation")
            .field("operation_name", &self.operation_name)
            .field("api_name", &self.api_name)
            .field("authorization_mode", &self.mode)
            .field("headers", &self.headers)
            .field("decode_path", &self.decode_path)
            .finish_non_exhaustive()
    }
}

crate::operation::graphql_request_setters!(SubscriptionOperation);

impl SubscriptionOperation {
    pub(crate) fn new(
        dispatcher: Arc<Dispatcher>,
        realtime: Arc<Realtime>,
        document: String,
    ) -> Self {
        Self {
            dispatcher,
            realtime,
            document,
            variables: None,
            operation_name: None,
            api_name: None,
            mode: None,
            headers: RequestHeaders::default(),
            decode_path: None,
        }
    }

    /// Starts the subscription and returns its stream of responses, whose `data` (or the value
    /// at the decode path) is decoded into `T`. The API's WebSocket is opened (or shared) in the
    /// background; await [`GraphQlSubscription::established`] to know AppSync accepted it.
    ///
    /// # Errors
    ///
    /// Only what is wrong before anything is sent: [`ApiError::NotConfigured`], an unknown or
    /// ambiguous API, an invalid header or variables ([`ApiError::InvalidRequest`]), no Tokio
    /// runtime or an unusable HTTP client ([`ApiError::Configuration`]). Everything later
    /// comes through the stream.
    pub fn start<T: DeserializeOwned>(self) -> Result<GraphQlSubscription<T>, ApiError> {
        let state = self.dispatcher.state()?;
        let endpoint = state.endpoint(EndpointType::GraphQl, self.api_name.as_deref())?;
        let mode = self.mode.unwrap_or(endpoint.default_mode);
        let headers = self.headers.into_map()?;
        let body = encode_body(
            &self.document,
            self.variables,
            self.operation_name.as_deref(),
        )?;
        let data = String::from_utf8(body)
            .map_err(|e| ApiError::invalid_request_with("the request is not UTF-8", e))?;
        let socket = self
            .dispatcher
            .transport
            .as_ref()
            .map_err(|e| {
                ApiError::configuration_with(
                    None,
                    "the HTTP client could not be built",
                    Arc::clone(e),
                )
            })?
            .socket_settings()
            .clone();
        let id = subscription_id();
        let (events_tx, events) = mpsc::unbounded_channel();
        let api = endpoint.name.clone();
        tracing::debug!(api = api.as_str(), mode = mode.as_str(), "subscribing");
        let commands = self.realtime.subscribe(
            state,
            endpoint,
            socket,
            id.clone(),
            Spec {
                mode,
                data,
                headers,
            },
            events_tx,
        )?;
        Ok(GraphQlSubscription {
            api,
            events,
            guard: Some(StopGuard { commands, id }),
            decode_path: self.decode_path,
            buffered: VecDeque::new(),
            established: false,
            failure: None,
            finished: false,
            _data: PhantomData,
        })
    }
}

/// Sends `stop` for the subscription when dropped.
struct StopGuard {
    commands: mpsc::UnboundedSender<Command>,
    id: String,
}

impl Drop for StopGuard {
    fn drop(&mut self) {
        // The connection may be gone already; then there is nothing to stop.
        let _ = self.commands.send(Command::Unsubscribe {
            id: std::mem::take(&mut self.id),
        });
    }
}

/// A running GraphQL subscription: a [`Stream`](futures_core::Stream) (also readable with
/// [`next`](Self::next)) of [`GraphQlResponse`]s.
///
/// Items are `Ok(response)` for each `data` event (GraphQL errors inside it are in
/// [`errors`](GraphQlResponse::errors)), or `Err(ApiError::Decode)` for an event that did not
/// decode into `T` (the stream goes on). The stream ends with `None` when the server completes
/// the subscription, or right after one `Err(`[`ApiError::Subscription`]`)` when it cannot go
/// on (rejected, never acknowledged, connection failed for good): never silently. Reconnects
/// are invisible here (watch the Hub's API channel).
///
/// Dropping it sends `stop`; the last subscription of an API to end closes its WebSocket.
pub struct GraphQlSubscription<T> {
    api: String,
    events: mpsc::UnboundedReceiver<Event>,
    guard: Option<StopGuard>,
    decode_path: Option<String>,
    /// Events read by [`established`](Self::established) before the stream was polled.
    buffered: VecDeque<Event>,
    established: bool,
    failure: Option<Box<SubscriptionFailure>>,
    finished: bool,
    _data: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for GraphQlSubscription<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphQlSubscription")
            .field("api", &self.api)
            .field("id", &self.id())
            .field("established", &self.established)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<T> GraphQlSubscription<T> {
    /// The subscription's id (the `id` of its frames).
    pub fn id(&self) -> &str {
        self.guard.as_ref().map_or("", |g| g.id.as_str())
    }

    /// The API the subscription is on.
    pub fn api_name(&self) -> &str {
        &self.api
    }

    /// Waits until AppSync acknowledged the subscription (`start_ack`), so events of mutations
    /// made from now on will arrive. Events that arrive meanwhile are kept for the stream.
    ///
    /// # Errors
    ///
    /// [`ApiError::Subscription`] when the subscription ended before it was established (the
    /// stream then yields the same error).
    pub async fn established(&mut self) -> Result<(), ApiError> {
        if let Some(failure) = &self.failure {
            return Err(ApiError::Subscription(failure.clone()));
        }
        while !self.established {
            match self.events.recv().await {
                Some(Event::Established) => self.established = true,
                Some(Event::Data(payload)) => {
                    self.established = true;
                    self.buffered.push_back(Event::Data(payload));
                }
                Some(Event::Failed(failure)) => {
                    let error = ApiError::Subscription(failure.clone());
                    self.failure = Some(failure);
                    return Err(error);
                }
                Some(Event::Completed) => {
                    self.buffered.push_back(Event::Completed);
                    return Err(self.ended_early(SubscriptionFailureKind::Rejected));
                }
                None => {
                    return Err(self.ended_early(SubscriptionFailureKind::ConnectionLost));
                }
            }
        }
        Ok(())
    }

    fn ended_early(&self, kind: SubscriptionFailureKind) -> ApiError {
        ApiError::Subscription(Box::new(SubscriptionFailure::new(
            &self.api,
            kind,
            Vec::new(),
            None,
        )))
    }
}

impl<T: DeserializeOwned> GraphQlSubscription<T> {
    /// The next response; `None` once the subscription has ended.
    pub async fn next(&mut self) -> Option<Result<GraphQlResponse<T>, ApiError>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    fn decode(
        &self,
        payload: &serde_json::value::RawValue,
    ) -> Result<GraphQlResponse<T>, ApiError> {
        let decoded =
            codec::decode_response::<T>(payload.get().as_bytes(), self.decode_path.as_deref())
                .map_err(|e| DecodeFailure::from_codec(*e, None))?;
        Ok(GraphQlResponse::new(
            decoded.data,
            decoded.errors,
            None,
            StatusCode::OK,
        ))
    }

    fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<GraphQlResponse<T>, ApiError>>> {
        if self.finished {
            return Poll::Ready(None);
        }
        if let Some(failure) = self.failure.take() {
            self.finish();
            return Poll::Ready(Some(Err(ApiError::Subscription(failure))));
        }
        loop {
            let event = match self.buffered.pop_front() {
                Some(event) => event,
                None => match self.events.poll_recv(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(event) => match event {
                        Some(event) => event,
                        None => {
                            // The connection task is gone without a word: say so.
                            self.finish();
                            let error = self.ended_early(SubscriptionFailureKind::ConnectionLost);
                            return Poll::Ready(Some(Err(error)));
                        }
                    },
                },
            };
            match event {
                Event::Established => self.established = true,
                Event::Data(payload) => return Poll::Ready(Some(self.decode(&payload))),
                Event::Failed(failure) => {
                    self.finish();
                    return Poll::Ready(Some(Err(ApiError::Subscription(failure))));
                }
                Event::Completed => {
                    self.finish();
                    return Poll::Ready(None);
                }
            }
        }
    }

    fn finish(&mut self) {
        self.finished = true;
        // Stopping a subscription the server ended is harmless; the connection ignores it.
        self.guard = None;
    }
}

impl<T: DeserializeOwned> futures_core::Stream for GraphQlSubscription<T> {
    type Item = Result<GraphQlResponse<T>, ApiError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}

impl<T: DeserializeOwned> futures_core::FusedStream for GraphQlSubscription<T> {
    fn is_terminated(&self) -> bool {
        self.finished
    }
}
