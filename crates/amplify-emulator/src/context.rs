//! The shared request context of the services: what an operation may use besides the state
//! (the clock reading, randomness, keys, outbox, issued credentials, OIDC issuers), and the shape
//! of an AWS JSON operation.

use std::cell::RefCell;
use std::time::SystemTime;

use serde_json::Value;

use crate::credentials::CredentialStore;
use crate::error::CognitoError;
use crate::jwt::Keys;
use crate::oidc::OidcIssuer;
use crate::outbox::Outbox;
use crate::protocol::Input;
use crate::state::State;
use crate::timefmt::{epoch_f64, epoch_secs};
use crate::util::Rng;

/// An operation: request members and state in, response members or a Cognito error out.
pub(crate) type Op = fn(&Ctx<'_>, &mut State, Input<'_>) -> Result<Value, CognitoError>;

/// What an operation may use besides the state: the clock reading, randomness, keys, outbox.
pub(crate) struct Ctx<'a> {
    pub(crate) now: i64,
    pub(crate) now_f64: f64,
    pub(crate) now_time: SystemTime,
    pub(crate) rng: &'a Rng,
    pub(crate) keys: &'a Keys,
    pub(crate) outbox: &'a Outbox,
    pub(crate) endpoint: &'a str,
    pub(crate) credentials: &'a CredentialStore,
    pub(crate) issuers: &'a [OidcIssuer],
    /// `Some` while user-pool JWTs are signed after the state lock is released (see
    /// [`Ctx::defer_signing`]): the claims of every token issued so far.
    deferred: RefCell<Option<Vec<Value>>>,
}

/// The stand-in for a deferred token: a NUL can appear in no token or user input that reaches a
/// response, so only the stand-ins match.
const DEFERRED_PREFIX: &str = "\u{0}amplify-emulator-deferred-jwt:";

/// The long-lived parts a [`Ctx`] borrows.
#[derive(Clone, Copy)]
pub(crate) struct CtxParts<'a> {
    pub(crate) rng: &'a Rng,
    pub(crate) keys: &'a Keys,
    pub(crate) outbox: &'a Outbox,
    pub(crate) endpoint: &'a str,
    pub(crate) credentials: &'a CredentialStore,
    pub(crate) issuers: &'a [OidcIssuer],
}

impl<'a> Ctx<'a> {
    /// A context for a request arriving at `now_time`.
    pub(crate) fn at(now_time: SystemTime, parts: CtxParts<'a>) -> Self {
        Ctx {
            now: epoch_secs(now_time),
            now_f64: epoch_f64(now_time),
            now_time,
            rng: parts.rng,
            keys: parts.keys,
            outbox: parts.outbox,
            endpoint: parts.endpoint,
            credentials: parts.credentials,
            issuers: parts.issuers,
            deferred: RefCell::new(None),
        }
    }

    /// From now on [`Ctx::sign_user_pool_jwt`] only records the claims and returns a stand-in;
    /// [`Ctx::finish_signing`] signs them and puts the tokens in place. RS256 signing is most of
    /// the CPU time of a refresh or sign-in, and this lets it run outside the state mutex, in
    /// parallel (measured: 46% of a 200-user load run's samples were RSA signing under the lock).
    pub(crate) fn defer_signing(&self) {
        *self.deferred.borrow_mut() = Some(Vec::new());
    }

    /// Signs user-pool token `claims` now, or records them when signing is deferred.
    pub(crate) fn sign_user_pool_jwt(&self, claims: Value) -> Result<String, CognitoError> {
        let mut deferred = self.deferred.borrow_mut();
        match deferred.as_mut() {
            Some(pending) => {
                pending.push(claims);
                Ok(format!("{DEFERRED_PREFIX}{}", pending.len() - 1))
            }
            None => self.keys.user_pool.sign(&claims),
        }
    }

