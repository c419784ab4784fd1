//! Amplify's model transform: a data schema (types with `@model`) into the AppSync schema the
//! backend serves (Amplify's GraphQL transformer v2 / Gen 2 data), as SDL.
//!
//! For each `@model` type: `id: ID!` (unless `@primaryKey` names the key), `createdAt` and
//! `updatedAt`, the connection type, filter / condition / subscription-filter inputs, create /
//! update / delete inputs, `get` and `list` queries, an index query per `@index`, the three
//! mutations and `onCreate` / `onUpdate` / `onDelete`. Relations (`@hasMany`, `@hasOne`,
//! `@belongsTo`) become connection or model fields, with the foreign key fields Amplify adds
//! when no `references` / `fields` are given. `@auth` and other directives are dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::CodegenError;
use crate::naming::{lower_first, plural, upper_first};
use crate::schema::{Field, Kind, Schema, Ty, TypeDef};

const RELATIONS: &[&str] = &["hasMany", "hasOne", "belongsTo"];

/// Whether `schema` is a data schema (some type has `@model`).
pub(crate) fn is_data_schema(schema: &Schema) -> bool {
    schema.types.iter().any(|t| t.directive("model").is_some())
}

/// A model's key: the partition key field and the sort key fields.
fn primary_key(model: &TypeDef) -> Vec<String> {
    for f in &model.fields {
        if let Some(d) = f.directive("primaryKey") {
            let mut key = vec![f.name.clone()];
            key.extend(
                d.arg("sortKeyFields")
                    .map(|v| v.strings())
                    .unwrap_or_default(),
            );
            return key;
        }
    }
    vec!["id".to_owned()]
}

fn relation(f: &Field) -> Option<&str> {
    RELATIONS.iter().find(|r| f.directive(r).is_some()).copied()
}

