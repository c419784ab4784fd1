//! GraphQL introspection as AppSync answers it: `__schema` and `__type(name:)` on the query
//! root, over the introspection types of the GraphQL specification (`__Schema`, `__Type`,
//! ...), which [`Schema::parse`] adds to every schema from [`META_SDL`].
//!
//! `__Type` values are resolved lazily from `{kind, name}` (or `{kind, ofType}` for `LIST` and
//! `NON_NULL`), so any depth of `ofType` or `type { fields }` works; the other introspection
//! objects are plain JSON the executor reads fields from. AppSync allows introspection with any
//! valid authorization of the API (the request was authorized before execution), so the
//! executor skips field-level authorization for these fields ([`is_meta`]).

use serde_json::{Map, Value, json};

use super::schema::{InputValueDef, Schema, TypeDef, TypeRef};

/// The name of the object in [`META_SDL`] whose fields are added to the query root.
pub(crate) const META_ROOT: &str = "__MetaRoot";

/// The introspection types (GraphQL specification, section 4.5, with the `isOneOf` and
/// `specifiedByURL` fields graphql-java serves), and the query root's meta fields.
pub(crate) const META_SDL: &str = r#"
type __MetaRoot {
  __schema: __Schema!
  __type(name: String!): __Type
}

type __Schema {
  description: String
  types: [__Type!]!
  queryType: __Type!
  mutationType: __Type
  subscriptionType: __Type
  directives: [__Directive!]!
}

type __Type {
  kind: __TypeKind!
  name: String
  description: String
  fields(includeDeprecated: Boolean = false): [__Field!]
  interfaces: [__Type!]
  possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]
  inputFields(includeDeprecated: Boolean = false): [__InputValue!]
  ofType: __Type
  specifiedByURL: String
  isOneOf: Boolean
}

enum __TypeKind {
  SCALAR
  OBJECT
  INTERFACE
  UNION
  ENUM
  INPUT_OBJECT
  LIST
  NON_NULL
}

type __Field {
  name: String!
  description: String
  args(includeDeprecated: Boolean = false): [__InputValue!]!
  type: __Type!
  isDeprecated: Boolean!
  deprecationReason: String
}

type __InputValue {
  name: String!
  description: String
  type: __Type!
  defaultValue: String
  isDeprecated: Boolean!
  deprecationReason: String
}

type __EnumValue {
  name: String!
  description: String
  isDeprecated: Boolean!
  deprecationReason: String
}

type __Directive {
  name: String!
  description: String
  locations: [__DirectiveLocation!]!
  args(includeDeprecated: Boolean = false): [__InputValue!]!
  isRepeatable: Boolean!
}

enum __DirectiveLocation {
  QUERY
  MUTATION
  SUBSCRIPTION
  FIELD
  FRAGMENT_DEFINITION
  FRAGMENT_SPREAD
  INLINE_FRAGMENT
  VARIABLE_DEFINITION
  SCHEMA
  SCALAR
  OBJECT
  FIELD_DEFINITION
  ARGUMENT_DEFINITION
  INTERFACE
  UNION
  ENUM
  ENUM_VALUE
  INPUT_OBJECT
  INPUT_FIELD_DEFINITION
}
"#;

/// A declared directive: name, description, locations, arguments as `(name, type)`.
type Directive = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// The directives the API declares: GraphQL's and AppSync's.
const DIRECTIVES: &[Directive] = &[
    (
        "include",
        "Directs the executor to include this field or fragment only when the `if` argument is true",
        &["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"],
        &[("if", "Boolean!")],
    ),
    (
        "skip",
        "Directs the executor to skip this field or fragment when the `if` argument is true.",
        &["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"],
        &[("if", "Boolean!")],
    ),
    (
        "deprecated",
        "Marks the field, argument, input field or enum value as deprecated",
        &[
            "FIELD_DEFINITION",
            "ARGUMENT_DEFINITION",
            "INPUT_FIELD_DEFINITION",
            "ENUM_VALUE",
        ],
        &[("reason", "String")],
    ),
    (
        "aws_subscribe",
        "Tells the service which mutation triggers this subscription.",
        &["FIELD_DEFINITION"],
        &[("mutations", "[String]")],
    ),
    (
        "aws_auth",
        "Directs the schema to enforce authorization on a field",
        &["FIELD_DEFINITION"],
        &[("cognito_groups", "[String]")],
    ),
    (
        "aws_api_key",
        "Tells the service this field/object has access authorized by an API key.",
        &["OBJECT", "FIELD_DEFINITION"],
        &[],
    ),
    (
        "aws_iam",
        "Tells the service this field/object has access authorized by sigv4 signing.",
        &["OBJECT", "FIELD_DEFINITION"],
        &[],
    ),
    (
        "aws_oidc",
        "Tells the service this field/object has access authorized by an OIDC token.",
        &["OBJECT", "FIELD_DEFINITION"],
        &[],
    ),
    (
        "aws_cognito_user_pools",
        "Tells the service this field/object has access authorized by a Cognito User Pools token.",
        &["OBJECT", "FIELD_DEFINITION"],
        &[("cognito_groups", "[String]")],
    ),
    (
        "aws_lambda",
        "Tells the service this field/object has access authorized by a Lambda Authorizer.",
        &["OBJECT", "FIELD_DEFINITION"],
        &[],
    ),
];

