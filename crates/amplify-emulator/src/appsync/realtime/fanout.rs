//! Fan-out: a mutation that succeeded over HTTP is delivered to every subscription whose root
//! field names it in `@aws_subscribe(mutations: [...])`, when the subscription's arguments match
//! the result (equality, as AppSync does) and its Amplify `filter` argument holds.

use std::collections::HashMap;

use graphql_parser::query::{
    Definition, Document, FragmentDefinition, OperationDefinition, Selection, SelectionSet,
};
use serde_json::{Map, Value};

use super::{Outgoing, Subscription, frames};
use crate::appsync::exec::{self, GraphQlRequest};
use crate::appsync::todo::filter_matches;
use crate::appsync::{AppSync, GraphQlApi};
use crate::context::Ctx;

type Fragments<'d> = HashMap<&'d str, &'d FragmentDefinition<'d, String>>;

/// The root fields of `request` when it is a mutation: `(field name, response key, selection)`.
fn mutation_fields<'d>(
    doc: &'d Document<'d, String>,
    operation_name: Option<&str>,
) -> Vec<(&'d str, &'d str, &'d SelectionSet<'d, String>)> {
    let mut operations = doc.definitions.iter().filter_map(|d| match d {
        Definition::Operation(op) => Some(op),
        Definition::Fragment(_) => None,
    });
    let operation = match operation_name {
        Some(name) => operations.find(
            |op| matches!(op, OperationDefinition::Mutation(m) if m.name.as_deref() == Some(name)),
        ),
        None => operations.next(),
    };
    let Some(OperationDefinition::Mutation(mutation)) = operation else {
        return Vec::new();
    };
    mutation
        .selection_set
        .items
        .iter()
        .filter_map(|item| match item {
            Selection::Field(f) => Some((
                f.name.as_str(),
                f.alias.as_deref().unwrap_or(&f.name),
                &f.selection_set,
            )),
            _ => None,
        })
        .collect()
}

/// The mutation's result with its aliases replaced by field names (subscriptions select by
/// field name).
fn unalias(set: &SelectionSet<'_, String>, value: &Value, fragments: &Fragments<'_>) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| unalias(set, item, fragments))
                .collect(),
        ),
        Value::Object(object) if !set.items.is_empty() => {
            let mut out = Map::new();
            unalias_into(set, object, fragments, &mut out, 0);
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn unalias_into(
    set: &SelectionSet<'_, String>,
    object: &Map<String, Value>,
    fragments: &Fragments<'_>,
    out: &mut Map<String, Value>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    for item in &set.items {
        match item {
            Selection::Field(f) => {
                let key = f.alias.as_deref().unwrap_or(&f.name);
                if let Some(value) = object.get(key) {
                    out.entry(f.name.clone())
                        .or_insert_with(|| unalias(&f.selection_set, value, fragments));
                }
            }
            Selection::InlineFragment(inline) => {
                unalias_into(&inline.selection_set, object, fragments, out, depth + 1);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = fragments.get(spread.fragment_name.as_str()) {
                    unalias_into(&fragment.selection_set, object, fragments, out, depth + 1);
                }
            }
        }
    }
}

/// Whether a subscription's arguments let `result` through: each non-null argument other than
/// `filter` equals the result's field of that name; `filter` is an Amplify model filter.
fn arguments_match(args: &Map<String, Value>, result: &Value) -> bool {
    let Some(item) = result.as_object() else {
        return false;
    };
    args.iter()
        .all(|(name, wanted)| match (name.as_str(), wanted) {
            (_, Value::Null) => true,
            ("filter", Value::Object(filter)) => filter_matches(filter, item),
            (field, wanted) => item.get(field) == Some(wanted),
        })
}

/// Delivers the results of a successful mutation `request` (its response `body`) to every
/// matching subscription.
pub(crate) fn publish(apis: &AppSync, ctx: &Ctx<'_>, request: &GraphQlRequest, body: &Value) {
    let Some(api) = &apis.graphql else {
        return;
    };
    if apis.realtime.subscription_count() == 0 {
        return;
    }
    let Ok(doc) = graphql_parser::parse_query::<String>(&request.query) else {
        return;
    };
    let fragments: Fragments<'_> = doc
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::Fragment(f) => Some((f.name.as_str(), f)),
            Definition::Operation(_) => None,
        })
        .collect();
    let mut events = Vec::new();
    for (name, key, set) in mutation_fields(&doc, request.operation_name.as_deref()) {
        match body.pointer(&format!("/data/{key}")) {
            Some(value) if !value.is_null() => {
                events.push((name, unalias(set, value, &fragments)));
            }
            _ => {}
        }
    }
    if events.is_empty() {
        return;
    }
    let realtime = crate::appsync::realtime_url(ctx);
    let connections = apis.realtime.lock();
    for connection in connections.values() {
        for (id, subscription) in &connection.subscriptions {
            for (mutation, result) in &events {
                if let Some(payload) = deliver(api, ctx, &realtime, subscription, mutation, result)
                {
                    // A closed connection is unregistered by its task.
                    let _ = connection
                        .sender
                        .send(Outgoing::Frame(frames::data(id, &payload)));
                }
            }
        }
    }
}

