//! Clock-skew correction for Cognito: every response's `Date` header teaches the one
//! [`SkewCorrectedClock`] of the device (core's, shared with the API category), which every
//! expiry decision and the SRP `TIMESTAMP` read.

use amplify_core::time::SkewCorrectedClock;
use aws_sdk_cognitoidentityprovider::config::interceptors::BeforeDeserializationInterceptorContextRef;
use aws_sdk_cognitoidentityprovider::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cognitoidentityprovider::error::BoxError;

/// Feeds every Cognito response's `Date` header to the clock (both SDK crates re-export the same
/// smithy `Intercept` trait, so one interceptor serves the user-pool and identity-pool clients).
#[derive(Debug)]
pub(crate) struct DateHeaderInterceptor(pub(crate) SkewCorrectedClock);

impl Intercept for DateHeaderInterceptor {
    fn name(&self) -> &'static str {
        "amplify.auth.date_header"
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(date) = context.response().headers().get("date") {
            self.0.observe_http_date(date);
        }
        Ok(())
    }
}
