//! User pools: state and the `AWSCognitoIdentityProviderService` operations.
//!
//! Operations are plain functions from the request members, the state and the clock to a JSON
//! answer or a [`CognitoError`]; [`OPERATIONS`] is the dispatch table.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::context::{Ctx, Op};
use crate::error::{CognitoError, ErrorKind};
use crate::outbox::{DeliveryMedium, MessageKind, Outgoing};
use crate::srp;
use crate::util::mask_destination;

mod account;
mod admin;
mod auth;
mod devices;
mod refresh;
mod signup;
pub(crate) mod tokens;

pub(crate) use crate::state::user_pool::{
    Client, CodePurpose, Group, IssuedCode, Lockout, Pool, PoolSettings, User, UserMfa, UserPools,
    UserStatus,
};

/// The user pool operations, by `X-Amz-Target` operation name.
pub(crate) const OPERATIONS: &[(&str, Op)] = &[
    ("SignUp", signup::sign_up),
    ("ConfirmSignUp", signup::confirm_sign_up),
    ("ResendConfirmationCode", signup::resend_confirmation_code),
    ("ForgotPassword", signup::forgot_password),
    ("ConfirmForgotPassword", signup::confirm_forgot_password),
    ("InitiateAuth", auth::initiate_auth),
    ("RespondToAuthChallenge", auth::respond_to_auth_challenge),
    ("AdminInitiateAuth", auth::admin_initiate_auth),
    (
        "AdminRespondToAuthChallenge",
        auth::admin_respond_to_auth_challenge,
    ),
    (
        "GetTokensFromRefreshToken",
        refresh::get_tokens_from_refresh_token,
    ),
    ("RevokeToken", refresh::revoke_token),
    ("GetUser", account::get_user),
    ("UpdateUserAttributes", account::update_user_attributes),
    ("DeleteUserAttributes", account::delete_user_attributes),
    (
        "GetUserAttributeVerificationCode",
        account::get_user_attribute_verification_code,
    ),
    ("VerifyUserAttribute", account::verify_user_attribute),
    ("ChangePassword", account::change_password),
    ("GlobalSignOut", account::global_sign_out),
    ("DeleteUser", account::delete_user),
    ("SetUserMFAPreference", account::set_user_mfa_preference),
    ("AssociateSoftwareToken", auth::associate_software_token),
    ("VerifySoftwareToken", auth::verify_software_token),
    ("AdminCreateUser", admin::admin_create_user),
    ("AdminConfirmSignUp", admin::admin_confirm_sign_up),
    ("AdminGetUser", admin::admin_get_user),
    ("AdminDeleteUser", admin::admin_delete_user),
    ("AdminDisableUser", admin::admin_disable_user),
    ("AdminEnableUser", admin::admin_enable_user),
    (
        "AdminUpdateUserAttributes",
        admin::admin_update_user_attributes,
    ),
    ("AdminSetUserPassword", admin::admin_set_user_password),
    ("AdminResetUserPassword", admin::admin_reset_user_password),
    (
        "AdminSetUserMFAPreference",
        admin::admin_set_user_mfa_preference,
    ),
    ("AdminAddUserToGroup", admin::admin_add_user_to_group),
    (
        "AdminRemoveUserFromGroup",
        admin::admin_remove_user_from_group,
    ),
    ("AdminListGroupsForUser", admin::admin_list_groups_for_user),
    ("AdminUserGlobalSignOut", admin::admin_user_global_sign_out),
    ("ConfirmDevice", devices::confirm_device),
    ("GetDevice", devices::get_device),
    ("ListDevices", devices::list_devices),
    ("UpdateDeviceStatus", devices::update_device_status),
    ("ForgetDevice", devices::forget_device),
    ("AdminGetDevice", devices::admin_get_device),
    ("AdminListDevices", devices::admin_list_devices),
    (
        "AdminUpdateDeviceStatus",
        devices::admin_update_device_status,
    ),
    ("AdminForgetDevice", devices::admin_forget_device),
    ("CreateGroup", admin::create_group),
    ("ListUsers", admin::list_users),
];

