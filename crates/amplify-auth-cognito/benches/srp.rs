//! SRP client cost: `A`, then the PASSWORD_VERIFIER response, against a plain constant-time
//! crypto-bigint computation of the same work (measured in the same run, for the ratio).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use amplify_auth_cognito::srp::{self, EphemeralKey, PasswordVerifierChallenge};
use criterion::{Criterion, criterion_group, criterion_main};
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U1024, U3072};
use std::hint::black_box;

const B_HEX: &str = "94e115958a71778f8735f88a524d67d24dfd8f626f6c9ba0277dca62e5ca54858ade9ef0a2d4c6f304d2658bc1171f1d0a98ef6833c6dd3fad350740e15286cb06dc5bc74c511e6fdef3c59476b7dd83361b05396e21cbc1ae966ca8a99df3dfde2ca934bbf2a936a966d1a1164eed7712ed56b16689dc6611419e9d1dd41ec155a51b8672ae12e939191cc46e536e576c0589492e49b62811625bc9ad165cb6d3ea86a5a700fff0639f83a055e4b8f1aef7931d5a49567cb6502e73434c38fd00446509fd96810039ffdae2eff14c0615dcce23834163ffcbaca317b6b05f80c511f4d4d084236d720cc1e0aa79a987c57056cab705c0d96ba68069111d0cd9e9b4687fb831a5b9e79da9a092cebda5c02a8ff199d82400767ecf4aeb6fbb24a6bec3fc19a7a3ac698a1ec7db91bc7d7460adf6ef7e36349d8fd7b7944cd43e01a84f96664e1a75950bc55e52fc77587439e96138c5db9864152787f40886069f106874450b253bcb89bcbdf5d4ce6c3e4e3c303fc088c67921d56d2c212ba6";

fn challenge() -> PasswordVerifierChallenge<'static> {
    PasswordVerifierChallenge {
        pool_id: "us-east-1_AbCdEfGhI",
        user_id_for_srp: "alice",
        password: "Passw0rd!",
        salt_hex: "3f1e2d4c5b6a79880716253443526170",
        srp_b_hex: B_HEX,
        secret_block_b64: "rg+/jnKOaBm88KYGUv9veGv7V2xelTJx1kZ3GjBpDRl0LYO0YatpYNYdnuWxUc8aY4XD2+iSqt+qnsOgeu5oLw==",
        timestamp: "Tue Nov 3 12:00:00 UTC 2026",
    }
}

/// The same three exponentiations with crypto-bigint's own constant-time `pow`.
fn plain_exponentiations(a: &U1024, x: &U1024, b: &U3072) -> U3072 {
    let params = FixedMontyParams::new(Odd::<U3072>::from_be_hex(srp::N_HEX));
    let g = FixedMontyForm::new(&U3072::from_u8(2), &params);
    let big_a = g.pow(a);
    let gx = g.pow_bounded_exp(x, 256);
    let base = FixedMontyForm::new(b, &params).sub(&gx.mul(&big_a));
    let exponent = a.resize::<{ U3072::LIMBS }>().wrapping_add(&x.resize());
    base.pow_bounded_exp(&exponent, 1026).retrieve()
}

fn bench(c: &mut Criterion) {
    srp::warm_up();
    let challenge = challenge();
    let mut group = c.benchmark_group("srp");
    group.sample_size(30);
    group.bench_function("ephemeral_key (A = g^a)", |b| {
        b.iter(|| EphemeralKey::generate().unwrap());
    });
    let key = EphemeralKey::generate().unwrap();
    group.bench_function("password_claim (prepared key)", |b| {
        b.iter(|| srp::password_claim(black_box(&key), black_box(&challenge)).unwrap());
    });
    group.bench_function("A then password_claim", |b| {
        b.iter(|| {
            let key = EphemeralKey::generate().unwrap();
            srp::password_claim(&key, black_box(&challenge)).unwrap()
        });
    });
    let a = U1024::from_be_hex(&"9".repeat(256));
    let x = U1024::from_u64(0xdead_beef).wrapping_mul(&U1024::MAX.shr_vartime(800));
    let b = U3072::from_u64(12345).wrapping_mul(&U3072::MAX.shr_vartime(10));
    group.bench_function("plain crypto-bigint pow, same work", |bn| {
        bn.iter(|| plain_exponentiations(black_box(&a), black_box(&x), black_box(&b)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
