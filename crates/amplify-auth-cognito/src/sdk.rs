//! The official AWS SDK clients, configured from the Amplify configuration, and the mapping of
//! their errors.

use std::collections::VecDeque;
use std::error::Error as StdError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use amplify_core::config::AuthConfig;
use aws_sdk_cognitoidentity as ci;
use aws_sdk_cognitoidentityprovider as idp;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::BodyExt;
use secrecy::SecretString;
use sha2::Sha256;

use crate::AuthError;
use crate::clock::DateHeaderInterceptor;
use crate::error::{CognitoService, NetworkError, NetworkPhase, ServiceError, ServiceErrorKind};
use amplify_core::time::SkewCorrectedClock;

pub(crate) const IDP: CognitoService = CognitoService::UserPools;
pub(crate) const IDENTITY: CognitoService = CognitoService::IdentityPools;

/// The Cognito clients of one configured plugin.
#[derive(Debug, Clone)]
pub(crate) struct Clients {
    pub(crate) idp: Option<idp::Client>,
    pub(crate) identity: Option<ci::Client>,
    /// Session tokens taken out of responses before the SDK logs them (see [`SessionTokenVault`]).
    pub(crate) vault: SessionTokenVault,
}

/// The Cognito Identity model does not mark `SessionToken` sensitive, so the SDK would print it in
/// its TRACE log of every `GetCredentialsForIdentity` output. An interceptor moves it here before
/// deserialization and leaves a placeholder; [`take`](Self::take) swaps it back.
///
/// Tokens wait here as [`SecretString`]s (zeroized when dropped). A call whose future is dropped
/// between the response and [`take`](Self::take) leaves its token behind; at most
/// [`VAULT_CAPACITY`] tokens are kept, the oldest dropped (and zeroized) first, so nothing
/// accumulates.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionTokenVault {
    tokens: Arc<Mutex<VecDeque<(String, SecretString)>>>,
    next: Arc<AtomicU64>,
}

const VAULT_PREFIX: &str = "amplify-redacted-session-token-";

/// Credentials calls are single-flight per plugin, so a handful in flight is already many.
pub(crate) const VAULT_CAPACITY: usize = 8;

impl SessionTokenVault {
    /// The body with `Credentials.SessionToken` replaced by a placeholder (`None`: nothing to do).
    fn redact(&self, body: &[u8]) -> Option<Vec<u8>> {
        let mut json = serde_json::from_slice::<serde_json::Value>(body).ok()?;
        let serde_json::Value::String(value) = json.pointer_mut("/Credentials/SessionToken")?
        else {
            return None;
        };
        let real = SecretString::from(std::mem::take(value));
        *value = self.stash(real);
        let out = serde_json::to_vec(&json).ok();
        // The parsed copy of the body (with the token's other fields) goes away here; the token
        // itself now lives only in the vault.
        drop(json);
        out
    }

