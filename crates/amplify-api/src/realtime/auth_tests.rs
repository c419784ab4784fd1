use std::time::{Duration, UNIX_EPOCH};

use amplify_core::{AuthorizationType, AwsCredentials};
use base64::Engine as _;
use ring::{digest, hmac};
use serde_json::json;

use super::*;
use crate::auth::SigningService;

const HOST: &str = "abc.appsync-api.us-east-1.amazonaws.com";

fn endpoint(url: &str, host: &str) -> PreparedEndpoint {
    let uri: Uri = url.parse().unwrap();
    PreparedEndpoint {
        name: "data".into(),
        base_path: uri.path().trim_end_matches('/').to_owned(),
        uri,
        host: HeaderValue::from_str(host).unwrap(),
        region: "us-east-1".into(),
        default_mode: AuthorizationType::ApiKey,
        api_key: None,
    }
}

fn signing() -> SigningContext<'static> {
    SigningContext {
        region: "us-east-1",
        service: SigningService::AppSync,
        time: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    }
}

#[test]
fn realtime_urls_for_appsync_custom_domains_and_the_emulator() {
    let u = |s: &str| realtime_uri(&s.parse().unwrap()).unwrap().to_string();
    assert_eq!(
        u("https://abc.appsync-api.us-east-1.amazonaws.com/graphql"),
        "wss://abc.appsync-realtime-api.us-east-1.amazonaws.com/graphql"
    );
    assert_eq!(
        u("https://api.example.com/graphql"),
        "wss://api.example.com/graphql/realtime"
    );
    assert_eq!(
        u("https://api.example.com:8443/graphql/"),
        "wss://api.example.com:8443/graphql/realtime"
    );
    assert_eq!(
        u("http://127.0.0.1:4000/graphql"),
        "ws://127.0.0.1:4000/graphql/realtime"
    );
    assert!(matches!(
        realtime_uri(&"ftp://x/graphql".parse().unwrap()),
        Err(ApiError::Configuration(_))
    ));
}

fn decode_subprotocol(protocol: &str) -> serde_json::Value {
    let b64 = protocol.strip_prefix("header-").unwrap();
    assert!(!b64.contains('=') && !b64.contains('+') && !b64.contains('/'));
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(b64).unwrap()).unwrap()
}

#[test]
fn api_key_and_token_connect_headers() {
    let ep = endpoint(&format!("https://{HOST}/graphql"), HOST);
    let mut key = HeaderValue::from_static("da2-secret");
    key.set_sensitive(true);
    let headers = authorization(
        &Credential::ApiKey(key),
        &ep,
        Purpose::Connect,
        HeaderMap::new(),
        signing,
    )
    .unwrap();
    let protocol = header_subprotocol(&headers);
    assert_eq!(
        decode_subprotocol(&protocol),
        json!({
            "accept": "application/json, text/javascript",
            "content-encoding": "amz-1.0",
            "content-type": "application/json; charset=UTF-8",
            "host": HOST,
            "x-api-key": "da2-secret"
        })
    );
    let token = HeaderValue::from_static("eyJ.token");
    let headers = authorization(
        &Credential::Token(token),
        &ep,
        Purpose::Start { data: "{}" },
        HeaderMap::new(),
        signing,
    )
    .unwrap();
    assert_eq!(headers["Authorization"], "eyJ.token");
    assert_eq!(headers["host"], HOST);
    // A caller's header rides along (and a caller's Authorization was left alone upstream).
    let mut extra = HeaderMap::new();
    extra.insert("x-trace", HeaderValue::from_static("t-1"));
    let headers = authorization(
        &Credential::Unchanged,
        &ep,
        Purpose::Start { data: "{}" },
        extra,
        signing,
    )
    .unwrap();
    assert_eq!(headers["x-trace"], "t-1");
    assert!(!headers.contains_key("Authorization"));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
        .as_ref()
        .to_vec()
}

