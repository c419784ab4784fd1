//! A small GraphQL executor over graphql-parser's AST: request parsing, validation with
//! AppSync's (graphql-java's) messages, variable coercion, execution with resolvers and
//! field-level authorization, and null propagation.

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
use super::schema::{AuthRule, FieldDef, ObjectDef, Schema, TypeDef, TypeRef};
use super::spec::{AuthMode, Identity, ResolverContext, ResolverError, SharedResolver};

/// AppSync's maximum query depth setting tops out at 75.
const MAX_DEPTH: usize = 75;
/// How deeply fragments may spread other fragments.
const MAX_FRAGMENT_DEPTH: usize = 32;

/// A GraphQL request body.
#[derive(Debug, Clone)]
pub(crate) struct GraphQlRequest {
    pub(crate) query: String,
    pub(crate) operation_name: Option<String>,
    pub(crate) variables: Map<String, Value>,
}

/// A complete answer: status and JSON body.
pub(crate) type Answer = (StatusCode, Value);

fn request_error(error_type: &str, message: &str) -> Answer {
    (
        StatusCode::BAD_REQUEST,
        json!({ "errors": [{ "errorType": error_type, "message": message }] }),
    )
}

/// Reads `{"query", "variables"?, "operationName"?}`.
pub(crate) fn parse_request(body: &[u8]) -> Result<GraphQlRequest, Answer> {
    let malformed = |message: &str| request_error("MalformedHttpRequestException", message);
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| malformed("Unable to parse the request body as JSON."))?;
    let Value::Object(mut map) = value else {
        return Err(malformed("The request body must be a JSON object."));
    };
    let Some(Value::String(query)) = map.remove("query") else {
        return Err(malformed("The request has no 'query' string."));
    };
    let operation_name = match map.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err(malformed("'operationName' must be a string.")),
    };
    let variables = match map.remove("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(vars)) => vars,
        // Some clients send the variables as a JSON string.
        Some(Value::String(text)) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(vars)) => vars,
            _ => return Err(malformed("'variables' must be a JSON object.")),
        },
        Some(_) => return Err(malformed("'variables' must be a JSON object.")),
    };
    Ok(GraphQlRequest {
        query,
        operation_name,
        variables,
    })
}

/// What execution needs besides the document.
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

