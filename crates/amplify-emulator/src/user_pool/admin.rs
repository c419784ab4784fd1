//! Administrator operations (SigV4-signed in AWS; the emulator accepts any signature or none)
//! and the direct user creation behind the handle's admin helpers and seeding.

use serde_json::{Map, Value, json};

use super::account::apply_mfa_preference;
use super::signup::{NewUser, create_user, send_reset_code};
use super::{Group, Pool, User, UserStatus, aliases, apply_attribute_updates};
use crate::context::Ctx;
use crate::error::{CognitoError, ErrorKind};
use crate::outbox::{MessageKind, Outgoing};
use crate::protocol::Input;
use crate::spec::SeedStatus;
use crate::state::State;

/// The pool and user key an admin operation addresses.
fn admin_user<'a>(
    st: &'a mut State,
    input: Input<'_>,
) -> Result<(&'a mut Pool, String), CognitoError> {
    let pool_id = input.str("UserPoolId")?;
    let username = input.str("Username")?;
    let pool = st.user_pools.pool_mut(pool_id)?;
    let key = pool.require_user_key(username)?;
    Ok((pool, key))
}

fn user_type(user: &User) -> Value {
    let mut out = Map::new();
    out.insert("Username".into(), json!(user.username));
    out.insert("Attributes".into(), user.attribute_list());
    out.insert("UserCreateDate".into(), json!(user.created));
    out.insert("UserLastModifiedDate".into(), json!(user.modified));
    out.insert("Enabled".into(), json!(user.enabled));
    out.insert("UserStatus".into(), json!(user.status.as_str()));
    if user.mfa.sms_enabled && user.attributes.contains_key("phone_number") {
        out.insert(
            "MFAOptions".into(),
            json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]),
        );
    }
    Value::Object(out)
}

/// A temporary password that satisfies any policy the emulator accepts.
fn generate_temporary_password(ctx: &Ctx<'_>, pool: &Pool) -> String {
    let len = usize::try_from(pool.settings.password_policy.min_length)
        .unwrap_or(8)
        .max(12);
    format!("{}aA1!", ctx.rng.alnum(len.saturating_sub(4)))
}

fn send_invitation(ctx: &Ctx<'_>, pool: &Pool, key: &str, password: &str, mediums: &[String]) {
    let Some(user) = pool.users.get(key) else {
        return;
    };
    let email = user.attributes.get("email");
    let phone = user.attributes.get("phone_number");
    let wants_email = mediums.iter().any(|m| m == "EMAIL");
    let (destination, attribute) = match (email, phone) {
        (Some(e), _) if wants_email => (e, "email"),
        (_, Some(p)) => (p, "phone_number"),
        (Some(e), None) => (e, "email"),
        (None, None) => return,
    };
    ctx.outbox.push(Outgoing {
        user_pool_id: pool.id.clone(),
        username: user.username.clone(),
        aliases: aliases(user),
        destination: destination.clone(),
        medium: super::medium_of(attribute),
        kind: MessageKind::TemporaryPassword,
        code: password.to_owned(),
        attribute: Some(attribute.to_owned()),
        sent_at: ctx.now_time,
    });
}

