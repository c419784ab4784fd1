//! A strict local Amazon Cognito for offline tests: user pools and identity pools that real
//! clients sign in against, plus AppSync GraphQL and REST APIs that verify every authorization
//! mode (API key, user pool JWTs, SigV4, OIDC, Lambda).
//!
//! Unlike other emulators it checks what Cognito checks: SRP password proofs (real SRP-6a
//! math), `SECRET_HASH`, RS256 JWT signatures, confirmation and MFA codes, token revocation,
//! refresh-token rotation (`RefreshTokenReuseException` after the grace period) and the
//! password lockout (`Password attempts exceeded`). [`Fault`] makes any operation answer any
//! modeled [`ErrorKind`], a proxy's HTML page or AWS's unknown-operation answer.
//! It speaks AWS JSON 1.1 (`X-Amz-Target: AWSCognitoIdentityProviderService.<Op>` and
//! `AWSCognitoIdentityService.<Op>`) on one endpoint, so the official AWS SDK crates, boto3,
//! pycognito and amplify-js work against it unmodified.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use amplify_emulator::{Emulator, UserPoolSpec, UserSpec, IdentityPoolSpec};
//!
//! let emulator = Emulator::builder()
//!     .user_pool(UserPoolSpec::new("us-east-1").user(UserSpec::new("alice", "Passw0rd!").email("a@example.com")))
//!     .identity_pool(IdentityPoolSpec::new())
//!     .start()
//!     .await?;
//! // Point a client at emulator.endpoint(), or configure Amplify with:
//! let outputs = emulator.amplify_outputs_json();
//! // Codes the pool "sends" land in the outbox:
//! // let code = emulator.outbox().next_code_for("bob").await;
//! # let _ = outputs;
//! # Ok(())
//! # }
//! ```
//!
//! # What it serves
//!
//! * `POST /` with `X-Amz-Target`: the operations listed by [`supported_targets`].
//! * `GET /<poolId>/.well-known/jwks.json` and `/<poolId>/.well-known/openid-configuration`.
//! * `GET /_emulator/outbox[?to=<username|email|phone>]`: sent messages and codes.
//! * `POST /_emulator/oidc/token` (`{"issuer", "sub", "aud"?, "claims"?}`): a test OIDC token;
//!   `GET /_emulator/oidc/jwks.json`: the key that signs them.
//! * `GET /_emulator/health`.
//! * `GET /_emulator/amplify_outputs.json`, `/_emulator/amplifyconfiguration.json` and
//!   `/_emulator/aws-exports.json`: the documents of [`EmulatorHandle::amplify_outputs_json`]
//!   (Gen 2), [`EmulatorHandle::amplify_configuration_json`] (Gen 1, native) and
//!   [`EmulatorHandle::aws_exports_json`] (Gen 1, web: what Amplify JS reads).
//! * `POST /graphql`: an AppSync GraphQL API ([`GraphQlApiSpec`]) that checks every
//!   authorization mode for real, and `/rest/<name>/...`: REST APIs ([`RestApiSpec`]).
//!   `GET /_emulator/graphql` describes the GraphQL API.
//! * `GET /_emulator/console`: a web console (loopback only) over users, the outbox, identity
//!   pools, the GraphQL API and the request log, with admin actions.
//! * `GET /graphql/realtime` (WebSocket, `graphql-ws`): AppSync's realtime protocol for
//!   subscriptions, authorized at connect and at every `start` like `POST /graphql`, with
//!   `@aws_subscribe` fan-out, Amplify `filter` arguments, field-level authorization, keep-alives
//!   and the `realtime-connect` / `realtime-start` / `realtime-ka` faults ([`Fault`]).
//!
//! # Persistent state
//!
//! [`EmulatorBuilder::data_dir`] (`amplify-emulator serve --data-dir DIR`) keeps the state in a
//! SQLite database so that it survives a restart, for using the emulator as an app's local
//! backend: users, groups, devices, revocations, identities, issued AWS credentials, the outbox,
//! GraphQL and REST items. Each transaction is committed before its answer; the seed applies
//! only to a new directory. Without it, the state is in memory and nothing is serialized.
//!
//! # Layers
//!
//! ```text
//!  HTTP + public API   handle (Emulator, builder, handle)  server (hyper)  seed  config_docs  console (web UI)
//!                      backend: Backend core, backend/build (specs -> state), backend/routing (CORS)
//!         |
//!  services            user_pool (AWSCognitoIdentityProviderService ops)   identity_pool
//!                      appsync (GraphQL, REST, per-mode auth)   verify (token checks)
//!                      context (Ctx: clock reading, rng, keys, outbox; Op)
//!         |
//!  state | protocol    state (State behind Store::transact; state/user_pool, state/identity,
//!                      state/persist: the data directory in SQLite),
//!                      outbox, credentials, faults  |  protocol (AWS JSON 1.1 framing), srp, jwt,
//!                      timefmt, oidc
//!         |
//!  base                error, spec, triggers, util
//! ```
//!
//! Each layer imports only from layers below it (protocol never touches state; state may hold
//! protocol values), and the modules below the HTTP layer import each other without cycles:
//! `cargo xtask check-layout` (also a test of `cargo test --workspace`) enforces it, and that no
//! file in `src/` exceeds 800 lines. A new Cognito operation is a function `fn(&Ctx, &mut State,
//! Input) -> Result<Value, CognitoError>` in its service plus a row in that service's `OPERATIONS`
//! table; new remembered data goes in `state`; a new endpoint is a route in `backend/routing.rs`
//! that calls a service.
//!
//! The RSA keys that sign tokens are fixed development keys checked into the crate: never trust
//! emulator tokens outside tests.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod appsync;
mod backend;
mod config_docs;
mod console;
mod context;
mod credentials;
mod error;
mod faults;
mod handle;
mod identity_pool;
mod jwt;
mod oauth;
mod oidc;
mod outbox;
mod protocol;
mod seed;
mod server;
mod spec;
mod srp;
mod state;
mod timefmt;
pub mod triggers;
mod user_pool;
mod util;
mod verify;

