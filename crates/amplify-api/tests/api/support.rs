//! An in-test HTTP server on 127.0.0.1:0 that records requests and answers canned responses,
//! configuration helpers, and an independent SigV4 check.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amplify_api::ApiPlugin;
use amplify_core::config::AmplifyConfig;
use amplify_core::{AuthProviderRegistry, AwsCredentials};
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub version: http::Version,
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Reply {
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(body.into()),
        }
    }

    pub fn ok() -> Self {
        Self::json(200, r#"{"data":{"echo":"ok"}}"#)
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

/// The server. Dropping it stops it, and fails the test if the handler panicked.
pub struct TestServer {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    accepts: Arc<AtomicUsize>,
    panicked: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Answers every request with `{"data":{"echo":"ok"}}`.
    pub async fn ok() -> Self {
        Self::start(|_, _| Reply::ok()).await
    }

    /// `handler` gets each request and its 0-based index.
    pub async fn start(
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::start_with(None, handler).await
    }

    /// Like [`start`](Self::start), over TLS (HTTP/2 when the client offers it by ALPN).
    pub async fn start_tls(
        acceptor: tokio_rustls::TlsAcceptor,
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::start_with(Some(acceptor), handler).await
    }

    async fn start_with(
        tls: Option<tokio_rustls::TlsAcceptor>,
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let accepts = Arc::new(AtomicUsize::new(0));
        let panicked = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let task = {
            let requests = Arc::clone(&requests);
            let accepts = Arc::clone(&accepts);
            let panicked = Arc::clone(&panicked);
            tokio::spawn(async move {
                let mut connections = JoinSet::new();
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        return;
                    };
                    accepts.fetch_add(1, Ordering::SeqCst);
                    let requests = Arc::clone(&requests);
                    let handler = Arc::clone(&handler);
                    let panicked = Arc::clone(&panicked);
                    let tls = tls.clone();
                    connections.spawn(async move {
                        let service =
                            service_fn(move |req: http::Request<hyper::body::Incoming>| {
                                let requests = Arc::clone(&requests);
                                let handler = Arc::clone(&handler);
                                let panicked = Arc::clone(&panicked);
                                async move {
                                    let (parts, body) = req.into_parts();
                                    let body = body
                                        .collect()
                                        .await
                                        .map(|b| b.to_bytes())
                                        .unwrap_or_default();
                                    let recorded = Recorded {
                                        version: parts.version,
                                        method: parts.method,
                                        uri: parts.uri,
                                        headers: parts.headers,
                                        body,
                                    };
                                    let index = {
                                        let mut all = requests.lock().unwrap();
                                        all.push(recorded.clone());
                                        all.len() - 1
                                    };
                                    let reply = std::panic::catch_unwind(AssertUnwindSafe(|| {
                                        handler(&recorded, index)
                                    }))
                                    .unwrap_or_else(|_| {
                                        panicked.store(true, Ordering::SeqCst);
                                        Reply::json(599, "handler panicked")
                                    });
                                    let mut response = http::Response::new(Full::new(reply.body));
                                    *response.status_mut() = reply.status;
                                    for (name, value) in reply.headers {
                                        response.headers_mut().append(
                                            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                                            http::HeaderValue::from_str(&value).unwrap(),
                                        );
                                    }
                                    Ok::<_, Infallible>(response)
                                }
                            });
                        match tls {
                            None => {
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                            }
                            Some(acceptor) => {
                                let Ok(stream) = acceptor.accept(stream).await else {
                                    return;
                                };
                                if stream.get_ref().1.alpn_protocol() == Some(b"h2") {
                                    let _ = hyper::server::conn::http2::Builder::new(
                                        hyper_util::rt::TokioExecutor::new(),
                                    )
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                                } else {
                                    let _ = hyper::server::conn::http1::Builder::new()
                                        .serve_connection(TokioIo::new(stream), service)
                                        .await;
                                }
                            }
                        }
                    });
                }
            })
        };
        Self {
            addr,
            requests,
            accepts,
            panicked,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    pub fn request(&self, index: usize) -> Recorded {
        self.requests()[index].clone()
    }

    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn accepts(&self) -> usize {
        self.accepts.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
        if self.panicked.load(Ordering::SeqCst) && !std::thread::panicking() {
            panic!("the test server's handler panicked");
        }
    }
}

pub const API_KEY: &str = "da2-test-api-key-secret";

/// A Gen 1 configuration with one API per entry: `(name, "GraphQL"|"REST", url, mode, api key)`.
pub fn config(entries: &[(&str, &str, String, &str, Option<&str>)]) -> AmplifyConfig {
    let apis: Vec<String> = entries
        .iter()
        .map(|(name, kind, url, mode, key)| {
            let key = key
                .map(|k| format!(r#", "apiKey": "{k}""#))
                .unwrap_or_default();
            format!(
                r#""{name}": {{"endpointType": "{kind}", "endpoint": "{url}", "region": "us-east-1", "authorizationType": "{mode}"{key}}}"#
            )
        })
        .collect();
    let json = format!(
        r#"{{"api": {{"plugins": {{"awsAPIPlugin": {{{}}}}}}}}}"#,
        apis.join(",")
    );
    AmplifyConfig::from_json(&json).unwrap()
}

/// One GraphQL API named `gql` at the server's `/graphql`.
pub fn graphql_config(server: &TestServer, mode: &str, key: Option<&str>) -> AmplifyConfig {
    config(&[("gql", "GraphQL", server.url("/graphql"), mode, key)])
}

/// A plugin configured with `config` and `registry`.
pub fn configured(
    api: ApiPlugin,
    config: &AmplifyConfig,
    registry: &AuthProviderRegistry,
) -> ApiPlugin {
    api.configure_with(config, registry).unwrap();
    api
}

pub const AKID: &str = "ASIATESTACCESSKEY";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTSECRET";
pub const SESSION: &str = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";

pub fn credentials() -> AwsCredentials {
    AwsCredentials::new(AKID, SECRET, Some(SESSION.into()), None)
}

/// `20231114T221320Z` as a time.
pub fn parse_amz_date(value: &str) -> SystemTime {
    let n = |range: std::ops::Range<usize>| value[range].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(4..6), n(6..8));
    let (hh, mm, ss) = (n(9..11), n(11..13), n(13..15));
    // Days from civil (Howard Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
    UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap())
}

/// The parts of a SigV4 `Authorization` header.
#[derive(Debug)]
pub struct SigV4Header {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub fn parse_authorization(value: &str) -> SigV4Header {
    let rest = value
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .expect("a SigV4 authorization header");
    let mut credential = "";
    let mut signed = "";
    let mut signature = "";
    for part in rest.split(", ") {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = v;
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = v;
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = v;
        }
    }
    let scope: Vec<&str> = credential.split('/').collect();
    assert_eq!(scope.len(), 5, "credential scope: {credential}");
    assert_eq!(scope[4], "aws4_request");
    SigV4Header {
        access_key_id: scope[0].into(),
        date: scope[1].into(),
        region: scope[2].into(),
        service: scope[3].into(),
        signed_headers: signed.split(';').map(str::to_owned).collect(),
        signature: signature.into(),
    }
}

/// Recomputes the request's SigV4 signature from what the server received, with `secret`, and
/// compares it to the one the client sent.
pub fn verify_sigv4(req: &Recorded, secret: &str, expected_service: &str) -> Result<(), String> {
    let auth = req
        .header("authorization")
        .ok_or("no authorization header")?;
    let parsed = parse_authorization(auth);
    if parsed.service != expected_service {
        return Err(format!("service {} != {expected_service}", parsed.service));
    }
    let amz_date = req.header("x-amz-date").ok_or("no x-amz-date")?;
    if !amz_date.starts_with(&parsed.date) {
        return Err("x-amz-date does not match the credential scope".into());
    }
    let time = parse_amz_date(amz_date);
    let token = req.header("x-amz-security-token").map(str::to_owned);
    let unsigned = req.header("x-amz-content-sha256") == Some("UNSIGNED-PAYLOAD");
    let mut headers = Vec::new();
    for name in &parsed.signed_headers {
        if matches!(
            name.as_str(),
            "x-amz-date" | "x-amz-security-token" | "x-amz-content-sha256"
        ) {
            continue;
        }
        let value = req
            .header(name)
            .ok_or_else(|| format!("signed header {name} missing"))?;
        headers.push((name.as_str(), value));
    }
    let identity: Identity = aws_credential_types::Credentials::new(
        parsed.access_key_id.clone(),
        secret,
        token,
        None,
        "verifier",
    )
    .into();
    let mut settings = SigningSettings::default();
    let body = if unsigned {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(&req.body)
    };
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&parsed.region)
        .name(&parsed.service)
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let host = req.header("host").ok_or("no host")?;
    let uri = format!(
        "http://{host}{}",
        req.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let signable = SignableRequest::new(req.method.as_str(), uri, headers.into_iter(), body)
        .map_err(|e| e.to_string())?;
    let (_, signature) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    if signature == parsed.signature {
        Ok(())
    } else {
        Err("signature mismatch".into())
    }
}
