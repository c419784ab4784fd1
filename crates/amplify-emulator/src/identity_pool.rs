//! Identity pools: the `AWSCognitoIdentityService` operations.
//!
//! Logins are verified for real: user pool ID tokens against the pool's key, OIDC tokens against
//! the emulator's issuers, and `cognito-identity.amazonaws.com` tokens (from
//! GetOpenIdTokenForDeveloperIdentity) against the identity pool. One login maps to one stable
//! identity id.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::context::{Ctx, Op};
use crate::credentials::IssuedCredentials;
use crate::error::{CognitoError, ErrorKind};
use crate::jwt;
use crate::protocol::Input;
use crate::state::State;
use crate::state::identity::{Identity, IdentityPool};
use crate::timefmt::from_epoch;
use crate::user_pool::tokens::{self, TokenProblem};

/// The issuer of identity-pool OpenID tokens.
pub(crate) const COGNITO_IDENTITY_ISSUER: &str = "https://cognito-identity.amazonaws.com";
/// The `Logins` key for those tokens.
pub(crate) const COGNITO_IDENTITY_PROVIDER: &str = "cognito-identity.amazonaws.com";

/// The identity pool operations, by `X-Amz-Target` operation name.
pub(crate) const OPERATIONS: &[(&str, Op)] = &[
    ("GetId", get_id),
    ("GetCredentialsForIdentity", get_credentials_for_identity),
    ("GetOpenIdToken", get_open_id_token),
    (
        "GetOpenIdTokenForDeveloperIdentity",
        get_open_id_token_for_developer_identity,
    ),
    ("DescribeIdentity", describe_identity),
];

/// What a verified login proves.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Proof {
    /// A user of a provider: `<provider>|<subject>`.
    Login(String),
    /// Possession of an identity (a `cognito-identity.amazonaws.com` token).
    Identity { id: String, authenticated: bool },
}

fn pool<'a>(st: &'a State, id: &str) -> Result<&'a IdentityPool, CognitoError> {
    st.identity
        .pools
        .get(id)
        .ok_or_else(|| CognitoError::resource_not_found(format!("IdentityPool '{id}' not found.")))
}

fn invalid_token(detail: &str) -> CognitoError {
    CognitoError::not_authorized(format!("Invalid login token. {detail}"))
}

