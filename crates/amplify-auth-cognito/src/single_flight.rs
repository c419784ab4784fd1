//! One future at a time for any number of concurrent callers, who all get its result.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

/// Runs one future at a time for any number of concurrent callers, who all get its result.
///
/// Callers that arrive while a flight runs wait for it; a caller that arrives after it finished
/// starts a new one. A flight whose driving caller is dropped mid-way is taken over by the next
/// waiting caller (tokio's `OnceCell` semantics), so cancellation never wedges the cell.
pub(crate) struct SingleFlight<T> {
    slot: Mutex<Option<Arc<OnceCell<T>>>>,
}

impl<T> Default for SingleFlight<T> {
    fn default() -> Self {
        Self {
            slot: Mutex::new(None),
        }
    }
}

impl<T: Clone> SingleFlight<T> {
    /// Runs `f` unless a flight is already running, and returns that flight's result.
    pub(crate) async fn run<F, Fut>(&self, f: F) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let cell = {
            let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(slot.get_or_insert_with(|| Arc::new(OnceCell::new())))
        };
        let value = cell.get_or_init(f).await.clone();
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        if slot
            .as_ref()
            .is_some_and(|current| Arc::ptr_eq(current, &cell))
        {
            *slot = None;
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::sync::Notify;

    use super::SingleFlight;

    /// On the current-thread runtime a task runs from `entered += 1` into `run` without
    /// yielding, so once every task has entered, every task is parked inside the flight.
    #[tokio::test]
    async fn concurrent_callers_share_one_run() {
        let flight = Arc::new(SingleFlight::<usize>::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let entered = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(Notify::new());
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let (flight, runs, entered, gate) = (
                Arc::clone(&flight),
                Arc::clone(&runs),
                Arc::clone(&entered),
                Arc::clone(&gate),
            );
            tasks.push(tokio::spawn(async move {
                entered.fetch_add(1, Ordering::SeqCst);
                flight
                    .run(|| async {
                        let n = runs.fetch_add(1, Ordering::SeqCst) + 1;
                        gate.notified().await;
                        n
                    })
                    .await
            }));
        }
        while entered.load(Ordering::SeqCst) < 32 {
            tokio::task::yield_now().await;
        }
        gate.notify_one();
        for task in tasks {
            assert_eq!(task.await.ok(), Some(1));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_finished_flight_is_not_reused() {
        let flight = SingleFlight::<u32>::default();
        assert_eq!(flight.run(|| async { 1 }).await, 1);
        assert_eq!(flight.run(|| async { 2 }).await, 2);
    }

    #[tokio::test]
    async fn a_cancelled_driver_does_not_wedge_the_cell() {
        let flight = Arc::new(SingleFlight::<u32>::default());
        let started = Arc::new(Notify::new());
        let f2 = Arc::clone(&flight);
        let s2 = Arc::clone(&started);
        let driver = tokio::spawn(async move {
            f2.run(|| async move {
                s2.notify_one();
                std::future::pending::<u32>().await
            })
            .await
        });
        started.notified().await;
        driver.abort();
        assert!(driver.await.is_err());
        // The next caller runs its own future instead of waiting forever.
        assert_eq!(flight.run(|| async { 7 }).await, 7);
    }
}
