//! A small GraphQL executor over graphql-parser's AST: request parsing, validation with
//! AppSync's (graphql-java's) messages, variable coercion, execution with resolvers and
//! field-level authorization, and null propagation.
//!
//! [`request`] reads the request and coerces its variables, [`validate`] checks the document
//! against the schema, [`execute`] runs it; [`run`] puts them together.

mod execute;
mod request;
mod validate;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::SystemTime;

use graphql_parser::Pos;
use graphql_parser::query::{
    Definition, Directive, Document, Field, FragmentDefinition, OperationDefinition, Selection,
    SelectionSet, TypeCondition, Value as Literal, VariableDefinition,
};
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::coerce::{self, InputProblem, Variables};
use super::introspection;
use super::schema::{AuthRule, FieldDef, ObjectDef, Schema, TypeDef, TypeRef};
use super::spec::{AuthMode, Identity, ResolverContext, ResolverError, SharedResolver};

use self::execute::*;
use self::request::*;
pub(crate) use self::request::{Answer, GraphQlRequest, parse_request};
use self::validate::*;

/// AppSync's maximum query depth setting tops out at 75.
const MAX_DEPTH: usize = 75;
/// How deeply fragments may spread other fragments.
const MAX_FRAGMENT_DEPTH: usize = 32;

pub(crate) struct Env<'a> {
    pub(crate) schema: &'a Schema,
    pub(crate) resolvers: &'a HashMap<(String, String), SharedResolver>,
    pub(crate) identity: &'a Identity,
    pub(crate) default_mode: AuthMode,
    /// Lambda `deniedFields`.
    pub(crate) denied: &'a [String],
    pub(crate) now: SystemTime,
    pub(crate) headers: &'a BTreeMap<String, String>,
    /// Where subscriptions would go, for the error message.
    pub(crate) realtime_url: &'a str,
}

fn location(pos: Pos) -> Value {
    json!({ "line": pos.line, "column": pos.column, "sourceName": null })
}

fn validation_error(kind: &str, message: &str, pos: Option<Pos>) -> Value {
    json!({
        "path": null,
        "locations": pos.map(|p| vec![location(p)]),
        "message": format!("Validation error of type {kind}: {message}"),
        "errorType": "ValidationError",
    })
}

fn bad_request(errors: Vec<Value>) -> Answer {
    (
        StatusCode::BAD_REQUEST,
        json!({ "data": null, "errors": Value::Array(errors) }),
    )
}

/// Where the parser says it failed (`... at 3:7 ...`).
fn parse_error_position(text: &str) -> Option<Pos> {
    let at = text.find(" at ")?;
    let rest = text.get(at + 4..)?;
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':'))
        .unwrap_or(rest.len());
    let (line, column) = rest.get(..end)?.split_once(':')?;
    Some(Pos {
        line: line.parse().ok()?,
        column: column.parse().ok()?,
    })
}

/// An operation that passed validation, with its variables coerced.
struct Prepared<'p, 'd> {
    kind: OpKind,
    root: &'p ObjectDef,
    selection: &'d SelectionSet<'d, String>,
    fragments: &'p HashMap<&'d str, &'d FragmentDefinition<'d, String>>,
    variables: Map<String, Value>,
}

impl<'d> Prepared<'_, 'd> {
    /// Executes the operation; `source` is the root value (a subscription event).
    fn execute(&self, env: &Env<'_>, source: Option<&Value>) -> Answer {
        let mut exec = Executor {
            env,
            fragments: self.fragments,
            vars: &self.variables,
            errors: Vec::new(),
            depth: 0,
        };
        let mut path = Vec::new();
        let data = match exec.selection_set(self.root, &[self.selection], source, &mut path) {
            Ok(map) => Value::Object(map),
            Err(Propagate) => Value::Null,
        };
        let mut body = Map::new();
        body.insert("data".into(), data);
        if !exec.errors.is_empty() {
            body.insert("errors".into(), Value::Array(exec.errors));
        }
        (StatusCode::OK, Value::Object(body))
    }
}

/// A root field of a subscription: its name and coerced arguments.
#[derive(Debug, Clone)]
pub(crate) struct RootField {
    pub(crate) name: String,
    pub(crate) args: Map<String, Value>,
}

/// Parses, validates and executes `request` for `env.identity` (queries and mutations; a
/// subscription is refused with a pointer to the realtime endpoint).
pub(crate) fn run(env: &Env<'_>, request: &GraphQlRequest) -> Answer {
    let outcome = prepare(env, request, |prepared| {
        if prepared.kind == OpKind::Subscription {
            return (
                StatusCode::BAD_REQUEST,
                json!({ "errors": [{
                    "errorType": "UnsupportedOperation",
                    "message": format!(
                        "Subscription operations are only supported through the realtime endpoint ({}); this endpoint serves queries and mutations.",
                        env.realtime_url
                    ),
                }]}),
            );
        }
        prepared.execute(env, None)
    });
    match outcome {
        Ok(answer) | Err(answer) => answer,
    }
}

