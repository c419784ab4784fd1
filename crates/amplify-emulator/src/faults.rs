//! Fault injection and request counters, per operation.
//!
//! Operations are named as in `X-Amz-Target` without the service prefix (`InitiateAuth`,
//! `GetId`), or `jwks`, `openid-configuration`, `outbox` for the GET endpoints, `graphql` and
//! `rest` for the AppSync endpoints; `*` matches all.
//!
//! The realtime endpoint has three: `realtime-connect` (each WebSocket upgrade:
//! [`Fault::DropConnection`] closes the socket, [`Fault::Delay`] delays the `connection_ack`,
//! [`Fault::Silence`] never sends it, any error fault refuses the upgrade with that HTTP answer),
//! `realtime-start` (each `start`: drop, delay the `start_ack`, silence, or an error fault gives
//! an `error` frame) and `realtime-ka` (each keep-alive: drop the socket, delay, or skip it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// A failure to inject.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use amplify_emulator::{Emulator, ErrorKind, Fault};
/// let emu = Emulator::start().await?;
/// // The next GetTokensFromRefreshToken answers as if the token had been rotated out.
/// emu.faults().inject("GetTokensFromRefreshToken", Fault::ServiceError(ErrorKind::RefreshTokenReuse));
/// // An endpoint that predates GetTokensFromRefreshToken.
/// emu.faults().inject_always("GetTokensFromRefreshToken", Fault::UnknownOperation);
/// // A proxy in front of Cognito failing.
/// emu.faults().inject("InitiateAuth", Fault::HtmlError(502));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// HTTP 500 with `InternalErrorException` (`graphql`, `rest`: AppSync / API Gateway's
    /// `InternalFailureException`).
    InternalError,
    /// HTTP 400 with `TooManyRequestsException` (`graphql`, `rest`: HTTP 429).
    Throttle,
    /// Waits this long, then answers normally.
    Delay(Duration),
    /// Closes the connection without answering.
    DropConnection,
    /// Sends the headers (with the full `content-length`) and half the body, then closes.
    TruncatedBody,
    /// Answers with this modeled Cognito error exactly as the service sends it: the kind's
    /// [`status`](crate::ErrorKind::status), `x-amzn-ErrorType`, `x-amzn-RequestId` and
    /// `{"__type": <kind>, "message": "Injected fault: <kind>."}` (`graphql` and `rest` answer
    /// `InternalError` and `TooManyRequests` in AppSync / API Gateway shape, other kinds in
    /// Cognito's). `ServiceError(ErrorKind::UnknownOperation)` is [`Fault::UnknownOperation`].
    ServiceError(crate::error::ErrorKind),
    /// A proxy's HTML error page with this HTTP status (`content-type: text/html`, no AWS
    /// headers); an invalid status sends 502.
    HtmlError(u16),
    /// The answer AWS gives for an operation the endpoint does not implement: HTTP 400,
    /// `{"__type":"com.amazon.coral.service#UnknownOperationException"}`, no message and no
    /// `x-amzn-ErrorType` (the same answer as for an unknown `X-Amz-Target`). For testing a
    /// client's fall-back from GetTokensFromRefreshToken to `REFRESH_TOKEN_AUTH`.
    UnknownOperation,
    /// Sends nothing: an HTTP request is never answered, `realtime-connect` never gets its
    /// `connection_ack`, `realtime-start` never gets its `start_ack` (the subscription is not
    /// registered), and on `realtime-ka` that keep-alive is skipped (`inject_always` stops them).
    Silence,
}

#[derive(Debug, Clone)]
struct Rule {
    operation: String,
    fault: Fault,
    /// `None`: forever.
    remaining: Option<u32>,
}

/// The fault table. Cheap to clone; clones share the rules.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<Rule>>>,
}

impl Faults {
    /// Fails the next request to `operation` with `fault`.
    pub fn inject(&self, operation: &str, fault: Fault) {
        self.inject_times(operation, fault, 1);
    }

    /// Fails the next `times` requests to `operation` with `fault`.
    pub fn inject_times(&self, operation: &str, fault: Fault, times: u32) {
        self.push(operation, fault, Some(times));
    }

    /// Fails every request to `operation` with `fault` until [`clear`](Self::clear).
    pub fn inject_always(&self, operation: &str, fault: Fault) {
        self.push(operation, fault, None);
    }

    fn push(&self, operation: &str, fault: Fault, remaining: Option<u32>) {
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Rule {
                operation: operation.to_owned(),
                fault,
                remaining,
            });
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Takes the fault for one request to `operation` (the oldest matching rule).
    pub(crate) fn take(&self, operation: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().unwrap_or_else(PoisonError::into_inner);
        let index = rules
            .iter()
            .position(|r| r.operation == operation || r.operation == "*")?;
        let rule = rules.get_mut(index)?;
        let fault = rule.fault.clone();
        match &mut rule.remaining {
            Some(n) if *n <= 1 => {
                rules.remove(index);
            }
            Some(n) => *n -= 1,
            None => {}
        }
        Some(fault)
    }
}

/// Requests received per operation. Cheap to clone; clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct RequestCounters {
    counts: Arc<Mutex<HashMap<String, u64>>>,
}

impl RequestCounters {
    pub(crate) fn bump(&self, operation: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        *counts.entry(operation.to_owned()).or_default() += 1;
    }

    /// Requests received for `operation` (including failed and fault-injected ones).
    pub fn get(&self, operation: &str) -> u64 {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.get(operation).copied().unwrap_or(0)
    }

    /// Requests received in all.
    pub fn total(&self) -> u64 {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .sum()
    }

    /// Every operation's count.
    pub fn snapshot(&self) -> HashMap<String, u64> {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sets every count back to zero.
    pub fn reset(&self) {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_consumed_in_order() {
        let faults = Faults::default();
        faults.inject_times("InitiateAuth", Fault::Throttle, 2);
        faults.inject("InitiateAuth", Fault::InternalError);
        assert_eq!(faults.take("SignUp"), None);
        assert_eq!(faults.take("InitiateAuth"), Some(Fault::Throttle));
        assert_eq!(faults.take("InitiateAuth"), Some(Fault::Throttle));
        assert_eq!(faults.take("InitiateAuth"), Some(Fault::InternalError));
        assert_eq!(faults.take("InitiateAuth"), None);
        faults.inject_always("*", Fault::DropConnection);
        assert_eq!(faults.take("GetId"), Some(Fault::DropConnection));
        assert_eq!(faults.take("GetId"), Some(Fault::DropConnection));
        faults.clear();
        assert_eq!(faults.take("GetId"), None);
    }

    #[test]
    fn counters_count() {
        let c = RequestCounters::default();
        c.bump("GetId");
        c.bump("GetId");
        c.bump("SignUp");
        assert_eq!(c.get("GetId"), 2);
        assert_eq!(c.total(), 3);
        c.reset();
        assert_eq!(c.get("GetId"), 0);
    }
}
