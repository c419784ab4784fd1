//! The HTTP client: hyper 1 with rustls (ring), a connection pool, timeouts, an optional proxy
//! and an optional custom connector.
//!
//! The connector stack, outermost first: the connect timeout, TLS for `https` (rustls), the
//! proxy route (an HTTP CONNECT tunnel for `https`, the proxy itself for plain `http`), and the
//! dialer (TCP, or the user's [`Connector`](crate::Connector)).

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use amplify_core::{BoxError, BoxFuture};
use bytes::Bytes;
use http::Uri;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{
    Connected, Connection as HyperConnection, HttpConnector,
};
use hyper_util::rt::TokioIo;
use tower_service::Service;

use crate::connector::{Connection, SharedConnector};
use crate::error::{ApiError, DispatchState, TimeoutFailure, TimeoutPhase, TransportFailure};
use crate::pool::{Pool, SendError};

/// Connection settings.
#[derive(Debug, Clone)]
pub(crate) struct TransportSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) max_idle_per_host: usize,
    pub(crate) max_response_bytes: usize,
    /// DER certificates trusted in addition to the system's roots.
    pub(crate) extra_roots: Vec<Vec<u8>>,
    /// The proxy, as given (checked by [`Transport::new`]).
    pub(crate) proxy: Option<String>,
    pub(crate) connector: Option<SharedConnector>,
}

impl Default for TransportSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            pool_idle_timeout: Duration::from_secs(90),
            max_idle_per_host: usize::MAX,
            max_response_bytes: 64 * 1024 * 1024,
            extra_roots: Vec::new(),
            proxy: None,
            connector: None,
        }
    }
}

/// The connector stack: the connect timeout over TLS over the route over the dialer. The pool
/// holds it behind an `Arc` and clones it (proxy URI, TLS settings, dialer) only to open a
/// connection. Every layer is always ready (none holds a limit), so `call` needs no
/// `poll_ready` first.
pub(crate) type Stack = ConnectTimeout<HttpsConnector<Route>>;

/// One pooled client, shared by every request of a plugin.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pool: Pool,
    connect_timeout: Duration,
    max_response_bytes: usize,
    #[cfg(feature = "realtime")]
    socket: SocketSettings,
}

/// What the realtime WebSocket needs to open its own connection with the same TLS setup (ring,
/// the system's roots plus the added ones), the same dialer and the same connect timeout.
#[cfg(feature = "realtime")]
#[derive(Debug, Clone)]
pub(crate) struct SocketSettings {
    /// The TLS configuration with ALPN `http/1.1` (WebSockets upgrade an HTTP/1.1 request).
    pub(crate) tls: Arc<rustls::ClientConfig>,
    /// The user's connector, else TCP.
    pub(crate) connector: Option<SharedConnector>,
    pub(crate) connect_timeout: Duration,
    /// The proxy, when one is configured.
    pub(crate) proxy: Option<Uri>,
}

/// Checks the proxy: `http://host[:port]` (the port defaults to 80).
fn proxy_uri(proxy: &str) -> Result<Uri, ApiError> {
    let uri: Uri = proxy
        .parse()
        .map_err(|e| ApiError::configuration_with(None, "the proxy is not a valid URI", e))?;
    if uri.scheme() != Some(&http::uri::Scheme::HTTP) || uri.host().is_none() {
        return Err(ApiError::configuration(
            None,
            "the proxy must be an `http://host:port` URI (HTTPS endpoints are tunnelled with CONNECT)",
        ));
    }
    if uri.path_and_query().is_some_and(|p| p.as_str() != "/") {
        return Err(ApiError::configuration(
            None,
            "the proxy URI must not have a path or query",
        ));
    }
    Ok(uri)
}

