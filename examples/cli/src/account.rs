//! The Auth commands besides `sign-in`: sign-up, confirm, session, refresh, sign-out,
//! attributes.

use amplify_auth_cognito::{
    AuthSession, CodeDeliveryDetails, CognitoAuthPlugin, DeliveryMedium, SessionField,
    SignOutResult, SignOutScope, SignUpResult, SignUpStep, UpdateAttributeStep,
};
use amplify_core::AmplifyError;
use amplify_core::time::{SystemTimeSource, TimeSource};
use serde_json::{Value, json};

use crate::args::{AttributesAction, ConfirmSignUpArgs, SignOutArgs, SignUpArgs, pair};
use crate::failure::CliError;
use crate::output::{Output, Tone, unix};
use crate::prompt::{Prompter, password_from_stdin};

/// `sign-up`.
pub(crate) async fn sign_up(
    auth: &CognitoAuthPlugin,
    args: &SignUpArgs,
    output: &Output,
) -> Result<(), CliError> {
    let password = if args.password_stdin {
        password_from_stdin()?
    } else {
        let prompter = Prompter::new();
        let password = prompter.secret("Password")?;
        if prompter.is_interactive()
            && prompter.secret("Password again")?.expose_secret() != password.expose_secret()
        {
            return Err(CliError::Usage("the passwords do not match".to_owned()));
        }
        password
    };
    let mut builder = auth.sign_up().username(&args.username).password(password);
    if let Some(email) = &args.email {
        builder = builder.user_attribute("email", email);
    }
    if let Some(phone) = &args.phone_number {
        builder = builder.user_attribute("phone_number", phone);
    }
    for attribute in &args.attributes {
        let (name, value) = pair(attribute, '=').ok_or_else(|| {
            CliError::Usage(format!("--attribute {attribute}: expected NAME=VALUE"))
        })?;
        builder = builder.user_attribute(name, value);
    }
    let result = output.spin("Signing up", builder.send()).await?;
    report_sign_up(&result, output);
    Ok(())
}

/// `confirm-sign-up` (or `--resend`).
pub(crate) async fn confirm_sign_up(
    auth: &CognitoAuthPlugin,
    args: &ConfirmSignUpArgs,
    output: &Output,
) -> Result<(), CliError> {
    if args.resend {
        let delivery = output
            .spin(
                "Sending a new code",
                auth.resend_sign_up_code().username(&args.username).send(),
            )
            .await?;
        output.result(
            &json!({"code_delivery": delivery_json(&delivery)}),
            &format!("A new code was {}", sent_to(&delivery)),
        );
        return Ok(());
    }
    let code = match &args.code {
        Some(code) => code.clone(),
        None => Prompter::new().line("Confirmation code")?,
    };
    let result = output
        .spin(
            "Confirming",
            auth.confirm_sign_up()
                .username(&args.username)
                .confirmation_code(code)
                .send(),
        )
        .await?;
    report_sign_up(&result, output);
    Ok(())
}

fn report_sign_up(result: &SignUpResult, output: &Output) {
    let (step, delivery, human) = match &result.next_step {
        SignUpStep::ConfirmSignUp(d) => (
            "CONFIRM_SIGN_UP",
            Some(delivery_json(d)),
            format!(
                "Signed up. Confirm with the code {}: amplify-rs confirm-sign-up <username> <code>",
                sent_to(d)
            ),
        ),
        SignUpStep::CompleteAutoSignIn => (
            "COMPLETE_AUTO_SIGN_IN",
            None,
            "Confirmed; sign in to continue.".to_owned(),
        ),
        _ => (
            "DONE",
            None,
            output.paint(Tone::Green, "Confirmed: the user can sign in."),
        ),
    };
    output.result(
        &json!({
            "is_sign_up_complete": result.is_sign_up_complete,
            "next_step": step,
            "code_delivery": delivery,
            "user_id": result.user_id,
        }),
        &human,
    );
}

fn delivery_json(d: &CodeDeliveryDetails) -> Value {
    json!({
        "destination": d.destination,
        "medium": match d.delivery_medium {
            DeliveryMedium::Email => "EMAIL",
            DeliveryMedium::Sms => "SMS",
            _ => "UNKNOWN",
        },
        "attribute": d.attribute_name,
    })
}

