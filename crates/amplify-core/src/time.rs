//! The injectable clock behind every expiry decision.
//!
//! Nothing in amplify-rs reads the wall clock directly (clippy's `disallowed-methods` enforces
//! it): code asks a [`SharedTimeSource`], which is the system clock by default and a
//! [`ManualTimeSource`] in tests.

use std::fmt;
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
}