impl Transport {
    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`ApiError::Configuration`] for an unusable root certificate or proxy URI.
    pub(crate) fn new(settings: TransportSettings) -> Result<Self, ApiError> {
        let tls = crate::tls::client_config(&settings.extra_roots)?;
        let proxy = settings.proxy.as_deref().map(proxy_uri).transpose()?;
        // The realtime WebSocket's own connections: the same roots, dialer, proxy and connect
        // timeout, with ALPN `http/1.1`.
        #[cfg(feature = "realtime")]
        let socket = {
            let mut socket_tls = (*tls).clone();
            socket_tls.alpn_protocols = vec![b"http/1.1".to_vec()];
            SocketSettings {
                tls: Arc::new(socket_tls),
                connector: settings.connector.clone(),
                connect_timeout: settings.connect_timeout,
                proxy: proxy.clone(),
            }
        };
        let dialer = match settings.connector {
            Some(custom) => Dialer::Custom(custom),
            None => {
                let mut tcp = HttpConnector::new();
                // The connector sees `https` URIs too: TLS is added above it.
                tcp.enforce_http(false);
                tcp.set_nodelay(true);
                Dialer::Tcp(tcp)
            }
        };
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config((*tls).clone())
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(Route { dialer, proxy });
        let connector = ConnectTimeout {
            inner: https,
            timeout: settings.connect_timeout,
        };
        let pool = Pool::new(
            Arc::new(connector),
            settings.pool_idle_timeout,
            settings.max_idle_per_host,
        );
        Ok(Self {
            pool,
            connect_timeout: settings.connect_timeout,
            max_response_bytes: settings.max_response_bytes,
            #[cfg(feature = "realtime")]
            socket,
        })
    }

    /// The settings the realtime WebSocket connects with.
    #[cfg(feature = "realtime")]
    pub(crate) fn socket_settings(&self) -> &SocketSettings {
        &self.socket
    }

    /// Sends `request` and reads the whole response. The connector's timeout bounds getting a
    /// connection (new or pooled); `timeout` starts once a connection starts sending the
    /// request, so a timeout before that says the request was not sent, and one after it says
    /// it may have been.
    pub(crate) async fn send(
        &self,
        request: http::Request<Bytes>,
        timeout: Duration,
        api: &str,
    ) -> Result<http::Response<Bytes>, ApiError> {
        let started = SendStart::new();
        let request = request.map(Full::new);
        let max = self.max_response_bytes;
        let exchange = async {
            let (response, lease) = self
                .pool
                .send(request, &started)
                .await
                .map_err(|e| classify_send_error(e, api, self.connect_timeout))?;
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
            lease.release();
            Ok(http::Response::from_parts(parts, collected.to_bytes()))
        };
        let mut exchange = std::pin::pin!(exchange);
        // The timer first fires `timeout` after this call; the deadline is then moved to
        // `timeout` after sending started. Until a connection starts sending, only the connect
        // timeout applies (the connector's): the pool marks the start while this future polls
        // it, so the next check below sees it. No channel and no extra wake-up on the usual
        // path, where the response comes before the timer.
        let mut timer = std::pin::pin!(match started.base.checked_add(timeout) {
            Some(deadline) => tokio::time::sleep_until(deadline),
            None => tokio::time::sleep(timeout),
        });
        let mut waiting_for_start = false;
        std::future::poll_fn(|cx| {
            if let Poll::Ready(result) = exchange.as_mut().poll(cx) {
                return Poll::Ready(result);
            }
            loop {
                if waiting_for_start {
                    match started.at() {
                        Some(at) => {
                            waiting_for_start = false;
                            timer.as_mut().reset(at + timeout);
                        }
                        None => return Poll::Pending,
                    }
                }
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                match started.at() {
                    Some(at) if tokio::time::Instant::now() < at + timeout => {
                        timer.as_mut().reset(at + timeout);
                    }
                    Some(_) => {
                        return Poll::Ready(Err(ApiError::Timeout(TimeoutFailure::new(
                            api,
                            TimeoutPhase::Request,
                            Some(timeout),
                        ))));
                    }
                    None => {
                        tracing::trace!("request timer due before a connection started sending");
                        waiting_for_start = true;
                    }
                }
            }
        })
        .await
    }
}

/// When a connection started sending a request: set by the pool as it hands the request to a
/// ready connection (which writes it on its next turn), and cleared if the connection hands it
/// back unsent. The pool's future and the request timer belong to the same future, so no waking
/// is needed between them.
#[derive(Debug)]
pub(crate) struct SendStart {
    base: tokio::time::Instant,
    /// Nanoseconds from `base` to the start, at least 1; 0 while not sending.
    nanos: AtomicU64,
}

impl SendStart {
    fn new() -> Self {
        Self {
            base: tokio::time::Instant::now(),
            nanos: AtomicU64::new(0),
        }
    }

    fn at(&self) -> Option<tokio::time::Instant> {
        match self.nanos.load(Ordering::Relaxed) {
            0 => None,
            nanos => Some(self.base + Duration::from_nanos(nanos)),
        }
    }

    /// Sending starts now.
    pub(crate) fn mark(&self) {
        let nanos = u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.nanos.store(nanos.max(1), Ordering::Relaxed);
    }

