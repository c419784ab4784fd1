//! The rows: every network operation of the auth crate, each with how to put the world in the
//! state before the call, the call, and the check that nothing was half-done.

use std::time::Duration;

use amplify_core::time::TimeSource;

use amplify_auth_cognito::{
    AuthError, AuthFlowType, MfaPreference, MfaType, ServiceErrorKind, SignInStep, SignOutResult,
    SignOutScope,
};

use super::{Ctx, Fut, PASSWORD};

/// Puts the world in the state before the call.
type Prepare = for<'a> fn(&'a Ctx) -> Fut<'a, ()>;
/// The call under test.
type Call = for<'a> fn(&'a Ctx) -> Fut<'a, Result<(), AuthError>>;
/// After the call: `true` if the operation ran (it must then be fully done), `false` if it did
/// not (the old state must be intact).
type Check = for<'a> fn(&'a Ctx, bool) -> Fut<'a, ()>;

/// The session after a failed call.
#[derive(Clone, Copy)]
pub(crate) enum After {
    /// As it was before the call (signed in stays signed in, in memory and in storage).
    Unchanged,
    /// Signed out locally (sign-out: the local step happens whatever the server says).
    SignedOut,
}

/// A row: an operation of the auth crate and the Cognito operation it calls.
pub(crate) struct Op {
    pub(crate) name: &'static str,
    pub(crate) target: &'static str,
    /// Who is signed in before the call (`None`: nobody).
    pub(crate) user: Option<&'static str>,
    pub(crate) prepare: Prepare,
    pub(crate) call: Call,
    pub(crate) check: Check,
    pub(crate) after: After,
    /// Also a row of the SDK retry table (the call is safe to repeat).
    pub(crate) retry_table: bool,
    /// The error every fault gives, when not the case's usual one.
    pub(crate) expect: Option<fn(&AuthError) -> bool>,
    /// What `is_retryable` says of the error.
    pub(crate) retryable: bool,
    /// Faults not run against this row (see the row).
    pub(crate) skip: &'static [&'static str],
}

fn nothing(_: &Ctx) -> Fut<'_, ()> {
    Box::pin(async {})
}

fn no_check(_: &Ctx, _: bool) -> Fut<'_, ()> {
    Box::pin(async {})
}

fn op(name: &'static str, target: &'static str, user: Option<&'static str>, call: Call) -> Op {
    Op {
        name,
        target,
        user,
        prepare: nothing,
        call,
        check: no_check,
        after: After::Unchanged,
        retry_table: false,
        expect: None,
        retryable: true,
        skip: &[],
    }
}

impl Op {
    fn prepare(mut self, prepare: Prepare) -> Self {
        self.prepare = prepare;
        self
    }

    fn check(mut self, check: Check) -> Self {
        self.check = check;
        self
    }

    fn signs_out(mut self) -> Self {
        self.after = After::SignedOut;
        self
    }

    fn retried(mut self) -> Self {
        self.retry_table = true;
        self
    }
}

const ALICE: Option<&str> = Some("alice");

/// A fresh unconfirmed user in `pending`.
async fn new_user(c: &Ctx) -> String {
    let name = c.fresh("user");
    c.auth
        .sign_up()
        .username(&name)
        .password(PASSWORD)
        .user_attribute("email", format!("{name}@example.com"))
        .send()
        .await
        .unwrap();
    c.state().pending = name.clone();
    name
}

async fn attribute(c: &Ctx, name: &str) -> Option<String> {
    c.auth
        .fetch_user_attributes()
        .send()
        .await
        .unwrap()
        .get(name)
        .cloned()
}

fn sign_out_result(result: SignOutResult, global: bool) -> Result<(), AuthError> {
    match result {
        SignOutResult::Complete => Ok(()),
        SignOutResult::Partial {
            global_sign_out_error: Some(e),
            revoke_token_error: None,
        } if global => Err(e),
        SignOutResult::Partial {
            global_sign_out_error: None,
            revoke_token_error: Some(e),
        } if !global => Err(e),
        other => panic!("unexpected sign-out result {other:?}"),
    }
}

