//! IAM principals an operator declares (server-side callers' keys): SigV4 verified for real,
//! authorized like identity-pool credentials, narrowed by `allow_fields`, from the builder and
//! from the seed. Requests are signed by hand with `aws-sigv4`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, UNIX_EPOCH};

use amplify_emulator::*;
use common::http::{Reply, Req};
use serde_json::{Value, json};

const START: u64 = 1_800_000_000;
const LIST: &str = "{ listTodos { items { id name } } }";
const ROLE: &str = "arn:aws:iam::000000000000:role/todo-service";

fn clock() -> ManualTimeSource {
    ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(START))
}

fn service() -> IamPrincipalSpec {
    IamPrincipalSpec::new("ASIASERVICE000000001", "service-secret")
        .session_token("service-session")
        .arn(ROLE)
}

async fn start(clock: &ManualTimeSource, principals: Vec<IamPrincipalSpec>) -> EmulatorHandle {
    let mut builder = Emulator::builder()
        .time_source(clock.clone())
        .graphql_api(
            GraphQlApiSpec::sample_todo()
                .default_mode(AuthMode::ApiKey)
                .additional_mode(AuthMode::AwsIam),
        )
        .rest_api(RestApiSpec::new("api").mode(AuthMode::AwsIam));
    for p in principals {
        builder = builder.iam_principal(p);
    }
    builder.start().await.unwrap()
}

fn graphql(
    emu: &EmulatorHandle,
    akid: &str,
    secret: &str,
    token: Option<&str>,
    document: &str,
) -> Req {
    Req::post_json("/graphql", &json!({ "query": document })).sign(
        emu.local_addr(),
        akid,
        secret,
        token,
        "appsync",
        emu.region(),
        emu.clock().now(),
        true,
    )
}

fn refused(reply: &Reply, status: u16, code: &str) {
    assert_eq!(
        reply.status,
        status,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.header("x-amzn-errortype"), Some(code));
}

#[tokio::test]
async fn a_declared_principal_calls_graphql_and_rest() {
    let clock = clock();
    let emu = start(&clock, vec![service()]).await;
    let p = service();
    let token = p.session_token.as_deref();

    let created = graphql(
        &emu,
        &p.access_key_id,
        &p.secret_access_key,
        token,
        "mutation { createTodo(input: {id: \"s1\", name: \"from a service\"}) { id owner } }",
    )
    .send(emu.local_addr())
    .await;
    assert_eq!(created.status, 200, "{:?}", created.json());
    // The principal's ARN stands in for the Cognito identity.
    assert_eq!(created.json()["data"]["createTodo"]["owner"], ROLE);

    let listed = graphql(&emu, &p.access_key_id, &p.secret_access_key, token, LIST)
        .send(emu.local_addr())
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["data"]["listTodos"]["items"][0]["id"], "s1");

    let rest = Req::new("GET", "/rest/api/items")
        .sign(
            emu.local_addr(),
            &p.access_key_id,
            &p.secret_access_key,
            token,
            "execute-api",
            emu.region(),
            emu.clock().now(),
            false,
        )
        .send(emu.local_addr())
        .await;
    assert_eq!(rest.status, 200, "{}", String::from_utf8_lossy(&rest.body));
    assert!(emu.credentials().principal(&p.access_key_id).is_some());
    assert!(emu.issued_credentials(&p.access_key_id).is_none());
}

