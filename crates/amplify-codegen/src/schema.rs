//! The schema the generators read: graphql-parser's document reduced to what codegen needs.

use std::collections::BTreeMap;
use std::fmt;

use graphql_parser::schema as gql;

use crate::CodegenError;
use crate::error::from_parse_error;

/// What kind of definition a type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Object,
    Input,
    Enum,
    Scalar,
    /// Interfaces and unions: decoded as JSON.
    Other,
}

/// A type reference: `T`, `T!`, `[T]`, `[T!]!`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    Named { name: String, required: bool },
    List { item: Box<Ty>, required: bool },
}

impl Ty {
    pub(crate) fn named(name: &str, required: bool) -> Self {
        Ty::Named {
            name: name.to_owned(),
            required,
        }
    }

    /// The named type at the bottom of the lists.
    pub(crate) fn base(&self) -> &str {
        match self {
            Ty::Named { name, .. } => name,
            Ty::List { item, .. } => item.base(),
        }
    }

    pub(crate) fn required(&self) -> bool {
        match self {
            Ty::Named { required, .. } | Ty::List { required, .. } => *required,
        }
    }

    pub(crate) fn is_list(&self) -> bool {
        matches!(self, Ty::List { .. })
    }

    fn from_gql(ty: &gql::Type<'_, String>, required: bool) -> Self {
        match ty {
            gql::Type::NamedType(name) => Ty::named(name, required),
            gql::Type::ListType(item) => Ty::List {
                item: Box::new(Ty::from_gql(item, false)),
                required,
            },
            gql::Type::NonNullType(inner) => Ty::from_gql(inner, true),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let required = match self {
            Ty::Named { name, required } => {
                f.write_str(name)?;
                *required
            }
            Ty::List { item, required } => {
                write!(f, "[{item}]")?;
                *required
            }
        };
        if required { f.write_str("!") } else { Ok(()) }
    }
}

/// A directive argument's value, as far as codegen reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Str(String),
    List(Vec<Value>),
    Other(String),
}

