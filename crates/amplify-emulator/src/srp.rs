//! The server side of Cognito's SRP-6a variant, sans IO.
//!
//! Written from the protocol description, independently of any client code:
//!
//! * `N` is the 3072-bit RFC 5054 group prime, `g = 2`, `k = H(pad(N) ‖ pad(g))`;
//! * `x = H(pad(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password))`, the verifier `v = g^x mod N`;
//! * the server picks `b`, sends `B = (k·v + g^b) mod N`; `u = H(pad(A) ‖ pad(B))`;
//! * `S = (A · v^u)^b mod N`; the key is `HKDF-SHA256(ikm = pad(S), salt = pad(u), info =
//!   "Caldera Derived Key")[..16]`;
//! * the client proves the key with `HMAC-SHA256(key, poolName ‖ userId ‖ secretBlock ‖ timestamp)`.
//!
//! `pad` is Java's `BigInteger.toByteArray`: the minimal big-endian bytes, with a leading zero
//! byte when the top bit is set. The shared vectors (`tests/data/srp-vectors.json`) pin all of it.

use std::sync::LazyLock;

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U256, U3072};

use crate::util::{ct_eq, hmac_sha256, sha256_parts};

/// Bytes in the group's modulus.
pub(crate) const N_BYTES: usize = 384;

const LIMBS: usize = U3072::LIMBS;
type Monty = FixedMontyForm<LIMBS>;

/// RFC 5054 / RFC 3526 3072-bit MODP prime.
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

const HKDF_INFO: &[u8] = b"Caldera Derived Key";

/// Why an SRP step failed. All of them end as `NotAuthorizedException` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SrpError {
    /// The group could not be set up (never expected).
    Group,
    /// `SRP_A` is not hex, is longer than the modulus, or is `0 mod N`.
    IllegalA,
    /// The stored verifier has the wrong size.
    BadVerifier,
    /// `u` is zero (negligible probability).
    ZeroU,
}

struct Group {
    #[cfg_attr(not(test), allow(dead_code))]
    n_bytes: Vec<u8>,
    params: FixedMontyParams<LIMBS>,
    g: Monty,
    k: Monty,
}

static GROUP: LazyLock<Option<Group>> = LazyLock::new(|| {
    let n = U3072::from_be_hex(N_HEX);
    let params = FixedMontyParams::new_vartime(Odd::new(n).into_option()?);
    let n_bytes = minimal(&to_bytes(&n));
    let k_digest = sha256_parts(&[&pad(&n_bytes), &pad(&[2])]);
    let k = Monty::new(&from_bytes(&k_digest)?, &params);
    let g = Monty::new(&U3072::from_u64(2), &params);
    Some(Group {
        n_bytes,
        params,
        g,
        k,
    })
});

fn group() -> Result<&'static Group, SrpError> {
    GROUP.as_ref().ok_or(SrpError::Group)
}

/// The big-endian bytes of `n`, with leading zeros (always [`N_BYTES`] long).
fn to_bytes(n: &U3072) -> Vec<u8> {
    let mut out = Vec::with_capacity(N_BYTES);
    for limb in n.as_limbs().iter().rev() {
        out.extend_from_slice(&limb.0.to_be_bytes());
    }
    out
}

/// A number from big-endian bytes of any length that fit in 3072 bits (leading zeros allowed).
fn from_bytes(bytes: &[u8]) -> Option<U3072> {
    let bytes = minimal(bytes);
    if bytes.len() > N_BYTES {
        return None;
    }
    let mut buf = [0u8; N_BYTES];
    let start = N_BYTES - bytes.len();
    buf.get_mut(start..)?.copy_from_slice(&bytes);
    Some(U3072::from_be_slice(&buf))
}

/// Strips leading zero bytes (zero itself becomes the empty slice).
fn minimal(bytes: &[u8]) -> Vec<u8> {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default().to_vec()
}

/// Java `BigInteger.toByteArray` of a non-negative number given as big-endian bytes.
pub(crate) fn pad(bytes: &[u8]) -> Vec<u8> {
    let m = minimal(bytes);
    match m.first() {
        None => vec![0],
        Some(top) if top & 0x80 != 0 => {
            let mut out = Vec::with_capacity(m.len() + 1);
            out.push(0);
            out.extend_from_slice(&m);
            out
        }
        Some(_) => m,
    }
}

/// Lowercase hex without leading zeros, as Cognito sends `SRP_B` and `SALT`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    let m = minimal(bytes);
    if m.is_empty() {
        return "0".to_owned();
    }
    let hex = crate::util::hex(&m);
    hex.strip_prefix('0').map(str::to_owned).unwrap_or(hex)
}

