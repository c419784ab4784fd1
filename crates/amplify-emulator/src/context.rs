//! The shared request context of the services: what an operation may use besides the state
//! (the clock reading, randomness, keys, outbox, issued credentials, OIDC issuers), and the shape
//! of an AWS JSON operation.

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
}

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
        }
    }
}