impl Value {
    fn from_gql(value: &gql::Value<'_, String>) -> Self {
        match value {
            gql::Value::String(s) | gql::Value::Enum(s) => Value::Str(s.clone()),
            gql::Value::List(items) => Value::List(items.iter().map(Value::from_gql).collect()),
            other => Value::Other(other.to_string()),
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A list of strings (a single string counts as a list of one).
    pub(crate) fn strings(&self) -> Vec<String> {
        match self {
            Value::Str(s) => vec![s.clone()],
            Value::List(items) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Value::Other(_) => Vec::new(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{s:?}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Other(s) => f.write_str(s),
        }
    }
}

/// A directive and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Directive {
    pub(crate) name: String,
    pub(crate) args: Vec<(String, Value)>,
}

impl Directive {
    pub(crate) fn arg(&self, name: &str) -> Option<&Value> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn from_gql(d: &gql::Directive<'_, String>) -> Self {
        Directive {
            name: d.name.clone(),
            args: d
                .arguments
                .iter()
                .map(|(n, v)| (n.clone(), Value::from_gql(v)))
                .collect(),
        }
    }
}

/// A field of an object or input type, or an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) ty: Ty,
    pub(crate) args: Vec<Field>,
    pub(crate) directives: Vec<Directive>,
    pub(crate) description: Option<String>,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl Field {
    pub(crate) fn new(name: &str, ty: Ty) -> Self {
        Field {
            name: name.to_owned(),
            ty,
            args: Vec::new(),
            directives: Vec::new(),
            description: None,
            line: 0,
            column: 0,
        }
    }

    pub(crate) fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    fn from_input(v: &gql::InputValue<'_, String>) -> Self {
        Field {
            name: v.name.clone(),
            ty: Ty::from_gql(&v.value_type, false),
            args: Vec::new(),
            directives: v.directives.iter().map(Directive::from_gql).collect(),
            description: v.description.clone(),
            line: v.position.line,
            column: v.position.column,
        }
    }
}

/// A type definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeDef {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) fields: Vec<Field>,
    /// Enum values.
    pub(crate) values: Vec<String>,
    pub(crate) directives: Vec<Directive>,
    pub(crate) description: Option<String>,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl TypeDef {
    pub(crate) fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    pub(crate) fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// A parsed schema: its types in source order and its root operation types.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schema {
    pub(crate) types: Vec<TypeDef>,
    index: BTreeMap<String, usize>,
    pub(crate) query: Option<String>,
    pub(crate) mutation: Option<String>,
    pub(crate) subscription: Option<String>,
}

/// The scalars GraphQL and AppSync define.
pub(crate) const BUILT_IN_SCALARS: &[&str] = &[
    "ID",
    "String",
    "Int",
    "Float",
    "Boolean",
    "AWSDateTime",
    "AWSDate",
    "AWSTime",
    "AWSTimestamp",
    "AWSJSON",
    "AWSEmail",
    "AWSURL",
    "AWSPhone",
    "AWSIPAddress",
];

impl Schema {
    /// Parses SDL. Object type extensions (`extend type Query`) are merged into their type.
    pub(crate) fn parse(sdl: &str) -> Result<Self, CodegenError> {
        let document =
            graphql_parser::parse_schema::<String>(sdl).map_err(|e| from_parse_error(&e))?;
        let mut schema = Schema::default();
        let mut roots = (None, None, None);
        for definition in &document.definitions {
            match definition {
                gql::Definition::SchemaDefinition(s) => {
                    roots = (s.query.clone(), s.mutation.clone(), s.subscription.clone());
                }
                gql::Definition::TypeDefinition(t) => schema.add(type_def(t))?,
                gql::Definition::TypeExtension(gql::TypeExtension::Object(ext)) => {
                    let fields: Vec<Field> = ext.fields.iter().map(field).collect();
                    match schema.index.get(&ext.name).copied() {
                        Some(i) => {
                            if let Some(existing) = schema.types.get_mut(i) {
                                existing.fields.extend(fields);
                            }
                        }
                        None => schema.add(TypeDef {
                            name: ext.name.clone(),
                            kind: Kind::Object,
                            fields,
                            values: Vec::new(),
                            directives: Vec::new(),
                            description: None,
                            line: ext.position.line,
                            column: ext.position.column,
                        })?,
                    }
                }
                gql::Definition::TypeExtension(_) | gql::Definition::DirectiveDefinition(_) => {}
            }
        }
        let present = |name: &str| schema.index.contains_key(name).then(|| name.to_owned());
        schema.query = roots.0.or_else(|| present("Query"));
        schema.mutation = roots.1.or_else(|| present("Mutation"));
        schema.subscription = roots.2.or_else(|| present("Subscription"));
        schema.check_references()?;
        Ok(schema)
    }

    fn add(&mut self, def: TypeDef) -> Result<(), CodegenError> {
        if self.index.contains_key(&def.name) {
            return Err(CodegenError::schema(
                def.line,
                def.column,
                format!("type `{}` is defined twice", def.name),
            ));
        }
        self.index.insert(def.name.clone(), self.types.len());
        self.types.push(def);
        Ok(())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&TypeDef> {
        self.index.get(name).and_then(|i| self.types.get(*i))
    }

    /// The kind of `name`: built-in scalars count as scalars.
    pub(crate) fn kind(&self, name: &str) -> Option<Kind> {
        if BUILT_IN_SCALARS.contains(&name) {
            return Some(Kind::Scalar);
        }
        self.get(name).map(|t| t.kind)
    }

    /// Whether `name` is a root operation type.
    pub(crate) fn is_root(&self, name: &str) -> bool {
        [&self.query, &self.mutation, &self.subscription]
            .iter()
            .any(|r| r.as_deref() == Some(name))
    }

    /// Every field type and argument type names a type that exists.
    fn check_references(&self) -> Result<(), CodegenError> {
        for def in &self.types {
            for f in &def.fields {
                for (ty, line, column) in std::iter::once((&f.ty, f.line, f.column))
                    .chain(f.args.iter().map(|a| (&a.ty, a.line, a.column)))
                {
                    if self.kind(ty.base()).is_none() {
                        return Err(CodegenError::schema(
                            line,
                            column,
                            format!(
                                "`{}.{}` uses the type `{}`, which is not defined",
                                def.name,
                                f.name,
                                ty.base()
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn field(f: &gql::Field<'_, String>) -> Field {
    Field {
        name: f.name.clone(),
        ty: Ty::from_gql(&f.field_type, false),
        args: f.arguments.iter().map(Field::from_input).collect(),
        directives: f.directives.iter().map(Directive::from_gql).collect(),
        description: f.description.clone(),
        line: f.position.line,
        column: f.position.column,
    }
}

fn type_def(t: &gql::TypeDefinition<'_, String>) -> TypeDef {
    let (name, kind, fields, values, directives, description, position) = match t {
        gql::TypeDefinition::Object(o) => (
            &o.name,
            Kind::Object,
            o.fields.iter().map(field).collect(),
            Vec::new(),
            &o.directives,
            &o.description,
            o.position,
        ),
        gql::TypeDefinition::InputObject(i) => (
            &i.name,
            Kind::Input,
            i.fields.iter().map(Field::from_input).collect(),
            Vec::new(),
            &i.directives,
            &i.description,
            i.position,
        ),
        gql::TypeDefinition::Enum(e) => (
            &e.name,
            Kind::Enum,
            Vec::new(),
            e.values.iter().map(|v| v.name.clone()).collect(),
            &e.directives,
            &e.description,
            e.position,
        ),
        gql::TypeDefinition::Scalar(s) => (
            &s.name,
            Kind::Scalar,
            Vec::new(),
            Vec::new(),
            &s.directives,
            &s.description,
            s.position,
        ),
        gql::TypeDefinition::Interface(i) => (
            &i.name,
            Kind::Other,
            Vec::new(),
            Vec::new(),
            &i.directives,
            &i.description,
            i.position,
        ),
        gql::TypeDefinition::Union(u) => (
            &u.name,
            Kind::Other,
            Vec::new(),
            Vec::new(),
            &u.directives,
            &u.description,
            u.position,
        ),
    };
    TypeDef {
        name: name.clone(),
        kind,
        fields,
        values,
        directives: directives.iter().map(Directive::from_gql).collect(),
        description: description.clone(),
        line: position.line,
        column: position.column,
    }
}
