//! Sans-IO tests of the GraphQL and REST endpoints: requests go straight into
//! [`Backend::handle`], no sockets.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amplify_core::time::ManualTimeSource;
use bytes::Bytes;
use http::{Request, StatusCode};
use serde_json::{Value, json};

use super::Backend;
use crate::appsync::*;
use crate::handle::Emulator;
use crate::spec::UserPoolSpec;

const ENDPOINT: &str = "http://127.0.0.1:9";

fn start_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn backend_with(api: GraphQlApiSpec) -> (Backend, ManualTimeSource) {
    let clock = ManualTimeSource::new(start_time());
    let backend = Emulator::builder()
        .user_pool(UserPoolSpec::new("us-east-1"))
        .time_source(clock.clone())
        .rng_seed([7; 32])
        .graphql_api(api)
        .build_backend(ENDPOINT)
        .unwrap();
    (backend, clock)
}

fn key_of(backend: &Backend) -> String {
    backend.appsync().api_keys()[0].0.clone()
}

fn gql(backend: &Backend, key: &str, query: &str, variables: &Value) -> (StatusCode, Value) {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let request = Request::post("/graphql")
        .header("x-api-key", key)
        .header("content-type", "application/json")
        .body(Bytes::from(body))
        .unwrap();
    let response = backend.handle(&request);
    let status = response.status();
    (status, serde_json::from_slice(response.body()).unwrap())
}

#[test]
fn crud_filter_and_pagination_on_the_sample() {
    let (backend, clock) = backend_with(GraphQlApiSpec::sample_todo());
    let key = key_of(&backend);
    for (i, name) in [
        "buy milk",
        "walk dog",
        "buy bread",
        "write code",
        "buy eggs",
    ]
    .iter()
    .enumerate()
    {
        let (status, body) = gql(
            &backend,
            &key,
            "mutation C($input: CreateTodoInput!) { createTodo(input: $input) { id name done priority owner createdAt __typename } }",
            &json!({ "input": { "id": format!("t{i}"), "name": name, "done": i % 2 == 0, "priority": i } }),
        );
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["createTodo"]["name"], *name);
        assert_eq!(body["data"]["createTodo"]["__typename"], "Todo");
        assert_eq!(
            body["data"]["createTodo"]["createdAt"],
            format!("2027-01-15T08:00:0{i}.000Z")
        );
        assert!(body["data"]["createTodo"]["owner"].is_null());
        clock.advance(Duration::from_secs(1));
    }
    // Duplicate id: DynamoDB's condition failure.
    let (_, body) = gql(
        &backend,
        &key,
        "mutation { createTodo(input: {id: \"t0\", name: \"again\"}) { id } }",
        &Value::Null,
    );
    assert!(body["data"]["createTodo"].is_null());
    assert_eq!(
        body["errors"][0]["errorType"],
        "DynamoDB:ConditionalCheckFailedException"
    );
    assert_eq!(body["errors"][0]["path"], json!(["createTodo"]));

    let (_, body) = gql(
        &backend,
        &key,
        "query($f: ModelTodoFilterInput) { listTodos(filter: $f) { items { id } nextToken } }",
        &json!({ "f": { "name": { "beginsWith": "buy" }, "done": { "eq": true } } }),
    );
    let ids: Vec<&str> = body["data"]["listTodos"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["t0", "t2", "t4"]);
    assert!(body["data"]["listTodos"]["nextToken"].is_null());

    // Pages of 2, following nextToken until it is null.
    let mut token = Value::Null;
    let mut seen = Vec::new();
    loop {
        let (_, body) = gql(
            &backend,
            &key,
            "query($t: String) { listTodos(limit: 2, nextToken: $t) { items { id } nextToken } }",
            &json!({ "t": token }),
        );
        let page = &body["data"]["listTodos"];
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        token = page["nextToken"].clone();
        if token.is_null() {
            break;
        }
    }
    assert_eq!(seen, ["t0", "t1", "t2", "t3", "t4"]);

    let (_, body) = gql(
        &backend,
        &key,
        "{ listTodos(nextToken: \"nope\") { items { id } } }",
        &Value::Null,
    );
    assert_eq!(body["errors"][0]["errorType"], "DynamoDB:DynamoDbException");

    let (_, body) = gql(
        &backend,
        &key,
        "mutation { updateTodo(input: {id: \"t1\", done: true}) { id done updatedAt createdAt } }",
        &Value::Null,
    );
    let updated = &body["data"]["updateTodo"];
    assert_eq!(updated["done"], true);
    assert_ne!(updated["updatedAt"], updated["createdAt"]);
    // deleteTodo needs IAM or user pools; the sample with only API_KEY has neither, so the
    // directive falls back to every mode.
    let (_, body) = gql(
        &backend,
        &key,
        "mutation { deleteTodo(input: {id: \"t1\"}) { id } }",
        &Value::Null,
    );
    assert_eq!(body["data"]["deleteTodo"]["id"], "t1");
    let (_, body) = gql(
        &backend,
        &key,
        "{ getTodo(id: \"t1\") { id } }",
        &Value::Null,
    );
    assert_eq!(body, json!({ "data": { "getTodo": null } }));
}

