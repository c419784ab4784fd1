//! Whether a URL or an authority names this machine (`localhost`, an IPv4 loopback address or
//! `[::1]`): the console's `Host` and `Origin` checks and the CORS answer of `/_emulator/*`.

use std::net::{Ipv4Addr, Ipv6Addr};

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
pub(crate) fn is_loopback_authority(authority: &str) -> bool {
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
