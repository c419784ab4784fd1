//! Compatibility suite against moto (a third-party Cognito emulator), run by `ci/moto.sh`.
//!
//! moto implements the protocol and the state machine but checks no SRP proof, confirmation code
//! or MFA code (`shared/reference/peers.md`), so this suite checks that our client speaks to
//! another implementation, not that secrets are verified (the strict emulator does that).
//!
//! ```sh
//! cargo run -p amplify-auth-cognito --example moto_compat -- setup.json
//! ```
//! `setup.json` is written by `ci/moto_setup.py`: `{"outputs": {...amplify_outputs...},
//! "password": "...", "new_password_user": "...", "temporary_password": "...", "mfa_user": "..."}`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use amplify_auth_cognito::{
    AuthError, AuthFlowType, CognitoAuthPlugin, RefreshOperation, ServiceErrorKind, SignInStep,
    SignOutResult, SignOutScope,
};
use amplify_core::Amplify;
use amplify_secure_storage::SecureStorageFactory;

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Setup {
    outputs: String,
    password: String,
    new_password_user: String,
    temporary_password: String,
    mfa_user: String,
}

fn field(v: &serde_json::Value, name: &str) -> Result<String, Error> {
    v.get(name)
        .and_then(|x| x.as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("setup has no {name}").into())
}

async fn client(outputs: &str) -> Result<(Amplify, CognitoAuthPlugin), Error> {
    let amplify = Amplify::new();
    // moto 5.2.5 answers GetTokensFromRefreshToken with an HTML 500 (it does not implement it),
    // which the plugin rightly treats as a failed refresh, not as "operation unknown": tell it
    // to refresh with InitiateAuth(REFRESH_TOKEN_AUTH).
    let auth = CognitoAuthPlugin::builder()
        .secure_storage_factory(SecureStorageFactory::in_memory())
        .refresh_operation(RefreshOperation::InitiateAuth)
        .build();
    amplify.add_plugin(auth.clone())?;
    amplify.configure(outputs).await?;
    Ok((amplify, auth))
}

fn check(name: &str, ok: bool, detail: &str, failures: &mut Vec<String>) {
    if ok {
        println!("ok   {name}");
    } else {
        println!("FAIL {name}: {detail}");
        failures.push(name.to_owned());
    }
}

