//! `sign_in_with_web_ui`: Cognito's managed login with authorization code + PKCE, for desktop,
//! CLI and server apps (a loopback redirect, RFC 8252), or for apps that open the URL and catch
//! the redirect themselves.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use amplify_core::config::OAuthConfig;
use amplify_core::hub::{AuthHubEvent, AuthUser};

use crate::AuthError;
use crate::error::{HostedUiError, HostedUiErrorKind};
use crate::hosted_ui::{self, AuthorizeRequest, CodeVerifier, HostedUiProvider, http, listener};
use crate::plugin::{CognitoAuthPlugin, Configured};
use crate::session_data::{Session, UserPoolSession};
use crate::tokens::{Jwt, RefreshToken, UserPoolTokens};
use crate::types::{SignInDetails, SignInMethod, SignInResult, SignInStep};

/// How long `send()` waits for the browser's redirect by default.
pub const DEFAULT_WEB_UI_TIMEOUT: Duration = Duration::from_secs(300);

type UrlOpener = Arc<dyn Fn(&str) -> Result<(), amplify_core::BoxError> + Send + Sync>;

/// Builder for [`CognitoAuthPlugin::sign_in_with_web_ui`].
#[must_use = "call .send().await, or .start() to open the URL yourself"]
pub struct SignInWithWebUiBuilder {
    plugin: CognitoAuthPlugin,
    provider: Option<HostedUiProvider>,
    redirect_uri: Option<String>,
    scopes: Option<Vec<String>>,
    opener: Option<UrlOpener>,
    timeout: Duration,
}

impl fmt::Debug for SignInWithWebUiBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInWithWebUiBuilder")
            .field("provider", &self.provider)
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .field("custom_opener", &self.opener.is_some())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl SignInWithWebUiBuilder {
    /// Goes straight to this identity provider (`identity_provider`), skipping the choice.
    pub fn provider(mut self, provider: HostedUiProvider) -> Self {
        self.provider = Some(provider);
        self
    }

    /// The redirect URI (one of the configuration's sign-in redirect URIs; default: the first
    /// loopback one for `send()`, the first one for `start()`).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// The scopes (default: the configuration's).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Opens the authorize URL with this function instead of the system browser (a GUI
    /// toolkit's web view, printing it for the user, a test playing the browser).
    pub fn open_url_with(
        mut self,
        opener: impl Fn(&str) -> Result<(), amplify_core::BoxError> + Send + Sync + 'static,
    ) -> Self {
        self.opener = Some(Arc::new(opener));
        self
    }

    /// How long `send()` waits for the redirect (default 5 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Prepares a sign-in whose URL the app opens and whose redirect it hands back
    /// ([`WebUiSignIn::complete`]).
    ///
    /// # Errors
    ///
    /// [`HostedUiErrorKind::NotConfigured`] without an OAuth section or redirect URI.
    pub fn start(self) -> Result<WebUiSignIn, AuthError> {
        self.prepare(false)
    }

    fn prepare(self, loopback: bool) -> Result<WebUiSignIn, AuthError> {
        let configured = self.plugin.configured()?;
        let oauth = oauth_config(&configured)?;
        let (_, pool) = configured.manager.user_pool()?;
        let redirect_uri = match self.redirect_uri {
            Some(uri) => uri,
            None => oauth
                .redirect_sign_in_uris
                .iter()
                .find(|u| !loopback || listener::parse_loopback(u).is_some())
                .cloned()
                .ok_or_else(|| HostedUiError::new(HostedUiErrorKind::NotConfigured))?,
        };
        let scopes = self.scopes.unwrap_or_else(|| oauth.scopes.clone());
        let state = hosted_ui::random_token()?;
        let verifier = CodeVerifier::new(hosted_ui::random_token()?);
        let url = hosted_ui::authorize_url(&AuthorizeRequest {
            oauth: &oauth,
            client_id: &pool.app_client_id,
            redirect_uri: &redirect_uri,
            scopes: &scopes,
            state: &state,
            verifier: &verifier,
            provider: self.provider.as_ref(),
        });
        Ok(WebUiSignIn {
            plugin: self.plugin,
            url,
            state,
            verifier,
            redirect_uri,
            provider: self.provider,
            opener: self.opener,
            timeout: self.timeout,
        })
    }

    /// Signs in through the browser: binds a loopback listener on the redirect URI, opens the
    /// authorize URL, waits for the redirect, answers the browser with a page that says it can be
    /// closed, checks `state`, exchanges the code (PKCE), and stores the session as a sign-in
    /// does (Hub `SIGNED_IN`; refresh and identity-pool credentials as usual).
    ///
    /// # Errors
    ///
    /// [`AuthError::HostedUi`] with [`HostedUiErrorKind`]: `NotConfigured` (no OAuth section or
    /// no `http://localhost:<port>/…` redirect URI), `Listener` (the port is taken), `Browser`,
    /// `TimedOut` (the user walked away), `AccessDenied`, `Authorization`, `StateMismatch`,
    /// `TokenEndpoint` (the code refused), `TokenEndpointUnavailable` (network, 5xx, throttling).
    /// [`AuthError::InvalidState`] when a user is signed in.
    pub async fn send(self) -> Result<SignInResult, AuthError> {
        let sign_in = self.prepare(true)?;
        sign_in.ensure_signed_out().await?;
        let uri = listener::parse_loopback(&sign_in.redirect_uri)
            .ok_or_else(|| HostedUiError::new(HostedUiErrorKind::NotConfigured))?;
        let listener = listener::RedirectListener::bind(uri).await?;
        open(sign_in.opener.as_ref(), &sign_in.url)?;
        let target = listener.wait(sign_in.timeout).await?;
        sign_in.complete(&target).await
    }
}

