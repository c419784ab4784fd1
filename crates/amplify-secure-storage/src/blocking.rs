//! Running blocking file and keychain calls off the async runtime's worker threads.

use crate::StorageError;
use crate::error::Message;

/// Runs `f` on tokio's blocking pool when called inside a tokio runtime, so fsync and
/// D-Bus round trips never stall the runtime; outside tokio (another executor, or
/// `futures::executor::block_on`) it runs `f` in place. The caller's `tracing` subscriber and
/// span go along, so the blocking work logs where the operation does.
pub(crate) async fn run_blocking<T, F>(f: F) -> Result<T, StorageError>
where
    F: FnOnce() -> Result<T, StorageError> + Send + 'static,
    T: Send + 'static,
{
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            let span = tracing::Span::current();
            let dispatch = tracing::dispatcher::get_default(Clone::clone);
            let task = move || tracing::dispatcher::with_default(&dispatch, || span.in_scope(f));
            handle
                .spawn_blocking(task)
                .await
                .map_err(|err| StorageError::TaskFailed {
                    source: Box::new(Message(if err.is_panic() {
                        "the storage task panicked".to_owned()
                    } else {
                        "the storage task was cancelled".to_owned()
                    })),
                })?
        }
        Err(_) => f(),
    }
}
