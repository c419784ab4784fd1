//! Who may use the console: loopback `Host` and `Origin`, and the form token on every POST.

use http::{HeaderMap, header};

use super::Params;
use crate::util::loopback::{is_loopback_authority, is_loopback_url};

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
