//! The models front end's Rust types: one struct per object and input type, one enum per GraphQL
//! enum, with serde attributes for the wire names.

use std::collections::{BTreeMap, BTreeSet};

use crate::naming::{pascal, snake, unraw};
use crate::schema::{Field, Kind, Schema, Ty, TypeDef};

/// Indented Rust text.
#[derive(Debug, Default)]
pub(crate) struct Code {
    pub(crate) out: String,
    indent: usize,
}

impl Code {
    pub(crate) fn line(&mut self, text: &str) {
        if text.is_empty() {
            self.out.push('\n');
            return;
        }
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    pub(crate) fn open(&mut self, text: &str) {
        self.line(text);
        self.indent += 1;
    }

    pub(crate) fn close(&mut self, text: &str) {
        self.indent = self.indent.saturating_sub(1);
        self.line(text);
    }

    /// `///` lines for `text` (paragraphs kept).
    pub(crate) fn doc(&mut self, text: &str) {
        for line in text.trim().lines() {
            let line = line.trim_end();
            if line.is_empty() {
                self.line("///");
            } else {
                self.line(&format!("/// {line}"));
            }
        }
    }

    /// Appends text that is already indented for this level.
    pub(crate) fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }
}

/// The schema with what the generators derive from it: models, connections, the fields that
/// need a `Box`.
#[derive(Debug)]
pub(crate) struct Model<'a> {
    pub(crate) schema: &'a Schema,
    /// Object types with model operations (`getX`, `createX`, a `ModelXConnection`).
    pub(crate) models: BTreeSet<String>,
    /// `Model*Connection` types and their item type.
    pub(crate) connections: BTreeMap<String, String>,
    boxed: BTreeSet<(String, String)>,
}

impl<'a> Model<'a> {
    pub(crate) fn new(schema: &'a Schema) -> Self {
        let mut connections = BTreeMap::new();
        let mut models = BTreeSet::new();
        for def in schema.types.iter().filter(|t| t.kind == Kind::Object) {
            let Some(item) = def.field("items") else {
                continue;
            };
            if def.name.starts_with("Model")
                && def.name.ends_with("Connection")
                && item.ty.is_list()
                && def.field("nextToken").is_some()
            {
                connections.insert(def.name.clone(), item.ty.base().to_owned());
                models.insert(item.ty.base().to_owned());
            }
        }
        for root in [&schema.query, &schema.mutation] {
            let Some(root) = root.as_deref().and_then(|r| schema.get(r)) else {
                continue;
            };
            for f in &root.fields {
                for prefix in ["get", "create", "update", "delete"] {
                    if f.name.strip_prefix(prefix) == Some(f.ty.base()) {
                        models.insert(f.ty.base().to_owned());
                    }
                }
            }
        }
        let mut model = Model {
            schema,
            models,
            connections,
            boxed: BTreeSet::new(),
        };
        model.boxed = model.recursive_fields();
        model
    }