async fn run(setup: &Setup) -> Result<Vec<String>, Error> {
    let mut failures = Vec::new();
    let f = &mut failures;
    let (_a, auth) = client(&setup.outputs).await?;

    // Sign-up and confirmation (moto accepts any code).
    let up = auth
        .sign_up()
        .username("bob")
        .password(setup.password.as_str())
        .user_attribute("email", "bob@example.com")
        .send()
        .await;
    check(
        "sign_up",
        up.as_ref().is_ok_and(|r| !r.is_sign_up_complete),
        &format!("{up:?}"),
        f,
    );
    let early = auth
        .sign_in()
        .username("bob")
        .password(setup.password.as_str())
        .send()
        .await;
    check(
        "sign_in before confirmation -> confirm sign-up step",
        early
            .as_ref()
            .is_ok_and(|r| r.next_step == SignInStep::ConfirmSignUp),
        &format!("{early:?}"),
        f,
    );
    let confirmed = auth
        .confirm_sign_up()
        .username("bob")
        .confirmation_code("123456")
        .send()
        .await;
    check(
        "confirm_sign_up",
        confirmed.is_ok(),
        &format!("{confirmed:?}"),
        f,
    );

    // SRP sign-in, session, identity pool credentials, refresh.
    let srp = auth
        .sign_in()
        .username("bob")
        .password(setup.password.as_str())
        .send()
        .await;
    check(
        "SRP sign-in",
        srp.as_ref().is_ok_and(|r| r.is_signed_in),
        &format!("{srp:?}"),
        f,
    );
    let session = auth.fetch_auth_session().send().await;
    check(
        "session tokens",
        session.user_pool_tokens.is_ok(),
        &format!("{:?}", session.user_pool_tokens),
        f,
    );
    check(
        "identity id",
        session.identity_id.is_ok(),
        &format!("{:?}", session.identity_id),
        f,
    );
    check(
        "AWS credentials",
        session.credentials.is_ok(),
        &format!("{:?}", session.credentials),
        f,
    );
    let refreshed = auth.fetch_auth_session().force_refresh(true).send().await;
    let changed = match (&session.user_pool_tokens, &refreshed.user_pool_tokens) {
        (Ok(a), Ok(b)) => {
            a.access_token.expose_secret() != b.access_token.expose_secret()
                || b.access_token.expires_at().is_some()
        }
        _ => false,
    };
    check(
        "refresh",
        changed,
        &format!("{:?}", refreshed.user_pool_tokens),
        f,
    );
    let out = auth.sign_out().send().await;
    check(
        "sign_out (moto lacks RevokeToken: partial)",
        matches!(out, SignOutResult::Complete | SignOutResult::Partial { .. }),
        &format!("{out:?}"),
        f,
    );
    check(
        "signed out",
        !auth.fetch_auth_session().send().await.is_signed_in,
        "still signed in",
        f,
    );

    // Password sign-in and a wrong password.
    let pw = auth
        .sign_in()
        .username("bob")
        .password(setup.password.as_str())
        .auth_flow_type(AuthFlowType::UserPasswordAuth)
        .send()
        .await;
    check(
        "USER_PASSWORD_AUTH sign-in",
        pw.as_ref().is_ok_and(|r| r.is_signed_in),
        &format!("{pw:?}"),
        f,
    );
    let _ = auth.sign_out().send().await;
    let wrong = auth
        .sign_in()
        .username("bob")
        .password("Wrong-Passw0rd!")
        .auth_flow_type(AuthFlowType::UserPasswordAuth)
        .send()
        .await;
    check(
        "wrong password refused",
        wrong.as_ref().err().and_then(AuthError::service_kind)
            == Some(ServiceErrorKind::NotAuthorized),
        &format!("{wrong:?}"),
        f,
    );

    // New password required (admin-created user with a temporary password).
    let np = auth
        .sign_in()
        .username(setup.new_password_user.as_str())
        .password(setup.temporary_password.as_str())
        .send()
        .await;
    check(
        "NEW_PASSWORD_REQUIRED step",
        np.as_ref()
            .is_ok_and(|r| matches!(r.next_step, SignInStep::ConfirmSignInWithNewPassword { .. })),
        &format!("{np:?}"),
        f,
    );
    let done = auth
        .confirm_sign_in()
        .challenge_response("Fresh-Passw0rd-2!")
        .send()
        .await;
    check(
        "new password accepted",
        done.as_ref().is_ok_and(|r| r.is_signed_in),
        &format!("{done:?}"),
        f,
    );
    let _ = auth.sign_out().send().await;

    // SMS MFA (moto accepts any code).
    let mfa = auth
        .sign_in()
        .username(setup.mfa_user.as_str())
        .password(setup.password.as_str())
        .send()
        .await;
    check(
        "SMS_MFA step",
        mfa.as_ref()
            .is_ok_and(|r| matches!(r.next_step, SignInStep::ConfirmSignInWithSmsMfaCode(_))),
        &format!("{mfa:?}"),
        f,
    );
    let done = auth
        .confirm_sign_in()
        .challenge_response("123456")
        .send()
        .await;
    check(
        "SMS code accepted",
        done.as_ref().is_ok_and(|r| r.is_signed_in),
        &format!("{done:?}"),
        f,
    );
    let _ = auth.sign_out().send().await;

    // Forgot password.
    let reset = auth.reset_password().username("bob").send().await;
    check(
        "reset_password",
        reset.as_ref().is_ok_and(|r| !r.is_password_reset),
        &format!("{reset:?}"),
        f,
    );
    let confirm = auth
        .confirm_reset_password()
        .username("bob")
        .new_password("Reset-Passw0rd-3!")
        .confirmation_code("123456")
        .send()
        .await;
    check(
        "confirm_reset_password",
        confirm.is_ok(),
        &format!("{confirm:?}"),
        f,
    );
    let after = auth
        .sign_in()
        .username("bob")
        .password("Reset-Passw0rd-3!")
        .send()
        .await;
    check(
        "sign-in with the new password",
        after.as_ref().is_ok_and(|r| r.is_signed_in),
        &format!("{after:?}"),
        f,
    );

    // Global sign-out ends the session on another device.
    let (_b, other) = client(&setup.outputs).await?;
    let signed = other
        .sign_in()
        .username("bob")
        .password("Reset-Passw0rd-3!")
        .send()
        .await;
    check(
        "second device sign-in",
        signed.is_ok(),
        &format!("{signed:?}"),
        f,
    );
    let global = auth.sign_out().scope(SignOutScope::Global).send().await;
    check(
        "global sign-out",
        matches!(
            global,
            SignOutResult::Complete
                | SignOutResult::Partial {
                    global_sign_out_error: None,
                    ..
                }
        ),
        &format!("{global:?}"),
        f,
    );
    let expired = other.fetch_auth_session().force_refresh(true).send().await;
    check(
        "other device's session expired",
        matches!(
            expired.user_pool_tokens.as_ref(),
            Err(AuthError::SessionExpired(_))
        ),
        &format!("{:?}", expired.user_pool_tokens),
        f,
    );

    // Guest credentials.
    let (_c, guest) = client(&setup.outputs).await?;
    let g = guest.fetch_auth_session().send().await;
    check(
        "guest credentials",
        !g.is_signed_in && g.credentials.is_ok(),
        &format!("{:?}", g.credentials),
        f,
    );

    Box::pin(account_and_totp(setup, f)).await?;
    Ok(failures)
}

