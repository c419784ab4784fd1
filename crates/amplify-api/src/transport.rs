//! The HTTP client: hyper 1 with rustls (ring), a connection pool, and timeouts.

use std::error::Error as StdError;
use std::io;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::error::{ApiError, DispatchState, TimeoutFailure, TimeoutPhase, TransportFailure};

/// Connection settings.
#[derive(Debug, Clone)]
pub(crate) struct TransportSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) max_idle_per_host: usize,
    pub(crate) max_response_bytes: usize,
    /// DER certificates trusted in addition to the system's roots.
    pub(crate) extra_roots: Vec<Vec<u8>>,
}

impl Default for TransportSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            pool_idle_timeout: Duration::from_secs(90),
            max_idle_per_host: usize::MAX,
            max_response_bytes: 64 * 1024 * 1024,
            extra_roots: Vec::new(),
        }
    }
}

/// One pooled client, shared by every request of a plugin.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    settings: TransportSettings,
}

/// The system's root certificates, loaded once per process.
fn native_roots() -> &'static rustls::RootCertStore {
    static ROOTS: OnceLock<rustls::RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = rustls::RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        if !native.errors.is_empty() {
            tracing::debug!(
                errors = native.errors.len(),
                "some system TLS root certificates could not be read"
            );
        }
        let (added, ignored) = roots.add_parsable_certificates(native.certs);
        tracing::debug!(added, ignored, "loaded the system's TLS root certificates");
        if added == 0 {
            tracing::warn!("no system TLS root certificates found; HTTPS endpoints will fail");
        }
        roots
    })
}

/// The TLS configuration: the ring provider, the system's roots plus `extra_roots`. The
/// connector adds ALPN for HTTP/2 and HTTP/1.1. Without extra roots it is built once per process.
fn tls_config(extra_roots: &[Vec<u8>]) -> Result<Arc<rustls::ClientConfig>, String> {
    fn build(roots: rustls::RootCertStore) -> Result<Arc<rustls::ClientConfig>, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("the TLS configuration is invalid: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
    static DEFAULT: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    if extra_roots.is_empty() {
        return DEFAULT
            .get_or_init(|| build(native_roots().clone()))
            .clone();
    }
    let mut roots = native_roots().clone();
    for der in extra_roots {
        roots
            .add(rustls::pki_types::CertificateDer::from(der.clone()))
            .map_err(|e| format!("an added root certificate is not usable: {e}"))?;
    }
    build(roots)
}

impl Transport {
    pub(crate) fn new(settings: TransportSettings) -> Result<Self, String> {
        let tls = tls_config(&settings.extra_roots)?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(settings.connect_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config((*tls).clone())
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_max_idle_per_host(settings.max_idle_per_host)
            .build(https);
        Ok(Self { client, settings })
    }

    /// Sends `request` and reads the whole response within `timeout`.
    pub(crate) async fn send(
        &self,
        request: http::Request<Bytes>,
        timeout: Duration,
        api: &str,
    ) -> Result<http::Response<Bytes>, ApiError> {
        let request = request.map(Full::new);
        let max = self.settings.max_response_bytes;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| classify_send_error(e, api, self.settings.connect_timeout))?;
            let (parts, body) = response.into_parts();
            let collected = Limited::new(body, max).collect().await.map_err(|e| {
                let too_large = e.is::<http_body_util::LengthLimitError>();
                ApiError::Transport(TransportFailure::new(
                    api,
                    DispatchState::MaybeSent,
                    if too_large {
                        "the response body is larger than the configured limit"
                    } else {
                        "the connection broke while reading the response"
                    },
                    Some(e),
                ))
            })?;
            Ok(http::Response::from_parts(parts, collected.to_bytes()))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(ApiError::Timeout(TimeoutFailure::new(
                api,
                TimeoutPhase::Request,
                Some(timeout),
            ))),
        }
    }
}

fn classify_send_error(
    err: hyper_util::client::legacy::Error,
    api: &str,
    connect_timeout: Duration,
) -> ApiError {
    if err.is_connect() {
        if has_timed_out_io(&err) {
            return ApiError::Timeout(TimeoutFailure::new(
                api,
                TimeoutPhase::Connect,
                Some(connect_timeout),
            ));
        }
        return ApiError::Transport(TransportFailure::new(
            api,
            DispatchState::NotSent,
            "could not connect",
            Some(Box::new(err)),
        ));
    }
    ApiError::Transport(TransportFailure::new(
        api,
        DispatchState::MaybeSent,
        "the connection failed",
        Some(Box::new(err)),
    ))
}

fn has_timed_out_io(err: &(dyn StdError + 'static)) -> bool {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<io::Error>()
            && io.kind() == io::ErrorKind::TimedOut
        {
            return true;
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapper(io::Error);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("tcp connect error")
        }
    }

    impl StdError for Wrapper {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn timed_out_io_is_found_anywhere_in_the_chain() {
        let timed_out = Wrapper(io::Error::new(io::ErrorKind::TimedOut, "connect timed out"));
        assert!(has_timed_out_io(&timed_out));
        let refused = Wrapper(io::Error::new(io::ErrorKind::ConnectionRefused, "refused"));
        assert!(!has_timed_out_io(&refused));
    }

    #[test]
    fn the_tls_configuration_builds_with_ring() {
        let config = tls_config(&[]).unwrap();
        assert!(
            Arc::ptr_eq(&config, &tls_config(&[]).unwrap()),
            "built once"
        );
        assert!(tls_config(&[b"not a certificate".to_vec()]).is_err());
        assert!(Transport::new(TransportSettings::default()).is_ok());
    }
}
