//! The loopback listener that receives the browser's redirect (RFC 8252 §7.3): bound to the
//! registered `http://localhost:<port>/<path>` (or `127.0.0.1`) redirect URI before the browser
//! opens, it answers requests for other paths with 404 and the redirect with a page that says the
//! window can be closed. It never outlives the sign-in call.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::AuthError;
use crate::error::{HostedUiError, HostedUiErrorKind};

/// The largest request head read from the browser.
const MAX_HEAD: usize = 16 * 1024;

/// A loopback redirect URI, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LoopbackUri {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) path: String,
}

/// Reads `http://localhost:<port>/<path>` / `http://127.0.0.1:<port>/<path>` (a port is
/// required: the listener must bind the one Cognito redirects to).
pub(crate) fn parse_loopback(uri: &str) -> Option<LoopbackUri> {
    let rest = uri.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (rest.get(..i)?, rest.get(i..)?),
        None => (rest, "/"),
    };
    let (host, port) = authority.rsplit_once(':')?;
    if !matches!(host, "localhost" | "127.0.0.1") {
        return None;
    }
    Some(LoopbackUri {
        host: host.to_owned(),
        port: port.parse().ok()?,
        path: path.split('?').next().unwrap_or("/").to_owned(),
    })
}

/// A bound listener waiting for one redirect.
pub(crate) struct RedirectListener {
    listener: TcpListener,
    uri: LoopbackUri,
}

impl RedirectListener {
    /// Binds `127.0.0.1:<port>` of the redirect URI.
    pub(crate) async fn bind(uri: LoopbackUri) -> Result<Self, AuthError> {
        let listener = TcpListener::bind(("127.0.0.1", uri.port))
            .await
            .map_err(|e| HostedUiError::new(HostedUiErrorKind::Listener).with_source(e))?;
        Ok(Self { listener, uri })
    }

    /// Waits for the redirect (at most `timeout`) and returns its request target
    /// (`/path?code=…&state=…`).
    pub(crate) async fn wait(self, timeout: Duration) -> Result<String, AuthError> {
        tokio::time::timeout(timeout, self.accept_redirect())
            .await
            .map_err(|_| AuthError::from(HostedUiError::new(HostedUiErrorKind::TimedOut)))?
    }

    async fn accept_redirect(&self) -> Result<String, AuthError> {
        loop {
            let (mut stream, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| HostedUiError::new(HostedUiErrorKind::Listener).with_source(e))?;
            let Some(target) = read_target(&mut stream).await else {
                continue;
            };
            let path = target.split('?').next().unwrap_or_default();
            if path != self.uri.path {
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    )
                    .await;
                continue;
            }
            let failed = target.contains("error=");
            let page = if failed {
                "<!doctype html><title>Sign-in failed</title><p>The sign-in did not complete. You can close this window and return to the app."
            } else {
                "<!doctype html><title>Signed in</title><p>Signed in. You can close this window and return to the app."
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncache-control: no-store\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
            return Ok(target);
        }
    }
}

/// The request target of a `GET` (`None` for anything unreadable).
async fn read_target(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .ok()?
            .ok()?;
        if n == 0 || head.len() + n > MAX_HEAD {
            return None;
        }
        head.extend_from_slice(buf.get(..n)?);
    }
    let line = std::str::from_utf8(&head).ok()?.lines().next()?.to_owned();
    let mut parts = line.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Some(target.to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirect_uris_are_recognised() {
        assert_eq!(
            parse_loopback("http://localhost:3000/callback"),
            Some(LoopbackUri {
                host: "localhost".into(),
                port: 3000,
                path: "/callback".into()
            })
        );
        assert_eq!(
            parse_loopback("http://127.0.0.1:8080").map(|u| u.path),
            Some("/".to_owned())
        );
        assert_eq!(parse_loopback("https://localhost:3000/"), None);
        assert_eq!(parse_loopback("http://example.com:3000/"), None);
        assert_eq!(parse_loopback("myapp://callback"), None);
        assert_eq!(parse_loopback("http://localhost/callback"), None);
    }

    #[tokio::test]
    async fn the_listener_answers_the_redirect_and_ignores_other_paths() {
        let probe = TcpListener::bind("127.0.0.1:0").await.ok();
        let port = probe
            .as_ref()
            .and_then(|l| l.local_addr().ok())
            .map_or(0, |a| a.port());
        drop(probe);
        let uri = LoopbackUri {
            host: "127.0.0.1".into(),
            port,
            path: "/cb".into(),
        };
        let Ok(listener) = RedirectListener::bind(uri).await else {
            return assert!(port != 0, "could not bind the freed port");
        };
        let browser = tokio::spawn(async move {
            let mut pages = Vec::new();
            for target in ["/favicon.ico", "/cb?code=c&state=s"] {
                let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .map_err(|e| e.to_string())?;
                s.write_all(format!("GET {target} HTTP/1.1\r\nhost: x\r\n\r\n").as_bytes())
                    .await
                    .map_err(|e| e.to_string())?;
                let mut page = String::new();
                s.read_to_string(&mut page)
                    .await
                    .map_err(|e| e.to_string())?;
                pages.push(page);
            }
            Ok::<_, String>(pages)
        });
        let target = listener.wait(Duration::from_secs(20)).await;
        assert_eq!(target.ok().as_deref(), Some("/cb?code=c&state=s"));
        let pages = browser.await.ok().and_then(Result::ok).unwrap_or_default();
        assert!(pages.first().is_some_and(|p| p.starts_with("HTTP/1.1 404")));
        assert!(
            pages
                .get(1)
                .is_some_and(|p| p.contains("You can close this window"))
        );
    }

    #[tokio::test]
    async fn the_listener_gives_up_after_its_timeout() {
        let uri = LoopbackUri {
            host: "127.0.0.1".into(),
            port: 0,
            path: "/cb".into(),
        };
        let listener = RedirectListener::bind(uri).await;
        let waited = match listener {
            Ok(l) => l.wait(Duration::from_millis(50)).await,
            Err(e) => Err(e),
        };
        assert!(matches!(
            waited,
            Err(AuthError::HostedUi(ref e)) if e.kind() == HostedUiErrorKind::TimedOut
        ));
    }
}
