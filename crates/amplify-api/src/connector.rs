//! Bring-your-own connections: the [`Connector`] trait that
//! [`ApiPluginBuilder::connector`](crate::ApiPluginBuilder::connector) takes.
//!
//! A connector opens the byte stream under HTTP: a TCP connection by default. TLS (for `https`
//! endpoints), the proxy tunnel, HTTP/1.1 or HTTP/2, pooling and the timeouts stay the
//! plugin's. Use one to dial through a Unix socket, an in-process pipe, a custom resolver, or to
//! observe connection attempts in tests.

use std::fmt;
use std::sync::Arc;

use amplify_core::{BoxError, BoxFuture};

/// A byte stream an HTTP connection runs over: any Tokio stream that is `Send` and `Unpin`
/// (`tokio::net::TcpStream`, `tokio::io::DuplexStream`, a `Box<dyn Connection>`, ...).
pub trait Connection:
    tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static
{
}

impl<T> Connection for T where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static
{
}

/// Opens connections for an [`ApiPlugin`](crate::ApiPlugin).
///
/// `target` is what to dial: the endpoint's URI (scheme, host and port; the path is not
/// meaningful), or the proxy's URI when [`proxy`](crate::ApiPluginBuilder::proxy) is set. For
/// an `https` target, return the plain stream: the plugin does the TLS handshake over it.
///
/// A failure here means nothing was sent: the request fails with
/// [`ApiError::Transport`](crate::ApiError::Transport) and `may_have_been_sent() == false`. The
/// plugin's connect timeout bounds the call.
///
/// # Examples
///
/// ```
/// use amplify_api::{ApiPlugin, Connection, Connector};
/// use amplify_core::{BoxError, BoxFuture};
///
/// /// Dials every endpoint's host and port over TCP, logging the attempt.
/// #[derive(Debug)]
/// struct LoggingTcp;
///
/// impl Connector for LoggingTcp {
///     fn connect<'a>(
///         &'a self,
///         target: &'a http::Uri,
///     ) -> BoxFuture<'a, Result<Box<dyn Connection>, BoxError>> {
///         Box::pin(async move {
///             let host = target.host().ok_or("no host")?;
///             let port = target.port_u16().unwrap_or(443);
///             eprintln!("connecting to {host}:{port}");
///             let stream = tokio::net::TcpStream::connect((host, port)).await?;
///             Ok(Box::new(stream) as Box<dyn Connection>)
///         })
///     }
/// }
///
/// let api = ApiPlugin::builder().connector(LoggingTcp).build()?;
/// # let _ = api;
/// # Ok::<(), amplify_api::ApiError>(())
/// ```
pub trait Connector: Send + Sync + fmt::Debug {
    /// Opens a byte stream to `target`.
    ///
    /// # Errors
    ///
    /// Any error; it becomes the `source()` of the request's transport error.
    fn connect<'a>(
        &'a self,
        target: &'a http::Uri,
    ) -> BoxFuture<'a, Result<Box<dyn Connection>, BoxError>>;
}

/// A cheap-to-clone handle to any [`Connector`].
#[derive(Debug, Clone)]
pub(crate) struct SharedConnector(Arc<dyn Connector>);

impl SharedConnector {
    pub(crate) fn new(connector: impl Connector + 'static) -> Self {
        Self(Arc::new(connector))
    }

    pub(crate) fn connector(&self) -> &dyn Connector {
        &*self.0
    }
}
