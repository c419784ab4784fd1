//! Client-wide request interceptors (Amplify's `baseHttpClient`).

use std::fmt;
use std::sync::Arc;

use amplify_core::{AuthorizationType, BoxError};
use bytes::Bytes;

/// What an interceptor is told about the request it sees.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct InterceptorContext<'a> {
    /// The API the request is for.
    pub api_name: &'a str,
    /// The authorization mode the request was authorized with.
    pub authorization_mode: AuthorizationType,
    /// 1 for the first attempt, 2 when an IAM request is re-signed after a clock-skew rejection.
    pub attempt: u32,
}

/// Sees (and may change) every request after it was authorized, and every response, like
/// Amplify's `baseHttpClient`.
///
/// Hooks are synchronous and run on the request's task, so keep them cheap. Changing a signed
/// header or the body of an IAM request invalidates its signature.
///
/// # Examples
///
/// ```
/// use amplify_api::{BoxError, InterceptorContext, RequestInterceptor};
/// use bytes::Bytes;
///
/// #[derive(Debug)]
/// struct AddTenant;
///
/// impl RequestInterceptor for AddTenant {
///     fn name(&self) -> &str {
///         "add-tenant"
///     }
///
///     fn on_request(
///         &self,
///         _ctx: &InterceptorContext<'_>,
///         request: &mut http::Request<Bytes>,
///     ) -> Result<(), BoxError> {
///         request.headers_mut().insert("x-tenant", http::HeaderValue::from_static("acme"));
///         Ok(())
///     }
/// }
///
/// let api = amplify_api::ApiPlugin::builder().interceptor(AddTenant).build()?;
/// # let _ = api;
/// # Ok::<(), amplify_api::ApiError>(())
/// ```
pub trait RequestInterceptor: Send + Sync + fmt::Debug {
    /// A name for logs and errors.
    fn name(&self) -> &str;

    /// Called with the authorized request just before it is sent.
    ///
    /// # Errors
    ///
    /// An error stops the request with [`ApiError::Interceptor`](crate::ApiError::Interceptor).
    fn on_request(
        &self,
        ctx: &InterceptorContext<'_>,
        request: &mut http::Request<Bytes>,
    ) -> Result<(), BoxError> {
        let _ = (ctx, request);
        Ok(())
    }

    /// Called with every complete response (including error statuses).
    fn on_response(&self, ctx: &InterceptorContext<'_>, response: &http::Response<Bytes>) {
        let _ = (ctx, response);
    }
}

/// A cheap-to-clone handle to any [`RequestInterceptor`].
#[derive(Debug, Clone)]
pub struct SharedInterceptor(Arc<dyn RequestInterceptor>);

impl SharedInterceptor {
    /// Wraps an interceptor.
    pub fn new(interceptor: impl RequestInterceptor + 'static) -> Self {
        Self(Arc::new(interceptor))
    }
}

impl RequestInterceptor for SharedInterceptor {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn on_request(
        &self,
        ctx: &InterceptorContext<'_>,
        request: &mut http::Request<Bytes>,
    ) -> Result<(), BoxError> {
        self.0.on_request(ctx, request)
    }

    fn on_response(&self, ctx: &InterceptorContext<'_>, response: &http::Response<Bytes>) {
        self.0.on_response(ctx, response);
    }
}
