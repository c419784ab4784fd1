//! Every message the emulated pools "send": confirmation codes, MFA codes, forgot-password
//! codes, attribute verification codes and temporary passwords. Tests read them here or over
//! HTTP (`GET /_emulator/outbox`).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::watch;

/// How a message was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryMedium {
    /// By email.
    Email,
    /// By SMS.
    Sms,
}

impl DeliveryMedium {
    /// `EMAIL` or `SMS`, as in `CodeDeliveryDetails`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryMedium::Email => "EMAIL",
            DeliveryMedium::Sms => "SMS",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [DeliveryMedium::Email, DeliveryMedium::Sms]
            .into_iter()
            .find(|m| m.as_str() == text)
    }
}

/// Why a message was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageKind {
    /// SignUp or ResendConfirmationCode.
    SignUp,
    /// ForgotPassword.
    ForgotPassword,
    /// An SMS MFA code during sign-in.
    SmsMfa,
    /// An attribute verification code (UpdateUserAttributes, GetUserAttributeVerificationCode).
    AttributeVerification,
    /// AdminCreateUser's invitation; the code is the temporary password.
    TemporaryPassword,
    /// An email code during sign-in: email MFA, or the `EMAIL_OTP` first factor of `USER_AUTH`.
    EmailOtp,
    /// An SMS code for the `SMS_OTP` first factor of `USER_AUTH`.
    SmsOtp,
}

impl MessageKind {
    /// A stable name for the HTTP view.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::SignUp => "SIGN_UP",
            MessageKind::ForgotPassword => "FORGOT_PASSWORD",
            MessageKind::SmsMfa => "SMS_MFA",
            MessageKind::AttributeVerification => "ATTRIBUTE_VERIFICATION",
            MessageKind::TemporaryPassword => "TEMPORARY_PASSWORD",
            MessageKind::EmailOtp => "EMAIL_OTP",
            MessageKind::SmsOtp => "SMS_OTP",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            MessageKind::SignUp,
            MessageKind::ForgotPassword,
            MessageKind::SmsMfa,
            MessageKind::AttributeVerification,
            MessageKind::TemporaryPassword,
            MessageKind::EmailOtp,
            MessageKind::SmsOtp,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// One sent message.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Message {
    /// Increasing id.
    pub id: u64,
    /// The user pool.
    pub user_pool_id: String,
    /// The internal username (the `sub` in email / phone username pools).
    pub username: String,
    /// The email address or phone number it went to.
    pub destination: String,
    /// Email or SMS.
    pub medium: DeliveryMedium,
    /// Why it was sent.
    pub kind: MessageKind,
    /// The code (or temporary password).
    pub code: String,
    /// The attribute being verified, for attribute verification.
    pub attribute: Option<String>,
    /// When it was sent (emulator clock).
    pub sent_at: SystemTime,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The code is a test fixture, but keep it out of logs anyway.
        f.debug_struct("Message")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("destination", &self.destination)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Message {
    /// Whether the message is for `who`: the internal username, the destination, or an
    /// alias recorded when it was sent (compared without regard to ASCII case).
    pub fn is_for(&self, who: &str) -> bool {
        self.username.eq_ignore_ascii_case(who) || self.destination.eq_ignore_ascii_case(who)
    }

    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "userPoolId": self.user_pool_id,
            "username": self.username,
            "destination": self.destination,
            "deliveryMedium": self.medium.as_str(),
            "kind": self.kind.as_str(),
            "code": self.code,
            "attribute": self.attribute,
            "sentAt": crate::timefmt::epoch_secs(self.sent_at),
        })
    }
}

#[derive(Debug, Default)]
struct Entries {
    messages: Vec<(Message, Vec<String>, bool)>,
    next_id: u64,
}

/// The outbox. Cheap to clone; clones share the messages.
#[derive(Debug, Clone)]
pub struct Outbox {
    entries: Arc<Mutex<Entries>>,
    version: Arc<watch::Sender<u64>>,
}

impl Default for Outbox {
    fn default() -> Self {
        Self {
            entries: Arc::default(),
            version: Arc::new(watch::channel(0).0),
        }
    }
}

