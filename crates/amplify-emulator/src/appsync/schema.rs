//! The schema model: object, input, enum and scalar types from AppSync SDL, with the auth
//! directives of types and fields.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use graphql_parser::schema::{self as ast, Definition, TypeDefinition};
use serde_json::{Map, Value};

use super::introspection;
use super::spec::AuthMode;

/// AppSync's built-in scalars.
pub(crate) const BUILTIN_SCALARS: &[&str] = &[
    "ID",
    "String",
    "Int",
    "Float",
    "Boolean",
    "AWSDate",
    "AWSTime",
    "AWSDateTime",
    "AWSTimestamp",
    "AWSEmail",
    "AWSJSON",
    "AWSPhone",
    "AWSURL",
    "AWSIPAddress",
];

/// A type reference: `Todo`, `[Todo]`, `ID!`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    pub(crate) fn from_ast<'a, T: graphql_parser::query::Text<'a>>(
        ty: &graphql_parser::schema::Type<'a, T>,
    ) -> Self {
        match ty {
            ast::Type::NamedType(name) => TypeRef::Named(name.as_ref().to_owned()),
            ast::Type::ListType(inner) => TypeRef::List(Box::new(Self::from_ast(inner))),
            ast::Type::NonNullType(inner) => TypeRef::NonNull(Box::new(Self::from_ast(inner))),
        }
    }

    /// The innermost named type.
    pub(crate) fn base(&self) -> &str {
        match self {
            TypeRef::Named(name) => name,
            TypeRef::List(inner) | TypeRef::NonNull(inner) => inner.base(),
        }
    }

    pub(crate) fn is_non_null(&self) -> bool {
        matches!(self, TypeRef::NonNull(_))
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::Named(name) => f.write_str(name),
            TypeRef::List(inner) => write!(f, "[{inner}]"),
            TypeRef::NonNull(inner) => write!(f, "{inner}!"),
        }
    }
}

/// One `@aws_*` directive: a mode, and for user pools the groups it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthRule {
    pub(crate) mode: AuthMode,
    pub(crate) groups: Option<Vec<String>>,
}

/// An argument or input field.
#[derive(Debug, Clone)]
pub(crate) struct InputValueDef {
    pub(crate) name: String,
    pub(crate) ty: TypeRef,
    pub(crate) default: Option<Value>,
}

/// A field of an object type.
#[derive(Debug, Clone)]
pub(crate) struct FieldDef {
    pub(crate) name: String,
    pub(crate) args: Vec<InputValueDef>,
    pub(crate) ty: TypeRef,
    pub(crate) auth: Vec<AuthRule>,
    /// `@aws_subscribe(mutations: [...])`: the mutations whose results this subscription field
    /// receives.
    pub(crate) subscribe: Vec<String>,
}

impl FieldDef {
    pub(crate) fn arg(&self, name: &str) -> Option<&InputValueDef> {
        self.args.iter().find(|a| a.name == name)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ObjectDef {
    pub(crate) name: String,
    pub(crate) fields: Vec<FieldDef>,
    pub(crate) auth: Vec<AuthRule>,
}

impl ObjectDef {
    pub(crate) fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct InputDef {
    pub(crate) name: String,
    pub(crate) fields: Vec<InputValueDef>,
}

#[derive(Debug, Clone)]
pub(crate) enum TypeDef {
    Object(ObjectDef),
    Input(InputDef),
    /// The values, in declaration order.
    Enum(Vec<String>),
    Scalar,
}

/// Descriptions and `@deprecated` reasons by schema coordinate (`Todo`, `Todo.name`,
/// `Query.getTodo(id:)`, `Status.DONE`), for introspection.
#[derive(Debug, Clone, Default)]
pub(crate) struct Docs {
    pub(crate) descriptions: BTreeMap<String, String>,
    pub(crate) deprecations: BTreeMap<String, String>,
}

/// A validated schema. `types` also holds the introspection types (`__Schema`, `__Type`, ...),
/// and `meta_fields` the query root's `__schema` and `__type`.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    pub(crate) types: BTreeMap<String, TypeDef>,
    pub(crate) query: String,
    pub(crate) mutation: Option<String>,
    pub(crate) subscription: Option<String>,
    pub(crate) docs: Docs,
    pub(crate) meta_fields: Vec<FieldDef>,
}

impl Schema {
    pub(crate) fn object(&self, name: &str) -> Option<&ObjectDef> {
        match self.types.get(name) {
            Some(TypeDef::Object(o)) => Some(o),
            _ => None,
        }
    }

    /// A field of `object`, including the introspection fields of the query root.
    pub(crate) fn field_of<'s>(
        &'s self,
        object: &'s ObjectDef,
        name: &str,
    ) -> Option<&'s FieldDef> {
        object.field(name).or_else(|| {
            if object.name == self.query {
                self.meta_fields.iter().find(|f| f.name == name)
            } else {
                None
            }
        })
    }

