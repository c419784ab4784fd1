//! The built-in sample API: a Todo model as Amplify's model transform generates it (get, list
//! with filter and pagination, create, update, delete, subscriptions) on an in-memory store
//! that scans like DynamoDB.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use amplify_core::time::SharedTimeSource;
use serde_json::{Map, Value, json};

use super::spec::{AuthMode, Identity, ResolverContext, ResolverError, SharedResolver};
use crate::state::persist::Journal;
use crate::timefmt;
use crate::util::{Rng, b64url, b64url_decode};

/// The sample schema for an API with `modes` (default first). Every type carries the directives
/// of all the API's modes; with user pools, `Todo.adminNote` exists and needs the group `admins`;
/// `deleteTodo` needs `AWS_IAM` or user pools (whichever of them the API has).
pub fn sample_todo_schema(modes: &[AuthMode]) -> String {
    let all: Vec<String> = modes
        .iter()
        .filter_map(|m| m.directive())
        .map(|d| format!("@{d}"))
        .collect();
    let all = all.join(" ");
    let private: Vec<String> = modes
        .iter()
        .filter(|m| matches!(m, AuthMode::AwsIam | AuthMode::AmazonCognitoUserPools))
        .filter_map(|m| m.directive())
        .map(|d| format!("@{d}"))
        .collect();
    let user_pools = modes.contains(&AuthMode::AmazonCognitoUserPools);
    let admin_note = if user_pools {
        "\n  adminNote: String @aws_cognito_user_pools(cognito_groups: [\"admins\"])"
    } else {
        ""
    };
    let admin_input = if user_pools {
        "\n  adminNote: String"
    } else {
        ""
    };
    let delete = if private.is_empty() {
        String::new()
    } else {
        format!(" {}", private.join(" "))
    };
    format!(
        r#"schema {{
  query: Query
  mutation: Mutation
  subscription: Subscription
}}

type Todo {all} {{
  id: ID!
  name: String!
  description: String
  done: Boolean
  priority: Int
  owner: String{admin_note}
  createdAt: AWSDateTime!
  updatedAt: AWSDateTime!
}}

type ModelTodoConnection {all} {{
  items: [Todo]!
  nextToken: String
}}

input ModelStringInput {{
  ne: String
  eq: String
  le: String
  lt: String
  ge: String
  gt: String
  contains: String
  notContains: String
  between: [String]
  beginsWith: String
  attributeExists: Boolean
}}

input ModelIDInput {{
  ne: ID
  eq: ID
  le: ID
  lt: ID
  ge: ID
  gt: ID
  contains: ID
  notContains: ID
  between: [ID]
  beginsWith: ID
  attributeExists: Boolean
}}

input ModelIntInput {{
  ne: Int
  eq: Int
  le: Int
  lt: Int
  ge: Int
  gt: Int
  between: [Int]
  attributeExists: Boolean
}}

input ModelBooleanInput {{
  ne: Boolean
  eq: Boolean
  attributeExists: Boolean
}}

input ModelTodoFilterInput {{
  id: ModelIDInput
  name: ModelStringInput
  description: ModelStringInput
  done: ModelBooleanInput
  priority: ModelIntInput
  owner: ModelStringInput
  createdAt: ModelStringInput
  updatedAt: ModelStringInput
  and: [ModelTodoFilterInput]
  or: [ModelTodoFilterInput]
  not: ModelTodoFilterInput
}}

input ModelTodoConditionInput {{
  name: ModelStringInput
  description: ModelStringInput
  done: ModelBooleanInput
  priority: ModelIntInput
  owner: ModelStringInput
  createdAt: ModelStringInput
  updatedAt: ModelStringInput
  and: [ModelTodoConditionInput]
  or: [ModelTodoConditionInput]
  not: ModelTodoConditionInput
}}

input CreateTodoInput {{
  id: ID
  name: String!
  description: String
  done: Boolean
  priority: Int{admin_input}
}}

input UpdateTodoInput {{
  id: ID!
  name: String
  description: String
  done: Boolean
  priority: Int{admin_input}
}}

