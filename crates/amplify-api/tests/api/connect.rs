//! Proxies, custom connectors, and what a connect failure says about dispatch (a server that
//! accepts and never answers is in `errors.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use amplify_api::{ApiError, ApiPlugin, Connection, Connector, DispatchState, TimeoutPhase};
use amplify_core::{AuthProviderRegistry, BoxError, BoxFuture};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{API_KEY, Reply, TestServer, config, configured, graphql_config};

/// A loopback HTTP proxy: CONNECT tunnels and plain forwarding, counted.
struct Proxy {
    url: String,
    tunnels: Arc<AtomicUsize>,
    forwards: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads up to the end of the request head.
async fn read_head(stream: &mut TcpStream) -> Vec<u8> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            break;
        }
        head.push(byte[0]);
    }
    head
}

impl Proxy {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let tunnels = Arc::new(AtomicUsize::new(0));
        let forwards = Arc::new(AtomicUsize::new(0));
        let (t, f) = (Arc::clone(&tunnels), Arc::clone(&forwards));
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let (t, f) = (Arc::clone(&t), Arc::clone(&f));
                tokio::spawn(async move {
                    let head = read_head(&mut client).await;
                    let text = String::from_utf8_lossy(&head).into_owned();
                    let mut words = text.split_whitespace();
                    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                    let mut upstream = if method == "CONNECT" {
                        t.fetch_add(1, Ordering::SeqCst);
                        let upstream = TcpStream::connect(target).await.unwrap();
                        client
                            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                            .await
                            .unwrap();
                        upstream
                    } else {
                        // Absolute-form: `POST http://127.0.0.1:1234/graphql HTTP/1.1`.
                        f.fetch_add(1, Ordering::SeqCst);
                        let authority = target
                            .strip_prefix("http://")
                            .and_then(|rest| rest.split('/').next())
                            .unwrap();
                        let mut upstream = TcpStream::connect(authority).await.unwrap();
                        upstream.write_all(&head).await.unwrap();
                        upstream
                    };
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                });
            }
        });
        Self {
            url,
            tunnels,
            forwards,
            task,
        }
    }
}

#[tokio::test]
async fn https_is_tunnelled_through_the_proxy_with_connect() {
    let (root, acceptor) = crate::tls::pki();
    let server = TestServer::start_tls(acceptor, |_, _| Reply::ok()).await;
    let proxy = Proxy::start().await;
    let url = format!("https://{}/graphql", server.addr);
    let api = configured(
        ApiPlugin::builder()
            .add_root_certificate(root.to_vec())
            .proxy(proxy.url.clone())
            .build()
            .unwrap(),
        &config(&[("gql", "GraphQL", url, "API_KEY", Some(API_KEY))]),
        &AuthProviderRegistry::default(),
    );
    for _ in 0..3 {
        let response = api
            .query("{ echo }")
            .send::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(response.data.unwrap()["echo"], "ok");
    }
    assert_eq!(server.count(), 3);
    // TLS ran end to end inside one tunnel (HTTP/2 multiplexes the three requests on it).
    assert_eq!(proxy.tunnels.load(Ordering::SeqCst), 1);
    assert_eq!(proxy.forwards.load(Ordering::SeqCst), 0);
    assert_eq!(server.request(0).version, http::Version::HTTP_2);
    assert_eq!(server.request(0).header("x-api-key"), Some(API_KEY));
}

#[tokio::test]
async fn plain_http_is_forwarded_to_the_proxy() {
    let server = TestServer::ok().await;
    let proxy = Proxy::start().await;
    let api = configured(
        ApiPlugin::builder()
            .proxy(proxy.url.clone())
            .build()
            .unwrap(),
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    );
    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(proxy.forwards.load(Ordering::SeqCst), 1);
    assert_eq!(proxy.tunnels.load(Ordering::SeqCst), 0);
    assert_eq!(server.request(0).uri.path(), "/graphql");
}

#[test]
fn an_unusable_proxy_fails_build() {
    for bad in ["https://proxy:443", "proxy:3128", "http://proxy:3128/path"] {
        let err = ApiPlugin::builder().proxy(bad).build().unwrap_err();
        assert!(matches!(err, ApiError::Configuration(_)), "{bad}: {err:?}");
    }
}

/// Dials TCP itself and counts what it was asked for.
#[derive(Debug, Clone, Default)]
struct CountingConnector {
    targets: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Connector for CountingConnector {
    fn connect<'a>(
        &'a self,
        target: &'a http::Uri,
    ) -> BoxFuture<'a, Result<Box<dyn Connection>, BoxError>> {
        Box::pin(async move {
            self.targets.lock().unwrap().push(target.to_string());
            let host = target.host().ok_or("no host")?;
            let port = target.port_u16().ok_or("no port")?;
            let stream = TcpStream::connect((host, port)).await?;
            Ok(Box::new(stream) as Box<dyn Connection>)
        })
    }
}

