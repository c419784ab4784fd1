//! Clock-skew correction: the offset between this machine's clock and Cognito's, learned from
//! the `Date` header of every response, applied to every expiry decision and to the SRP
//! `TIMESTAMP`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use amplify_core::time::{SharedTimeSource, TimeSource};
use aws_sdk_cognitoidentityprovider::config::interceptors::BeforeDeserializationInterceptorContextRef;
use aws_sdk_cognitoidentityprovider::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cognitoidentityprovider::error::BoxError;
use aws_sdk_cognitoidentityprovider::primitives::{DateTime, DateTimeFormat};

/// Differences smaller than this are the `Date` header's one-second resolution plus latency, not
/// skew.
const SKEW_THRESHOLD: Duration = Duration::from_secs(30);

/// The local clock corrected by the offset learned from the server.
///
/// Clones share the offset.
#[derive(Debug, Clone)]
pub struct SkewCorrectedClock {
    local: SharedTimeSource,
    offset_ms: Arc<AtomicI64>,
}

impl SkewCorrectedClock {
    /// A clock over `local` with no correction yet.
    pub fn new(local: SharedTimeSource) -> Self {
        Self {
            local,
            offset_ms: Arc::new(AtomicI64::new(0)),
        }
    }

    /// The learned offset (server minus local), in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Learns from a server timestamp: when it differs from the corrected time by more than
    /// 30 s, the offset becomes `server − local`.
    pub fn observe(&self, server: SystemTime) {
        let local = self.local.now();
        let offset = signed_ms(server, local);
        let current = self.offset_ms();
        if (offset - current).unsigned_abs() > SKEW_THRESHOLD.as_millis() as u64 {
            tracing::debug!(
                offset_ms = offset,
                "clock skew learned from the server's Date header"
            );
            self.offset_ms.store(offset, Ordering::Relaxed);
        }
    }

    /// Learns from an HTTP `Date` header value.
    pub fn observe_http_date(&self, value: &str) {
        let parsed = DateTime::from_str(value, DateTimeFormat::HttpDate).ok();
        if let Some(time) = parsed.and_then(|t| SystemTime::try_from(t).ok()) {
            self.observe(time);
        }
    }
}

impl TimeSource for SkewCorrectedClock {
    fn now(&self) -> SystemTime {
        let local = self.local.now();
        let offset = self.offset_ms();
        let magnitude = Duration::from_millis(offset.unsigned_abs());
        if offset >= 0 {
            local.checked_add(magnitude).unwrap_or(local)
        } else {
            local.checked_sub(magnitude).unwrap_or(local)
        }
    }
}

fn signed_ms(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// Feeds every Cognito response's `Date` header to the clock.
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

#[cfg(test)]
mod tests {
    use super::*;
    use amplify_core::time::ManualTimeSource;
    use std::time::UNIX_EPOCH;

    #[test]
    fn learns_large_offsets_and_ignores_small_ones() {
        let local = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        let clock = SkewCorrectedClock::new(SharedTimeSource::new(local));
        clock.observe(UNIX_EPOCH + Duration::from_secs(1_700_000_010));
        assert_eq!(clock.offset_ms(), 0);
        // Server is 2 hours ahead.
        clock.observe_http_date("Wed, 15 Nov 2023 00:13:20 GMT");
        assert_eq!(clock.offset_ms(), 7_200_000);
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_700_007_200));
        // Server behind.
        clock.observe(UNIX_EPOCH + Duration::from_secs(1_699_999_000));
        assert_eq!(clock.offset_ms(), -1_000_000);
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_699_999_000));
        clock.observe_http_date("not a date");
        assert_eq!(clock.offset_ms(), -1_000_000);
    }
}
