//! Identity pools through the official SDK: guests, user pool logins, OIDC, developer identities.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use amplify_emulator::*;
use common::*;

const PASSWORD: &str = "Passw0rd!";

async fn start(identity: IdentityPoolSpec, clock: &ManualTimeSource) -> EmulatorHandle {
    Emulator::builder()
        .user_pool(
            UserPoolSpec::new("us-east-1")
                .user(UserSpec::new("alice", PASSWORD).email("alice@example.com"))
                .user(UserSpec::new("bob", PASSWORD).email("bob@example.com")),
        )
        .identity_pool(identity)
        .oidc_issuer("https://login.example.test")
        .time_source(clock.clone())
        .start()
        .await
        .unwrap()
}

async fn id_token(emu: &EmulatorHandle, user: &str) -> String {
    srp_sign_in(emu, &idp(emu), user, PASSWORD)
        .await
        .unwrap()
        .authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn guests_get_an_identity_and_remembered_credentials() {
    let clock = clock();
    let emu = start(IdentityPoolSpec::new(), &clock).await;
    let ci = identity(&emu);
    let pool = emu.identity_pool_id().unwrap().to_owned();
    let id = ci.get_id().identity_pool_id(&pool).send().await.unwrap();
    let identity_id = id.identity_id().unwrap().to_owned();
    assert!(identity_id.starts_with("us-east-1:"));
    let creds = ci
        .get_credentials_for_identity()
        .identity_id(&identity_id)
        .send()
        .await
        .unwrap();
    assert_eq!(creds.identity_id(), Some(identity_id.as_str()));
    let c = creds.credentials().unwrap();
    let akid = c.access_key_id().unwrap();
    assert!(akid.starts_with("ASIA"));
    assert_eq!(c.expiration().unwrap().secs(), 1_800_003_600);
    let issued = emu.issued_credentials(akid).unwrap();
    assert_eq!(issued.secret_access_key, c.secret_key().unwrap());
    assert_eq!(issued.session_token, c.session_token().unwrap());
    assert_eq!(issued.identity_id, identity_id);
    assert!(!issued.authenticated);
    assert!(!format!("{issued:?}").contains(&issued.secret_access_key));

    let err = ci
        .get_id()
        .identity_pool_id("us-east-1:00000000-0000-0000-0000-000000000000")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_resource_not_found_exception());
    let err = ci
        .get_credentials_for_identity()
        .identity_id("us-east-1:00000000-0000-0000-0000-000000000000")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn guests_can_be_refused() {
    let clock = clock();
    let emu = start(IdentityPoolSpec::new().allow_guests(false), &clock).await;
    let err = identity(&emu)
        .get_id()
        .identity_pool_id(emu.identity_pool_id().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
}

#[tokio::test]
async fn user_pool_logins_map_to_one_stable_identity() {
    let clock = clock();
    let emu = start(IdentityPoolSpec::new(), &clock).await;
    let ci = identity(&emu);
    let pool = emu.identity_pool_id().unwrap().to_owned();
    let provider = emu.identity_provider_name();
    let token = id_token(&emu, "alice").await;

    let first = ci
        .get_id()
        .identity_pool_id(&pool)
        .logins(&provider, &token)
        .send()
        .await
        .unwrap();
    let first = first.identity_id().unwrap().to_owned();
    // A later sign-in (a new token) finds the same identity; so does the amplify-js provider
    // name form (the issuer without the scheme).
    let again = id_token(&emu, "alice").await;
    let endpoint_form = emu.issuer().trim_start_matches("http://").to_owned();
    for (p, t) in [(&provider, &again), (&endpoint_form, &again)] {
        let id = ci
            .get_id()
            .identity_pool_id(&pool)
            .logins(p, t)
            .send()
            .await
            .unwrap();
        assert_eq!(id.identity_id(), Some(first.as_str()));
    }
    let bob = ci
        .get_id()
        .identity_pool_id(&pool)
        .logins(&provider, id_token(&emu, "bob").await)
        .send()
        .await
        .unwrap();
    assert_ne!(bob.identity_id(), Some(first.as_str()));

    let creds = ci
        .get_credentials_for_identity()
        .identity_id(&first)
        .logins(&provider, &token)
        .send()
        .await
        .unwrap();
    let issued = emu
        .issued_credentials(creds.credentials().unwrap().access_key_id().unwrap())
        .unwrap();
    assert!(issued.authenticated);
    assert!(issued.role_arn.ends_with("auth"));

    // An authenticated identity needs its login.
    let err = ci
        .get_credentials_for_identity()
        .identity_id(&first)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    // Bob's token does not open Alice's identity.
    let err = ci
        .get_credentials_for_identity()
        .identity_id(&first)
        .logins(&provider, id_token(&emu, "bob").await)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
}

#[tokio::test]
async fn bad_user_pool_tokens_are_refused() {
    let clock = clock();
    let emu = start(IdentityPoolSpec::new(), &clock).await;
    let ci = identity(&emu);
    let pool = emu.identity_pool_id().unwrap().to_owned();
    let provider = emu.identity_provider_name();
    let out = srp_sign_in(&emu, &idp(&emu), "alice", PASSWORD)
        .await
        .unwrap();
    let result = out.authentication_result().unwrap();
    let token = result.id_token().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        &parts[2][..parts[2].len() - 4]
    );
    for (p, t) in [
        (provider.as_str(), "garbage"),
        (provider.as_str(), forged.as_str()),
        (provider.as_str(), result.access_token().unwrap()),
        (
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_Unknown",
            token,
        ),
        ("graph.facebook.com", token),
    ] {
        let err = ci
            .get_id()
            .identity_pool_id(&pool)
            .logins(p, t)
            .send()
            .await
            .unwrap_err();
        assert!(
            err.into_service_error().is_not_authorized_exception(),
            "{p}"
        );
    }
    // After a global sign-out the ID token is refused too.
    idp(&emu)
        .global_sign_out()
        .access_token(result.access_token().unwrap())
        .send()
        .await
        .unwrap();
    let err = ci
        .get_id()
        .identity_pool_id(&pool)
        .logins(&provider, token)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    // And an expired one.
    let fresh = id_token(&emu, "alice").await;
    clock.advance(Duration::from_secs(3601));
    let err = ci
        .get_id()
        .identity_pool_id(&pool)
        .logins(&provider, fresh)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
}

#[tokio::test]
async fn federated_oidc_tokens() {
    let clock = clock();
    let emu = start(IdentityPoolSpec::new(), &clock).await;
    let ci = identity(&emu);
    let pool = emu.identity_pool_id().unwrap().to_owned();
    let google = emu
        .mint_oidc_token("accounts.google.com", "google-user-1")
        .unwrap();
    let a = ci
        .get_id()
        .identity_pool_id(&pool)
        .logins("accounts.google.com", &google)
        .send()
        .await
        .unwrap();
    let again = emu
        .mint_oidc_token_with(
            &OidcToken::new("https://accounts.google.com", "google-user-1")
                .claim("email", "g@example.com"),
        )
        .unwrap();
    let b = ci
        .get_id()
        .identity_pool_id(&pool)
        .logins("accounts.google.com", &again)
        .send()
        .await
        .unwrap();
    assert_eq!(a.identity_id(), b.identity_id());
    let creds = ci
        .get_credentials_for_identity()
        .identity_id(a.identity_id().unwrap())
        .logins("accounts.google.com", &google)
        .send()
        .await
        .unwrap();
    assert!(creds.credentials().unwrap().session_token().is_some());

    // A custom issuer the emulator hosts.
    let custom = emu
        .mint_oidc_token("https://login.example.test", "u1")
        .unwrap();
    ci.get_id()
        .identity_pool_id(&pool)
        .logins("login.example.test", &custom)
        .send()
        .await
        .unwrap();
    // A token presented under the wrong provider name.
    let err = ci
        .get_id()
        .identity_pool_id(&pool)
        .logins("accounts.google.com", &custom)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    // Unknown issuers cannot be minted.
    assert!(emu.mint_oidc_token("https://evil.example", "x").is_err());
    // Expired.
    let short = emu
        .mint_oidc_token_with(
            &OidcToken::new("accounts.google.com", "u2").validity(Duration::from_secs(60)),
        )
        .unwrap();
    clock.advance(Duration::from_secs(61));
    let err = ci
        .get_id()
        .identity_pool_id(&pool)
        .logins("accounts.google.com", &short)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    assert_eq!(
        emu.backend().verify_oidc_token(&short).unwrap_err(),
        TokenError::Expired
    );
    assert_eq!(
        emu.backend().verify_oidc_token(&google).unwrap().subject(),
        Some("google-user-1")
    );
}

#[tokio::test]
async fn developer_identities_and_open_id_tokens() {
    let clock = clock();
    let emu = start(IdentityPoolSpec::new(), &clock).await;
    let ci = identity(&emu);
    let (identity_id, token) = emu
        .admin()
        .developer_identity("dev-user-7", Duration::from_secs(900))
        .unwrap();
    let (same, _) = emu
        .admin()
        .developer_identity("dev-user-7", Duration::from_secs(900))
        .unwrap();
    assert_eq!(identity_id, same);
    let creds = ci
        .get_credentials_for_identity()
        .identity_id(&identity_id)
        .logins("cognito-identity.amazonaws.com", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(creds.identity_id(), Some(identity_id.as_str()));
    assert!(
        emu.issued_credentials(creds.credentials().unwrap().access_key_id().unwrap())
            .unwrap()
            .authenticated
    );

    let out = ci
        .get_open_id_token()
        .identity_id(&identity_id)
        .logins("cognito-identity.amazonaws.com", &token)
        .send()
        .await
        .unwrap();
    let verified = emu
        .backend()
        .verify_oidc_token(out.token().unwrap())
        .unwrap();
    assert_eq!(verified.issuer, "https://cognito-identity.amazonaws.com");
    assert_eq!(verified.subject(), Some(identity_id.as_str()));
    assert_eq!(verified.claims["aud"], emu.identity_pool_id().unwrap());

    // Through the SDK too (it is a signed operation; the emulator accepts any signature).
    let out = aws_sdk_cognitoidentity::Client::from_conf(
        identity(&emu)
            .config()
            .to_builder()
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKID", "SECRET", None, None, "test",
            ))
            .build(),
    )
    .get_open_id_token_for_developer_identity()
    .identity_pool_id(emu.identity_pool_id().unwrap())
    .logins("login.amplify.emulator", "dev-user-7")
    .send()
    .await
    .unwrap();
    assert_eq!(out.identity_id(), Some(identity_id.as_str()));

    // Someone else's identity with this token is refused.
    let guest = ci
        .get_id()
        .identity_pool_id(emu.identity_pool_id().unwrap())
        .send()
        .await
        .unwrap();
    let err = ci
        .get_credentials_for_identity()
        .identity_id(guest.identity_id().unwrap())
        .logins("cognito-identity.amazonaws.com", &token)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_authorized_exception());
    // Guests get unauthenticated OpenID tokens.
    let out = ci
        .get_open_id_token()
        .identity_id(guest.identity_id().unwrap())
        .send()
        .await
        .unwrap();
    let verified = emu
        .backend()
        .verify_oidc_token(out.token().unwrap())
        .unwrap();
    assert_eq!(verified.claims["amr"][0], "unauthenticated");
}

#[tokio::test]
async fn guest_identity_upgrades_when_a_login_is_added() {
    let clock = clock();
    let emu = start(IdentityPoolSpec::new(), &clock).await;
    let ci = identity(&emu);
    let pool = emu.identity_pool_id().unwrap().to_owned();
    let guest = ci.get_id().identity_pool_id(&pool).send().await.unwrap();
    let guest = guest.identity_id().unwrap();
    let provider = emu.identity_provider_name();
    let token = id_token(&emu, "alice").await;
    let creds = ci
        .get_credentials_for_identity()
        .identity_id(guest)
        .logins(&provider, &token)
        .send()
        .await
        .unwrap();
    assert!(
        emu.issued_credentials(creds.credentials().unwrap().access_key_id().unwrap())
            .unwrap()
            .authenticated
    );
    let id = ci
        .get_id()
        .identity_pool_id(&pool)
        .logins(&provider, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(id.identity_id(), Some(guest));
}
