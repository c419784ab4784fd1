//! The fast SigV4 path for the requests this crate builds: the canonical request is streamed
//! into SHA-256 (no intermediate strings, the payload hashed once), and the signing key comes
//! from aws-sigv4's [`generate_signing_key`] cached per thread for one (secret access key, date,
//! region, service), so a request costs two SHA-256 passes and one HMAC instead of five HMACs
//! and a dozen allocations. The signing key is aws-sigv4's ([`generate_signing_key`]); the
//! signature is the HMAC of aws-sigv4's `calculate_signature`, with the same `hmac` crate,
//! hex-encoded straight into the `authorization` header.
//!
//! Requests outside the shape this path knows byte for byte (a path that SigV4 would normalize
//! or escape, a query that needs escaping, no `host` header, signing headers already present, a
//! time before 1970) are left to aws-sigv4's full signer: [`try_sign`] returns `Ok(false)`. The
//! tests compare both paths over many request shapes, and the emulator's independent verifier
//! checks every signed request of the end-to-end tests.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

use amplify_core::AwsCredentials;
use aws_sigv4::sign::v4::generate_signing_key;
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use http::header::HOST;
use http::{HeaderName, HeaderValue, Request};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{SigningContext, SigningService, signing_error};
use crate::error::{ApiError, SigningFailure};

const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
// The same names as constants, so that they are not validated again on every request.
const X_AMZ_DATE_NAME: HeaderName = HeaderName::from_static(X_AMZ_DATE);
const X_AMZ_SECURITY_TOKEN_NAME: HeaderName = HeaderName::from_static(X_AMZ_SECURITY_TOKEN);
const X_AMZ_CONTENT_SHA256_NAME: HeaderName = HeaderName::from_static(X_AMZ_CONTENT_SHA256);
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Headers aws-sigv4 leaves out of the signature by default (proxies may change them):
/// `authorization`, `user-agent`, `x-amzn-trace-id` and `transfer-encoding`. Standard names
/// compare as constants, without comparing their text.
fn is_excluded(name: &HeaderName) -> bool {
    name == http::header::AUTHORIZATION
        || name == http::header::USER_AGENT
        || name == http::header::TRANSFER_ENCODING
        || name.as_str() == "x-amzn-trace-id"
}

/// A derived signing key and what it was derived from. Both secrets are zeroized on drop.
struct CachedKey {
    secret: Zeroizing<String>,
    date: [u8; 8],
    region: String,
    service: SigningService,
    key: Zeroizing<[u8; 32]>,
}

thread_local! {
    /// One entry per thread: no lock, and a client signs for one identity, region and service
    /// at a time in practice (a miss costs four HMACs, as it did on every request before).
    static SIGNING_KEY: Cell<Option<CachedKey>> = const { Cell::new(None) };
}