fn verify_login(
    ctx: &Ctx<'_>,
    st: &State,
    pool: &IdentityPool,
    provider: &str,
    token: &str,
) -> Result<Proof, CognitoError> {
    if provider == COGNITO_IDENTITY_PROVIDER {
        let decoded = jwt::decode(token)
            .ok_or_else(|| invalid_token("Not a valid OpenId Connect identity token."))?;
        if !decoded.verify_with(&ctx.keys.federation)
            || decoded.claim_str("iss") != Some(COGNITO_IDENTITY_ISSUER)
        {
            return Err(invalid_token("Not a valid OpenId Connect identity token."));
        }
        if decoded.claim_str("aud") != Some(pool.id.as_str()) {
            return Err(invalid_token("Incorrect token audience."));
        }
        if decoded.claim_i64("exp").is_none_or(|exp| exp <= ctx.now) {
            return Err(invalid_token("Token expired."));
        }
        let id = decoded
            .claim_str("sub")
            .ok_or_else(|| invalid_token("Missing sub."))?
            .to_owned();
        let authenticated = decoded
            .claims
            .get("amr")
            .and_then(Value::as_array)
            .is_some_and(|amr| amr.iter().any(|v| v == "authenticated"));
        return Ok(Proof::Identity { id, authenticated });
    }
    if let Some((_, user_pool_id)) = provider.rsplit_once('/') {
        let Some(user_pool) = st.user_pools.pools.get(user_pool_id) else {
            return Err(CognitoError::not_authorized(
                "Token is not from a supported provider of this identity pool.",
            ));
        };
        let canonical = format!(
            "cognito-idp.{}.amazonaws.com/{}",
            user_pool.region, user_pool.id
        );
        let endpoint_form = format!(
            "{}/{}",
            ctx.endpoint
                .strip_prefix("http://")
                .or_else(|| ctx.endpoint.strip_prefix("https://"))
                .unwrap_or(ctx.endpoint),
            user_pool.id
        );
        let trusted = pool
            .spec
            .user_pools
            .as_ref()
            .is_none_or(|ids| ids.contains(&user_pool.id));
        if (provider != canonical && provider != endpoint_form) || !trusted {
            return Err(CognitoError::not_authorized(
                "Token is not from a supported provider of this identity pool.",
            ));
        }
        let checked =
            tokens::check(ctx, &st.user_pools, token, Some("id")).map_err(
                |problem| match problem {
                    TokenProblem::Expired => invalid_token("Token expired."),
                    TokenProblem::Revoked => invalid_token("Token has been revoked."),
                    TokenProblem::UserDisabled => CognitoError::not_authorized("User is disabled."),
                    _ => invalid_token("Not a valid OpenId Connect identity token."),
                },
            )?;
        if checked.pool_id != user_pool.id {
            return Err(invalid_token("Issuer doesn't match providerName"));
        }
        let sub = checked.decoded.claim_str("sub").unwrap_or_default();
        return Ok(Proof::Login(format!("{canonical}|{sub}")));
    }
    let issuer = ctx
        .issuers
        .iter()
        .find(|i| i.provider_name == provider)
        .filter(|i| {
            pool.spec
                .oidc_providers
                .as_ref()
                .is_none_or(|names| names.contains(&i.provider_name))
        })
        .ok_or_else(|| {
            CognitoError::not_authorized(
                "Token is not from a supported provider of this identity pool.",
            )
        })?;
    let decoded = jwt::decode(token)
        .ok_or_else(|| invalid_token("Not a valid OpenId Connect identity token."))?;
    if !decoded.verify_with(&ctx.keys.federation) {
        return Err(invalid_token("Not a valid OpenId Connect identity token."));
    }
    if decoded.claim_str("iss") != Some(issuer.issuer.as_str()) {
        return Err(invalid_token("Issuer doesn't match providerName"));
    }
    if decoded.claim_i64("exp").is_none_or(|exp| exp <= ctx.now) {
        return Err(invalid_token("Token expired."));
    }
    let sub = decoded
        .claim_str("sub")
        .ok_or_else(|| invalid_token("Missing sub."))?;
    Ok(Proof::Login(format!("{}|{sub}", issuer.provider_name)))
}

fn verify_logins(
    ctx: &Ctx<'_>,
    st: &State,
    pool: &IdentityPool,
    logins: &BTreeMap<String, String>,
) -> Result<Vec<Proof>, CognitoError> {
    if logins.len() > 10 {
        return Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'logins' failed to satisfy constraint: Member must have length less than or equal to 10",
        ));
    }
    logins
        .iter()
        .map(|(p, t)| verify_login(ctx, st, pool, p, t))
        .collect()
}

fn new_identity(
    ctx: &Ctx<'_>,
    st: &mut State,
    pool: &IdentityPool,
    logins: BTreeSet<String>,
) -> String {
    let id = format!("{}:{}", pool.region, ctx.rng.uuid());
    for key in &logins {
        st.identity
            .logins
            .insert((pool.id.clone(), key.clone()), id.clone());
    }
    st.identity.identities.insert(
        id.clone(),
        Identity {
            pool_id: pool.id.clone(),
            logins,
            created: ctx.now_f64,
            modified: ctx.now_f64,
        },
    );
    id
}

fn logins_mismatch() -> CognitoError {
    CognitoError::not_authorized(
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
    )
}

/// Links the proven logins to `identity_id`; fails when one belongs to another identity.
fn link(
    st: &mut State,
    pool_id: &str,
    identity_id: &str,
    proofs: &[Proof],
    now: f64,
) -> Result<(), CognitoError> {
    for proof in proofs {
        match proof {
            Proof::Identity { id, .. } if id != identity_id => return Err(logins_mismatch()),
            Proof::Identity { .. } => {}
            Proof::Login(key) => match st.identity.logins.get(&(pool_id.to_owned(), key.clone())) {
                Some(existing) if existing != identity_id => return Err(logins_mismatch()),
                Some(_) => {}
                None => {
                    st.identity
                        .logins
                        .insert((pool_id.to_owned(), key.clone()), identity_id.to_owned());
                    if let Some(identity) = st.identity.identities.get_mut(identity_id) {
                        identity.logins.insert(key.clone());
                        identity.modified = now;
                    }
                }
            },
        }
    }
    Ok(())
}

