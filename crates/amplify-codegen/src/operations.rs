//! The models front end's operations: a GraphQL document per root field, and request builders
//! on amplify-api's `ApiPlugin` (model helpers in the spirit of Amplify's `ModelQueries`,
//! `ModelMutations` and `ModelSubscriptions`, and a typed function per custom operation).

use std::collections::BTreeMap;

use crate::emit::{Code, Model};
use crate::naming::{plural, screaming, snake, upper_first};
use crate::schema::{Field, Kind};

/// The root operation kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Query,
    Mutation,
    Subscription,
}

impl Root {
    fn keyword(self) -> &'static str {
        match self {
            Root::Query => "query",
            Root::Mutation => "mutation",
            Root::Subscription => "subscription",
        }
    }
}

/// How a root field is exposed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// `Request<T>`.
    Plain,
    /// `MutationRequest<T, C>` with the `condition` argument's type.
    Conditional(String),
    /// `ListRequest<C, F>` with the filter argument's type.
    List(String),
    /// `SubscriptionRequest<T, F>` with the filter argument's type.
    Subscription(String),
}

/// One root field to generate.
#[derive(Debug)]
struct Op<'a> {
    root: Root,
    field: &'a Field,
    shape: Shape,
    /// The method name (`get`, `list`, `on_create`, or the field in snake case).
    method: String,
}

const PAGING: &[&str] = &["filter", "limit", "nextToken"];