    fn stash(&self, token: SecretString) -> String {
        let placeholder = format!(
            "{VAULT_PREFIX}{}",
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        while tokens.len() >= VAULT_CAPACITY {
            tokens.pop_front();
        }
        tokens.push_back((placeholder.clone(), token));
        placeholder
    }

    /// The real token for a value from a response (the value itself when it is not a
    /// placeholder; `None` when the placeholder's token is gone).
    pub(crate) fn take(&self, value: &str) -> Option<SecretString> {
        if !value.starts_with(VAULT_PREFIX) {
            return Some(SecretString::from(value.to_owned()));
        }
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        let index = tokens.iter().position(|(p, _)| p == value)?;
        tokens.remove(index).map(|(_, token)| token)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// The default HTTPS client of both Cognito clients (rustls with ring), built on first use.
/// Building it reads the system's root certificates (about 5 ms of CPU), which
/// aws-smithy-http-client does when the SDK client is built: a process that resumes a stored
/// session whose tokens are still fresh never calls Cognito, and so never pays it.
#[derive(Debug, Default)]
struct DeferredHttpsClient(OnceLock<SharedHttpClient>);

impl DeferredHttpsClient {
    fn client(&self) -> &SharedHttpClient {
        self.0.get_or_init(|| {
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https()
        })
    }
}

impl HttpClient for DeferredHttpsClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.client().http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        // Asked per request (the user-agent interceptor), after `http_connector`.
        self.client().connector_metadata()
    }
}

/// Wraps the HTTP client of the Cognito Identity SDK client: buffers `GetCredentialsForIdentity`
/// responses and moves the session token into the vault before the SDK sees (and logs) them.
#[derive(Debug)]
struct RedactingClient {
    inner: SharedHttpClient,
    vault: SessionTokenVault,
}

impl HttpClient for RedactingClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(RedactingConnector {
            inner: self.inner.http_connector(settings, components),
            vault: self.vault.clone(),
        })
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct RedactingConnector {
    inner: SharedHttpConnector,
    vault: SessionTokenVault,
}

impl HttpConnector for RedactingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let credentials_call = request
            .headers()
            .get("x-amz-target")
            .is_some_and(|t| t.ends_with(".GetCredentialsForIdentity"));
        let call = self.inner.call(request);
        if !credentials_call {
            return call;
        }
        let vault = self.vault.clone();
        HttpConnectorFuture::new(async move {
            let mut response = call.await?;
            let body = std::mem::replace(response.body_mut(), SdkBody::empty());
            let bytes = body.collect().await.map_err(ConnectorError::io)?.to_bytes();
            let body = vault.redact(&bytes).map_or(bytes, bytes::Bytes::from);
            // A streaming body, so the SDK's TRACE log of the raw response does not print it.
            *response.body_mut() = SdkBody::from_body_1_x(http_body_util::Full::new(body));
            Ok(response)
        })
    }
}

impl Clients {
    pub(crate) fn build(
        config: &AuthConfig,
        sdk_config: Option<&aws_types::SdkConfig>,
        clock: &SkewCorrectedClock,
    ) -> Self {
        let http = sdk_config
            .and_then(aws_types::SdkConfig::http_client)
            .unwrap_or_else(|| SharedHttpClient::new(DeferredHttpsClient::default()));
        let vault = SessionTokenVault::default();
        let idp = config.user_pool.as_ref().map(|pool| {
            let mut builder = match sdk_config {
                Some(shared) => idp::config::Builder::from(shared),
                None => idp::Config::builder(),
            };
            builder = builder
                .behavior_version(idp::config::BehaviorVersion::latest())
                .region(idp::config::Region::new(pool.region.clone()))
                .http_client(http.clone())
                .interceptor(DateHeaderInterceptor(clock.clone()));
            if let Some(endpoint) = &pool.endpoint {
                builder = builder.endpoint_url(endpoint.as_str());
            }
            idp::Client::from_conf(builder.build())
        });
        let identity = config.identity_pool.as_ref().map(|pool| {
            let mut builder = match sdk_config {
                Some(shared) => ci::config::Builder::from(shared),
                None => ci::Config::builder(),
            };
            builder = builder
                .behavior_version(ci::config::BehaviorVersion::latest())
                .region(ci::config::Region::new(pool.region.clone()))
                .http_client(SharedHttpClient::new(RedactingClient {
                    inner: http.clone(),
                    vault: vault.clone(),
                }))
                .interceptor(DateHeaderInterceptor(clock.clone()));
            if let Some(endpoint) = &pool.endpoint {
                builder = builder.endpoint_url(endpoint.as_str());
            }
            ci::Client::from_conf(builder.build())
        });
        Self {
            idp,
            identity,
            vault,
        }
    }
}

