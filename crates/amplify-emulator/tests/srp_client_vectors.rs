//! The test-only SRP client is pinned by the shared vectors, like the server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::srp::{SrpClient, timestamp};

#[test]
fn test_client_reproduces_every_vector() {
    let v: serde_json::Value = serde_json::from_str(include_str!("data/srp-vectors.json")).unwrap();
    for vector in v["vectors"].as_array().unwrap() {
        let i = &vector["inputs"];
        let e = &vector["expected"];
        let s = |o: &serde_json::Value, k: &str| o[k].as_str().unwrap().to_owned();
        let client = SrpClient::with_small_a(&s(i, "small_a_hex"));
        assert_eq!(client.srp_a(), s(e, "srp_a_hex"), "{}", s(vector, "name"));
        let signature = client.signature(
            &s(i, "pool_name"),
            &s(i, "user_id_for_srp"),
            &s(i, "password"),
            &s(i, "salt_hex"),
            &s(i, "srp_b_hex"),
            &s(i, "secret_block_b64"),
            &s(i, "timestamp"),
        );
        assert_eq!(
            signature,
            s(e, "password_claim_signature_b64"),
            "{}",
            s(vector, "name")
        );
    }
}

#[test]
fn test_timestamps() {
    assert_eq!(timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
    assert_eq!(timestamp(1_793_707_200), "Tue Nov 3 12:00:00 UTC 2026");
    assert_eq!(timestamp(951_782_400), "Tue Feb 29 00:00:00 UTC 2000");
}