    /// Signs the deferred tokens and replaces their stand-ins in `result` (call it after the
    /// state lock is released). Every stand-in must be found exactly once.
    pub(crate) fn finish_signing(
        &self,
        result: Result<Value, CognitoError>,
    ) -> Result<Value, CognitoError> {
        let pending = self.deferred.borrow_mut().take().unwrap_or_default();
        let mut value = result?;
        if pending.is_empty() {
            return Ok(value);
        }
        let tokens = pending
            .iter()
            .map(|claims| self.keys.user_pool.sign(claims))
            .collect::<Result<Vec<_>, _>>()?;
        let mut placed = vec![false; tokens.len()];
        replace_stand_ins(&mut value, &tokens, &mut placed);
        if placed.iter().all(|p| *p) {
            Ok(value)
        } else {
            Err(CognitoError::internal(
                "a deferred token was not found in the answer",
            ))
        }
    }
}

fn replace_stand_ins(value: &mut Value, tokens: &[String], placed: &mut [bool]) {
    match value {
        Value::String(s) => {
            if let Some(index) = s
                .strip_prefix(DEFERRED_PREFIX)
                .and_then(|i| i.parse::<usize>().ok())
                && let (Some(token), Some(flag)) = (tokens.get(index), placed.get_mut(index))
            {
                *s = token.clone();
                *flag = true;
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| replace_stand_ins(v, tokens, placed)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| replace_stand_ins(v, tokens, placed)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use serde_json::json;

    use super::*;
    use crate::jwt;

    fn with_ctx(f: impl FnOnce(&Ctx<'_>)) {
        let keys = Keys::load().unwrap();
        let rng = Rng::from_seed([7; 32]);
        let outbox = Outbox::default();
        let credentials = CredentialStore::default();
        let ctx = Ctx::at(
            SystemTime::UNIX_EPOCH,
            CtxParts {
                rng: &rng,
                keys: &keys,
                outbox: &outbox,
                endpoint: "http://127.0.0.1:1",
                credentials: &credentials,
                issuers: &[],
            },
        );
        f(&ctx);
    }

    #[test]
    fn deferred_tokens_are_signed_and_put_in_place() {
        with_ctx(|ctx| {
            ctx.defer_signing();
            let access = ctx
                .sign_user_pool_jwt(json!({"token_use": "access"}))
                .unwrap();
            let id = ctx.sign_user_pool_jwt(json!({"token_use": "id"})).unwrap();
            assert!(access.starts_with('\u{0}') && access != id);
            let answer = json!({"AuthenticationResult": {"AccessToken": access, "IdToken": id}});
            let done = ctx.finish_signing(Ok(answer)).unwrap();
            let result = &done["AuthenticationResult"];
            for (field, token_use) in [("AccessToken", "access"), ("IdToken", "id")] {
                let decoded = jwt::decode(result[field].as_str().unwrap()).unwrap();
                assert!(decoded.verify_with(&ctx.keys.user_pool), "{field}");
                assert_eq!(decoded.claim_str("token_use"), Some(token_use));
            }
            // Back to signing at once afterwards.
            let now = ctx.sign_user_pool_jwt(json!({"sub": "x"})).unwrap();
            assert!(jwt::decode(&now).unwrap().verify_with(&ctx.keys.user_pool));
        });
    }

    #[test]
    fn a_lost_stand_in_is_an_internal_error_and_errors_pass_through() {
        with_ctx(|ctx| {
            ctx.defer_signing();
            let _dropped = ctx.sign_user_pool_jwt(json!({"sub": "x"})).unwrap();
            let e = ctx.finish_signing(Ok(json!({"ok": true}))).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::InternalError);

            ctx.defer_signing();
            let _ = ctx.sign_user_pool_jwt(json!({"sub": "y"})).unwrap();
            let refused = CognitoError::invalid_parameter("no");
            let e = ctx.finish_signing(Err(refused)).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::InvalidParameter);
        });
    }
}
