//! The official AWS SDK clients, configured from the Amplify configuration, and the mapping of
//! their errors.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

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
use sha2::Sha256;

use crate::AuthError;
use crate::clock::{DateHeaderInterceptor, SkewCorrectedClock};
use crate::error::ServiceErrorKind;

pub(crate) const IDP: &str = "cognito-idp";
pub(crate) const IDENTITY: &str = "cognito-identity";

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
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionTokenVault {
    tokens: Arc<Mutex<HashMap<String, String>>>,
    next: Arc<AtomicU64>,
}

const VAULT_PREFIX: &str = "amplify-redacted-session-token-";

impl SessionTokenVault {
    /// The body with `Credentials.SessionToken` replaced by a placeholder (`None`: nothing to do).
    fn redact(&self, body: &[u8]) -> Option<Vec<u8>> {
        let mut json = serde_json::from_slice::<serde_json::Value>(body).ok()?;
        let serde_json::Value::String(value) = json.pointer_mut("/Credentials/SessionToken")?
        else {
            return None;
        };
        let real = std::mem::take(value);
        *value = self.stash(real);
        serde_json::to_vec(&json).ok()
    }

    fn stash(&self, token: String) -> String {
        let placeholder = format!(
            "{VAULT_PREFIX}{}",
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(placeholder.clone(), token);
        placeholder
    }

    /// The real token for a value from a response (unchanged when it is not a placeholder).
    pub(crate) fn take(&self, value: &str) -> Option<String> {
        if !value.starts_with(VAULT_PREFIX) {
            return Some(value.to_owned());
        }
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(value)
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
            .unwrap_or_else(|| {
                aws_smithy_http_client::Builder::new()
                    .tls_provider(tls::Provider::Rustls(
                        tls::rustls_provider::CryptoMode::Ring,
                    ))
                    .build_https()
            });
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

/// Maps an SDK error to [`AuthError`], keeping the "may have been sent" distinction.
pub(crate) fn map_error<E>(service: &'static str, err: SdkError<E>) -> AuthError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let e = ctx.err();
            let code = e.code().unwrap_or("Unknown").to_owned();
            let mut kind = ServiceErrorKind::from_code(&code);
            if kind == ServiceErrorKind::Other && status >= 500 {
                kind = ServiceErrorKind::InternalError;
            }
            if kind == ServiceErrorKind::Other && status == 429 {
                kind = ServiceErrorKind::TooManyRequests;
            }
            AuthError::Service {
                kind,
                message: e.message().unwrap_or("").to_owned(),
                request_id: e.meta().extra("aws_request_id").map(str::to_owned),
                code,
                service,
            }
        }
        SdkError::TimeoutError(_) => AuthError::Network {
            service,
            detail: "the request timed out".into(),
            may_have_been_sent: true,
        },
        SdkError::DispatchFailure(failure) => AuthError::Network {
            service,
            detail: format!(
                "the request could not be sent: {}",
                failure
                    .as_connector_error()
                    .map_or_else(|| "unknown".to_owned(), |c| c.to_string())
            ),
            may_have_been_sent: !failure.is_user(),
        },
        // A 5xx whose body is not Cognito's JSON (an HTML error page from a proxy, or a server
        // that does not implement the operation) is still the service failing.
        SdkError::ResponseError(ctx) if ctx.raw().status().as_u16() >= 500 => AuthError::Service {
            kind: ServiceErrorKind::InternalError,
            code: format!("HTTP {}", ctx.raw().status().as_u16()),
            message: "the service failed and its error body could not be read".into(),
            request_id: None,
            service,
        },
        SdkError::ResponseError(_) => AuthError::Network {
            service,
            detail: "the response could not be read".into(),
            may_have_been_sent: true,
        },
        SdkError::ConstructionFailure(_) => {
            AuthError::validation("request", "the request could not be built")
        }
        other => AuthError::UnexpectedResponse(format!(
            "{}",
            aws_sdk_cognitoidentityprovider::error::DisplayErrorContext(&other)
        )),
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
    #[test]
    fn secret_hash_matches_a_reference_value() {
        // HMAC-SHA256("secret", "alice" + "client"), computed independently with Python's hmac.
        assert_eq!(
            super::secret_hash("secret", "alice", "client"),
            "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0="
        );
    }
}