    pub(crate) fn is_input_type(&self, name: &str) -> bool {
        matches!(
            self.types.get(name),
            Some(TypeDef::Input(_) | TypeDef::Enum(_) | TypeDef::Scalar)
        )
    }

    fn is_output_type(&self, name: &str) -> bool {
        matches!(
            self.types.get(name),
            Some(TypeDef::Object(_) | TypeDef::Enum(_) | TypeDef::Scalar)
        )
    }

    /// Parses and checks AppSync SDL.
    pub(crate) fn parse(sdl: &str) -> Result<Self, String> {
        let doc = graphql_parser::parse_schema::<String>(sdl).map_err(|e| e.to_string())?;
        let mut types: BTreeMap<String, TypeDef> = BUILTIN_SCALARS
            .iter()
            .map(|s| ((*s).to_owned(), TypeDef::Scalar))
            .collect();
        let mut roots: (Option<String>, Option<String>, Option<String>) = (None, None, None);
        let mut declared = BTreeSet::new();
        let mut docs = Docs::default();
        let meta = graphql_parser::parse_schema::<String>(introspection::META_SDL)
            .map_err(|e| format!("the introspection schema: {e}"))?;
        let mut meta_fields = Vec::new();
        for definition in &meta.definitions {
            if let Definition::TypeDefinition(def) = definition {
                match convert_type(def, &mut docs)? {
                    (name, TypeDef::Object(root)) if name == introspection::META_ROOT => {
                        meta_fields = root.fields;
                    }
                    (name, def) => {
                        declared.insert(name.clone());
                        types.insert(name, def);
                    }
                }
            }
        }
        for definition in &doc.definitions {
            match definition {
                Definition::SchemaDefinition(schema) => {
                    roots = (
                        schema.query.clone(),
                        schema.mutation.clone(),
                        schema.subscription.clone(),
                    );
                }
                Definition::TypeDefinition(def) => {
                    let (name, def) = convert_type(def, &mut docs)?;
                    if !declared.insert(name.clone()) {
                        return Err(format!("type {name} is defined twice"));
                    }
                    types.insert(name, def);
                }
                Definition::TypeExtension(_) => {
                    return Err("type extensions are not supported by the emulator".to_owned());
                }
                Definition::DirectiveDefinition(_) => {}
            }
        }
        let schema = Schema {
            query: roots.0.unwrap_or_else(|| "Query".to_owned()),
            mutation: roots.1.or_else(|| {
                types
                    .contains_key("Mutation")
                    .then(|| "Mutation".to_owned())
            }),
            subscription: roots.2.or_else(|| {
                types
                    .contains_key("Subscription")
                    .then(|| "Subscription".to_owned())
            }),
            types,
            docs,
            meta_fields,
        };
        schema.check()?;
        Ok(schema)
    }