/// What the pool knows when it sends a message.
#[derive(Debug)]
pub(crate) struct Outgoing {
    pub(crate) user_pool_id: String,
    pub(crate) username: String,
    /// Other names the user is known by (email, phone number, the name used to sign in).
    pub(crate) aliases: Vec<String>,
    pub(crate) destination: String,
    pub(crate) medium: DeliveryMedium,
    pub(crate) kind: MessageKind,
    pub(crate) code: String,
    pub(crate) attribute: Option<String>,
    pub(crate) sent_at: SystemTime,
}

impl Outbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn push(&self, out: Outgoing) {
        let id = {
            let mut entries = self.lock();
            entries.next_id += 1;
            let id = entries.next_id;
            let message = Message {
                id,
                user_pool_id: out.user_pool_id,
                username: out.username,
                destination: out.destination,
                medium: out.medium,
                kind: out.kind,
                code: out.code,
                attribute: out.attribute,
                sent_at: out.sent_at,
            };
            entries.messages.push((message, out.aliases, false));
            id
        };
        self.version.send_replace(id);
    }

    /// Every message, oldest first.
    pub fn messages(&self) -> Vec<Message> {
        self.lock()
            .messages
            .iter()
            .map(|(m, _, _)| m.clone())
            .collect()
    }

    /// Messages for `who` (username, email, phone number or alias), oldest first.
    pub fn messages_for(&self, who: &str) -> Vec<Message> {
        self.lock()
            .messages
            .iter()
            .filter(|(m, aliases, _)| matches(m, aliases, who))
            .map(|(m, _, _)| m.clone())
            .collect()
    }

    /// The newest message for `who`.
    pub fn latest_for(&self, who: &str) -> Option<Message> {
        self.messages_for(who).pop()
    }

    /// The newest code sent to `who`.
    pub fn latest_code_for(&self, who: &str) -> Option<String> {
        self.latest_for(who).map(|m| m.code)
    }

    /// Takes the oldest message for `who` that no `next_*` call has returned yet, without waiting.
    pub fn try_next_for(&self, who: &str) -> Option<Message> {
        let mut entries = self.lock();
        let (message, _, taken) = entries
            .messages
            .iter_mut()
            .find(|(m, aliases, taken)| !*taken && matches(m, aliases, who))?;
        *taken = true;
        Some(message.clone())
    }

    /// Waits for (and takes) the next message for `who`: the oldest one not returned before.
    ///
    /// Wrap it in `tokio::time::timeout` if the message might never come.
    pub async fn next_message_for(&self, who: &str) -> Message {
        let mut rx = self.version.subscribe();
        loop {
            rx.borrow_and_update();
            if let Some(message) = self.try_next_for(who) {
                return message;
            }
            if rx.changed().await.is_err() {
                // The sender lives as long as `self`; this cannot happen, but never spin.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Waits for (and takes) the next code for `who`.
    pub async fn next_code_for(&self, who: &str) -> String {
        self.next_message_for(who).await.code
    }

    /// Forgets every message.
    pub fn clear(&self) {
        self.lock().messages.clear();
    }

    pub(crate) fn to_json(&self, who: Option<&str>) -> Value {
        let messages: Vec<Value> = match who {
            Some(who) => self.messages_for(who),
            None => self.messages(),
        }
        .iter()
        .map(Message::to_json)
        .collect();
        json!({ "messages": messages })
    }
}

/// A message as the data directory stores it (`crate::state::persist`).
#[derive(Serialize, Deserialize)]
pub(crate) struct StoredMessage {
    id: u64,
    user_pool_id: String,
    username: String,
    aliases: Vec<String>,
    destination: String,
    medium: String,
    kind: String,
    code: String,
    attribute: Option<String>,
    /// Seconds and nanoseconds since the Unix epoch.
    sent_at: (u64, u32),
}

impl StoredMessage {
    pub(crate) fn id(&self) -> u64 {
        self.id
    }
}

impl Outbox {
    /// What changed since the data directory last saved the ids in `saved`: the messages it does
    /// not have yet, and the saved ids no longer here (after [`Outbox::clear`]).
    pub(crate) fn changes_since(
        &self,
        saved: &std::collections::BTreeSet<u64>,
    ) -> (Vec<StoredMessage>, Vec<u64>) {
        let entries = self.lock();
        let messages = &entries.messages;
        // Messages are only appended (ids increasing) or all cleared: the same count and the
        // same newest id mean nothing changed.
        let newest = messages.last().map(|(m, _, _)| m.id);
        if messages.len() == saved.len() && newest == saved.last().copied() {
            return (Vec::new(), Vec::new());
        }
        let added = messages
            .iter()
            .filter(|(m, _, _)| !saved.contains(&m.id))
            .map(|(m, aliases, _)| StoredMessage {
                id: m.id,
                user_pool_id: m.user_pool_id.clone(),
                username: m.username.clone(),
                aliases: aliases.clone(),
                destination: m.destination.clone(),
                medium: m.medium.as_str().to_owned(),
                kind: m.kind.as_str().to_owned(),
                code: m.code.clone(),
                attribute: m.attribute.clone(),
                sent_at: crate::timefmt::epoch_exact(m.sent_at),
            })
            .collect();
        let gone = saved
            .iter()
            .filter(|id| {
                messages
                    .binary_search_by_key(*id, |(m, _, _)| m.id)
                    .is_err()
            })
            .copied()
            .collect();
        (added, gone)
    }

    /// Replaces the messages with stored ones (oldest first); new ids continue after the newest.
    ///
    /// # Errors
    ///
    /// The id of a message whose medium or kind is unknown.
    pub(crate) fn restore(&self, stored: Vec<StoredMessage>) -> Result<(), u64> {
        let mut messages = Vec::with_capacity(stored.len());
        for s in stored {
            let (Some(medium), Some(kind)) = (
                DeliveryMedium::parse(&s.medium),
                MessageKind::parse(&s.kind),
            ) else {
                return Err(s.id);
            };
            let message = Message {
                id: s.id,
                user_pool_id: s.user_pool_id,
                username: s.username,
                destination: s.destination,
                medium,
                kind,
                code: s.code,
                attribute: s.attribute,
                sent_at: crate::timefmt::from_epoch_exact(s.sent_at),
            };
            messages.push((message, s.aliases, false));
        }
        messages.sort_by_key(|(m, _, _)| m.id);
        let mut entries = self.lock();
        entries.next_id = messages.last().map_or(0, |(m, _, _)| m.id);
        entries.messages = messages;
        drop(entries);
        self.version.send_modify(|v| *v += 1);
        Ok(())
    }
}

fn matches(message: &Message, aliases: &[String], who: &str) -> bool {
    message.is_for(who) || aliases.iter().any(|a| a.eq_ignore_ascii_case(who))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing(username: &str, code: &str) -> Outgoing {
        Outgoing {
            user_pool_id: "us-east-1_X".into(),
            username: username.into(),
            aliases: vec![format!("{username}@example.com")],
            destination: format!("{username}@example.com"),
            medium: DeliveryMedium::Email,
            kind: MessageKind::SignUp,
            code: code.into(),
            attribute: Some("email".into()),
            sent_at: SystemTime::UNIX_EPOCH,
        }
    }

    #[tokio::test]
    async fn next_code_waits_and_takes_in_order() {
        let outbox = Outbox::default();
        let waiter = {
            let outbox = outbox.clone();
            tokio::spawn(async move { outbox.next_code_for("alice").await })
        };
        outbox.push(outgoing("bob", "111111"));
        outbox.push(outgoing("alice", "222222"));
        assert_eq!(waiter.await.unwrap(), "222222");
        outbox.push(outgoing("alice", "333333"));
        assert_eq!(outbox.next_code_for("ALICE@example.com").await, "333333");
        assert_eq!(outbox.try_next_for("alice"), None);
        assert_eq!(outbox.latest_code_for("alice").as_deref(), Some("333333"));
        assert_eq!(outbox.messages().len(), 3);
        let json = outbox.to_json(Some("bob"));
        assert_eq!(json["messages"][0]["code"], "111111");
        assert!(!format!("{:?}", outbox.messages()).contains("111111"));
    }
}