/// Parses, validates and executes `request` for `env.identity`.
pub(crate) fn run(env: &Env<'_>, request: &GraphQlRequest) -> Answer {
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
            return bad_request(vec![json!({
                "path": null,
                "locations": pos.map(|p| vec![location(p)]),
                "message": message,
                "errorType": "InvalidSyntax",
            })]);
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
            return bad_request(vec![validation_error(
                "LoneAnonymousOperation",
                "The document contains no operation",
                None,
            )]);
        }
        (None, [only]) => *only,
        (None, _) => {
            return bad_request(vec![json!({
                "path": null, "locations": null, "errorType": "ValidationError",
                "message": "Must provide operation name if query contains multiple operations.",
            })]);
        }
        (Some(name), ops) => match ops
            .iter()
            .find(|op| operation_name(op) == Some(name.as_str()))
        {
            Some(op) => *op,
            None => {
                return bad_request(vec![json!({
                    "path": null, "locations": null, "errorType": "ValidationError",
                    "message": format!("Unknown operation named '{name}'."),
                })]);
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
        return bad_request(vec![validation_error(
            "UnknownType",
            &format!("The schema has no {} type", kind.name()),
            Some(pos),
        )]);
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
        return bad_request(errors);
    }
    if kind == OpKind::Subscription {
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

    let variables = match coerce_variables(env.schema, var_defs, &request.variables) {
        Ok(vars) => vars,
        Err(errors) => return bad_request(errors),
    };
    let mut exec = Executor {
        env,
        fragments: &fragments,
        vars: &variables,
        errors: Vec::new(),
        depth: 0,
    };
    let mut path = Vec::new();
    let data = match exec.selection_set(root, &[selection], None, &mut path) {
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

fn coerce_variables(
    schema: &Schema,
    defs: &[VariableDefinition<'_, String>],
    given: &Map<String, Value>,
) -> Result<Map<String, Value>, Vec<Value>> {
    let mut out = Map::new();
    let mut errors = Vec::new();
    for def in defs {
        let ty = TypeRef::from_ast(&def.var_type);
        let value = match given.get(def.name.as_str()) {
            None => match &def.default_value {
                Some(default) => {
                    let mut vars = Variables::Values(&out);
                    match coerce::coerce_literal(schema, default, &ty, &mut vars) {
                        Ok(v) => Some(v),
                        Err(problem) => {
                            errors.push(variable_error(&def.name, &problem, def.position));
                            continue;
                        }
                    }
                }
                None if ty.is_non_null() => {
                    errors.push(variable_error(
                        &def.name,
                        &InputProblem::NullForNonNull(ty.to_string()),
                        def.position,
                    ));
                    continue;
                }
                None => None,
            },
            Some(value) => match coerce::coerce_json(schema, Some(value), &ty) {
                Ok(v) => Some(v),
                Err(problem) => {
                    errors.push(variable_error(&def.name, &problem, def.position));
                    continue;
                }
            },
        };
        if let Some(value) = value {
            out.insert(def.name.clone(), value);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn variable_error(name: &str, problem: &InputProblem, pos: Pos) -> Value {
    let message = match problem {
        InputProblem::NullForNonNull(ty) => {
            format!("Variable '{name}' has coerced Null value for NonNull type '{ty}'")
        }
        InputProblem::Invalid(detail) => {
            format!("Variable '{name}' has an invalid value: {detail}")
        }
    };
    json!({
        "path": null,
        "locations": [location(pos)],
        "message": message,
        "errorType": "ValidationError",
    })
}

/// A short rendering of a literal for messages.
fn render_literal(value: &Literal<'_, String>) -> String {
    match value {
        Literal::Variable(v) => format!("VariableReference{{name='{v}'}}"),
        Literal::Int(n) => format!("IntValue{{value={}}}", n.as_i64().unwrap_or_default()),
        Literal::Float(f) => format!("FloatValue{{value={f}}}"),
        Literal::String(s) => format!("StringValue{{value='{s}'}}"),
        Literal::Boolean(b) => format!("BooleanValue{{value={b}}}"),
        Literal::Null => "NullValue{}".to_owned(),
        Literal::Enum(e) => format!("EnumValue{{name='{e}'}}"),
        Literal::List(items) => format!(
            "ArrayValue{{values=[{}]}}",
            items
                .iter()
                .map(render_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Literal::Object(fields) => format!(
            "ObjectValue{{objectFields=[{}]}}",
            fields
                .iter()
                .map(|(k, v)| format!("ObjectField{{name='{k}', value={}}}", render_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Whether a variable of type `var` may be used where `location` is expected.
fn compatible(var: &TypeRef, location: &TypeRef) -> bool {
    match (var, location) {
        (TypeRef::NonNull(v), TypeRef::NonNull(l)) | (TypeRef::List(v), TypeRef::List(l)) => {
            compatible(v, l)
        }
        (TypeRef::NonNull(v), l) => compatible(v, l),
        (TypeRef::Named(a), TypeRef::Named(b)) => a == b,
        _ => false,
    }
}

struct Validator<'v, 'd> {
    schema: &'v Schema,
    fragments: &'v HashMap<&'d str, &'d FragmentDefinition<'d, String>>,
    /// name → (type, has a non-null default)
    var_defs: HashMap<String, (TypeRef, bool)>,
    used_vars: BTreeSet<String>,
    used_fragments: HashSet<String>,
    validated_fragments: HashSet<String>,
    errors: Vec<Value>,
}

impl<'d> Validator<'_, 'd> {
    fn variable_definitions(&mut self, defs: &[VariableDefinition<'_, String>]) {
        for def in defs {
            let ty = TypeRef::from_ast(&def.var_type);
            let base = ty.base();
            if !self.schema.types.contains_key(base) {
                self.errors.push(validation_error(
                    "UnknownType",
                    &format!("Unknown type {base}"),
                    Some(def.position),
                ));
            } else if !self.schema.is_input_type(base) {
                self.errors.push(validation_error(
                    "NonInputTypeOnVariable",
                    &format!("Input variable {} type {ty} is not an input type", def.name),
                    Some(def.position),
                ));
            } else if let Some(default) = &def.default_value {
                let mut check = |_: &str, _: &TypeRef| {};
                let mut vars = Variables::Check(&mut check);
                if coerce::coerce_literal(self.schema, default, &ty, &mut vars).is_err() {
                    self.errors.push(validation_error(
                        "BadValueForDefaultArg",
                        &format!(
                            "Bad default value {} for type {ty}",
                            render_literal(default)
                        ),
                        Some(def.position),
                    ));
                }
            }
            if self
                .var_defs
                .insert(
                    def.name.clone(),
                    (
                        ty,
                        def.default_value
                            .as_ref()
                            .is_some_and(|d| !matches!(d, Literal::Null)),
                    ),
                )
                .is_some()
            {
                self.errors.push(validation_error(
                    "DuplicateVariableName",
                    &format!("There can be only one variable named '{}'", def.name),
                    Some(def.position),
                ));
            }
        }
    }

    /// Reports fragments that spread themselves (directly or not) or nest too deeply.
    fn fragment_cycles(&mut self) {
        let graph: HashMap<&str, Vec<&str>> = self
            .fragments
            .iter()
            .map(|(name, f)| {
                let mut out = Vec::new();
                spreads_in(&f.selection_set, &mut out);
                (*name, out)
            })
            .collect();
        // One iterative depth-first pass: a spread back into the current path is a cycle; the
        // longest spread chain below each fragment is remembered, so this is linear.
        enum Mark {
            Open,
            Depth(usize),
        }
        let mut marks: HashMap<&str, Mark> = HashMap::new();
        let mut bad: BTreeSet<&str> = BTreeSet::new();
        let mut names: Vec<&str> = graph.keys().copied().collect();
        names.sort_unstable();
        for root in names {
            if marks.contains_key(root) {
                continue;
            }
            // (fragment, index of the next spread to look at, deepest chain below so far)
            let mut stack: Vec<(&str, usize, usize)> = vec![(root, 0, 0)];
            marks.insert(root, Mark::Open);
            while let Some(top) = stack.last_mut() {
                let (name, next, deepest) = *top;
                let children = graph.get(name).map(Vec::as_slice).unwrap_or_default();
                if let Some(child) = children.get(next).copied() {
                    top.1 += 1;
                    match marks.get(child) {
                        Some(Mark::Open) => {
                            bad.insert(child);
                            bad.insert(name);
                        }
                        Some(Mark::Depth(d)) => top.2 = deepest.max(d + 1),
                        None if graph.contains_key(child) => {
                            marks.insert(child, Mark::Open);
                            stack.push((child, 0, 0));
                        }
                        None => {}
                    }
                } else {
                    stack.pop();
                    if deepest > MAX_FRAGMENT_DEPTH {
                        bad.insert(name);
                    }
                    marks.insert(name, Mark::Depth(deepest));
                    if let Some(parent) = stack.last_mut() {
                        parent.2 = parent.2.max(deepest + 1);
                    }
                }
            }
        }
        for name in bad {
            if let Some(f) = self.fragments.get(name) {
                self.errors.push(validation_error(
                    "FragmentCycle",
                    &format!("Fragment cycles not allowed (or nested too deeply) @ '{name}'"),
                    Some(f.position),
                ));
                // Never follow it.
                self.validated_fragments.insert(name.to_owned());
                self.used_fragments.insert(name.to_owned());
            }
        }
    }

    fn directives(&mut self, directives: &[Directive<'_, String>], path: &str) {
        for directive in directives {
            match directive.name.as_str() {
                "include" | "skip" => {
                    let arg = directive.arguments.iter().find(|(n, _)| n == "if");
                    match arg {
                        Some((_, value)) => {
                            self.argument_value(
                                "if",
                                value,
                                &TypeRef::NonNull(Box::new(TypeRef::Named("Boolean".into()))),
                                path,
                                directive.position,
                            );
                        }
                        None => self.errors.push(validation_error(
                            "MissingDirectiveArgument",
                            &format!("Missing directive argument if @ '{path}'"),
                            Some(directive.position),
                        )),
                    }
                }
                name => self.errors.push(validation_error(
                    "UnknownDirective",
                    &format!("Unknown directive {name} @ '{path}'"),
                    Some(directive.position),
                )),
            }
        }
    }

    fn argument_value(
        &mut self,
        name: &str,
        value: &Literal<'_, String>,
        ty: &TypeRef,
        path: &str,
        pos: Pos,
    ) {
        let mut uses: Vec<(String, TypeRef)> = Vec::new();
        let mut report = |var: &str, expected: &TypeRef| {
            uses.push((var.to_owned(), expected.clone()));
        };
        let mut vars = Variables::Check(&mut report);
        let result = coerce::coerce_literal(self.schema, value, ty, &mut vars);
        if result.is_err() {
            self.errors.push(validation_error(
                "WrongType",
                &format!(
                    "argument '{name}' with value '{}' is not a valid '{ty}' @ '{path}'",
                    render_literal(value)
                ),
                Some(pos),
            ));
        }
        for (var, expected) in uses {
            self.used_vars.insert(var.clone());
            match self.var_defs.get(&var) {
                None => self.errors.push(validation_error(
                    "UndefinedVariable",
                    &format!("Undefined variable {var} @ '{path}'"),
                    Some(pos),
                )),
                Some((declared, has_default)) => {
                    let effective = if *has_default && !declared.is_non_null() {
                        TypeRef::NonNull(Box::new(declared.clone()))
                    } else {
                        declared.clone()
                    };
                    if !compatible(&effective, &expected) {
                        self.errors.push(validation_error(
                            "VariableTypeMismatch",
                            &format!(
                                "Variable type '{declared}' doesn't match expected type '{expected}' @ '{path}'"
                            ),
                            Some(pos),
                        ));
                    }
                }
            }
        }
    }

    fn selection_set(
        &mut self,
        parent: &ObjectDef,
        set: &SelectionSet<'_, String>,
        path: &str,
        depth: usize,
        fragment_depth: usize,
    ) {
        for item in &set.items {
            match item {
                Selection::Field(field) => self.field(parent, field, path, depth),
                Selection::FragmentSpread(spread) => {
                    let name = spread.fragment_name.as_str();
                    self.directives(&spread.directives, path);
                    let Some(fragment) = self.fragments.get(name).copied() else {
                        self.errors.push(validation_error(
                            "UndefinedFragment",
                            &format!("Undefined fragment {name} @ '{path}'"),
                            Some(spread.position),
                        ));
                        continue;
                    };
                    self.used_fragments.insert(name.to_owned());
                    let TypeCondition::On(on) = &fragment.type_condition;
                    if !self.type_condition(on, parent, path, spread.position) {
                        continue;
                    }
                    if fragment_depth < MAX_FRAGMENT_DEPTH
                        && self.validated_fragments.insert(name.to_owned())
                    {
                        self.directives(&fragment.directives, path);
                        self.selection_set(
                            parent,
                            &fragment.selection_set,
                            path,
                            depth,
                            fragment_depth + 1,
                        );
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.directives(&inline.directives, path);
                    if let Some(TypeCondition::On(on)) = &inline.type_condition
                        && !self.type_condition(on, parent, path, inline.position)
                    {
                        continue;
                    }
                    self.selection_set(parent, &inline.selection_set, path, depth, fragment_depth);
                }
            }
        }
    }

    fn type_condition(&mut self, on: &str, parent: &ObjectDef, path: &str, pos: Pos) -> bool {
        if !self.schema.types.contains_key(on) {
            self.errors.push(validation_error(
                "UnknownType",
                &format!("Unknown type {on} @ '{path}'"),
                Some(pos),
            ));
            return false;
        }
        if on != parent.name {
            self.errors.push(validation_error(
                "InvalidFragmentType",
                &format!(
                    "Fragment cannot be spread here as objects of type '{}' can never be of type '{on}' @ '{path}'",
                    parent.name
                ),
                Some(pos),
            ));
            return false;
        }
        true
    }

    fn field(&mut self, parent: &ObjectDef, field: &Field<'_, String>, path: &str, depth: usize) {
        let here = if path.is_empty() {
            field.name.clone()
        } else {
            format!("{path}/{}", field.name)
        };
        self.directives(&field.directives, &here);
        if depth >= MAX_DEPTH {
            self.errors.push(validation_error(
                "MaxQueryDepthExceeded",
                &format!("The query is deeper than {MAX_DEPTH} levels @ '{here}'"),
                Some(field.position),
            ));
            return;
        }
        if field.name == "__typename" {
            if !field.arguments.is_empty() || !field.selection_set.items.is_empty() {
                self.errors.push(validation_error(
                    "SubSelectionNotAllowed",
                    &format!(
                        "Sub selection not allowed on leaf type String! of field __typename @ '{here}'"
                    ),
                    Some(field.position),
                ));
            }
            return;
        }
        let Some(def) = parent.field(&field.name) else {
            self.errors.push(validation_error(
                "FieldUndefined",
                &format!(
                    "Field '{}' in type '{}' is undefined @ '{here}'",
                    field.name, parent.name
                ),
                Some(field.position),
            ));
            return;
        };
        let mut seen = HashSet::new();
        for (name, value) in &field.arguments {
            if !seen.insert(name.as_str()) {
                self.errors.push(validation_error(
                    "DuplicateArgumentNames",
                    &format!("There can be only one argument named '{name}' @ '{here}'"),
                    Some(field.position),
                ));
            }
            match def.arg(name) {
                None => self.errors.push(validation_error(
                    "UnknownArgument",
                    &format!("Unknown field argument {name} @ '{here}'"),
                    Some(field.position),
                )),
                Some(arg) => self.argument_value(name, value, &arg.ty, &here, field.position),
            }
        }
        for arg in &def.args {
            if arg.ty.is_non_null()
                && arg.default.is_none()
                && !field.arguments.iter().any(|(n, _)| n == &arg.name)
            {
                self.errors.push(validation_error(
                    "MissingFieldArgument",
                    &format!("Missing field argument {} @ '{here}'", arg.name),
                    Some(field.position),
                ));
            }
        }
        match self.schema.types.get(def.ty.base()) {
            Some(TypeDef::Object(object)) => {
                if field.selection_set.items.is_empty() {
                    self.errors.push(validation_error(
                        "SubSelectionRequired",
                        &format!(
                            "Sub selection required for type {} of field {} @ '{here}'",
                            def.ty, field.name
                        ),
                        Some(field.position),
                    ));
                } else {
                    self.selection_set(object, &field.selection_set, &here, depth + 1, 0);
                }
            }
            _ => {
                if !field.selection_set.items.is_empty() {
                    self.errors.push(validation_error(
                        "SubSelectionNotAllowed",
                        &format!(
                            "Sub selection not allowed on leaf type {} of field {} @ '{here}'",
                            def.ty, field.name
                        ),
                        Some(field.position),
                    ));
                }
            }
        }
    }
}

/// A non-null position got null: the error is recorded, the nearest nullable parent absorbs it.
#[derive(Debug)]
struct Propagate;

struct Executor<'e, 'd> {
    env: &'e Env<'e>,
    fragments: &'e HashMap<&'d str, &'d FragmentDefinition<'d, String>>,
    vars: &'e Map<String, Value>,
    errors: Vec<Value>,
    /// Object nesting of the value being completed (fragments reused at several depths can
    /// nest deeper than validation saw).
    depth: usize,
}

impl<'d> Executor<'_, 'd> {
    fn included(&self, directives: &[Directive<'_, String>]) -> bool {
        for directive in directives {
            let want = match directive.name.as_str() {
                "include" => true,
                "skip" => false,
                _ => continue,
            };
            let value = directive
                .arguments
                .iter()
                .find(|(n, _)| n == "if")
                .map(|(_, v)| match v {
                    Literal::Boolean(b) => *b,
                    Literal::Variable(name) => self
                        .vars
                        .get(name)
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    _ => false,
                })
                .unwrap_or(false);
            if value != want {
                return false;
            }
        }
        true
    }

    /// Groups the selected fields by response key, in order (spec's CollectFields).
    fn collect(
        &self,
        set: &'d SelectionSet<'d, String>,
        out: &mut Vec<(String, Vec<&'d Field<'d, String>>)>,
        visited: &mut HashSet<&'d str>,
    ) {
        for item in &set.items {
            match item {
                Selection::Field(field) => {
                    if !self.included(&field.directives) {
                        continue;
                    }
                    let key = field.alias.as_ref().unwrap_or(&field.name);
                    match out.iter_mut().find(|(k, _)| k == key) {
                        Some((_, fields)) => fields.push(field),
                        None => out.push((key.clone(), vec![field])),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if !self.included(&spread.directives)
                        || !visited.insert(spread.fragment_name.as_str())
                    {
                        continue;
                    }
                    if let Some(fragment) = self.fragments.get(spread.fragment_name.as_str()) {
                        self.collect(&fragment.selection_set, out, visited);
                    }
                }
                Selection::InlineFragment(inline) => {
                    if self.included(&inline.directives) {
                        self.collect(&inline.selection_set, out, visited);
                    }
                }
            }
        }
    }

    fn selection_set(
        &mut self,
        object: &ObjectDef,
        sets: &[&'d SelectionSet<'d, String>],
        source: Option<&Value>,
        path: &mut Vec<Value>,
    ) -> Result<Map<String, Value>, Propagate> {
        let mut grouped = Vec::new();
        let mut visited = HashSet::new();
        for set in sets {
            self.collect(set, &mut grouped, &mut visited);
        }
        let mut out = Map::new();
        for (key, fields) in grouped {
            path.push(Value::String(key.clone()));
            let value = self.field(object, &fields, source, path);
            path.pop();
            out.insert(key, value?);
        }
        Ok(out)
    }

    fn authorized(&self, object: &ObjectDef, field: &FieldDef) -> bool {
        let identity = self.env.identity;
        let rules: &[AuthRule] = if !field.auth.is_empty() {
            &field.auth
        } else if !object.auth.is_empty() {
            &object.auth
        } else {
            return identity.mode() == self.env.default_mode && self.not_denied(object, field);
        };
        let groups = identity.groups();
        rules.iter().any(|rule| {
            rule.mode == identity.mode()
                && rule
                    .groups
                    .as_ref()
                    .is_none_or(|wanted| wanted.iter().any(|g| groups.contains(g)))
        }) && self.not_denied(object, field)
    }

    fn not_denied(&self, object: &ObjectDef, field: &FieldDef) -> bool {
        let dotted = format!("{}.{}", object.name, field.name);
        let arn_tail = format!("/types/{}/fields/{}", object.name, field.name);
        !self
            .env
            .denied
            .iter()
            .any(|d| *d == dotted || d.ends_with(&arn_tail))
    }

    fn field_error(&mut self, path: &[Value], field: &Field<'_, String>, error: ResolverError) {
        let mut entry = Map::new();
        entry.insert("path".into(), Value::Array(path.to_vec()));
        entry.insert("data".into(), error.data.unwrap_or(Value::Null));
        entry.insert(
            "errorType".into(),
            error.error_type.map_or(Value::Null, Value::String),
        );
        entry.insert("errorInfo".into(), error.error_info.unwrap_or(Value::Null));
        entry.insert(
            "locations".into(),
            Value::Array(vec![location(field.position)]),
        );
        entry.insert("message".into(), Value::String(error.message));
        self.errors.push(Value::Object(entry));
    }

    fn field(
        &mut self,
        object: &ObjectDef,
        fields: &[&'d Field<'d, String>],
        source: Option<&Value>,
        path: &mut Vec<Value>,
    ) -> Result<Value, Propagate> {
        let Some(first) = fields.first().copied() else {
            return Ok(Value::Null);
        };
        if first.name == "__typename" {
            return Ok(Value::String(object.name.clone()));
        }
        let Some(def) = object.field(&first.name) else {
            return Ok(Value::Null);
        };
        let absorb = |r: Result<Value, Propagate>| -> Result<Value, Propagate> {
            match r {
                Err(Propagate) if !def.ty.is_non_null() => Ok(Value::Null),
                other => other,
            }
        };
        if !self.authorized(object, def) {
            self.field_error(
                path,
                first,
                ResolverError::new(format!(
                    "Not Authorized to access {} on type {}",
                    def.name, object.name
                ))
                .error_type("Unauthorized"),
            );
            return absorb(Err(Propagate));
        }
        let mut args = Map::new();
        for arg in &def.args {
            let given = first.arguments.iter().find(|(n, _)| n == &arg.name);
            let value = match given {
                Some((_, literal)) => {
                    let absent = matches!(literal, Literal::Variable(v) if !self.vars.contains_key(v.as_str()));
                    if absent {
                        arg.default.clone()
                    } else {
                        let mut vars = Variables::Values(self.vars);
                        match coerce::coerce_literal(self.env.schema, literal, &arg.ty, &mut vars) {
                            Ok(v) => Some(v),
                            Err(problem) => {
                                let detail = match problem {
                                    InputProblem::NullForNonNull(ty) => {
                                        format!("null for the non-null type {ty}")
                                    }
                                    InputProblem::Invalid(text) => text,
                                };
                                self.field_error(
                                    path,
                                    first,
                                    ResolverError::new(format!(
                                        "Argument '{}' has an invalid value: {detail}",
                                        arg.name
                                    ))
                                    .error_type("ValidationError"),
                                );
                                return absorb(Err(Propagate));
                            }
                        }
                    }
                }
                None => arg.default.clone(),
            };
            if let Some(value) = value {
                args.insert(arg.name.clone(), value);
            }
        }
        let resolved = match self
            .env
            .resolvers
            .get(&(object.name.clone(), def.name.clone()))
        {
            Some(resolver) => {
                let context = ResolverContext {
                    identity: self.env.identity,
                    source,
                    type_name: &object.name,
                    field_name: &def.name,
                    now: self.env.now,
                    headers: self.env.headers,
                };
                resolver.resolve(&context, &args)
            }
            None => Ok(source
                .and_then(|s| s.get(&def.name))
                .cloned()
                .unwrap_or(Value::Null)),
        };
        let value = match resolved {
            Ok(value) => value,
            Err(error) => {
                self.field_error(path, first, error);
                return absorb(Err(Propagate));
            }
        };
        let completed = self.complete(&def.ty, object, fields, value, path);
        absorb(completed)
    }

    fn complete(
        &mut self,
        ty: &TypeRef,
        parent: &ObjectDef,
        fields: &[&'d Field<'d, String>],
        value: Value,
        path: &mut Vec<Value>,
    ) -> Result<Value, Propagate> {
        match ty {
            TypeRef::NonNull(inner) => {
                let completed = self.complete(inner, parent, fields, value, path)?;
                if completed.is_null() {
                    let shown: Vec<String> = path
                        .iter()
                        .map(|p| match p {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect();
                    self.errors.push(json!({
                        "path": path,
                        "locations": null,
                        "message": format!(
                            "Cannot return null for non-nullable type: '{}' within parent '{}' (/{})",
                            inner.base(),
                            parent.name,
                            shown.join("/")
                        ),
                    }));
                    return Err(Propagate);
                }
                Ok(completed)
            }
            _ if value.is_null() => Ok(Value::Null),
            TypeRef::List(inner) => {
                let items = match value {
                    Value::Array(items) => items,
                    other => {
                        self.serialize_error(path, fields, "List", &other);
                        return Err(Propagate);
                    }
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    path.push(Value::from(i));
                    let completed = self.complete(inner, parent, fields, item, path);
                    path.pop();
                    match completed {
                        Ok(v) => out.push(v),
                        Err(Propagate) if !inner.is_non_null() => out.push(Value::Null),
                        Err(Propagate) => return Err(Propagate),
                    }
                }
                Ok(Value::Array(out))
            }
            TypeRef::Named(name) => match self.env.schema.types.get(name) {
                Some(TypeDef::Object(object)) => {
                    if !value.is_object() {
                        self.serialize_error(path, fields, name, &value);
                        return Err(Propagate);
                    }
                    if self.depth >= MAX_DEPTH {
                        self.errors.push(json!({
                            "path": path,
                            "locations": fields.first().map(|f| vec![location(f.position)]),
                            "message": format!("The query is deeper than {MAX_DEPTH} levels."),
                            "errorType": "ValidationError",
                        }));
                        return Err(Propagate);
                    }
                    // Sub-selections of every field with this response key, merged.
                    let sets: Vec<&'d SelectionSet<'d, String>> =
                        fields.iter().map(|f| &f.selection_set).collect();
                    self.depth += 1;
                    let result = self
                        .selection_set(object, &sets, Some(&value), path)
                        .map(Value::Object);
                    self.depth -= 1;
                    result
                }
                _ => match coerce::serialize_output(self.env.schema, name, value.clone()) {
                    Ok(v) => Ok(v),
                    Err(_) => {
                        self.serialize_error(path, fields, name, &value);
                        Err(Propagate)
                    }
                },
            },
        }
    }

    fn serialize_error(
        &mut self,
        path: &[Value],
        fields: &[&Field<'_, String>],
        expected: &str,
        value: &Value,
    ) {
        let shown: Vec<String> = path
            .iter()
            .map(|p| match p {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        let kind = match value {
            Value::Object(_) => "Object",
            Value::Array(_) => "List",
            Value::String(_) => "String",
            Value::Number(_) => "Number",
            Value::Bool(_) => "Boolean",
            Value::Null => "null",
        };
        self.errors.push(json!({
            "path": path,
            "data": null,
            "errorType": "MappingTemplate",
            "errorInfo": null,
            "locations": fields.first().map(|f| vec![location(f.position)]),
            "message": format!(
                "Can't serialize value (/{}) : Expected type '{expected}' but was '{kind}'.",
                shown.join("/")
            ),
        }));
    }
}