input DeleteTodoInput {{
  id: ID!
}}

input ModelSubscriptionStringInput {{
  ne: String
  eq: String
  le: String
  lt: String
  ge: String
  gt: String
  contains: String
  notContains: String
  between: [String]
  beginsWith: String
  in: [String]
  notIn: [String]
}}

input ModelSubscriptionIDInput {{
  ne: ID
  eq: ID
  le: ID
  lt: ID
  ge: ID
  gt: ID
  contains: ID
  notContains: ID
  between: [ID]
  beginsWith: ID
  in: [ID]
  notIn: [ID]
}}

input ModelSubscriptionBooleanInput {{
  ne: Boolean
  eq: Boolean
}}

input ModelSubscriptionIntInput {{
  ne: Int
  eq: Int
  le: Int
  lt: Int
  ge: Int
  gt: Int
  between: [Int]
  in: [Int]
  notIn: [Int]
}}

input ModelSubscriptionTodoFilterInput {{
  id: ModelSubscriptionIDInput
  name: ModelSubscriptionStringInput
  description: ModelSubscriptionStringInput
  done: ModelSubscriptionBooleanInput
  priority: ModelSubscriptionIntInput
  createdAt: ModelSubscriptionStringInput
  updatedAt: ModelSubscriptionStringInput
  and: [ModelSubscriptionTodoFilterInput]
  or: [ModelSubscriptionTodoFilterInput]
}}

type Query {all} {{
  getTodo(id: ID!): Todo
  listTodos(filter: ModelTodoFilterInput, limit: Int, nextToken: String): ModelTodoConnection
}}

type Mutation {all} {{
  createTodo(input: CreateTodoInput!, condition: ModelTodoConditionInput): Todo
  updateTodo(input: UpdateTodoInput!, condition: ModelTodoConditionInput): Todo
  deleteTodo(input: DeleteTodoInput!, condition: ModelTodoConditionInput): Todo{delete}
}}

type Subscription {all} {{
  onCreateTodo(filter: ModelSubscriptionTodoFilterInput): Todo @aws_subscribe(mutations: ["createTodo"])
  onUpdateTodo(filter: ModelSubscriptionTodoFilterInput): Todo @aws_subscribe(mutations: ["updateTodo"])
  onDeleteTodo(filter: ModelSubscriptionTodoFilterInput): Todo @aws_subscribe(mutations: ["deleteTodo"])
}}
"#
    )
}

/// The default page size of `listTodos` (Amplify's model transform uses 100).
const DEFAULT_LIMIT: i64 = 100;
/// The largest page.
const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Default)]
struct TodoState {
    next_seq: u64,
    /// Scan order (insertion order) → item.
    items: BTreeMap<u64, Map<String, Value>>,
    by_id: HashMap<String, u64>,
}

/// The sample API's in-memory Todo table. Cheap to clone; clones share the table.
#[derive(Clone)]
pub struct TodoStore {
    state: Arc<Mutex<TodoState>>,
    clock: SharedTimeSource,
    rng: Arc<Rng>,
    /// The data directory's rows (`{"seq", "item"}` by id), when there is one.
    journal: Option<Journal>,
}

/// A Todo as the data directory stores it.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredTodo {
    seq: u64,
    item: Map<String, Value>,
}

