//! The TLS client configuration: rustls with the ring provider, trusting the system's root
//! certificates plus the ones the builder added.
//!
//! The system's roots are read on the first certificate check, not when the plugin is built:
//! reading and parsing them costs about 5 ms of CPU (`/etc/ssl/certs` on Debian), which a
//! process that only talks to plain-HTTP endpoints (the emulator) never needs, and which
//! otherwise sits on every command-line invocation's start. Added roots are checked when the
//! plugin is built, so a bad one is still a configuration error then.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{VerifierBuilderError, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::ApiError;

/// The system's root certificates, loaded once per process.
fn native_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
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

/// rustls's WebPKI verifier over the system's roots plus `extra`, built on first use. Every
/// check is the WebPKI verifier's own; only its construction is deferred.
#[derive(Debug)]
struct DeferredRootsVerifier {
    provider: Arc<CryptoProvider>,
    extra: RootCertStore,
    inner: OnceLock<Result<Arc<WebPkiServerVerifier>, VerifierBuilderError>>,
}

impl DeferredRootsVerifier {
    fn inner(&self) -> Result<&Arc<WebPkiServerVerifier>, rustls::Error> {
        self.inner
            .get_or_init(|| {
                let mut roots = native_roots().clone();
                roots.roots.extend(self.extra.roots.iter().cloned());
                WebPkiServerVerifier::builder_with_provider(
                    Arc::new(roots),
                    Arc::clone(&self.provider),
                )
                .build()
            })
            .as_ref()
            .map_err(|e| rustls::Error::General(format!("no usable TLS root certificates: {e}")))
    }
}

impl ServerCertVerifier for DeferredRootsVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner()?
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner()?.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        // What the WebPKI verifier answers, without building it.
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The TLS configuration: the ring provider, the system's roots (read on first use) plus
/// `extra_roots`. The connector adds ALPN for HTTP/2 and HTTP/1.1.
///
/// # Errors
///
/// [`ApiError::Configuration`] for an added root certificate that is not usable.
pub(crate) fn client_config(
    extra_roots: &[Vec<u8>],
) -> Result<Arc<rustls::ClientConfig>, ApiError> {
    let invalid = |e: rustls::Error| {
        ApiError::configuration_with(None, "the TLS configuration is invalid", e)
    };
    if extra_roots.is_empty() {
        // Without added roots every plugin shares one configuration (and so one verifier over
        // the system's roots, built on the first check).
        static SYSTEM: OnceLock<Result<Arc<rustls::ClientConfig>, rustls::Error>> = OnceLock::new();
        return SYSTEM
            .get_or_init(|| build_config(RootCertStore::empty()))
            .clone()
            .map_err(invalid);
    }
    let mut extra = RootCertStore::empty();
    for der in extra_roots {
        extra.add(CertificateDer::from(der.clone())).map_err(|e| {
            ApiError::configuration_with(None, "an added root certificate is not usable", e)
        })?;
    }
    build_config(extra).map_err(invalid)
}

fn build_config(extra: RootCertStore) -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(DeferredRootsVerifier {
        provider: Arc::clone(&provider),
        extra,
        inner: OnceLock::new(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_builds_with_ring_and_refuses_a_bad_added_root() {
        let config = client_config(&[]).unwrap();
        assert!(!config.crypto_provider().cipher_suites.is_empty());
        assert!(matches!(
            client_config(&[b"not a certificate".to_vec()]),
            Err(ApiError::Configuration(_))
        ));
    }

    #[test]
    fn the_deferred_verifier_names_the_schemes_of_its_provider() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = DeferredRootsVerifier {
            provider: Arc::clone(&provider),
            extra: RootCertStore::empty(),
            inner: OnceLock::new(),
        };
        assert_eq!(
            verifier.supported_verify_schemes(),
            provider
                .signature_verification_algorithms
                .supported_schemes()
        );
        assert!(verifier.inner.get().is_none(), "nothing built yet");
    }
}
