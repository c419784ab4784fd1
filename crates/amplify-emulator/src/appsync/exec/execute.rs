//! Execution: resolvers, field-level authorization and null propagation.

#[allow(clippy::wildcard_imports)]
use super::*;

/// A non-null position got null: the error is recorded, the nearest nullable parent absorbs it.
#[derive(Debug)]
pub(super) struct Propagate;

pub(super) struct Executor<'e, 'd> {
    pub(super) env: &'e Env<'e>,
    pub(super) fragments: &'e HashMap<&'d str, &'d FragmentDefinition<'d, String>>,
    pub(super) vars: &'e Map<String, Value>,
    pub(super) errors: Vec<Value>,
    /// Object nesting of the value being completed (fragments reused at several depths can
    /// nest deeper than validation saw).
    pub(super) depth: usize,
}

impl<'d> Executor<'_, 'd> {
    pub(super) fn included(&self, directives: &[Directive<'_, String>]) -> bool {
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
    pub(super) fn collect(
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

    pub(super) fn selection_set(
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

    pub(super) fn authorized(&self, object: &ObjectDef, field: &FieldDef) -> bool {
        if introspection::is_meta(&object.name, &field.name) {
            // AppSync answers introspection for any valid authorization of the API.
            return true;
        }
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

    pub(super) fn not_denied(&self, object: &ObjectDef, field: &FieldDef) -> bool {
        let dotted = format!("{}.{}", object.name, field.name);
        let arn_tail = format!("/types/{}/fields/{}", object.name, field.name);
        !self
            .env
            .denied
            .iter()
            .any(|d| *d == dotted || d.ends_with(&arn_tail))
    }

    pub(super) fn field_error(
        &mut self,
        path: &[Value],
        field: &Field<'_, String>,
        error: ResolverError,
    ) {
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

    pub(super) fn field(
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
        let Some(def) = self.env.schema.field_of(object, &first.name) else {
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
        let args = match self.arguments(def, first, path) {
            Ok(args) => args,
            Err(Propagate) => return absorb(Err(Propagate)),
        };
        let introspected =
            introspection::resolve(self.env.schema, &object.name, &def.name, source, &args);
        let resolver = self
            .env
            .resolvers
            .get(&(object.name.clone(), def.name.clone()));
        let resolved = match (introspected, resolver) {
            (Some(value), _) => Ok(value),
            (None, Some(resolver)) => {
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
            (None, None) => Ok(source
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

    /// The field's arguments, coerced (an invalid one is recorded as a field error).
    pub(super) fn arguments(
        &mut self,
        def: &FieldDef,
        first: &Field<'_, String>,
        path: &[Value],
    ) -> Result<Map<String, Value>, Propagate> {
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
                                return Err(Propagate);
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
        Ok(args)
    }

    pub(super) fn complete(
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

    pub(super) fn serialize_error(
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
