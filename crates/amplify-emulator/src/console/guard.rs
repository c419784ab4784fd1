//! Who may use the console: loopback `Host` and `Origin`, and the form token on every POST.

use std::net::{Ipv4Addr, Ipv6Addr};

use http::{HeaderMap, header};

use super::Params;

/// Why a console request is refused (the `403` body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// No `Host`, or one that is not loopback.
    Host,
    /// An `Origin` that is not loopback (`null` included).
    Origin,
    /// A POST without an `Origin` or `Referer` naming a loopback console page.
    NoSameOrigin,
    /// A POST without the console's form token.
    Token,
}

impl Refusal {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Refusal::Host => {
                "Forbidden: the emulator console is for loopback only; open it as http://localhost:<port>/_emulator/console or http://127.0.0.1:<port>/_emulator/console (the Host header must be localhost, 127.0.0.1 or [::1])."
            }
            Refusal::Origin => {
                "Forbidden: the emulator console refuses requests from a page whose Origin is not loopback (localhost, 127.0.0.1 or [::1])."
            }
            Refusal::NoSameOrigin => {
                "Forbidden: console actions must come from a console page on a loopback address (the request has no loopback Origin or Referer)."
            }
            Refusal::Token => {
                "Forbidden: the console form token is missing or wrong; reload the console page and submit the form again."
            }
        }
    }
}

/// Refuses a request whose `Host` is not loopback, or whose `Origin` (when present) is not.
pub(super) fn check_loopback(headers: &HeaderMap) -> Result<(), Refusal> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or(Refusal::Host)?;
    if !is_loopback_authority(host) {
        return Err(Refusal::Host);
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().map_err(|_| Refusal::Origin)?;
        if !is_loopback_url(origin) {
            return Err(Refusal::Origin);
        }
    }
    Ok(())
}

/// A state-changing request: a loopback `Origin` or (without one) `Referer`, and the form token.
pub(super) fn check_form(
    headers: &HeaderMap,
    fields: &Params<'_>,
    token: &str,
) -> Result<(), Refusal> {
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .ok_or(Refusal::NoSameOrigin)?;
    if !is_loopback_url(origin) {
        return Err(Refusal::NoSameOrigin);
    }
    let given = fields.get("csrf").ok_or(Refusal::Token)?;
    if crate::util::ct_eq(given.as_bytes(), token.as_bytes()) {
        Ok(())
    } else {
        Err(Refusal::Token)
    }
}

/// `http(s)://<loopback authority>[/...]`.
pub(crate) fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !authority.contains('@') && is_loopback_authority(authority)
}

/// `localhost`, an IPv4 loopback address or `[::1]`, with an optional port.
fn is_loopback_authority(authority: &str) -> bool {
    let host = if let Some(rest) = authority.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return false;
        };
        if !valid_port_suffix(after) {
            return false;
        }
        return inside.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    } else {
        match authority.split_once(':') {
            Some((host, port)) if valid_port_suffix(&format!(":{port}")) => host,
            Some(_) => return false,
            None => authority,
        }
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// Empty, or `:` and a port number.
fn valid_port_suffix(text: &str) -> bool {
    match text.strip_prefix(':') {
        None => text.is_empty(),
        Some(port) => port.parse::<u16>().is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_authorities() {
        for ok in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.1:4000",
            "127.1.2.3:1",
            "[::1]",
            "[::1]:9000",
        ] {
            assert!(is_loopback_authority(ok), "{ok}");
        }
        for bad in [
            "",
            "example.com",
            "localhost.example.com",
            "127.0.0.1.nip.io",
            "10.0.0.1:80",
            "0.0.0.0",
            "[::2]:80",
            "[::1",
            "127.0.0.1:99999",
            "localhost:x",
            "[::1]x",
        ] {
            assert!(!is_loopback_authority(bad), "{bad}");
        }
    }

    #[test]
    fn loopback_urls() {
        assert!(is_loopback_url("http://localhost:3000"));
        assert!(is_loopback_url("http://127.0.0.1:9/_emulator/console?x=1"));
        assert!(is_loopback_url("https://[::1]:443"));
        assert!(!is_loopback_url("null"));
        assert!(!is_loopback_url("http://evil.example"));
        assert!(!is_loopback_url("http://localhost@evil.example"));
        assert!(!is_loopback_url("file:///tmp/x.html"));
    }
}
