//! [`SubscriptionFailure`]: why a GraphQL subscription ended with an error.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use crate::error::ApiError;
use crate::graphql::GraphQlError;

/// What ended a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubscriptionFailureKind {
    /// AppSync answered the subscription's `start` with an `error` frame (not authorized, invalid
    /// document, too many subscriptions, ...); see [`SubscriptionFailure::graphql_errors`]. An
    /// authorization error caused by expiry was already retried once with a fresh token or
    /// fresh credentials.
    Rejected,
    /// No `start_ack` came within the start timeout.
    StartTimeout,
    /// The connection could not be opened or was refused (`connection_error`, an HTTP error on
    /// the upgrade, no `connection_ack` in time), and retrying could not help or was exhausted.
    ConnectionFailed,
    /// The connection was lost (socket closed, keep-alives missed) and every reconnect attempt
    /// failed.
    ConnectionLost,
}

/// A subscription ended with an error. The stream yields it as its last item, and
/// [`GraphQlSubscription::established`](crate::GraphQlSubscription::established) returns it.
#[derive(Debug, Clone)]
pub struct SubscriptionFailure {
    api: String,
    kind: SubscriptionFailureKind,
    graphql_errors: Vec<GraphQlError>,
    source: Option<Arc<ApiError>>,
}

impl SubscriptionFailure {
    #[cfg(feature = "realtime")]
    pub(crate) fn new(
        api: &str,
        kind: SubscriptionFailureKind,
        graphql_errors: Vec<GraphQlError>,
        source: Option<Arc<ApiError>>,
    ) -> Self {
        Self {
            api: api.to_owned(),
            kind,
            graphql_errors,
            source,
        }
    }

    /// What ended the subscription.
    pub fn kind(&self) -> SubscriptionFailureKind {
        self.kind
    }

    /// The API the subscription was on.
    pub fn api_name(&self) -> &str {
        &self.api
    }

    /// The GraphQL errors of the `error` or `connection_error` frame, if one ended it.
    pub fn graphql_errors(&self) -> &[GraphQlError] {
        &self.graphql_errors
    }

    /// The error of the last attempt (the provider's, the transport's, the upgrade's status...),
    /// when there was one. Also the `source()`.
    pub fn cause(&self) -> Option<&ApiError> {
        self.source.as_deref()
    }

    /// The first GraphQL `errorType` (`UnauthorizedException`, ...).
    pub fn code(&self) -> Option<&str> {
        self.graphql_errors
            .iter()
            .find_map(|e| e.error_type.as_deref())
            .or_else(|| {
                self.source
                    .as_deref()
                    .and_then(amplify_core::AmplifyError::code)
            })
    }

    /// Whether subscribing again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            SubscriptionFailureKind::Rejected => false,
            SubscriptionFailureKind::StartTimeout | SubscriptionFailureKind::ConnectionLost => true,
            SubscriptionFailureKind::ConnectionFailed => self
                .source
                .as_deref()
                .is_some_and(amplify_core::AmplifyError::is_retryable),
        }
    }

    /// Whether it is about authorization (an `Unauthorized` error type, or a refused or missing
    /// token or credentials).
    pub fn is_authorization_failure(&self) -> bool {
        self.graphql_errors.iter().any(|e| {
            e.error_type
                .as_deref()
                .is_some_and(|t| t.contains("Unauthorized"))
        }) || self
            .source
            .as_deref()
            .is_some_and(ApiError::is_authorization_failure)
    }
}

impl fmt::Display for SubscriptionFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            SubscriptionFailureKind::Rejected => "was rejected",
            SubscriptionFailureKind::StartTimeout => "was not acknowledged in time",
            SubscriptionFailureKind::ConnectionFailed => "could not connect",
            SubscriptionFailureKind::ConnectionLost => {
                "lost its connection and could not reconnect"
            }
        };
        write!(f, "a subscription to API `{}` {what}", self.api)?;
        if let Some(error) = self.graphql_errors.first() {
            write!(f, ": {error}")?;
        }
        Ok(())
    }
}

impl StdError for SubscriptionFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}