pub(crate) use admin::{DirectUser, create_user_direct};

/// The current TOTP code of `name`'s verified software token (the emulator's clock).
pub(crate) fn totp_code(ctx: &Ctx<'_>, pool: &Pool, name: &str) -> Result<String, CognitoError> {
    let user = pool.user(&pool.require_user_key(name)?)?;
    let token = user.totp.as_ref().ok_or_else(|| {
        CognitoError::new(
            ErrorKind::SoftwareTokenMfaNotFound,
            "Software Token MFA does not exist for the user.",
        )
    })?;
    Ok(crate::util::totp::code_at(
        &token.secret,
        u64::try_from(ctx.now).unwrap_or(0),
    ))
}

impl Pool {
    /// The key of the user addressed as `name`: the username, or an email / phone number when
    /// the pool uses them as usernames (case-insensitive).
    pub(crate) fn find_user_key(&self, name: &str) -> Option<String> {
        let lower = name.to_lowercase();
        if self.users.contains_key(&lower) {
            return Some(lower);
        }
        for attribute in &self.settings.username_attributes {
            let attr = attribute.attribute();
            if let Some((key, _)) = self.users.iter().find(|(_, u)| {
                u.attributes
                    .get(attr)
                    .is_some_and(|v| v.eq_ignore_ascii_case(name))
            }) {
                return Some(key.clone());
            }
        }
        None
    }

    pub(crate) fn user(&self, key: &str) -> Result<&User, CognitoError> {
        self.users.get(key).ok_or_else(CognitoError::user_not_found)
    }

    pub(crate) fn user_mut(&mut self, key: &str) -> Result<&mut User, CognitoError> {
        self.users
            .get_mut(key)
            .ok_or_else(CognitoError::user_not_found)
    }

    /// Resolves `name` or fails with UserNotFoundException.
    pub(crate) fn require_user_key(&self, name: &str) -> Result<String, CognitoError> {
        self.find_user_key(name)
            .ok_or_else(CognitoError::user_not_found)
    }

    pub(crate) fn client(&self, client_id: &str) -> Result<&Client, CognitoError> {
        self.clients.get(client_id).ok_or_else(|| {
            CognitoError::resource_not_found(format!(
                "User pool client {client_id} does not exist."
            ))
        })
    }