/// Signs `request` in place if it has the shape this path handles; `Ok(false)` (request
/// untouched) otherwise.
pub(super) fn try_sign(
    credentials: &AwsCredentials,
    request: &mut Request<Bytes>,
    signing: &SigningContext<'_>,
) -> Result<bool, ApiError> {
    let headers = request.headers();
    if !headers.contains_key(HOST)
        || headers.contains_key(X_AMZ_DATE_NAME)
        || headers.contains_key(X_AMZ_SECURITY_TOKEN_NAME)
        || headers.contains_key(X_AMZ_CONTENT_SHA256_NAME)
    {
        return Ok(false);
    }
    let uri = request.uri();
    let path = uri.path();
    if !is_canonical_path(path) {
        return Ok(false);
    }
    let mut query: Vec<(&str, &str)> = Vec::new();
    if let Some(q) = uri.query()
        && !canonical_query(q, &mut query)
    {
        return Ok(false);
    }
    let Some(stamp) = Stamp::new(signing.time) else {
        return Ok(false);
    };
    let date_time = stamp.date_time();
    let date = stamp.date();
    let token = credentials.session_token();
    let service = signing.service.name();

    // The signed headers, sorted by name (stable: repeated headers keep their order).
    let mut signed: Vec<(&str, &str)> = Vec::with_capacity(headers.len() + 3);
    for (name, value) in headers {
        let value = value.to_str().map_err(|_| {
            ApiError::Signing(SigningFailure::new(
                format!("the value of header `{name}` is not visible ASCII and cannot be signed"),
                None,
            ))
        })?;
        if !is_excluded(name) {
            signed.push((name.as_str(), value));
        }
    }
    signed.push((X_AMZ_DATE, date_time));
    if let Some(token) = token {
        signed.push((X_AMZ_SECURITY_TOKEN, token));
    }
    let payload_hash;
    let payload: &str = match signing.service {
        SigningService::AppSync => {
            payload_hash = hex(&Sha256::digest(request.body()));
            &payload_hash
        }
        SigningService::ExecuteApi => {
            signed.push((X_AMZ_CONTENT_SHA256, UNSIGNED_PAYLOAD));
            UNSIGNED_PAYLOAD
        }
    };
    signed.sort_by(|a, b| a.0.cmp(b.0));

    // The authorization header up to the signature; its signed-headers list is also the
    // canonical request's.
    let mut authorization = String::with_capacity(
        ALGORITHM.len()
            + credentials.access_key_id().len()
            + signing.region.len()
            + service.len()
            + signed.len() * 16
            + 160,
    );
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(credentials.access_key_id());
    authorization.push('/');
    let scope_start = authorization.len();
    push_scope(&mut authorization, date, signing.region, service);
    let scope_end = authorization.len();
    authorization.push_str(", SignedHeaders=");
    let names_start = authorization.len();
    let mut previous: Option<&str> = None;
    for (name, _) in &signed {
        if previous == Some(*name) {
            continue;
        }
        if previous.is_some() {
            authorization.push(';');
        }
        authorization.push_str(name);
        previous = Some(*name);
    }
    let names_end = authorization.len();
    let (Some(scope), Some(names)) = (
        authorization.get(scope_start..scope_end),
        authorization.get(names_start..names_end),
    ) else {
        return Ok(false);
    };

    // The canonical request, streamed into the hash.
    let mut creq = Sha256::new();
    creq.update(request.method().as_str());
    creq.update(b"\n");
    creq.update(path);
    creq.update(b"\n");
    for (i, (key, value)) in query.iter().enumerate() {
        if i > 0 {
            creq.update(b"&");
        }
        creq.update(key);
        creq.update(b"=");
        creq.update(value);
    }
    creq.update(b"\n");
    let mut previous: Option<&str> = None;
    for (name, value) in &signed {
        if previous == Some(*name) {
            creq.update(b",");
        } else {
            if previous.is_some() {
                creq.update(b"\n");
            }
            creq.update(name);
            creq.update(b":");
        }
        update_trimmed(&mut creq, value);
        previous = Some(*name);
    }
    creq.update(b"\n\n");
    creq.update(names);
    creq.update(b"\n");
    creq.update(payload);

    let mut string_to_sign = String::with_capacity(ALGORITHM.len() + scope.len() + 100);
    string_to_sign.push_str(ALGORITHM);
    string_to_sign.push('\n');
    string_to_sign.push_str(date_time);
    string_to_sign.push('\n');
    string_to_sign.push_str(scope);
    string_to_sign.push('\n');
    push_hex(&mut string_to_sign, &creq.finalize());

    // The signature: HMAC-SHA256 of the string to sign under the signing key (aws-sigv4's
    // `calculate_signature` with the same `hmac` crate, written straight into the header).
    let signature = with_signing_key(credentials, signing, date, |key| {
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).map(|mut mac| {
            mac.update(string_to_sign.as_bytes());
            mac.finalize().into_bytes()
        })
    })?
    .map_err(|e| signing_error("the signing key was refused by HMAC", e))?;
    authorization.push_str(", Signature=");
    push_hex(&mut authorization, &signature);

    let date_value = HeaderValue::from_str(date_time)
        .map_err(|e| signing_error("the signer produced an invalid header", e))?;
    let token_value = match token {
        Some(token) => {
            let mut value = HeaderValue::from_str(token).map_err(|e| {
                signing_error("the session token cannot be sent as a header value", e)
            })?;
            value.set_sensitive(true);
            Some(value)
        }
        None => None,
    };
    let mut authorization = HeaderValue::try_from(authorization)
        .map_err(|e| signing_error("the signer produced an invalid header", e))?;
    authorization.set_sensitive(true);

    let headers = request.headers_mut();
    headers.insert(X_AMZ_DATE_NAME, date_value);
    if let Some(value) = token_value {
        headers.insert(X_AMZ_SECURITY_TOKEN_NAME, value);
    }
    if signing.service == SigningService::ExecuteApi {
        headers.insert(
            X_AMZ_CONTENT_SHA256_NAME,
            HeaderValue::from_static(UNSIGNED_PAYLOAD),
        );
    }
    headers.insert(http::header::AUTHORIZATION, authorization);
    Ok(true)
}