impl Model<'_> {
    fn root_fields(&self, root: Root) -> Vec<&Field> {
        let name = match root {
            Root::Query => &self.schema.query,
            Root::Mutation => &self.schema.mutation,
            Root::Subscription => &self.schema.subscription,
        };
        name.as_deref()
            .and_then(|n| self.schema.get(n))
            .map(|t| t.fields.iter().collect())
            .unwrap_or_default()
    }

    /// Every root field, grouped by model (`None` for custom operations).
    fn ops(&self) -> BTreeMap<Option<String>, Vec<Op<'_>>> {
        let mut groups: BTreeMap<Option<String>, Vec<Op<'_>>> = BTreeMap::new();
        for root in [Root::Query, Root::Mutation, Root::Subscription] {
            for field in self.root_fields(root) {
                let (model, method) = self.model_method(root, field);
                let arg = |name: &str| {
                    field
                        .args
                        .iter()
                        .find(|a| a.name == name)
                        .map(|a| self.inner_rust(&a.ty, true, "types::"))
                };
                let base = field.ty.base();
                let shape = match root {
                    Root::Subscription => Shape::Subscription(
                        arg("filter").unwrap_or_else(|| "::serde_json::Value".to_owned()),
                    ),
                    _ if self.connections.contains_key(base)
                        && !field.ty.is_list()
                        && field.args.iter().any(|a| a.name == "nextToken") =>
                    {
                        Shape::List(
                            arg("filter").unwrap_or_else(|| "::serde_json::Value".to_owned()),
                        )
                    }
                    Root::Mutation => match arg("condition") {
                        Some(c) => Shape::Conditional(c),
                        None => Shape::Plain,
                    },
                    Root::Query => Shape::Plain,
                };
                groups.entry(model).or_default().push(Op {
                    root,
                    field,
                    shape,
                    method,
                });
            }
        }
        groups
    }

    /// The model a root field belongs to and its method name there, else `None` and the
    /// field's own name.
    fn model_method(&self, root: Root, field: &Field) -> (Option<String>, String) {
        let base = field.ty.base();
        let prefixes: &[(&str, &str)] = match root {
            Root::Query => &[("get", "get")],
            Root::Mutation => &[
                ("create", "create"),
                ("update", "update"),
                ("delete", "delete"),
            ],
            Root::Subscription => &[
                ("onCreate", "on_create"),
                ("onUpdate", "on_update"),
                ("onDelete", "on_delete"),
            ],
        };
        if self.models.contains(base) && !field.ty.is_list() {
            for (prefix, method) in prefixes {
                if field.name.strip_prefix(prefix) == Some(base) {
                    return (Some(base.to_owned()), (*method).to_owned());
                }
            }
        }
        if root == Root::Query
            && let Some(item) = self.connections.get(base)
            && field.name == format!("list{}", plural(item))
        {
            return (Some(item.clone()), "list".to_owned());
        }
        (None, snake(&field.name))
    }

    /// The selection set of `type_name` (its fields, nested custom types to a few levels).
    fn selection(&self, type_name: &str, depth: usize) -> Option<String> {
        let def = self.schema.get(type_name)?;
        if def.kind != Kind::Object {
            return None;
        }
        let mut fields = Vec::new();
        for f in &def.fields {
            if self.unselected(&def.name, f) {
                continue;
            }
            match self.schema.kind(f.ty.base()) {
                Some(Kind::Scalar | Kind::Enum) => fields.push(f.name.clone()),
                Some(Kind::Object) if depth < 5 => {
                    if let Some(inner) = self.selection(f.ty.base(), depth + 1) {
                        fields.push(format!("{} {inner}", f.name));
                    }
                }
                _ => {}
            }
        }
        (!fields.is_empty()).then(|| format!("{{ {} }}", fields.join(" ")))
    }

    /// The document of a root field.
    fn document(&self, op: &Op<'_>) -> String {
        let field = op.field;
        let base = field.ty.base();
        let selection = match self.connections.get(base) {
            Some(item) => {
                let items = self.selection(item, 1).unwrap_or_default();
                Some(format!("{{ items {items} nextToken }}"))
            }
            None => self.selection(base, 1),
        };
        let vars: Vec<String> = field
            .args
            .iter()
            .map(|a| format!("${}: {}", a.name, a.ty))
            .collect();
        let args: Vec<String> = field
            .args
            .iter()
            .map(|a| format!("{0}: ${0}", a.name))
            .collect();
        let mut text = format!("{} {}", op.root.keyword(), upper_first(&field.name));
        if !vars.is_empty() {
            text.push_str(&format!("({})", vars.join(", ")));
        }
        text.push_str(&format!(" {{ {}", field.name));
        if !args.is_empty() {
            text.push_str(&format!("({})", args.join(", ")));
        }
        if let Some(selection) = selection {
            text.push(' ');
            text.push_str(&selection);
        }
        text.push_str(" }");
        text
    }

    /// Writes the `documents` module body.
    pub(crate) fn write_documents(&self, code: &mut Code) {
        let mut first = true;
        for ops in self.ops().values() {
            for op in ops {
                if !first {
                    code.line("");
                }
                first = false;
                code.line(&format!("/// `{}`.", signature(op.field)));
                code.line(&format!(
                    "pub const {}: &str = {:?};",
                    screaming(&op.field.name),
                    self.document(op)
                ));
            }
        }
    }

    /// Writes the `operations` module body.
    pub(crate) fn write_operations(&self, code: &mut Code) {
        code.line("#![allow(unused_imports)]");
        code.line("use ::amplify_api::ApiPlugin;");
        code.line("");
        code.line("use super::request::{ListRequest, MutationRequest, Request, SubscriptionRequest, Variables};");
        code.line("use super::{documents, scalars, types};");
        let groups = self.ops();
        code.line("");
        code.doc(
            "The generated operations on amplify-api's `ApiPlugin`: one accessor per model (get, \
             list, create, update, delete and their subscriptions) and one per kind of custom \
             operation.\n\nBring it into scope with `use <module>::operations::ModelOperations as _;`.",
        );
        code.open("pub trait ModelOperations {");
        let mut accessors = Vec::new();
        for key in groups.keys() {
            let (method, ty, doc) = match key {
                Some(model) => (
                    snake(model),
                    format!("{model}Operations"),
                    format!("The `{model}` model's operations."),
                ),
                None => (
                    "custom".to_owned(),
                    "CustomOperations".to_owned(),
                    "The schema's custom queries, mutations and subscriptions.".to_owned(),
                ),
            };
            code.line(&format!("/// {doc}"));
            code.line(&format!("fn {method}(&self) -> {ty};"));
            accessors.push((method, ty, doc));
        }
        code.close("}");
        code.line("");
        code.open("impl ModelOperations for ApiPlugin {");
        for (i, (method, ty, _)) in accessors.iter().enumerate() {
            if i > 0 {
                code.line("");
            }
            code.open(&format!("fn {method}(&self) -> {ty} {{"));
            code.line(&format!("{ty} {{ api: self.clone() }}"));
            code.close("}");
        }
        code.close("}");
        for ((_, ty, doc), ops) in accessors.iter().zip(groups.values()) {
            code.line("");
            code.line(&format!("/// {doc}"));
            code.line("#[derive(Debug, Clone)]");
            code.open(&format!("pub struct {ty} {{"));
            code.line("api: ApiPlugin,");
            code.close("}");
            code.line("");
            code.open(&format!("impl {ty} {{"));
            for (i, op) in ops.iter().enumerate() {
                if i > 0 {
                    code.line("");
                }
                self.write_op(code, op);
            }
            code.close("}");
        }
    }

    fn write_op(&self, code: &mut Code, op: &Op<'_>) {
        let field = op.field;
        let data = self.inner_rust(&field.ty, false, "types::");
        let handled: &[&str] = match &op.shape {
            Shape::Plain => &[],
            Shape::Conditional(_) => &["condition"],
            Shape::List(_) => PAGING,
            Shape::Subscription(_) => &["filter"],
        };
        let params: Vec<&Field> = field
            .args
            .iter()
            .filter(|a| !handled.contains(&a.name.as_str()))
            .collect();
        let declared: Vec<String> = params
            .iter()
            .map(|a| {
                let ty = self.arg_rust(&a.ty, "types::");
                if a.ty.required() {
                    format!("{}: impl Into<{ty}>", snake(&a.name))
                } else {
                    format!("{}: {ty}", snake(&a.name))
                }
            })
            .collect();
        let (ret, build) = match &op.shape {
            Shape::Plain => (format!("Request<{data}>"), None),
            Shape::Conditional(c) => (
                format!("MutationRequest<{data}, {c}>"),
                Some("MutationRequest::new"),
            ),
            Shape::List(f) => (
                format!("ListRequest<{data}, {f}>"),
                Some("ListRequest::new"),
            ),
            Shape::Subscription(f) => (format!("SubscriptionRequest<{data}, {f}>"), None),
        };
        code.doc(&format!(
            "`{}` ({}).{}",
            signature(field),
            op.root.keyword(),
            field
                .description
                .as_deref()
                .map(|d| format!("\n\n{d}"))
                .unwrap_or_default()
        ));
        if declared.len() > 7 {
            code.line("#[allow(clippy::too_many_arguments)]");
        }
        let self_param = std::iter::once("&self".to_owned())
            .chain(declared)
            .collect::<Vec<_>>()
            .join(", ");
        code.open(&format!("pub fn {}({self_param}) -> {ret} {{", op.method));
        let mutable = if params.is_empty() { "" } else { "mut " };
        code.line(&format!("let {mutable}variables = Variables::new();"));
        for a in &params {
            let ident = snake(&a.name);
            if a.ty.required() {
                code.line(&format!("variables.insert({:?}, {ident}.into());", a.name));
            } else {
                code.line(&format!("variables.insert({:?}, {ident});", a.name));
            }
        }
        let document = format!("documents::{}", screaming(&field.name));
        let call = match op.root {
            Root::Subscription => format!(
                "SubscriptionRequest::new(&self.api, {document}, {:?}, variables)",
                field.name
            ),
            Root::Mutation => format!(
                "Request::mutation(&self.api, {document}, {:?}, variables)",
                field.name
            ),
            Root::Query => format!(
                "Request::query(&self.api, {document}, {:?}, variables)",
                field.name
            ),
        };
        match build {
            Some(wrap) => code.line(&format!("{wrap}({call})")),
            None => code.line(&call),
        }
        code.close("}");
    }
}

/// `getTodo(id: ID!): Todo`.
fn signature(field: &Field) -> String {
    let args: Vec<String> = field
        .args
        .iter()
        .map(|a| format!("{}: {}", a.name, a.ty))
        .collect();
    if args.is_empty() {
        format!("{}: {}", field.name, field.ty)
    } else {
        format!("{}({}): {}", field.name, args.join(", "), field.ty)
    }
}