pub(super) fn admin_create_user(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let pool_id = input.str("UserPoolId")?;
    let username = input.str("Username")?;
    let attributes = input.attributes("UserAttributes")?;
    input.attributes("ValidationData")?;
    let temporary = input.opt_str("TemporaryPassword")?;
    input.opt_bool("ForceAliasCreation")?;
    let action = input.opt_str("MessageAction")?;
    let mediums = input.str_list("DesiredDeliveryMediums")?;
    input.str_map("ClientMetadata")?;
    let pool = st.user_pools.pool_mut(pool_id)?;
    let validity = i64::try_from(
        pool.settings
            .password_policy
            .temporary_password_validity
            .as_secs(),
    )
    .unwrap_or(i64::MAX);
    let password = temporary.map_or_else(|| generate_temporary_password(ctx, pool), str::to_owned);
    let key = match action {
        Some("RESEND") => {
            let key = pool.require_user_key(username)?;
            if pool.user(&key)?.status != UserStatus::ForceChangePassword {
                return Err(CognitoError::new(
                    ErrorKind::UnsupportedUserState,
                    "Resend not possible. The user is not in FORCE_CHANGE_PASSWORD status.",
                ));
            }
            pool.check_password_policy(&password)?;
            pool.set_password(ctx, &key, &password)?;
            pool.user_mut(&key)?.temporary_password_expires =
                Some(ctx.now.saturating_add(validity));
            key
        }
        None | Some("SUPPRESS") => {
            if pool.find_user_key(username).is_some() {
                return Err(CognitoError::new(
                    ErrorKind::UsernameExists,
                    "User account already exists",
                ));
            }
            create_user(
                ctx,
                pool,
                NewUser {
                    username,
                    password: Some(&password),
                    attributes,
                    status: UserStatus::ForceChangePassword,
                    check_required: false,
                    verified: false,
                    temporary_password_expires: Some(ctx.now.saturating_add(validity)),
                },
            )?
        }
        Some(other) => {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{other}' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]"
            )));
        }
    };
    if action != Some("SUPPRESS") {
        send_invitation(ctx, pool, &key, &password, &mediums);
    }
    Ok(json!({ "User": user_type(pool.user(&key)?) }))
}

pub(super) fn admin_confirm_sign_up(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    input.str_map("ClientMetadata")?;
    let (pool, key) = admin_user(st, input)?;
    let user = pool.user_mut(&key)?;
    if user.status != UserStatus::Unconfirmed {
        return Err(CognitoError::not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status.as_str()
        )));
    }
    user.status = UserStatus::Confirmed;
    user.modified = ctx.now_f64;
    Ok(json!({}))
}

pub(super) fn admin_get_user(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let (pool, key) = admin_user(st, input)?;
    let user = pool.user(&key)?;
    let mut out = Map::new();
    out.insert("Username".into(), json!(user.username));
    out.insert("UserAttributes".into(), user.attribute_list());
    out.insert("UserCreateDate".into(), json!(user.created));
    out.insert("UserLastModifiedDate".into(), json!(user.modified));
    out.insert("Enabled".into(), json!(user.enabled));
    out.insert("UserStatus".into(), json!(user.status.as_str()));
    user.add_mfa_members(&mut out);
    Ok(Value::Object(out))
}

pub(super) fn admin_delete_user(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let (pool, key) = admin_user(st, input)?;
    let pool_id = pool.id.clone();
    pool.users.remove(&key);
    st.user_pools.revoke_user_families(&pool_id, &key);
    Ok(json!({}))
}

pub(super) fn admin_disable_user(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let (pool, key) = admin_user(st, input)?;
    let user = pool.user_mut(&key)?;
    user.enabled = false;
    user.modified = ctx.now_f64;
    Ok(json!({}))
}

pub(super) fn admin_enable_user(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let (pool, key) = admin_user(st, input)?;
    let user = pool.user_mut(&key)?;
    user.enabled = true;
    user.modified = ctx.now_f64;
    Ok(json!({}))
}

pub(super) fn admin_update_user_attributes(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let attributes = input.attributes("UserAttributes")?;
    input.str_map("ClientMetadata")?;
    let (pool, key) = admin_user(st, input)?;
    pool.check_attributes(&attributes, true)?;
    for (name, value) in &attributes {
        pool.check_username_attribute_free(name, value, Some(&key), ErrorKind::AliasExists)?;
    }
    apply_attribute_updates(ctx, pool, &key, &attributes, true)?;
    Ok(json!({}))
}

