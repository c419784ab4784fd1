//! The on-disk format of the encrypted file store, kept free of I/O so it is easy to test.
//!
//! A data file is a 60-byte header followed by the XChaCha20-Poly1305 ciphertext (with its
//! 16-byte tag) of the encoded map. The whole header is the associated data, so changing any
//! byte of the file fails authentication.
//!
//! ```text
//! offset size field
//!      0    8 magic "AMPLSTOR"
//!      8    1 format version (1)
//!      9    1 algorithm (1 = XChaCha20-Poly1305)
//!     10    2 reserved, zero
//!     12   16 key id (which key encrypted the file)
//!     28    8 generation, little endian (incremented by every write)
//!     36   24 random nonce
//!     60    … ciphertext of the map, then the 16-byte tag
//! ```
//!
//! The map is `u32` entry count, then per entry `u32` key length, key bytes, `u32` value
//! length, value bytes (little endian, UTF-8, keys strictly ascending).

use std::collections::BTreeMap;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::key::FileKey;

/// The decrypted contents of one scope.
pub(crate) type Map = BTreeMap<String, SecretString>;

const MAGIC: &[u8; 8] = b"AMPLSTOR";
const VERSION: u8 = 1;
const ALG_XCHACHA20_POLY1305: u8 = 1;
pub(crate) const HEADER_LEN: usize = 60;
const TAG_LEN: usize = 16;
pub(crate) const KEY_ID_LEN: usize = 16;

/// The parsed, not yet authenticated, header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) key_id: [u8; KEY_ID_LEN],
    pub(crate) generation: u64,
    nonce: [u8; 24],
}

/// Why a file could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// The bytes are not a data file of a version this code reads.
    Format(&'static str),
    /// Decryption failed: tampered, truncated or a wrong key.
    Authentication,
}

impl OpenError {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            OpenError::Format(reason) => reason,
            OpenError::Authentication => {
                "the file failed authentication (tampered, truncated or written with another key)"
            }
        }
    }
}

/// Reads the header of `bytes`.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<Header, OpenError> {
    let (header, rest) = bytes
        .split_first_chunk::<HEADER_LEN>()
        .ok_or(OpenError::Format("the file is shorter than its header"))?;
    let (magic, header) = split::<8>(header)?;
    if &magic != MAGIC {
        return Err(OpenError::Format(
            "the file does not start with the AMPLSTOR magic",
        ));
    }
    let ([version, algorithm], header) = split::<2>(header)?;
    if version != VERSION {
        return Err(OpenError::Format("the file has an unknown format version"));
    }
    if algorithm != ALG_XCHACHA20_POLY1305 {
        return Err(OpenError::Format(
            "the file uses an unknown encryption algorithm",
        ));
    }
    let (reserved, header) = split::<2>(header)?;
    if reserved != [0, 0] {
        return Err(OpenError::Format(
            "the file's reserved header bytes are not zero",
        ));
    }
    let (key_id, header) = split::<KEY_ID_LEN>(header)?;
    let (generation, header) = split::<8>(header)?;
    let (nonce, _) = split::<24>(header)?;
    if rest.len() < TAG_LEN {
        return Err(OpenError::Format(
            "the file is too short to hold an authentication tag",
        ));
    }
    Ok(Header {
        key_id,
        generation: u64::from_le_bytes(generation),
        nonce,
    })
}

/// Splits `N` bytes off the front of `bytes`.
fn split<const N: usize>(bytes: &[u8]) -> Result<([u8; N], &[u8]), OpenError> {
    bytes
        .split_first_chunk::<N>()
        .map(|(head, tail)| (*head, tail))
        .ok_or(OpenError::Format("the file is shorter than its header"))
}

/// Decrypts and decodes a data file. `bytes` must be the whole file.
pub(crate) fn open(key: &FileKey, bytes: &[u8]) -> Result<(Header, Map), OpenError> {
    let header = parse_header(bytes)?;
    let (aad, ciphertext) = bytes
        .split_at_checked(HEADER_LEN)
        .ok_or(OpenError::Format("short file"))?;
    let cipher = XChaCha20Poly1305::new(key.key());
    let plaintext = Zeroizing::new(
        cipher
            .decrypt(
                &XNonce::from(header.nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| OpenError::Authentication)?,
    );
    let map = decode_map(&plaintext).map_err(OpenError::Format)?;
    Ok((header, map))
}

/// Encodes and encrypts `map` with a fresh random nonce.
pub(crate) fn seal(key: &FileKey, generation: u64, map: &Map) -> Result<Vec<u8>, SealError> {
    let plaintext = encode_map(map)?;
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|_| SealError::Random)?;
    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[VERSION, ALG_XCHACHA20_POLY1305, 0, 0]);
    out.extend_from_slice(key.id());
    out.extend_from_slice(&generation.to_le_bytes());
    out.extend_from_slice(&nonce);
    let cipher = XChaCha20Poly1305::new(key.key());
    let ciphertext = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &plaintext,
                aad: &out,
            },
        )
        .map_err(|_| SealError::TooLarge)?;
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Why a map could not be sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SealError {
    /// A key or value is longer than the format's 4 GiB per item.
    TooLarge,
    /// The operating system's random number generator failed.
    Random,
}