#[test]
fn validation_errors_are_graphql_java_shaped() {
    let (backend, _) = backend_with(GraphQlApiSpec::sample_todo());
    let key = key_of(&backend);
    let (status, body) = gql(&backend, &key, "{ nope }", &Value::Null);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"][0]["message"],
        "Validation error of type FieldUndefined: Field 'nope' in type 'Query' is undefined @ 'nope'"
    );
    assert_eq!(body["errors"][0]["errorType"], "ValidationError");
    assert_eq!(
        body["errors"][0]["locations"],
        json!([{ "line": 1, "column": 3, "sourceName": null }])
    );
    assert!(body["data"].is_null());

    let cases = [
        (
            "{ getTodo { id } }",
            "MissingFieldArgument: Missing field argument id @ 'getTodo'",
        ),
        (
            "{ getTodo(id: \"1\", x: 1) { id } }",
            "UnknownArgument: Unknown field argument x @ 'getTodo'",
        ),
        (
            "{ getTodo(id: \"1\") }",
            "SubSelectionRequired: Sub selection required for type Todo of field getTodo @ 'getTodo'",
        ),
        (
            "{ getTodo(id: \"1\") { name { x } } }",
            "SubSelectionNotAllowed: Sub selection not allowed on leaf type String! of field name @ 'getTodo/name'",
        ),
        (
            "{ getTodo(id: \"1\") { id zzz } }",
            "FieldUndefined: Field 'zzz' in type 'Todo' is undefined @ 'getTodo/zzz'",
        ),
        (
            "query($id: String) { getTodo(id: $id) { id } }",
            "VariableTypeMismatch: Variable type 'String' doesn't match expected type 'ID!' @ 'getTodo'",
        ),
        (
            "{ getTodo(id: $x) { id } }",
            "UndefinedVariable: Undefined variable x @ 'getTodo'",
        ),
        (
            "query($x: ID) { listTodos { nextToken } }",
            "UnusedVariable: Unused variable x",
        ),
        (
            "{ listTodos(limit: \"2\") { nextToken } }",
            "WrongType: argument 'limit' with value 'StringValue{value='2'}' is not a valid 'Int' @ 'listTodos'",
        ),
        (
            "{ ...F } fragment F on Query { ...G } fragment G on Query { ...F }",
            "FragmentCycle",
        ),
        (
            "{ ...Missing }",
            "UndefinedFragment: Undefined fragment Missing @ ''",
        ),
        (
            "query($t: Todo) { listTodos { nextToken } }",
            "NonInputTypeOnVariable",
        ),
    ];
    for (query, expected) in cases {
        let (status, body) = gql(&backend, &key, query, &Value::Null);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(expected),
            "{query}: {message} does not contain {expected}"
        );
    }

    // Variables are coerced against their declared types.
    let (status, body) = gql(
        &backend,
        &key,
        "query($id: ID!) { getTodo(id: $id) { id } }",
        &json!({}),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"][0]["message"],
        "Variable 'id' has coerced Null value for NonNull type 'ID!'"
    );
    let (_, body) = gql(
        &backend,
        &key,
        "mutation($i: CreateTodoInput!) { createTodo(input: $i) { id } }",
        &json!({ "i": { "name": "x", "bogus": 1 } }),
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("'bogus' that is not defined for input object type 'CreateTodoInput'")
    );
    let (_, body) = gql(
        &backend,
        &key,
        "query($l: Int) { listTodos(limit: $l) { nextToken } }",
        &json!({ "l": "ten" }),
    );
    assert_eq!(
        body["errors"][0]["message"],
        "Variable 'l' has an invalid value: Expected type 'Int' but was 'String'."
    );

    let (status, body) = gql(&backend, &key, "{ listTodos { ", &Value::Null);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["errorType"], "InvalidSyntax");

    let (status, body) = gql(
        &backend,
        &key,
        "subscription { onCreateTodo { id } }",
        &Value::Null,
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["errorType"], "UnsupportedOperation");
}