    fn check(&self) -> Result<(), String> {
        for root in std::iter::once(&self.query)
            .chain(self.mutation.as_ref())
            .chain(self.subscription.as_ref())
        {
            if self.object(root).is_none() {
                return Err(format!("the root type {root} is not an object type"));
            }
        }
        for def in self.types.values() {
            match def {
                TypeDef::Object(object) => {
                    for field in &object.fields {
                        if !self.is_output_type(field.ty.base()) {
                            return Err(format!(
                                "{}.{}: {} is not an output type",
                                object.name,
                                field.name,
                                field.ty.base()
                            ));
                        }
                        for arg in &field.args {
                            if !self.is_input_type(arg.ty.base()) {
                                return Err(format!(
                                    "{}.{}({}): {} is not an input type",
                                    object.name,
                                    field.name,
                                    arg.name,
                                    arg.ty.base()
                                ));
                            }
                        }
                    }
                }
                TypeDef::Input(input) => {
                    for field in &input.fields {
                        if !self.is_input_type(field.ty.base()) {
                            return Err(format!(
                                "{}.{}: {} is not an input type",
                                input.name,
                                field.name,
                                field.ty.base()
                            ));
                        }
                    }
                }
                TypeDef::Enum(_) | TypeDef::Scalar => {}
            }
        }
        let mutation = self.mutation.as_ref().and_then(|m| self.object(m));
        if let Some(subscription) = self.subscription.as_ref().and_then(|s| self.object(s)) {
            for field in &subscription.fields {
                for name in &field.subscribe {
                    if mutation.and_then(|m| m.field(name)).is_none() {
                        return Err(format!(
                            "{}.{}: @aws_subscribe names {name}, which is not a mutation",
                            subscription.name, field.name
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Every auth mode any directive names.
    pub(crate) fn modes_used(&self) -> BTreeSet<AuthMode> {
        let mut modes = BTreeSet::new();
        for def in self.types.values() {
            if let TypeDef::Object(object) = def {
                modes.extend(object.auth.iter().map(|r| r.mode));
                for field in &object.fields {
                    modes.extend(field.auth.iter().map(|r| r.mode));
                }
            }
        }
        modes
    }
}

/// Records a description and an `@deprecated` reason under `coordinate`.
fn document(
    docs: &mut Docs,
    coordinate: String,
    description: Option<&String>,
    directives: &[ast::Directive<'_, String>],
) {
    if let Some(reason) = directives.iter().find(|d| d.name == "deprecated").map(|d| {
        d.arguments
            .iter()
            .find(|(n, _)| n == "reason")
            .and_then(|(_, v)| match v {
                ast::Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "No longer supported".to_owned())
    }) {
        docs.deprecations.insert(coordinate.clone(), reason);
    }
    if let Some(text) = description {
        docs.descriptions.insert(coordinate, text.clone());
    }
}

fn convert_type(
    def: &TypeDefinition<'_, String>,
    docs: &mut Docs,
) -> Result<(String, TypeDef), String> {
    Ok(match def {
        TypeDefinition::Scalar(s) => {
            document(docs, s.name.clone(), s.description.as_ref(), &s.directives);
            (s.name.clone(), TypeDef::Scalar)
        }
        TypeDefinition::Object(o) => {
            document(docs, o.name.clone(), o.description.as_ref(), &o.directives);
            let mut fields: Vec<FieldDef> = Vec::with_capacity(o.fields.len());
            for f in &o.fields {
                if fields.iter().any(|x| x.name == f.name) {
                    return Err(format!("{}.{} is defined twice", o.name, f.name));
                }
                let coordinate = format!("{}.{}", o.name, f.name);
                document(
                    docs,
                    coordinate.clone(),
                    f.description.as_ref(),
                    &f.directives,
                );
                for a in &f.arguments {
                    let at = format!("{coordinate}({}:)", a.name);
                    document(docs, at, a.description.as_ref(), &a.directives);
                }
                fields.push(FieldDef {
                    name: f.name.clone(),
                    args: f
                        .arguments
                        .iter()
                        .map(input_value)
                        .collect::<Result<_, _>>()?,
                    ty: TypeRef::from_ast(&f.field_type),
                    auth: auth_rules(&f.directives)?,
                    subscribe: subscribed_mutations(&f.directives)?,
                });
            }
            (
                o.name.clone(),
                TypeDef::Object(ObjectDef {
                    name: o.name.clone(),
                    fields,
                    auth: auth_rules(&o.directives)?,
                }),
            )
        }
        TypeDefinition::InputObject(i) => {
            document(docs, i.name.clone(), i.description.as_ref(), &i.directives);
            for f in &i.fields {
                let at = format!("{}.{}", i.name, f.name);
                document(docs, at, f.description.as_ref(), &f.directives);
            }
            (
                i.name.clone(),
                TypeDef::Input(InputDef {
                    name: i.name.clone(),
                    fields: i.fields.iter().map(input_value).collect::<Result<_, _>>()?,
                }),
            )
        }
        TypeDefinition::Enum(e) => {
            document(docs, e.name.clone(), e.description.as_ref(), &e.directives);
            let mut values = Vec::with_capacity(e.values.len());
            for v in &e.values {
                if values.contains(&v.name) {
                    return Err(format!("{}.{} is defined twice", e.name, v.name));
                }
                let at = format!("{}.{}", e.name, v.name);
                document(docs, at, v.description.as_ref(), &v.directives);
                values.push(v.name.clone());
            }
            (e.name.clone(), TypeDef::Enum(values))
        }
        TypeDefinition::Interface(i) => {
            return Err(format!(
                "interface {}: interfaces are not supported by the emulator",
                i.name
            ));
        }
        TypeDefinition::Union(u) => {
            return Err(format!(
                "union {}: unions are not supported by the emulator",
                u.name
            ));
        }
    })
}

fn input_value(v: &ast::InputValue<'_, String>) -> Result<InputValueDef, String> {
    Ok(InputValueDef {
        name: v.name.clone(),
        ty: TypeRef::from_ast(&v.value_type),
        default: match &v.default_value {
            Some(value) => Some(
                const_value(value)
                    .ok_or_else(|| format!("the default of {} must not use variables", v.name))?,
            ),
            None => None,
        },
    })
}

/// A constant GraphQL value as JSON (`None` when it contains a variable).
pub(crate) fn const_value(value: &ast::Value<'_, String>) -> Option<Value> {
    Some(match value {
        ast::Value::Variable(_) => return None,
        ast::Value::Int(n) => Value::from(n.as_i64()?),
        ast::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        ast::Value::String(s) => Value::String(s.clone()),
        ast::Value::Boolean(b) => Value::Bool(*b),
        ast::Value::Null => Value::Null,
        ast::Value::Enum(e) => Value::String(e.clone()),
        ast::Value::List(items) => {
            Value::Array(items.iter().map(const_value).collect::<Option<Vec<_>>>()?)
        }
        ast::Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Some((k.clone(), const_value(v)?)))
                .collect::<Option<Map<_, _>>>()?,
        ),
    })
}

fn auth_rules(directives: &[ast::Directive<'_, String>]) -> Result<Vec<AuthRule>, String> {
    let mut rules = Vec::new();
    for directive in directives {
        let Some(mode) = AuthMode::from_directive(&directive.name) else {
            continue;
        };
        let mut groups = None;
        for (name, value) in &directive.arguments {
            if name == "cognito_groups" {
                let list = match const_value(value) {
                    Some(Value::Array(items)) => items
                        .into_iter()
                        .map(|v| match v {
                            Value::String(s) => Ok(s),
                            _ => Err("cognito_groups must list strings".to_owned()),
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                    Some(Value::String(s)) => vec![s],
                    _ => return Err("cognito_groups must list strings".to_owned()),
                };
                groups = Some(list);
            }
        }
        rules.push(AuthRule { mode, groups });
    }
    Ok(rules)
}

/// The `mutations` of an `@aws_subscribe` directive.
fn subscribed_mutations(directives: &[ast::Directive<'_, String>]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for directive in directives.iter().filter(|d| d.name == "aws_subscribe") {
        for (name, value) in &directive.arguments {
            if name != "mutations" {
                continue;
            }
            match const_value(value) {
                Some(Value::Array(items)) => {
                    for item in items {
                        match item {
                            Value::String(s) => out.push(s),
                            _ => {
                                return Err("@aws_subscribe mutations must list strings".to_owned());
                            }
                        }
                    }
                }
                Some(Value::String(s)) => out.push(s),
                _ => return Err("@aws_subscribe mutations must list strings".to_owned()),
            }
        }
    }
    Ok(out)
}
