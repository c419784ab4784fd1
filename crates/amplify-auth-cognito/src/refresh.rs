//! The refresh policy: when a token or credentials are refreshed, and what callers get when a
//! refresh fails. All of it is in [`RefreshPolicy::decide`], a pure function.
//!
//! - Fresh (more than the buffer plus this process's jitter before expiry): use the cached value.
//! - Inside the buffer: refresh. When the refresh fails for a non-fatal reason (network, 5xx,
//!   throttling), callers still get the cached value, which is valid until its real expiry.
//! - After a failed attempt, no new attempt for `min_interval` (30 s, as the AWS SDKs' SSO token
//!   provider waits between refresh attempts): callers get the cached value while it is valid,
//!   else the last error, and a down Cognito is not called by every API request.
//! - Expired: the field is an error until a refresh succeeds.
//! - Forced (`force_refresh`): always refresh, and report a failure.

use std::time::{Duration, SystemTime};

/// Tokens and credentials are refreshed this long before they expire (skew-corrected).
pub const DEFAULT_REFRESH_BUFFER: Duration = Duration::from_secs(5 * 60);

/// At most this much is added to the buffer, chosen at random once per plugin, so that many
/// processes holding tokens with the same expiry do not refresh in the same second.
pub const DEFAULT_REFRESH_JITTER: Duration = Duration::from_secs(30);

/// The least time between two refresh attempts after a failure (the AWS SDKs' SSO token
/// provider uses the same 30 seconds).
pub const DEFAULT_MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(30);

/// How user-pool tokens are refreshed.
///
/// ```
/// use amplify_auth_cognito::{CognitoAuthPlugin, RefreshOperation};
///
/// // moto and other servers without GetTokensFromRefreshToken:
/// let auth = CognitoAuthPlugin::builder()
///     .refresh_operation(RefreshOperation::InitiateAuth)
///     .build();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RefreshOperation {
    /// `GetTokensFromRefreshToken` (required for app clients with refresh-token rotation). When
    /// the endpoint answers that the operation does not exist (`UnknownOperationException`),
    /// the plugin switches to `InitiateAuth` for the rest of the process. Any other failure,
    /// a 500 included, is only a failed refresh.
    #[default]
    GetTokensFromRefreshToken,
    /// `InitiateAuth` with `REFRESH_TOKEN_AUTH` (servers without the newer operation; Cognito
    /// refuses it for app clients with rotation).
    InitiateAuth,
}

/// When to refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RefreshPolicy {
    pub(crate) buffer: Duration,
    /// The jitter this plugin drew (between zero and the configured maximum).
    pub(crate) jitter: Duration,
    pub(crate) min_interval: Duration,
}

/// What a caller should do with a cached value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Use the cached value; no call.
    UseCached,
    /// Refresh now. `still_valid`: the cached value may be handed out if the refresh fails for
    /// a non-fatal reason.
    Refresh { still_valid: bool },
    /// A refresh failed less than `min_interval` ago: no call. Use the cached value when
    /// `still_valid`, else the last failure.
    Backoff { still_valid: bool },
}

impl RefreshPolicy {
    /// Draws this plugin's jitter in `[0, max_jitter]`.
    pub(crate) fn new(buffer: Duration, max_jitter: Duration, min_interval: Duration) -> Self {
        let millis = u64::try_from(max_jitter.as_millis()).unwrap_or(u64::MAX);
        let jitter = if millis == 0 {
            Duration::ZERO
        } else {
            let mut bytes = [0u8; 8];
            // Without randomness the jitter is zero: refreshes still happen, just not spread.
            if getrandom::fill(&mut bytes).is_err() {
                tracing::debug!("no randomness for the refresh jitter; using none");
            }
            Duration::from_millis(u64::from_le_bytes(bytes) % (millis + 1))
        };
        Self {
            buffer,
            jitter,
            min_interval,
        }
    }

    /// The decision for a value expiring at `expires_at` (`None`: unknown, treated as expired),
    /// given the time of the last failed attempt.
    pub(crate) fn decide(
        &self,
        expires_at: Option<SystemTime>,
        now: SystemTime,
        last_failure: Option<SystemTime>,
        forced: bool,
    ) -> Decision {
        let left = expires_at.and_then(|exp| exp.duration_since(now).ok());
        let still_valid = left.is_some_and(|l| !l.is_zero());
        if forced {
            return Decision::Refresh { still_valid };
        }
        if self.is_fresh(expires_at, now) {
            return Decision::UseCached;
        }
        let recent_failure = last_failure.is_some_and(|at| match now.duration_since(at) {
            Ok(since) => since < self.min_interval,
            // The clock went back (or the failure is in the future): wait a full interval.
            Err(_) => true,
        });
        if recent_failure {
            Decision::Backoff { still_valid }
        } else {
            Decision::Refresh { still_valid }
        }
    }