    /// Checks `password` against the pool's policy.
    pub(crate) fn check_password_policy(&self, password: &str) -> Result<(), CognitoError> {
        let policy = &self.settings.password_policy;
        let fail = |what: &str| {
            Err(CognitoError::new(
                ErrorKind::InvalidPassword,
                format!("Password did not conform with policy: {what}"),
            ))
        };
        if u32::try_from(password.chars().count()).unwrap_or(u32::MAX) < policy.min_length {
            return fail("Password not long enough");
        }
        if policy.require_uppercase && !password.chars().any(|c| c.is_ascii_uppercase()) {
            return fail("Password must have uppercase characters");
        }
        if policy.require_lowercase && !password.chars().any(|c| c.is_ascii_lowercase()) {
            return fail("Password must have lowercase characters");
        }
        if policy.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            return fail("Password must have numeric characters");
        }
        if policy.require_symbols && !password.chars().any(is_cognito_symbol) {
            return fail("Password must have symbol characters");
        }
        if password.len() > 256 {
            return Err(CognitoError::invalid_parameter(
                "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256",
            ));
        }
        Ok(())
    }

    /// Checks attribute names and values a client or admin wants to write.
    pub(crate) fn check_attributes(
        &self,
        attributes: &[(String, String)],
        admin: bool,
    ) -> Result<(), CognitoError> {
        for (name, value) in attributes {
            if let Some(custom) = name.strip_prefix("custom:") {
                if !self.settings.custom_attributes.contains(custom) {
                    return Err(CognitoError::invalid_parameter(format!(
                        "Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined"
                    )));
                }
            } else if !STANDARD_ATTRIBUTES.contains(&name.as_str()) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined"
                )));
            }
            if name == "sub" {
                return Err(CognitoError::invalid_parameter(
                    "Cannot modify an immutable attribute: sub",
                ));
            }
            if !admin && (name == "email_verified" || name == "phone_number_verified") {
                return Err(CognitoError::invalid_parameter(format!(
                    "A client attempted to write unauthorized attribute {name}"
                )));
            }
            if value.len() > 2048 {
                return Err(CognitoError::invalid_parameter(format!(
                    "Attributes did not conform to the schema: {name}: String must be no longer than 2048 characters"
                )));
            }
            if name == "email" && !valid_email(value) {
                return Err(CognitoError::invalid_parameter(
                    "Invalid email address format.",
                ));
            }
            if name == "phone_number" && !valid_phone(value) {
                return Err(CognitoError::invalid_parameter(
                    "Invalid phone number format.",
                ));
            }
        }
        Ok(())
    }

    /// Fails with AliasExistsException / UsernameExistsException when another user already uses
    /// `value` as username attribute `attribute`.
    pub(crate) fn check_username_attribute_free(
        &self,
        attribute: &str,
        value: &str,
        except_key: Option<&str>,
        kind: ErrorKind,
    ) -> Result<(), CognitoError> {
        if !self
            .settings
            .username_attributes
            .iter()
            .any(|a| a.attribute() == attribute)
        {
            return Ok(());
        }
        let taken = self.users.iter().any(|(key, u)| {
            Some(key.as_str()) != except_key
                && u.attributes
                    .get(attribute)
                    .is_some_and(|v| v.eq_ignore_ascii_case(value))
        });
        if taken {
            let what = if attribute == "email" {
                "email"
            } else {
                "phone_number"
            };
            return Err(CognitoError::new(
                kind,
                format!("An account with the given {what} already exists."),
            ));
        }
        Ok(())
    }

    /// Sets a new password: a fresh salt and verifier.
    pub(crate) fn set_password(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        password: &str,
    ) -> Result<(), CognitoError> {
        let name = self.name.clone();
        let user = self.user_mut(key)?;
        let salt = ctx.rng.bytes::<16>().to_vec();
        let verifier = srp::verifier(&salt, &name, &user.username, password)
            .map_err(|_| CognitoError::internal("SRP group unavailable"))?;
        user.salt = salt;
        user.verifier = verifier;
        user.passwordless = false;
        user.modified = ctx.now_f64;
        Ok(())
    }

    pub(crate) fn password_matches(&self, user: &User, password: &str) -> bool {
        srp::password_matches(
            &user.verifier,
            &user.salt,
            &self.name,
            &user.username,
            password,
        )
    }

    /// Sends a code for `purpose` to `attribute` and returns the `CodeDeliveryDetails`.
    pub(crate) fn send_code(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        purpose: CodePurpose,
        attribute: &str,
        kind: MessageKind,
    ) -> Result<Value, CognitoError> {
        let validity = match purpose {
            CodePurpose::ForgotPassword => self.settings.reset_code_validity,
            _ => self.settings.code_validity,
        };
        let pool_id = self.id.clone();
        let user = self.user_mut(key)?;
        let destination = user.attributes.get(attribute).cloned().ok_or_else(|| {
            CognitoError::invalid_parameter(format!("The user has no {attribute} attribute."))
        })?;
        let medium = medium_of(attribute);
        let code = ctx.rng.digits(6);
        for old in user.codes.iter_mut().filter(|c| c.purpose == purpose) {
            old.superseded = true;
        }
        user.codes.push(IssuedCode {
            purpose,
            code: code.clone(),
            expires: ctx.now + validity,
            superseded: false,
        });
        user.code_failures = 0;
        ctx.outbox.push(Outgoing {
            user_pool_id: pool_id,
            username: user.username.clone(),
            aliases: aliases(user),
            destination: destination.clone(),
            medium,
            kind,
            code,
            attribute: Some(attribute.to_owned()),
            sent_at: ctx.now_time,
        });
        Ok(delivery_details(&destination, attribute))
    }

    /// Checks a code; on success the code is used up.
    pub(crate) fn check_code(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        purpose: &CodePurpose,
        code: &str,
    ) -> Result<(), CognitoError> {
        let max = self.settings.max_code_attempts;
        let user = self.user_mut(key)?;
        if user.code_failures >= max {
            return Err(CognitoError::new(
                ErrorKind::LimitExceeded,
                "Attempt limit exceeded, please try after some time.",
            ));
        }
        let matching = user.codes.iter().position(|c| {
            &c.purpose == purpose && crate::util::ct_eq(c.code.as_bytes(), code.as_bytes())
        });
        match matching.and_then(|i| user.codes.get(i).cloned().map(|c| (i, c))) {
            Some((_, issued)) if issued.superseded || issued.expires <= ctx.now => {
                Err(CognitoError::new(
                    ErrorKind::ExpiredCode,
                    "Invalid code provided, please request a code again.",
                ))
            }
            Some((index, _)) => {
                user.codes.remove(index);
                user.codes.retain(|c| &c.purpose != purpose);
                user.code_failures = 0;
                Ok(())
            }
            None => {
                user.code_failures += 1;
                Err(CognitoError::new(
                    ErrorKind::CodeMismatch,
                    "Invalid verification code provided, please try again.",
                ))
            }
        }
    }

    /// Sends a sign-in code (SMS MFA, email MFA, the OTP first factors) to the user's `attribute`
    /// or to `to`; not stored on the user: the sign-in session keeps it. Returns the
    /// `CodeDeliveryDetails`, or `None` when there is nowhere to send it.
    pub(crate) fn send_sign_in_code(
        &self,
        ctx: &Ctx<'_>,
        user: &User,
        attribute: &str,
        to: Option<&str>,
        kind: MessageKind,
        code: &str,
    ) -> Option<Value> {
        let destination = match to {
            Some(to) => to.to_owned(),
            None => user.attributes.get(attribute)?.clone(),
        };
        ctx.outbox.push(Outgoing {
            user_pool_id: self.id.clone(),
            username: user.username.clone(),
            aliases: aliases(user),
            destination: destination.clone(),
            medium: medium_of(attribute),
            kind,
            code: code.to_owned(),
            attribute: Some(attribute.to_owned()),
            sent_at: ctx.now_time,
        });
        Some(delivery_details(&destination, attribute))
    }

    /// The attribute sign-up codes go to: the first auto-verified attribute the user has.
    pub(crate) fn sign_up_destination(&self, user: &User) -> Option<String> {
        self.settings
            .auto_verified_attributes
            .iter()
            .find(|a| user.attributes.contains_key(a.as_str()))
            .cloned()
    }

    /// Groups of a user, by precedence then name, for the `cognito:groups` claim.
    pub(crate) fn groups_of(&self, user: &User) -> Vec<String> {
        let mut groups: Vec<&Group> = user
            .groups
            .iter()
            .filter_map(|g| self.groups.get(g))
            .collect();
        groups.sort_by(|a, b| {
            a.precedence
                .unwrap_or(i64::MAX)
                .cmp(&b.precedence.unwrap_or(i64::MAX))
                .then_with(|| a.name.cmp(&b.name))
        });
        groups.iter().map(|g| g.name.clone()).collect()
    }

    /// Role ARNs of the user's groups, by precedence.
    pub(crate) fn roles_of(&self, user: &User) -> Vec<String> {
        self.groups_of(user)
            .iter()
            .filter_map(|g| self.groups.get(g).and_then(|g| g.role_arn.clone()))
            .collect()
    }
}

