//! The Hub: typed event channels for Auth and API, with any number of listeners.
//!
//! Every listener gets every event published after it subscribed, in order; a slow listener
//! never blocks publishers and never loses events (each listener has its own unbounded queue).
//! Dropping a [`HubListener`] unsubscribes it.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;

/// A signed-in user, as Hub events and `get_current_user` report it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AuthUser {
    /// The user's stable id (the Cognito `sub`).
    pub user_id: String,
    /// The user's username.
    pub username: String,
}

impl AuthUser {
    /// A user.
    pub fn new(user_id: impl Into<String>, username: impl Into<String>) -> Self {
        Self {
            user_id: user_id.into(),
            username: username.into(),
        }
    }
}

/// Auth events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthHubEvent {
    /// A user signed in.
    SignedIn(AuthUser),
    /// The user signed out.
    SignedOut,
    /// The session ended because its refresh token expired or was revoked.
    SessionExpired,
    /// The user deleted their account.
    UserDeleted,
    /// The tokens were refreshed.
    TokensRefreshed,
    /// A refresh failed; the message says why (it never contains a token).
    TokenRefreshFailed(String),
}

impl AuthHubEvent {
    /// Amplify's wire name for the event (`SIGNED_IN`, `SIGNED_OUT`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            AuthHubEvent::SignedIn(_) => "SIGNED_IN",
            AuthHubEvent::SignedOut => "SIGNED_OUT",
            AuthHubEvent::SessionExpired => "SESSION_EXPIRED",
            AuthHubEvent::UserDeleted => "USER_DELETED",
            AuthHubEvent::TokensRefreshed => "TOKEN_REFRESH",
            AuthHubEvent::TokenRefreshFailed(_) => "TOKEN_REFRESH_FAILURE",
        }
    }
}

/// The state of a GraphQL subscription connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubscriptionStatus {
    /// Opening the connection.
    Connecting,
    /// Connected and receiving events.
    Connected,
    /// The connection broke (socket closed, keep-alives missed); reconnecting, after which every
    /// live subscription is started again.
    ConnectionDisrupted,
    /// Closing because the last subscription ended.
    PendingDisconnect,
    /// Closed on purpose.
    Disconnected,
    /// Closed by a failure; reconnecting if possible.
    Failed,
}

/// API events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiHubEvent {
    /// A subscription connection changed state.
    SubscriptionConnection {
        /// The API whose connection changed.
        api_name: String,
        /// Its new state.
        status: SubscriptionStatus,
    },
}

/// One typed channel.
pub struct HubChannel<E> {
    listeners: Arc<Mutex<Vec<mpsc::UnboundedSender<E>>>>,
}

impl<E> Clone for HubChannel<E> {
    fn clone(&self) -> Self {
        Self {
            listeners: Arc::clone(&self.listeners),
        }
    }
}

impl<E> Default for HubChannel<E> {
    fn default() -> Self {
        Self {
            listeners: Arc::new(Mutex::new(Vec::new())),
        }
    }
}

impl<E> fmt::Debug for HubChannel<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubChannel")
            .field("listeners", &self.listener_count())
            .finish()
    }
}

impl<E: Clone + Send + 'static> HubChannel<E> {
    /// Subscribes to events published from now on.
    pub fn subscribe(&self) -> HubListener<E> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(tx);
        HubListener { rx }
    }

    /// Sends `event` to every current listener, dropping listeners that have gone away.
    #[allow(clippy::needless_pass_by_value)] // Publishers hand the event over; each listener gets a clone.
    pub fn publish(&self, event: E) {
        let mut listeners = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.retain(|tx| tx.send(event.clone()).is_ok());
    }
}

impl<E> HubChannel<E> {
    /// The number of live listeners.
    pub fn listener_count(&self) -> usize {
        let mut listeners = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.retain(|tx| !tx.is_closed());
        listeners.len()
    }
}

/// Receives a channel's events. Dropping it unsubscribes.
#[derive(Debug)]
pub struct HubListener<E> {
    rx: mpsc::UnboundedReceiver<E>,
}

impl<E> HubListener<E> {
    /// The next event; `None` once the Hub is gone and every queued event was read.
    pub async fn recv(&mut self) -> Option<E> {
        self.rx.recv().await
    }

    /// The next queued event, without waiting.
    pub fn try_recv(&mut self) -> Option<E> {
        self.rx.try_recv().ok()
    }
}

/// The Hub: one channel per category. Clones share the channels.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use amplify_core::hub::{AuthHubEvent, AuthUser, Hub};
///
/// let hub = Hub::default();
/// let mut a = hub.auth().subscribe();
/// let mut b = hub.auth().subscribe();
/// hub.auth().publish(AuthHubEvent::SignedIn(AuthUser::new("sub-1", "alice")));
/// hub.auth().publish(AuthHubEvent::SignedOut);
/// assert_eq!(a.recv().await.map(|e| e.name()), Some("SIGNED_IN"));
/// assert_eq!(b.recv().await.map(|e| e.name()), Some("SIGNED_IN"));
/// assert_eq!(a.recv().await, Some(AuthHubEvent::SignedOut));
/// # });
/// ```
#[derive(Debug, Clone, Default)]
pub struct Hub {
    auth: HubChannel<AuthHubEvent>,
    api: HubChannel<ApiHubEvent>,
}

impl Hub {
    /// The Auth channel.
    pub fn auth(&self) -> &HubChannel<AuthHubEvent> {
        &self.auth
    }

    /// The API channel.
    pub fn api(&self) -> &HubChannel<ApiHubEvent> {
        &self.api
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_listeners_are_removed_and_others_keep_receiving() {
        let hub = Hub::default();
        let mut kept = hub.auth().subscribe();
        let dropped = hub.auth().subscribe();
        assert_eq!(hub.auth().listener_count(), 2);
        drop(dropped);
        hub.auth().publish(AuthHubEvent::SessionExpired);
        assert_eq!(hub.auth().listener_count(), 1);
        assert_eq!(kept.try_recv(), Some(AuthHubEvent::SessionExpired));
        assert_eq!(kept.try_recv(), None);
    }

    #[test]
    fn listeners_only_see_events_after_subscribing_and_channels_are_separate() {
        let hub = Hub::default();
        hub.auth().publish(AuthHubEvent::SignedOut);
        let mut auth = hub.auth().subscribe();
        let mut api = hub.api().subscribe();
        hub.api().publish(ApiHubEvent::SubscriptionConnection {
            api_name: "data".into(),
            status: SubscriptionStatus::Connected,
        });
        assert_eq!(auth.try_recv(), None);
        assert!(matches!(
            api.try_recv(),
            Some(ApiHubEvent::SubscriptionConnection {
                status: SubscriptionStatus::Connected,
                ..
            })
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_publishers_many_listeners_lose_nothing() {
        let hub = Hub::default();
        let mut listeners: Vec<_> = (0..8).map(|_| hub.auth().subscribe()).collect();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let hub = hub.clone();
                tokio::spawn(async move {
                    for _ in 0..250 {
                        hub.auth().publish(AuthHubEvent::TokensRefreshed);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        for l in &mut listeners {
            let mut n = 0;
            while l.try_recv().is_some() {
                n += 1;
            }
            assert_eq!(n, 1000);
        }
    }
}
