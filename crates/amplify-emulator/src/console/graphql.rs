//! The GraphQL page: the API's modes, keys and schema, and a query runner. The runner is the
//! page's script calling the emulator's own `POST /graphql` with the headers the chosen mode
//! needs, so every query goes through the normal authorization: an API key as is, a user pool
//! access token the console issues for a confirmed, enabled user ([`token`], a sign-in that
//! skips only the password), an OIDC token minted by `POST /_emulator/oidc/token`, or a Lambda
//! authorization token typed in. IAM requests need SigV4, which the page does not compute.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::json;

use super::html::{self, esc, table};
use super::pages::{at, js_string};
use super::{PREFIX, Params};
use crate::backend::Backend;
use crate::error::CognitoError;
use crate::state::user_pool::UserStatus;
use crate::timefmt::iso8601_millis;
use crate::user_pool::tokens::{self, Origin, RefreshGrant};

/// The GraphQL page.
pub(super) fn page(backend: &Backend, csrf: &str) -> Response<Bytes> {
    let Some(api) = &backend.appsync().graphql else {
        return html::page_response(
            StatusCode::OK,
            "GraphQL",
            "<p>This emulator serves no GraphQL API.</p>",
        );
    };
    let described = crate::appsync::describe(api, &backend.graphql_url());
    let modes: Vec<&str> = std::iter::once(api.default_mode.as_str())
        .chain(api.additional_modes.iter().map(|m| m.as_str()))
        .collect();
    let keys: Vec<Vec<String>> = api
        .auth
        .keys
        .iter()
        .map(|k| vec![k.key.clone(), iso8601_millis(k.expires)])
        .collect();
    let mut body = format!(
        "<dl><dt>Name</dt><dd>{}</dd><dt>URL</dt><dd><code>{}</code></dd><dt>Default mode</dt><dd>{}</dd>\
         <dt>Additional modes</dt><dd>{}</dd><dt>User pool</dt><dd>{}</dd><dt>OIDC issuer</dt><dd>{}</dd></dl>",
        esc(&api.name),
        esc(at(&described, "url").as_str().unwrap_or_default()),
        esc(api.default_mode.as_str()),
        esc(&modes.get(1..).unwrap_or_default().join(", ")),
        esc(api.auth.jwt.user_pool_id.as_deref().unwrap_or("none")),
        esc(api.auth.jwt.oidc_issuer.as_deref().unwrap_or("none")),
    );
    body.push_str("<h2>API keys</h2>");
    body.push_str(&table("api-keys", &["Key", "Expires"], &keys));
    let options: String = modes
        .iter()
        .map(|m| format!("<option value=\"{0}\">{0}</option>", esc(m)))
        .collect();
    let key_options: String = api
        .auth
        .keys
        .iter()
        .map(|k| format!("<option>{}</option>", esc(&k.key)))
        .collect();
    body.push_str(&format!(
        "<h2>Query runner</h2>\
         <p>Sends the query to <code>POST /graphql</code> from this page, with the headers of the \
         chosen mode; the emulator authorizes it as it does any client's request (the Requests \
         page shows its decision).</p>\
         <form id=\"runner\"><p><label>Authorization mode <select id=\"mode\">{options}</select></label></p>\
         <p data-mode=\"API_KEY\"><label>API key <select id=\"api-key\">{key_options}</select></label></p>\
         <p data-mode=\"AMAZON_COGNITO_USER_POOLS\"><label>Username <input id=\"pool-user\"></label> \
         (the console issues an access token for this confirmed, enabled user of the API's pool)</p>\
         <p data-mode=\"OPENID_CONNECT\"><label>Subject <input id=\"oidc-sub\" value=\"console-user\"></label> \
         (a token of the API's OIDC issuer, minted by the emulator)</p>\
         <p data-mode=\"AWS_LAMBDA\"><label>Authorization token <input id=\"lambda-token\"></label></p>\
         <p data-mode=\"AWS_IAM\">IAM requests need a SigV4 signature, which this page does not compute: \
         call the API from your app or a test.</p>\
         <p><label>Query<br><textarea id=\"query\" rows=\"8\">query {{ __typename }}</textarea></label></p>\
         <p><label>Variables (JSON)<br><textarea id=\"variables\" rows=\"3\">{{}}</textarea></label></p>\
         <p><button type=\"submit\" id=\"run\">Run</button></p></form>\
         <p id=\"result-status\"></p><pre id=\"result\"></pre>\
         <h2>Schema</h2><pre id=\"schema\">{schema}</pre>\
         <script>const RUNNER = {{csrf: {csrf}, tokenUrl: {token_url}, graphqlUrl: '/graphql', \
         oidcIssuer: {issuer}, oidcAudience: {audience}}};{RUNNER_SCRIPT}</script>",
        schema = esc(&api.sdl),
        csrf = js_string(csrf),
        token_url = js_string(&format!("{PREFIX}/graphql/token")),
        issuer = js_string(api.auth.jwt.oidc_issuer.as_deref().unwrap_or_default()),
        audience = js_string(api.auth.jwt.oidc_client_id.as_deref().unwrap_or_default()),
    ));
    html::page_response(StatusCode::OK, "GraphQL", &body)
}

