//! RFC 6238 time-based one-time passwords (TOTP) as Cognito's software-token MFA uses them:
//! HMAC-SHA1, 6 digits, 30-second steps (API reference, `AssociateSoftwareToken`: "a unique
//! private key"; developer guide, "TOTP software token MFA": authenticator apps with the default
//! RFC 6238 parameters), and RFC 4648 base32 for the shared secret (`SecretCode`).
//!
//! Sans-IO: the caller passes the time. Tested with RFC 6238 appendix B's SHA1 vectors.

use ring::hmac;

/// The TOTP time step in seconds (RFC 6238's default, which Cognito uses).
pub const STEP_SECONDS: u64 = 30;

/// The number of digits of a Cognito TOTP code (`UserCode`: "Fixed length of 6").
pub const DIGITS: u32 = 6;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4226 HOTP with HMAC-SHA1: the `digits`-digit code for `counter` (`digits` at most 9).
pub fn hotp_sha1(secret: &[u8], counter: u64, digits: u32) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    let offset = usize::from(mac.last().copied().unwrap_or(0) & 0x0f);
    let word = mac
        .get(offset..offset + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_be_bytes);
    let digits = digits.clamp(1, 9);
    let code = (word & 0x7fff_ffff) % 10_u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The RFC 6238 time step of `unix_seconds`.
pub fn step_of(unix_seconds: u64) -> u64 {
    unix_seconds / STEP_SECONDS
}

/// The 6-digit HMAC-SHA1 TOTP code of `secret` at `unix_seconds` (what an authenticator app
/// shows).
pub fn code_at(secret: &[u8], unix_seconds: u64) -> String {
    hotp_sha1(secret, step_of(unix_seconds), DIGITS)
}

/// The 6-digit code of a base32 `SecretCode` (as AssociateSoftwareToken returns it) at
/// `unix_seconds`; `None` when the secret is not base32.
pub fn code_for_secret_code(secret_code: &str, unix_seconds: u64) -> Option<String> {
    base32_decode(secret_code).map(|secret| code_at(&secret, unix_seconds))
}

/// RFC 4648 base32 without padding (the alphabet `A-Z2-7`).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0_u32, 0_u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(base32_char(buffer >> bits));
        }
    }
    if bits > 0 {
        out.push(base32_char(buffer << (5 - bits)));
    }
    out
}

/// The base32 digit of the low five bits of `value`.
fn base32_char(value: u32) -> char {
    BASE32
        .get((value & 31) as usize)
        .map_or('A', |b| char::from(*b))
}

/// Decodes base32 (case-insensitive; `=` padding and spaces ignored).
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0_u32, 0_u32);
    for c in text.bytes().filter(|c| *c != b'=' && *c != b' ') {
        let value = BASE32.iter().position(|b| *b == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | u32::try_from(value).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// The time step whose code is `code`, looking one step either side of `unix_seconds` (RFC
/// 6238 §5.2: "at most one time step is allowed as the network delay"); `None` if none matches.
pub fn matching_step(secret: &[u8], code: &str, unix_seconds: u64) -> Option<u64> {
    let now = step_of(unix_seconds);
    [now, now.saturating_sub(1), now + 1]
        .into_iter()
        .find(|step| {
            let expected = hotp_sha1(secret, *step, DIGITS);
            crate::util::ct_eq(expected.as_bytes(), code.as_bytes())
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// RFC 6238 appendix B, the SHA1 rows (8 digits; seed "12345678901234567890").
    #[test]
    fn rfc_6238_sha1_vectors() {
        let seed = b"12345678901234567890";
        for (time, code) in [
            (59_u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(hotp_sha1(seed, step_of(time), 8), code, "T = {time}");
        }
        // The 6-digit code is the low six digits of the same truncation.
        assert_eq!(code_at(seed, 59), "287082");
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI======").unwrap(), b"foobar");
        assert_eq!(base32_decode("mzxw6ytboi").unwrap(), b"foobar");
        assert!(base32_decode("not base32!").is_none());
        let secret: Vec<u8> = (0..20).collect();
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
    }

    #[test]
    fn one_step_of_tolerance() {
        let seed = b"12345678901234567890";
        let now = 1_800_000_015;
        let code = code_at(seed, now - 30);
        assert_eq!(matching_step(seed, &code, now), Some(step_of(now) - 1));
        assert_eq!(
            matching_step(seed, &code_at(seed, now + 30), now),
            Some(step_of(now) + 1)
        );
        assert_eq!(matching_step(seed, &code_at(seed, now - 60), now), None);
    }
}
