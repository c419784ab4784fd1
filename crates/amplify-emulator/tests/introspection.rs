//! Schema introspection on `POST /graphql`: graphql-js's standard introspection query answered
//! from the sample Todo schema (types, fields, NON_NULL / LIST wrapping, inputs, enums, the AWS
//! scalars), `__type(name:)`, introspection with any valid authorization, and a refused
//! request without one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use amplify_emulator::*;
use common::http::{Reply, Req};
use common::*;
use serde_json::{Value, json};

const KEY: &str = "da2-introspection000000000000";

/// What graphql-js 16's `getIntrospectionQuery()` produces with its default options.
const INTROSPECTION_QUERY: &str = r"
    query IntrospectionQuery {
      __schema {
        queryType { name }
        mutationType { name }
        subscriptionType { name }
        types {
          ...FullType
        }
        directives {
          name
          description
          locations
          args {
            ...InputValue
          }
        }
      }
    }

    fragment FullType on __Type {
      kind
      name
      description
      fields(includeDeprecated: true) {
        name
        description
        args {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }

    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
    }

    fragment TypeRef on __Type {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType {
                  kind
                  name
                  ofType {
                    kind
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
";

async fn start(spec: GraphQlApiSpec) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .client(AppClientSpec::new().id("webclient"))
                .user(UserSpec::new("alice", "Passw0rd!").email("alice@example.com")),
        )
        .time_source(clock())
        .graphql_api(
            spec.api_key(
                ApiKeySpec::new()
                    .key(KEY)
                    .expires_in(Duration::from_secs(3600)),
            ),
        )
        .start()
        .await
        .unwrap()
}

async fn sample() -> EmulatorHandle {
    start(
        GraphQlApiSpec::sample_todo()
            .default_mode(AuthMode::ApiKey)
            .additional_mode(AuthMode::AmazonCognitoUserPools),
    )
    .await
}

async fn post(emu: &EmulatorHandle, header: Option<(&str, &str)>, query: &str) -> Reply {
    let mut req = Req::post_json("/graphql", &json!({ "query": query }));
    if let Some((name, value)) = header {
        req = req.header(name, value);
    }
    req.send(emu.local_addr()).await
}

fn find<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("{name} is missing from {list}"))
}

/// `T`, `T!`, `[T]`, `[T]!` ... from a `__Type` value.
fn render(ty: &Value) -> String {
    match ty["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", render(&ty["ofType"])),
        "LIST" => format!("[{}]", render(&ty["ofType"])),
        _ => ty["name"].as_str().unwrap().to_owned(),
    }
}