/// Cognito's allowed password symbols.
fn is_cognito_symbol(c: char) -> bool {
    "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ".contains(c)
}

const STANDARD_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "sub",
    "updated_at",
    "website",
    "zoneinfo",
];

fn valid_email(value: &str) -> bool {
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@') && !value.contains(' ')
        }
        None => false,
    }
}

fn valid_phone(value: &str) -> bool {
    value.strip_prefix('+').is_some_and(|digits| {
        (4..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

pub(crate) fn medium_of(attribute: &str) -> DeliveryMedium {
    if attribute == "phone_number" {
        DeliveryMedium::Sms
    } else {
        DeliveryMedium::Email
    }
}

pub(crate) fn delivery_details(destination: &str, attribute: &str) -> Value {
    json!({
        "Destination": mask_destination(destination),
        "DeliveryMedium": medium_of(attribute).as_str(),
        "AttributeName": attribute,
    })
}

/// Names a test may use to look a user's messages up.
pub(crate) fn aliases(user: &User) -> Vec<String> {
    let mut names = vec![user.sub.clone()];
    for attr in ["email", "phone_number", "preferred_username"] {
        if let Some(v) = user.attributes.get(attr) {
            names.push(v.clone());
        }
    }
    names
}

/// Applies attribute writes; changing an auto-verified attribute marks it unverified and
/// (unless `admin_verified`) sends a verification code. Returns the delivery details sent.
pub(crate) fn apply_attribute_updates(
    ctx: &Ctx<'_>,
    pool: &mut Pool,
    key: &str,
    updates: &[(String, String)],
    send_codes: bool,
) -> Result<Vec<Value>, CognitoError> {
    let mut changed_verifiable = Vec::new();
    {
        let auto_verified = pool.settings.auto_verified_attributes.clone();
        let explicit_verified: BTreeSet<&str> = updates
            .iter()
            .filter(|(n, v)| n.ends_with("_verified") && v == "true")
            .map(|(n, _)| n.as_str())
            .collect();
        let user = pool.user_mut(key)?;
        for (name, value) in updates {
            let old = user.attributes.get(name).cloned();
            if value.is_empty() && !name.ends_with("_verified") {
                user.attributes.remove(name);
            } else {
                user.attributes.insert(name.clone(), value.clone());
            }
            let verifiable = name == "email" || name == "phone_number";
            if verifiable && old.as_deref() != Some(value.as_str()) {
                let flag = format!("{name}_verified");
                if !explicit_verified.contains(flag.as_str()) {
                    user.attributes.insert(flag, "false".to_owned());
                    if auto_verified.contains(name) && !value.is_empty() {
                        changed_verifiable.push(name.clone());
                    }
                }
            }
        }
        user.modified = ctx.now_f64;
    }
    let mut details = Vec::new();
    if send_codes {
        for attribute in changed_verifiable {
            details.push(pool.send_code(
                ctx,
                key,
                CodePurpose::Attribute(attribute.clone()),
                &attribute,
                MessageKind::AttributeVerification,
            )?);
        }
    }
    Ok(details)
}

#[cfg(test)]
mod lockout_tests {
    use super::Lockout;

    #[test]
    fn five_free_failures_then_doubling_locks_capped_at_fifteen_minutes() {
        let mut l = Lockout::default();
        let mut now = 1000;
        for _ in 0..5 {
            l.check(now).unwrap();
            l.record(now, false);
        }
        // n = 5: 2^0 = 1 second.
        assert!(l.check(now).is_err());
        now += 1;
        l.check(now).unwrap();
        l.record(now, false);
        // n = 6: 2 seconds; refused attempts do not lengthen it.
        assert!(l.check(now + 1).is_err());
        l.check(now + 2).unwrap();
        for _ in 0..20 {
            l.record(now, false);
        }
        assert!(l.check(now + 899).is_err());
        // 15 quiet minutes after the last attempt reset the count.
        l.check(now + 899 + 900).unwrap();
        l.record(now + 1799, false);
        l.check(now + 1799).unwrap();
        // A correct password resets it too.
        let mut l = Lockout::default();
        for _ in 0..4 {
            l.record(now, false);
        }
        l.record(now, true);
        l.record(now, false);
        l.check(now).unwrap();
    }
}