/// Always fails, as a dialer whose network is down would.
#[derive(Debug)]
struct Unreachable;

impl Connector for Unreachable {
    fn connect<'a>(
        &'a self,
        _: &'a http::Uri,
    ) -> BoxFuture<'a, Result<Box<dyn Connection>, BoxError>> {
        Box::pin(async { Err::<Box<dyn Connection>, BoxError>("network unreachable".into()) })
    }
}

#[tokio::test]
async fn a_custom_connector_opens_the_connections() {
    let server = TestServer::ok().await;
    let connector = CountingConnector::default();
    let api = configured(
        ApiPlugin::builder()
            .connector(connector.clone())
            .build()
            .unwrap(),
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    );
    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        *connector.targets.lock().unwrap(),
        [format!("http://{}/", server.addr)],
        "one connection, pooled"
    );
    assert_eq!(server.count(), 2);

    let api = configured(
        ApiPlugin::builder().connector(Unreachable).build().unwrap(),
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
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
    assert_eq!(failure.dispatch_state(), DispatchState::NotSent);
    let chain = amplify_core::DisplayErrorContext(&err).to_string();
    assert!(chain.contains("network unreachable"), "{chain}");
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so connecting hangs.
/// Returns the address and the connections that fill the queue (keep them alive).
async fn blackhole() -> (std::net::SocketAddr, TcpListener, Vec<TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    // Fill the queue; the first attempt that does not complete promptly shows it is full.
    for _ in 0..64 {
        match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => held.push(stream),
            _ => return (addr, listener, held),
        }
    }
    panic!("the accept queue never filled");
}

#[tokio::test]
async fn a_connect_timeout_says_not_sent_even_with_a_shorter_request_timeout() {
    let (addr, _listener, _held) = blackhole().await;
    let url = format!("http://{addr}/graphql");
    let api = configured(
        ApiPlugin::builder()
            .connect_timeout(Duration::from_millis(300))
            .request_timeout(Duration::from_millis(50))
            .build()
            .unwrap(),
        &config(&[("gql", "GraphQL", url, "API_KEY", Some("da2-k"))]),
        &AuthProviderRegistry::default(),
    );
    let err = api
        .query("{ a }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let ApiError::Timeout(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.phase(), TimeoutPhase::Connect);
    assert!(!failure.may_have_been_sent());
    assert_eq!(failure.timeout(), Some(Duration::from_millis(300)));
}

/// Dials TCP after a fixed delay: a slow network (the delay models latency; it synchronises
/// nothing).
#[derive(Debug)]
struct SlowConnector(Duration);

impl Connector for SlowConnector {
    fn connect<'a>(
        &'a self,
        target: &'a http::Uri,
    ) -> BoxFuture<'a, Result<Box<dyn Connection>, BoxError>> {
        Box::pin(async move {
            tokio::time::sleep(self.0).await;
            let host = target.host().ok_or("no host")?;
            let port = target.port_u16().ok_or("no port")?;
            let stream = TcpStream::connect((host, port)).await?;
            Ok(Box::new(stream) as Box<dyn Connection>)
        })
    }
}

#[tokio::test]
async fn the_request_timeout_starts_when_a_connection_starts_sending() {
    // Connecting takes 200 ms, longer than the 50 ms request timeout: the request must still
    // succeed, because until a connection sends it only the connect timeout (1 s) applies.
    // 200 ms to connect (1 s allowed), 50 ms for the response.
    let slow = || {
        ApiPlugin::builder()
            .connector(SlowConnector(Duration::from_millis(200)))
            .connect_timeout(Duration::from_secs(1))
            .request_timeout(Duration::from_millis(50))
            .build()
            .unwrap()
    };
    let server = TestServer::ok().await;
    let api = configured(
        slow(),
        &graphql_config(&server, "API_KEY", Some(API_KEY)),
        &AuthProviderRegistry::default(),
    );
    let response = api
        .query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert!(response.data.is_some());
    assert_eq!(server.count(), 1);

    // The same slow connection to a server that never answers: the request timeout runs from
    // when sending started, so the error comes no sooner than connect + timeout, and says the
    // request may have been sent.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    let keeper = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let api = configured(
        slow(),
        &config(&[("gql", "GraphQL", url, "API_KEY", Some("da2-k"))]),
        &AuthProviderRegistry::default(),
    );
    let started = tokio::time::Instant::now();
    let err = api
        .query("{ a }")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    keeper.abort();
    let ApiError::Timeout(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.phase(), TimeoutPhase::Request);
    assert!(failure.may_have_been_sent());
    assert_eq!(failure.timeout(), Some(Duration::from_millis(50)));
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
}
