//! SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::{CodePurpose, Pool, User, UserMfa, UserStatus, valid_email, valid_phone};
use crate::context::Ctx;
use crate::error::{CognitoError, ErrorKind};
use crate::outbox::MessageKind;
use crate::protocol::Input;
use crate::spec::{AuthFlow, UsernameAttribute};
use crate::state::State;

mod session;

pub(super) use self::session::redeem as redeem_sign_up_session;

/// Where a client-facing operation points: the pool and the client.
pub(super) struct Target {
    pub(super) pool_id: String,
    pub(super) client: super::Client,
}

/// Finds the pool of `ClientId`.
pub(super) fn target(st: &State, input: Input<'_>) -> Result<Target, CognitoError> {
    let client_id = input.str("ClientId")?;
    let pool_id = st.user_pools.pool_id_of_client(client_id)?;
    let client = st.user_pools.pool(&pool_id)?.client(client_id)?.clone();
    Ok(Target { pool_id, client })
}

/// Resolves `Username` for an operation that reports unknown users (or hides them).
fn existing_user(
    pool: &Pool,
    target: &Target,
    username: &str,
    hidden: ErrorKind,
) -> Result<String, CognitoError> {
    match pool.find_user_key(username) {
        Some(key) => Ok(key),
        None if target.client.prevent_user_existence_errors => Err(CognitoError::new(
            hidden,
            match hidden {
                ErrorKind::CodeMismatch => "Invalid verification code provided, please try again.",
                _ => "Incorrect username or password.",
            },
        )),
        None => Err(CognitoError::user_not_found()),
    }
}

/// Valid usernames: 1 to 128 characters, no whitespace.
fn check_username(username: &str) -> Result<(), CognitoError> {
    if username.chars().count() > 128 || username.chars().any(char::is_whitespace) {
        return Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    Ok(())
}

/// Everything needed to create a user; shared by SignUp, AdminCreateUser and seeding.
pub(crate) struct NewUser<'a> {
    pub(crate) username: &'a str,
    /// `None`: a passwordless user (SignUp without `Password`; the caller checked the pool).
    pub(crate) password: Option<&'a str>,
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) status: UserStatus,
    /// Admin-created and seeded users may skip the required-attribute check.
    pub(crate) check_required: bool,
    /// Mark email / phone verified (seeding).
    pub(crate) verified: bool,
    pub(crate) temporary_password_expires: Option<i64>,
}

/// Creates a user; returns its key.
pub(crate) fn create_user(
    ctx: &Ctx<'_>,
    pool: &mut Pool,
    new: NewUser<'_>,
) -> Result<String, CognitoError> {
    check_username(new.username)?;
    let mut attributes = new.attributes;
    pool.check_attributes(&attributes, true)?;
    let sub = ctx.rng.uuid();
    let internal = if pool.settings.username_attributes.is_empty() {
        if pool.users.contains_key(&new.username.to_lowercase()) {
            return Err(CognitoError::new(
                ErrorKind::UsernameExists,
                "User already exists",
            ));
        }
        new.username.to_owned()
    } else {
        let allows = |a: UsernameAttribute| pool.settings.username_attributes.contains(&a);
        let as_attribute = if valid_email(new.username) && allows(UsernameAttribute::Email) {
            "email"
        } else if valid_phone(new.username) && allows(UsernameAttribute::PhoneNumber) {
            "phone_number"
        } else if allows(UsernameAttribute::Email) {
            return Err(CognitoError::invalid_parameter(
                "Username should be an email.",
            ));
        } else {
            return Err(CognitoError::invalid_parameter(
                "Username should be a phone number.",
            ));
        };
        attributes.retain(|(name, _)| name != as_attribute);
        attributes.push((as_attribute.to_owned(), new.username.to_owned()));
        sub.clone()
    };
    for attribute in ["email", "phone_number"] {
        if let Some((_, value)) = attributes.iter().find(|(n, _)| n == attribute) {
            pool.check_username_attribute_free(attribute, value, None, ErrorKind::UsernameExists)?;
        }
    }
    if new.check_required {
        for required in &pool.settings.required_attributes {
            if !attributes
                .iter()
                .any(|(n, v)| n == required && !v.is_empty())
            {
                return Err(CognitoError::invalid_parameter(format!(
                    "Attributes did not conform to the schema: {required}: The attribute {required} is required"
                )));
            }
        }
    }
    if let Some(password) = new.password {
        pool.check_password_policy(password)?;
    }
    let mut map: BTreeMap<String, String> = attributes
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    for attribute in ["email", "phone_number"] {
        if map.contains_key(attribute) {
            let flag = format!("{attribute}_verified");
            let value = if new.verified {
                "true"
            } else {
                map.get(&flag).map_or("false", String::as_str)
            };
            let value = value.to_owned();
            map.insert(flag, value);
        }
    }
    let key = internal.to_lowercase();
    pool.users.insert(
        key.clone(),
        User {
            username: internal,
            sub,
            attributes: map,
            status: new.status,
            enabled: true,
            salt: Vec::new(),
            verifier: Vec::new(),
            temporary_password_expires: new.temporary_password_expires,
            created: ctx.now_f64,
            modified: ctx.now_f64,
            groups: BTreeSet::new(),
            mfa: UserMfa::default(),
            codes: Vec::new(),
            code_failures: 0,
            lockout: super::Lockout::default(),
            totp: None,
            totp_pending: None,
            devices: BTreeMap::new(),
            passwordless: false,
        },
    );
    // A passwordless user gets the verifier of a random secret nobody knows: password and SRP
    // sign-ins then fail as a wrong password does.
    let secret = new
        .password
        .map_or_else(|| ctx.rng.token(32), str::to_owned);
    if let Err(e) = pool.set_password(ctx, &key, &secret) {
        pool.users.remove(&key);
        return Err(e);
    }
    if new.password.is_none() {
        pool.user_mut(&key)?.passwordless = true;
    }
    Ok(key)
}