/// A realtime `start`: validates the subscription, checks that `env.identity` may use each
/// root field (as AppSync does at subscribe time) and returns them with their arguments.
///
/// # Errors
///
/// The GraphQL errors to send in the `error` frame.
pub(crate) fn subscribe(env: &Env<'_>, request: &GraphQlRequest) -> Result<Vec<RootField>, Value> {
    let outcome = prepare(env, request, |prepared| {
        if prepared.kind != OpKind::Subscription {
            return Err(json!([{
                "errorType": "UnsupportedOperation",
                "message": format!("{} not supported through the realtime channel", prepared.kind.name()),
            }]));
        }
        let mut exec = Executor {
            env,
            fragments: prepared.fragments,
            vars: &prepared.variables,
            errors: Vec::new(),
            depth: 0,
        };
        let mut grouped = Vec::new();
        exec.collect(prepared.selection, &mut grouped, &mut HashSet::new());
        let mut fields = Vec::new();
        for (key, selected) in grouped {
            let Some(first) = selected.first().copied() else {
                continue;
            };
            let Some(def) = prepared.root.field(&first.name) else {
                continue;
            };
            let path = vec![Value::String(key.clone())];
            if !exec.authorized(prepared.root, def) {
                return Err(json!([{
                    "errorType": "Unauthorized",
                    "message": format!(
                        "Not Authorized to access {} on type {}",
                        def.name, prepared.root.name
                    ),
                }]));
            }
            let Ok(args) = exec.arguments(def, first, &path) else {
                return Err(Value::Array(std::mem::take(&mut exec.errors)));
            };
            fields.push(RootField {
                name: def.name.clone(),
                args,
            });
        }
        Ok(fields)
    });
    match outcome {
        Ok(result) => result,
        Err((_, body)) => Err(body.get("errors").cloned().unwrap_or(Value::Null)),
    }
}

/// Executes a subscription's selection over one event: `source` maps the root field names to
/// the mutation's result, and field-level authorization applies for `env.identity`.
pub(crate) fn deliver(env: &Env<'_>, request: &GraphQlRequest, source: &Value) -> Value {
    match prepare(env, request, |prepared| prepared.execute(env, Some(source))) {
        Ok((_, body)) | Err((_, body)) => body,
    }
}