/// SigV4 recomputed from the specification with ring, independently of aws-sigv4.
fn expected_signature(path: &str, body: &str, headers: &[(&str, &str)]) -> String {
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
    let canonical = format!(
        "POST\n{path}\n\n{canonical_headers}\n{}\n{}",
        signed.join(";"),
        hex(digest::digest(&digest::SHA256, body.as_bytes()).as_ref())
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n20231114T221320Z\n20231114/us-east-1/appsync/aws4_request\n{}",
        hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
    );
    let k_date = hmac_sha256(b"AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20231114");
    let k_region = hmac_sha256(&k_date, "us-east-1");
    let k_service = hmac_sha256(&k_region, "appsync");
    let k_signing = hmac_sha256(&k_service, "aws4_request");
    hex(&hmac_sha256(&k_signing, &string_to_sign))
}

fn iam() -> Credential {
    Credential::Iam(AwsCredentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("SESSIONTOKEN".into()),
        None,
    ))
}

#[test]
fn iam_connect_header_is_a_signed_post_to_connect_with_an_empty_object() {
    let ep = endpoint(&format!("https://{HOST}/graphql"), HOST);
    let headers = authorization(&iam(), &ep, Purpose::Connect, HeaderMap::new(), signing).unwrap();
    let decoded = decode_subprotocol(&header_subprotocol(&headers));
    let signed = [
        ("accept", "application/json, text/javascript"),
        ("content-encoding", "amz-1.0"),
        ("content-type", "application/json; charset=UTF-8"),
        ("host", HOST),
        ("x-amz-date", "20231114T221320Z"),
        ("x-amz-security-token", "SESSIONTOKEN"),
    ];
    let signature = expected_signature("/graphql/connect", "{}", &signed);
    assert_eq!(
        decoded,
        json!({
            "accept": "application/json, text/javascript",
            "content-encoding": "amz-1.0",
            "content-type": "application/json; charset=UTF-8",
            "host": HOST,
            "x-amz-date": "20231114T221320Z",
            "X-Amz-Security-Token": "SESSIONTOKEN",
            "Authorization": format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/appsync/aws4_request, \
                 SignedHeaders=accept;content-encoding;content-type;host;x-amz-date;x-amz-security-token, \
                 Signature={signature}"
            ),
        })
    );
}

#[test]
fn iam_start_authorization_signs_the_data_for_the_graphql_url() {
    let ep = endpoint(&format!("https://{HOST}/graphql"), HOST);
    let data = r#"{"query":"subscription { onCreateTodo { id } }","variables":{}}"#;
    let headers = authorization(
        &iam(),
        &ep,
        Purpose::Start { data },
        HeaderMap::new(),
        signing,
    )
    .unwrap();
    let signed = [
        ("accept", "application/json, text/javascript"),
        ("content-encoding", "amz-1.0"),
        ("content-type", "application/json; charset=UTF-8"),
        ("host", HOST),
        ("x-amz-date", "20231114T221320Z"),
        ("x-amz-security-token", "SESSIONTOKEN"),
    ];
    let signature = expected_signature("/graphql", data, &signed);
    let auth = headers["Authorization"].as_str().unwrap();
    assert!(auth.ends_with(&format!("Signature={signature}")), "{auth}");
}

#[test]
fn the_emulator_signs_for_its_loopback_host() {
    let ep = endpoint("http://127.0.0.1:4000/graphql", "127.0.0.1:4000");
    let headers = authorization(&iam(), &ep, Purpose::Connect, HeaderMap::new(), signing).unwrap();
    assert_eq!(headers["host"], "127.0.0.1:4000");
    let signed = [
        ("accept", "application/json, text/javascript"),
        ("content-encoding", "amz-1.0"),
        ("content-type", "application/json; charset=UTF-8"),
        ("host", "127.0.0.1:4000"),
        ("x-amz-date", "20231114T221320Z"),
        ("x-amz-security-token", "SESSIONTOKEN"),
    ];
    let signature = expected_signature("/graphql/connect", "{}", &signed);
    assert!(
        headers["Authorization"]
            .as_str()
            .unwrap()
            .ends_with(&signature)
    );
}
