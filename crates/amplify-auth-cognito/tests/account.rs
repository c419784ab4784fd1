//! The signed-in user's account end to end against the emulator: attributes and their
//! verification, password change, deletion; and the sign-in next steps for a user an
//! administrator reset and for an unconfirmed user.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, UNIX_EPOCH};

use amplify_auth_cognito::{
    AuthError, CognitoAuthPlugin, DeliveryMedium, ServiceErrorKind, SignInStep, UpdateAttributeStep,
};
use amplify_core::Amplify;
use amplify_core::hub::AuthHubEvent;
use amplify_core::time::{ManualTimeSource, SharedTimeSource};
use amplify_emulator::{Emulator, EmulatorHandle, IdentityPoolSpec, UserPoolSpec, UserSpec};
use amplify_secure_storage::SecureStorageFactory;

const PASSWORD: &str = "Correct-Horse-9";
const NEW_PASSWORD: &str = "Battery-Staple-10";

async fn signed_in() -> (EmulatorHandle, Amplify, CognitoAuthPlugin) {
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let emulator = Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .custom_attribute("plan")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com")),
        )
        .identity_pool(IdentityPoolSpec::new())
        .time_source(clock.clone())
        .start()
        .await
        .unwrap();
    let amplify = Amplify::builder()
        .time_source(SharedTimeSource::new(clock))
        .build();
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .build();
    amplify.add_plugin(auth.clone()).unwrap();
    amplify
        .configure(&emulator.amplify_outputs_json())
        .await
        .unwrap();
    auth.sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    (emulator, amplify, auth)
}

#[tokio::test]
async fn attributes_are_fetched_updated_and_verified() {
    let (emulator, _amplify, auth) = signed_in().await;
    let attributes = auth.fetch_user_attributes().send().await.unwrap();
    assert_eq!(
        attributes.get("email").map(String::as_str),
        Some("alice@example.com")
    );
    assert!(attributes.contains_key("sub"));

    // A custom attribute is updated at once; a new email waits for its code.
    let results = auth
        .update_user_attributes()
        .attribute("custom:plan", "pro")
        .attribute("email", "alice@new.example.com")
        .send()
        .await
        .unwrap();
    let plan = &results["custom:plan"];
    assert!(plan.is_updated);
    assert_eq!(plan.next_step, UpdateAttributeStep::Done);
    let email = &results["email"];
    assert!(!email.is_updated);
    let UpdateAttributeStep::ConfirmAttributeWithCode(details) = &email.next_step else {
        panic!("{email:?}")
    };
    assert_eq!(details.delivery_medium, DeliveryMedium::Email);
    assert_eq!(details.attribute_name.as_deref(), Some("email"));
    let attributes = auth.fetch_user_attributes().send().await.unwrap();
    assert_eq!(
        attributes.get("custom:plan").map(String::as_str),
        Some("pro")
    );

    let code = emulator.outbox().next_code_for("alice").await;
    let wrong = auth
        .confirm_user_attribute()
        .attribute("email")
        .confirmation_code("000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(ServiceErrorKind::CodeMismatch));
    auth.confirm_user_attribute()
        .attribute("email")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    let attributes = auth.fetch_user_attributes().send().await.unwrap();
    assert_eq!(
        attributes.get("email").map(String::as_str),
        Some("alice@new.example.com")
    );
    assert_eq!(
        attributes.get("email_verified").map(String::as_str),
        Some("true")
    );

    // A new code on request.
    let details = auth
        .send_user_attribute_verification_code()
        .attribute("email")
        .send()
        .await
        .unwrap();
    assert_eq!(details.delivery_medium, DeliveryMedium::Email);
    assert!(emulator.outbox().latest_code_for("alice").is_some());

    // One attribute at a time.
    let one = auth
        .update_user_attribute("custom:plan", "team")
        .await
        .unwrap();
    assert!(one.is_updated);

    // Bad input is refused before anything is sent.
    assert!(matches!(
        auth.update_user_attributes().send().await,
        Err(AuthError::Validation(ref v)) if v.field() == "attributes"
    ));
    assert!(matches!(
        auth.confirm_user_attribute().attribute("email").send().await,
        Err(AuthError::Validation(ref v)) if v.field() == "confirmation_code"
    ));
}

#[tokio::test]
async fn the_password_is_changed_with_the_old_one() {
    let (_emulator, _amplify, auth) = signed_in().await;
    let wrong = auth
        .update_password()
        .old_password("Not-The-Password-1")
        .new_password(NEW_PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(ServiceErrorKind::NotAuthorized));
    let weak = auth
        .update_password()
        .old_password(PASSWORD)
        .new_password("short")
        .send()
        .await
        .unwrap_err();
    assert_eq!(weak.service_kind(), Some(ServiceErrorKind::InvalidPassword));
    auth.update_password()
        .old_password(PASSWORD)
        .new_password(NEW_PASSWORD)
        .send()
        .await
        .unwrap();
    auth.sign_out().send().await;
    let old = auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(old.service_kind(), Some(ServiceErrorKind::NotAuthorized));
    let new = auth
        .sign_in()
        .username("alice")
        .password(NEW_PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(new.next_step, SignInStep::Done);
}

#[tokio::test]
async fn deleting_the_user_signs_out_and_says_so() {
    let (_emulator, amplify, auth) = signed_in().await;
    let mut events = amplify.hub().auth().subscribe();
    auth.delete_user().await.unwrap();
    assert!(matches!(events.try_recv(), Some(AuthHubEvent::SignedOut)));
    assert!(matches!(events.try_recv(), Some(AuthHubEvent::UserDeleted)));
    assert!(!auth.fetch_auth_session().send().await.is_signed_in);
    assert!(matches!(
        auth.fetch_user_attributes().send().await,
        Err(AuthError::SignedOut)
    ));
    let gone = auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            gone.service_kind(),
            Some(ServiceErrorKind::UserNotFound | ServiceErrorKind::NotAuthorized)
        ),
        "{gone}"
    );
    assert!(matches!(
        auth.delete_user().await,
        Err(AuthError::SignedOut)
    ));
}

#[tokio::test]
async fn reset_required_and_unconfirmed_users_get_next_steps_at_sign_in() {
    let (emulator, _amplify, auth) = signed_in().await;
    auth.sign_out().send().await;
    // An administrator resets alice's password: sign-in points at reset_password.
    emulator
        .backend()
        .call(
            "AdminResetUserPassword",
            &serde_json::json!({"UserPoolId": emulator.user_pool_id(), "Username": "alice"}),
        )
        .unwrap();
    let reset = auth
        .sign_in()
        .username("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(reset.next_step, SignInStep::ResetPassword);
    assert!(!reset.is_signed_in);

    // A user who signed up and did not confirm: sign-in points at confirm_sign_up.
    auth.sign_up()
        .username("bob")
        .password(PASSWORD)
        .user_attribute("email", "bob@example.com")
        .send()
        .await
        .unwrap();
    let unconfirmed = auth
        .sign_in()
        .username("bob")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(unconfirmed.next_step, SignInStep::ConfirmSignUp);
}