    /// Fields whose type leads back to their own type without a list in between.
    fn recursive_fields(&self) -> BTreeSet<(String, String)> {
        let structs: Vec<&TypeDef> = self.structs().collect();
        let edges = |name: &str| -> Vec<String> {
            self.schema.get(name).map_or_else(Vec::new, |def| {
                def.fields
                    .iter()
                    .filter(|f| !f.ty.is_list())
                    .filter(|f| {
                        matches!(
                            self.schema.kind(f.ty.base()),
                            Some(Kind::Object | Kind::Input)
                        )
                    })
                    .map(|f| f.ty.base().to_owned())
                    .collect()
            })
        };
        let reaches = |from: &str, target: &str| -> bool {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_owned()];
            while let Some(name) = stack.pop() {
                if name == target {
                    return true;
                }
                if seen.insert(name.clone()) {
                    stack.extend(edges(&name));
                }
            }
            false
        };
        let mut boxed = BTreeSet::new();
        for def in structs {
            for f in &def.fields {
                if !f.ty.is_list()
                    && matches!(
                        self.schema.kind(f.ty.base()),
                        Some(Kind::Object | Kind::Input)
                    )
                    && reaches(f.ty.base(), &def.name)
                {
                    boxed.insert((def.name.clone(), f.name.clone()));
                }
            }
        }
        boxed
    }

    /// The object (not root) and input types, in schema order.
    pub(crate) fn structs(&self) -> impl Iterator<Item = &'a TypeDef> + '_ {
        self.schema.types.iter().filter(|t| {
            (t.kind == Kind::Object && !self.schema.is_root(&t.name)) || t.kind == Kind::Input
        })
    }

    /// Whether an object field is left out of the generated selection sets (relations, fields
    /// with required arguments, interfaces and unions), so its Rust type is always an `Option`.
    pub(crate) fn unselected(&self, parent: &str, f: &Field) -> bool {
        let base = f.ty.base();
        if self.connections.contains_key(parent) && f.name == "items" {
            return false;
        }
        f.args.iter().any(|a| a.ty.required())
            || self.models.contains(base)
            || self.connections.contains_key(base)
            || self.schema.kind(base) == Some(Kind::Other)
    }

    /// The Rust type of a named GraphQL type; `prefix` is how the module refers to the
    /// `types` module (`""` inside it, `"types::"` elsewhere).
    pub(crate) fn base_rust(&self, name: &str, prefix: &str) -> String {
        let scalar = |s: &str| {
            if prefix.is_empty() {
                s.to_owned()
            } else {
                format!("scalars::{s}")
            }
        };
        match name {
            "ID" | "String" => "String".to_owned(),
            "Int" => "i64".to_owned(),
            "Float" => "f64".to_owned(),
            "Boolean" => "bool".to_owned(),
            "AWSDateTime" => scalar("AwsDateTime"),
            "AWSDate" => scalar("AwsDate"),
            "AWSTime" => scalar("AwsTime"),
            "AWSTimestamp" => scalar("AwsTimestamp"),
            "AWSJSON" => scalar("AwsJson"),
            "AWSEmail" => scalar("AwsEmail"),
            "AWSURL" => scalar("AwsUrl"),
            "AWSPhone" => scalar("AwsPhone"),
            "AWSIPAddress" => scalar("AwsIpAddress"),
            other => match self.schema.kind(other) {
                Some(Kind::Object | Kind::Input | Kind::Enum) => {
                    format!("{prefix}{}", pascal(other))
                }
                _ => "::serde_json::Value".to_owned(),
            },
        }
    }

    /// The Rust type of `ty` without the outer `Option` (lists of nullable items keep
    /// `Option` items in output types only).
    pub(crate) fn inner_rust(&self, ty: &Ty, input: bool, prefix: &str) -> String {
        match ty {
            Ty::Named { name, .. } => self.base_rust(name, prefix),
            Ty::List { item, .. } => {
                let inner = self.inner_rust(item, input, prefix);
                if item.required() || input {
                    format!("Vec<{inner}>")
                } else {
                    format!("Vec<Option<{inner}>>")
                }
            }
        }
    }

    /// The Rust type of an argument or variable.
    pub(crate) fn arg_rust(&self, ty: &Ty, prefix: &str) -> String {
        let inner = self.inner_rust(ty, true, prefix);
        if ty.required() {
            inner
        } else {
            format!("Option<{inner}>")
        }
    }

    /// Writes the `types` module body.
    pub(crate) fn write_types(&self, code: &mut Code) {
        code.line("#![allow(unused_imports)]");
        code.line("use super::scalars::*;");
        code.line("use ::serde::{Deserialize, Serialize};");
        for def in &self.schema.types {
            match def.kind {
                Kind::Enum => self.write_enum(code, def),
                Kind::Object | Kind::Input if !self.schema.is_root(&def.name) => {
                    self.write_struct(code, def);
                }
                _ => {}
            }
        }
    }

    fn write_enum(&self, code: &mut Code, def: &TypeDef) {
        code.line("");
        code.doc(&type_doc(def, "enum"));
        code.line("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]");
        code.open(&format!("pub enum {} {{", pascal(&def.name)));
        for value in &def.values {
            let variant = pascal(value);
            code.line(&format!("/// `{value}`"));
            if unraw(&variant) != value {
                code.line(&format!("#[serde(rename = {value:?})]"));
            }
            code.line(&format!("{variant},"));
        }
        code.close("}");
        code.line("");
        code.open(&format!("impl {} {{", pascal(&def.name)));
        code.line("/// The value as GraphQL spells it.");
        code.open("pub fn as_str(self) -> &'static str {");
        code.open("match self {");
        for value in &def.values {
            code.line(&format!("Self::{} => {value:?},", pascal(value)));
        }
        code.close("}");
        code.close("}");
        code.close("}");
    }

    fn write_struct(&self, code: &mut Code, def: &TypeDef) {
        let input = def.kind == Kind::Input;
        let name = pascal(&def.name);
        let all_optional = def.fields.iter().all(|f| !f.ty.required());
        code.line("");
        let kind = if input {
            "input"
        } else if self.models.contains(&def.name) {
            "model"
        } else {
            "type"
        };
        code.doc(&type_doc(def, kind));
        let default = if input && all_optional {
            ", Default"
        } else {
            ""
        };
        code.line(&format!(
            "#[derive(Debug, Clone, PartialEq{default}, Serialize, Deserialize)]"
        ));
        code.open(&format!("pub struct {name} {{"));
        let mut setters = Vec::new();
        let mut required = Vec::new();
        for f in &def.fields {
            let ident = snake(&f.name);
            let boxed = self.boxed.contains(&(def.name.clone(), f.name.clone()));
            let inner = self.inner_rust(&f.ty, input, "");
            let stored = if boxed {
                format!("Box<{inner}>")
            } else {
                inner.clone()
            };
            let optional = !f.ty.required() || (!input && self.unselected(&def.name, f));
            let mut attrs = Vec::new();
            if unraw(&ident) != f.name {
                attrs.push(format!("rename = {:?}", f.name));
            }
            if optional {
                attrs.push("default".to_owned());
                attrs.push("skip_serializing_if = \"Option::is_none\"".to_owned());
            }
            code.doc(&field_doc(f, !input && self.unselected(&def.name, f)));
            if !attrs.is_empty() {
                code.line(&format!("#[serde({})]", attrs.join(", ")));
            }
            if optional {
                code.line(&format!("pub {ident}: Option<{stored}>,"));
                setters.push((ident, inner, boxed, f.name.clone()));
            } else {
                code.line(&format!("pub {ident}: {stored},"));
                required.push((ident, inner, boxed, f.name.clone()));
            }
        }
        code.close("}");
        if let Some(item) = self.connections.get(&def.name)
            && let Some(items) = def.field("items")
        {
            let item_ty = pascal(item);
            let items_expr = match (&items.ty, items.ty.required()) {
                (Ty::List { item, .. }, true) if item.required() => "self.items",
                (Ty::List { .. }, true) => "self.items.into_iter().flatten().collect()",
                (Ty::List { item, .. }, false) if item.required() => {
                    "self.items.unwrap_or_default()"
                }
                _ => "self.items.into_iter().flatten().flatten().collect()",
            };
            let token = match def.field("nextToken") {
                Some(t) if t.ty.required() => "Some(self.next_token.as_str())",
                _ => "self.next_token.as_deref()",
            };
            code.line("");
            code.open(&format!("impl super::request::Connection for {name} {{"));
            code.line(&format!("type Item = {item_ty};"));
            code.line("");
            code.open("fn next_token(&self) -> Option<&str> {");
            code.line(token);
            code.close("}");
            code.line("");
            code.open(&format!("fn into_items(self) -> Vec<{item_ty}> {{"));
            code.line(items_expr);
            code.close("}");
            code.close("}");
        }
        if !input {
            return;
        }
        code.line("");
        code.open(&format!("impl {name} {{"));
        let mut first = true;
        if !required.is_empty() {
            let params: Vec<String> = required
                .iter()
                .map(|(ident, inner, _, _)| format!("{ident}: impl Into<{inner}>"))
                .collect();
            code.line(&format!(
                "/// A `{}` with its required fields; set the others with the setters.",
                def.name
            ));
            if params.len() > 7 {
                code.line("#[allow(clippy::too_many_arguments)]");
            }
            code.open(&format!("pub fn new({}) -> Self {{", params.join(", ")));
            code.open("Self {");
            for (ident, _, boxed, _) in &required {
                if *boxed {
                    code.line(&format!("{ident}: Box::new({ident}.into()),"));
                } else {
                    code.line(&format!("{ident}: {ident}.into(),"));
                }
            }
            for (ident, _, _, _) in &setters {
                code.line(&format!("{ident}: None,"));
            }
            code.close("}");
            code.close("}");
            first = false;
        }
        for (ident, inner, boxed, wire) in &setters {
            if !first {
                code.line("");
            }
            first = false;
            let value = if *boxed {
                "Box::new(value.into())"
            } else {
                "value.into()"
            };
            code.line(&format!("/// Sets `{wire}`."));
            code.open(&format!(
                "pub fn {ident}(mut self, value: impl Into<{inner}>) -> Self {{"
            ));
            code.line(&format!("self.{ident} = Some({value});"));
            code.line("self");
            code.close("}");
        }
        code.close("}");
    }
}

fn type_doc(def: &TypeDef, kind: &str) -> String {
    let what = match kind {
        "model" => format!("The `{}` model.", def.name),
        "input" => format!("The input `{}`.", def.name),
        "enum" => format!("The enum `{}`.", def.name),
        _ => format!("The type `{}`.", def.name),
    };
    match &def.description {
        Some(d) => format!("{what}\n\n{d}"),
        None => what,
    }
}

fn field_doc(f: &Field, unselected: bool) -> String {
    let mut doc = format!("`{}: {}`", f.name, f.ty);
    if let Some(d) = &f.description {
        doc = format!("{d}\n\n{doc}");
    }
    if unselected {
        doc.push_str(" (not in the generated selection sets: select it in a document of your own)");
    }
    doc
}
