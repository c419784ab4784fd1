//! [`HostedUiError`]: what went wrong in a hosted-UI (managed login) sign-in.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use amplify_core::BoxError;

use super::{AuthError, SharedSource, boxed_source};

/// What went wrong in a hosted-UI sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HostedUiErrorKind {
    /// The configuration has no OAuth section, or no redirect URI this call can use.
    NotConfigured,
    /// The browser could not be opened.
    Browser,
    /// No redirect came back in time (the user closed the browser or walked away).
    TimedOut,
    /// The user (or the identity provider) refused: `error=access_denied` on the redirect.
    AccessDenied,
    /// The redirect carried another OAuth error (`invalid_request`, `invalid_scope`, ...).
    Authorization,
    /// The redirect's `state` is not this sign-in's (a forged or stale redirect).
    StateMismatch,
    /// The redirect carried neither a code nor an error.
    InvalidRedirect,
    /// The token endpoint refused the code (`invalid_grant`, `invalid_client`, ...).
    TokenEndpoint,
    /// The token endpoint could not be reached or gave no usable answer: a network failure, a
    /// timeout, throttling, a 5xx, or a body that is not JSON (a proxy's error page).
    TokenEndpointUnavailable,
    /// The loopback listener failed (the redirect URI's port is taken, ...).
    Listener,
}

/// A hosted-UI failure: its kind, and the OAuth `error` / `error_description` the server sent.
#[derive(Debug, Clone)]
pub struct HostedUiError {
    kind: HostedUiErrorKind,
    error: Option<String>,
    description: Option<String>,
    status: Option<u16>,
    source: Option<SharedSource>,
}

impl HostedUiError {
    pub(crate) fn new(kind: HostedUiErrorKind) -> Self {
        Self {
            kind,
            error: None,
            description: None,
            status: None,
            source: None,
        }
    }

    pub(crate) fn with_server(mut self, error: &str, description: Option<&str>) -> Self {
        self.error = Some(error.to_owned());
        self.description = description.map(str::to_owned);
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// The kind, for matching.
    pub fn kind(&self) -> HostedUiErrorKind {
        self.kind
    }

    /// The OAuth `error` code the server sent (`access_denied`, `invalid_grant`, ...).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The server's `error_description`.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The token endpoint's HTTP status.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

impl fmt::Display for HostedUiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            HostedUiErrorKind::NotConfigured => "the hosted UI is not configured for this",
            HostedUiErrorKind::Browser => "the browser could not be opened",
            HostedUiErrorKind::TimedOut => "no sign-in redirect came back in time",
            HostedUiErrorKind::AccessDenied => "the sign-in was refused",
            HostedUiErrorKind::Authorization => "the authorization server refused the request",
            HostedUiErrorKind::StateMismatch => {
                "the redirect is not from this sign-in (state mismatch)"
            }
            HostedUiErrorKind::InvalidRedirect => "the redirect carries no authorization code",
            HostedUiErrorKind::TokenEndpoint => "the token endpoint refused the code",
            HostedUiErrorKind::TokenEndpointUnavailable => {
                "the token endpoint could not be reached or gave no usable answer"
            }
            HostedUiErrorKind::Listener => "the redirect listener failed",
        };
        f.write_str(what)?;
        if let Some(error) = &self.error {
            write!(f, " ({error}")?;
            if let Some(description) = &self.description {
                write!(f, ": {description}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl StdError for HostedUiError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        boxed_source(self.source.as_ref())
    }
}

impl From<HostedUiError> for AuthError {
    fn from(e: HostedUiError) -> Self {
        AuthError::HostedUi(e)
    }
}
