//! Operations on the signed-in user (access token): GetUser, UpdateUserAttributes, attribute
//! verification, ChangePassword, GlobalSignOut, DeleteUser, SetUserMFAPreference.

use serde_json::{Map, Value, json};

use super::auth::attribute_purpose;
use super::tokens::check_access_token;
use super::{User, apply_attribute_updates};
use crate::context::Ctx;
use crate::error::{CognitoError, ErrorKind};
use crate::outbox::MessageKind;
use crate::protocol::Input;
use crate::state::State;

pub(super) fn get_user(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let token = input.str("AccessToken")?;
    let checked = check_access_token(ctx, &st.user_pools, token)?;
    let user = st
        .user_pools
        .pool(&checked.pool_id)?
        .user(&checked.user_key)?;
    let mut out = Map::new();
    out.insert("Username".into(), json!(user.username));
    out.insert("UserAttributes".into(), user.attribute_list());
    user.add_mfa_members(&mut out);
    Ok(Value::Object(out))
}

pub(super) fn update_user_attributes(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let token = input.str("AccessToken")?;
    let attributes = input.attributes("UserAttributes")?;
    input.str_map("ClientMetadata")?;
    let checked = check_access_token(ctx, &st.user_pools, token)?;
    let pool = st.user_pools.pool_mut(&checked.pool_id)?;
    pool.check_attributes(&attributes, false)?;
    for (name, value) in &attributes {
        pool.check_username_attribute_free(
            name,
            value,
            Some(&checked.user_key),
            ErrorKind::AliasExists,
        )?;
    }
    let details = apply_attribute_updates(ctx, pool, &checked.user_key, &attributes, true)?;
    Ok(json!({ "CodeDeliveryDetailsList": details }))
}

/// DeleteUserAttributes (API reference `DeleteUserAttributes`: `AccessToken`,
/// `UserAttributeNames`, "Deletes the attributes for the currently signed-in user"; custom
/// attributes with their `custom:` prefix). Required attributes, `sub` and the attributes used as
/// the username cannot go; deleting `email` / `phone_number` drops its `_verified` flag.
pub(super) fn delete_user_attributes(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let token = input.str("AccessToken")?;
    let names = input.str_list("UserAttributeNames")?;
    let checked = check_access_token(ctx, &st.user_pools, token)?;
    let pool = st.user_pools.pool_mut(&checked.pool_id)?;
    for name in &names {
        let known = match name.strip_prefix("custom:") {
            Some(custom) => pool.settings.custom_attributes.contains(custom),
            None => super::STANDARD_ATTRIBUTES.contains(&name.as_str()) && name != "sub",
        };
        if !known {
            return Err(CognitoError::invalid_parameter(format!(
                "Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined"
            )));
        }
        let username_attribute = pool
            .settings
            .username_attributes
            .iter()
            .any(|a| a.attribute() == name);
        if pool.settings.required_attributes.contains(name) || username_attribute {
            return Err(CognitoError::invalid_parameter(format!(
                "Cannot delete a required or username attribute: {name}"
            )));
        }
    }
    let user = pool.user_mut(&checked.user_key)?;
    for name in &names {
        user.attributes.remove(name);
        if name == "email" || name == "phone_number" {
            user.attributes.remove(&format!("{name}_verified"));
        }
    }
    user.modified = ctx.now_f64;
    Ok(json!({}))
}

fn verifiable(attribute: &str) -> Result<(), CognitoError> {
    if attribute == "email" || attribute == "phone_number" {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(format!(
            "Invalid attribute name: {attribute} cannot be verified"
        )))
    }
}

pub(super) fn get_user_attribute_verification_code(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let token = input.str("AccessToken")?;
    let attribute = input.str("AttributeName")?;
    input.str_map("ClientMetadata")?;
    verifiable(attribute)?;
    let checked = check_access_token(ctx, &st.user_pools, token)?;
    let pool = st.user_pools.pool_mut(&checked.pool_id)?;
    let details = pool.send_code(
        ctx,
        &checked.user_key,
        attribute_purpose(attribute),
        attribute,
        MessageKind::AttributeVerification,
    )?;
    Ok(json!({ "CodeDeliveryDetails": details }))
}

pub(super) fn verify_user_attribute(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let token = input.str("AccessToken")?;
    let attribute = input.str("AttributeName")?;
    let code = input.str("Code")?;
    verifiable(attribute)?;
    let checked = check_access_token(ctx, &st.user_pools, token)?;
    let pool = st.user_pools.pool_mut(&checked.pool_id)?;
    pool.check_code(ctx, &checked.user_key, &attribute_purpose(attribute), code)?;
    let user = pool.user_mut(&checked.user_key)?;
    user.attributes
        .insert(format!("{attribute}_verified"), "true".to_owned());
    user.modified = ctx.now_f64;
    Ok(json!({}))
}