    /// Whether a value expiring at `expires_at` needs no refresh at `now` (the lock-free path).
    pub(crate) fn is_fresh(&self, expires_at: Option<SystemTime>, now: SystemTime) -> bool {
        expires_at
            .and_then(|exp| exp.duration_since(now).ok())
            .is_some_and(|left| left > self.buffer.saturating_add(self.jitter))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::{Decision, RefreshPolicy};

    const NOW: u64 = 1_800_000_000;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn policy() -> RefreshPolicy {
        RefreshPolicy {
            buffer: Duration::from_secs(300),
            jitter: Duration::from_secs(20),
            min_interval: Duration::from_secs(30),
        }
    }

    #[test]
    fn fresh_values_are_used_as_they_are() {
        let p = policy();
        assert_eq!(
            p.decide(Some(at(NOW + 3600)), at(NOW), None, false),
            Decision::UseCached
        );
        // Even right after a failure.
        assert_eq!(
            p.decide(Some(at(NOW + 3600)), at(NOW), Some(at(NOW - 1)), false),
            Decision::UseCached
        );
        assert!(p.is_fresh(Some(at(NOW + 321)), at(NOW)));
    }

    #[test]
    fn the_jitter_widens_the_buffer() {
        let p = policy();
        // 310 s left: outside the 300 s buffer but inside buffer + 20 s jitter.
        assert_eq!(
            p.decide(Some(at(NOW + 310)), at(NOW), None, false),
            Decision::Refresh { still_valid: true }
        );
        assert!(!p.is_fresh(Some(at(NOW + 310)), at(NOW)));
    }

    #[test]
    fn inside_the_buffer_a_refresh_is_tried_and_the_value_stays_usable() {
        let p = policy();
        assert_eq!(
            p.decide(Some(at(NOW + 60)), at(NOW), None, false),
            Decision::Refresh { still_valid: true }
        );
    }

    #[test]
    fn a_recent_failure_backs_off_for_the_minimum_interval() {
        let p = policy();
        let exp = Some(at(NOW + 60));
        assert_eq!(
            p.decide(exp, at(NOW), Some(at(NOW - 29)), false),
            Decision::Backoff { still_valid: true }
        );
        assert_eq!(
            p.decide(exp, at(NOW), Some(at(NOW - 30)), false),
            Decision::Refresh { still_valid: true }
        );
        // A failure "in the future" (the clock went back) also backs off.
        assert_eq!(
            p.decide(exp, at(NOW), Some(at(NOW + 5)), false),
            Decision::Backoff { still_valid: true }
        );
    }

    #[test]
    fn expired_values_are_not_valid() {
        let p = policy();
        assert_eq!(
            p.decide(Some(at(NOW - 1)), at(NOW), None, false),
            Decision::Refresh { still_valid: false }
        );
        assert_eq!(
            p.decide(Some(at(NOW)), at(NOW), None, false),
            Decision::Refresh { still_valid: false }
        );
        assert_eq!(
            p.decide(Some(at(NOW - 1)), at(NOW), Some(at(NOW - 10)), false),
            Decision::Backoff { still_valid: false }
        );
        assert_eq!(
            p.decide(None, at(NOW), None, false),
            Decision::Refresh { still_valid: false }
        );
    }

    #[test]
    fn forced_refreshes_ignore_freshness_and_backoff() {
        let p = policy();
        assert_eq!(
            p.decide(Some(at(NOW + 3600)), at(NOW), Some(at(NOW - 1)), true),
            Decision::Refresh { still_valid: true }
        );
    }

    #[test]
    fn drawn_jitter_stays_within_its_maximum() {
        for _ in 0..100 {
            let p = RefreshPolicy::new(
                Duration::from_secs(300),
                Duration::from_secs(30),
                Duration::from_secs(30),
            );
            assert!(p.jitter <= Duration::from_secs(30));
        }
        let none = RefreshPolicy::new(Duration::from_secs(300), Duration::ZERO, Duration::ZERO);
        assert_eq!(none.jitter, Duration::ZERO);
    }
}