/// Transforms a data schema into AppSync SDL.
pub(crate) fn transform(schema: &Schema) -> Result<String, CodegenError> {
    let models: BTreeSet<&str> = schema
        .types
        .iter()
        .filter(|t| t.directive("model").is_some())
        .map(|t| t.name.as_str())
        .collect();
    for def in &schema.types {
        for f in &def.fields {
            if let Some(d) = f.directive("manyToMany") {
                let _ = d;
                return Err(CodegenError::schema(
                    f.line,
                    f.column,
                    format!(
                        "`{}.{}`: @manyToMany is not supported; model the join type with two \
                         @hasMany / @belongsTo relations",
                        def.name, f.name
                    ),
                ));
            }
            if let Some(r) = relation(f)
                && !models.contains(f.ty.base())
            {
                return Err(CodegenError::schema(
                    f.line,
                    f.column,
                    format!(
                        "`{}.{}`: @{r} needs a @model type, `{}` is not one",
                        def.name,
                        f.name,
                        f.ty.base()
                    ),
                ));
            }
        }
    }

    // The model fields, with the implicit foreign keys Amplify adds.
    let mut fields: BTreeMap<String, Vec<Field>> = BTreeMap::new();
    for def in schema
        .types
        .iter()
        .filter(|t| models.contains(t.name.as_str()))
    {
        let mut own = Vec::new();
        let key = primary_key(def);
        if def.field("id").is_none() && key == ["id"] {
            own.push(Field::new("id", Ty::named("ID", true)));
        }
        own.extend(def.fields.iter().cloned());
        for stamp in ["createdAt", "updatedAt"] {
            if def.field(stamp).is_none() {
                own.push(Field::new(stamp, Ty::named("AWSDateTime", true)));
            }
        }
        fields.insert(def.name.clone(), own);
    }
    let mut implicit: Vec<(String, String)> = Vec::new();
    for def in schema
        .types
        .iter()
        .filter(|t| models.contains(t.name.as_str()))
    {
        for f in &def.fields {
            let Some(r) = relation(f) else { continue };
            let Some(d) = f.directive(r) else { continue };
            if d.arg("references").is_some() || d.arg("fields").is_some() {
                continue;
            }
            let key = format!("{}{}Id", lower_first(&def.name), upper_first(&f.name));
            match r {
                "hasMany" => implicit.push((f.ty.base().to_owned(), key)),
                "hasOne" => implicit.push((def.name.clone(), key)),
                _ => {
                    // belongsTo: the key of the parent's hasMany when there is one.
                    let paired = schema.get(f.ty.base()).is_some_and(|parent| {
                        parent
                            .fields
                            .iter()
                            .any(|pf| pf.directive("hasMany").is_some() && pf.ty.base() == def.name)
                    });
                    if !paired {
                        implicit.push((def.name.clone(), key));
                    }
                }
            }
        }
    }
    for (model, key) in implicit {
        if let Some(list) = fields.get_mut(&model)
            && !list.iter().any(|f| f.name == key)
        {
            list.push(Field::new(&key, Ty::named("ID", false)));
        }
    }

    let mut sdl = String::new();
    let mut query = Vec::new();
    let mut mutation = Vec::new();
    let mut subscription = Vec::new();
    let mut used_enum_inputs = BTreeSet::new();

    // Types as written (models transformed), custom root fields kept.
    for def in &schema.types {
        match def.kind {
            Kind::Object if schema.is_root(&def.name) => {
                let target = if schema.query.as_deref() == Some(def.name.as_str()) {
                    &mut query
                } else if schema.mutation.as_deref() == Some(def.name.as_str()) {
                    &mut mutation
                } else {
                    &mut subscription
                };
                target.extend(def.fields.iter().map(|f| field_sdl(f, true)));
            }
            Kind::Object => {
                let own = fields.get(&def.name).unwrap_or(&def.fields);
                let _ = writeln!(sdl, "type {} {{", def.name);
                for f in own {
                    let _ = writeln!(sdl, "  {}", model_field_sdl(f, &models));
                }
                sdl.push_str("}\n\n");
            }
            Kind::Input => {
                let _ = writeln!(sdl, "input {} {{", def.name);
                for f in &def.fields {
                    let _ = writeln!(sdl, "  {}: {}", f.name, f.ty);
                }
                sdl.push_str("}\n\n");
                if def.fields.is_empty() {
                    return Err(CodegenError::schema(
                        def.line,
                        def.column,
                        format!("input `{}` has no fields", def.name),
                    ));
                }
            }
            Kind::Enum => {
                let _ = writeln!(
                    sdl,
                    "enum {} {{\n  {}\n}}\n",
                    def.name,
                    def.values.join("\n  ")
                );
            }
            Kind::Scalar | Kind::Other => {}
        }
    }

    // Inputs for custom (non-model) types used by models.
    let custom_types: BTreeSet<&str> = schema
        .types
        .iter()
        .filter(|t| {
            t.kind == Kind::Object && !models.contains(t.name.as_str()) && !schema.is_root(&t.name)
        })
        .map(|t| t.name.as_str())
        .collect();
    for name in &custom_types {
        if let Some(def) = schema.get(name) {
            let _ = writeln!(sdl, "input {name}Input {{");
            for f in &def.fields {
                let _ = writeln!(sdl, "  {}: {}", f.name, input_ty(&f.ty, &custom_types));
            }
            sdl.push_str("}\n\n");
        }
    }

    for def in schema
        .types
        .iter()
        .filter(|t| models.contains(t.name.as_str()))
    {
        let name = &def.name;
        let own = fields.get(name).map_or(&[][..], Vec::as_slice);
        let key = primary_key(def);
        let scalars: Vec<&Field> = own
            .iter()
            .filter(|f| relation(f).is_none() && !custom_types.contains(f.ty.base()))
            .collect();
        let stored: Vec<&Field> = own.iter().filter(|f| relation(f).is_none()).collect();

        let _ = writeln!(
            sdl,
            "type Model{name}Connection {{\n  items: [{name}]!\n  nextToken: String\n}}\n"
        );
        // Filter, condition and subscription filter.
        let mut filter = format!("input Model{name}FilterInput {{\n");
        let mut condition = format!("input Model{name}ConditionInput {{\n");
        let mut sub = format!("input ModelSubscription{name}FilterInput {{\n");
        for f in &scalars {
            let Some(input) = filter_input(schema, &f.ty) else {
                continue;
            };
            if schema.kind(f.ty.base()) == Some(Kind::Enum) {
                used_enum_inputs.insert(f.ty.base().to_owned());
            }
            let _ = writeln!(filter, "  {}: Model{input}Input", f.name);
            if !key.contains(&f.name) {
                let _ = writeln!(condition, "  {}: Model{input}Input", f.name);
            }
            let _ = writeln!(sub, "  {}: ModelSubscription{input}Input", f.name);
        }
        for (text, input) in [
            (&mut filter, format!("Model{name}FilterInput")),
            (&mut condition, format!("Model{name}ConditionInput")),
        ] {
            let _ = writeln!(
                text,
                "  and: [{input}]\n  or: [{input}]\n  not: {input}\n}}\n"
            );
        }
        let _ = writeln!(
            sub,
            "  and: [ModelSubscription{name}FilterInput]\n  or: [ModelSubscription{name}FilterInput]\n}}\n"
        );
        sdl.push_str(&filter);
        sdl.push_str(&condition);
        sdl.push_str(&sub);

        // Create, update, delete inputs.
        let _ = writeln!(sdl, "input Create{name}Input {{");
        for f in &stored {
            let ty = input_ty(&f.ty, &custom_types);
            let optional = f.name == "id" || f.name == "createdAt" || f.name == "updatedAt";
            let ty = if optional { loosen(&ty) } else { ty };
            if (f.name == "createdAt" || f.name == "updatedAt") && def.field(&f.name).is_none() {
                continue;
            }
            let _ = writeln!(sdl, "  {}: {ty}", f.name);
        }
        sdl.push_str("}\n\n");
        let _ = writeln!(sdl, "input Update{name}Input {{");
        for f in &stored {
            if (f.name == "createdAt" || f.name == "updatedAt") && def.field(&f.name).is_none() {
                continue;
            }
            let ty = input_ty(&f.ty, &custom_types);
            let ty = if key.contains(&f.name) {
                ty
            } else {
                loosen(&ty)
            };
            let _ = writeln!(sdl, "  {}: {ty}", f.name);
        }
        sdl.push_str("}\n\n");
        let _ = writeln!(sdl, "input Delete{name}Input {{");
        let key_args: Vec<String> = key
            .iter()
            .map(|k| {
                let ty = own
                    .iter()
                    .find(|f| &f.name == k)
                    .map_or_else(|| "ID!".to_owned(), |f| required(&f.ty.to_string()));
                format!("{k}: {ty}")
            })
            .collect();
        for arg in &key_args {
            let _ = writeln!(sdl, "  {arg}");
        }
        sdl.push_str("}\n\n");

        // Root fields.
        let plural_name = plural(name);
        query.push(format!("get{name}({}): {name}", key_args.join(", ")));
        query.push(format!(
            "list{plural_name}(filter: Model{name}FilterInput, limit: Int, nextToken: String): Model{name}Connection"
        ));
        for f in own {
            let Some(index) = f.directive("index") else {
                continue;
            };
            let sort: Vec<String> = index
                .arg("sortKeyFields")
                .map(|v| v.strings())
                .unwrap_or_default();
            let field_name = index
                .arg("queryField")
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| {
                    let mut n = format!("list{name}By{}", upper_first(&f.name));
                    for s in &sort {
                        let _ = write!(n, "And{}", upper_first(s));
                    }
                    n
                });
            let mut args = vec![format!("{}: {}", f.name, required(&f.ty.to_string()))];
            if let Some(first) = sort.first() {
                let ty = own
                    .iter()
                    .find(|o| &o.name == first)
                    .and_then(|o| filter_input(schema, &o.ty))
                    .unwrap_or_else(|| "String".to_owned());
                args.push(format!("{first}: Model{ty}KeyConditionInput"));
            }
            args.push("sortDirection: ModelSortDirection".to_owned());
            args.push(format!("filter: Model{name}FilterInput"));
            args.push("limit: Int".to_owned());
            args.push("nextToken: String".to_owned());
            query.push(format!(
                "{field_name}({}): Model{name}Connection",
                args.join(", ")
            ));
        }
        for op in ["create", "update", "delete"] {
            let upper = upper_first(op);
            mutation.push(format!(
                "{op}{name}(input: {upper}{name}Input!, condition: Model{name}ConditionInput): {name}"
            ));
        }
        for op in ["Create", "Update", "Delete"] {
            subscription.push(format!(
                "on{op}{name}(filter: ModelSubscription{name}FilterInput): {name} @aws_subscribe(mutations: [\"{}{name}\"])",
                op.to_ascii_lowercase()
            ));
        }
    }

    sdl.push_str(SCALAR_INPUTS);
    for e in &used_enum_inputs {
        let _ = writeln!(
            sdl,
            "input Model{e}Input {{\n  eq: {e}\n  ne: {e}\n}}\n\n\
             input ModelSubscription{e}Input {{\n  eq: {e}\n  ne: {e}\n  in: [{e}]\n  notIn: [{e}]\n}}\n"
        );
    }

    let mut schema_block = String::from("schema {\n");
    for (root, fields) in [
        ("Query", &query),
        ("Mutation", &mutation),
        ("Subscription", &subscription),
    ] {
        if fields.is_empty() {
            continue;
        }
        let _ = writeln!(schema_block, "  {}: {root}", root.to_ascii_lowercase());
        let _ = writeln!(sdl, "type {root} {{\n  {}\n}}\n", fields.join("\n  "));
    }
    schema_block.push_str("}\n\n");
    Ok(format!(
        "# The AppSync schema of a data schema, as amplify-codegen derives it.\n\n{schema_block}{}",
        sdl.trim_end()
    ) + "\n")
}