pub(super) fn change_password(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let token = input.str("AccessToken")?;
    let previous = input.opt_str("PreviousPassword")?.unwrap_or_default();
    let proposed = input.str("ProposedPassword")?;
    let checked = check_access_token(ctx, &st.user_pools, token)?;
    let pool = st.user_pools.pool_mut(&checked.pool_id)?;
    if !pool.password_matches(pool.user(&checked.user_key)?, previous) {
        return Err(CognitoError::bad_credentials());
    }
    pool.check_password_policy(proposed)?;
    pool.set_password(ctx, &checked.user_key, proposed)?;
    Ok(json!({}))
}

pub(super) fn global_sign_out(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let token = input.str("AccessToken")?;
    let checked = check_access_token(ctx, &st.user_pools, token)?;
    st.user_pools
        .revoke_user_families(&checked.pool_id, &checked.user_key);
    Ok(json!({}))
}

pub(super) fn delete_user(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let token = input.str("AccessToken")?;
    let checked = check_access_token(ctx, &st.user_pools, token)?;
    st.user_pools
        .revoke_user_families(&checked.pool_id, &checked.user_key);
    st.user_pools
        .pool_mut(&checked.pool_id)?
        .users
        .remove(&checked.user_key);
    Ok(json!({}))
}

pub(super) fn set_user_mfa_preference(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let token = input.str("AccessToken")?;
    let checked = check_access_token(ctx, &st.user_pools, token)?;
    let user = st
        .user_pools
        .pool_mut(&checked.pool_id)?
        .user_mut(&checked.user_key)?;
    apply_mfa_preference(user, input)?;
    Ok(json!({}))
}

/// `(Enabled, PreferredMfa)` of one MFA settings structure.
type MfaSetting = (Option<bool>, Option<bool>);

/// Applies `SMSMfaSettings`, `SoftwareTokenMfaSettings` and `EmailMfaSettings`.
pub(super) fn apply_mfa_preference(user: &mut User, input: Input<'_>) -> Result<(), CognitoError> {
    let read = |name: &str| -> Result<Option<MfaSetting>, CognitoError> {
        Ok(match input.opt_struct(name)? {
            Some(s) => Some((s.opt_bool("Enabled")?, s.opt_bool("PreferredMfa")?)),
            None => None,
        })
    };
    let sms = read("SMSMfaSettings")?;
    let totp = read("SoftwareTokenMfaSettings")?;
    let email = read("EmailMfaSettings")?;
    let preferred_count = [sms, totp, email]
        .iter()
        .filter(|s| s.is_some_and(|(_, p)| p == Some(true)))
        .count();
    if preferred_count > 1 {
        return Err(CognitoError::invalid_parameter(
            "Only one MFA method can be preferred.",
        ));
    }
    if totp.is_some_and(|(e, p)| e == Some(true) || p == Some(true)) && user.totp.is_none() {
        return Err(CognitoError::invalid_parameter(
            "User has not verified software token mfa",
        ));
    }
    if sms.is_some_and(|(e, _)| e == Some(true)) && !user.attributes.contains_key("phone_number") {
        return Err(CognitoError::invalid_parameter(
            "User does not have a phone number for SMS MFA.",
        ));
    }
    if email.is_some_and(|(e, _)| e == Some(true)) && !user.attributes.contains_key("email") {
        return Err(CognitoError::invalid_parameter(
            "User does not have an email for EMAIL MFA.",
        ));
    }
    if preferred_count == 1 {
        user.mfa.sms_preferred = false;
        user.mfa.totp_preferred = false;
        user.mfa.email_preferred = false;
    }
    if let Some((enabled, preferred)) = sms {
        if let Some(enabled) = enabled {
            user.mfa.sms_enabled = enabled;
        }
        if let Some(preferred) = preferred {
            user.mfa.sms_preferred = preferred;
        }
        if !user.mfa.sms_enabled {
            user.mfa.sms_preferred = false;
        }
    }
    if let Some((enabled, preferred)) = email {
        if let Some(enabled) = enabled {
            user.mfa.email_enabled = enabled;
        }
        if let Some(preferred) = preferred {
            user.mfa.email_preferred = preferred;
        }
        if !user.mfa.email_enabled {
            user.mfa.email_preferred = false;
        }
    }
    if let Some((enabled, preferred)) = totp {
        if let Some(enabled) = enabled {
            user.mfa.totp_enabled = enabled;
        }
        if let Some(preferred) = preferred {
            user.mfa.totp_preferred = preferred;
            // "PreferredMfa": true also enables it (SetUserMFAPreference: a preferred method
            // is an enabled one).
            user.mfa.totp_enabled |= preferred;
        }
        if !user.mfa.totp_enabled {
            user.mfa.totp_preferred = false;
        }
    }
    Ok(())
}
