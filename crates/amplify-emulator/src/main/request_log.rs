//! `--log json`: a `tracing` subscriber that prints the library's request-log events
//! (target `amplify_emulator::request`) as one JSON object per line on stderr, and nothing
//! else. The library only emits events; the binary decides where they go.

use std::io::Write as _;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// The target of the library's request-log events.
const TARGET: &str = "amplify_emulator::request";

/// Installs the JSON request log as the global subscriber.
pub(crate) fn install() -> Result<(), tracing::subscriber::SetGlobalDefaultError> {
    tracing::subscriber::set_global_default(JsonRequestLog)
}

/// Prints request-log events; every other event and span is disabled.
struct JsonRequestLog;

impl Subscriber for JsonRequestLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // Events and the library's `enabled!` hints (neither is a span).
        !metadata.is_span() && metadata.target() == TARGET
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        // Never called: `enabled` refuses every span.
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(Map::new());
        event.record(&mut fields);
        let mut line = Value::Object(fields.0).to_string();
        line.push('\n');
        // One write per line, so lines from different threads never interleave.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// The event's fields as JSON members; the `message` (always `request`) and empty strings (an
/// answer without a request id) are left out.
struct Fields(Map<String, Value>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !value.is_empty() {
            self.insert(field, Value::from(value));
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, Value::from(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, Value::from(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.insert(field, Value::from(format!("{value:?}")));
    }
}

impl Fields {
    fn insert(&mut self, field: &Field, value: Value) {
        if field.name() != "message" {
            self.0.insert(field.name().to_owned(), value);
        }
    }
}
