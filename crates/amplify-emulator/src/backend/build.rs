//! Building the emulator from specs: pools, clients, groups, seeded users, identity pools and
//! the APIs, each checked the way Cognito and AppSync check them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use amplify_core::time::SharedTimeSource;

use super::{Backend, Inner};
use crate::appsync::{self, AppSync, GraphQlApiSpec, RestApiSpec};
use crate::context::{Ctx, CtxParts};
use crate::credentials::CredentialStore;
use crate::error::EmulatorError;
use crate::faults::{Faults, RequestCounters};
use crate::jwt::Keys;
use crate::oidc::OidcIssuer;
use crate::outbox::Outbox;
use crate::spec::{AppClientSpec, IdentityPoolSpec, UserPoolSpec};
use crate::state::identity::IdentityPool;
use crate::state::persist::Persist;
use crate::state::{State, Store};
use crate::user_pool::{self, Client, Group, Pool, PoolSettings};
use crate::util::Rng;

mod oauth;

pub(crate) use oauth::HostedUiLayout;

/// What the configuration documents describe: ids and settings of the pools, in spec order.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) user_pools: Vec<PoolLayout>,
    pub(crate) identity_pools: Vec<(String, String, bool)>,
    /// The GraphQL API (first) and the REST APIs.
    pub(crate) apis: Vec<appsync::ApiLayout>,
}

/// One user pool in the layout.
#[derive(Debug, Clone)]
pub(crate) struct PoolLayout {
    pub(crate) id: String,
    pub(crate) region: String,
    /// (client id, secret).
    pub(crate) clients: Vec<(String, Option<String>)>,
    pub(crate) settings: PoolSettings,
    pub(crate) groups: Vec<(String, Option<i64>)>,
    /// The first app client's hosted UI, if it has OAuth settings.
    pub(crate) hosted_ui: Option<HostedUiLayout>,
}

/// What the builder hands over.
pub(crate) struct BuildParts {
    pub(crate) user_pools: Vec<UserPoolSpec>,
    pub(crate) identity_pools: Vec<IdentityPoolSpec>,
    pub(crate) oidc_issuers: Vec<String>,
    pub(crate) clock: SharedTimeSource,
    pub(crate) rng_seed: Option<[u8; 32]>,
    pub(crate) endpoint: String,
    pub(crate) graphql_api: Option<GraphQlApiSpec>,
    pub(crate) rest_apis: Vec<RestApiSpec>,
    /// The data directory (`EmulatorBuilder::data_dir`).
    pub(crate) data_dir: Option<std::path::PathBuf>,
}

fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
}

