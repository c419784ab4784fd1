//! The fast path against aws-sigv4's full signer: same headers, byte for byte, over many
//! request shapes, times, regions and credentials; and the shapes it leaves to aws-sigv4.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;
use crate::auth::sign_with_aws_sigv4;

const SIGNING_HEADERS: [&str; 4] = [
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

fn creds(secret: &str, token: Option<&str>) -> AwsCredentials {
    AwsCredentials::new("ASIAEXAMPLE", secret, token.map(str::to_owned), None)
}

fn request(uri: &str, headers: &[(&str, &str)], body: &'static str) -> Request<Bytes> {
    let mut req = Request::new(Bytes::from_static(body.as_bytes()));
    *req.method_mut() = http::Method::POST;
    *req.uri_mut() = uri.parse().unwrap();
    req.headers_mut()
        .insert("host", HeaderValue::from_static("x.example.com"));
    for (name, value) in headers {
        req.headers_mut().append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    req
}

fn ctx(region: &str, service: SigningService, time: SystemTime) -> SigningContext<'_> {
    SigningContext {
        region,
        service,
        time,
    }
}

/// Signs a copy with each signer; asserts the fast path took it and both agree.
fn assert_same(req: &Request<Bytes>, credentials: &AwsCredentials, signing: &SigningContext<'_>) {
    let mut fast = clone(req);
    assert!(
        try_sign(credentials, &mut fast, signing).unwrap(),
        "the fast path declined {:?}",
        req.uri()
    );
    let mut full = clone(req);
    sign_with_aws_sigv4(credentials, &mut full, signing).unwrap();
    for name in SIGNING_HEADERS {
        assert_eq!(
            fast.headers().get(name),
            full.headers().get(name),
            "{name} differs for {:?} {:?}",
            req.uri(),
            req.headers()
        );
    }
    assert_eq!(fast.headers().len(), full.headers().len());
    assert!(fast.headers()["authorization"].is_sensitive());
    if let Some(token) = fast.headers().get("x-amz-security-token") {
        assert!(token.is_sensitive());
    }
}

fn clone(req: &Request<Bytes>) -> Request<Bytes> {
    let mut copy = Request::new(req.body().clone());
    *copy.method_mut() = req.method().clone();
    *copy.uri_mut() = req.uri().clone();
    *copy.headers_mut() = req.headers().clone();
    copy
}

#[test]
fn matches_aws_sigv4_over_request_shapes() {
    let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let uris = [
        "https://x.example.com/graphql",
        "https://x.example.com/",
        "https://x.example.com",
        "https://x.example.com/prod/items/",
        "https://x.example.com/prod/items/a-b_c~d.e",
        "https://x.example.com/prod/items?b=2&a=1&a=0&c",
        "https://x.example.com/prod?z=&y=1&&x=Abc~-._",
        "https://x.example.com/prod?",
        "http://127.0.0.1:8080/graphql",
    ];
    let header_sets: [&[(&str, &str)]; 5] = [
        &[],
        &[("content-type", "application/json; charset=utf-8")],
        &[
            ("content-type", "application/json"),
            ("user-agent", "amplify-rs/0.1.0 api"),
            ("x-amzn-trace-id", "Root=1"),
            ("transfer-encoding", "chunked"),
            ("accept", "application/json, text/javascript"),
        ],
        // Repeated headers keep their order; spaces are trimmed and collapsed, tabs kept.
        &[
            ("x-custom", "  two   spaces  "),
            ("x-custom", "second"),
            ("a-first", "x\ty"),
            ("x-custom", ""),
            ("zz-last", "   "),
        ],
        &[("content-encoding", "amz-1.0"), ("x-amz-user-agent", "ua")],
    ];
    let credentials = [
        creds("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Some("TOKEN/+=")),
        creds("another/secret+key", None),
    ];
    for uri in uris {
        for headers in header_sets {
            for body in ["", r#"{"query":"{ a }"}"#] {
                let req = request(uri, headers, body);
                for c in &credentials {
                    for service in [SigningService::AppSync, SigningService::ExecuteApi] {
                        for region in ["us-east-1", "eu-west-2"] {
                            assert_same(&req, c, &ctx(region, service, t));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn dates_match_aws_sigv4() {
    let credentials = creds("secret", Some("token"));
    let req = request("https://x.example.com/graphql", &[], "{}");
    // Epoch, leap days, century rules, day and year boundaries, far future.
    let times: [u64; 9] = [
        0,
        951_782_399,   // 2000-02-28T23:59:59Z
        951_868_799,   // 2000-02-29T23:59:59Z
        1_709_251_199, // 2024-02-29T23:59:59Z
        1_735_689_599, // 2024-12-31T23:59:59Z
        1_735_689_600, // 2025-01-01T00:00:00Z
        4_107_542_400, // 2100-03-01T00:00:00Z
        1_700_000_000,
        253_402_300_799, // 9999-12-31T23:59:59Z
    ];
    for secs in times {
        let time = UNIX_EPOCH + Duration::from_secs(secs);
        assert_same(
            &req,
            &credentials,
            &ctx("us-east-1", SigningService::AppSync, time),
        );
    }
    for secs in (0..3_000_000_000_u64).step_by(86_400 * 37 + 4_001) {
        let time = UNIX_EPOCH + Duration::from_secs(secs);
        let stamp = Stamp::new(time).unwrap();
        assert_eq!(
            stamp.date_time(),
            aws_date_time(time),
            "at {secs} seconds since the epoch"
        );
    }
}

fn aws_date_time(time: SystemTime) -> String {
    let mut req = request("https://x.example.com/graphql", &[], "{}");
    sign_with_aws_sigv4(
        &creds("secret", None),
        &mut req,
        &ctx("us-east-1", SigningService::AppSync, time),
    )
    .unwrap();
    req.headers()["x-amz-date"].to_str().unwrap().to_owned()
}

#[test]
fn the_cached_key_follows_secret_date_region_and_service() {
    let req = request("https://x.example.com/graphql", &[], "{}");
    let day = 86_400;
    let base = 1_700_000_000;
    // Alternate between inputs so every lookup after the first either hits or must miss.
    let steps: [(&str, &str, SigningService, u64); 8] = [
        ("s1", "us-east-1", SigningService::AppSync, base),
        ("s1", "us-east-1", SigningService::AppSync, base + 60),
        ("s2", "us-east-1", SigningService::AppSync, base + 60),
        ("s2", "us-east-1", SigningService::AppSync, base + day),
        ("s2", "eu-west-1", SigningService::AppSync, base + day),
        ("s2", "eu-west-1", SigningService::ExecuteApi, base + day),
        ("s1", "us-east-1", SigningService::AppSync, base),
        ("s1", "us-east-1", SigningService::AppSync, base + 1),
    ];
    for (secret, region, service, secs) in steps {
        let time = UNIX_EPOCH + Duration::from_secs(secs);
        assert_same(&req, &creds(secret, None), &ctx(region, service, time));
    }
}

#[test]
fn unusual_shapes_are_left_to_aws_sigv4() {
    let credentials = creds("secret", Some("token"));
    let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let signing = ctx("us-east-1", SigningService::ExecuteApi, t);
    let declined = [
        request("https://x.example.com/a//b", &[], ""),
        request("https://x.example.com/a/./b", &[], ""),
        request("https://x.example.com/a/../b", &[], ""),
        request("https://x.example.com/a%20b", &[], ""),
        request("https://x.example.com/a:b", &[], ""),
        request("https://x.example.com/a?q=a+b", &[], ""),
        request("https://x.example.com/a?q=a%2Fb", &[], ""),
        request("https://x.example.com/a?q=a=b", &[], ""),
        request(
            "https://x.example.com/a",
            &[("x-amz-date", "20200101T000000Z")],
            "",
        ),
        request(
            "https://x.example.com/a",
            &[("x-amz-security-token", "t")],
            "",
        ),
        request(
            "https://x.example.com/a",
            &[("x-amz-content-sha256", "x")],
            "",
        ),
    ];
    for req in declined {
        let mut copy = clone(&req);
        assert!(!try_sign(&credentials, &mut copy, &signing).unwrap());
        assert_eq!(
            copy.headers(),
            req.headers(),
            "declined requests are untouched"
        );
        // ... and the full signer still signs them.
        let mut full = clone(&req);
        let result = sign_with_aws_sigv4(&credentials, &mut full, &signing);
        assert!(result.is_ok() || req.headers().contains_key("x-amz-date"));
    }
    let mut no_host = request("https://x.example.com/a", &[], "");
    no_host.headers_mut().remove("host");
    assert!(!try_sign(&credentials, &mut no_host, &signing).unwrap());
    let before_1970 = ctx(
        "us-east-1",
        SigningService::AppSync,
        UNIX_EPOCH - Duration::from_secs(1),
    );
    let mut req = request("https://x.example.com/a", &[], "");
    assert!(!try_sign(&credentials, &mut req, &before_1970).unwrap());
}

#[test]
fn unsignable_header_values_are_errors() {
    let mut req = request("https://x.example.com/graphql", &[], "{}");
    req.headers_mut()
        .insert("user-agent", HeaderValue::from_bytes(b"caf\xe9").unwrap());
    let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    assert!(matches!(
        try_sign(
            &creds("secret", None),
            &mut req,
            &ctx("us-east-1", SigningService::AppSync, t)
        ),
        Err(ApiError::Signing(_))
    ));
}

#[test]
fn hex_matches_a_formatted_reference_over_every_byte_and_chunk_boundary() {
    let bytes: Vec<u8> = (0..=255u8).chain(0..7).collect();
    for len in [0, 1, 31, 32, 33, 64, bytes.len()] {
        let slice = &bytes[..len];
        let expected: String = slice.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(slice), expected, "{len} bytes");
        let mut appended = String::from("prefix:");
        push_hex(&mut appended, slice);
        assert_eq!(
            appended,
            format!("prefix:{expected}"),
            "{len} bytes appended"
        );
    }
}

#[test]
fn the_header_room_operations_reserve_holds_what_signing_and_hyper_add() {
    use amplify_core::AuthorizationType;
    for service in [SigningService::AppSync, SigningService::ExecuteApi] {
        let mut req = Request::new(Bytes::from_static(b"{}"));
        *req.uri_mut() = "https://x.example.com/graphql".parse().unwrap();
        let headers = req.headers_mut();
        headers.reserve(crate::request::header_room(
            AuthorizationType::AwsIam,
            service,
        ));
        headers.insert("host", HeaderValue::from_static("x.example.com"));
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers.insert("user-agent", HeaderValue::from_static("amplify-rs"));
        let capacity = req.headers().capacity();
        let credentials = creds("secret", Some("token"));
        let signing = ctx(
            "us-east-1",
            service,
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        );
        assert!(try_sign(&credentials, &mut req, &signing).unwrap());
        // hyper adds the content length as it writes the request.
        req.headers_mut()
            .insert("content-length", HeaderValue::from_static("2"));
        assert_eq!(
            req.headers().capacity(),
            capacity,
            "{service:?} grew the map"
        );
    }
}
