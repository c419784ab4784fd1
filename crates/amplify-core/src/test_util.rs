//! Test helpers (the `test-util` feature): capturing `tracing` output, to assert that logs carry
//! what they should and never a secret.
//!
//! Libraries never install a subscriber; these helpers install one for the current thread only,
//! for as long as a test asks, at TRACE level, without ANSI colours.
//!
//! Static providers need no helper: [`AuthToken`](crate::AuthToken) is a
//! [`TokenProvider`](crate::TokenProvider) and [`AwsCredentials`](crate::AwsCredentials) a
//! [`CredentialsProvider`](crate::CredentialsProvider) returning themselves, and
//! [`SharedTokenProvider::from_fn`](crate::SharedTokenProvider::from_fn) /
//! [`SharedCredentialsProvider::from_fn`](crate::SharedCredentialsProvider::from_fn) make a
//! provider of a closure (to count calls or fail on demand).
//!
//! # Examples
//!
//! ```
//! use amplify_core::test_util::{LogCapture, capture_logs};
//!
//! let logs = LogCapture::start();
//! tracing::trace!(answer = 42, "traced");
//! assert!(logs.contents().contains("answer=42"));
//!
//! let (value, text) = capture_logs(|| {
//!     tracing::debug!("inside");
//!     7
//! });
//! assert_eq!(value, 7);
//! assert!(text.contains("inside"));
//! ```

use std::fmt;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::subscriber::DefaultGuard;
use tracing_subscriber::fmt::MakeWriter;

/// Captures every `tracing` event of the current thread (TRACE and up) until dropped.
///
/// The subscriber is the thread's default while the guard lives, so in a `#[tokio::test]` on
/// the current-thread runtime it sees the test's tasks too; tasks on other worker threads are not
/// captured. Read with [`contents`](Self::contents) at any time, also after more logging.
#[must_use = "logs are captured only while the guard lives"]
pub struct LogCapture {
    buffer: LogBuffer,
    _guard: DefaultGuard,
}

impl fmt::Debug for LogCapture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogCapture")
            .field("bytes", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl LogCapture {
    /// Installs a TRACE-level subscriber for the current thread, writing into memory.
    pub fn start() -> Self {
        let buffer = LogBuffer::default();
        let guard = tracing::subscriber::set_default(subscriber(buffer.clone()));
        Self {
            buffer,
            _guard: guard,
        }
    }

    /// Everything captured so far (lossy UTF-8).
    pub fn contents(&self) -> String {
        self.buffer.contents()
    }
}

/// Runs `f` with a TRACE-level subscriber as the thread's default and returns its result and
/// what it logged. Work that `f` hands to other threads is captured only if it carries the
/// caller's dispatcher along (as `tracing::Instrument`ed or `Dispatch`-propagating code does).
pub fn capture_logs<T>(f: impl FnOnce() -> T) -> (T, String) {
    let buffer = LogBuffer::default();
    let result = tracing::subscriber::with_default(subscriber(buffer.clone()), f);
    (result, buffer.contents())
}

fn subscriber(buffer: LogBuffer) -> impl tracing::Subscriber + Send + Sync + 'static {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(buffer)
        .finish()
}

/// An in-memory, cloneable log sink.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }

    fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The `main` of a `harness = false` test binary holding one test: enough of libtest's command
/// line for `cargo test` and `cargo nextest` (`--list`, a name filter, the result lines). Such
/// binaries exist to start themselves again as child processes (the emulator of a load test, a
/// process killed mid-operation), which libtest's harness would run as tests.
///
/// A failing `test` panics, which fails the binary as a failed libtest test would.
///
/// # Examples
///
/// The whole `main` of such a binary (`[[test]] harness = false` in `Cargo.toml`):
///
/// ```no_run
/// amplify_core::test_util::run_single_test("it_works", || assert_eq!(1 + 1, 2));
/// ```
#[allow(clippy::print_stdout)] // libtest's protocol is on stdout.
pub fn run_single_test(name: &str, test: impl FnOnce()) {
    if std::env::args().any(|a| a == "--list") {
        // nextest lists the ignored tests with `--list --ignored`: this one is not ignored.
        if !std::env::args().any(|a| a == "--ignored") {
            println!("{name}: test");
        }
        return;
    }
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
        println!("test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 1 filtered out");
        return;
    }
    println!("running 1 test");
    test();
    println!("test {name} ... ok");
    println!("test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_only_while_the_guard_lives() {
        let logs = LogCapture::start();
        tracing::trace!(secretive = false, "first");
        let seen = logs.contents();
        assert!(seen.contains("first") && seen.contains("TRACE"), "{seen}");
        drop(logs);
        let (_, text) = capture_logs(|| ());
        assert!(text.is_empty(), "{text}");
    }

    #[test]
    fn other_threads_are_not_captured() {
        let logs = LogCapture::start();
        std::thread::spawn(|| tracing::info!("elsewhere"))
            .join()
            .unwrap_or_default();
        assert!(!logs.contents().contains("elsewhere"));
    }
}