#[test]
fn custom_resolvers_nulls_and_errors() {
    let schema = r#"
        type Query {
          hello(name: String = "world"): String
          boom: String
          strict: Item!
          items: [Item!]
          whoami: AWSJSON
        }
        type Item { id: ID! label: String! n: Int }
    "#;
    let api = GraphQlApiSpec::new(schema)
        .resolver("Query", "hello", |_ctx, args| {
            Ok(json!(format!("hello {}", args["name"].as_str().unwrap())))
        })
        .resolver("Query", "boom", |_ctx, _args| {
            Err(ResolverError::new("custom failure")
                .error_type("Custom.ErrorType")
                .data(json!({"k": "v"}))
                .error_info(json!({"info": 1})))
        })
        .resolver("Query", "strict", |_ctx, _args| Ok(json!({"id": "1"})))
        .resolver("Query", "items", |_ctx, _args| {
            Ok(json!([{"id": "a", "label": "A"}, {"id": "b"}]))
        })
        .resolver("Query", "whoami", |ctx, _args| Ok(ctx.identity().to_json()));
    let (backend, _) = backend_with(api);
    let key = key_of(&backend);
    let (_, body) = gql(
        &backend,
        &key,
        "{ a: hello b: hello(name: \"you\") }",
        &Value::Null,
    );
    assert_eq!(
        body,
        json!({"data": {"a": "hello world", "b": "hello you"}})
    );

    let (_, body) = gql(&backend, &key, "{ boom hello }", &Value::Null);
    assert_eq!(body["data"], json!({"boom": null, "hello": "hello world"}));
    assert_eq!(
        body["errors"][0],
        json!({
            "path": ["boom"], "data": {"k": "v"}, "errorType": "Custom.ErrorType",
            "errorInfo": {"info": 1}, "locations": [{"line": 1, "column": 3, "sourceName": null}],
            "message": "custom failure",
        })
    );

    // A null in a non-null field nulls the nearest nullable parent: here the whole data.
    let (_, body) = gql(&backend, &key, "{ strict { id label } }", &Value::Null);
    assert!(body["data"].is_null(), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains(
        "Cannot return null for non-nullable type: 'String' within parent 'Item' (/strict/label)"
    ));
    // ... and here the list (items are non-null).
    let (_, body) = gql(&backend, &key, "{ items { id label } hello }", &Value::Null);
    assert_eq!(body["data"], json!({"items": null, "hello": "hello world"}));
    assert_eq!(body["errors"][0]["path"], json!(["items", 1, "label"]));

    let (_, body) = gql(&backend, &key, "{ whoami }", &Value::Null);
    let who: Value = serde_json::from_str(body["data"]["whoami"].as_str().unwrap()).unwrap();
    assert_eq!(who["authMode"], "API_KEY");
}