#[tokio::test]
async fn unknown_keys_wrong_secrets_and_tokens_are_refused() {
    let clock = clock();
    let long_term = IamPrincipalSpec::new("AKIALONGTERM00000001", "long-term-secret");
    let emu = start(&clock, vec![service(), long_term]).await;
    let send = |akid: &'static str, secret: &'static str, token: Option<&'static str>| {
        let req = graphql(&emu, akid, secret, token, LIST);
        let addr = emu.local_addr();
        async move { req.send(addr).await }
    };

    refused(
        &send(
            "ASIANOBODY0000000001",
            "service-secret",
            Some("service-session"),
        )
        .await,
        403,
        "UnrecognizedClientException",
    );
    let wrong = send(
        "ASIASERVICE000000001",
        "not-the-secret",
        Some("service-session"),
    )
    .await;
    assert_eq!(wrong.status, 403);
    assert_eq!(
        wrong.header("x-amzn-errortype"),
        Some("InvalidSignatureException")
    );
    assert!(!String::from_utf8_lossy(&wrong.body).contains("service-session"));
    // The declared token is required, and a token is refused with keys that have none.
    refused(
        &send("ASIASERVICE000000001", "service-secret", None).await,
        403,
        "UnrecognizedClientException",
    );
    refused(
        &send("ASIASERVICE000000001", "service-secret", Some("other")).await,
        403,
        "UnrecognizedClientException",
    );
    assert_eq!(
        send("AKIALONGTERM00000001", "long-term-secret", None)
            .await
            .status,
        200
    );
    refused(
        &send("AKIALONGTERM00000001", "long-term-secret", Some("stray")).await,
        403,
        "UnrecognizedClientException",
    );
}

#[tokio::test]
async fn expiring_principals_expire_on_the_emulator_clock() {
    let clock = clock();
    let at = UNIX_EPOCH + Duration::from_secs(START + 600);
    let emu = start(&clock, vec![service().expires_at(at)]).await;
    let send = || {
        let req = graphql(
            &emu,
            "ASIASERVICE000000001",
            "service-secret",
            Some("service-session"),
            LIST,
        );
        let addr = emu.local_addr();
        async move { req.send(addr).await }
    };
    assert_eq!(send().await.status, 200);
    clock.advance(Duration::from_secs(600));
    refused(&send().await, 403, "ExpiredTokenException");
}

#[tokio::test]
async fn allowed_fields_narrow_a_principal_like_an_iam_policy() {
    let clock = clock();
    let narrow = service().allow_fields([
        "Query.listTodos",
        "arn:aws:appsync:us-east-1:000000000000:apis/x/types/Query/fields/getTodo",
    ]);
    let emu = start(&clock, vec![narrow]).await;
    let p = service();
    let send = |document: &'static str| {
        let req = graphql(
            &emu,
            &p.access_key_id,
            &p.secret_access_key,
            p.session_token.as_deref(),
            document,
        );
        let addr = emu.local_addr();
        async move { req.send(addr).await.json() }
    };
    let listed = send(LIST).await;
    assert!(listed.get("errors").is_none(), "{listed}");
    let both = send("{ getTodo(id: \"x\") { id } listTodos { items { id } } }").await;
    assert!(both.get("errors").is_none(), "{both}");

    let created = send("mutation { createTodo(input: {id: \"n\", name: \"no\"}) { id } }").await;
    assert_eq!(created["data"]["createTodo"], Value::Null);
    assert_eq!(
        created["errors"][0]["message"],
        "Not Authorized to access createTodo on type Mutation"
    );
}

#[tokio::test]
async fn seeds_declare_principals() {
    let seed = r#"{
      "graphqlApi": {"defaultMode": "AWS_IAM"},
      "iamPrincipals": [
        {"accessKeyId": "AKIASEEDED0000000001", "secretAccessKey": "seeded-secret",
         "arn": "arn:aws:iam::000000000000:user/ci", "allowFields": ["Query.*"]}
      ]
    }"#;
    let (builder, _) = EmulatorBuilder::from_seed_json(seed).unwrap();
    let emu = builder.start().await.unwrap();
    let principal = emu.credentials().principal("AKIASEEDED0000000001").unwrap();
    assert_eq!(principal.arn, "arn:aws:iam::000000000000:user/ci");
    assert!(!format!("{principal:?}").contains("seeded-secret"));
    let reply = graphql(&emu, "AKIASEEDED0000000001", "seeded-secret", None, LIST)
        .send(emu.local_addr())
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert!(reply.json().get("errors").is_none());

    let missing = r#"{"iamPrincipals": [{"accessKeyId": "", "secretAccessKey": "x"}]}"#;
    assert!(EmulatorBuilder::from_seed_json(missing).is_err());
    let unknown = r#"{"iamPrincipals": [{"accessKeyId": "A", "secretAccessKey": "x", "role": 1}]}"#;
    assert!(EmulatorBuilder::from_seed_json(unknown).is_err());
}
