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