fn open(opener: Option<&UrlOpener>, url: &str) -> Result<(), AuthError> {
    if let Some(opener) = opener {
        return opener(url).map_err(|e| {
            HostedUiError::new(HostedUiErrorKind::Browser)
                .with_source(e)
                .into()
        });
    }
    open_system_browser(url)
}

#[cfg(feature = "browser")]
fn open_system_browser(url: &str) -> Result<(), AuthError> {
    webbrowser::open(url).map_err(|e| {
        HostedUiError::new(HostedUiErrorKind::Browser)
            .with_source(e)
            .into()
    })
}

#[cfg(not(feature = "browser"))]
fn open_system_browser(_url: &str) -> Result<(), AuthError> {
    Err(HostedUiError::new(HostedUiErrorKind::Browser).into())
}

fn oauth_config(configured: &Configured) -> Result<OAuthConfig, AuthError> {
    configured
        .manager
        .config
        .oauth
        .clone()
        .ok_or_else(|| HostedUiError::new(HostedUiErrorKind::NotConfigured).into())
}

/// A hosted-UI sign-in in progress: open [`authorize_url`](Self::authorize_url), then hand
/// the redirect to [`complete`](Self::complete).
pub struct WebUiSignIn {
    plugin: CognitoAuthPlugin,
    url: String,
    state: String,
    verifier: CodeVerifier,
    redirect_uri: String,
    provider: Option<HostedUiProvider>,
    opener: Option<UrlOpener>,
    timeout: Duration,
}