/// Whether `object.field` is an introspection field (answered for any authorization).
pub(crate) fn is_meta(object: &str, field: &str) -> bool {
    object.starts_with("__") || field.starts_with("__")
}

/// The value of an introspection field, or `None` when `object.field` is not one the
/// executor needs help with (plain JSON fields are read from `source`).
pub(crate) fn resolve(
    schema: &Schema,
    object: &str,
    field: &str,
    source: Option<&Value>,
    args: &Map<String, Value>,
) -> Option<Value> {
    if object == schema.query {
        return match field {
            "__schema" => Some(schema_value(schema)),
            "__type" => Some(
                args.get("name")
                    .and_then(Value::as_str)
                    .filter(|name| schema.types.contains_key(*name))
                    .map_or(Value::Null, |name| named(schema, name)),
            ),
            _ => None,
        };
    }
    if object != "__Type" {
        return None;
    }
    let source = source?;
    if matches!(field, "kind" | "name" | "ofType") {
        return Some(source.get(field).cloned().unwrap_or(Value::Null));
    }
    let include_deprecated = args
        .get("includeDeprecated")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let Some((name, def)) = source
        .get("name")
        .and_then(Value::as_str)
        .and_then(|name| Some((name, schema.types.get(name)?)))
    else {
        // LIST and NON_NULL have nothing but `kind` and `ofType`.
        return Some(Value::Null);
    };
    Some(match (field, def) {
        ("description", _) => text(schema.docs.descriptions.get(name)),
        ("fields", TypeDef::Object(object)) => Value::Array(
            object
                .fields
                .iter()
                .filter_map(|f| {
                    let at = format!("{name}.{}", f.name);
                    let reason = schema.docs.deprecations.get(&at);
                    if reason.is_some() && !include_deprecated {
                        return None;
                    }
                    let args: Vec<Value> = f
                        .args
                        .iter()
                        .map(|a| input_value(schema, &format!("{at}({}:)", a.name), a))
                        .collect();
                    Some(json!({
                        "name": f.name,
                        "description": text(schema.docs.descriptions.get(&at)),
                        "args": args,
                        "type": type_ref(schema, &f.ty),
                        "isDeprecated": reason.is_some(),
                        "deprecationReason": text(reason),
                    }))
                })
                .collect(),
        ),
        ("interfaces", TypeDef::Object(_)) => json!([]),
        ("enumValues", TypeDef::Enum(values)) => Value::Array(
            values
                .iter()
                .filter_map(|v| {
                    let at = format!("{name}.{v}");
                    let reason = schema.docs.deprecations.get(&at);
                    if reason.is_some() && !include_deprecated {
                        return None;
                    }
                    Some(json!({
                        "name": v,
                        "description": text(schema.docs.descriptions.get(&at)),
                        "isDeprecated": reason.is_some(),
                        "deprecationReason": text(reason),
                    }))
                })
                .collect(),
        ),
        ("inputFields", TypeDef::Input(input)) => Value::Array(
            input
                .fields
                .iter()
                .map(|f| input_value(schema, &format!("{name}.{}", f.name), f))
                .collect(),
        ),
        ("isOneOf", TypeDef::Input(_)) => Value::Bool(false),
        _ => Value::Null,
    })
}

fn text(value: Option<&String>) -> Value {
    value.map_or(Value::Null, |s| Value::String(s.clone()))
}

