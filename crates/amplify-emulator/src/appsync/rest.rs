//! The REST side (API Gateway style): an echo route, a small `items` resource and a status route,
//! answering with API Gateway's error shapes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use serde_json::{Map, Value, json};

use super::spec::Identity;
use crate::state::persist::Journal;
use crate::util::Rng;

/// A REST API's `items` resource. Cheap to clone; clones share the items.
#[derive(Clone)]
pub struct RestItems {
    items: Arc<Mutex<BTreeMap<String, Value>>>,
    rng: Arc<Rng>,
    /// The data directory's rows, when there is one.
    journal: Option<Journal>,
}

impl std::fmt::Debug for RestItems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestItems")
            .field("len", &self.len())
            .finish()
    }
}

impl RestItems {
    pub(crate) fn new(rng: Rng, journal: Option<Journal>) -> Self {
        Self {
            items: Arc::new(Mutex::new(BTreeMap::new())),
            rng: Arc::new(rng),
            journal,
        }
    }

    /// Puts stored items back (data directory).
    pub(crate) fn restore(&self, stored: BTreeMap<String, Value>) {
        self.lock().extend(stored);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Value>> {
        self.items.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every item, by id.
    pub fn list(&self) -> Vec<Value> {
        self.lock().values().cloned().collect()
    }

    /// One item.
    pub fn get(&self, id: &str) -> Option<Value> {
        self.lock().get(id).cloned()
    }

    /// Stores `item` under `id` (its `id` member is set to `id`).
    pub fn put(&self, id: &str, item: Value) -> Value {
        let mut item = match item {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("value".into(), other);
                map
            }
        };
        item.insert("id".into(), json!(id));
        let item = Value::Object(item);
        let mut items = self.lock();
        items.insert(id.to_owned(), item.clone());
        if let Some(journal) = &self.journal {
            journal.put(id, &item);
        }
        item
    }

    /// Removes one item.
    pub fn remove(&self, id: &str) -> Option<Value> {
        let mut items = self.lock();
        let removed = items.remove(id);
        if removed.is_some()
            && let Some(journal) = &self.journal
        {
            journal.delete(id);
        }
        removed
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn json_reply(status: StatusCode, body: &Value) -> (StatusCode, Value) {
    (status, body.clone())
}

fn message(status: StatusCode, text: &str) -> (StatusCode, Value) {
    (status, json!({ "message": text }))
}

fn query_map(query: &str) -> Map<String, Value> {
    let mut out: Map<String, Value> = Map::new();
    for (k, v) in crate::util::form::parse(query) {
        let v = Value::String(v);
        match out.get_mut(&k) {
            Some(Value::Array(values)) => values.push(v),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, v]);
            }
            None => {
                out.insert(k, v);
            }
        }
    }
    out
}

/// Answers one request to a REST API after authorization. `rest_path` is the path below the
/// API's base (`/items/1`).
pub(crate) fn route(
    items: &RestItems,
    request: &Request<Bytes>,
    rest_path: &str,
    identity: &Identity,
) -> (StatusCode, Value) {
    let segments: Vec<&str> = rest_path.split('/').filter(|s| !s.is_empty()).collect();
    let method = request.method();
    match segments.as_slice() {
        ["echo", ..] => {
            let headers: Map<String, Value> = request
                .headers()
                .iter()
                .map(|(name, value)| {
                    let shown = if matches!(
                        name.as_str(),
                        "authorization" | "x-api-key" | "x-amz-security-token"
                    ) {
                        "[redacted]".to_owned()
                    } else {
                        String::from_utf8_lossy(value.as_bytes()).into_owned()
                    };
                    (name.as_str().to_owned(), Value::String(shown))
                })
                .collect();
            let body = request.body();
            let json_body = serde_json::from_slice::<Value>(body).ok();
            json_reply(
                StatusCode::OK,
                &json!({
                    "method": method.as_str(),
                    "path": rest_path,
                    "query": query_map(request.uri().query().unwrap_or_default()),
                    "headers": headers,
                    "body": String::from_utf8_lossy(body),
                    "json": json_body,
                    "identity": identity.to_json(),
                }),
            )
        }
        ["status", code] => match code
            .parse::<u16>()
            .ok()
            .and_then(|c| StatusCode::from_u16(c).ok())
        {
            Some(status) if status.as_u16() >= 200 => {
                (status, json!({ "status": status.as_u16() }))
            }
            _ => message(
                StatusCode::BAD_REQUEST,
                "The status must be a number from 200 to 999.",
            ),
        },
        ["items"] => match *method {
            Method::GET | Method::HEAD => {
                json_reply(StatusCode::OK, &json!({ "items": items.list() }))
            }
            Method::POST => {
                let Ok(Value::Object(mut item)) = serde_json::from_slice::<Value>(request.body())
                else {
                    return message(StatusCode::BAD_REQUEST, "The body must be a JSON object.");
                };
                let id = match item.remove("id") {
                    Some(Value::String(id)) if !id.is_empty() => id,
                    _ => items.rng.uuid(),
                };
                if items.get(&id).is_some() {
                    return message(StatusCode::CONFLICT, "An item with this id exists.");
                }
                let stored = items.put(&id, Value::Object(item));
                json_reply(StatusCode::CREATED, &stored)
            }
            _ => message(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
        },
        ["items", id] => {
            let id = crate::util::form::decode(id);
            match *method {
                Method::GET | Method::HEAD => match items.get(&id) {
                    Some(item) => json_reply(StatusCode::OK, &item),
                    None => message(StatusCode::NOT_FOUND, "Item not found"),
                },
                Method::PUT => {
                    let Ok(Value::Object(item)) = serde_json::from_slice::<Value>(request.body())
                    else {
                        return message(StatusCode::BAD_REQUEST, "The body must be a JSON object.");
                    };
                    json_reply(StatusCode::OK, &items.put(&id, Value::Object(item)))
                }
                Method::PATCH => {
                    let Ok(Value::Object(patch)) = serde_json::from_slice::<Value>(request.body())
                    else {
                        return message(StatusCode::BAD_REQUEST, "The body must be a JSON object.");
                    };
                    let Some(Value::Object(mut item)) = items.get(&id) else {
                        return message(StatusCode::NOT_FOUND, "Item not found");
                    };
                    for (k, v) in patch {
                        item.insert(k, v);
                    }
                    json_reply(StatusCode::OK, &items.put(&id, Value::Object(item)))
                }
                Method::DELETE => match items.remove(&id) {
                    Some(item) => json_reply(StatusCode::OK, &item),
                    None => message(StatusCode::NOT_FOUND, "Item not found"),
                },
                _ => message(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
            }
        }
        _ => message(StatusCode::NOT_FOUND, "Not Found"),
    }
}