/// "emailed to a***@e***", for prompts and messages.
pub(crate) fn sent_to(d: &CodeDeliveryDetails) -> String {
    let medium = match d.delivery_medium {
        DeliveryMedium::Email => "emailed",
        DeliveryMedium::Sms => "sent by SMS",
        _ => "sent",
    };
    format!(
        "{medium} to {}",
        d.destination.as_deref().unwrap_or("the user")
    )
}

/// `session`: exit 3 when nobody is signed in (the guest identity, if any, is still shown).
pub(crate) async fn session(
    auth: &CognitoAuthPlugin,
    output: &Output,
    force_refresh: bool,
) -> Result<(), CliError> {
    let label = if force_refresh {
        "Refreshing"
    } else {
        "Fetching the session"
    };
    let session = output
        .spin(
            label,
            auth.fetch_auth_session()
                .force_refresh(force_refresh)
                .send(),
        )
        .await;
    if force_refresh && session.is_signed_in {
        // A forced refresh that failed is an error (the session keeps the old tokens).
        if let Err(e) = &session.user_pool_tokens {
            return Err(e.clone().into());
        }
    }
    let value = session_json(&session);
    output.result(&value, &session_text(&value, output));
    if session.is_signed_in {
        Ok(())
    } else {
        Err(CliError::NotSignedIn)
    }
}

fn field<T>(field: &SessionField<T>, f: impl FnOnce(&T) -> Value) -> (Value, Option<String>) {
    match field {
        Ok(v) => (f(v), None),
        Err(e) => (Value::Null, Some(e.message())),
    }
}

fn session_json(session: &AuthSession) -> Value {
    let (tokens, tokens_error) = field(&session.user_pool_tokens, |t| {
        let id = t.id_token.claims();
        json!({
            "username": t.username(),
            "groups": id.groups(),
            "expires_at": unix(t.expires_at()),
            "id_token_claims": id.as_map(),
            "access_token_claims": t.access_token.claims().as_map(),
        })
    });
    let (sub, sub_error) = field(&session.user_sub, |s| json!(s));
    let (identity_id, identity_error) = field(&session.identity_id, |s| json!(s));
    let (credentials, credentials_error) = field(&session.credentials, |c| {
        json!({
            "access_key_id": c.access_key_id(),
            "expiration": unix(c.expiration()),
        })
    });
    let mut errors = serde_json::Map::new();
    for (name, error) in [
        ("user_pool_tokens", tokens_error),
        ("user_sub", sub_error),
        ("identity_id", identity_error),
        ("credentials", credentials_error),
    ] {
        if let Some(e) = error {
            errors.insert(name.to_owned(), json!(e));
        }
    }
    json!({
        "signed_in": session.is_signed_in,
        "user_sub": sub,
        "user_pool_tokens": tokens,
        "identity_id": identity_id,
        "credentials": credentials,
        "errors": errors,
    })
}

fn session_text(value: &Value, output: &Output) -> String {
    let at = |pointer: &str| value.pointer(pointer).unwrap_or(&Value::Null);
    let mut lines = vec![if at("/signed_in").as_bool().unwrap_or(false) {
        output.paint(Tone::Green, "Signed in")
    } else {
        output.paint(Tone::Yellow, "Not signed in")
    }];
    for (label, pointer) in [
        ("username", "/user_pool_tokens/username"),
        ("sub", "/user_sub"),
        ("groups", "/user_pool_tokens/groups"),
        ("tokens expire", "/user_pool_tokens/expires_at"),
        ("identity id", "/identity_id"),
        ("AWS access key id", "/credentials/access_key_id"),
        ("credentials expire", "/credentials/expiration"),
    ] {
        let v = at(pointer);
        if !v.is_null() {
            let text = match (v.as_str(), v.as_u64()) {
                (Some(s), _) => s.to_owned(),
                (None, Some(t)) if label.contains("expire") => relative(t),
                _ => v.to_string(),
            };
            lines.push(format!("  {}: {text}", output.paint(Tone::Bold, label)));
        }
    }
    if let Some(claims) = at("/user_pool_tokens/id_token_claims").as_object() {
        lines.push(format!(
            "  {}:",
            output.paint(Tone::Bold, "ID token claims")
        ));
        for (k, v) in claims {
            lines.push(format!("    {k}: {v}"));
        }
    }
    if let Some(errors) = at("/errors").as_object() {
        for (k, v) in errors {
            lines.push(format!(
                "  {k} unavailable: {}",
                v.as_str().unwrap_or_default()
            ));
        }
    }
    lines.join("\n")
}

