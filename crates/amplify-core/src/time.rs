//! The injectable clock behind every expiry decision.
//!
//! Nothing in amplify-rs reads the wall clock directly (clippy's `disallowed-methods` enforces
//! it): code asks a [`SharedTimeSource`], which is the system clock by default and a
//! [`ManualTimeSource`] in tests.
//!
//! Servers' clocks win: [`SkewCorrectedClock`] is the local clock plus an offset learned from
//! the servers' `Date` headers. [`Amplify`](crate::Amplify) makes one per instance and hands it
//! to every plugin ([`PluginContext::clock`](crate::PluginContext::clock)), so Auth's token
//! expiry and API's SigV4 signatures use the same offset.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// A source of the current time.
///
/// # Examples
///
/// ```
/// use amplify_core::time::{TimeSource, SystemTimeSource};
///
/// let now = SystemTimeSource.now();
/// assert!(now > std::time::UNIX_EPOCH);
/// ```
pub trait TimeSource: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemTimeSource;

impl TimeSource for SystemTimeSource {
    #[allow(clippy::disallowed_methods)] // The one place the wall clock is read.
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told to, for tests.
///
/// Clones share the same time.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use amplify_core::time::{ManualTimeSource, TimeSource};
///
/// let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// let copy = clock.clone();
/// clock.advance(Duration::from_secs(3600));
/// assert_eq!(copy.now(), UNIX_EPOCH + Duration::from_secs(1_700_003_600));
/// ```
#[derive(Debug, Clone)]
pub struct ManualTimeSource {
    now: Arc<Mutex<SystemTime>>,
}

impl ManualTimeSource {
    /// A clock showing `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }

    /// Sets the clock (it may go backwards, as real clocks do).
    pub fn set(&self, to: SystemTime) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

impl TimeSource for ManualTimeSource {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A cheap-to-clone handle to any [`TimeSource`].
#[derive(Debug, Clone)]
pub struct SharedTimeSource(Arc<dyn TimeSource>);

impl SharedTimeSource {
    /// Wraps a time source.
    pub fn new(source: impl TimeSource + 'static) -> Self {
        Self(Arc::new(source))
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        self.0.now()
    }
}

impl Default for SharedTimeSource {
    fn default() -> Self {
        Self::new(SystemTimeSource)
    }
}

impl TimeSource for SharedTimeSource {
    fn now(&self) -> SystemTime {
        self.0.now()
    }
}

/// Differences smaller than this are a `Date` header's one-second resolution plus latency, not
/// skew.
const SKEW_THRESHOLD_MS: u64 = 30_000;

/// The local clock corrected by the offset learned from servers (server time minus local time).
///
/// Clones share the offset: one per device (per [`Amplify`](crate::Amplify)), shared by every
/// category. Reading and learning are lock-free.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use amplify_core::time::{ManualTimeSource, SharedTimeSource, SkewCorrectedClock};
///
/// let local = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// let clock = SkewCorrectedClock::new(SharedTimeSource::new(local));
/// // The server's Date header is two hours ahead of this machine.
/// clock.observe_http_date("Wed, 15 Nov 2023 00:13:20 GMT");
/// assert_eq!(clock.offset_ms(), 7_200_000);
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_700_007_200));
/// ```
#[derive(Debug, Clone)]
pub struct SkewCorrectedClock {
    local: SharedTimeSource,
    offset_ms: Arc<AtomicI64>,
}

impl Default for SkewCorrectedClock {
    /// The system clock with no correction yet.
    fn default() -> Self {
        Self::new(SharedTimeSource::default())
    }
}

impl SkewCorrectedClock {
    /// A clock over `local` with no correction yet.
    pub fn new(local: SharedTimeSource) -> Self {
        Self {
            local,
            offset_ms: Arc::new(AtomicI64::new(0)),
        }
    }

    /// The uncorrected local clock.
    pub fn local(&self) -> &SharedTimeSource {
        &self.local
    }

    /// The corrected time: the local clock plus the learned offset.
    pub fn now(&self) -> SystemTime {
        self.corrected(self.local.now())
    }

    /// `local` (a reading of the local clock) corrected by the learned offset.
    pub fn corrected(&self, local: SystemTime) -> SystemTime {
        let offset = self.offset_ms();
        let magnitude = Duration::from_millis(offset.unsigned_abs());
        if offset >= 0 {
            local.checked_add(magnitude).unwrap_or(local)
        } else {
            local.checked_sub(magnitude).unwrap_or(local)
        }
    }

