//! HTTPS with rustls (ring): HTTP/2 by ALPN, a private root, untrusted certificates.

use std::sync::Arc;

use amplify_api::{ApiError, ApiPlugin};
use amplify_core::{AuthProviderRegistry, AuthorizationType, SharedCredentialsProvider};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::support::{API_KEY, SECRET, TestServer, config, configured, credentials, verify_sigv4};

/// A private CA and a server certificate for 127.0.0.1 it signed.
pub fn pki() -> (CertificateDer<'static>, tokio_rustls::TlsAcceptor) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let mut server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    )
    .unwrap();
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    (
        ca.der().clone(),
        tokio_rustls::TlsAcceptor::from(Arc::new(server)),
    )
}

#[tokio::test]
async fn https_uses_http2_multiplexes_one_connection_and_signs_correctly() {
    let (root, acceptor) = pki();
    let server = TestServer::start_tls(acceptor, |_, _| crate::support::Reply::ok()).await;
    let url = format!("https://{}/graphql", server.addr);
    let registry = AuthProviderRegistry::default();
    registry.register(
        AuthorizationType::AwsIam,
        SharedCredentialsProvider::new(credentials()),
    );
    let api = configured(
        ApiPlugin::builder()
            .add_root_certificate(root.to_vec())
            .build()
            .unwrap(),
        &config(&[("gql", "GraphQL", url, "API_KEY", Some(API_KEY))]),
        &registry,
    );
    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    api.query("{ echo }")
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<serde_json::Value>()
        .await
        .unwrap();
    let concurrent: Vec<_> = (0..8)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move { api.query("{ echo }").send::<serde_json::Value>().await })
        })
        .collect();
    for task in concurrent {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.count(), 10);
    assert_eq!(
        server.accepts(),
        1,
        "HTTP/2 multiplexes every request on one connection"
    );
    for req in server.requests() {
        assert_eq!(req.version, http::Version::HTTP_2);
    }
    assert_eq!(server.request(0).header("x-api-key"), Some(API_KEY));
    verify_sigv4(&server.request(1), SECRET, "appsync").unwrap();
}

#[tokio::test]
async fn an_untrusted_certificate_fails_before_sending() {
    let (_root, acceptor) = pki();
    let server = TestServer::start_tls(acceptor, |_, _| crate::support::Reply::ok()).await;
    let url = format!("https://{}/graphql", server.addr);
    let api = configured(
        ApiPlugin::new(),
        &config(&[("gql", "GraphQL", url.clone(), "API_KEY", Some(API_KEY))]),
        &AuthProviderRegistry::default(),
    );
    let err = api
        .query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let ApiError::Transport(failure) = &err else {
        panic!("{err:?}")
    };
    assert!(!failure.may_have_been_sent());
    assert_eq!(server.count(), 0);

    // An unusable extra root fails `build`, as a configuration error with the cause chained.
    let err = ApiPlugin::builder()
        .add_root_certificate(b"not DER".to_vec())
        .build()
        .unwrap_err();
    let ApiError::Configuration(problem) = &err else {
        panic!("{err:?}")
    };
    assert!(
        problem.to_string().contains("root certificate"),
        "{problem}"
    );
    assert!(std::error::Error::source(problem).is_some());
    assert!(amplify_core::AmplifyError::recovery_suggestion(&err).is_some());
}
