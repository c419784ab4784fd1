//! The emulator behind the socket: a sans-IO [`Backend`] that turns an `http::Request<Bytes>`
//! into an `http::Response<Bytes>`. This is the top layer with the builder and handle: it builds
//! the state from specs ([`build`]), routes requests ([`routing`]) and hands each operation a
//! [`Ctx`] and the [`Store`].

use std::sync::{Arc, Mutex, PoisonError};

use amplify_core::time::SharedTimeSource;
use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::{Map, Value, json};

use crate::appsync::{self, AppSync};
use crate::console::ConsoleState;
use crate::context::{Ctx, CtxParts, Op};
use crate::credentials::CredentialStore;
use crate::error::{CognitoError, ErrorKind};
use crate::faults::{Fault, Faults, RequestCounters};
use crate::identity_pool;
use crate::jwt::Keys;
use crate::oidc::{OidcIssuer, OidcToken};
use crate::outbox::Outbox;
use crate::protocol::{
    self, Input, Service, aws_response, error_response, html_error_response,
    unknown_operation_response,
};
use crate::state::{State, Store};
use crate::timefmt::epoch_secs;
use crate::user_pool::{self, Pool};
use crate::util::Rng;
use crate::verify::{self, TokenError, VerifiedToken};

mod build;
mod realtime;
mod routing;

pub(crate) use build::{BuildParts, HostedUiLayout, Layout, MAX_ROTATION_GRACE, PoolLayout};
pub(crate) use realtime::offered_protocols;

struct Inner {
    store: Store,
    clock: SharedTimeSource,
    rng: Rng,
    keys: Keys,
    outbox: Outbox,
    faults: Faults,
    counters: RequestCounters,
    credentials: CredentialStore,
    issuers: Vec<OidcIssuer>,
    endpoint: Mutex<String>,
    layout: Layout,
    appsync: AppSync,
    panics: Mutex<Vec<String>>,
    console: ConsoleState,
}

