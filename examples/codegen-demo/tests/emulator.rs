//! The generated Todo operations against amplify-emulator's sample API (create, get, list with a
//! filter and pagination, update with a failing and a passing condition, delete, a
//! subscription), and the generated configuration and blog types without a network.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, UNIX_EPOCH};

use amplify_api::ApiPlugin;
use amplify_config::{AmplifyConfig, AuthorizationType, EndpointType};
use amplify_core::AuthProviderRegistry;
use amplify_emulator::{AuthMode, Emulator, EmulatorHandle, GraphQlApiSpec, sample_todo_schema};
use codegen_demo::amplify_config::{self as generated_config, apis};
use codegen_demo::blog::prelude as blog;
use codegen_demo::todo::prelude::*;
use futures_util::StreamExt;

async fn start() -> (EmulatorHandle, ApiPlugin) {
    let emulator = Emulator::builder()
        .graphql_api(GraphQlApiSpec::sample_todo())
        .start()
        .await
        .unwrap();
    let config = AmplifyConfig::from_json(&emulator.amplify_outputs_json()).unwrap();
    let api = ApiPlugin::new();
    api.configure_with(&config, &AuthProviderRegistry::default())
        .unwrap();
    (emulator, api)
}

fn string_eq(value: &str) -> ModelStringInput {
    ModelStringInput::default().eq(value)
}

#[test]
fn the_checked_in_schema_is_the_emulators_sample() {
    assert_eq!(
        include_str!("../schemas/todo.graphql"),
        sample_todo_schema(&[AuthMode::ApiKey]),
        "schemas/todo.graphql must be amplify-emulator's sample_todo_schema(&[AuthMode::ApiKey])"
    );
}

#[tokio::test]
async fn create_get_list_update_delete() {
    let (_emulator, api) = start().await;

    // Create five todos with priorities 1..=5.
    let mut ids = Vec::new();
    for priority in 1..=5 {
        let created = api
            .todo()
            .create(
                CreateTodoInput::new(format!("task {priority}"))
                    .priority(priority)
                    .done(false),
            )
            .send()
            .await
            .unwrap();
        assert!(created.errors.is_empty(), "{:?}", created.errors);
        let todo = created.data.unwrap();
        assert_eq!(todo.priority, Some(priority));
        assert!(todo.created_at.to_system_time().unwrap() > UNIX_EPOCH);
        ids.push(todo.id);
    }

    // Get one, and one that does not exist.
    let got = api.todo().get(&ids[2]).send().await.unwrap();
    assert_eq!(got.data.unwrap().name, "task 3");
    let missing = api.todo().get("no-such-id").send().await.unwrap();
    assert!(missing.data.is_none());

    // A filtered list over pages of two: every item with priority >= 3, in order.
    let filter = ModelTodoFilterInput::default().priority(ModelIntInput::default().ge(3));
    let first = api
        .todo()
        .list()
        .filter(filter.clone())
        .limit(2)
        .send()
        .await
        .unwrap()
        .data
        .unwrap();
    assert!(
        first.next_token.is_some(),
        "a first page of two has a next page"
    );
    let names: Vec<String> = api
        .todo()
        .list()
        .filter(filter.clone())
        .limit(2)
        .items()
        .map(|item| item.unwrap().name)
        .collect()
        .await;
    assert_eq!(names, ["task 3", "task 4", "task 5"]);
    let pages: Vec<_> = api.todo().list().limit(2).pages().collect().await;
    assert_eq!(pages.len(), 3, "five items in pages of two");

    // Update with a condition that fails: a GraphQL error, nothing changes.
    let refused = api
        .todo()
        .update(UpdateTodoInput::new(ids[0].clone()).name("renamed"))
        .condition(ModelTodoConditionInput::default().name(string_eq("not its name")))
        .send()
        .await
        .unwrap();
    assert!(refused.data.is_none());
    assert_eq!(
        refused.errors[0].error_type.as_deref(),
        Some("DynamoDB:ConditionalCheckFailedException")
    );
    let unchanged = api.todo().get(&ids[0]).send().await.unwrap().data.unwrap();
    assert_eq!(unchanged.name, "task 1");

    // Update with a condition that holds.
    let updated = api
        .todo()
        .update(
            UpdateTodoInput::new(ids[0].clone())
                .name("renamed")
                .done(true),
        )
        .condition(ModelTodoConditionInput::default().name(string_eq("task 1")))
        .send()
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.done),
        ("renamed", Some(true))
    );

    // Delete, then it is gone.
    let deleted = api
        .todo()
        .delete(DeleteTodoInput::new(ids[0].clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.data.unwrap().id, ids[0]);
    assert!(api.todo().get(&ids[0]).send().await.unwrap().data.is_none());
    let left: Vec<_> = api.todo().list().items().collect().await;
    assert_eq!(left.len(), 4);
}