    /// The request came back unsent.
    pub(crate) fn clear(&self) {
        self.nanos.store(0, Ordering::Relaxed);
    }
}

/// A connection as the dialer made it, with whether requests on it go to a forward proxy (then
/// hyper sends absolute-form request targets).
pub(crate) struct Dialed {
    io: TokioIo<Box<dyn Connection>>,
    proxied: bool,
}

impl HyperConnection for Dialed {
    fn connected(&self) -> Connected {
        Connected::new().proxy(self.proxied)
    }
}

impl hyper::rt::Read for Dialed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Dialed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

/// Opens byte streams: TCP, or the user's connector.
#[derive(Debug, Clone)]
enum Dialer {
    Tcp(HttpConnector),
    Custom(SharedConnector),
}

impl Service<Uri> for Dialer {
    type Response = Dialed;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Dialed, BoxError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        match self {
            Dialer::Tcp(tcp) => {
                let connecting = tcp.call(target);
                Box::pin(async move {
                    let stream = connecting.await?.into_inner();
                    Ok(Dialed {
                        io: TokioIo::new(Box::new(stream) as Box<dyn Connection>),
                        proxied: false,
                    })
                })
            }
            Dialer::Custom(custom) => {
                let custom = custom.clone();
                Box::pin(async move {
                    let io = custom.connector().connect(&target).await?;
                    Ok(Dialed {
                        io: TokioIo::new(io),
                        proxied: false,
                    })
                })
            }
        }
    }
}

/// Straight to the endpoint, or through the proxy: a CONNECT tunnel for `https` (TLS then runs
/// end to end inside it), the proxy itself for plain `http`.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    dialer: Dialer,
    proxy: Option<Uri>,
}

impl Service<Uri> for Route {
    type Response = Dialed;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Dialed, BoxError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        match &self.proxy {
            None => self.dialer.call(target),
            Some(proxy) if target.scheme() == Some(&http::uri::Scheme::HTTPS) => {
                let mut tunnel = Tunnel::new(proxy.clone(), self.dialer.clone());
                let tunnelling = tunnel.call(target);
                Box::pin(async move { tunnelling.await.map_err(BoxError::from) })
            }
            Some(proxy) => {
                let connecting = self.dialer.call(proxy.clone());
                Box::pin(async move {
                    let mut dialed = connecting.await?;
                    dialed.proxied = true;
                    Ok(dialed)
                })
            }
        }
    }
}

/// Bounds everything before the first request byte: dialing, the proxy tunnel and the TLS
/// handshake. Expiry is an `io::ErrorKind::TimedOut` error.
#[derive(Debug, Clone)]
pub(crate) struct ConnectTimeout<C> {
    inner: C,
    timeout: Duration,
}

impl<C> Service<Uri> for ConnectTimeout<C>
where
    C: Service<Uri>,
    C::Future: Send + 'static,
    C::Response: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<C::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        let connecting = self.inner.call(target);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result.map_err(Into::into),
                Err(_) => Err(Box::new(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connecting timed out",
                )) as BoxError),
            }
        })
    }
}

fn classify_send_error(err: SendError, api: &str, connect_timeout: Duration) -> ApiError {
    match err {
        SendError::Connect(err) if has_timed_out_io(&*err) => ApiError::Timeout(
            TimeoutFailure::new(api, TimeoutPhase::Connect, Some(connect_timeout)),
        ),
        SendError::Connect(err) => ApiError::Transport(TransportFailure::new(
            api,
            DispatchState::NotSent,
            "could not connect",
            Some(err),
        )),
        SendError::Send(err) => ApiError::Transport(TransportFailure::new(
            api,
            DispatchState::MaybeSent,
            "the connection failed",
            Some(Box::new(err)),
        )),
    }
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
    fn the_transport_builds_with_default_settings() {
        assert!(Transport::new(TransportSettings::default()).is_ok());
    }

    #[test]
    fn proxies_must_be_plain_http_authorities() {
        assert_eq!(
            proxy_uri("http://127.0.0.1:3128").unwrap().port_u16(),
            Some(3128)
        );
        assert!(proxy_uri("http://proxy.internal").is_ok());
        for bad in [
            "https://proxy:443",
            "proxy:3128",
            "http://proxy/path",
            "not a uri",
        ] {
            assert!(
                matches!(proxy_uri(bad), Err(ApiError::Configuration(_))),
                "{bad}"
            );
        }
    }
}