fn secs(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

impl Backend {
    pub(crate) fn build(parts: BuildParts) -> Result<Self, EmulatorError> {
        let outbox = Outbox::default();
        let credentials = CredentialStore::default();
        // With a data directory, the ids, secrets and keys the spec leaves to the emulator come
        // from a generator seeded by the directory's stored seed (so a restart builds the same
        // pools, clients and APIs), and everything generated at run time from a fresh one (so
        // no id repeats one issued before the restart).
        let (persist, id_rng, stored) = match &parts.data_dir {
            Some(dir) => {
                let (persist, stored) = Persist::open(dir, outbox.clone(), credentials.clone())
                    .map_err(EmulatorError::DataDir)?;
                let seed = match (stored, parts.rng_seed) {
                    (Some(seed), _) | (None, Some(seed)) => seed,
                    (None, None) => Rng::from_os()?.bytes::<32>(),
                };
                (
                    Some(persist),
                    Some((Rng::from_seed(seed), seed)),
                    stored.is_some(),
                )
            }
            None => (None, None, false),
        };
        let rng = match (parts.rng_seed, &persist) {
            (Some(seed), None) => Rng::from_seed(seed),
            _ => Rng::from_os()?,
        };
        let build_rng = id_rng.as_ref().map_or(&rng, |(r, _)| r);
        let keys = Keys::load()?;
        let mut issuers: Vec<OidcIssuer> = vec![OidcIssuer::new("https://accounts.google.com")];
        let api_issuers = AppSync::issuers_of(parts.graphql_api.as_ref(), &parts.rest_apis);
        let idp_issuers = oauth::issuers(&parts.user_pools);
        for issuer in parts
            .oidc_issuers
            .iter()
            .chain(&api_issuers)
            .chain(&idp_issuers)
        {
            let issuer = OidcIssuer::new(issuer);
            if issuer.provider_name.is_empty() {
                return Err(EmulatorError::InvalidSpec(
                    "an OIDC issuer needs a host".to_owned(),
                ));
            }
            if !issuers.contains(&issuer) {
                issuers.push(issuer);
            }
        }
        let mut state = State::default();
        let mut layout = Layout {
            user_pools: Vec::new(),
            identity_pools: Vec::new(),
            apis: Vec::new(),
        };
        let now = parts.clock.now();
        let ctx_parts = |rng| CtxParts {
            rng,
            keys: &keys,
            outbox: &outbox,
            endpoint: &parts.endpoint,
            credentials: &credentials,
            issuers: &issuers,
        };
        let ctx = Ctx::at(now, ctx_parts(build_rng));
        // Seeded users draw from the run-time generator (the same one without a data
        // directory), so that a user added to or removed from the seed of a stored directory
        // does not change the ids generated after it.
        let user_ctx = Ctx::at(now, ctx_parts(&rng));
        for spec in &parts.user_pools {
            let (mut pool, order) = build_pool(&ctx, spec)?;
            if state.user_pools.pools.contains_key(&pool.id) {
                return Err(EmulatorError::InvalidSpec(format!(
                    "duplicate user pool id {}",
                    pool.id
                )));
            }
            let clients_in_use: BTreeSet<&String> = state
                .user_pools
                .pools
                .values()
                .flat_map(|p| p.clients.keys())
                .collect();
            if let Some(dup) = pool.clients.keys().find(|c| clients_in_use.contains(c)) {
                return Err(EmulatorError::InvalidSpec(format!(
                    "duplicate app client id {dup}"
                )));
            }
            let hosted_ui = oauth::add_pool(&mut state, spec, &pool.id, &order)?;
            layout.user_pools.push(PoolLayout {
                id: pool.id.clone(),
                region: pool.region.clone(),
                clients: order
                    .iter()
                    .filter_map(|id| pool.clients.get(id))
                    .map(|c| (c.id.clone(), c.secret.clone()))
                    .collect(),
                settings: pool.settings.clone(),
                groups: pool
                    .groups
                    .values()
                    .map(|g| (g.name.clone(), g.precedence))
                    .collect(),
                hosted_ui,
            });
            for user in &spec.users {
                user_pool::create_user_direct(
                    &user_ctx,
                    &mut pool,
                    user_pool::DirectUser {
                        username: &user.username,
                        password: &user.password,
                        attributes: user
                            .attributes
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                        status: user.status,
                        groups: &user.groups,
                        enabled: user.enabled,
                        sms_mfa: user.sms_mfa,
                    },
                )
                .map_err(EmulatorError::Admin)?;
            }
            state.user_pools.pools.insert(pool.id.clone(), pool);
        }
        let default_region = layout
            .user_pools
            .first()
            .map_or_else(|| "us-east-1".to_owned(), |p| p.region.clone());
        for spec in &parts.identity_pools {
            let region = spec
                .region
                .clone()
                .unwrap_or_else(|| default_region.clone());
            if !valid_region(&region) {
                return Err(EmulatorError::InvalidSpec(format!(
                    "invalid region {region:?}"
                )));
            }
            let id = spec
                .id
                .clone()
                .unwrap_or_else(|| format!("{region}:{}", build_rng.uuid()));
            let valid_id = id.split_once(':').is_some_and(|(r, rest)| {
                r == region
                    && !rest.is_empty()
                    && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
            if !valid_id {
                return Err(EmulatorError::InvalidSpec(format!(
                    "identity pool id {id:?} must look like \"{region}:<uuid>\""
                )));
            }
            layout
                .identity_pools
                .push((id.clone(), region.clone(), spec.allow_guests));
            state.identity.pools.insert(
                id.clone(),
                IdentityPool {
                    id,
                    region,
                    spec: spec.clone(),
                },
            );
        }
        let pool_ids: Vec<String> = layout.user_pools.iter().map(|p| p.id.clone()).collect();
        let appsync = AppSync::build(
            &appsync::BuildEnv {
                rng: build_rng,
                store_rng: &rng,
                persist: persist.as_ref(),
                clock: &parts.clock,
                default_region: &default_region,
                first_pool: pool_ids.first().map(String::as_str),
                pools: &pool_ids,
            },
            parts.graphql_api,
            parts.rest_apis,
        )?;
        layout.apis = appsync.layout();
        let console = crate::console::ConsoleState::new(&rng);
        if let (Some(persist), Some((_, seed))) = (&persist, id_rng) {
            if stored {
                persist
                    .restore_state(&mut state)
                    .map_err(EmulatorError::DataDir)?;
                appsync.restore(persist).map_err(EmulatorError::DataDir)?;
            } else {
                persist
                    .initialise(&mut state, seed)
                    .map_err(EmulatorError::DataDir)?;
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                store: Store::new(state, persist),
                clock: parts.clock,
                rng,
                keys,
                outbox,
                faults: Faults::default(),
                counters: RequestCounters::default(),
                credentials,
                issuers,
                endpoint: Mutex::new(parts.endpoint),
                layout,
                appsync,
                panics: Mutex::new(Vec::new()),
                console,
            }),
        })
    }
}

/// The longest `RetryGracePeriodSeconds` Cognito accepts.
pub(crate) const MAX_ROTATION_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Builds a pool; also returns its client ids in spec order.
fn build_pool(ctx: &Ctx<'_>, spec: &UserPoolSpec) -> Result<(Pool, Vec<String>), EmulatorError> {
    if !valid_region(&spec.region) {
        return Err(EmulatorError::InvalidSpec(format!(
            "invalid region {:?}",
            spec.region
        )));
    }
    let id = spec
        .id
        .clone()
        .unwrap_or_else(|| format!("{}_{}", spec.region, ctx.rng.alnum(9)));
    let name = match id.split_once('_') {
        Some((region, name))
            if region == spec.region
                && !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            name.to_owned()
        }
        _ => {
            return Err(EmulatorError::InvalidSpec(format!(
                "user pool id {id:?} must look like \"{}_<letters and digits>\"",
                spec.region
            )));
        }
    };
    let policy = &spec.password_policy;
    if !(6..=99).contains(&policy.min_length) {
        return Err(EmulatorError::InvalidSpec(
            "password min_length must be 6 to 99".to_owned(),
        ));
    }
    for attribute in spec
        .required_attributes
        .iter()
        .chain(&spec.auto_verified_attributes)
    {
        if attribute.starts_with("custom:") {
            return Err(EmulatorError::InvalidSpec(format!(
                "{attribute}: only standard attributes can be required or auto-verified"
            )));
        }
    }
    let mut clients = BTreeMap::new();
    let mut order = Vec::new();
    let default_client = [AppClientSpec::default()];
    let client_specs: &[AppClientSpec] = if spec.clients.is_empty() {
        &default_client
    } else {
        &spec.clients
    };
    for c in client_specs {
        let id = c.id.clone().unwrap_or_else(|| ctx.rng.alnum_lower(26));
        if clients.contains_key(&id) {
            return Err(EmulatorError::InvalidSpec(format!(
                "duplicate app client id {id}"
            )));
        }
        order.push(id.clone());
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(EmulatorError::InvalidSpec(format!(
                "invalid app client id {id:?}"
            )));
        }
        // API reference, `RefreshTokenRotationType.RetryGracePeriodSeconds`: "Valid Range:
        // Minimum value of 0. Maximum value of 60."
        if c.rotation_grace_period > MAX_ROTATION_GRACE {
            return Err(EmulatorError::InvalidSpec(format!(
                "app client {id}: rotation_grace_period is {:?}, but Cognito's RetryGracePeriodSeconds allows 0 to 60 seconds",
                c.rotation_grace_period
            )));
        }
        let secret = c
            .secret
            .clone()
            .or_else(|| c.generate_secret.then(|| ctx.rng.alnum_lower(51)));
        clients.insert(
            id.clone(),
            Client {
                id,
                name: c.name.clone(),
                secret,
                auth_flows: c.auth_flows.clone(),
                refresh_token_rotation: c.refresh_token_rotation,
                rotation_grace_period: secs(c.rotation_grace_period),
                access_token_validity: secs(c.access_token_validity).max(1),
                id_token_validity: secs(c.id_token_validity).max(1),
                refresh_token_validity: secs(c.refresh_token_validity).max(1),
                auth_session_validity: secs(c.auth_session_validity).max(1),
                prevent_user_existence_errors: c.prevent_user_existence_errors,
            },
        );
    }
    let groups = spec
        .groups
        .iter()
        .map(|g| {
            (
                g.name.clone(),
                Group {
                    name: g.name.clone(),
                    precedence: g.precedence,
                    role_arn: g.role_arn.clone(),
                },
            )
        })
        .collect();
    let pool = Pool {
        id,
        name,
        region: spec.region.clone(),
        settings: PoolSettings {
            password_policy: spec.password_policy.clone(),
            required_attributes: spec.required_attributes.clone(),
            username_attributes: spec.username_attributes.clone(),
            auto_verified_attributes: spec.auto_verified_attributes.clone(),
            custom_attributes: spec.custom_attributes.iter().cloned().collect(),
            mfa: spec.mfa,
            mfa_methods: spec.mfa_methods.clone(),
            code_validity: secs(spec.code_validity),
            reset_code_validity: secs(spec.reset_code_validity),
            mfa_code_validity: secs(spec.mfa_code_validity),
            first_factors: spec.first_factors.clone(),
            devices: spec.device_configuration,
            max_code_attempts: spec.max_code_attempts,
        },
        clients,
        groups,
        users: crate::state::tracked::Tracked::default(),
        triggers: spec.triggers.clone(),
    };
    Ok((pool, order))
}