fn kind(def: &TypeDef) -> &'static str {
    match def {
        TypeDef::Object(_) => "OBJECT",
        TypeDef::Input(_) => "INPUT_OBJECT",
        TypeDef::Enum(_) => "ENUM",
        TypeDef::Scalar => "SCALAR",
    }
}

/// A `__Type` source for a named type.
fn named(schema: &Schema, name: &str) -> Value {
    let kind = schema.types.get(name).map_or("SCALAR", kind);
    json!({ "kind": kind, "name": name, "ofType": null })
}

/// A `__Type` source for a type reference.
fn type_ref(schema: &Schema, ty: &TypeRef) -> Value {
    match ty {
        TypeRef::Named(name) => named(schema, name),
        TypeRef::List(inner) => {
            json!({ "kind": "LIST", "name": null, "ofType": type_ref(schema, inner) })
        }
        TypeRef::NonNull(inner) => {
            json!({ "kind": "NON_NULL", "name": null, "ofType": type_ref(schema, inner) })
        }
    }
}

fn input_value(schema: &Schema, coordinate: &str, value: &InputValueDef) -> Value {
    let reason = schema.docs.deprecations.get(coordinate);
    json!({
        "name": value.name,
        "description": text(schema.docs.descriptions.get(coordinate)),
        "type": type_ref(schema, &value.ty),
        "defaultValue": value.default.as_ref().map(|d| literal(schema, d, &value.ty)),
        "isDeprecated": reason.is_some(),
        "deprecationReason": text(reason),
    })
}

/// A default value as a GraphQL literal (`"text"`, `DONE`, `[1, 2]`, `{eq: 1}`).
fn literal(schema: &Schema, value: &Value, ty: &TypeRef) -> String {
    let inner = match ty {
        TypeRef::NonNull(inner) => return literal(schema, value, inner),
        TypeRef::List(inner) => Some(inner.as_ref()),
        TypeRef::Named(_) => None,
    };
    match value {
        Value::Array(items) => {
            let item_ty = inner.unwrap_or(ty);
            let items: Vec<String> = items.iter().map(|v| literal(schema, v, item_ty)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(fields) => {
            let input = match schema.types.get(ty.base()) {
                Some(TypeDef::Input(input)) => Some(input),
                _ => None,
            };
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| {
                    let field_ty = input
                        .and_then(|i| i.fields.iter().find(|f| f.name == *k))
                        .map_or_else(|| TypeRef::Named(String::new()), |f| f.ty.clone());
                    format!("{k}: {}", literal(schema, v, &field_ty))
                })
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        Value::String(s) if matches!(schema.types.get(ty.base()), Some(TypeDef::Enum(_))) => {
            s.clone()
        }
        other => other.to_string(),
    }
}

fn schema_value(schema: &Schema) -> Value {
    let root = |name: Option<&String>| name.map_or(Value::Null, |n| named(schema, n));
    let types: Vec<Value> = schema.types.keys().map(|n| named(schema, n)).collect();
    let directives: Vec<Value> = DIRECTIVES
        .iter()
        .map(|(name, description, locations, args)| {
            let args: Vec<Value> = args
                .iter()
                .map(|(arg, ty)| {
                    let ty = parse_type(ty);
                    json!({
                        "name": arg,
                        "description": null,
                        "type": type_ref(schema, &ty),
                        "defaultValue": (*name == "deprecated").then_some("\"No longer supported\""),
                        "isDeprecated": false,
                        "deprecationReason": null,
                    })
                })
                .collect();
            json!({
                "name": name,
                "description": description,
                "locations": locations,
                "args": args,
                "isRepeatable": false,
            })
        })
        .collect();
    json!({
        "description": null,
        "types": types,
        "queryType": named(schema, &schema.query),
        "mutationType": root(schema.mutation.as_ref()),
        "subscriptionType": root(schema.subscription.as_ref()),
        "directives": directives,
    })
}

/// `String`, `Boolean!`, `[String]` (the directive arguments' types).
fn parse_type(text: &str) -> TypeRef {
    if let Some(inner) = text.strip_suffix('!') {
        TypeRef::NonNull(Box::new(parse_type(inner)))
    } else if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        TypeRef::List(Box::new(parse_type(inner)))
    } else {
        TypeRef::Named(text.to_owned())
    }
}