fn get_id(ctx: &Ctx<'_>, st: &mut State, input: Input<'_>) -> Result<Value, CognitoError> {
    let pool_id = input.str("IdentityPoolId")?;
    input.opt_str("AccountId")?;
    let logins = input.str_map("Logins")?;
    let pool = pool(st, pool_id)?.clone();
    if logins.is_empty() {
        if !pool.spec.allow_guests {
            return Err(CognitoError::not_authorized(
                "Unauthenticated access is not supported for this identity pool.",
            ));
        }
        let id = new_identity(ctx, st, &pool, BTreeSet::new());
        return Ok(json!({ "IdentityId": id }));
    }
    let proofs = verify_logins(ctx, st, &pool, &logins)?;
    let mut candidates = BTreeSet::new();
    for proof in &proofs {
        match proof {
            Proof::Identity { id, .. } => {
                candidates.insert(id.clone());
            }
            Proof::Login(key) => {
                if let Some(id) = st.identity.logins.get(&(pool.id.clone(), key.clone())) {
                    candidates.insert(id.clone());
                }
            }
        }
    }
    let id = match candidates.len() {
        0 => {
            let keys = proofs
                .iter()
                .filter_map(|p| match p {
                    Proof::Login(k) => Some(k.clone()),
                    Proof::Identity { .. } => None,
                })
                .collect();
            new_identity(ctx, st, &pool, keys)
        }
        1 => {
            let id = candidates.into_iter().next().unwrap_or_default();
            if st
                .identity
                .identities
                .get(&id)
                .is_none_or(|i| i.pool_id != pool.id)
            {
                return Err(CognitoError::resource_not_found(format!(
                    "Identity '{id}' not found."
                )));
            }
            link(st, &pool.id, &id, &proofs, ctx.now_f64)?;
            id
        }
        _ => {
            return Err(CognitoError::new(
                ErrorKind::ResourceConflict,
                "The logins belong to different identities.",
            ));
        }
    };
    Ok(json!({ "IdentityId": id }))
}

/// Checks that the caller may act as `identity_id`; returns (pool, authenticated).
fn authorize(
    ctx: &Ctx<'_>,
    st: &mut State,
    identity_id: &str,
    logins: &BTreeMap<String, String>,
) -> Result<(IdentityPool, bool), CognitoError> {
    let identity = st
        .identity
        .identities
        .get(identity_id)
        .cloned()
        .ok_or_else(|| {
            CognitoError::resource_not_found(format!("Identity '{identity_id}' not found."))
        })?;
    let pool = pool(st, &identity.pool_id)?.clone();
    if logins.is_empty() {
        if !identity.logins.is_empty() {
            return Err(logins_mismatch());
        }
        if !pool.spec.allow_guests {
            return Err(CognitoError::not_authorized(
                "Unauthenticated access is not supported for this identity pool.",
            ));
        }
        return Ok((pool, false));
    }
    let proofs = verify_logins(ctx, st, &pool, logins)?;
    let proves_identity = proofs.iter().any(|p| match p {
        Proof::Login(key) => identity.logins.contains(key),
        Proof::Identity { id, .. } => id == identity_id,
    });
    if !identity.logins.is_empty() && !proves_identity {
        return Err(logins_mismatch());
    }
    link(st, &pool.id, identity_id, &proofs, ctx.now_f64)?;
    let authenticated = proofs.iter().any(|p| match p {
        Proof::Login(_) => true,
        Proof::Identity { authenticated, .. } => *authenticated,
    });
    Ok((pool, authenticated))
}

fn get_credentials_for_identity(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let identity_id = input.str("IdentityId")?;
    let logins = input.str_map("Logins")?;
    let custom_role = input.opt_str("CustomRoleArn")?;
    let (pool, authenticated) = authorize(ctx, st, identity_id, &logins)?;
    let validity = i64::try_from(pool.spec.credentials_validity.as_secs()).unwrap_or(3600);
    let expiration = ctx.now.saturating_add(validity);
    let role_arn = match (custom_role, authenticated) {
        (Some(role), true) => role.to_owned(),
        (_, true) => pool.spec.authenticated_role_arn.clone(),
        (_, false) => pool.spec.unauthenticated_role_arn.clone(),
    };
    let issued = IssuedCredentials {
        access_key_id: format!("ASIA{}", ctx.rng.upper_alnum(16)),
        secret_access_key: ctx.rng.alnum(40),
        session_token: ctx.rng.token(300),
        expiration: from_epoch(expiration),
        identity_id: identity_id.to_owned(),
        identity_pool_id: pool.id,
        authenticated,
        role_arn,
    };
    let out = json!({
        "IdentityId": identity_id,
        "Credentials": {
            "AccessKeyId": issued.access_key_id,
            "SecretKey": issued.secret_access_key,
            "SessionToken": issued.session_token,
            "Expiration": expiration,
        }
    });
    ctx.credentials.insert(issued);
    Ok(out)
}