/// The `data` payload for one subscription, or `None` when the event is not for it.
fn deliver(
    api: &GraphQlApi,
    ctx: &Ctx<'_>,
    realtime: &str,
    subscription: &Subscription,
    mutation: &str,
    result: &Value,
) -> Option<Value> {
    let root = api
        .schema
        .subscription
        .as_deref()
        .and_then(|s| api.schema.object(s))?;
    let mut source = Map::new();
    for field in &subscription.fields {
        let def = root.field(&field.name)?;
        if def.subscribe.iter().any(|m| m == mutation) && arguments_match(&field.args, result) {
            source.insert(field.name.clone(), result.clone());
        }
    }
    if source.is_empty() {
        return None;
    }
    let env = api.env(
        &subscription.identity,
        &subscription.denied,
        ctx,
        &subscription.headers,
        realtime,
    );
    Some(exec::deliver(
        &env,
        &subscription.request,
        &Value::Object(source),
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn arguments_filter_like_appsync_and_amplify() {
        let todo = json!({"id": "1", "name": "milk", "priority": 3, "owner": "alice"});
        let args = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert!(arguments_match(&args(json!({})), &todo));
        assert!(arguments_match(
            &args(json!({"owner": "alice", "id": null})),
            &todo
        ));
        assert!(!arguments_match(&args(json!({"owner": "bob"})), &todo));
        assert!(arguments_match(
            &args(json!({"filter": {"name": {"beginsWith": "mi"}, "priority": {"gt": 2}}})),
            &todo
        ));
        assert!(!arguments_match(
            &args(json!({"filter": {"or": [{"name": {"eq": "eggs"}}, {"priority": {"lt": 3}}]}})),
            &todo
        ));
        assert!(arguments_match(
            &args(json!({"filter": {"not": {"name": {"contains": "x"}}}})),
            &todo
        ));
    }

    #[test]
    fn aliases_are_undone() {
        let doc = graphql_parser::parse_query::<String>(
            "mutation M { c: createTodo(input: {name: \"x\"}) { i: id ...F } } fragment F on Todo { n: name }",
        )
        .unwrap();
        let fields = mutation_fields(&doc, Some("M"));
        assert_eq!(fields.len(), 1);
        let (name, key, set) = fields[0];
        assert_eq!((name, key), ("createTodo", "c"));
        let fragments: Fragments<'_> = doc
            .definitions
            .iter()
            .filter_map(|d| match d {
                Definition::Fragment(f) => Some((f.name.as_str(), f)),
                Definition::Operation(_) => None,
            })
            .collect();
        assert_eq!(
            unalias(set, &json!({"i": "1", "n": "x"}), &fragments),
            json!({"id": "1", "name": "x"})
        );
    }
}