/// Part 2 flows moto implements: attributes, TOTP setup and the TOTP challenge, password
/// change, user deletion. moto checks no TOTP code, so any six digits pass here; the strict
/// emulator checks them (`tests/mfa.rs`).
async fn account_and_totp(setup: &Setup, f: &mut Vec<String>) -> Result<(), Error> {
    let (_a, auth) = client(&setup.outputs).await?;
    let user = "acctuser";
    let signed = auth
        .sign_in()
        .username(user)
        .password(setup.password.as_str())
        .send()
        .await;
    check(
        "part 2 user signs in",
        signed.as_ref().is_ok_and(|r| r.is_signed_in),
        &format!("{signed:?}"),
        f,
    );
    let attributes = auth.fetch_user_attributes().send().await;
    check(
        "fetch_user_attributes",
        attributes
            .as_ref()
            .is_ok_and(|a| a.get("email").map(String::as_str) == Some("acct@example.com")),
        &format!("{attributes:?}"),
        f,
    );
    let updated = auth
        .update_user_attributes()
        .attribute("name", "Acct User")
        .send()
        .await;
    check(
        "update_user_attributes",
        updated.is_ok(),
        &format!("{updated:?}"),
        f,
    );
    let totp = auth.set_up_totp().await;
    check(
        "set_up_totp (AssociateSoftwareToken)",
        totp.as_ref()
            .is_ok_and(|d| !d.shared_secret().expose_secret().is_empty()),
        &format!("{totp:?}"),
        f,
    );
    let verified = auth
        .verify_totp_setup()
        .code("123456")
        .friendly_device_name("moto")
        .send()
        .await;
    check(
        "verify_totp_setup (VerifySoftwareToken + SetUserMFAPreference)",
        verified.is_ok(),
        &format!("{verified:?}"),
        f,
    );
    let preference = auth.fetch_mfa_preference().await;
    check(
        "fetch_mfa_preference shows TOTP",
        preference
            .as_ref()
            .is_ok_and(|p| p.enabled.contains(&amplify_auth_cognito::MfaType::Totp)),
        &format!("{preference:?}"),
        f,
    );
    let _ = auth.sign_out().send().await;
    let challenged = auth
        .sign_in()
        .username(user)
        .password(setup.password.as_str())
        .send()
        .await;
    check(
        "TOTP challenge at sign-in",
        challenged
            .as_ref()
            .is_ok_and(|r| r.next_step == SignInStep::ConfirmSignInWithTotpMfaCode),
        &format!("{challenged:?}"),
        f,
    );
    let done = auth
        .confirm_sign_in()
        .challenge_response("123456")
        .send()
        .await;
    check(
        "TOTP code answered",
        done.as_ref().is_ok_and(|r| r.is_signed_in),
        &format!("{done:?}"),
        f,
    );
    let changed = auth
        .update_password()
        .old_password(setup.password.as_str())
        .new_password("Changed-Passw0rd-2!")
        .send()
        .await;
    check(
        "update_password (ChangePassword)",
        changed.is_ok(),
        &format!("{changed:?}"),
        f,
    );
    // moto 5.2.5 does not implement DeleteUser (it answers an HTML 500): the call is a typed,
    // retryable service failure and the local session is kept (the strict emulator covers the
    // successful deletion in tests/account.rs).
    let deleted = auth.delete_user().await;
    check(
        "delete_user on moto: typed failure, session kept",
        deleted.as_ref().err().and_then(AuthError::service_kind)
            == Some(ServiceErrorKind::InternalError)
            && auth.fetch_auth_session().send().await.is_signed_in,
        &format!("{deleted:?}"),
        f,
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: moto_compat <setup.json>");
        return ExitCode::FAILURE;
    };
    let setup = (|| -> Result<Setup, Error> {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        Ok(Setup {
            outputs: v
                .get("outputs")
                .map(ToString::to_string)
                .ok_or("setup has no outputs")?,
            password: field(&v, "password")?,
            new_password_user: field(&v, "new_password_user")?,
            temporary_password: field(&v, "temporary_password")?,
            mfa_user: field(&v, "mfa_user")?,
        })
    })();
    let setup = match setup {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match Box::pin(run(&setup)).await {
        Ok(failures) if failures.is_empty() => {
            println!("moto compatibility: all checks passed");
            ExitCode::SUCCESS
        }
        Ok(failures) => {
            println!(
                "moto compatibility: {} failed: {}",
                failures.len(),
                failures.join(", ")
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("moto compatibility: {e}");
            ExitCode::FAILURE
        }
    }
}