/// A model field: relations become their connection or model type (with the connection's
/// arguments for `@hasMany`); directives are dropped.
fn model_field_sdl(f: &Field, models: &BTreeSet<&str>) -> String {
    let base = f.ty.base();
    match relation(f) {
        Some("hasMany") if models.contains(base) => format!(
            "{}(filter: Model{base}FilterInput, sortDirection: ModelSortDirection, limit: Int, nextToken: String): Model{base}Connection",
            f.name
        ),
        Some(_) => format!("{}: {base}", f.name),
        None => field_sdl(f, false),
    }
}

/// A field with its arguments, keeping `@aws_subscribe` on subscription fields.
fn field_sdl(f: &Field, keep_subscribe: bool) -> String {
    let mut text = f.name.clone();
    if !f.args.is_empty() {
        let args: Vec<String> = f
            .args
            .iter()
            .map(|a| format!("{}: {}", a.name, a.ty))
            .collect();
        let _ = write!(text, "({})", args.join(", "));
    }
    let _ = write!(text, ": {}", f.ty);
    if keep_subscribe && let Some(d) = f.directive("aws_subscribe") {
        let args: Vec<String> = d.args.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        let _ = write!(text, " @aws_subscribe({})", args.join(", "));
    }
    text
}

/// A type in an input: custom object types become their `...Input`.
fn input_ty(ty: &Ty, custom: &BTreeSet<&str>) -> String {
    let text = ty.to_string();
    let base = ty.base();
    if custom.contains(base) {
        text.replacen(base, &format!("{base}Input"), 1)
    } else {
        text
    }
}