pub(super) fn admin_set_user_password(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let password = input.str("Password")?;
    let permanent = input.opt_bool("Permanent")?.unwrap_or(false);
    let (pool, key) = admin_user(st, input)?;
    pool.check_password_policy(password)?;
    let validity = i64::try_from(
        pool.settings
            .password_policy
            .temporary_password_validity
            .as_secs(),
    )
    .unwrap_or(i64::MAX);
    pool.set_password(ctx, &key, password)?;
    let user = pool.user_mut(&key)?;
    if permanent {
        user.status = UserStatus::Confirmed;
        user.temporary_password_expires = None;
    } else {
        user.status = UserStatus::ForceChangePassword;
        user.temporary_password_expires = Some(ctx.now.saturating_add(validity));
    }
    Ok(json!({}))
}

/// AdminResetUserPassword. API reference: it "Sets the requested user's account into a
/// RESET_REQUIRED status, and sends them a password-reset code", and "If a user tries to sign
/// in after the API request, Amazon Cognito responds with a PasswordResetRequiredException
/// error. Your app must then complete the forgot-password flow by prompting the user for their
/// code and a new password, then submitting those values in a ConfirmForgotPassword request."
/// Sign-in refuses the user in `gate_status`; ConfirmForgotPassword confirms the user again.
pub(super) fn admin_reset_user_password(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    input.str_map("ClientMetadata")?;
    let (pool, key) = admin_user(st, input)?;
    send_reset_code(ctx, pool, &key)?;
    pool.user_mut(&key)?.status = UserStatus::ResetRequired;
    Ok(json!({}))
}

pub(super) fn admin_set_user_mfa_preference(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let (pool, key) = admin_user(st, input)?;
    apply_mfa_preference(pool.user_mut(&key)?, input)?;
    Ok(json!({}))
}

fn group_name<'a>(pool: &Pool, input: Input<'a>) -> Result<&'a str, CognitoError> {
    let name = input.str("GroupName")?;
    if pool.groups.contains_key(name) {
        Ok(name)
    } else {
        Err(CognitoError::resource_not_found("Group not found."))
    }
}

pub(super) fn admin_add_user_to_group(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let (pool, key) = admin_user(st, input)?;
    let group = group_name(pool, input)?.to_owned();
    pool.user_mut(&key)?.groups.insert(group);
    Ok(json!({}))
}

pub(super) fn admin_remove_user_from_group(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let (pool, key) = admin_user(st, input)?;
    let group = group_name(pool, input)?.to_owned();
    pool.user_mut(&key)?.groups.remove(&group);
    Ok(json!({}))
}

fn group_type(pool_id: &str, group: &Group) -> Value {
    let mut out = Map::new();
    out.insert("GroupName".into(), json!(group.name));
    out.insert("UserPoolId".into(), json!(pool_id));
    if let Some(p) = group.precedence {
        out.insert("Precedence".into(), json!(p));
    }
    if let Some(r) = &group.role_arn {
        out.insert("RoleArn".into(), json!(r));
    }
    Value::Object(out)
}

pub(super) fn admin_list_groups_for_user(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    input.opt_i64("Limit")?;
    input.opt_str("NextToken")?;
    let (pool, key) = admin_user(st, input)?;
    let user = pool.user(&key)?;
    let groups: Vec<Value> = pool
        .groups_of(user)
        .iter()
        .filter_map(|g| pool.groups.get(g))
        .map(|g| group_type(&pool.id, g))
        .collect();
    Ok(json!({ "Groups": groups }))
}

pub(super) fn admin_user_global_sign_out(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let (pool, key) = admin_user(st, input)?;
    let pool_id = pool.id.clone();
    st.user_pools.revoke_user_families(&pool_id, &key);
    Ok(json!({}))
}

pub(super) fn create_group(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let pool_id = input.str("UserPoolId")?;
    let name = input.str("GroupName")?;
    input.opt_str("Description")?;
    let role_arn = input.opt_str("RoleArn")?;
    let precedence = input.opt_i64("Precedence")?;
    let pool = st.user_pools.pool_mut(pool_id)?;
    if pool.groups.contains_key(name) {
        return Err(CognitoError::new(
            ErrorKind::GroupExists,
            "A group with the name already exists.",
        ));
    }
    let group = Group {
        name: name.to_owned(),
        precedence,
        role_arn: role_arn.map(str::to_owned),
    };
    let out = group_type(pool_id, &group);
    pool.groups.insert(name.to_owned(), group);
    Ok(json!({ "Group": out }))
}

