//! The seed's three app-side classes in Rust: `CustomOIDCProvider` and `CustomFunctionProvider`
//! (token providers the API asks before every request) and `MyHttpRequestInterceptor` (the
//! `baseHttpClient` that changes every request).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use amplify_api::http::{HeaderValue, Request, Response};
use amplify_api::{BoxError, InterceptorContext, RequestInterceptor, bytes::Bytes};
use amplify_core::{AuthToken, BoxFuture, ProviderError, TokenProvider};

use crate::LAMBDA_TOKEN;

/// The seed's `CustomOIDCProvider`: asked before every request, so it hands out a token it
/// holds in memory (refreshing it is the app's job).
#[derive(Debug)]
pub(crate) struct CustomOidcProvider(pub(crate) AuthToken);

impl TokenProvider for CustomOidcProvider {
    fn latest_token(&self) -> BoxFuture<'_, Result<AuthToken, ProviderError>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

/// The seed's `CustomFunctionProvider`: the token the API's Lambda authorizer checks.
#[derive(Debug)]
pub(crate) struct CustomFunctionProvider;

impl TokenProvider for CustomFunctionProvider {
    fn latest_token(&self) -> BoxFuture<'_, Result<AuthToken, ProviderError>> {
        Box::pin(async { Ok(AuthToken::new(LAMBDA_TOKEN)) })
    }
}

/// The seed's `MyHttpRequestInterceptor`: `customHeader: someValue` unless the request has
/// one; also counts responses.
#[derive(Debug, Default)]
pub(crate) struct MyHttpRequestInterceptor {
    pub(crate) responses: Arc<AtomicUsize>,
}

impl RequestInterceptor for MyHttpRequestInterceptor {
    fn name(&self) -> &str {
        "custom-header"
    }

    fn on_request(
        &self,
        _: &InterceptorContext<'_>,
        request: &mut Request<Bytes>,
    ) -> Result<(), BoxError> {
        request
            .headers_mut()
            .entry("customheader")
            .or_insert(HeaderValue::from_static("someValue"));
        Ok(())
    }

    fn on_response(&self, _: &InterceptorContext<'_>, _: &Response<Bytes>) {
        self.responses.fetch_add(1, Ordering::Relaxed);
    }
}