#[test]
fn api_keys_expire_on_the_emulator_clock() {
    let (backend, clock) = backend_with(
        GraphQlApiSpec::sample_todo().api_key(
            ApiKeySpec::new()
                .key("da2-fixedkey")
                .expires_in(Duration::from_secs(60)),
        ),
    );
    let (status, _) = gql(
        &backend,
        "da2-fixedkey",
        "{ listTodos { nextToken } }",
        &Value::Null,
    );
    assert_eq!(status, StatusCode::OK);
    let (status, body) = gql(
        &backend,
        "da2-wrong",
        "{ listTodos { nextToken } }",
        &Value::Null,
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        json!({"errors": [{"errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}]})
    );
    clock.advance(Duration::from_secs(61));
    let (status, body) = gql(
        &backend,
        "da2-fixedkey",
        "{ listTodos { nextToken } }",
        &Value::Null,
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"][0]["message"], "API key has expired.");
}

#[test]
fn invalid_specs_are_refused() {
    let build = |api: GraphQlApiSpec| {
        Emulator::builder()
            .graphql_api(api)
            .build_backend(ENDPOINT)
            .map(drop)
    };
    assert!(build(GraphQlApiSpec::new("type Query { x: Nope }")).is_err());
    assert!(build(GraphQlApiSpec::new("type Query @aws_iam { x: String }")).is_err());
    assert!(
        build(
            GraphQlApiSpec::new("type Query { x: String }")
                .resolver("Query", "y", |_, _| Ok(Value::Null))
        )
        .is_err()
    );
    assert!(build(GraphQlApiSpec::sample_todo().default_mode(AuthMode::OpenIdConnect)).is_err());
    assert!(build(GraphQlApiSpec::sample_todo().default_mode(AuthMode::AwsLambda)).is_err());
    assert!(build(GraphQlApiSpec::sample_todo().default_mode(AuthMode::None)).is_err());
    assert!(
        build(GraphQlApiSpec::new(
            "union U = A | B type A { x: Int } type B { y: Int } type Query { u: U }"
        ))
        .is_err()
    );
    assert!(build(GraphQlApiSpec::sample_todo().name("bad name")).is_err());
}

#[test]
fn hostile_documents_are_refused_without_deep_recursion() {
    let (backend, _) = backend_with(GraphQlApiSpec::sample_todo());
    let key = key_of(&backend);
    // A long chain of fragments.
    let mut doc = String::from("query { ...F0 }");
    for i in 0..3000 {
        doc.push_str(&format!(" fragment F{i} on Query {{ ...F{} }}", i + 1));
    }
    doc.push_str(" fragment F3000 on Query { listTodos { nextToken } }");
    let (status, body) = gql(&backend, &key, &doc, &Value::Null);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("FragmentCycle"));
    // Every fragment spreading the next twice: exponential if walked naively.
    let mut doc = String::from("query { ...D0 }");
    for i in 0..30 {
        doc.push_str(&format!(
            " fragment D{i} on Query {{ ...D{n} ...D{n} }}",
            n = i + 1
        ));
    }
    doc.push_str(" fragment D30 on Query { listTodos { nextToken } }");
    let (status, body) = gql(&backend, &key, &doc, &Value::Null);
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["listTodos"]["nextToken"], Value::Null);
    // Braces nested past the parser's limit.
    let deep = format!("{}{}", "{ listTodos ".repeat(60), "}".repeat(60));
    let (status, _) = gql(&backend, &key, &deep, &Value::Null);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Many aliases are fine.
    let wide: String = (0..500)
        .map(|i| format!(" a{i}: listTodos {{ nextToken }}"))
        .collect();
    let (status, body) = gql(&backend, &key, &format!("{{{wide} }}"), &Value::Null);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"].as_object().unwrap().len(), 500);
}

#[test]
fn seed_files_describe_the_apis() {
    let (builder, _) = crate::handle::EmulatorBuilder::from_seed_json(
        r#"{"graphqlApi": {"defaultMode": "API_KEY", "additionalModes": ["AWS_IAM"],
            "apiKeys": [{"key": "da2-seed", "expiresInSeconds": 60}]},
            "restApis": [{"name": "open", "mode": "NONE"}]}"#,
    )
    .unwrap();
    let backend = builder.build_backend(ENDPOINT).unwrap();
    assert_eq!(backend.appsync().api_keys()[0].0, "da2-seed");
    assert_eq!(backend.appsync().rest[0].mode, AuthMode::None);
    for bad in [
        r#"{"graphqlApi": {"defaultMode": "AWS_LAMBDA"}}"#,
        r#"{"graphqlApi": {"defaultMode": "NOPE"}}"#,
        r#"{"graphqlApi": {"bogus": 1}}"#,
        r#"{"restApis": [{"name": "x", "mode": "AWS_LAMBDA"}]}"#,
    ] {
        assert!(
            crate::handle::EmulatorBuilder::from_seed_json(bad).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn recursive_types_reused_fragments_stop_at_the_depth_limit() {
    let api = GraphQlApiSpec::new("type Query { root: Node } type Node { id: ID next: Node }")
        .resolver("Query", "root", |_, _| Ok(json!({"id": "n"})))
        .resolver("Node", "next", |ctx, _| {
            Ok(ctx.source().cloned().unwrap_or(Value::Null))
        });
    let (backend, _) = backend_with(api);
    let key = key_of(&backend);
    // Four fragments of 15 levels each, chained (60 levels): validated once, at the shallow
    // spread. The second spread sits 40 levels deeper, so execution would reach 100.
    let mut fragments = String::new();
    for i in 0..4 {
        let inner = if i < 3 {
            format!("...X{}", i + 1)
        } else {
            "id".to_owned()
        };
        fragments.push_str(&format!(
            " fragment X{i} on Node {{ id {}{inner} {} }}",
            "next { ".repeat(15),
            "}".repeat(15)
        ));
    }
    let doc = format!(
        "query {{ root {{ ...X0 {}...X0 {} }} }}{fragments}",
        "next { ".repeat(40),
        "}".repeat(40)
    );
    let (status, body) = gql(&backend, &key, &doc, &Value::Null);
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.to_string().contains("deeper than 75 levels."),
        "{body}"
    );
    // The shallow copy completed.
    assert_eq!(body["data"]["root"]["id"], "n");
}