/// `x = H(pad(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password))`.
pub(crate) fn compute_x(salt: &[u8], pool_name: &str, user_id: &str, password: &str) -> [u8; 32] {
    let inner = sha256_parts(&[
        pool_name.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    sha256_parts(&[&pad(salt), &inner])
}

/// The password verifier `v = g^x mod N`, as [`N_BYTES`] big-endian bytes.
pub(crate) fn verifier(
    salt: &[u8],
    pool_name: &str,
    user_id: &str,
    password: &str,
) -> Result<Vec<u8>, SrpError> {
    let group = group()?;
    let x = U256::from_be_slice(&compute_x(salt, pool_name, user_id, password));
    Ok(to_bytes(&group.g.pow(&x).retrieve()))
}

/// Whether `password` matches the stored verifier (for `USER_PASSWORD_AUTH` and password changes).
pub(crate) fn password_matches(
    stored: &[u8],
    salt: &[u8],
    pool_name: &str,
    user_id: &str,
    password: &str,
) -> bool {
    verifier(salt, pool_name, user_id, password).is_ok_and(|v| ct_eq(&v, stored))
}

/// The server's ephemeral values for one sign-in attempt.
#[derive(Clone)]
pub(crate) struct ServerEphemeral {
    b: [u8; 32],
    public: Vec<u8>,
}

impl std::fmt::Debug for ServerEphemeral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerEphemeral").finish_non_exhaustive()
    }
}

impl ServerEphemeral {
    /// `B = (k·v + g^b) mod N` for the secret `b` (256 random bits).
    pub(crate) fn new(verifier: &[u8], b: [u8; 32]) -> Result<Self, SrpError> {
        let group = group()?;
        let v = from_bytes(verifier).ok_or(SrpError::BadVerifier)?;
        let v = Monty::new(&v, &group.params);
        let big_b = group.k.mul(&v).add(&group.g.pow(&U256::from_be_slice(&b)));
        Ok(Self {
            b,
            public: to_bytes(&big_b.retrieve()),
        })
    }

    /// `B` as big-endian bytes (with leading zeros).
    pub(crate) fn public(&self) -> &[u8] {
        &self.public
    }

    /// The 16-byte session key, from the client's `A` (big-endian bytes as sent).
    pub(crate) fn session_key(
        &self,
        client_a: &[u8],
        verifier: &[u8],
    ) -> Result<[u8; 16], SrpError> {
        let group = group()?;
        let a_int = from_bytes(client_a).ok_or(SrpError::IllegalA)?;
        let a = Monty::new(&a_int, &group.params);
        if bool::from(a.retrieve().is_zero()) {
            return Err(SrpError::IllegalA);
        }
        let u_digest = sha256_parts(&[&pad(client_a), &pad(&self.public)]);
        if u_digest.iter().all(|b| *b == 0) {
            return Err(SrpError::ZeroU);
        }
        let v = Monty::new(
            &from_bytes(verifier).ok_or(SrpError::BadVerifier)?,
            &group.params,
        );
        let base = a.mul(&v.pow(&U256::from_be_slice(&u_digest)));
        let s = base.pow(&U256::from_be_slice(&self.b));
        Ok(derive_key(&to_bytes(&s.retrieve()), &u_digest))
    }
}

/// `HKDF-SHA256(ikm = pad(S), salt = pad(u), info = "Caldera Derived Key")`, first 16 bytes.
fn derive_key(s: &[u8], u: &[u8]) -> [u8; 16] {
    let prk = hmac_sha256(&pad(u), &[&pad(s)]);
    let okm = hmac_sha256(&prk, &[HKDF_INFO, &[1]]);
    let mut key = [0u8; 16];
    key.copy_from_slice(okm.get(..16).unwrap_or(&[0; 16]));
    key
}

/// `HMAC-SHA256(key, poolName ‖ userId ‖ secretBlock ‖ timestamp)`.
pub(crate) fn signature(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    hmac_sha256(
        key,
        &[
            pool_name.as_bytes(),
            user_id.as_bytes(),
            secret_block,
            timestamp.as_bytes(),
        ],
    )
}

/// Checks a `PASSWORD_CLAIM_SIGNATURE` in constant time.
pub(crate) fn signature_matches(expected: &[u8; 32], claimed: &[u8]) -> bool {
    ct_eq(expected, claimed)
}

#[cfg(test)]
mod tests;