async fn alice_signs_in(c: &Ctx, flow: AuthFlowType) -> Result<(), AuthError> {
    c.auth
        .sign_in()
        .username("alice")
        .password(c.alice_password())
        .auth_flow_type(flow)
        .send()
        .await
        .map(drop)
}

pub(crate) fn ops() -> Vec<Op> {
    vec![
        // Sign-up.
        op("sign_up", "SignUp", None, |c| {
            Box::pin(async move {
                let name = c.pending();
                c.auth
                    .sign_up()
                    .username(&name)
                    .password(PASSWORD)
                    .user_attribute("email", format!("{name}@example.com"))
                    .send()
                    .await
                    .map(drop)
            })
        })
        .prepare(|c| {
            Box::pin(async move {
                let name = c.fresh("user");
                c.state().pending = name;
            })
        })
        .check(|c, ran| {
            Box::pin(async move {
                // The user exists (unconfirmed) only if SignUp ran.
                let resent = c
                    .auth
                    .resend_sign_up_code()
                    .username(c.pending())
                    .send()
                    .await;
                match resent {
                    Ok(_) => assert!(ran, "the user was created by a failed SignUp"),
                    Err(e) => {
                        assert!(!ran, "the user was not created: {e:?}");
                        assert_eq!(e.service_kind(), Some(ServiceErrorKind::UserNotFound));
                    }
                }
            })
        }),
        op("confirm_sign_up", "ConfirmSignUp", None, |c| {
            Box::pin(async move {
                c.auth
                    .confirm_sign_up()
                    .username(c.pending())
                    .confirmation_code(c.code())
                    .send()
                    .await
                    .map(drop)
            })
        })
        .prepare(|c| {
            Box::pin(async move {
                let name = new_user(c).await;
                c.state().code = c.emulator.outbox().latest_code_for(&name).unwrap();
            })
        })
        .check(|c, ran| {
            Box::pin(async move {
                assert_eq!(c.can_sign_in(&c.pending(), PASSWORD).await, ran);
            })
        }),
        op("resend_sign_up_code", "ResendConfirmationCode", None, |c| {
            Box::pin(async move {
                c.auth
                    .resend_sign_up_code()
                    .username("bob")
                    .send()
                    .await
                    .map(drop)
            })
        })
        .retried(),
        // Sign-in.
        op("sign_in (password)", "InitiateAuth", None, |c| {
            Box::pin(alice_signs_in(c, AuthFlowType::UserPasswordAuth))
        })
        .retried(),
        op("sign_in (SRP)", "InitiateAuth", None, |c| {
            Box::pin(alice_signs_in(c, AuthFlowType::UserSrpAuth))
        })
        .retried(),
        op(
            "sign_in (SRP answer)",
            "RespondToAuthChallenge",
            None,
            |c| Box::pin(alice_signs_in(c, AuthFlowType::UserSrpAuth)),
        )
        .retried(),
        op(
            "confirm_sign_in (EMAIL_OTP)",
            "RespondToAuthChallenge",
            None,
            |c| {
                Box::pin(async move {
                    c.auth
                        .confirm_sign_in()
                        .challenge_response(c.code())
                        .send()
                        .await
                        .map(|r| assert_eq!(r.next_step, SignInStep::Done))
                })
            },
        )
        .prepare(|c| {
            Box::pin(async move {
                c.ensure(None).await;
                let r = c
                    .auth
                    .sign_in()
                    .username("erin")
                    .password(PASSWORD)
                    .send()
                    .await
                    .unwrap();
                assert!(matches!(
                    r.next_step,
                    SignInStep::ConfirmSignInWithOtpCode(_)
                ));
                c.state().code = c.emulator.outbox().latest_code_for("erin").unwrap();
            })
        }),
        // Password reset (dave).
        op("reset_password", "ForgotPassword", None, |c| {
            Box::pin(async move {
                c.auth
                    .reset_password()
                    .username("dave")
                    .send()
                    .await
                    .map(drop)
            })
        })
        .retried(),
        op(
            "confirm_reset_password",
            "ConfirmForgotPassword",
            None,
            |c| {
                Box::pin(async move {
                    c.auth
                        .confirm_reset_password()
                        .username("dave")
                        .new_password(c.pending())
                        .confirmation_code(c.code())
                        .send()
                        .await
                        .map(drop)
                })
            },
        )
        .prepare(|c| {
            Box::pin(async move {
                c.auth
                    .reset_password()
                    .username("dave")
                    .send()
                    .await
                    .unwrap();
                let code = c.emulator.outbox().latest_code_for("dave").unwrap();
                let password = format!("{}-Pass-9", c.fresh("Dave"));
                let mut state = c.state();
                state.code = code;
                state.pending = password;
            })
        })
        .check(|c, ran| {
            Box::pin(async move {
                let (old, new) = (c.dave_password(), c.pending());
                assert_eq!(c.can_sign_in("dave", &old).await, !ran, "old password");
                assert_eq!(c.can_sign_in("dave", &new).await, ran, "new password");
                if ran {
                    c.state().dave_password = Some(new);
                }
            })
        }),
        // Signed in: the user's attributes.
        op("fetch_user_attributes", "GetUser", ALICE, |c| {
            Box::pin(async move { c.auth.fetch_user_attributes().send().await.map(drop) })
        })
        .retried(),
        op(
            "update_user_attributes",
            "UpdateUserAttributes",
            ALICE,
            |c| {
                Box::pin(async move {
                    c.auth
                        .update_user_attribute("name", c.pending())
                        .await
                        .map(drop)
                })
            },
        )
        .prepare(|c| {
            Box::pin(async move {
                let name = c.fresh("Alice ");
                c.state().pending = name;
            })
        })
        .check(|c, ran| {
            Box::pin(async move {
                let name = attribute(c, "name").await;
                assert_eq!(name.as_deref() == Some(c.pending().as_str()), ran);
            })
        }),
        op(
            "send_user_attribute_verification_code",
            "GetUserAttributeVerificationCode",
            ALICE,
            |c| {
                Box::pin(async move {
                    c.auth
                        .send_user_attribute_verification_code()
                        .attribute("email")
                        .send()
                        .await
                        .map(drop)
                })
            },
        )
        .retried(),
        op(
            "confirm_user_attribute",
            "VerifyUserAttribute",
            ALICE,
            |c| {
                Box::pin(async move {
                    c.auth
                        .confirm_user_attribute()
                        .attribute("email")
                        .confirmation_code(c.code())
                        .send()
                        .await
                })
            },
        )
        .prepare(|c| {
            Box::pin(async move {
                let email = format!("{}@example.com", c.fresh("alice"));
                c.auth.update_user_attribute("email", email).await.unwrap();
                c.auth
                    .send_user_attribute_verification_code()
                    .attribute("email")
                    .send()
                    .await
                    .unwrap();
                c.state().code = c.emulator.outbox().latest_code_for("alice").unwrap();
            })
        })
        .check(|c, ran| {
            Box::pin(async move {
                let verified = attribute(c, "email_verified").await;
                assert_eq!(verified.as_deref() == Some("true"), ran, "{verified:?}");
            })
        }),
        op(
            "delete_user_attributes",
            "DeleteUserAttributes",
            ALICE,
            |c| Box::pin(async move { c.auth.delete_user_attributes(["nickname"]).await }),
        )
        .prepare(|c| {
            Box::pin(async move {
                c.auth
                    .update_user_attribute("nickname", "Ally")
                    .await
                    .unwrap();
            })
        })
        .check(|c, ran| {
            Box::pin(async move {
                let nickname = attribute(c, "nickname").await;
                assert_eq!(nickname.is_none(), ran, "{nickname:?}");
            })
        }),
        op("update_password", "ChangePassword", ALICE, |c| {
            Box::pin(async move {
                c.auth
                    .update_password()
                    .old_password(c.alice_password())
                    .new_password(c.pending())
                    .send()
                    .await
            })
        })
        .prepare(|c| {
            Box::pin(async move {
                let password = format!("{}-Pass-9", c.fresh("Alice"));
                c.state().pending = password;
            })
        })
        .check(|c, ran| {
            Box::pin(async move {
                let (old, new) = (c.alice_password(), c.pending());
                assert_eq!(c.can_sign_in("alice", &old).await, !ran, "old password");
                assert_eq!(c.can_sign_in("alice", &new).await, ran, "new password");
                if ran {
                    c.state().alice_password = Some(new);
                }
            })
        }),
        op(
            "update_mfa_preference",
            "SetUserMFAPreference",
            ALICE,
            |c| {
                Box::pin(async move {
                    c.auth
                        .update_mfa_preference()
                        .email(MfaPreference::Disabled)
                        .send()
                        .await
                })
            },
        )
        .check(|c, _| {
            Box::pin(async move {
                let preference = c.auth.fetch_mfa_preference().await.unwrap();
                assert!(preference.enabled.is_empty(), "{preference:?}");
            })
        }),
        // Tokens and AWS credentials.
        op("refresh (force)", "GetTokensFromRefreshToken", ALICE, |c| {
            Box::pin(async move {
                c.auth
                    .fetch_auth_session()
                    .force_refresh(true)
                    .send()
                    .await
                    .user_pool_tokens
                    .map(drop)
            })
        })
        .retried(),
        op("identity id (new session)", "GetId", None, |c| {
            Box::pin(async move {
                c.auth
                    .fetch_auth_session()
                    .send()
                    .await
                    .identity_id
                    .map(drop)
            })
        })
        .prepare(|c| {
            Box::pin(async move {
                c.ensure(None).await;
                assert!(c.sign_in_with(&c.auth, "alice", &c.alice_password()).await);
            })
        }),
        op(
            "AWS credentials (force)",
            "GetCredentialsForIdentity",
            ALICE,
            |c| {
                Box::pin(async move {
                    c.auth
                        .fetch_auth_session()
                        .force_refresh(true)
                        .send()
                        .await
                        .credentials
                        .map(drop)
                })
            },
        )
        .retried(),
        // TOTP (tina, who stays signed in: once TOTP is on, her sign-in asks for it).
        op("set_up_totp", "AssociateSoftwareToken", Some("tina"), |c| {
            Box::pin(async move { c.auth.set_up_totp().await.map(drop) })
        })
        .retried(),
        op(
            "verify_totp_setup",
            "VerifySoftwareToken",
            Some("tina"),
            |c| {
                Box::pin(async move {
                    let now = c
                        .clock
                        .now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_secs();
                    let code = amplify_emulator::totp::code_for_secret_code(&c.state().secret, now)
                        .unwrap();
                    c.auth.verify_totp_setup().code(code).send().await
                })
            },
        )
        .prepare(|c| {
            Box::pin(async move {
                let details = c.auth.set_up_totp().await.unwrap();
                c.state().secret = details.shared_secret().expose_secret().to_owned();
                // A TOTP code is accepted once per 30-second step.
                c.clock.advance(Duration::from_secs(30));
            })
        })
        .check(|c, ran| {
            Box::pin(async move {
                if ran {
                    let preference = c.auth.fetch_mfa_preference().await.unwrap();
                    assert!(
                        preference.enabled.contains(&MfaType::Totp),
                        "{preference:?}"
                    );
                }
            })
        }),
        // Sign-out: signed out locally whatever the server says; the failed step is reported.
        op("sign_out (global)", "GlobalSignOut", ALICE, |c| {
            Box::pin(async move {
                let result = c.auth.sign_out().scope(SignOutScope::Global).send().await;
                sign_out_result(result, true)
            })
        })
        .signs_out(),
        op("sign_out", "RevokeToken", ALICE, |c| {
            Box::pin(async move { sign_out_result(c.auth.sign_out().send().await, false) })
        })
        .signs_out(),
        // Deletion (a fresh user each time): a failed DeleteUser keeps the user and the session.
        op("delete_user", "DeleteUser", None, |c| {
            Box::pin(async move { c.auth.delete_user().await })
        })
        .prepare(|c| {
            Box::pin(async move {
                c.ensure(None).await;
                let name = new_user(c).await;
                let code = c.emulator.outbox().latest_code_for(&name).unwrap();
                c.auth
                    .confirm_sign_up()
                    .username(&name)
                    .confirmation_code(code)
                    .send()
                    .await
                    .unwrap();
                assert!(c.sign_in_with(&c.auth, &name, PASSWORD).await);
            })
        })
        .check(|c, ran| {
            Box::pin(async move {
                assert_eq!(c.can_sign_in(&c.pending(), PASSWORD).await, !ran);
            })
        }),
    ]
}

