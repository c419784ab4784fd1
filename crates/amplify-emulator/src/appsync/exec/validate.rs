//! Validation of a document against the schema, with graphql-java's messages.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Whether a variable of type `var` may be used where `location` is expected.
pub(super) fn compatible(var: &TypeRef, location: &TypeRef) -> bool {
    match (var, location) {
        (TypeRef::NonNull(v), TypeRef::NonNull(l)) | (TypeRef::List(v), TypeRef::List(l)) => {
            compatible(v, l)
        }
        (TypeRef::NonNull(v), l) => compatible(v, l),
        (TypeRef::Named(a), TypeRef::Named(b)) => a == b,
        _ => false,
    }
}

pub(super) struct Validator<'v, 'd> {
    pub(super) schema: &'v Schema,
    pub(super) fragments: &'v HashMap<&'d str, &'d FragmentDefinition<'d, String>>,
    /// name → (type, has a non-null default)
    pub(super) var_defs: HashMap<String, (TypeRef, bool)>,
    pub(super) used_vars: BTreeSet<String>,
    pub(super) used_fragments: HashSet<String>,
    pub(super) validated_fragments: HashSet<String>,
    pub(super) errors: Vec<Value>,
}

impl<'d> Validator<'_, 'd> {
    pub(super) fn variable_definitions(&mut self, defs: &[VariableDefinition<'_, String>]) {
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
    pub(super) fn fragment_cycles(&mut self) {
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

    pub(super) fn directives(&mut self, directives: &[Directive<'_, String>], path: &str) {
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

    pub(super) fn argument_value(
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

    pub(super) fn selection_set(
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

    pub(super) fn type_condition(
        &mut self,
        on: &str,
        parent: &ObjectDef,
        path: &str,
        pos: Pos,
    ) -> bool {
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

    pub(super) fn field(
        &mut self,
        parent: &ObjectDef,
        field: &Field<'_, String>,
        path: &str,
        depth: usize,
    ) {
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
        let Some(def) = self.schema.field_of(parent, &field.name) else {
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