const RUNNER_SCRIPT: &str = r#"
(function () {
  const $ = (id) => document.getElementById(id);
  function showMode() {
    for (const p of document.querySelectorAll('[data-mode]')) {
      p.hidden = p.dataset.mode !== $('mode').value;
    }
  }
  $('mode').addEventListener('change', showMode);
  showMode();
  async function authHeaders(mode) {
    if (mode === 'API_KEY') { return {'x-api-key': $('api-key').value}; }
    if (mode === 'AMAZON_COGNITO_USER_POOLS') {
      const body = new URLSearchParams({csrf: RUNNER.csrf, username: $('pool-user').value});
      const r = await fetch(RUNNER.tokenUrl, {method: 'POST', body});
      const answer = await r.json();
      if (!r.ok) { throw new Error(answer.message || ('HTTP ' + r.status)); }
      return {'Authorization': answer.accessToken};
    }
    if (mode === 'OPENID_CONNECT') {
      const request = {issuer: RUNNER.oidcIssuer, sub: $('oidc-sub').value};
      if (RUNNER.oidcAudience) { request.aud = RUNNER.oidcAudience; }
      const r = await fetch('/_emulator/oidc/token', {method: 'POST', body: JSON.stringify(request)});
      const answer = await r.json();
      if (!r.ok) { throw new Error(answer.message || ('HTTP ' + r.status)); }
      return {'Authorization': answer.token};
    }
    if (mode === 'AWS_LAMBDA') { return {'Authorization': $('lambda-token').value}; }
    throw new Error('The runner cannot sign ' + mode + ' requests.');
  }
  $('runner').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('result-status').textContent = 'running...';
    $('result').textContent = '';
    try {
      const variables = JSON.parse($('variables').value || '{}');
      const headers = Object.assign({'Content-Type': 'application/json'}, await authHeaders($('mode').value));
      const r = await fetch(RUNNER.graphqlUrl, {method: 'POST', headers, body: JSON.stringify({query: $('query').value, variables})});
      const text = await r.text();
      $('result-status').textContent = 'HTTP ' + r.status;
      try { $('result').textContent = JSON.stringify(JSON.parse(text), null, 2); }
      catch (e) { $('result').textContent = text; }
    } catch (e) {
      $('result-status').textContent = 'error: ' + e.message;
    }
  });
})();
"#;

/// `POST /_emulator/console/graphql/token` (`username`): an access and ID token of the GraphQL
/// API's user pool (the first pool when the API names none) for a confirmed, enabled user, from
/// the pool's first app client. It is a new sign-in family, so the tokens verify, revoke and
/// expire like any others.
pub(super) fn token(backend: &Backend, fields: &Params<'_>) -> Response<Bytes> {
    let username = fields.str("username");
    let api_pool = backend
        .appsync()
        .graphql
        .as_ref()
        .and_then(|api| api.auth.jwt.user_pool_id.clone());
    let issued = backend.with_state(|ctx, st| {
        let pool_id = match api_pool {
            Some(id) => id,
            None => st
                .user_pools
                .pools
                .keys()
                .next()
                .cloned()
                .ok_or_else(|| CognitoError::resource_not_found("The emulator has no user pool."))?,
        };
        let pool = st.user_pools.pool(&pool_id)?;
        let key = pool.require_user_key(username)?;
        let user = pool.user(&key)?;
        if !user.enabled || user.status != UserStatus::Confirmed {
            return Err(CognitoError::not_authorized(format!(
                "The console issues tokens only for confirmed, enabled users; {username} is {} and {}.",
                user.status.as_str(),
                if user.enabled { "enabled" } else { "disabled" }
            )));
        }
        let client_id = pool.clients.keys().next().cloned().ok_or_else(|| {
            CognitoError::resource_not_found(format!("User pool {pool_id} has no app client."))
        })?;
        tokens::issue(
            ctx,
            &mut st.user_pools,
            &pool_id,
            &client_id,
            &key,
            Origin::SignIn,
            RefreshGrant::None,
        )
    });
    match issued {
        Ok(result) => super::json(&json!({
            "accessToken": at(&result, "AccessToken"),
            "idToken": at(&result, "IdToken"),
        })),
        Err(e) => {
            let mut response = super::json(&json!({
                "type": e.kind().as_str(),
                "message": e.message(),
            }));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
    }
}
