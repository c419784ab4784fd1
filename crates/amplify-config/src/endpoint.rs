//! Validated endpoint URLs.

use std::fmt;
use std::net::IpAddr;

/// An absolute `https://` URL, or an `http://` URL whose host is a loopback address
/// (`localhost`, `127.0.0.0/8`, `::1`), as used by the emulator and local proxies.
///
/// ```
/// use amplify_config::Endpoint;
///
/// assert!(Endpoint::parse("https://abc.appsync-api.us-east-1.amazonaws.com/graphql").is_ok());
/// assert!(Endpoint::parse("http://127.0.0.1:4000/graphql").is_ok());
/// assert!(Endpoint::parse("http://example.com/graphql").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    url: String,
    uri: http::Uri,
}

/// Why a string is not a usable [`Endpoint`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// Not an absolute URL.
    #[error("not an absolute URL with a scheme and a host")]
    NotAbsolute,
    /// A scheme other than http or https.
    #[error("the scheme must be https (or http for a loopback host)")]
    UnsupportedScheme,
    /// `http://` for a host that is not loopback.
    #[error("plain http is only allowed for loopback hosts (localhost, 127.0.0.0/8, ::1)")]
    InsecureHttp,
}

impl Endpoint {
    /// Parses and validates a URL.
    ///
    /// # Errors
    ///
    /// [`EndpointError`] when the URL is not absolute, has another scheme, or uses plain http
    /// for a host that is not loopback.
    pub fn parse(url: &str) -> Result<Self, EndpointError> {
        let uri: http::Uri = url.parse().map_err(|_| EndpointError::NotAbsolute)?;
        let host = uri
            .host()
            .filter(|h| !h.is_empty())
            .ok_or(EndpointError::NotAbsolute)?;
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if is_loopback(host) => {}
            Some("http") => return Err(EndpointError::InsecureHttp),
            Some(_) => return Err(EndpointError::UnsupportedScheme),
            None => return Err(EndpointError::NotAbsolute),
        }
        Ok(Self {
            url: url.to_owned(),
            uri,
        })
    }

    /// The URL as written in the configuration.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The parsed URL.
    pub fn uri(&self) -> &http::Uri {
        &self.uri
    }

    /// The host (without brackets for IPv6).
    pub fn host(&self) -> &str {
        let host = self.uri.host().unwrap_or_default();
        host.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
    }

    /// `true` for `https://` endpoints.
    pub fn is_https(&self) -> bool {
        self.uri.scheme_str() == Some("https")
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Endpoint").field(&self.url).finish()
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_may_use_http() {
        for url in [
            "http://localhost:9229",
            "http://LOCALHOST/x",
            "http://127.0.0.1:1/",
            "http://127.8.9.10/graphql",
            "http://[::1]:8080/graphql",
        ] {
            let ep = Endpoint::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(!ep.is_https());
        }
        assert_eq!(Endpoint::parse("http://[::1]:80/").unwrap().host(), "::1");
    }

    #[test]
    fn other_hosts_need_https() {
        assert_eq!(
            Endpoint::parse("http://example.com"),
            Err(EndpointError::InsecureHttp)
        );
        assert_eq!(
            Endpoint::parse("http://10.0.0.1/"),
            Err(EndpointError::InsecureHttp)
        );
        assert_eq!(
            Endpoint::parse("http://localhost.evil.com/"),
            Err(EndpointError::InsecureHttp)
        );
        assert_eq!(
            Endpoint::parse("ftp://example.com"),
            Err(EndpointError::UnsupportedScheme)
        );
        assert_eq!(Endpoint::parse("/graphql"), Err(EndpointError::NotAbsolute));
        assert_eq!(Endpoint::parse(""), Err(EndpointError::NotAbsolute));
        assert_eq!(
            Endpoint::parse("not a url"),
            Err(EndpointError::NotAbsolute)
        );
        assert!(
            Endpoint::parse("https://cognito-idp.us-east-1.amazonaws.com")
                .unwrap()
                .is_https()
        );
    }
}
