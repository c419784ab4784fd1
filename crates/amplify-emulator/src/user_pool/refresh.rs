//! Refresh and revocation: REFRESH_TOKEN_AUTH's checks, GetTokensFromRefreshToken (with
//! rotation) and RevokeToken.

use serde_json::{Value, json};

use super::UserPools;
use super::signup::{Target, require_flow, target};
use super::tokens::{self, Origin, RefreshGrant};
use crate::context::Ctx;
use crate::error::{CognitoError, ErrorKind};
use crate::protocol::Input;
use crate::spec::AuthFlow;
use crate::state::State;

/// Refuses `REFRESH_TOKEN_AUTH` / `REFRESH_TOKEN` on an app client with refresh-token rotation.
///
/// AWS documents the refusal but not its error: "Refresh token rotation must be completed with
/// GetTokensFromRefreshToken. With refresh token rotation disabled, you can complete token
/// refresh with GetTokensFromRefreshToken and with REFRESH_TOKEN_AUTH in InitiateAuth:AuthFlow
/// and AdminInitiateAuth:AuthFlow" (API reference, `RefreshTokenRotationType`), and "You can't
/// authenticate with REFRESH_TOKEN_AUTH in app clients with refresh token rotation enabled"
/// (developer guide, "Refresh tokens"). Neither names the exception and no captured answer was
/// found, so this answers with the InitiateAuth / AdminInitiateAuth model error whose
/// documentation describes the case: `UnsupportedOperationException`, "thrown when you attempt
/// to perform an operation that isn't enabled for the user pool client". Real Cognito may answer
/// `InvalidParameterException` ("... flow not enabled for this client") instead, since the guide
/// also says the flow must be disabled on a rotating client: clients should treat both as "use
/// GetTokensFromRefreshToken".
pub(super) fn refuse_refresh_flow_with_rotation(
    target: &Target,
    flow: &str,
) -> Result<(), CognitoError> {
    if target.client.refresh_token_rotation {
        return Err(CognitoError::new(
            ErrorKind::UnsupportedOperation,
            format!(
                "{flow} is not supported for an app client with refresh token rotation enabled; use GetTokensFromRefreshToken."
            ),
        ));
    }
    Ok(())
}

/// A refresh token that passed [`check_refresh_token`].
pub(super) struct CheckedRefresh {
    pub(super) family: String,
    pub(super) user_key: String,
    pub(super) expires: i64,
}

/// Validates a refresh token for `target`'s client.
pub(super) fn check_refresh_token(
    ctx: &Ctx<'_>,
    st: &UserPools,
    target: &Target,
    token: &str,
) -> Result<CheckedRefresh, CognitoError> {
    let invalid = || CognitoError::not_authorized("Invalid Refresh Token");
    let record = st.refresh_tokens.get(token).ok_or_else(invalid)?;
    let family = st.families.get(&record.family).ok_or_else(invalid)?;
    if family.client_id != target.client.id {
        return Err(invalid());
    }
    if family.revoked {
        return Err(CognitoError::not_authorized(
            "Refresh Token has been revoked",
        ));
    }
    // API reference, `RefreshTokenRotationType.RetryGracePeriodSeconds`: the rotated-out token
    // "can remain valid for a period of time of up to 60 seconds. This allows for client-side
    // retries. When RetryGracePeriodSeconds is 0, the grace period is disabled and a successful
    // request immediately invalidates the submitted refresh token." After that the model's
    // `RefreshTokenReuseException` applies: "thrown when your application requests token refresh
    // with a refresh token that has been invalidated by refresh-token rotation".
    if let Some(replaced) = record.replaced_at
        && ctx.now >= replaced + target.client.rotation_grace_period
    {
        return Err(CognitoError::new(
            ErrorKind::RefreshTokenReuse,
            "Refresh token has been invalidated by refresh token rotation.",
        ));
    }
    if record.expires <= ctx.now {
        return Err(CognitoError::not_authorized("Refresh Token has expired"));
    }
    let user = st
        .pool(&family.pool_id)?
        .users
        .get(&family.user_key)
        .ok_or_else(|| CognitoError::not_authorized("User does not exist."))?;
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    Ok(CheckedRefresh {
        family: record.family.clone(),
        user_key: family.user_key.clone(),
        expires: record.expires,
    })
}

pub(super) fn get_tokens_from_refresh_token(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let target = target(st, input)?;
    let token = input.str("RefreshToken")?;
    let secret = input.opt_str("ClientSecret")?;
    let device_key = input.opt_str("DeviceKey")?;
    input.str_map("ClientMetadata")?;
    let rotate = target.client.refresh_token_rotation;
    // A rotating client must have REFRESH_TOKEN_AUTH disabled ("To implement refresh token
    // rotation, you must deactivate this authentication flow in your app client", developer
    // guide, "Refresh tokens"), so only a non-rotating client needs the flow for this operation.
    if !rotate {
        require_flow(&target, AuthFlow::RefreshToken, "REFRESH_TOKEN_AUTH")?;
    }
    target.client.check_client_secret(secret)?;
    let st = &mut st.user_pools;
    let checked = check_refresh_token(ctx, st, &target, token)?;
    // `DeviceKey`: "When you enable device remembering, Amazon Cognito issues a device key that
    // you can use for device authentication that bypasses multi-factor authentication (MFA). To
    // implement GetTokensFromRefreshToken in a user pool with device remembering, you must
    // capture the device key from the initial authentication request" (API reference).
    super::auth::check_refresh_device(st, &target.pool_id, &checked.user_key, device_key)?;
    let grant = if rotate {
        RefreshGrant::Rotated {
            expires: checked.expires,
        }
    } else {
        RefreshGrant::None
    };
    let result = tokens::issue(
        ctx,
        st,
        &target.pool_id,
        &target.client.id,
        &checked.user_key,
        Origin::Refresh(checked.family),
        grant,
    )?;
    if rotate && let Some(record) = st.refresh_tokens.get_mut(token) {
        record.replaced_at.get_or_insert(ctx.now);
    }
    Ok(json!({ "AuthenticationResult": result }))
}

pub(super) fn revoke_token(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let target = target(st, input)?;
    let token = input.str("Token")?;
    let secret = input.opt_str("ClientSecret")?;
    target.client.check_client_secret(secret)?;
    let st = &mut st.user_pools;
    let Some(record) = st.refresh_tokens.get(token) else {
        if crate::jwt::decode(token).is_some() {
            return Err(CognitoError::new(
                ErrorKind::UnsupportedTokenType,
                "Unsupported token type",
            ));
        }
        return Ok(json!({}));
    };
    let family_id = record.family.clone();
    let family = st
        .families
        .get_mut(&family_id)
        .ok_or_else(|| CognitoError::not_authorized("Invalid Refresh Token"))?;
    if family.client_id != target.client.id {
        return Err(CognitoError::new(
            ErrorKind::UnauthorizedClient,
            "Client is not authorized to revoke this token",
        ));
    }
    family.revoked = true;
    Ok(json!({}))
}