pub(super) fn list_users(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let pool_id = input.str("UserPoolId")?;
    let filter = input.opt_str("Filter")?;
    input.opt_i64("Limit")?;
    input.opt_str("PaginationToken")?;
    input.str_list("AttributesToGet")?;
    let pool = st.user_pools.pool(pool_id)?;
    let parsed = filter
        .filter(|f| !f.trim().is_empty())
        .map(parse_filter)
        .transpose()?;
    let users: Vec<Value> = pool
        .users
        .values()
        .filter(|u| match &parsed {
            None => true,
            Some((attr, prefix, value)) => {
                let actual = match attr.as_str() {
                    "username" => Some(u.username.as_str()),
                    "sub" => Some(u.sub.as_str()),
                    "status" | "cognito:user_status" => Some(u.status.as_str()),
                    other => u.attributes.get(other).map(String::as_str),
                };
                actual.is_some_and(|a| {
                    if *prefix {
                        a.starts_with(value.as_str())
                    } else {
                        a == value
                    }
                })
            }
        })
        .map(user_type)
        .collect();
    Ok(json!({ "Users": users }))
}

/// `email = "a@b"` or `email ^= "a"`.
fn parse_filter(filter: &str) -> Result<(String, bool, String), CognitoError> {
    let bad = || CognitoError::invalid_parameter("Invalid search filter.");
    let (attr, rest, prefix) = if let Some((a, r)) = filter.split_once("^=") {
        (a, r, true)
    } else if let Some((a, r)) = filter.split_once('=') {
        (a, r, false)
    } else {
        return Err(bad());
    };
    let value = rest
        .trim()
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .ok_or_else(bad)?;
    Ok((attr.trim().to_owned(), prefix, value.to_owned()))
}

/// A user created directly (seeding and `EmulatorHandle::admin()`), without messages.
#[derive(Debug)]
pub(crate) struct DirectUser<'a> {
    pub(crate) username: &'a str,
    pub(crate) password: &'a str,
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) status: SeedStatus,
    pub(crate) groups: &'a [String],
    pub(crate) enabled: bool,
    pub(crate) sms_mfa: bool,
}

/// Creates a user directly; returns the internal username.
pub(crate) fn create_user_direct(
    ctx: &Ctx<'_>,
    pool: &mut Pool,
    user: DirectUser<'_>,
) -> Result<String, CognitoError> {
    let validity = i64::try_from(
        pool.settings
            .password_policy
            .temporary_password_validity
            .as_secs(),
    )
    .unwrap_or(i64::MAX);
    let (status, verified, expires) = match user.status {
        SeedStatus::Confirmed => (UserStatus::Confirmed, true, None),
        SeedStatus::Unconfirmed => (UserStatus::Unconfirmed, false, None),
        SeedStatus::ForceChangePassword => (
            UserStatus::ForceChangePassword,
            true,
            Some(ctx.now.saturating_add(validity)),
        ),
    };
    for group in user.groups {
        if !pool.groups.contains_key(group) {
            return Err(CognitoError::resource_not_found(format!(
                "Group {group} not found."
            )));
        }
    }
    let key = create_user(
        ctx,
        pool,
        NewUser {
            username: user.username,
            password: Some(user.password),
            attributes: user.attributes,
            status,
            check_required: false,
            verified,
            temporary_password_expires: expires,
        },
    )?;
    let record = pool.user_mut(&key)?;
    record.groups.extend(user.groups.iter().cloned());
    record.enabled = user.enabled;
    if user.sms_mfa {
        record.mfa.sms_enabled = true;
        record.mfa.sms_preferred = true;
    }
    Ok(record.username.clone())
}
