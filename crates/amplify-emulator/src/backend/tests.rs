use super::*;
use crate::handle::Emulator;
use crate::protocol::CORAL_UNKNOWN_OPERATION;
use http::{Method, Request};

fn backend() -> Backend {
    Emulator::builder()
        .rng_seed([1; 32])
        .build_backend("http://127.0.0.1:9")
        .unwrap()
}

fn body(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap()
}

#[test]
fn unknown_target_malformed_json_and_missing_fields() {
    let b = backend();
    let r = b.handle_aws_json("AWSCognitoIdentityProviderService.NoSuchThing", b"{}");
    assert_eq!(r.status(), 400);
    assert_eq!(body(&r), json!({"__type": CORAL_UNKNOWN_OPERATION}));
    assert!(!r.headers().contains_key("x-amzn-errortype"));

    let r = b.handle_aws_json("AWSCognitoIdentityProviderService.SignUp", b"{not json");
    assert_eq!(r.status(), 400);
    assert_eq!(body(&r)["__type"], "SerializationException");

    let r = b.handle_aws_json("AWSCognitoIdentityProviderService.SignUp", b"{}");
    assert_eq!(r.status(), 400);
    assert_eq!(body(&r)["__type"], "InvalidParameterException");
    assert_eq!(r.headers()["content-type"], "application/x-amz-json-1.1");

    let r = b.handle_aws_json("", b"{}");
    assert_eq!(body(&r)["__type"], CORAL_UNKNOWN_OPERATION);
}

#[test]
fn jwks_and_openid_configuration() {
    let b = backend();
    let pool = b.layout().user_pools[0].id.clone();
    let get = |path: &str| {
        let req = Request::builder().uri(path).body(Bytes::new()).unwrap();
        b.handle(&req)
    };
    let r = get(&format!("/{pool}/.well-known/jwks.json"));
    assert_eq!(r.status(), 200);
    assert_eq!(body(&r)["keys"][0]["alg"], "RS256");
    let r = get(&format!("/{pool}/.well-known/openid-configuration"));
    assert_eq!(body(&r)["issuer"], format!("http://127.0.0.1:9/{pool}"));
    assert_eq!(get("/us-east-1_nope/.well-known/jwks.json").status(), 404);
    assert_eq!(get("/_emulator/health").status(), 200);
}

#[test]
fn cors_preflight_and_headers() {
    let b = backend();
    let req = Request::builder()
        .method(Method::OPTIONS)
        .uri("/")
        .header(
            "access-control-request-headers",
            "content-type,x-amz-target,x-amz-user-agent",
        )
        .body(Bytes::new())
        .unwrap();
    let r = b.handle(&req);
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert_eq!(
        r.headers()["access-control-allow-headers"],
        "content-type,x-amz-target,x-amz-user-agent"
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri("/")
        .header("x-amz-target", "AWSCognitoIdentityService.GetId")
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    let r = b.handle(&req);
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
}

/// The emulator's own endpoints (the outbox's codes, minted OIDC tokens) answer cross-origin
/// reads only from loopback pages; the emulated services keep `*`.
#[test]
fn emulator_endpoints_allow_only_loopback_origins() {
    let b = backend();
    let get = |path: &str, origin: Option<&str>| {
        let mut req = Request::builder().method(Method::GET).uri(path);
        if let Some(origin) = origin {
            req = req.header("origin", origin);
        }
        b.handle(&req.body(Bytes::new()).unwrap())
    };
    for origin in [
        "https://evil.example",
        "null",
        "http://127.0.0.1.nip.io:3000",
    ] {
        let r = get("/_emulator/outbox", Some(origin));
        assert_eq!(r.status(), 200);
        assert!(
            r.headers().get("access-control-allow-origin").is_none(),
            "{origin}"
        );
    }
    for origin in [
        "http://localhost:3000",
        "http://127.0.0.1:5173",
        "http://[::1]:8080",
    ] {
        let r = get("/_emulator/outbox", Some(origin));
        assert_eq!(r.headers()["access-control-allow-origin"], origin);
        assert_eq!(r.headers()["vary"], "Origin");
    }
    assert!(
        get("/_emulator/outbox", None)
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let r = get(
        "/us-east-1_x/.well-known/jwks.json",
        Some("https://app.example"),
    );
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
}
