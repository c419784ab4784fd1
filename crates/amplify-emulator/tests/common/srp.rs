//! A test-only SRP *client*, written separately from the emulator's server code (different
//! crates for the hashes, its own padding and timestamp code) and pinned by the same vectors.

use base64::Engine as _;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U256, U2048, U3072};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

type M = FixedMontyForm<{ U3072::LIMBS }>;

const N: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

fn params() -> FixedMontyParams<{ U3072::LIMBS }> {
    FixedMontyParams::new_vartime(Odd::new(U3072::from_be_hex(N)).unwrap())
}

/// Hex of a number as Java's BigInteger.toByteArray would print it (the clients' padHex).
fn pad_hex(hex_minimal: &str) -> String {
    let h = hex_minimal.trim_start_matches('0');
    let h = if h.is_empty() {
        "0".to_string()
    } else {
        h.to_string()
    };
    let h = if h.len() % 2 == 1 { format!("0{h}") } else { h };
    if matches!(h.as_bytes()[0], b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F') {
        format!("00{h}")
    } else {
        h
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn bytes_of(hex: &str) -> Vec<u8> {
    let hex = if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else {
        hex.to_string()
    };
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn big(hex: &str) -> U3072 {
    let bytes = bytes_of(hex);
    let mut buf = vec![0u8; 384 - bytes.len()];
    buf.extend(bytes);
    U3072::from_be_slice(&buf)
}

fn minimal_hex(n: &U3072) -> String {
    let s: String = n
        .to_be_bytes()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let t = s.trim_start_matches('0');
    if t.is_empty() { "0".into() } else { t.into() }
}

fn sha_hex(hex: &str) -> [u8; 32] {
    Sha256::digest(bytes_of(hex)).into()
}

/// One client sign-in attempt.
pub struct SrpClient {
    small_a: U2048,
    big_a: U3072,
}

impl SrpClient {
    /// With a given secret exponent (hex, up to 2048 bits).
    pub fn with_small_a(small_a_hex: &str) -> Self {
        let bytes = bytes_of(small_a_hex);
        let mut buf = vec![0u8; 256 - bytes.len()];
        buf.extend(bytes);
        let small_a = U2048::from_be_slice(&buf);
        let p = params();
        let big_a = M::new(&U3072::from_u64(2), &p)
            .pow_vartime(&small_a)
            .retrieve();
        Self { small_a, big_a }
    }

    /// With a fresh 256-bit secret.
    pub fn new() -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(1);
        let seed = COUNTER.fetch_add(1, Ordering::Relaxed);
        let digest = Sha256::digest(format!("amplify-emulator-test-{seed}-{:p}", &seed));
        Self::with_small_a(&hex_of(&digest))
    }

    /// `SRP_A` as minimal hex.
    pub fn srp_a(&self) -> String {
        minimal_hex(&self.big_a)
    }

    /// `PASSWORD_CLAIM_SIGNATURE` for a challenge.
    #[allow(clippy::too_many_arguments)]
    pub fn signature(
        &self,
        pool_name: &str,
        user_id: &str,
        password: &str,
        salt_hex: &str,
        srp_b_hex: &str,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> String {
        let p = params();
        let k_digest = sha_hex(&format!("{}{}", pad_hex(&N.to_lowercase()), pad_hex("2")));
        let k = M::new(&big(&hex_of(&k_digest)), &p);
        let b = big(srp_b_hex);
        let u = sha_hex(&format!(
            "{}{}",
            pad_hex(&self.srp_a()),
            pad_hex(&minimal_hex(&b))
        ));
        let inner = Sha256::digest(format!("{pool_name}{user_id}:{password}"));
        let x = sha_hex(&format!("{}{}", pad_hex(salt_hex), hex_of(&inner)));
        let x_big = U256::from_be_slice(&x);
        let u_big = U256::from_be_slice(&u);
        let g = M::new(&U3072::from_u64(2), &p);
        let base = M::new(&b, &p).sub(&k.mul(&g.pow_vartime(&x_big)));
        let ux: U2048 = u_big
            .resize::<{ U2048::LIMBS }>()
            .wrapping_mul(&x_big.resize::<{ U2048::LIMBS }>());
        let exponent = self.small_a.wrapping_add(&ux);
        let s = base.pow_vartime(&exponent).retrieve();
        let ikm = bytes_of(&pad_hex(&minimal_hex(&s)));
        let salt = bytes_of(&pad_hex(&hex_of(&u)));
        let hk = hkdf::Hkdf::<Sha256>::new(Some(&salt), &ikm);
        let mut key = [0u8; 16];
        hk.expand(b"Caldera Derived Key", &mut key).unwrap();
        let block = base64::engine::general_purpose::STANDARD
            .decode(secret_block_b64)
            .unwrap();
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
        mac.update(pool_name.as_bytes());
        mac.update(user_id.as_bytes());
        mac.update(&block);
        mac.update(timestamp.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }
}

/// What `ConfirmDevice` registers for a device, computed test-side as amplify-js's
/// `generateHashDevice` does: `x = H(padHex(salt) ‖ H(groupKey ‖ deviceKey ‖ ":" ‖ password))`,
/// `v = g^x mod N`; returns the bytes of `padHex(v)` and `padHex(salt)` (sent base64-encoded).
pub fn device_verifier(
    group_key: &str,
    device_key: &str,
    password: &str,
    salt: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let salt_hex = pad_hex(&hex_of(salt));
    let inner = Sha256::digest(format!("{group_key}{device_key}:{password}"));
    let x = sha_hex(&format!("{salt_hex}{}", hex_of(&inner)));
    let v = M::new(&U3072::from_u64(2), &params())
        .pow_vartime(&U256::from_be_slice(&x))
        .retrieve();
    (bytes_of(&pad_hex(&minimal_hex(&v))), bytes_of(&salt_hex))
}

fn is_leap(year: u64) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// `EEE MMM d HH:mm:ss UTC yyyy` for seconds since the epoch (test-side implementation).
pub fn timestamp(epoch_secs: u64) -> String {
    const DOW: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MON: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut days = epoch_secs / 86_400;
    let rem = epoch_secs % 86_400;
    let dow = DOW[(days % 7) as usize];
    let mut year = 1970u64;
    loop {
        let leap = is_leap(year);
        let len = if leap { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let leap = is_leap(year);
    let lens = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while days >= lens[month] {
        days -= lens[month];
        month += 1;
    }
    format!(
        "{dow} {} {} {:02}:{:02}:{:02} UTC {year}",
        MON[month],
        days + 1,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
