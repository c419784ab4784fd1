//! Small crate-private helpers: randomness, hashing, encodings and identifiers.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use ring::hmac;

use crate::error::EmulatorError;

pub(crate) mod form;
pub(crate) mod loopback;
pub mod totp;

/// A cryptographically strong generator that cannot fail once seeded: HMAC-SHA256 in counter
/// mode over a 32-byte seed taken from the operating system (or given, for reproducible runs).
pub(crate) struct Rng {
    key: hmac::Key,
    counter: AtomicU64,
}

impl std::fmt::Debug for Rng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rng { .. }")
    }
}

impl Rng {
    pub(crate) fn from_os() -> Result<Self, EmulatorError> {
        let mut seed = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed)
            .map_err(|_| EmulatorError::Random)?;
        Ok(Self::from_seed(seed))
    }

    pub(crate) fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, &seed),
            counter: AtomicU64::new(0),
        }
    }

    pub(crate) fn fill(&self, out: &mut [u8]) {
        for chunk in out.chunks_mut(32) {
            let n = self.counter.fetch_add(1, Ordering::Relaxed);
            let block = hmac::sign(&self.key, &n.to_be_bytes());
            let bytes = block.as_ref();
            for (dst, src) in chunk.iter_mut().zip(bytes) {
                *dst = *src;
            }
        }
    }

    pub(crate) fn bytes<const N: usize>(&self) -> [u8; N] {
        let mut out = [0u8; N];
        self.fill(&mut out);
        out
    }

    pub(crate) fn vec(&self, len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        self.fill(&mut out);
        out
    }

    /// A random version-4 UUID, lowercase with dashes.
    pub(crate) fn uuid(&self) -> String {
        let mut b: [u8; 16] = self.bytes();
        if let Some(v) = b.get_mut(6) {
            *v = (*v & 0x0f) | 0x40;
        }
        if let Some(v) = b.get_mut(8) {
            *v = (*v & 0x3f) | 0x80;
        }
        let h = hex(&b);
        format!(
            "{}-{}-{}-{}-{}",
            h.get(0..8).unwrap_or_default(),
            h.get(8..12).unwrap_or_default(),
            h.get(12..16).unwrap_or_default(),
            h.get(16..20).unwrap_or_default(),
            h.get(20..32).unwrap_or_default()
        )
    }

    /// `len` characters drawn from `alphabet` (without modulo bias).
    pub(crate) fn string_from(&self, alphabet: &[u8], len: usize) -> String {
        let mut out = String::with_capacity(len);
        if alphabet.is_empty() {
            return out;
        }
        let limit = 256 - (256 % alphabet.len());
        while out.len() < len {
            for byte in self.bytes::<32>() {
                if usize::from(byte) < limit && out.len() < len {
                    let index = usize::from(byte) % alphabet.len();
                    if let Some(c) = alphabet.get(index) {
                        out.push(char::from(*c));
                    }
                }
            }
        }
        out
    }

    /// A numeric code of `digits` digits, e.g. `"042917"`.
    pub(crate) fn digits(&self, digits: usize) -> String {
        self.string_from(b"0123456789", digits)
    }

    pub(crate) fn alnum_lower(&self, len: usize) -> String {
        self.string_from(b"abcdefghijklmnopqrstuvwxyz0123456789", len)
    }

    pub(crate) fn alnum(&self, len: usize) -> String {
        self.string_from(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            len,
        )
    }

    pub(crate) fn upper_alnum(&self, len: usize) -> String {
        self.string_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", len)
    }

    /// An opaque token of `bytes` random bytes, base64url without padding.
    pub(crate) fn token(&self, bytes: usize) -> String {
        b64url(&self.vec(bytes))
    }
}

#[cfg(test)]
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

pub(crate) fn sha256_parts(parts: &[&[u8]]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        ctx.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut ctx = hmac::Context::with_key(&key);
    for part in parts {
        ctx.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.sign().as_ref());
    out
}

/// Equality that takes the same time wherever the inputs differ.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Parses hex of any length (an odd length gets a leading zero), ignoring ASCII case.
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 2 + 1);
    let (head, rest) = if bytes.len() % 2 == 1 {
        (bytes.first().copied(), bytes.get(1..).unwrap_or_default())
    } else {
        (None, bytes)
    };
    if let Some(h) = head {
        out.push(nibble(h)?);
    }
    for pair in rest.chunks(2) {
        match pair {
            [hi, lo] => out.push((nibble(*hi)? << 4) | nibble(*lo)?),
            _ => return None,
        }
    }
    Some(out)
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes standard or URL-safe base64, with or without padding.
pub(crate) fn b64_decode_lenient(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    if trimmed.contains(['-', '_']) {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(trimmed)
            .ok()
    } else {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(trimmed)
            .ok()
    }
}

pub(crate) fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

/// HTML-escapes text for element content and quoted attribute values (`&`, `<`, `>`, `"`, `'`).
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Cognito's masked destination: `a***@e***` for emails, `+*******0100` for phone numbers.
pub(crate) fn mask_destination(value: &str) -> String {
    if let Some((local, domain)) = value.split_once('@') {
        let l = local.chars().next().map(String::from).unwrap_or_default();
        let d = domain.chars().next().map(String::from).unwrap_or_default();
        format!("{l}***@{d}***")
    } else {
        let chars: Vec<char> = value.chars().collect();
        let keep = chars.len().min(4);
        let hidden = chars.len().saturating_sub(keep + 1);
        let tail: String = chars.iter().skip(chars.len() - keep).collect();
        let head: String = chars.first().map(char::to_string).unwrap_or_default();
        format!("{head}{}{tail}", "*".repeat(hidden))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_odd_lengths() {
        assert_eq!(unhex("abc"), Some(vec![0x0a, 0xbc]));
        assert_eq!(unhex("00ff"), Some(vec![0x00, 0xff]));
        assert_eq!(unhex(""), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(hex(&[0x01, 0xab]), "01ab");
    }

    #[test]
    fn rng_is_reproducible_and_shaped() {
        let a = Rng::from_seed([7; 32]);
        let b = Rng::from_seed([7; 32]);
        assert_eq!(a.uuid(), b.uuid());
        let id = a.uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id.chars().nth(14), Some('4'));
        assert_eq!(a.digits(6).len(), 6);
        assert!(a.digits(6).bytes().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn masks_like_cognito() {
        assert_eq!(mask_destination("alice@example.com"), "a***@e***");
        assert_eq!(mask_destination("+15555550100"), "+*******0100");
    }

    #[test]
    fn lenient_base64() {
        assert_eq!(b64_decode_lenient("aGk="), Some(b"hi".to_vec()));
        assert_eq!(b64_decode_lenient("aGk"), Some(b"hi".to_vec()));
        assert_eq!(b64_decode_lenient("-_8"), Some(vec![0xfb, 0xff]));
    }
}