/// The key of the device this plugin tracks, in `pending` (signing in again if it tracks none).
async fn current_device(c: &Ctx) -> String {
    let key = match c.auth.fetch_current_device().await {
        Ok(device) => device.id,
        Err(AuthError::InvalidState(_)) => {
            c.ensure(None).await;
            c.ensure(ALICE).await;
            c.auth.fetch_current_device().await.unwrap().id
        }
        // Tracked here, gone on the server (a ForgetDevice whose answer was lost): the same key.
        Err(e) if e.service_kind() == Some(ServiceErrorKind::ResourceNotFound) => c.pending(),
        Err(e) => panic!("{e:?}"),
    };
    c.state().pending = key.clone();
    key
}

async fn listed(c: &Ctx, key: &str) -> bool {
    let devices = c.auth.fetch_devices().await.unwrap();
    devices.iter().any(|d| d.id == key)
}

/// The device calls (a pool that tracks devices; alice signed in on a confirmed device).
pub(crate) fn device_ops() -> Vec<Op> {
    vec![
        op("fetch_devices", "ListDevices", ALICE, |c| {
            Box::pin(async move { c.auth.fetch_devices().await.map(drop) })
        }),
        op("fetch_current_device", "GetDevice", ALICE, |c| {
            Box::pin(async move { c.auth.fetch_current_device().await.map(drop) })
        })
        .prepare(|c| Box::pin(async move { drop(current_device(c).await) }))
        .retried(),
        op("remember_device", "UpdateDeviceStatus", ALICE, |c| {
            Box::pin(async move { c.auth.remember_device().await })
        })
        .prepare(|c| Box::pin(async move { drop(current_device(c).await) })),
        op("forget_device", "ForgetDevice", ALICE, |c| {
            Box::pin(async move { c.auth.forget_device(None).await })
        })
        .prepare(|c| Box::pin(async move { drop(current_device(c).await) }))
        .check(|c, ran| {
            Box::pin(async move {
                // Forgotten on the server only if ForgetDevice ran.
                assert_eq!(listed(c, &c.pending()).await, !ran);
                if !ran {
                    // Still tracked here.
                    assert_eq!(c.auth.fetch_current_device().await.unwrap().id, c.pending());
                }
            })
        }),
    ]
}