#[tokio::test]
async fn the_standard_query_describes_the_sample_schema() {
    let emu = sample().await;
    let reply = post(&emu, Some(("x-api-key", KEY)), INTROSPECTION_QUERY).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let body = reply.json();
    assert!(body.get("errors").is_none(), "{body}");
    let schema = &body["data"]["__schema"];
    assert_eq!(schema["queryType"], json!({ "name": "Query" }));
    assert_eq!(schema["mutationType"], json!({ "name": "Mutation" }));
    assert_eq!(
        schema["subscriptionType"],
        json!({ "name": "Subscription" })
    );
    let types = &schema["types"];

    let todo = find(types, "Todo");
    assert_eq!(todo["kind"], "OBJECT");
    assert_eq!(todo["interfaces"], json!([]));
    assert_eq!(todo["inputFields"], Value::Null);
    assert_eq!(todo["enumValues"], Value::Null);
    let fields: Vec<(String, String)> = todo["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap().to_owned(), render(&f["type"])))
        .collect();
    let expected = [
        ("id", "ID!"),
        ("name", "String!"),
        ("description", "String"),
        ("done", "Boolean"),
        ("priority", "Int"),
        ("owner", "String"),
        ("adminNote", "String"),
        ("createdAt", "AWSDateTime!"),
        ("updatedAt", "AWSDateTime!"),
    ];
    assert_eq!(
        fields,
        expected.map(|(n, t)| (n.to_owned(), t.to_owned())).to_vec()
    );
    let id = find(&todo["fields"], "id");
    assert_eq!(
        id["type"],
        json!({ "kind": "NON_NULL", "name": null, "ofType": { "kind": "SCALAR", "name": "ID", "ofType": null } })
    );
    assert_eq!(id["isDeprecated"], false);

    let connection = find(types, "ModelTodoConnection");
    assert_eq!(
        render(&find(&connection["fields"], "items")["type"]),
        "[Todo]!"
    );
    assert_eq!(
        find(&connection["fields"], "items")["type"]["ofType"]["ofType"]["kind"],
        "OBJECT"
    );

    let query = find(types, "Query");
    let list = find(&query["fields"], "listTodos");
    let args: Vec<(String, String)> = list["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap().to_owned(), render(&a["type"])))
        .collect();
    assert!(
        args.contains(&("filter".to_owned(), "ModelTodoFilterInput".to_owned())),
        "{args:?}"
    );
    assert!(
        args.contains(&("limit".to_owned(), "Int".to_owned())),
        "{args:?}"
    );
    assert_eq!(
        render(&find(&query["fields"], "getTodo")["args"][0]["type"]),
        "ID!"
    );
    // The meta fields are not the query type's fields.
    assert!(
        query["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["name"].as_str().unwrap().starts_with("__"))
    );

    let create = find(types, "CreateTodoInput");
    assert_eq!(create["kind"], "INPUT_OBJECT");
    assert_eq!(create["fields"], Value::Null);
    assert_eq!(
        render(&find(&create["inputFields"], "name")["type"]),
        "String!"
    );
    let filter = find(types, "ModelTodoFilterInput");
    assert_eq!(
        render(&find(&filter["inputFields"], "and")["type"]),
        "[ModelTodoFilterInput]"
    );

    let subscription = find(types, "Subscription");
    assert_eq!(
        render(&find(&subscription["fields"], "onCreateTodo")["type"]),
        "Todo"
    );

    for scalar in [
        "ID",
        "String",
        "Int",
        "Float",
        "Boolean",
        "AWSDate",
        "AWSTime",
        "AWSDateTime",
        "AWSTimestamp",
        "AWSEmail",
        "AWSJSON",
        "AWSPhone",
        "AWSURL",
        "AWSIPAddress",
    ] {
        assert_eq!(find(types, scalar)["kind"], "SCALAR", "{scalar}");
    }
    // The introspection types themselves are listed, as graphql-java lists them.
    let kind = find(types, "__TypeKind");
    assert_eq!(kind["kind"], "ENUM");
    let values: Vec<&str> = kind["enumValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        values,
        [
            "SCALAR",
            "OBJECT",
            "INTERFACE",
            "UNION",
            "ENUM",
            "INPUT_OBJECT",
            "LIST",
            "NON_NULL"
        ]
    );
    assert_eq!(find(types, "__Schema")["kind"], "OBJECT");

    let directives = &schema["directives"];
    let skip = find(directives, "skip");
    assert_eq!(render(&find(&skip["args"], "if")["type"]), "Boolean!");
    assert_eq!(
        find(directives, "aws_subscribe")["locations"],
        json!(["FIELD_DEFINITION"])
    );
    find(directives, "aws_api_key");
    find(directives, "deprecated");
}

#[tokio::test]
async fn type_by_name_enums_and_descriptions() {
    let emu = start(GraphQlApiSpec::new(
        r#"
        "A thing to do."
        type Todo @aws_api_key {
          id: ID!
          "How urgent it is."
          status: Status!
          tags: [String!]!
          old: String @deprecated(reason: "Use tags.")
        }
        enum Status { OPEN "Finished." DONE LEGACY @deprecated }
        input Page { limit: Int = 10 status: Status = OPEN }
        type Query @aws_api_key {
          todo(id: ID!, page: Page = {limit: 5}, status: [Status] = [OPEN, DONE]): Todo
        }
        "#,
    ))
    .await;
    let key = Some(("x-api-key", KEY));
    let body = post(&emu, key, r#"{ __type(name: "Todo") { kind name description fields { name description type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }"#).await.json();
    assert!(body.get("errors").is_none(), "{body}");
    let todo = &body["data"]["__type"];
    assert_eq!(todo["kind"], "OBJECT");
    assert_eq!(todo["name"], "Todo");
    assert_eq!(todo["description"], "A thing to do.");
    // Deprecated fields only with includeDeprecated: true.
    assert_eq!(todo["fields"].as_array().unwrap().len(), 3);
    assert_eq!(
        find(&todo["fields"], "status")["description"],
        "How urgent it is."
    );
    assert_eq!(
        find(&todo["fields"], "tags")["type"],
        json!({ "kind": "NON_NULL", "name": null, "ofType": { "kind": "LIST", "name": null, "ofType": {
            "kind": "NON_NULL", "name": null, "ofType": { "kind": "SCALAR", "name": "String" } } } })
    );

    let body = post(&emu, key, r#"{ __type(name: "Todo") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }"#).await.json();
    let old = find(&body["data"]["__type"]["fields"], "old");
    assert_eq!(old["isDeprecated"], true);
    assert_eq!(old["deprecationReason"], "Use tags.");

    let body = post(&emu, key, r#"{ status: __type(name: "Status") { kind enumValues { name description } all: enumValues(includeDeprecated: true) { name deprecationReason } } missing: __type(name: "Nope") { name } __typename }"#).await.json();
    assert_eq!(
        body["data"]["status"],
        json!({ "kind": "ENUM",
            "enumValues": [{ "name": "OPEN", "description": null }, { "name": "DONE", "description": "Finished." }],
            "all": [{ "name": "OPEN", "deprecationReason": null }, { "name": "DONE", "deprecationReason": null },
                    { "name": "LEGACY", "deprecationReason": "No longer supported" }] })
    );
    assert_eq!(body["data"]["missing"], Value::Null);
    assert_eq!(body["data"]["__typename"], "Query");

    let body = post(&emu, key, r#"{ page: __type(name: "Page") { inputFields { name defaultValue } } query: __type(name: "Query") { fields { args { name defaultValue } } } }"#).await.json();
    assert_eq!(
        body["data"]["page"]["inputFields"],
        json!([{ "name": "limit", "defaultValue": "10" }, { "name": "status", "defaultValue": "OPEN" }])
    );
    assert_eq!(
        body["data"]["query"]["fields"][0]["args"],
        json!([{ "name": "id", "defaultValue": null }, { "name": "page", "defaultValue": "{limit: 5}" },
               { "name": "status", "defaultValue": "[OPEN, DONE]" }])
    );

    // Nested: a field's type is a full __Type.
    let body = post(
        &emu,
        key,
        r#"{ __schema { queryType { fields { type { name fields { name } } } } } }"#,
    )
    .await
    .json();
    assert_eq!(
        body["data"]["__schema"]["queryType"]["fields"][0]["type"]["name"],
        "Todo"
    );
    assert_eq!(
        body["data"]["__schema"]["queryType"]["fields"][0]["type"]["fields"][1]["name"],
        "status"
    );

    // Validation still applies.
    let body = post(&emu, key, "{ __schema { nope } }").await.json();
    assert_eq!(body["errors"][0]["errorType"], "ValidationError", "{body}");
    let body = post(&emu, key, "{ __type { name } }").await.json();
    assert_eq!(body["errors"][0]["errorType"], "ValidationError", "{body}");
}

#[tokio::test]
async fn any_valid_authorization_may_introspect_and_none_is_refused() {
    let emu = sample().await;
    // Not authorized at all: AppSync's 401 before anything is executed.
    let reply = post(&emu, None, INTROSPECTION_QUERY).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.json()["errors"][0]["errorType"],
        "UnauthorizedException"
    );
    let reply = post(&emu, Some(("x-api-key", "da2-wrong")), INTROSPECTION_QUERY).await;
    assert_eq!(reply.status, 401);
    assert!(reply.json()["data"].is_null());

    // A user pool token (an additional mode) may introspect too.
    let (_, id_token, _) = password_tokens(&emu, "webclient", "alice", "Passw0rd!").await;
    let reply = post(
        &emu,
        Some(("authorization", &id_token)),
        "{ __schema { types { name } } __type(name: \"Todo\") { name } }",
    )
    .await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["__type"]["name"], "Todo");
}

#[tokio::test]
async fn a_schema_may_not_define_introspection_types() {
    let result = Emulator::builder()
        .graphql_api(GraphQlApiSpec::new(
            "type __Type { x: Int } type Query @aws_api_key { a: Int }",
        ))
        .start()
        .await;
    let error = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("__Type is defined twice"), "{error}");
}