/// Runs `f` with the signing key for these credentials, date, region and service, from the
/// thread's cache when it holds that key.
fn with_signing_key<R>(
    credentials: &AwsCredentials,
    signing: &SigningContext<'_>,
    date: &str,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R, ApiError> {
    let secret = credentials.secret_access_key();
    let cached = SIGNING_KEY.try_with(Cell::take).ok().flatten();
    let entry = match cached {
        Some(entry)
            if entry.date.as_slice() == date.as_bytes()
                && entry.service == signing.service
                && entry.region == signing.region
                && entry.secret.as_str() == secret =>
        {
            entry
        }
        _ => {
            tracing::debug!("deriving a SigV4 signing key");
            let derived =
                generate_signing_key(secret, signing.time, signing.region, signing.service.name());
            let key = <[u8; 32]>::try_from(derived.as_ref())
                .map_err(|e| signing_error("the signing key has an unexpected length", e))?;
            let date = <[u8; 8]>::try_from(date.as_bytes())
                .map_err(|e| signing_error("the signing date has an unexpected length", e))?;
            CachedKey {
                secret: Zeroizing::new(secret.to_owned()),
                date,
                region: signing.region.to_owned(),
                service: signing.service,
                key: Zeroizing::new(key),
            }
        }
    };
    let result = f(entry.key.as_slice());
    // Fails only while the thread is being torn down; the key is then dropped (and zeroized).
    let _ = SIGNING_KEY.try_with(|cell| cell.set(Some(entry)));
    Ok(result)
}

/// `date/region/service/aws4_request`.
fn push_scope(out: &mut String, date: &str, region: &str, service: &str) {
    out.push_str(date);
    out.push('/');
    out.push_str(region);
    out.push('/');
    out.push_str(service);
    out.push_str("/aws4_request");
}

/// A path SigV4 leaves as it is: absolute, only unreserved characters and `/`, no empty, `.`
/// or `..` segment (which normalization would remove) and nothing to percent-encode.
fn is_canonical_path(path: &str) -> bool {
    if !path.starts_with('/') || !path.bytes().all(|b| is_unreserved(b) || b == b'/') {
        return false;
    }
    let mut segments = path.split('/').skip(1).peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        match segment {
            // Only a trailing slash may leave an empty segment.
            "" if !last => return false,
            "." | ".." => return false,
            _ => {}
        }
    }
    true
}

/// Fills `out` with the query's pairs sorted as SigV4 sorts them, when decoding and
/// re-encoding leaves every key and value as it is (unreserved characters only, at most one
/// `=` per pair); `false` otherwise.
fn canonical_query<'a>(query: &'a str, out: &mut Vec<(&'a str, &'a str)>) -> bool {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !key.bytes().chain(value.bytes()).all(is_unreserved) {
            return false;
        }
        out.push((key, value));
    }
    out.sort_unstable();
    true
}

pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Hashes `value` as aws-sigv4 canonicalizes it: spaces trimmed at both ends, runs of spaces
/// collapsed to one (other whitespace kept).
fn update_trimmed(hasher: &mut Sha256, value: &str) {
    let value = value.trim_matches(' ');
    if !value.contains("  ") {
        hasher.update(value);
        return;
    }
    let mut first = true;
    for part in value.split(' ').filter(|p| !p.is_empty()) {
        if !first {
            hasher.update(b" ");
        }
        hasher.update(part);
        first = false;
    }
}

/// Lowercase hex.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// Appends `bytes` in lowercase hex: 32 bytes at a time through a stack buffer, so a digest
/// costs one copy and one (ASCII) UTF-8 check instead of a `char` push per digit.
fn push_hex(out: &mut String, bytes: &[u8]) {
    let mut buf = [0u8; 64];
    for chunk in bytes.chunks(32) {
        for (pair, &byte) in buf.chunks_exact_mut(2).zip(chunk) {
            if let [high, low] = pair {
                *high = hex_digit(byte >> 4);
                *low = hex_digit(byte & 0x0f);
            }
        }
        if let Some(Ok(digits)) = buf.get(..chunk.len() * 2).map(std::str::from_utf8) {
            out.push_str(digits);
        }
    }
}

/// The lowercase hex digit of a nibble (0 to 15).
const fn hex_digit(nibble: u8) -> u8 {
    if nibble < 10 {
        b'0' + nibble
    } else {
        b'a' + nibble - 10
    }
}

/// `YYYYMMDDTHHMMSSZ` for a time from 1970 to 9999.
struct Stamp([u8; 16]);

impl Stamp {
    fn new(time: SystemTime) -> Option<Self> {
        let secs = time.duration_since(UNIX_EPOCH).ok()?.as_secs();
        let days = i64::try_from(secs / 86_400).ok()?;
        let of_day = secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        if year > 9999 {
            return None;
        }
        let mut out = *b"00000000T000000Z";
        let fields: [(usize, u64, usize); 6] = [
            (0, u64::try_from(year).ok()?, 4),
            (4, u64::from(month), 2),
            (6, u64::from(day), 2),
            (9, of_day / 3600, 2),
            (11, of_day / 60 % 60, 2),
            (13, of_day % 60, 2),
        ];
        for (start, mut value, width) in fields {
            for slot in out.iter_mut().skip(start).take(width).rev() {
                // A digit: `value % 10` is below 10.
                *slot = b'0' + u8::try_from(value % 10).ok()?;
                value /= 10;
            }
        }
        Some(Self(out))
    }

    fn date_time(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    fn date(&self) -> &str {
        self.date_time().get(..8).unwrap_or_default()
    }
}

/// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`,
/// for days >= 0).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u8::try_from(month).unwrap_or(0),
        u8::try_from(day).unwrap_or(0),
    )
}

#[cfg(test)]
#[path = "sigv4_tests.rs"]
mod tests;
