use super::*;
use crate::util::{b64, b64_decode_lenient, hex, sha256, unhex};

fn vectors() -> serde_json::Value {
    serde_json::from_str(include_str!("../../tests/data/srp-vectors.json")).unwrap()
}

fn s<'a>(v: &'a serde_json::Value, path: &str) -> &'a str {
    let mut cur = v;
    for part in path.split('.') {
        cur = &cur[part];
    }
    cur.as_str().unwrap_or_else(|| panic!("missing {path}"))
}

fn num(text: &str) -> Vec<u8> {
    minimal(&unhex(text).unwrap())
}

#[test]
fn k_and_n_match_the_shared_constants() {
    let v = vectors();
    let group = group().unwrap();
    assert_eq!(hex(&group.n_bytes), s(&v, "constants.N_hex"));
    let k = sha256_parts(&[&pad(&group.n_bytes), &pad(&[2])]);
    assert_eq!(hex(&k), s(&v, "constants.k_hex"));
}

#[test]
fn pad_is_java_to_byte_array() {
    assert_eq!(pad(&[]), vec![0]);
    assert_eq!(pad(&[0, 0, 0x7f]), vec![0x7f]);
    assert_eq!(pad(&[0x80]), vec![0, 0x80]);
    assert_eq!(to_hex(&[0, 0x0a, 0xbc]), "abc");
    assert_eq!(to_hex(&[]), "0");
}

#[test]
fn every_vector_x_key_and_signature() {
    let v = vectors();
    for vector in v["vectors"].as_array().unwrap() {
        let name = s(vector, "name");
        let salt = unhex(s(vector, "inputs.salt_hex")).unwrap();
        let pool = s(vector, "inputs.pool_name");
        let user = s(vector, "inputs.user_id_for_srp");
        let password = s(vector, "inputs.password");
        let x = compute_x(&salt, pool, user, password);
        assert_eq!(hex(&x), s(vector, "expected.x_hex"), "{name}: x");

        let a = num(s(vector, "expected.srp_a_hex"));
        let b = num(s(vector, "inputs.srp_b_hex"));
        let u = sha256(&[pad(&a), pad(&b)].concat());
        assert_eq!(hex(&u), s(vector, "expected.u_hex"), "{name}: u");
        assert_eq!(
            hex(&pad(&u)),
            s(vector, "expected.hkdf_salt_hex"),
            "{name}: hkdf salt"
        );

        let ikm = unhex(s(vector, "expected.hkdf_ikm_hex")).unwrap();
        let key = derive_key(&ikm, &u);
        assert_eq!(hex(&key), s(vector, "expected.hkdf_key_hex"), "{name}: key");

        let block = b64_decode_lenient(s(vector, "inputs.secret_block_b64")).unwrap();
        let timestamp = s(vector, "inputs.timestamp");
        let message = [
            pool.as_bytes(),
            user.as_bytes(),
            &block,
            timestamp.as_bytes(),
        ]
        .concat();
        assert_eq!(
            hex(&message),
            s(vector, "expected.signature_message_hex"),
            "{name}: message"
        );
        let sig = signature(&key, pool, user, &block, timestamp);
        assert_eq!(
            b64(&sig),
            s(vector, "expected.password_claim_signature_b64"),
            "{name}: signature"
        );
        assert!(signature_matches(
            &sig,
            &b64_decode_lenient(&b64(&sig)).unwrap()
        ));
        assert!(
            crate::timefmt::parse_srp_timestamp(timestamp).is_some(),
            "{name}: timestamp parses"
        );
    }
}

#[test]
fn server_side_vector_reproduces_b_s_and_key() {
    let v = vectors();
    let vector = v["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x.get("server_side").is_some())
        .expect("a server-side vector");
    let salt = unhex(s(vector, "inputs.salt_hex")).unwrap();
    let pool = s(vector, "inputs.pool_name");
    let user = s(vector, "inputs.user_id_for_srp");
    let password = s(vector, "inputs.password");

    let ver = verifier(&salt, pool, user, password).unwrap();
    assert_eq!(
        hex(&minimal(&ver)),
        hex(&num(s(vector, "server_side.verifier_hex")))
    );
    assert!(password_matches(&ver, &salt, pool, user, password));
    assert!(!password_matches(&ver, &salt, pool, user, "wrong"));

    let b: [u8; 32] = unhex(s(vector, "server_side.server_secret_b_hex"))
        .unwrap()
        .try_into()
        .unwrap();
    let eph = ServerEphemeral::new(&ver, b).unwrap();
    assert_eq!(to_hex(eph.public()), s(vector, "inputs.srp_b_hex"));

    let a = num(s(vector, "expected.srp_a_hex"));
    let key = eph.session_key(&a, &ver).unwrap();
    assert_eq!(hex(&key), s(vector, "expected.hkdf_key_hex"));
    assert_eq!(
        s(vector, "server_side.s_server_padded_hex"),
        s(vector, "expected.s_padded_hex")
    );

    let block = b64_decode_lenient(s(vector, "inputs.secret_block_b64")).unwrap();
    let sig = signature(&key, pool, user, &block, s(vector, "inputs.timestamp"));
    assert_eq!(
        b64(&sig),
        s(vector, "expected.password_claim_signature_b64")
    );
}

#[test]
fn illegal_a_is_rejected() {
    let salt = [1u8; 16];
    let ver = verifier(&salt, "Pool", "user", "pw").unwrap();
    let eph = ServerEphemeral::new(&ver, [9; 32]).unwrap();
    assert_eq!(eph.session_key(&[0], &ver), Err(SrpError::IllegalA));
    let n = group().unwrap().n_bytes.clone();
    assert_eq!(eph.session_key(&n, &ver), Err(SrpError::IllegalA));
    assert_eq!(
        eph.session_key(&[1u8; N_BYTES + 1], &ver),
        Err(SrpError::IllegalA)
    );
}
