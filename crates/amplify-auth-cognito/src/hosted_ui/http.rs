//! The token endpoint call: one form POST over hyper + rustls (ring), the same TLS stack as the
//! rest of amplify-rs (the system's roots).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::TokenResponse;
use crate::AuthError;
use crate::error::{HostedUiError, HostedUiErrorKind};

type HttpsClient = Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

/// The largest answer read.
const MAX_BODY: usize = 64 * 1024;

fn client() -> Result<&'static HttpsClient, AuthError> {
    static CLIENT: OnceLock<Result<HttpsClient, Arc<rustls::Error>>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            let native = rustls_native_certs::load_native_certs();
            let (added, _) = roots.add_parsable_certificates(native.certs);
            tracing::debug!(added, "TLS roots for the token endpoint");
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let tls = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(Arc::new)?
                .with_root_certificates(roots)
                .with_no_client_auth();
            let https = hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls)
                .https_or_http()
                .enable_http1()
                .build();
            Ok(Client::builder(TokioExecutor::new()).build(https))
        })
        .as_ref()
        .map_err(|e| {
            HostedUiError::new(HostedUiErrorKind::TokenEndpointUnavailable)
                .with_source(Arc::clone(e))
                .into()
        })
}

/// POSTs `body` (form-encoded) to the token endpoint and reads its JSON answer.
///
/// # Errors
///
/// An OAuth error answer (an `error` field, outside throttling and 5xx) is
/// [`HostedUiErrorKind::TokenEndpoint`] with its `error` and status; anything else that is not a
/// token (a network failure, a timeout, throttling, a 5xx, a body that is not JSON or has no
/// `error`) is [`HostedUiErrorKind::TokenEndpointUnavailable`] with the source and status.
pub(crate) async fn post_token(
    url: &str,
    body: String,
    authorization: Option<String>,
    timeout: Duration,
) -> Result<TokenResponse, AuthError> {
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| -> AuthError {
        HostedUiError::new(HostedUiErrorKind::TokenEndpointUnavailable)
            .with_source(e)
            .into()
    };
    let mut request = http::Request::post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json");
    if let Some(auth) = authorization {
        let mut value = http::HeaderValue::from_str(&auth).map_err(|e| failed(Box::new(e)))?;
        value.set_sensitive(true);
        request = request.header("authorization", value);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| failed(Box::new(e)))?;
    let response = tokio::time::timeout(timeout, client()?.request(request))
        .await
        .map_err(|e| failed(Box::new(e)))?
        .map_err(|e| failed(Box::new(e)))?;
    let status = response.status().as_u16();
    let limited = http_body_util::Limited::new(response.into_body(), MAX_BODY);
    let bytes = tokio::time::timeout(timeout, limited.collect())
        .await
        .map_err(|e| failed(Box::new(e)))?
        .map_err(failed)?
        .to_bytes();
    let parsed: TokenResponse = serde_json::from_slice(&bytes).map_err(|e| {
        AuthError::from(
            HostedUiError::new(HostedUiErrorKind::TokenEndpointUnavailable)
                .with_status(status)
                .with_source(e),
        )
    })?;
    // Only an OAuth `error` outside throttling and server errors is a verdict on the code.
    let kind = if parsed.error.is_some() && status != 429 && status < 500 {
        HostedUiErrorKind::TokenEndpoint
    } else {
        HostedUiErrorKind::TokenEndpointUnavailable
    };
    if !(200..300).contains(&status) || parsed.error.is_some() {
        return Err(HostedUiError::new(kind)
            .with_status(status)
            .with_server(
                parsed.error.as_deref().unwrap_or("unknown_error"),
                parsed.error_description.as_deref(),
            )
            .into());
    }
    Ok(parsed)
}