/// The emulator without its socket: state, clock, outbox, faults and counters behind a
/// cheap-to-clone handle. [`Backend::handle`] answers HTTP requests without any IO, which is how
/// the fuzz target and unit tests drive it.
#[derive(Clone)]
pub struct Backend {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("endpoint", &self.endpoint())
            .field(
                "user_pools",
                &self
                    .inner
                    .layout
                    .user_pools
                    .iter()
                    .map(|p| &p.id)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Backend {
    pub(crate) fn set_endpoint(&self, endpoint: String) {
        *self
            .inner
            .endpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = endpoint;
    }

    /// The data directory's database, if there is one.
    pub(crate) fn persist(&self) -> Option<&Arc<crate::state::persist::Persist>> {
        self.inner.store.persist()
    }

    /// The endpoint URL token issuers are built from (`http://127.0.0.1:<port>`).
    pub fn endpoint(&self) -> String {
        self.inner
            .endpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn record_panic(&self, message: String) {
        self.inner
            .panics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(message);
    }

    /// Panics caught while serving requests (a panicking custom auth trigger, for example).
    pub fn panics(&self) -> Vec<String> {
        self.inner
            .panics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn layout(&self) -> &Layout {
        &self.inner.layout
    }

    pub(crate) fn appsync(&self) -> &AppSync {
        &self.inner.appsync
    }

    /// A fresh request id.
    pub(crate) fn request_id(&self) -> String {
        self.inner.rng.uuid()
    }

    /// The answer an injected fault replaces the real one with (`None`: the fault does not
    /// replace the answer, e.g. a delay).
    pub(crate) fn injected_response(
        &self,
        operation: &str,
        fault: &Fault,
    ) -> Option<Response<Bytes>> {
        let request_id = self.request_id();
        let (kind, message) = match fault {
            Fault::InternalError => (
                ErrorKind::InternalError,
                "Injected fault: internal error.".to_owned(),
            ),
            // Cognito's throttling message.
            Fault::Throttle => (ErrorKind::TooManyRequests, "Rate exceeded".to_owned()),
            Fault::ServiceError(kind) => (*kind, format!("Injected fault: {kind}.")),
            Fault::UnknownOperation => return Some(unknown_operation_response(&request_id)),
            Fault::HtmlError(status) => return Some(html_error_response(*status)),
            Fault::MalformedJson => {
                return Some(crate::faults::malformed_json_response(
                    operation,
                    &request_id,
                ));
            }
            Fault::Delay(_) | Fault::DropConnection | Fault::TruncatedBody | Fault::Silence => {
                return None;
            }
        };
        let appsync_shape = match kind {
            ErrorKind::InternalError => appsync::fault_response(operation, true),
            ErrorKind::TooManyRequests => appsync::fault_response(operation, false),
            _ => None,
        };
        Some(
            appsync_shape
                .unwrap_or_else(|| error_response(&CognitoError::new(kind, message), &request_id)),
        )
    }

    /// The outbox.
    pub fn outbox(&self) -> &Outbox {
        &self.inner.outbox
    }

    /// The fault table.
    pub fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    /// The request counters.
    pub fn counters(&self) -> &RequestCounters {
        &self.inner.counters
    }

    /// The AWS credentials the identity pools issued.
    pub fn credentials(&self) -> &CredentialStore {
        &self.inner.credentials
    }

    /// The emulator's clock.
    pub fn clock(&self) -> &SharedTimeSource {
        &self.inner.clock
    }

    /// Runs `f` with a context read from the clock now (the state is not locked).
    fn with_context<R>(&self, f: impl FnOnce(&Ctx<'_>) -> R) -> R {
        let endpoint = self.endpoint();
        let ctx = Ctx::at(
            self.inner.clock.now(),
            CtxParts {
                rng: &self.inner.rng,
                keys: &self.inner.keys,
                outbox: &self.inner.outbox,
                endpoint: &endpoint,
                credentials: &self.inner.credentials,
                issuers: &self.inner.issuers,
            },
        );
        f(&ctx)
    }

    /// The web console's per-process state (form token, recent requests).
    pub(crate) fn console(&self) -> &ConsoleState {
        &self.inner.console
    }

    /// Runs `f` with the state locked and a context read from the clock now.
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&Ctx<'_>, &mut State) -> R) -> R {
        self.with_context(|ctx| self.inner.store.transact(|state| f(ctx, state)))
    }

    /// Runs `f` on one user pool with the state locked.
    pub(crate) fn with_user_pool<R>(
        &self,
        pool_id: &str,
        f: impl FnOnce(&Ctx<'_>, &mut Pool) -> Result<R, CognitoError>,
    ) -> Result<R, CognitoError> {
        self.with_state(|ctx, st| f(ctx, st.user_pools.pool_mut(pool_id)?))
    }

    /// The developer provider name of an identity pool.
    pub(crate) fn developer_provider(
        &self,
        identity_pool_id: &str,
    ) -> Result<String, CognitoError> {
        self.with_state(|_, st| {
            st.identity
                .pools
                .get(identity_pool_id)
                .and_then(|p| p.spec.developer_provider_name.clone())
                .ok_or_else(|| {
                    CognitoError::resource_not_found("The identity pool has no developer provider.")
                })
        })
    }

    /// Runs one AWS JSON operation by name (`InitiateAuth`, `GetId`, `AdminCreateUser`, ...),
    /// exactly as if it came over HTTP (minus faults and counters).
    ///
    /// # Errors
    ///
    /// The [`CognitoError`] the operation answers with.
    pub fn call(&self, operation: &str, request: &Value) -> Result<Value, CognitoError> {
        let op = find_operation(operation).ok_or_else(|| unknown_operation(operation))?;
        let members = match request {
            Value::Object(map) => map.clone(),
            Value::Null => Map::new(),
            _ => {
                return Err(CognitoError::serialization(
                    "The request must be a JSON object.",
                ));
            }
        };
        self.with_state(|ctx, st| op(ctx, st, Input::new(&members)))
    }

    /// Answers an AWS JSON 1.1 request given its `X-Amz-Target` and body.
    pub fn handle_aws_json(&self, target: &str, body: &[u8]) -> Response<Bytes> {
        let request_id = self.inner.rng.uuid();
        let op =
            protocol::parse_target(target).and_then(|(service, name)| operation_in(service, name));
        let Some(op) = op else {
            return unknown_operation_response(&request_id);
        };
        // User-pool tokens are signed after the state lock is released (`Ctx::defer_signing`).
        let result = protocol::parse_body(body).and_then(|members| {
            self.with_context(|ctx| {
                ctx.defer_signing();
                let answer = self
                    .inner
                    .store
                    .transact(|st| op(ctx, st, Input::new(&members)));
                ctx.finish_signing(answer)
            })
        });
        match result {
            Ok(value) => aws_response(StatusCode::OK, &value, &request_id, None),
            Err(e) => error_response(&e, &request_id),
        }
    }

    /// Mints a token from one of the emulator's OIDC issuers (`accounts.google.com` is always
    /// there; add others with `EmulatorBuilder::oidc_issuer`).
    ///
    /// # Errors
    ///
    /// `InvalidParameterException` when the issuer is not hosted by the emulator.
    pub fn mint_oidc_token(&self, token: &OidcToken) -> Result<String, CognitoError> {
        let wanted = OidcIssuer::new(&token.issuer);
        let issuer = self
            .inner
            .issuers
            .iter()
            .find(|i| i.provider_name == wanted.provider_name)
            .ok_or_else(|| {
                CognitoError::invalid_parameter(format!(
                    "The emulator hosts no OIDC issuer {}; add it with EmulatorBuilder::oidc_issuer.",
                    token.issuer
                ))
            })?;
        let now = epoch_secs(self.inner.clock.now());
        self.inner
            .keys
            .federation
            .sign(&token.claims_at(issuer, now))
    }

    /// Verifies a user pool ID or access token: signature, issuer, expiry (emulator clock),
    /// revocation and global sign-out, and that the user still exists and is enabled.
    ///
    /// # Errors
    ///
    /// [`TokenError`] says why the token is refused.
    pub fn verify_user_pool_token(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        self.with_state(|ctx, st| verify::user_pool_token(ctx, st, token))
    }

    /// Verifies a token from one of the emulator's OIDC issuers, or an identity-pool OpenID token.
    ///
    /// # Errors
    ///
    /// [`TokenError`] says why the token is refused.
    pub fn verify_oidc_token(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        self.with_context(|ctx| verify::oidc_token(ctx, token))
    }

    /// The public JWKS of the user pools (all pools share the development key).
    pub fn user_pool_jwks(&self) -> Value {
        json!({ "keys": [self.inner.keys.user_pool.jwk()] })
    }

    /// The public JWKS of the OIDC issuers and identity-pool OpenID tokens.
    pub fn federation_jwks(&self) -> Value {
        json!({ "keys": [self.inner.keys.federation.jwk()] })
    }
}

fn find_operation(name: &str) -> Option<Op> {
    operation_in(Service::UserPools, name).or_else(|| operation_in(Service::Identity, name))
}

fn operation_in(service: Service, name: &str) -> Option<Op> {
    let table = match service {
        Service::UserPools => user_pool::OPERATIONS,
        Service::Identity => identity_pool::OPERATIONS,
    };
    table.iter().find(|(n, _)| *n == name).map(|(_, op)| *op)
}

/// Every operation name the emulator implements, with its full `X-Amz-Target`.
pub fn supported_targets() -> Vec<String> {
    user_pool::OPERATIONS
        .iter()
        .map(|(n, _)| format!("AWSCognitoIdentityProviderService.{n}"))
        .chain(
            identity_pool::OPERATIONS
                .iter()
                .map(|(n, _)| format!("AWSCognitoIdentityService.{n}")),
        )
        .collect()
}

fn unknown_operation(target: &str) -> CognitoError {
    let shown: String = target.chars().take(128).collect();
    CognitoError::new(
        ErrorKind::UnknownOperation,
        if shown.is_empty() {
            "Missing X-Amz-Target header.".to_owned()
        } else {
            format!("Unknown operation {shown}")
        },
    )
}

#[cfg(test)]
mod appsync_tests;
#[cfg(test)]
mod tests;
