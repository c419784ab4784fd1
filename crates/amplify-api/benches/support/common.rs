//! Shared by the benches: a minimal loopback HTTP/1.1 server on its own thread, a configured
//! client, a raw hyper client sending the same request, and the thread's CPU time.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use amplify_api::ApiPlugin;
use amplify_core::config::AmplifyConfig;
use amplify_core::{
    AuthProviderRegistry, AuthorizationType, AwsCredentials, SharedCredentialsProvider,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};

pub const DOCUMENT: &str = "query GetTodo($id: ID!) { getTodo(id: $id) { id name done } }";
pub const API_KEY: &str = "da2-benchmarkapikey0123456789";
const RESPONSE: &[u8] = br#"{"data":{"getTodo":{"id":"t1","name":"milk","done":false}}}"#;

/// Starts a minimal server (reads the body, answers a fixed AppSync-shaped JSON) on a thread of
/// its own with a single-threaded runtime, so it uses one core and the client the other.
pub fn start_server() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                stream.set_nodelay(true).unwrap();
                tokio::spawn(async move {
                    let service =
                        service_fn(|req: http::Request<hyper::body::Incoming>| async move {
                            let _ = req.into_body().collect().await;
                            let mut response =
                                http::Response::new(Full::new(Bytes::from_static(RESPONSE)));
                            response.headers_mut().insert(
                                http::header::CONTENT_TYPE,
                                http::HeaderValue::from_static("application/json"),
                            );
                            Ok::<_, Infallible>(response)
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    rx.recv().unwrap()
}

/// A client whose only API (`gql`, default mode API_KEY) is the server, with static IAM
/// credentials registered for AWS_IAM.
pub fn client(addr: SocketAddr) -> ApiPlugin {
    client_with(
        addr,
        SharedCredentialsProvider::new(AwsCredentials::new(
            "ASIABENCHMARKKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBENCHMARK",
            Some("IQoJb3JpZ2luX2VjBENCHMARKSESSIONTOKEN".into()),
            None,
        )),
    )
}

/// The same client with `iam` as the AWS_IAM provider.
pub fn client_with(addr: SocketAddr, iam: SharedCredentialsProvider) -> ApiPlugin {
    let json = format!(
        r#"{{"api": {{"plugins": {{"awsAPIPlugin": {{"gql": {{"endpointType": "GraphQL",
            "endpoint": "http://{addr}/graphql", "region": "us-east-1",
            "authorizationType": "API_KEY", "apiKey": "{API_KEY}"}},
            "rest": {{"endpointType": "REST", "endpoint": "http://{addr}/rest",
            "region": "us-east-1", "authorizationType": "API_KEY", "apiKey": "{API_KEY}"}}}}}}}}}}"#
    );
    let config = AmplifyConfig::from_json(&json).unwrap();
    let registry = AuthProviderRegistry::default();
    registry.register(AuthorizationType::AwsIam, iam);
    let api = ApiPlugin::builder()
        .request_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    api.configure_with(&config, &registry).unwrap();
    api
}

/// One API-key query through the client.
pub async fn api_key_query(api: &ApiPlugin) {
    let response = api
        .query(DOCUMENT)
        .variables(serde_json::json!({ "id": "t1" }))
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert!(response.data.is_some());
}

/// One IAM (SigV4) query through the client.
pub async fn iam_query(api: &ApiPlugin) {
    let response = api
        .query(DOCUMENT)
        .variables(serde_json::json!({ "id": "t1" }))
        .authorization_mode(AuthorizationType::AwsIam)
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert!(response.data.is_some());
}

/// One REST POST (API key) of the same JSON body as a query to the `rest` API.
pub async fn rest_api_key_post(api: &ApiPlugin) {
    rest_post(api, AuthorizationType::ApiKey).await;
}

/// The same REST POST signed with SigV4 (`execute-api`).
pub async fn rest_iam_post(api: &ApiPlugin) {
    rest_post(api, AuthorizationType::AwsIam).await;
}

async fn rest_post(api: &ApiPlugin, mode: AuthorizationType) {
    let response = api
        .post("/items")
        .api_name("rest")
        .authorization_mode(mode)
        .body(Bytes::from_static(REST_BODY))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    assert!(!response.body().is_empty());
}

/// The REST body: the bytes of the raw POST's query.
const REST_BODY: &[u8] =
    br#"{"query":"query GetTodo($id: ID!) { getTodo(id: $id) { id name done } }","variables":{"id":"t1"}}"#;

/// A plain hyper client sending the same bytes and headers as an API-key query.
#[derive(Clone)]
pub struct Raw {
    client: Client<HttpConnector, Full<Bytes>>,
    uri: http::Uri,
    host: http::HeaderValue,
    body: Bytes,
}

impl Raw {
    pub fn new(addr: SocketAddr) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            uri: format!("http://{addr}/graphql").parse().unwrap(),
            host: http::HeaderValue::from_str(&addr.to_string()).unwrap(),
            body: Bytes::from(format!(
                r#"{{"query":"{DOCUMENT}","variables":{{"id":"t1"}}}}"#
            )),
        }
    }

    pub async fn post(&self) {
        let mut request = http::Request::new(Full::new(self.body.clone()));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = self.uri.clone();
        let headers = request.headers_mut();
        headers.insert(http::header::HOST, self.host.clone());
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json; charset=utf-8"),
        );
        headers.insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static("amplify-rs/0.1.0 api"),
        );
        headers.insert("x-api-key", http::HeaderValue::from_static(API_KEY));
        let response = self.client.request(request).await.unwrap();
        assert!(response.status().is_success());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert!(!body.is_empty());
    }

    /// The same request with the JSON work of a GraphQL call done by hand, as a client written
    /// on raw hyper would: the body encoded from the document and the variables, the response
    /// decoded into a `serde_json::Value` and its `data` taken.
    pub async fn post_json(&self) {
        let body = serde_json::to_vec(&serde_json::json!({
            "query": DOCUMENT,
            "variables": { "id": "t1" },
        }))
        .unwrap();
        let mut request = http::Request::new(Full::new(Bytes::from(body)));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = self.uri.clone();
        let headers = request.headers_mut();
        headers.insert(http::header::HOST, self.host.clone());
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json; charset=utf-8"),
        );
        headers.insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static("amplify-rs/0.1.0 api"),
        );
        headers.insert("x-api-key", http::HeaderValue::from_static(API_KEY));
        let response = self.client.request(request).await.unwrap();
        assert!(response.status().is_success());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let mut decoded: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(!decoded["data"].take().is_null());
    }
}

/// CPU time this thread has used, in nanoseconds (Linux `schedstat`), if available.
pub fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A single-threaded client runtime (the client's work, hyper's connection tasks included,
/// runs on the calling thread).
pub fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
