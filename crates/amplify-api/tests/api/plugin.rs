//! The plugin inside Amplify.

use amplify_api::{ApiPlugin, PLUGIN_KEY};
use amplify_core::{Amplify, AuthToken, AuthorizationType, Category, Plugin};

use crate::support::TestServer;

#[tokio::test]
async fn configured_through_amplify_with_builder_providers() {
    let server = TestServer::ok().await;
    let api = ApiPlugin::builder()
        .oidc_provider(AuthToken::new("eyJ.oidc"))
        .build()
        .unwrap();
    assert_eq!(api.category(), Category::Api);
    assert_eq!(api.plugin_key(), PLUGIN_KEY);
    assert_eq!(PLUGIN_KEY, "awsAPIPlugin");

    let amplify = Amplify::new();
    amplify.add_plugin(api.clone()).unwrap();
    let outputs = format!(
        r#"{{"version": "1", "data": {{"aws_region": "us-east-1", "url": "{}",
            "default_authorization_type": "OPENID_CONNECT", "authorization_types": ["API_KEY"],
            "api_key": "da2-gen2"}}}}"#,
        server.url("/graphql")
    );
    amplify.configure(&outputs).await.unwrap();
    assert!(api.is_configured());
    assert!(
        amplify
            .auth_providers()
            .get(AuthorizationType::OpenIdConnect)
            .is_some()
    );

    api.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    api.query("{ echo }")
        .authorization_mode(AuthorizationType::ApiKey)
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(server.request(0).header("authorization"), Some("eyJ.oidc"));
    assert_eq!(server.request(1).header("x-api-key"), Some("da2-gen2"));

    // The instance Amplify holds is the same client.
    let held = amplify.api().plugin::<ApiPlugin>().unwrap();
    held.query("{ echo }")
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(server.count(), 3);
}
