//! The GraphQL page: the API's modes, keys and schema, and a query runner. The runner is the
//! page's script calling the emulator's own `POST /graphql` with the headers the chosen mode
//! needs, so every query goes through the normal authorization: an API key as is, a user pool
//! access token the console issues for a confirmed, enabled user ([`token`], a sign-in that
//! skips only the password), an OIDC token minted by `POST /_emulator/oidc/token`, or a Lambda
//! authorization token typed in, or (IAM) AWS credentials the page gets from the identity pool
//! (`GetId` + `GetCredentialsForIdentity`, as a guest or with a console-issued ID token as the
//! login) and a SigV4 signature it computes with WebCrypto, as Amplify's IAM mode does.

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
    let identity_pool = backend.with_state(|_, st| st.identity.pools.keys().next().cloned());
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
         <p data-mode=\"AWS_IAM\"><label>Username <input id=\"iam-user\"></label> \
         (credentials from identity pool <code>{identity_pool}</code> for this user's ID token, or as a guest when \
         empty; the page signs the request with SigV4)</p>\
         <p><label>Query<br><textarea id=\"query\" rows=\"8\">query {{ __typename }}</textarea></label></p>\
         <p><label>Variables (JSON)<br><textarea id=\"variables\" rows=\"3\">{{}}</textarea></label></p>\
         <p><button type=\"submit\" id=\"run\">Run</button></p></form>\
         <p id=\"result-status\"></p><pre id=\"result\"></pre>\
         <h2>Schema</h2><pre id=\"schema\">{schema}</pre>\
         <script>const RUNNER = {{csrf: {csrf}, tokenUrl: {token_url}, graphqlUrl: '/graphql', \
         oidcIssuer: {issuer}, oidcAudience: {audience}, region: {region}, identityPoolId: {identity_pool_js}}};\
         {RUNNER_SCRIPT}</script>",
        schema = esc(&api.sdl),
        csrf = js_string(csrf),
        token_url = js_string(&format!("{PREFIX}/graphql/token")),
        issuer = js_string(api.auth.jwt.oidc_issuer.as_deref().unwrap_or_default()),
        audience = js_string(api.auth.jwt.oidc_client_id.as_deref().unwrap_or_default()),
        region = js_string(&api.auth.region),
        identity_pool = esc(identity_pool.as_deref().unwrap_or("(none)")),
        identity_pool_js = js_string(identity_pool.as_deref().unwrap_or_default()),
    ));
    html::page_response(StatusCode::OK, "GraphQL", &body)
}

const RUNNER_SCRIPT: &str = r#"
(function () {
  const $ = (id) => document.getElementById(id);
  const enc = new TextEncoder();
  const hex = (buf) => Array.from(new Uint8Array(buf)).map((b) => b.toString(16).padStart(2, '0')).join('');
  const sha256 = async (text) => hex(await crypto.subtle.digest('SHA-256', enc.encode(text)));
  async function hmac(key, text) {
    const raw = typeof key === 'string' ? enc.encode(key) : key;
    const k = await crypto.subtle.importKey('raw', raw, {name: 'HMAC', hash: 'SHA-256'}, false, ['sign']);
    return crypto.subtle.sign('HMAC', k, enc.encode(text));
  }
  function showMode() {
    for (const p of document.querySelectorAll('[data-mode]')) {
      p.hidden = p.dataset.mode !== $('mode').value;
    }
  }
  $('mode').addEventListener('change', showMode);
  showMode();
  async function answer(r) {
    const body = await r.json();
    if (!r.ok) { throw new Error((body.type || body.__type || '') + ' ' + (body.message || ('HTTP ' + r.status))); }
    return body;
  }
  async function poolTokens(username) {
    const body = new URLSearchParams({csrf: RUNNER.csrf, username});
    return answer(await fetch(RUNNER.tokenUrl, {method: 'POST', body}));
  }
  async function identity(operation, request) {
    return answer(await fetch('/', {method: 'POST', body: JSON.stringify(request), headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AWSCognitoIdentityService.' + operation}}));
  }
  async function iamHeaders(body) {
    const logins = {};
    if ($('iam-user').value) {
      const tokens = await poolTokens($('iam-user').value);
      logins[tokens.provider] = tokens.idToken;
    }
    const id = await identity('GetId', {IdentityPoolId: RUNNER.identityPoolId, Logins: logins});
    const creds = (await identity('GetCredentialsForIdentity', {IdentityId: id.IdentityId, Logins: logins})).Credentials;
    const now = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const day = now.slice(0, 8);
    const headers = {'content-type': 'application/json', 'host': location.host, 'x-amz-date': now,
                     'x-amz-security-token': creds.SessionToken};
    const names = Object.keys(headers).sort();
    const canonical = ['POST', RUNNER.graphqlUrl, '', names.map((n) => n + ':' + headers[n] + '\n').join(''),
                       names.join(';'), await sha256(body)].join('\n');
    const scope = day + '/' + RUNNER.region + '/appsync/aws4_request';
    const toSign = ['AWS4-HMAC-SHA256', now, scope, await sha256(canonical)].join('\n');
    let key = await hmac('AWS4' + creds.SecretKey, day);
    for (const part of [RUNNER.region, 'appsync', 'aws4_request']) { key = await hmac(key, part); }
    const signature = hex(await hmac(key, toSign));
    return {'X-Amz-Date': now, 'X-Amz-Security-Token': creds.SessionToken,
            'Authorization': 'AWS4-HMAC-SHA256 Credential=' + creds.AccessKeyId + '/' + scope +
              ', SignedHeaders=' + names.join(';') + ', Signature=' + signature};
  }
  async function authHeaders(mode, body) {
    if (mode === 'API_KEY') { return {'x-api-key': $('api-key').value}; }
    if (mode === 'AMAZON_COGNITO_USER_POOLS') {
      return {'Authorization': (await poolTokens($('pool-user').value)).accessToken};
    }
    if (mode === 'OPENID_CONNECT') {
      const request = {issuer: RUNNER.oidcIssuer, sub: $('oidc-sub').value};
      if (RUNNER.oidcAudience) { request.aud = RUNNER.oidcAudience; }
      const minted = await answer(await fetch('/_emulator/oidc/token', {method: 'POST', body: JSON.stringify(request)}));
      return {'Authorization': minted.token};
    }
    if (mode === 'AWS_LAMBDA') { return {'Authorization': $('lambda-token').value}; }
    if (mode === 'AWS_IAM') { return iamHeaders(body); }
    throw new Error('The runner does not know the mode ' + mode + '.');
  }
  $('runner').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('result-status').textContent = 'running...';
    $('result').textContent = '';
    try {
      const variables = JSON.parse($('variables').value || '{}');
      const body = JSON.stringify({query: $('query').value, variables});
      const headers = Object.assign({'Content-Type': 'application/json'}, await authHeaders($('mode').value, body));
      const r = await fetch(RUNNER.graphqlUrl, {method: 'POST', headers, body});
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
/// the pool's first app client, and the pool's `Logins` key for identity pools (`provider`). It is
/// a new sign-in family, so the tokens verify, revoke and expire like any others.
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
        let provider = format!("cognito-idp.{}.amazonaws.com/{pool_id}", pool.region);
        let result = tokens::issue(
            ctx,
            &mut st.user_pools,
            &pool_id,
            &client_id,
            &key,
            Origin::SignIn,
            RefreshGrant::None,
        )?;
        Ok((result, provider))
    });
    match issued {
        Ok((result, provider)) => super::json(&json!({
            "accessToken": at(&result, "AccessToken"),
            "idToken": at(&result, "IdToken"),
            "provider": provider,
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