/// Maps an SDK error to [`AuthError`], keeping the "may have been sent" distinction and the
/// SDK's typed error as the source.
///
/// The raw HTTP response is never kept: a response that failed to parse may be a success body
/// with tokens in it, and the SDK's error would print it in `Debug`.
pub(crate) fn map_error<E>(service: CognitoService, err: SdkError<E>) -> AuthError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let e = ctx.into_err();
            let code = e.code().unwrap_or("Unknown").to_owned();
            let mut error = ServiceError::new(service, code, e.message().unwrap_or(""))
                .with_status(status)
                .with_request_id(e.meta().extra("aws_request_id").map(str::to_owned));
            if error.kind() == ServiceErrorKind::Other && status >= 500 {
                error = error.with_kind(ServiceErrorKind::InternalError);
            }
            if error.kind() == ServiceErrorKind::Other && status == 429 {
                error = error.with_kind(ServiceErrorKind::TooManyRequests);
            }
            AuthError::Service(error.with_source(e))
        }
        SdkError::TimeoutError(_) => AuthError::Network(NetworkError::new(
            service,
            NetworkPhase::Timeout,
            true,
            err.into_source().ok(),
        )),
        SdkError::DispatchFailure(ref failure) => {
            let sent = !failure.is_user();
            let phase = if failure.is_timeout() {
                NetworkPhase::Timeout
            } else {
                NetworkPhase::Dispatch
            };
            AuthError::Network(NetworkError::new(
                service,
                phase,
                sent,
                err.into_source().ok(),
            ))
        }
        // A 5xx whose body is not Cognito's JSON (an HTML error page from a proxy or a load
        // balancer, or moto for an operation it lacks) is still the service failing.
        SdkError::ResponseError(ref ctx) if ctx.raw().status().as_u16() >= 500 => {
            let status = ctx.raw().status().as_u16();
            let mut error = ServiceError::new(
                service,
                format!("HTTP {status}"),
                "the service failed and its error body could not be read",
            )
            .with_kind(ServiceErrorKind::InternalError)
            .with_status(status);
            if let Ok(source) = err.into_source() {
                error = error.with_source(source);
            }
            AuthError::Service(error)
        }
        SdkError::ResponseError(_) => AuthError::Network(NetworkError::new(
            service,
            NetworkPhase::Response,
            true,
            err.into_source().ok(),
        )),
        SdkError::ConstructionFailure(_) => {
            AuthError::unsupported("request", "the request could not be built from the inputs")
        }
        _ => AuthError::unexpected("an SDK error of an unknown kind"),
    }
}

/// `SECRET_HASH` = base64(HMAC-SHA256(client secret, username ‖ client id)).
pub(crate) fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    // HMAC accepts keys of any length.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::{SessionTokenVault, VAULT_CAPACITY};

    #[test]
    fn the_vault_swaps_tokens_and_forgets_abandoned_ones() {
        let vault = SessionTokenVault::default();
        let body = br#"{"Credentials":{"AccessKeyId":"ASIA","SessionToken":"REAL-TOKEN"},"IdentityId":"x"}"#;
        let redacted = vault.redact(body).unwrap_or_default();
        let text = String::from_utf8(redacted).unwrap_or_default();
        assert!(!text.contains("REAL-TOKEN"), "{text}");
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let placeholder = json["Credentials"]["SessionToken"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(
            vault
                .take(placeholder)
                .map(|t| t.expose_secret().to_owned())
                .as_deref(),
            Some("REAL-TOKEN")
        );
        assert!(vault.take(placeholder).is_none(), "taken once");
        // Calls dropped mid-way leave tokens behind: never more than the capacity.
        for _ in 0..100 {
            let _ = vault.redact(body);
        }
        assert_eq!(vault.len(), VAULT_CAPACITY);
    }

    #[test]
    fn secret_hash_matches_a_reference_value() {
        // HMAC-SHA256("secret", "alice" + "client"), computed independently with Python's hmac.
        assert_eq!(
            super::secret_hash("secret", "alice", "client"),
            "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0="
        );
    }
}