/// SignUp. `Password` may be left out (or blank) for a passwordless user when the pool and
/// client allow it; `Session` comes back when the client allows `USER_AUTH` (see [`session`]).
pub(super) fn sign_up(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let target = target(st, input)?;
    let username = input.str("Username")?;
    let password = input.opt_str("Password")?.filter(|p| !p.is_empty());
    let secret_hash = input.opt_str("SecretHash")?;
    let attributes = input.attributes("UserAttributes")?;
    input.attributes("ValidationData")?;
    input.str_map("ClientMetadata")?;
    target.client.check_secret_hash(secret_hash, &[username])?;
    let pool = st.user_pools.pool_mut(&target.pool_id)?;
    pool.check_attributes(&attributes, false)?;
    let key = create_user(
        ctx,
        pool,
        NewUser {
            username,
            password,
            attributes,
            status: UserStatus::Unconfirmed,
            check_required: true,
            verified: false,
            temporary_password_expires: None,
        },
    )?;
    if password.is_none()
        && let Err(e) = session::check_passwordless(pool, &target, &key)
    {
        pool.users.remove(&key);
        return Err(e);
    }
    let user = pool.user(&key)?;
    let sub = user.sub.clone();
    let mut out = Map::new();
    out.insert("UserConfirmed".into(), json!(false));
    out.insert("UserSub".into(), json!(sub));
    if let Some(attribute) = pool.sign_up_destination(user) {
        let details = pool.send_code(
            ctx,
            &key,
            CodePurpose::SignUp,
            &attribute,
            MessageKind::SignUp,
        )?;
        out.insert("CodeDeliveryDetails".into(), details);
    }
    if let Some(id) = session::issue(ctx, &mut st.user_pools, &target, &key)? {
        out.insert("Session".into(), json!(id));
    }
    Ok(Value::Object(out))
}

/// ConfirmSignUp; with `SignUp`'s `Session`, answers a new one for `InitiateAuth` `USER_AUTH`.
pub(super) fn confirm_sign_up(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let target = target(st, input)?;
    let username = input.str("Username")?;
    let code = input.str("ConfirmationCode")?;
    let secret_hash = input.opt_str("SecretHash")?;
    let session_id = input.opt_str("Session")?.filter(|s| !s.is_empty());
    input.opt_bool("ForceAliasCreation")?;
    input.str_map("ClientMetadata")?;
    input.opt_struct("AnalyticsMetadata")?;
    input.opt_struct("UserContextData")?;
    let pool = st.user_pools.pool(&target.pool_id)?;
    let key = existing_user(pool, &target, username, ErrorKind::CodeMismatch)?;
    let user = pool.user(&key)?;
    target
        .client
        .check_secret_hash(secret_hash, &[username, &user.username])?;
    if user.status != UserStatus::Unconfirmed {
        return Err(CognitoError::not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status.as_str()
        )));
    }
    if let Some(id) = session_id {
        session::check_sign_up_session(ctx, &st.user_pools, &target, &key, id)?;
    }
    let pool = st.user_pools.pool_mut(&target.pool_id)?;
    let destination = pool.sign_up_destination(pool.user(&key)?);
    pool.check_code(ctx, &key, &CodePurpose::SignUp, code)?;
    let user = pool.user_mut(&key)?;
    user.status = UserStatus::Confirmed;
    user.modified = ctx.now_f64;
    if let Some(attribute) = destination {
        user.attributes
            .insert(format!("{attribute}_verified"), "true".to_owned());
    }
    match session_id {
        Some(id) => {
            let next = session::confirm(ctx, &mut st.user_pools, &target, id)?;
            Ok(json!({ "Session": next }))
        }
        None => Ok(json!({})),
    }
}