impl fmt::Debug for WebUiSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebUiSignIn")
            .field("redirect_uri", &self.redirect_uri)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl WebUiSignIn {
    /// The authorize URL to open (it carries `state` and the PKCE challenge, no secret).
    pub fn authorize_url(&self) -> &str {
        &self.url
    }

    /// The redirect URI the authorization server sends the browser back to.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    async fn ensure_signed_out(&self) -> Result<(), AuthError> {
        let configured = self.plugin.configured()?;
        configured.manager.ensure_loaded().await?;
        let snap = configured.manager.snapshot();
        if snap.session.user_pool.is_some() || snap.session.federation.is_some() {
            return Err(AuthError::InvalidState(
                crate::InvalidStateReason::AlreadySignedIn,
            ));
        }
        Ok(())
    }

    /// Finishes the sign-in with the redirect (the whole URL, or its path and query):
    /// checks `state`, exchanges the code with the PKCE verifier, stores the session.
    ///
    /// # Errors
    ///
    /// As [`SignInWithWebUiBuilder::send`], without the listener and browser kinds.
    pub async fn complete(self, redirect: &str) -> Result<SignInResult, AuthError> {
        self.ensure_signed_out().await?;
        let code = hosted_ui::parse_redirect(redirect, &self.state)?;
        let configured = self.plugin.configured()?;
        let oauth = oauth_config(&configured)?;
        let (_, pool) = configured.manager.user_pool()?;
        let body = hosted_ui::code_exchange_body(
            &pool.app_client_id,
            &code,
            &self.redirect_uri,
            &self.verifier,
        );
        let authorization = pool
            .app_client_secret
            .as_ref()
            .map(|s| hosted_ui::basic_auth(&pool.app_client_id, s.expose_secret()));
        let answer = http::post_token(
            &hosted_ui::token_url(&oauth),
            body,
            authorization,
            self.plugin.token_endpoint_timeout(),
        )
        .await?;
        let missing = |what: &'static str| AuthError::unexpected(what);
        let tokens = UserPoolTokens {
            access_token: Jwt::parse(
                answer
                    .access_token
                    .ok_or_else(|| missing("the token endpoint returned no access token"))?,
            )?,
            id_token: Jwt::parse(
                answer
                    .id_token
                    .ok_or_else(|| missing("the token endpoint returned no ID token"))?,
            )?,
            refresh_token: RefreshToken::new(
                answer
                    .refresh_token
                    .ok_or_else(|| missing("the token endpoint returned no refresh token"))?,
            ),
        };
        let username = tokens.username().unwrap_or_default().to_owned();
        let user = AuthUser::new(tokens.user_id().unwrap_or_default(), username.clone());
        let session = UserPoolSession {
            username: username.clone(),
            sign_in_details: SignInDetails {
                username,
                auth_flow_type: None,
                sign_in_method: SignInMethod::HostedUi {
                    provider: self.provider.map(|p| p.identity_provider().to_owned()),
                },
            },
            tokens,
        };
        configured.sign_in.take_pending();
        configured
            .manager
            .commit(None, true, |_| Session {
                user_pool: Some(session),
                ..Session::default()
            })
            .await?;
        tracing::debug!("signed in with the hosted UI");
        configured
            .manager
            .hub
            .auth()
            .publish(AuthHubEvent::SignedIn(user));
        Ok(SignInResult::step(SignInStep::Done))
    }
}

impl CognitoAuthPlugin {
    /// Signs in through Cognito's managed login (hosted UI) in the browser. See
    /// [`SignInWithWebUiBuilder::send`] and [`SignInWithWebUiBuilder::start`].
    pub fn sign_in_with_web_ui(&self) -> SignInWithWebUiBuilder {
        SignInWithWebUiBuilder {
            plugin: self.clone(),
            provider: None,
            redirect_uri: None,
            scopes: None,
            opener: None,
            timeout: DEFAULT_WEB_UI_TIMEOUT,
        }
    }

    /// The hosted UI's `/logout` URL for the configured sign-out redirect URI (`None` without
    /// an OAuth section or sign-out URI). Open it to end the hosted-UI browser session; the
    /// plugin's [`sign_out`](Self::sign_out) does that for hosted-UI sessions when the
    /// `browser` feature is on.
    pub fn web_ui_sign_out_url(&self) -> Option<String> {
        let configured = self.configured().ok()?;
        let oauth = configured.manager.config.oauth.as_ref()?;
        let pool = configured.manager.config.user_pool.as_ref()?;
        let logout_uri = oauth.redirect_sign_out_uris.first()?;
        Some(hosted_ui::logout_url(
            oauth,
            &pool.app_client_id,
            logout_uri,
        ))
    }
}
