//! RS256 JSON Web Tokens: signing with the development keys, JWKS, and verification.
//!
//! Written independently of the client crates: tokens are built from JSON claims here and checked
//! with *ring*'s RSA PKCS#1 v1.5 SHA-256 verifier against the JWK's `n` and `e`.

use ring::signature::{self, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Map, Value, json};

use crate::error::{CognitoError, EmulatorError};
use crate::util::{b64url, b64url_decode};

const USER_POOL_KEY: &[u8] = include_bytes!("keys/user-pool.pk8.der");
const FEDERATION_KEY: &[u8] = include_bytes!("keys/federation.pk8.der");

/// An RSA key the emulator signs with. The keys are public development keys (see `src/keys/README.md`).
pub(crate) struct SigningKey {
    kid: String,
    pair: RsaKeyPair,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The emulator's two keys.
#[derive(Debug)]
pub(crate) struct Keys {
    /// Signs user pool ID and access tokens.
    pub(crate) user_pool: SigningKey,
    /// Signs test OIDC issuers' tokens and identity-pool OpenID tokens.
    pub(crate) federation: SigningKey,
}

impl Keys {
    pub(crate) fn load() -> Result<Self, EmulatorError> {
        Ok(Self {
            user_pool: SigningKey::load("amplify-emulator-user-pool-1", USER_POOL_KEY)?,
            federation: SigningKey::load("amplify-emulator-federation-1", FEDERATION_KEY)?,
        })
    }
}

impl SigningKey {
    pub(crate) fn load(kid: &str, pkcs8: &[u8]) -> Result<Self, EmulatorError> {
        let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(|_| EmulatorError::Key)?;
        let (n, e) = parse_rsa_public_key(pair.public().as_ref()).ok_or(EmulatorError::Key)?;
        Ok(Self {
            kid: kid.to_owned(),
            pair,
            n,
            e,
        })
    }

    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK.
    pub(crate) fn jwk(&self) -> Value {
        json!({
            "alg": "RS256",
            "e": b64url(&self.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": b64url(&self.n),
            "use": "sig",
        })
    }

    /// Signs `claims` into a compact JWS.
    pub(crate) fn sign(&self, claims: &Value) -> Result<String, CognitoError> {
        let header = json!({ "kid": self.kid, "alg": "RS256" });
        let signing_input = format!(
            "{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(claims.to_string().as_bytes())
        );
        let mut sig = vec![0u8; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                signing_input.as_bytes(),
                &mut sig,
            )
            .map_err(|_| CognitoError::internal("signing failed"))?;
        Ok(format!("{signing_input}.{}", b64url(&sig)))
    }

    /// Checks an RS256 signature against this key's public half.
    pub(crate) fn verify_signature(&self, signing_input: &[u8], sig: &[u8]) -> bool {
        let public = RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        };
        public
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, signing_input, sig)
            .is_ok()
    }
}

/// A token split into its parts; nothing is trusted yet.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) kid: Option<String>,
    pub(crate) alg: String,
    pub(crate) claims: Map<String, Value>,
    signing_input: String,
    signature: Vec<u8>,
}

impl Decoded {
    /// Verifies the signature with `key` (the `kid` must match and `alg` must be RS256).
    pub(crate) fn verify_with(&self, key: &SigningKey) -> bool {
        self.alg == "RS256"
            && self.kid.as_deref() == Some(key.kid())
            && key.verify_signature(self.signing_input.as_bytes(), &self.signature)
    }

    pub(crate) fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    pub(crate) fn claim_i64(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Value::as_i64)
    }
}

/// Splits and decodes a compact JWS. `None` when it is not a well-formed JWT.
pub(crate) fn decode(token: &str) -> Option<Decoded> {
    let mut parts = token.split('.');
    let (header, payload, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Map<String, Value> = serde_json::from_slice(&b64url_decode(header)?).ok()?;
    let claims: Map<String, Value> = serde_json::from_slice(&b64url_decode(payload)?).ok()?;
    Some(Decoded {
        kid: header.get("kid").and_then(Value::as_str).map(str::to_owned),
        alg: header
            .get("alg")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        claims,
        signing_input: token.get(..token.rfind('.')?)?.to_owned(),
        signature: b64url_decode(sig)?,
    })
}

/// Reads `SEQUENCE { INTEGER n, INTEGER e }` (DER), returning minimal big-endian `n` and `e`.
fn parse_rsa_public_key(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (tag, body, rest) = der_item(der)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let (tag_n, n, rest) = der_item(body)?;
    let (tag_e, e, rest) = der_item(rest)?;
    if tag_n != 0x02 || tag_e != 0x02 || !rest.is_empty() {
        return None;
    }
    let strip = |b: &[u8]| {
        let first = b.iter().position(|x| *x != 0).unwrap_or(b.len());
        b.get(first..).unwrap_or_default().to_vec()
    };
    Some((strip(n), strip(e)))
}

/// One DER TLV: (tag, contents, remaining input).
fn der_item(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *input.first()?;
    let first_len = *input.get(1)?;
    let (len, header) = if first_len < 0x80 {
        (usize::from(first_len), 2)
    } else {
        let count = usize::from(first_len & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let mut len = 0usize;
        for b in input.get(2..2 + count)? {
            len = (len << 8) | usize::from(*b);
        }
        (len, 2 + count)
    };
    let body = input.get(header..header.checked_add(len)?)?;
    let rest = input.get(header + len..)?;
    Some((tag, body, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_load_and_round_trip() {
        let keys = Keys::load().unwrap();
        let claims = json!({"sub": "abc", "n": 1});
        let token = keys.user_pool.sign(&claims).unwrap();
        let decoded = decode(&token).unwrap();
        assert!(decoded.verify_with(&keys.user_pool));
        assert!(!decoded.verify_with(&keys.federation));
        assert_eq!(decoded.claim_str("sub"), Some("abc"));
        let jwk = keys.user_pool.jwk();
        assert_eq!(jwk["e"], "AQAB");
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(
            b64url_decode(jwk["n"].as_str().unwrap()).unwrap().len(),
            256
        );
    }

    #[test]
    fn tampering_is_detected() {
        let keys = Keys::load().unwrap();
        let token = keys.user_pool.sign(&json!({"sub": "abc"})).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = b64url(json!({"sub": "evil"}).to_string().as_bytes());
        parts[1] = &forged;
        let forged_token = parts.join(".");
        assert!(!decode(&forged_token).unwrap().verify_with(&keys.user_pool));
        // alg=none is never accepted.
        let none = format!(
            "{}.{}.",
            b64url(br#"{"alg":"none","kid":"amplify-emulator-user-pool-1"}"#),
            b64url(br#"{"sub":"x"}"#)
        );
        assert!(!decode(&none).is_some_and(|d| d.verify_with(&keys.user_pool)));
        assert!(decode("a.b").is_none());
        assert!(decode("").is_none());
        assert!(decode("a.b.c.d").is_none());
    }
}