    /// The learned offset (server minus local), in milliseconds; 0 until skew was seen.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Learns from a server's time seen in passing (any response's `Date`): when it differs from
    /// the corrected time by more than 30 s, the offset becomes `server - local`. Returns whether
    /// the offset changed.
    pub fn observe(&self, server: SystemTime) -> bool {
        let offset = signed_ms(server, self.local.now());
        let current = self.offset_ms();
        if offset.abs_diff(current) <= SKEW_THRESHOLD_MS {
            return false;
        }
        tracing::debug!(
            offset_ms = offset,
            "clock skew learned from a server's time"
        );
        self.offset_ms.store(offset, Ordering::Relaxed);
        true
    }

    /// [`observe`](Self::observe) for an HTTP `Date` header value (RFC 9110 formats); values
    /// that are not a date are ignored (returns `false`).
    pub fn observe_http_date(&self, value: &str) -> bool {
        httpdate::parse_http_date(value).is_ok_and(|server| self.observe(server))
    }

    /// Learns `server - local` unconditionally, for when a server rejected a request because of
    /// the time (a SigV4 "signature expired" answer carries the server's time). Returns the new
    /// offset in milliseconds.
    pub fn learn(&self, server: SystemTime) -> i64 {
        let offset = signed_ms(server, self.local.now());
        tracing::debug!(offset_ms = offset, "clock skew learned from a rejection");
        self.offset_ms.store(offset, Ordering::Relaxed);
        offset
    }
}

impl TimeSource for SkewCorrectedClock {
    fn now(&self) -> SystemTime {
        SkewCorrectedClock::now(self)
    }
}

/// `a - b` in milliseconds, saturating.
fn signed_ms(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn manual_clock_is_shared_and_settable() {
        let clock = ManualTimeSource::new(UNIX_EPOCH);
        let shared = SharedTimeSource::new(clock.clone());
        clock.advance(Duration::from_secs(5));
        assert_eq!(shared.now(), UNIX_EPOCH + Duration::from_secs(5));
        clock.set(UNIX_EPOCH + Duration::from_secs(2));
        assert_eq!(shared.now(), UNIX_EPOCH + Duration::from_secs(2));
    }

    #[test]
    fn default_is_the_system_clock() {
        let a = SharedTimeSource::default().now();
        let b = SystemTimeSource.now();
        assert!(b.duration_since(a).unwrap_or_default() < Duration::from_secs(5));
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn skewed(start: u64) -> (ManualTimeSource, SkewCorrectedClock) {
        let local = ManualTimeSource::new(at(start));
        let clock = SkewCorrectedClock::new(SharedTimeSource::new(local.clone()));
        (local, clock)
    }

    #[test]
    fn observe_learns_large_offsets_and_ignores_small_ones() {
        let (_, clock) = skewed(1_700_000_000);
        assert!(!clock.observe(at(1_700_000_010)));
        assert_eq!(clock.offset_ms(), 0);
        assert_eq!(clock.now(), at(1_700_000_000));
        // Server two hours ahead.
        assert!(clock.observe_http_date("Wed, 15 Nov 2023 00:13:20 GMT"));
        assert_eq!(clock.offset_ms(), 7_200_000);
        assert_eq!(clock.now(), at(1_700_007_200));
        // Within 30 s of the corrected time: kept.
        assert!(!clock.observe(at(1_700_007_220)));
        assert_eq!(clock.offset_ms(), 7_200_000);
        // Server behind.
        assert!(clock.observe(at(1_699_999_000)));
        assert_eq!(clock.offset_ms(), -1_000_000);
        assert_eq!(clock.now(), at(1_699_999_000));
        assert!(!clock.observe_http_date("not a date"));
        assert_eq!(clock.offset_ms(), -1_000_000);
    }

    #[test]
    fn learn_is_unconditional_and_corrected_applies_both_ways() {
        let (local, clock) = skewed(1000);
        assert_eq!(clock.corrected(at(1000)), at(1000));
        assert_eq!(clock.learn(at(1010)), 10_000);
        assert_eq!(clock.corrected(at(2000)), at(2010));
        local.set(at(5000));
        assert_eq!(clock.learn(at(4000)), -1_000_000);
        assert_eq!(clock.corrected(at(2000)), at(1000));
        assert_eq!(TimeSource::now(&clock), at(4000));
    }

    #[test]
    fn clones_share_one_offset_and_follow_the_local_clock() {
        let (local, clock) = skewed(1_700_000_000);
        let other = clock.clone();
        other.observe(at(1_700_003_600));
        assert_eq!(clock.offset_ms(), 3_600_000);
        local.advance(Duration::from_secs(60));
        assert_eq!(clock.now(), at(1_700_003_660));
        assert_eq!(clock.local().now(), at(1_700_000_060));
    }

    #[test]
    fn extreme_times_saturate_instead_of_panicking() {
        let (_, clock) = skewed(0);
        clock.learn(UNIX_EPOCH + Duration::from_secs(u64::MAX / 4));
        assert!(clock.offset_ms() > 0);
        let _ = clock.now();
        assert_eq!(signed_ms(at(0), at(5)), -5_000);
    }
}