/// `T!` → `T`.
fn loosen(ty: &str) -> String {
    ty.strip_suffix('!').unwrap_or(ty).to_owned()
}

/// `T` → `T!`.
fn required(ty: &str) -> String {
    if ty.ends_with('!') {
        ty.to_owned()
    } else {
        format!("{ty}!")
    }
}

/// The scalar filter input a field type uses (`String` for `ModelStringInput`), if any.
fn filter_input(schema: &Schema, ty: &Ty) -> Option<String> {
    let base = ty.base();
    Some(match base {
        "ID" => "ID".to_owned(),
        "Int" | "AWSTimestamp" => "Int".to_owned(),
        "Float" => "Float".to_owned(),
        "Boolean" => "Boolean".to_owned(),
        "String" | "AWSDateTime" | "AWSDate" | "AWSTime" | "AWSJSON" | "AWSEmail" | "AWSURL"
        | "AWSPhone" | "AWSIPAddress" => "String".to_owned(),
        other if schema.kind(other) == Some(Kind::Enum) => other.to_owned(),
        _ => return None,
    })
}

/// The scalar inputs every transformed schema has, as Amplify generates them.
const SCALAR_INPUTS: &str = "enum ModelSortDirection {
  ASC
  DESC
}

input ModelStringInput {
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
}

input ModelIDInput {
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
}

input ModelIntInput {
  ne: Int
  eq: Int
  le: Int
  lt: Int
  ge: Int
  gt: Int
  between: [Int]
  attributeExists: Boolean
}

input ModelFloatInput {
  ne: Float
  eq: Float
  le: Float
  lt: Float
  ge: Float
  gt: Float
  between: [Float]
  attributeExists: Boolean
}

input ModelBooleanInput {
  ne: Boolean
  eq: Boolean
  attributeExists: Boolean
}

input ModelStringKeyConditionInput {
  eq: String
  le: String
  lt: String
  ge: String
  gt: String
  between: [String]
  beginsWith: String
}

input ModelIDKeyConditionInput {
  eq: ID
  le: ID
  lt: ID
  ge: ID
  gt: ID
  between: [ID]
  beginsWith: ID
}

input ModelIntKeyConditionInput {
  eq: Int
  le: Int
  lt: Int
  ge: Int
  gt: Int
  between: [Int]
}

input ModelSubscriptionStringInput {
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
}

input ModelSubscriptionIDInput {
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
}

input ModelSubscriptionIntInput {
  ne: Int
  eq: Int
  le: Int
  lt: Int
  ge: Int
  gt: Int
  between: [Int]
  in: [Int]
  notIn: [Int]
}

input ModelSubscriptionFloatInput {
  ne: Float
  eq: Float
  le: Float
  lt: Float
  ge: Float
  gt: Float
  between: [Float]
  in: [Float]
  notIn: [Float]
}

input ModelSubscriptionBooleanInput {
  ne: Boolean
  eq: Boolean
}

";
