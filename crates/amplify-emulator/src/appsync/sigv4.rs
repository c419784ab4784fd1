//! Server-side SigV4 verification, written from AWS's published algorithm (independently of the
//! client crates): the canonical request is rebuilt from what arrived on the wire and signed
//! again with the secret of credentials the identity pool issued or of a principal the operator
//! declared.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method};

use crate::credentials::{CredentialStore, KnownCredentials};
use crate::timefmt;
use crate::util::{ct_eq, form, hex, hmac_sha256, sha256_parts, unhex};

/// SigV4 accepts requests signed up to 5 minutes before or after the server's time.
pub(crate) const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Why a signature was refused; each maps to AWS's error code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SigV4Error {
    /// The `Authorization` header or `x-amz-date` is missing parts.
    Incomplete(String),
    /// The access key id is not one the emulator issued or was declared.
    UnknownAccessKey,
    /// The session token is missing or not the one issued with the key.
    BadSessionToken,
    /// The credentials have expired (emulator clock).
    ExpiredCredentials,
    /// Scope, skew or signature problems (`InvalidSignatureException`).
    Invalid(String),
}

impl SigV4Error {
    /// AWS's error code.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            SigV4Error::Incomplete(_) => "IncompleteSignatureException",
            SigV4Error::UnknownAccessKey | SigV4Error::BadSessionToken => {
                "UnrecognizedClientException"
            }
            SigV4Error::ExpiredCredentials => "ExpiredTokenException",
            SigV4Error::Invalid(_) => "InvalidSignatureException",
        }
    }

    /// AWS's message.
    pub(crate) fn message(&self) -> String {
        match self {
            SigV4Error::Incomplete(m) | SigV4Error::Invalid(m) => m.clone(),
            SigV4Error::UnknownAccessKey | SigV4Error::BadSessionToken => {
                "The security token included in the request is invalid.".to_owned()
            }
            SigV4Error::ExpiredCredentials => {
                "The security token included in the request is expired".to_owned()
            }
        }
    }
}

