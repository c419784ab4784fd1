//! The recent requests the console shows: the same lines as the `--log json` request log
//! (`crate::server`'s request log records each one here as well), newest kept, oldest dropped.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use serde_json::{Value, json};

/// How many requests the console remembers.
const CAPACITY: usize = 1000;

/// One request as the request log records it: never a header value or a body field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestEntry {
    /// The emulator's clock, ISO 8601.
    pub(crate) time: String,
    pub(crate) operation: String,
    pub(crate) method: String,
    /// Without the query string.
    pub(crate) path: String,
    /// 0 when the connection was dropped.
    pub(crate) status: u16,
    pub(crate) request_id: String,
    /// `accepted`, or the refusal's error type.
    pub(crate) decision: String,
}

/// The last [`CAPACITY`] requests, each with an increasing sequence number.
#[derive(Debug, Default)]
pub(crate) struct RequestHistory {
    entries: Mutex<(u64, VecDeque<(u64, RequestEntry)>)>,
}

impl RequestHistory {
    /// Records a request.
    pub(crate) fn push(&self, entry: RequestEntry) {
        let mut guard = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let (next, entries) = &mut *guard;
        *next += 1;
        if entries.len() == CAPACITY {
            entries.pop_front();
        }
        entries.push_back((*next, entry));
    }

    /// The requests after sequence number `after`, newest first.
    pub(crate) fn newest_first(&self, after: u64) -> Vec<(u64, RequestEntry)> {
        let guard = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        guard
            .1
            .iter()
            .rev()
            .take_while(|(seq, _)| *seq > after)
            .cloned()
            .collect()
    }
}

impl RequestEntry {
    /// The JSON of the console's live view (the `--log json` fields plus `seq`).
    pub(crate) fn to_json(&self, seq: u64) -> Value {
        json!({
            "seq": seq,
            "time": self.time,
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "request_id": self.request_id,
            "decision": self.decision,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(op: &str) -> RequestEntry {
        RequestEntry {
            time: String::new(),
            operation: op.to_owned(),
            method: "POST".to_owned(),
            path: "/".to_owned(),
            status: 200,
            request_id: String::new(),
            decision: "accepted".to_owned(),
        }
    }

    #[test]
    fn keeps_the_newest_and_pages_by_sequence() {
        let history = RequestHistory::default();
        for i in 0..CAPACITY + 5 {
            history.push(entry(&format!("op{i}")));
        }
        let all = history.newest_first(0);
        assert_eq!(all.len(), CAPACITY);
        assert_eq!(all[0].1.operation, format!("op{}", CAPACITY + 4));
        assert_eq!(all[CAPACITY - 1].1.operation, "op5");
        let last_seq = all[0].0;
        history.push(entry("later"));
        let newer = history.newest_first(last_seq);
        assert_eq!(newer.len(), 1);
        assert_eq!(newer[0].1.operation, "later");
    }
}