/// `1796152532 (in 59 min)`: a Unix time and how far it is from now.
fn relative(unix_seconds: u64) -> String {
    let now = unix(Some(SystemTimeSource.now())).unwrap_or_default();
    let minutes = |s: u64| s.div_ceil(60);
    if unix_seconds >= now {
        format!("{unix_seconds} (in {} min)", minutes(unix_seconds - now))
    } else {
        format!("{unix_seconds} ({} min ago)", minutes(now - unix_seconds))
    }
}

/// `sign-out`: exit 4 when a server-side step failed (the local session is cleared anyway).
pub(crate) async fn sign_out(
    auth: &CognitoAuthPlugin,
    args: &SignOutArgs,
    output: &Output,
) -> Result<(), CliError> {
    let scope = if args.global {
        SignOutScope::Global
    } else {
        SignOutScope::Local
    };
    let result = output
        .spin("Signing out", auth.sign_out().scope(scope).send())
        .await;
    match result {
        SignOutResult::Complete => {
            output.result(
                &json!({"signed_out": true, "complete": true, "global": args.global}),
                &output.paint(Tone::Green, "Signed out"),
            );
            Ok(())
        }
        SignOutResult::Partial {
            global_sign_out_error,
            revoke_token_error,
        } => {
            let global = global_sign_out_error.map(|e| e.message());
            let revoke = revoke_token_error.map(|e| e.message());
            output.result(
                &json!({
                    "signed_out": true,
                    "complete": false,
                    "global": args.global,
                    "global_sign_out_error": global,
                    "revoke_token_error": revoke,
                }),
                "Signed out on this device",
            );
            Err(CliError::Reported(format!(
                "a server-side sign-out step failed: {}",
                global.or(revoke).unwrap_or_default()
            )))
        }
        SignOutResult::Failed(e) => Err(e.into()),
        _ => Ok(()),
    }
}

/// `attributes [list | update | confirm]`.
pub(crate) async fn attributes(
    auth: &CognitoAuthPlugin,
    action: Option<&AttributesAction>,
    output: &Output,
) -> Result<(), CliError> {
    match action {
        None | Some(AttributesAction::List) => {
            let attributes = output
                .spin("Fetching attributes", auth.fetch_user_attributes().send())
                .await?;
            let human = attributes
                .iter()
                .map(|(k, v)| format!("{}: {v}", output.paint(Tone::Bold, k)))
                .collect::<Vec<_>>()
                .join("\n");
            output.result(&json!(attributes), &human);
        }
        Some(AttributesAction::Update { attributes }) => {
            let mut builder = auth.update_user_attributes();
            for attribute in attributes {
                let (name, value) = pair(attribute, '=')
                    .ok_or_else(|| CliError::Usage(format!("{attribute}: expected NAME=VALUE")))?;
                builder = builder.attribute(name, value);
            }
            let results = output.spin("Updating attributes", builder.send()).await?;
            let mut value = serde_json::Map::new();
            let mut human = Vec::new();
            for (name, result) in &results {
                let (step, delivery) = match &result.next_step {
                    UpdateAttributeStep::ConfirmAttributeWithCode(d) => {
                        human.push(format!(
                            "{name}: confirm with the code {} (amplify-rs attributes confirm {name} <code>)",
                            sent_to(d)
                        ));
                        ("CONFIRM_ATTRIBUTE_WITH_CODE", Some(delivery_json(d)))
                    }
                    _ => {
                        human.push(format!("{name}: updated"));
                        ("DONE", None)
                    }
                };
                value.insert(
                    name.clone(),
                    json!({"is_updated": result.is_updated, "next_step": step, "code_delivery": delivery}),
                );
            }
            output.result(&Value::Object(value), &human.join("\n"));
        }
        Some(AttributesAction::Confirm { name, code }) => {
            output
                .spin(
                    "Confirming",
                    auth.confirm_user_attribute()
                        .attribute(name)
                        .confirmation_code(code.as_str())
                        .send(),
                )
                .await?;
            output.result(&json!({"confirmed": name}), &format!("{name} confirmed"));
        }
    }
    Ok(())
}