/// The hosted UI: the code exchange at the token endpoint (`oauth2-token`) that `complete`
/// makes after the managed login.
pub(crate) fn hosted_ui_ops() -> Vec<Op> {
    let mut exchange = op(
        "sign_in_with_web_ui (complete)",
        "oauth2-token",
        None,
        |c| {
            Box::pin(async move {
                let (sign_in, redirect) = c.state().web.take().unwrap();
                sign_in.complete(&redirect).await.map(drop)
            })
        },
    )
    .prepare(|c| {
        Box::pin(async move {
            c.ensure(None).await;
            let sign_in = c
                .auth
                .sign_in_with_web_ui()
                .redirect_uri(super::CALLBACK)
                .start()
                .unwrap();
            let url = sign_in.authorize_url().to_owned();
            let redirect = super::browser::log_in(&c.emulator, &url, "alice", PASSWORD).await;
            c.state().web = Some((sign_in, redirect));
        })
    });
    // Every fault is `HostedUi(TokenEndpointUnavailable)` (not a refusal of the code), with the
    // source; none is retryable (the code is single-use and `complete` consumes the sign-in:
    // start again).
    exchange.expect = Some(|e| {
        matches!(e, AuthError::HostedUi(h)
            if h.kind() == amplify_auth_cognito::HostedUiErrorKind::TokenEndpointUnavailable)
    });
    exchange.retryable = false;
    // The token endpoint call is bounded by the SDK settings' attempt timeout, as the SDK's
    // calls are, so the timeout column runs too.
    vec![exchange]
}