/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
#[derive(Debug)]
struct AuthHeader<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<AuthHeader<'_>, SigV4Error> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .ok_or_else(|| SigV4Error::Incomplete("Unsupported signing algorithm.".to_owned()))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let missing = |name: &str| {
        SigV4Error::Incomplete(format!(
            "Authorization header requires '{name}' parameter. Authorization={}",
            value.split_whitespace().next().unwrap_or_default()
        ))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let mut scope = credential.split('/');
    let (Some(access_key_id), Some(date), Some(region), Some(service), Some(terminator), None) = (
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
    ) else {
        return Err(SigV4Error::Incomplete(format!(
            "Credential should have 5 parts: <access key>/<date>/<region>/<service>/aws4_request, got {}",
            credential.split('/').count()
        )));
    };
    if terminator != "aws4_request" {
        return Err(SigV4Error::Invalid(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        )));
    }
    if access_key_id.is_empty() {
        return Err(missing("Credential"));
    }
    Ok(AuthHeader {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

/// The unreserved characters of RFC 3986, which SigV4 never encodes.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn encode(text: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text {
        if unreserved(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The canonical URI: dot segments removed (RFC 3986 §5.2.4), then every byte that is not
/// unreserved or `/` percent-encoded. The path arrives encoded once, so it ends up encoded
/// twice, as SigV4 wants for every service but S3.
fn canonical_uri(path: &str) -> String {
    let absolute = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in absolute.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut normalized = format!("/{}", segments.join("/"));
    let trailing = ["/", "/.", "/..", "/./", "/../"]
        .iter()
        .any(|end| absolute.ends_with(end));
    if trailing && !normalized.ends_with('/') {
        normalized.push('/');
    }
    encode(normalized.as_bytes(), true)
}

/// The canonical query: pairs decoded, re-encoded strictly, sorted.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                encode(&form::decode_bytes(k), false),
                encode(&form::decode_bytes(v), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// A header value with surrounding spaces trimmed and inner runs of spaces collapsed.
fn trim_all(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the verifier needs from a request.
#[derive(Debug)]
pub(crate) struct Signed<'a> {
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

/// What a verification needs to know about the API.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expect<'a> {
    pub(crate) service: &'a str,
    pub(crate) region: &'a str,
    /// `x-amz-content-sha256: UNSIGNED-PAYLOAD` is accepted (API Gateway).
    pub(crate) allow_unsigned_payload: bool,
}

/// Verifies a SigV4 `Authorization` header; returns the credentials that made it.
pub(crate) fn verify(
    request: &Signed<'_>,
    expect: Expect<'_>,
    now: SystemTime,
    store: &CredentialStore,
) -> Result<KnownCredentials, SigV4Error> {
    let header = |name: &str| request.headers.get(name).map(|v| v.as_bytes());
    let authorization = header("authorization")
        .and_then(|v| std::str::from_utf8(v).ok())
        .ok_or_else(|| SigV4Error::Incomplete("Missing Authorization header.".to_owned()))?;
    let auth = parse_authorization(authorization)?;
    let amz_date = header("x-amz-date")
        .and_then(|v| std::str::from_utf8(v).ok())
        .ok_or_else(|| {
            SigV4Error::Incomplete(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                    .to_owned(),
            )
        })?;
    let signed_at = timefmt::parse_amz_date(amz_date).ok_or_else(|| {
        SigV4Error::Incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{amz_date}'."
        ))
    })?;

    let issued = store
        .lookup(auth.access_key_id)
        .ok_or(SigV4Error::UnknownAccessKey)?;
    let token = header("x-amz-security-token").unwrap_or_default();
    if !ct_eq(token, issued.session_token().as_bytes()) {
        return Err(SigV4Error::BadSessionToken);
    }

    // The clock check comes before the signature: a skewed client learns the server's time
    // from the message and the `Date` header.
    let now_secs = timefmt::epoch_secs(now);
    let max = i64::try_from(MAX_SKEW.as_secs()).unwrap_or(300);
    if signed_at < now_secs - max {
        return Err(SigV4Error::Invalid(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - 5 min.)",
            timefmt::amz_date(now_secs - max),
            timefmt::amz_date(now_secs)
        )));
    }
    if signed_at > now_secs + max {
        return Err(SigV4Error::Invalid(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + 5 min.)",
            timefmt::amz_date(now_secs + max),
            timefmt::amz_date(now_secs)
        )));
    }
    if amz_date.get(..8) != Some(auth.date) {
        return Err(SigV4Error::Invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
            auth.date,
            amz_date.get(..8).unwrap_or_default()
        )));
    }
    if auth.service != expect.service {
        return Err(SigV4Error::Invalid(format!(
            "Credential should be scoped to correct service: '{}'. ",
            expect.service
        )));
    }
    if auth.region != expect.region {
        return Err(SigV4Error::Invalid(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            auth.region
        )));
    }
    if !auth.signed_headers.contains(&"host") {
        return Err(SigV4Error::Invalid(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".to_owned(),
        ));
    }
    if !auth.signed_headers.contains(&"x-amz-date") {
        return Err(SigV4Error::Invalid(
            "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.".to_owned(),
        ));
    }

    let payload_hash = match header("x-amz-content-sha256") {
        Some(b"UNSIGNED-PAYLOAD") if expect.allow_unsigned_payload => UNSIGNED_PAYLOAD.to_owned(),
        Some(b"UNSIGNED-PAYLOAD") => {
            return Err(SigV4Error::Invalid(
                "This service does not accept UNSIGNED-PAYLOAD; sign the request body.".to_owned(),
            ));
        }
        Some(claimed) => {
            let actual = hex(&sha256_parts(&[request.body]));
            let claimed = String::from_utf8_lossy(claimed).to_ascii_lowercase();
            if claimed != actual {
                return Err(SigV4Error::Invalid(
                    "The provided 'x-amz-content-sha256' header does not match what was computed."
                        .to_owned(),
                ));
            }
            actual
        }
        None => hex(&sha256_parts(&[request.body])),
    };

    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        let values: Vec<String> = request
            .headers
            .get_all(*name)
            .iter()
            .map(|v| trim_all(v.as_bytes()))
            .collect();
        if values.is_empty() {
            return Err(SigV4Error::Invalid(format!(
                "The request signature we calculated does not match the signature you provided: the signed header '{name}' is missing."
            )));
        }
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    let signed_headers = auth.signed_headers.join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_hash}",
        request.method.as_str(),
        canonical_uri(request.path),
        canonical_query(request.query),
    );
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex(&sha256_parts(&[canonical_request.as_bytes()]))
    );
    let k_date = hmac_sha256(
        format!("AWS4{}", issued.secret_access_key()).as_bytes(),
        &[auth.date.as_bytes()],
    );
    let k_region = hmac_sha256(&k_date, &[auth.region.as_bytes()]);
    let k_service = hmac_sha256(&k_region, &[auth.service.as_bytes()]);
    let k_signing = hmac_sha256(&k_service, &[b"aws4_request"]);
    let expected = hmac_sha256(&k_signing, &[string_to_sign.as_bytes()]);
    let given = unhex(auth.signature).unwrap_or_default();
    if !ct_eq(&expected, &given) {
        // Like AWS, show what was signed, without the session token.
        let shown = match issued.session_token() {
            "" => canonical_request,
            token => canonical_request.replace(token, "<session token>"),
        };
        return Err(SigV4Error::Invalid(format!(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'{shown}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
        )));
    }
    if issued.expiration().is_some_and(|expires| expires <= now) {
        return Err(SigV4Error::ExpiredCredentials);
    }
    Ok(issued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uri_normalizes_and_double_encodes() {
        assert_eq!(canonical_uri("/graphql"), "/graphql");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/a/./b/../c"), "/a/c");
        assert_eq!(canonical_uri("/a//b/"), "/a/b/");
        assert_eq!(canonical_uri("/items/a%20b"), "/items/a%2520b");
        assert_eq!(canonical_uri("/x/.."), "/");
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        assert_eq!(canonical_query(""), "");
        assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(canonical_query("q=a+b&r=%2F"), "q=a%20b&r=%2F");
        assert_eq!(canonical_query("flag"), "flag=");
    }

    #[test]
    fn authorization_header_parts() {
        let header = "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd";
        let parsed = parse_authorization(header).unwrap();
        assert_eq!(parsed.access_key_id, "AKID");
        assert_eq!(parsed.service, "appsync");
        assert_eq!(parsed.signed_headers, vec!["host", "x-amz-date"]);
        assert!(parse_authorization("AWS4-HMAC-SHA256 Credential=AKID/x").is_err());
        assert!(parse_authorization("Bearer x").is_err());
        let bad = "AWS4-HMAC-SHA256 Credential=A/20231114/us-east-1/appsync/nope, SignedHeaders=host, Signature=00";
        assert!(matches!(
            parse_authorization(bad),
            Err(SigV4Error::Invalid(_))
        ));
    }
}