fn open_id_token(
    ctx: &Ctx<'_>,
    pool: &IdentityPool,
    identity_id: &str,
    amr: &[String],
    validity: i64,
) -> Result<String, CognitoError> {
    ctx.keys.federation.sign(&json!({
        "iss": COGNITO_IDENTITY_ISSUER,
        "sub": identity_id,
        "aud": pool.id,
        "amr": amr,
        "iat": ctx.now,
        "exp": ctx.now.saturating_add(validity),
        "https://aws.amazon.com/tags": {},
    }))
}

fn get_open_id_token(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let identity_id = input.str("IdentityId")?;
    let logins = input.str_map("Logins")?;
    let (pool, authenticated) = authorize(ctx, st, identity_id, &logins)?;
    let mut amr = vec![
        if authenticated {
            "authenticated"
        } else {
            "unauthenticated"
        }
        .to_owned(),
    ];
    amr.extend(logins.keys().cloned());
    let token = open_id_token(ctx, &pool, identity_id, &amr, 600)?;
    Ok(json!({ "IdentityId": identity_id, "Token": token }))
}

fn get_open_id_token_for_developer_identity(
    ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let pool_id = input.str("IdentityPoolId")?;
    let requested = input.opt_str("IdentityId")?;
    let logins = input.str_map("Logins")?;
    input.str_map("PrincipalTags")?;
    let duration = input.opt_i64("TokenDuration")?.unwrap_or(900);
    if !(1..=86_400).contains(&duration) {
        return Err(CognitoError::invalid_parameter(
            "TokenDuration must be between 1 and 86400.",
        ));
    }
    let pool = pool(st, pool_id)?.clone();
    let provider = pool.spec.developer_provider_name.clone().ok_or_else(|| {
        CognitoError::not_authorized("The identity pool has no developer provider.")
    })?;
    let user_id = logins
        .get(&provider)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            CognitoError::not_authorized(format!(
                "Logins must contain the developer provider {provider}."
            ))
        })?;
    let key = format!("{provider}|{user_id}");
    let existing = st
        .identity
        .logins
        .get(&(pool.id.clone(), key.clone()))
        .cloned();
    let id = match (requested, existing) {
        (Some(requested), Some(existing)) if requested != existing => {
            return Err(CognitoError::new(
                ErrorKind::ResourceConflict,
                "The developer user is already linked to another identity.",
            ));
        }
        (_, Some(existing)) => existing,
        (Some(requested), None) => {
            if st
                .identity
                .identities
                .get(requested)
                .is_none_or(|i| i.pool_id != pool.id)
            {
                return Err(CognitoError::resource_not_found(format!(
                    "Identity '{requested}' not found."
                )));
            }
            link(st, &pool.id, requested, &[Proof::Login(key)], ctx.now_f64)?;
            requested.to_owned()
        }
        (None, None) => new_identity(ctx, st, &pool, BTreeSet::from([key])),
    };
    let token = open_id_token(
        ctx,
        &pool,
        &id,
        &["authenticated".to_owned(), provider],
        duration,
    )?;
    Ok(json!({ "IdentityId": id, "Token": token }))
}

fn describe_identity(
    _ctx: &Ctx<'_>,
    st: &mut State,
    input: Input<'_>,
) -> Result<Value, CognitoError> {
    let identity_id = input.str("IdentityId")?;
    let identity = st.identity.identities.get(identity_id).ok_or_else(|| {
        CognitoError::resource_not_found(format!("Identity '{identity_id}' not found."))
    })?;
    let providers: BTreeSet<&str> = identity
        .logins
        .iter()
        .filter_map(|k| k.split_once('|').map(|(p, _)| p))
        .collect();
    Ok(json!({
        "IdentityId": identity_id,
        "Logins": providers,
        "CreationDate": identity.created,
        "LastModifiedDate": identity.modified,
    }))
}