impl std::fmt::Debug for TodoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TodoStore")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl TodoStore {
    pub(crate) fn new(clock: SharedTimeSource, rng: Rng, journal: Option<Journal>) -> Self {
        Self {
            state: Arc::new(Mutex::new(TodoState::default())),
            clock,
            rng: Arc::new(rng),
            journal,
        }
    }

    /// Puts stored items back (data directory), in their scan order.
    pub(crate) fn restore(&self, stored: BTreeMap<String, StoredTodo>) {
        let mut state = self.lock();
        for (id, todo) in stored {
            state.next_seq = state.next_seq.max(todo.seq.saturating_add(1));
            state.by_id.insert(id, todo.seq);
            state.items.insert(todo.seq, todo.item);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TodoState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every item, in scan order.
    pub fn list(&self) -> Vec<Value> {
        self.lock()
            .items
            .values()
            .map(|m| Value::Object(m.clone()))
            .collect()
    }

    /// One item.
    pub fn get(&self, id: &str) -> Option<Value> {
        let state = self.lock();
        let seq = state.by_id.get(id)?;
        state.items.get(seq).map(|m| Value::Object(m.clone()))
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.lock().items.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every item.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.items.clear();
        state.by_id.clear();
        if let Some(journal) = &self.journal {
            journal.clear();
        }
    }

    /// Seeds an item (a JSON object with at least `name`); `id`, `createdAt` and `updatedAt`
    /// are filled in when missing. Replaces an item with the same id. Returns the stored item.
    ///
    /// # Errors
    ///
    /// When `todo` is not an object with a string `name`.
    pub fn insert(&self, todo: Value) -> Result<Value, String> {
        let Value::Object(mut item) = todo else {
            return Err("a Todo must be a JSON object".to_owned());
        };
        if !item.get("name").is_some_and(Value::is_string) {
            return Err("a Todo needs a string `name`".to_owned());
        }
        let now = timefmt::iso8601_millis(self.clock.now());
        if !item.get("id").is_some_and(Value::is_string) {
            item.insert("id".into(), json!(self.rng.uuid()));
        }
        item.entry("createdAt").or_insert_with(|| json!(now));
        item.entry("updatedAt").or_insert_with(|| json!(now));
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut state = self.lock();
        let seq = match state.by_id.get(&id) {
            Some(seq) => *seq,
            None => {
                let seq = state.next_seq;
                state.next_seq += 1;
                state.by_id.insert(id.clone(), seq);
                seq
            }
        };
        state.items.insert(seq, item.clone());
        if let Some(journal) = &self.journal {
            journal.put(
                &id,
                &StoredTodo {
                    seq,
                    item: item.clone(),
                },
            );
        }
        Ok(Value::Object(item))
    }

    /// Removes one item; returns it.
    pub fn remove(&self, id: &str) -> Option<Value> {
        let mut state = self.lock();
        let seq = state.by_id.remove(id)?;
        if let Some(journal) = &self.journal {
            journal.delete(id);
        }
        state.items.remove(&seq).map(Value::Object)
    }
}

fn conditional_failure() -> ResolverError {
    ResolverError::new(
        "The conditional request failed (Service: DynamoDb, Status Code: 400, Request ID: null)",
    )
    .error_type("DynamoDB:ConditionalCheckFailedException")
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// One attribute against `{eq, ne, lt, ..., attributeExists}`: every operator must hold.
fn condition_holds(value: Option<&Value>, ops: &Map<String, Value>) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let value = value.filter(|v| !v.is_null());
    ops.iter().all(|(op, arg)| {
        if arg.is_null() {
            return true;
        }
        let ord = value.and_then(|v| compare(v, arg));
        match op.as_str() {
            "eq" => ord == Some(Equal),
            "ne" => ord != Some(Equal),
            "lt" => ord == Some(Less),
            "le" => matches!(ord, Some(Less | Equal)),
            "gt" => ord == Some(Greater),
            "ge" => matches!(ord, Some(Greater | Equal)),
            "contains" | "notContains" => {
                let contains = match (value, arg) {
                    (Some(Value::String(s)), Value::String(needle)) => s.contains(needle.as_str()),
                    (Some(Value::Array(items)), needle) => items.contains(needle),
                    _ => false,
                };
                if op == "contains" {
                    contains
                } else {
                    value.is_some() && !contains
                }
            }
            "beginsWith" => matches!((value, arg), (Some(Value::String(s)), Value::String(p)) if s.starts_with(p.as_str())),
            "between" => match arg.as_array().map(Vec::as_slice) {
                Some([low, high]) => value.is_some_and(|v| {
                    matches!(compare(v, low), Some(Greater | Equal))
                        && matches!(compare(v, high), Some(Less | Equal))
                }),
                _ => false,
            },
            "in" => arg
                .as_array()
                .is_some_and(|items| value.is_some_and(|v| items.contains(v))),
            "notIn" => arg
                .as_array()
                .is_some_and(|items| value.is_none_or(|v| !items.contains(v))),
            "attributeExists" => arg.as_bool() == Some(value.is_some()),
            _ => false,
        }
    })
}

/// An Amplify model filter (`{name: {contains: "x"}, and: [...], or: [...], not: {...}}`).
pub(crate) fn filter_matches(filter: &Map<String, Value>, item: &Map<String, Value>) -> bool {
    filter.iter().all(|(key, cond)| match (key.as_str(), cond) {
        (_, Value::Null) => true,
        ("and", Value::Array(parts)) => parts
            .iter()
            .all(|p| p.as_object().is_none_or(|p| filter_matches(p, item))),
        ("or", Value::Array(parts)) => parts
            .iter()
            .any(|p| p.as_object().is_some_and(|p| filter_matches(p, item))),
        ("not", Value::Object(inner)) => !filter_matches(inner, item),
        (field, Value::Object(ops)) => condition_holds(item.get(field), ops),
        _ => false,
    })
}

fn next_token(after: u64) -> String {
    b64url(json!({ "v": 1, "after": after }).to_string().as_bytes())
}

fn parse_token(token: &str) -> Option<u64> {
    let bytes = b64url_decode(token)?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    if value.get("v")?.as_i64()? != 1 {
        return None;
    }
    value.get("after")?.as_u64()
}

fn owner_of(identity: &Identity) -> Value {
    identity.principal().map_or(Value::Null, |p| json!(p))
}

fn input_of(args: &Map<String, Value>) -> Map<String, Value> {
    args.get("input")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn condition_of(args: &Map<String, Value>) -> Option<&Map<String, Value>> {
    args.get("condition").and_then(Value::as_object)
}

fn id_of(input: &Map<String, Value>) -> String {
    input
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The sample's resolvers over `store`.
pub(crate) fn resolvers(store: &TodoStore) -> Vec<(String, String, SharedResolver)> {
    let mut out = Vec::new();
    let mut add = |field: &str, resolver: SharedResolver| {
        let type_name = if field.starts_with("get") || field.starts_with("list") {
            "Query"
        } else {
            "Mutation"
        };
        out.push((type_name.to_owned(), field.to_owned(), resolver));
    };

    let s = store.clone();
    add(
        "getTodo",
        SharedResolver::new(
            move |_ctx: &ResolverContext<'_>, args: &Map<String, Value>| {
                let id = args.get("id").and_then(Value::as_str).unwrap_or_default();
                Ok(s.get(id).unwrap_or(Value::Null))
            },
        ),
    );

    let s = store.clone();
    add(
        "listTodos",
        SharedResolver::new(
            move |_ctx: &ResolverContext<'_>, args: &Map<String, Value>| {
                let limit = args
                    .get("limit")
                    .and_then(Value::as_i64)
                    .unwrap_or(DEFAULT_LIMIT);
                if !(1..=MAX_LIMIT).contains(&limit) {
                    return Err(ResolverError::new(format!(
                    "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {MAX_LIMIT}"
                ))
                .error_type("DynamoDB:DynamoDbException"));
                }
                let after = match args.get("nextToken").and_then(Value::as_str) {
                    None => None,
                    Some(token) => Some(parse_token(token).ok_or_else(|| {
                        ResolverError::new(
                            "The provided starting key is invalid: Invalid nextToken",
                        )
                        .error_type("DynamoDB:DynamoDbException")
                    })?),
                };
                let filter = args.get("filter").and_then(Value::as_object);
                let state = s.lock();
                let mut scanned = state
                    .items
                    .range(after.map_or(0, |a| a.saturating_add(1))..)
                    .peekable();
                let mut items = Vec::new();
                let mut last = None;
                let mut count = 0;
                // Like a DynamoDB scan: `limit` items are read, then the filter applies.
                while count < limit {
                    let Some((seq, item)) = scanned.next() else {
                        break;
                    };
                    count += 1;
                    last = Some(*seq);
                    if filter.is_none_or(|f| filter_matches(f, item)) {
                        items.push(Value::Object(item.clone()));
                    }
                }
                let more = scanned.peek().is_some();
                Ok(json!({
                    "items": items,
                    "nextToken": match (more, last) {
                        (true, Some(last)) => json!(next_token(last)),
                        _ => Value::Null,
                    },
                }))
            },
        ),
    );

    let s = store.clone();
    add(
        "createTodo",
        SharedResolver::new(
            move |ctx: &ResolverContext<'_>, args: &Map<String, Value>| {
                let mut input = input_of(args);
                let now = json!(timefmt::iso8601_millis(ctx.now()));
                if !input.get("id").is_some_and(Value::is_string) {
                    input.insert("id".into(), json!(s.rng.uuid()));
                }
                let id = id_of(&input);
                if s.get(&id).is_some() {
                    return Err(conditional_failure());
                }
                if let Some(condition) = condition_of(args)
                    && !filter_matches(condition, &Map::new())
                {
                    return Err(conditional_failure());
                }
                input.insert("owner".into(), owner_of(ctx.identity()));
                input.insert("createdAt".into(), now.clone());
                input.insert("updatedAt".into(), now);
                s.insert(Value::Object(input))
                    .map_err(|e| ResolverError::new(e).error_type("DynamoDB:DynamoDbException"))
            },
        ),
    );

    let s = store.clone();
    add(
        "updateTodo",
        SharedResolver::new(
            move |ctx: &ResolverContext<'_>, args: &Map<String, Value>| {
                let input = input_of(args);
                let id = id_of(&input);
                let Some(Value::Object(mut item)) = s.get(&id) else {
                    return Err(conditional_failure());
                };
                if let Some(condition) = condition_of(args)
                    && !filter_matches(condition, &item)
                {
                    return Err(conditional_failure());
                }
                for (k, v) in input {
                    item.insert(k, v);
                }
                item.insert(
                    "updatedAt".into(),
                    json!(timefmt::iso8601_millis(ctx.now())),
                );
                s.insert(Value::Object(item))
                    .map_err(|e| ResolverError::new(e).error_type("DynamoDB:DynamoDbException"))
            },
        ),
    );

    let s = store.clone();
    add(
        "deleteTodo",
        SharedResolver::new(
            move |_ctx: &ResolverContext<'_>, args: &Map<String, Value>| {
                let input = input_of(args);
                let id = id_of(&input);
                let Some(Value::Object(item)) = s.get(&id) else {
                    return Err(conditional_failure());
                };
                if let Some(condition) = condition_of(args)
                    && !filter_matches(condition, &item)
                {
                    return Err(conditional_failure());
                }
                Ok(s.remove(&id).unwrap_or(Value::Null))
            },
        ),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(v: &Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn filters_follow_amplify_semantics() {
        let todo = item(&json!({"name": "buy milk", "done": false, "priority": 3}));
        let f = |v: Value| filter_matches(v.as_object().unwrap(), &todo);
        assert!(f(json!({"name": {"contains": "milk"}})));
        assert!(!f(json!({"name": {"contains": "bread"}})));
        assert!(f(
            json!({"name": {"beginsWith": "buy"}, "done": {"eq": false}})
        ));
        assert!(f(json!({"priority": {"between": [1, 3]}})));
        assert!(!f(json!({"priority": {"gt": 3}})));
        assert!(f(
            json!({"or": [{"priority": {"gt": 3}}, {"done": {"ne": true}}]})
        ));
        assert!(f(json!({"not": {"name": {"eq": "x"}}})));
        assert!(f(json!({"description": {"attributeExists": false}})));
        assert!(f(json!({"description": {"ne": "x"}})));
        assert!(!f(json!({"description": {"eq": "x"}})));
        assert!(f(
            json!({"and": [{"name": {"notContains": "bread"}}, {"priority": {"ge": 3}}]})
        ));
    }

    #[test]
    fn tokens_are_checked() {
        assert_eq!(parse_token(&next_token(7)), Some(7));
        assert_eq!(parse_token("garbage"), None);
        assert_eq!(parse_token(&b64url(b"{\"v\":2,\"after\":1}")), None);
    }
}
