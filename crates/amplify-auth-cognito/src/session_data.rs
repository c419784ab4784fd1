//! The plain data of a session, shared by the session manager and the credential store.

use amplify_core::AwsCredentials;

use crate::tokens::{FederationToken, UserPoolTokens};
use crate::types::SignInDetails;

/// Everything a signed-in (or guest, or federated) session holds.
#[derive(Clone, Default)]
pub(crate) struct Session {
    pub(crate) user_pool: Option<UserPoolSession>,
    pub(crate) federation: Option<Federation>,
    pub(crate) identity_id: Option<String>,
    pub(crate) aws_credentials: Option<AwsCredentials>,
}

#[derive(Clone)]
pub(crate) struct UserPoolSession {
    pub(crate) tokens: UserPoolTokens,
    pub(crate) username: String,
    pub(crate) sign_in_details: SignInDetails,
}

#[derive(Clone)]
pub(crate) struct Federation {
    pub(crate) provider: String,
    pub(crate) token: FederationToken,
}

/// A published session. `generation` changes whenever the signed-in identity changes (sign-in,
/// sign-out, federation), so a refresh that started for an older identity cannot overwrite a
/// newer one.
pub(crate) struct Snapshot {
    pub(crate) session: Session,
    pub(crate) generation: u64,
}
