use super::*;

#[derive(serde::Deserialize)]
struct File {
    constants: Constants,
    vectors: Vec<Vector>,
}

#[derive(serde::Deserialize)]
struct Constants {
    #[serde(rename = "N_hex")]
    n_hex: String,
    k_hex: String,
}

#[derive(serde::Deserialize)]
struct Vector {
    name: String,
    inputs: serde_json::Map<String, serde_json::Value>,
    expected: serde_json::Map<String, serde_json::Value>,
}

fn vectors() -> File {
    let text = include_str!("../../tests/data/srp-vectors.json");
    serde_json::from_str(text).unwrap()
}

fn s<'a>(map: &'a serde_json::Map<String, serde_json::Value>, key: &str) -> &'a str {
    map.get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("no {key}"))
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn constants_match() {
    let file = vectors();
    assert_eq!(file.constants.n_hex, N_HEX.to_lowercase());
    let group = group();
    let k = group.k.retrieve();
    assert_eq!(minimal_hex(&k), file.constants.k_hex);
}

#[test]
fn every_vector_step_by_step() {
    let file = vectors();
    assert!(file.vectors.len() >= 7);
    for v in &file.vectors {
        let i = &v.inputs;
        let e = &v.expected;
        let mut a = s(i, "small_a_hex").to_owned();
        if a.len() % 2 == 1 {
            a.insert(0, '0');
        }
        let key = EphemeralKey::from_secret_bytes(&unhex(&a)).unwrap();
        assert_eq!(key.public_hex(), s(e, "srp_a_hex"), "{}: A", v.name);
        let mut b_inputs = vec![s(i, "srp_b_hex")];
        if let Some(zeros) = i
            .get("srp_b_hex_with_leading_zeros")
            .and_then(|x| x.as_str())
        {
            b_inputs.push(zeros);
        }
        for b in b_inputs {
            let challenge = PasswordVerifierChallenge {
                pool_id: s(i, "pool_id"),
                user_id_for_srp: s(i, "user_id_for_srp"),
                password: s(i, "password"),
                salt_hex: s(i, "salt_hex"),
                srp_b_hex: b,
                secret_block_b64: s(i, "secret_block_b64"),
                timestamp: s(i, "timestamp"),
            };
            let (signature, mid) = super::compute_recorded(&key, &challenge).unwrap();
            assert_eq!(hex(&mid.u), s(e, "u_hex"), "{}: u", v.name);
            assert_eq!(
                format!("{:0>64}", s(e, "x_hex")),
                hex(&mid.x),
                "{}: x",
                v.name
            );
            assert_eq!(hex(&mid.s_padded), s(e, "s_padded_hex"), "{}: S", v.name);
            assert_eq!(hex(&mid.s_padded), s(e, "hkdf_ikm_hex"), "{}: ikm", v.name);
            assert_eq!(
                hex(mid.hkdf_key.as_ref()),
                s(e, "hkdf_key_hex"),
                "{}: key",
                v.name
            );
            assert_eq!(
                hex(&mid.message),
                s(e, "signature_message_hex"),
                "{}: message",
                v.name
            );
            assert_eq!(
                signature,
                s(e, "password_claim_signature_b64"),
                "{}: signature",
                v.name
            );
            assert_eq!(password_claim(&key, &challenge).unwrap(), signature);
        }
        let salt = parse_hex(&format!("{:0>64}", s(e, "u_hex")), "u").unwrap();
        assert_eq!(
            hex(&pad(&salt)),
            s(e, "hkdf_salt_hex"),
            "{}: hkdf salt",
            v.name
        );
    }
}

#[test]
fn vector_timestamps_are_what_format_timestamp_writes() {
    use std::time::Duration;
    // Tue Nov 3 12:00:00 UTC 2026, and a two-digit day.
    assert_eq!(
        format_timestamp(UNIX_EPOCH + Duration::from_secs(1_793_707_200)),
        "Tue Nov 3 12:00:00 UTC 2026"
    );
    assert_eq!(
        format_timestamp(UNIX_EPOCH + Duration::from_secs(1_497_510_000)),
        "Thu Jun 15 07:00:00 UTC 2017"
    );
    assert_eq!(format_timestamp(UNIX_EPOCH), "Thu Jan 1 00:00:00 UTC 1970");
    assert_eq!(
        format_timestamp(UNIX_EPOCH + Duration::from_secs(951_782_400 + 86_399)),
        "Tue Feb 29 23:59:59 UTC 2000"
    );
    for v in vectors().vectors {
        let ts = s(&v.inputs, "timestamp");
        assert!(ts.contains(" UTC "), "{ts}");
    }
}