pub(super) fn resend_confirmation_code(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let target = target(st, input)?;
    let username = input.str("Username")?;
    let secret_hash = input.opt_str("SecretHash")?;
    input.str_map("ClientMetadata")?;
    let pool = st.user_pools.pool_mut(&target.pool_id)?;
    let key = existing_user(pool, &target, username, ErrorKind::NotAuthorized)?;
    let user = pool.user(&key)?;
    target
        .client
        .check_secret_hash(secret_hash, &[username, &user.username])?;
    if user.status != UserStatus::Unconfirmed {
        return Err(CognitoError::invalid_parameter(
            "User is already confirmed.",
        ));
    }
    let attribute = pool
        .sign_up_destination(user)
        .ok_or_else(|| CognitoError::invalid_parameter("Auto verification not turned on."))?;
    let details = pool.send_code(
        ctx,
        &key,
        CodePurpose::SignUp,
        &attribute,
        MessageKind::SignUp,
    )?;
    Ok(json!({ "CodeDeliveryDetails": details }))
}

pub(super) fn forgot_password(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let target = target(st, input)?;
    let username = input.str("Username")?;
    let secret_hash = input.opt_str("SecretHash")?;
    input.str_map("ClientMetadata")?;
    let pool = st.user_pools.pool_mut(&target.pool_id)?;
    let key = existing_user(pool, &target, username, ErrorKind::NotAuthorized)?;
    let user = pool.user(&key)?;
    target
        .client
        .check_secret_hash(secret_hash, &[username, &user.username])?;
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    if user.status == UserStatus::ForceChangePassword {
        return Err(CognitoError::not_authorized(
            "User password cannot be reset in the current state.",
        ));
    }
    let details = send_reset_code(ctx, pool, &key)?;
    Ok(json!({ "CodeDeliveryDetails": details }))
}

/// Sends a password-reset code to the user's verified email (else phone); returns the
/// `CodeDeliveryDetails`.
pub(super) fn send_reset_code(
    ctx: &Ctx<'_>,
    pool: &mut super::Pool,
    key: &str,
) -> Result<Value, CognitoError> {
    let user = pool.user(key)?;
    let attribute = if user.attributes.contains_key("email") && user.is_verified("email") {
        "email"
    } else if user.attributes.contains_key("phone_number") && user.is_verified("phone_number") {
        "phone_number"
    } else {
        return Err(CognitoError::invalid_parameter(
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ));
    };
    pool.send_code(
        ctx,
        key,
        CodePurpose::ForgotPassword,
        attribute,
        MessageKind::ForgotPassword,
    )
}

pub(super) fn confirm_forgot_password(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let target = target(st, input)?;
    let username = input.str("Username")?;
    let code = input.str("ConfirmationCode")?;
    let password = input.str("Password")?;
    let secret_hash = input.opt_str("SecretHash")?;
    input.str_map("ClientMetadata")?;
    let pool = st.user_pools.pool_mut(&target.pool_id)?;
    let key = existing_user(pool, &target, username, ErrorKind::CodeMismatch)?;
    let user = pool.user(&key)?;
    target
        .client
        .check_secret_hash(secret_hash, &[username, &user.username])?;
    pool.check_password_policy(password)?;
    pool.check_code(ctx, &key, &CodePurpose::ForgotPassword, code)?;
    pool.set_password(ctx, &key, password)?;
    let user = pool.user_mut(&key)?;
    if user.status == UserStatus::ResetRequired {
        user.status = UserStatus::Confirmed;
    }
    Ok(json!({}))
}

/// Refuses a flow the app client does not enable.
pub(super) fn require_flow(
    target: &Target,
    flow: AuthFlow,
    name: &str,
) -> Result<(), CognitoError> {
    if target.client.allows(flow) {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(format!(
            "{name} flow not enabled for this client"
        )))
    }
}
