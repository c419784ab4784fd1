//! Connection reuse, concurrency and interceptors.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use amplify_api::{ApiError, ApiPlugin, BoxError, InterceptorContext, RequestInterceptor};
use amplify_core::{AuthProviderRegistry, AuthorizationType};
use bytes::Bytes;

use crate::support::{API_KEY, TestServer, config, configured, graphql_config};

#[tokio::test]
async fn sequential_requests_reuse_one_connection() {
    let server = TestServer::ok().await;
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    );
    for _ in 0..25 {
        api.query("{ echo }")
            .send::<serde_json::Value>()
            .await
            .unwrap();
    }
    // Clones share the client and its pool.
    let clone = api.clone();
    clone
        .query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(server.count(), 26);
    assert_eq!(server.accepts(), 1);
}

#[tokio::test]
async fn no_idle_connections_kept_means_a_connection_per_request() {
    let server = TestServer::ok().await;
    let api = configured(
        ApiPlugin::builder()
            .max_idle_connections_per_host(0)
            .build()
            .unwrap(),
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    );
    for _ in 0..3 {
        api.query("{ echo }")
            .send::<serde_json::Value>()
            .await
            .unwrap();
    }
    assert_eq!(server.count(), 3);
    assert_eq!(server.accepts(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_requests_on_one_client() {
    let server = TestServer::ok().await;
    let api = configured(
        ApiPlugin::new(),
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    );
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let api = api.clone();
            tokio::spawn(async move {
                api.query("query Q($i: Int) { echo }")
                    .variables(serde_json::json!({ "i": i }))
                    .send::<serde_json::Value>()
                    .await
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().data.unwrap()["echo"], "ok");
    }
    assert_eq!(server.count(), 64);
    assert!(server.accepts() <= 64);
}

/// (api name, mode, attempt, the x-api-key the interceptor saw)
type Seen = (String, AuthorizationType, u32, Option<String>);

#[derive(Debug, Default)]
struct Recorder {
    seen: Mutex<Vec<Seen>>,
    statuses: Mutex<Vec<u16>>,
}

#[derive(Debug)]
struct Recording(Arc<Recorder>);

impl RequestInterceptor for Recording {
    fn name(&self) -> &str {
        "recording"
    }

    fn on_request(
        &self,
        ctx: &InterceptorContext<'_>,
        request: &mut http::Request<Bytes>,
    ) -> Result<(), BoxError> {
        let key = request
            .headers()
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        self.0.seen.lock().unwrap().push((
            ctx.api_name.to_owned(),
            ctx.authorization_mode,
            ctx.attempt,
            key,
        ));
        request
            .headers_mut()
            .insert("x-intercepted", http::HeaderValue::from_static("1"));
        Ok(())
    }

    fn on_response(&self, _ctx: &InterceptorContext<'_>, response: &http::Response<Bytes>) {
        self.0
            .statuses
            .lock()
            .unwrap()
            .push(response.status().as_u16());
    }
}

#[derive(Debug)]
struct Refuse;

impl RequestInterceptor for Refuse {
    fn name(&self) -> &str {
        "refuse"
    }

    fn on_request(
        &self,
        _ctx: &InterceptorContext<'_>,
        request: &mut http::Request<Bytes>,
    ) -> Result<(), BoxError> {
        if request.headers().contains_key("x-refuse") {
            return Err("refused by policy".into());
        }
        Ok(())
    }
}

#[tokio::test]
async fn interceptors_see_the_authorized_request_and_the_response() {
    let server = TestServer::ok().await;
    let recorder = Arc::new(Recorder::default());
    let api = ApiPlugin::builder()
        .interceptor(Recording(Arc::clone(&recorder)))
        .interceptor(Refuse)
        .build()
        .unwrap();
    let api = configured(
        api,
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    );
    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [(
            "gql".to_owned(),
            AuthorizationType::ApiKey,
            1,
            Some(API_KEY.to_owned())
        )]
    );
    assert_eq!(*recorder.statuses.lock().unwrap(), [200]);
    assert_eq!(server.request(0).header("x-intercepted"), Some("1"));

    let err = api
        .query("{ echo }")
        .header("x-refuse", "yes")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let ApiError::Interceptor(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.interceptor(), "refuse");
    assert_eq!(
        std::error::Error::source(&err).unwrap().to_string(),
        "refused by policy"
    );
    assert_eq!(server.count(), 1);
    assert!(format!("{api:?}").contains("recording"));
}

/// Reads one request (head and `content-length` body) off a raw connection.
async fn read_request(stream: &mut tokio::net::TcpStream) {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).await.unwrap(), 1, "request head cut");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .map_or(0, |value| value.trim().parse().unwrap());
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.unwrap();
}

#[tokio::test]
async fn idle_connections_close_after_the_idle_timeout_and_the_next_request_opens_another() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const IDLE: Duration = Duration::from_millis(150);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // For each connection: whether the client closed it (EOF) and how long after the response.
    let (closed_tx, mut closed) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            read_request(&mut stream).await;
            let body = r#"{"data":{"echo":"ok"}}"#;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).await.unwrap();
            let answered = Instant::now();
            let mut next = [0u8; 1];
            let eof = stream.read(&mut next).await.unwrap_or(1) == 0;
            closed_tx.send((eof, answered.elapsed())).unwrap();
        }
    });
    let api = configured(
        ApiPlugin::builder()
            .pool_idle_timeout(IDLE)
            .build()
            .unwrap(),
        &config(&[(
            "gql",
            "GraphQL",
            format!("http://{addr}/graphql"),
            "API_KEY",
            Some(API_KEY),
        )]),
        &AuthProviderRegistry::default(),
    );
    for round in 0..2 {
        let response = api.query("{ echo }").send::<serde_json::Value>().await;
        assert_eq!(
            response.unwrap().data.unwrap()["echo"],
            "ok",
            "round {round}"
        );
        let (eof, after) = tokio::time::timeout(Duration::from_secs(10), closed.recv())
            .await
            .expect("the idle connection was never closed")
            .unwrap();
        assert!(
            eof,
            "round {round}: the client sent more instead of closing"
        );
        assert!(
            after >= IDLE,
            "round {round}: closed {after:?} after the response, before the idle timeout"
        );
    }
}