#[test]
fn table_exponentiation_equals_generic_exponentiation() {
    let params = &group().params;
    let g = Monty::new(&U3072::from_u8(2), params);
    for _ in 0..4 {
        let key = EphemeralKey::generate().unwrap();
        let generic = g.pow(&key.a).retrieve();
        assert_eq!(key.big_a, generic);
        let exponent = key.a.resize::<{ U3072::LIMBS }>();
        assert_eq!(pow_var(&g, exponent.as_words(), 1024).retrieve(), generic);
    }
    let x = U1024::from_u64(0xdead_beef_cafe_f00d);
    assert_eq!(pow_g(&x, 256).retrieve(), g.pow(&x).retrieve());
}

#[test]
fn fresh_keys_differ() {
    let a = EphemeralKey::generate().unwrap();
    let b = EphemeralKey::generate().unwrap();
    assert_ne!(a.public_hex(), b.public_hex());
}

#[test]
fn malformed_and_unsafe_challenges_are_errors() {
    let key = EphemeralKey::generate().unwrap();
    let good = PasswordVerifierChallenge {
        pool_id: "us-east-1_Pool",
        user_id_for_srp: "u",
        password: "p",
        salt_hex: "abcd",
        srp_b_hex: "1234",
        secret_block_b64: "AAAA",
        timestamp: "Tue Nov 3 12:00:00 UTC 2026",
    };
    assert!(password_claim(&key, &good).is_ok());
    let n_lower = N_HEX.to_lowercase();
    let two_n_ish = format!("1{}", "0".repeat(768));
    let cases: Vec<(PasswordVerifierChallenge<'_>, SrpError)> = vec![
        (
            PasswordVerifierChallenge {
                srp_b_hex: "zz",
                ..good
            },
            SrpError::MalformedParameter("SRP_B"),
        ),
        (
            PasswordVerifierChallenge {
                srp_b_hex: "",
                ..good
            },
            SrpError::MalformedParameter("SRP_B"),
        ),
        (
            PasswordVerifierChallenge {
                srp_b_hex: &two_n_ish,
                ..good
            },
            SrpError::MalformedParameter("SRP_B"),
        ),
        (
            PasswordVerifierChallenge {
                srp_b_hex: "0",
                ..good
            },
            SrpError::UnsafeServerValue,
        ),
        (
            PasswordVerifierChallenge {
                srp_b_hex: &n_lower,
                ..good
            },
            SrpError::UnsafeServerValue,
        ),
        (
            PasswordVerifierChallenge {
                salt_hex: "xyz",
                ..good
            },
            SrpError::MalformedParameter("SALT"),
        ),
        (
            PasswordVerifierChallenge {
                pool_id: "nounderscore",
                ..good
            },
            SrpError::BadPoolId,
        ),
    ];
    for (challenge, expected) in cases {
        assert_eq!(password_claim(&key, &challenge), Err(expected));
    }
    assert_eq!(
        EphemeralKey::from_secret_bytes(&[0; 4]).unwrap_err(),
        SrpError::MalformedParameter("a")
    );
    assert!(EphemeralKey::from_secret_bytes(&[1; 129]).is_err());
}

#[test]
fn debug_hides_the_secret_and_the_password() {
    let key = EphemeralKey::from_secret_bytes(&[7; 128]).unwrap();
    let shown = format!("{key:?}");
    assert!(shown.contains("[redacted]") && shown.contains(&key.public_hex()));
    let challenge = PasswordVerifierChallenge {
        pool_id: "us-east-1_P",
        user_id_for_srp: "u",
        password: "hunter2-secret",
        salt_hex: "ab",
        srp_b_hex: "12",
        secret_block_b64: "AAAA",
        timestamp: "t",
    };
    assert!(!format!("{challenge:?}").contains("hunter2"));
}