pub use amplify_core::time::{ManualTimeSource, SharedTimeSource, SystemTimeSource, TimeSource};
pub use appsync::{
    ApiKeySpec, AuthMode, GraphQlApiSpec, Identity, LambdaAuthRequest, LambdaAuthResult,
    ResolverContext, ResolverError, RestApiSpec, RestItems, TodoStore, sample_todo_schema,
};
pub use backend::{Backend, supported_targets};
pub use credentials::{CredentialStore, IamPrincipalSpec, IssuedCredentials};
pub use error::{CognitoError, DataDirError, DataDirErrorKind, EmulatorError, ErrorKind};
pub use faults::{Fault, Faults, RequestCounters};
pub use handle::{Admin, Emulator, EmulatorBuilder, EmulatorHandle};
pub use oidc::OidcToken;
pub use outbox::{DeliveryMedium, Message, MessageKind, Outbox};
pub use spec::{
    AppClientSpec, AuthFlow, DeviceConfiguration, FirstFactor, GroupSpec, IdentityPoolSpec,
    MfaConfiguration, MfaMethod, PasswordPolicy, SeedStatus, UserPoolSpec, UserSpec,
    UsernameAttribute,
};
pub use spec::{IdentityProviderSpec, OAuthClientSpec, OAuthFlow, ProviderType};
pub use util::totp;
pub use verify::{TokenError, VerifiedToken};

#[cfg(test)]
mod send_sync {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn public_types_are_send_and_sync() {
        assert_send_sync::<Backend>();
        assert_send_sync::<EmulatorHandle>();
        assert_send_sync::<Outbox>();
        assert_send_sync::<Faults>();
        assert_send_sync::<RequestCounters>();
        assert_send_sync::<CredentialStore>();
        assert_send_sync::<triggers::SharedCustomAuthTriggers>();
        assert_send_sync::<GraphQlApiSpec>();
        assert_send_sync::<RestApiSpec>();
        assert_send_sync::<TodoStore>();
        assert_send_sync::<RestItems>();
        assert_send_sync::<Identity>();
        assert_send(&Emulator::builder().start());
        let outbox = Outbox::default();
        assert_send(&outbox.next_code_for("x"));
    }
}