/// Parses and validates `request`, then hands the operation to `then`.
fn prepare<R>(
    env: &Env<'_>,
    request: &GraphQlRequest,
    then: impl FnOnce(&Prepared<'_, '_>) -> R,
) -> Result<R, Answer> {
    let doc: Document<'_, String> = match graphql_parser::parse_query(&request.query) {
        Ok(doc) => doc,
        Err(error) => {
            let text = error.to_string();
            let detail = text
                .lines()
                .skip(1)
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            let pos = parse_error_position(&text);
            let message = match pos {
                Some(p) => format!(
                    "Invalid Syntax : {detail} at line {} column {}",
                    p.line, p.column
                ),
                None => format!("Invalid Syntax : {detail}"),
            };
            return Err(bad_request(vec![json!({
                "path": null,
                "locations": pos.map(|p| vec![location(p)]),
                "message": message,
                "errorType": "InvalidSyntax",
            })]));
        }
    };
    let mut operations = Vec::new();
    let mut fragments: HashMap<&str, &FragmentDefinition<'_, String>> = HashMap::new();
    let mut errors = Vec::new();
    for definition in &doc.definitions {
        match definition {
            Definition::Operation(op) => operations.push(op),
            Definition::Fragment(fragment) => {
                if fragments.insert(&fragment.name, fragment).is_some() {
                    errors.push(validation_error(
                        "DuplicateFragmentName",
                        &format!("There can be only one fragment named '{}'", fragment.name),
                        Some(fragment.position),
                    ));
                }
            }
        }
    }
    let operation = match (&request.operation_name, operations.as_slice()) {
        (_, []) => {
            return Err(bad_request(vec![validation_error(
                "LoneAnonymousOperation",
                "The document contains no operation",
                None,
            )]));
        }
        (None, [only]) => *only,
        (None, _) => {
            return Err(bad_request(vec![json!({
                "path": null, "locations": null, "errorType": "ValidationError",
                "message": "Must provide operation name if query contains multiple operations.",
            })]));
        }
        (Some(name), ops) => match ops
            .iter()
            .find(|op| operation_name(op) == Some(name.as_str()))
        {
            Some(op) => *op,
            None => {
                return Err(bad_request(vec![json!({
                    "path": null, "locations": null, "errorType": "ValidationError",
                    "message": format!("Unknown operation named '{name}'."),
                })]));
            }
        },
    };
    let (kind, root, var_defs, selection, directives, pos) = match operation {
        OperationDefinition::SelectionSet(set) => (
            OpKind::Query,
            Some(env.schema.query.as_str()),
            &[][..],
            set,
            &[][..],
            set.span.0,
        ),
        OperationDefinition::Query(q) => (
            OpKind::Query,
            Some(env.schema.query.as_str()),
            q.variable_definitions.as_slice(),
            &q.selection_set,
            q.directives.as_slice(),
            q.position,
        ),
        OperationDefinition::Mutation(m) => (
            OpKind::Mutation,
            env.schema.mutation.as_deref(),
            m.variable_definitions.as_slice(),
            &m.selection_set,
            m.directives.as_slice(),
            m.position,
        ),
        OperationDefinition::Subscription(s) => (
            OpKind::Subscription,
            env.schema.subscription.as_deref(),
            s.variable_definitions.as_slice(),
            &s.selection_set,
            s.directives.as_slice(),
            s.position,
        ),
    };
    let Some(root) = root.and_then(|r| env.schema.object(r)) else {
        return Err(bad_request(vec![validation_error(
            "UnknownType",
            &format!("The schema has no {} type", kind.name()),
            Some(pos),
        )]));
    };
    for directive in directives {
        errors.push(validation_error(
            "UnknownDirective",
            &format!("Unknown directive {}", directive.name),
            Some(directive.position),
        ));
    }

    let mut validator = Validator {
        schema: env.schema,
        fragments: &fragments,
        var_defs: HashMap::new(),
        used_vars: BTreeSet::new(),
        used_fragments: HashSet::new(),
        validated_fragments: HashSet::new(),
        errors,
    };
    validator.variable_definitions(var_defs);
    validator.fragment_cycles();
    validator.selection_set(root, selection, "", 0, 0);
    for def in var_defs {
        if !validator.used_vars.contains(def.name.as_str()) {
            validator.errors.push(validation_error(
                "UnusedVariable",
                &format!("Unused variable {}", def.name),
                Some(def.position),
            ));
        }
    }
    // Like graphql-java, a fragment is used when any operation of the document reaches it.
    let reachable = reachable_fragments(&operations, &fragments);
    for fragment in fragments.values() {
        if !reachable.contains(fragment.name.as_str())
            && !validator.used_fragments.contains(fragment.name.as_str())
        {
            validator.errors.push(validation_error(
                "UnusedFragment",
                &format!("Unused fragment {}", fragment.name),
                Some(fragment.position),
            ));
        }
    }
    if !validator.errors.is_empty() {
        let mut errors = validator.errors;
        errors.sort_by_key(|e| {
            (
                e.pointer("/locations/0/line").and_then(Value::as_u64),
                e.pointer("/locations/0/column").and_then(Value::as_u64),
            )
        });
        return Err(bad_request(errors));
    }
    let variables = match coerce_variables(env.schema, var_defs, &request.variables) {
        Ok(vars) => vars,
        Err(errors) => return Err(bad_request(errors)),
    };
    Ok(then(&Prepared {
        kind,
        root,
        selection,
        fragments: &fragments,
        variables,
    }))
}

fn spreads_in<'d>(set: &'d SelectionSet<'d, String>, out: &mut Vec<&'d str>) {
    for item in &set.items {
        match item {
            Selection::Field(f) => spreads_in(&f.selection_set, out),
            Selection::FragmentSpread(s) => out.push(&s.fragment_name),
            Selection::InlineFragment(i) => spreads_in(&i.selection_set, out),
        }
    }
}

/// Fragments reachable from any operation of the document.
fn reachable_fragments<'d>(
    operations: &[&'d OperationDefinition<'d, String>],
    fragments: &HashMap<&'d str, &'d FragmentDefinition<'d, String>>,
) -> HashSet<&'d str> {
    let mut pending = Vec::new();
    for op in operations {
        let set = match op {
            OperationDefinition::SelectionSet(set) => set,
            OperationDefinition::Query(q) => &q.selection_set,
            OperationDefinition::Mutation(m) => &m.selection_set,
            OperationDefinition::Subscription(s) => &s.selection_set,
        };
        spreads_in(set, &mut pending);
    }
    let mut seen = HashSet::new();
    while let Some(name) = pending.pop() {
        if seen.insert(name)
            && let Some(fragment) = fragments.get(name)
        {
            spreads_in(&fragment.selection_set, &mut pending);
        }
    }
    seen
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Query,
    Mutation,
    Subscription,
}

impl OpKind {
    fn name(self) -> &'static str {
        match self {
            OpKind::Query => "query",
            OpKind::Mutation => "mutation",
            OpKind::Subscription => "subscription",
        }
    }
}

fn operation_name<'d>(op: &'d OperationDefinition<'_, String>) -> Option<&'d str> {
    match op {
        OperationDefinition::SelectionSet(_) => None,
        OperationDefinition::Query(q) => q.name.as_deref(),
        OperationDefinition::Mutation(m) => m.name.as_deref(),
        OperationDefinition::Subscription(s) => s.name.as_deref(),
    }
}