fn encode_map(map: &Map) -> Result<Zeroizing<Vec<u8>>, SealError> {
    let size = map
        .iter()
        .map(|(k, v)| 8 + k.len() + v.expose_secret().len())
        .sum::<usize>()
        + 4;
    let mut out = Zeroizing::new(Vec::with_capacity(size));
    let len = |n: usize| {
        u32::try_from(n)
            .map(u32::to_le_bytes)
            .map_err(|_| SealError::TooLarge)
    };
    out.extend_from_slice(&len(map.len())?);
    for (key, value) in map {
        // The one place values leave their `SecretString`: straight into the zeroized buffer.
        let value = value.expose_secret().as_bytes();
        out.extend_from_slice(&len(key.len())?);
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&len(value.len())?);
        out.extend_from_slice(value);
    }
    Ok(out)
}

fn decode_map(mut bytes: &[u8]) -> Result<Map, &'static str> {
    const TRUNCATED: &str = "the decrypted map is truncated";
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], &'static str> {
        let (head, tail) = bytes.split_at_checked(n).ok_or(TRUNCATED)?;
        *bytes = tail;
        Ok(head)
    }
    fn take_len(bytes: &mut &[u8]) -> Result<usize, &'static str> {
        let (head, tail) = bytes.split_first_chunk::<4>().ok_or(TRUNCATED)?;
        *bytes = tail;
        usize::try_from(u32::from_le_bytes(*head)).map_err(|_| "a length does not fit in memory")
    }

    let count = take_len(&mut bytes)?;
    let mut map = Map::new();
    let mut previous: Option<&[u8]> = None;
    for _ in 0..count {
        let key_len = take_len(&mut bytes)?;
        let key = take(&mut bytes, key_len)?;
        if previous.is_some_and(|previous| previous >= key) {
            return Err("the decrypted map's keys are not strictly ascending");
        }
        previous = Some(key);
        let value_len = take_len(&mut bytes)?;
        let value = take(&mut bytes, value_len)?;
        let key = std::str::from_utf8(key).map_err(|_| "a key is not UTF-8")?;
        let value = std::str::from_utf8(value).map_err(|_| "a value is not UTF-8")?;
        map.insert(key.to_owned(), SecretString::from(value));
    }
    if !bytes.is_empty() {
        return Err("the decrypted map has trailing bytes");
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Map {
        let mut map = Map::new();
        map.insert("a".into(), SecretString::from("1"));
        map.insert("b/ключ".into(), SecretString::from(""));
        map.insert("c".into(), SecretString::from("x".repeat(70_000)));
        map
    }

    fn same(a: &Map, b: &Map) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|((ka, va), (kb, vb))| ka == kb && va.expose_secret() == vb.expose_secret())
    }

    #[test]
    fn round_trip() {
        let key = FileKey::generate().unwrap();
        let sealed = seal(&key, 7, &sample()).unwrap();
        let (header, map) = open(&key, &sealed).unwrap();
        assert_eq!(header.generation, 7);
        assert_eq!(&header.key_id, key.id());
        assert!(same(&map, &sample()));
        let empty = seal(&key, 0, &Map::new()).unwrap();
        assert_eq!(empty.len(), HEADER_LEN + 4 + TAG_LEN);
        assert!(open(&key, &empty).unwrap().1.is_empty());
    }

    #[test]
    fn nonces_are_fresh() {
        let key = FileKey::generate().unwrap();
        let a = seal(&key, 1, &sample()).unwrap();
        let b = seal(&key, 1, &sample()).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn every_flipped_bit_is_detected() {
        let key = FileKey::generate().unwrap();
        let mut map = Map::new();
        map.insert("k".into(), SecretString::from("v"));
        let sealed = seal(&key, 3, &map).unwrap();
        for i in 0..sealed.len() {
            for bit in 0..8 {
                let mut bad = sealed.clone();
                bad[i] ^= 1 << bit;
                assert!(
                    open(&key, &bad).is_err(),
                    "flip of bit {bit} in byte {i} not detected"
                );
            }
        }
        for len in 0..sealed.len() {
            assert!(
                open(&key, &sealed[..len]).is_err(),
                "truncation to {len} not detected"
            );
        }
        let mut longer = sealed;
        longer.push(0);
        assert!(open(&key, &longer).is_err());
    }

    #[test]
    fn wrong_key_fails_authentication() {
        let sealed = seal(&FileKey::generate().unwrap(), 1, &sample()).unwrap();
        assert_eq!(
            open(&FileKey::generate().unwrap(), &sealed).unwrap_err(),
            OpenError::Authentication
        );
    }

    #[test]
    fn decoder_rejects_malformed_maps() {
        assert!(decode_map(&[]).is_err());
        assert!(decode_map(&[1, 0, 0, 0]).is_err());
        assert!(decode_map(&[0, 0, 0, 0, 9]).is_err());
        // Two entries with the same key.
        let entry = [1, 0, 0, 0, b'k', 0, 0, 0, 0];
        let mut dup = vec![2, 0, 0, 0];
        dup.extend_from_slice(&entry);
        dup.extend_from_slice(&entry);
        assert!(decode_map(&dup).is_err());
        // Invalid UTF-8 key.
        assert!(decode_map(&[1, 0, 0, 0, 1, 0, 0, 0, 0xff, 0, 0, 0, 0]).is_err());
        let mut one = vec![1, 0, 0, 0];
        one.extend_from_slice(&entry);
        assert_eq!(decode_map(&one).unwrap().len(), 1);
    }
}