#[tokio::test]
async fn on_create_delivers_the_created_item() {
    let (_emulator, api) = start().await;
    let mut created = api
        .todo()
        .on_create()
        .filter(
            ModelSubscriptionTodoFilterInput::default()
                .name(ModelSubscriptionStringInput::default().begins_with("watched")),
        )
        .start()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), created.established())
        .await
        .unwrap()
        .unwrap();
    for name in ["ignored", "watched one"] {
        api.todo()
            .create(CreateTodoInput::new(name))
            .send()
            .await
            .unwrap();
    }
    let event = tokio::time::timeout(Duration::from_secs(10), created.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(event.data.unwrap().name, "watched one");
}

#[test]
fn typed_configuration() {
    let parsed = AmplifyConfig::from_json(generated_config::AMPLIFY_CONFIG).unwrap();
    assert_eq!(generated_config::amplify_config(), &parsed);
    assert_eq!(apis::DATA.as_str(), "data");
    assert_eq!(String::from(apis::SHOP), "shop");
    assert_eq!(apis::data::ENDPOINT_TYPE, EndpointType::GraphQl);
    assert_eq!(apis::shop::ENDPOINT_TYPE, EndpointType::Rest);
    assert_eq!(
        apis::data::DEFAULT_AUTHORIZATION_MODE,
        AuthorizationType::ApiKey
    );
    assert_eq!(apis::data::AWS_IAM, AuthorizationType::AwsIam);
    assert_eq!(apis::data::AUTHORIZATION_MODES.len(), 3);
    let endpoint = apis::DATA.endpoint().unwrap();
    assert_eq!(endpoint.url.as_str(), "http://127.0.0.1:9229/graphql");
}

#[test]
fn blog_types_serialize_as_appsync_expects() {
    let input = blog::CreatePostInput::new("Hello", blog::PostStatus::Published, "blog-1")
        .published_at(blog::AwsDateTime::from_system_time(
            UNIX_EPOCH + Duration::from_millis(1_800_000_000_123),
        ))
        .metadata(blog::AwsJson(serde_json::json!({"a": [1, 2]})))
        .tags(vec!["rust".to_owned()])
        .location(blog::LocationInput::new(52.5, 13.4));
    let json = serde_json::to_value(&input).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "title": "Hello",
            "status": "PUBLISHED",
            "blogId": "blog-1",
            "publishedAt": "2027-01-15T08:00:00.123Z",
            "metadata": "{\"a\":[1,2]}",
            "tags": ["rust"],
            "location": {"lat": 52.5, "lon": 13.4}
        })
    );
    let back: blog::CreatePostInput = serde_json::from_value(json).unwrap();
    assert_eq!(back, input);
    let at = blog::AwsDateTime::new("2027-01-15T09:00:00.123+01:00").unwrap();
    assert_eq!(
        at.to_system_time(),
        Some(UNIX_EPOCH + Duration::from_millis(1_800_000_000_123))
    );
    assert!(blog::AwsDateTime::new("2027-01-15").is_err());
    assert!(blog::AwsDate::new("2027-01-15").is_ok());
    assert!(blog::AwsEmail::new("alice@example.com").is_ok());
    assert!(blog::AwsEmail::new("alice").is_err());
    assert!(blog::AwsIpAddress::new("10.0.0.0/8").is_ok());
    assert!(serde_json::from_value::<blog::AwsUrl>(serde_json::json!("nope")).is_err());
}

#[test]
fn blog_documents_select_fields_and_skip_relations() {
    use codegen_demo::blog::documents;
    assert!(documents::POSTS_BY_BLOG.starts_with(
        "query PostsByBlog($blogId: ID!, $publishedOn: ModelStringKeyConditionInput, \
         $sortDirection: ModelSortDirection, $filter: ModelPostFilterInput, $limit: Int, \
         $nextToken: String) { postsByBlog("
    ));
    assert!(documents::GET_POST.contains("location { lat lon label }"));
    assert!(!documents::GET_POST.contains("comments"));
    assert!(documents::GET_COMMENT.contains("postCommentsId"));
    assert!(documents::GET_POST.contains("postFeaturedId"));
    assert!(documents::STATS.contains("byStatus { status count }"));
}
