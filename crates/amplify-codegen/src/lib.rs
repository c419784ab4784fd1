//! Code generation for amplify-rs: typed Rust from an Amplify configuration file and from a
//! GraphQL data schema, checked when it is generated.
//!
//! - [`ConfigModule`]: `amplify_outputs.json` (Gen 2) or `amplifyconfiguration.json` (Gen 1)
//!   into a module with the validated document, a function returning the parsed
//!   [`AmplifyConfig`](amplify_config::AmplifyConfig), and constants for every API name and
//!   authorization mode (`apis::DATA`, `apis::data::AWS_IAM`), so a wrong name does not compile.
//!
//! Two front ends use it: this workspace's `cargo xtask codegen config <file> --out <file.rs>`,
//! and a build script of any application crate, which writes into `OUT_DIR`:
//!
//! ```no_run
//! // build.rs (with `amplify-codegen` under [build-dependencies]), in its `fn main`:
//! # fn build_script() {
//! let result = amplify_codegen::ConfigModule::from_file("amplify_outputs.json")
//!     .and_then(|module| module.write_to_out_dir("amplify_config.rs"));
//! if let Err(error) = result {
//!     eprintln!("{}", error.report());
//!     std::process::exit(1);
//! }
//! # }
//! ```
//!
//! ```text
//! // src/lib.rs or src/main.rs
//! pub mod amplify_config {
//!     include!(concat!(env!("OUT_DIR"), "/amplify_config.rs"));
//! }
//! ```
//!
//! The generated code needs `amplify-config` as a dependency.
//!
//! # Errors
//!
//! A configuration amplify-config refuses is a [`CodegenError::Config`] with the JSON path and
//! amplify-config's suggestion; a schema that does not parse is a [`CodegenError::Schema`]
//! with its line and column. [`CodegenError::report`] gives the whole message for a terminal.
//!
//! # Features
//!
//! This crate has no optional features.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;
mod emit;
mod error;
mod introspection;
mod models;
mod naming;
mod operations;
mod output;
mod runtime;
mod schema;
mod transform;

use std::path::{Path, PathBuf};

pub use error::{CodegenError, ConfigFailure, IntrospectionProblem, IoFailure, SchemaProblem};
pub use introspection::INTROSPECTION_QUERY;
pub use models::GeneratedModels;

/// A configuration file to generate a Rust module from.
///
/// # Examples
///
/// ```
/// use amplify_codegen::ConfigModule;
///
/// let module = ConfigModule::new(r#"{"version": "1", "data": {"aws_region": "us-east-1",
///     "url": "https://example.appsync-api.us-east-1.amazonaws.com/graphql",
///     "default_authorization_type": "API_KEY", "api_key": "da2-example"}}"#)
///     .source_name("amplify_outputs.json")
///     .generate()?;
/// assert!(module.contains("pub const DATA: ApiName"));
/// assert!(module.contains("pub fn amplify_config()"));
/// # Ok::<(), amplify_codegen::CodegenError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConfigModule {
    json: String,
    name: String,
    path: Option<PathBuf>,
}

impl ConfigModule {
    /// A configuration document (Gen 1 or Gen 2 JSON).
    pub fn new(json: impl Into<String>) -> Self {
        Self {
            json: json.into(),
            name: "configuration".to_owned(),
            path: None,
        }
    }

    /// Reads a configuration file; its file name becomes the [`source_name`](Self::source_name).
    ///
    /// # Errors
    ///
    /// [`CodegenError::Io`] when the file cannot be read.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, CodegenError> {
        let (json, name, path) = output::read(path.as_ref())?;
        Ok(Self { json, name, path })
    }

    /// The name the generated header and errors give the document.
    pub fn source_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Validates the configuration and returns the module's source.
    ///
    /// # Errors
    ///
    /// [`CodegenError::Config`] when amplify-config refuses the document.
    pub fn generate(&self) -> Result<String, CodegenError> {
        config::generate(&self.json, &self.name)
    }

    /// Generates the module and writes it to `path` unless it already holds the same text.
    /// Returns whether the file changed.
    ///
    /// # Errors
    ///
    /// As for [`generate`](Self::generate), and [`CodegenError::Io`] when the file cannot be
    /// written.
    pub fn write_to(&self, path: impl AsRef<Path>) -> Result<bool, CodegenError> {
        output::write_if_changed(path.as_ref(), &self.generate()?)
    }

    /// For build scripts: generates the module into `$OUT_DIR/<file_name>` and tells Cargo to
    /// run the script again when the input file changes. Returns the written path.
    ///
    /// # Errors
    ///
    /// As for [`write_to`](Self::write_to), and [`CodegenError::NotInBuildScript`] when
    /// `OUT_DIR` is not set.
    pub fn write_to_out_dir(&self, file_name: &str) -> Result<PathBuf, CodegenError> {
        output::to_out_dir(self.path.as_deref(), file_name, &self.generate()?)
    }
}

/// A GraphQL schema to generate models and operations from.
///
/// The schema is either an Amplify data schema (Gen 1 `schema.graphql` or the SDL of a Gen 2
/// data model: types with `@model`, `@index`, `@primaryKey`, `@hasMany` / `@hasOne` /
/// `@belongsTo`; `@auth` is ignored), which is first transformed as Amplify's model transform
/// does, or an AppSync schema (what AppSync serves, with `Query` / `Mutation` / `Subscription`
/// and the `Model*` inputs).
///
/// # Examples
///
/// ```
/// use amplify_codegen::ModelsModule;
///
/// let generated = ModelsModule::new("type Todo @model { name: String! done: Boolean }")
///     .source_name("schema.graphql")
///     .generate()?;
/// assert!(generated.source().contains("pub struct Todo {"));
/// assert!(generated.source().contains("pub fn list(&self) -> ListRequest<"));
/// assert!(generated.appsync_schema().contains("listTodos(filter: ModelTodoFilterInput"));
/// # Ok::<(), amplify_codegen::CodegenError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ModelsModule {
    sdl: String,
    name: String,
    path: Option<PathBuf>,
}

impl ModelsModule {
    /// A schema's SDL.
    pub fn new(sdl: impl Into<String>) -> Self {
        Self {
            sdl: sdl.into(),
            name: "schema".to_owned(),
            path: None,
        }
    }

    /// Reads a schema file; its file name becomes the [`source_name`](Self::source_name).
    ///
    /// # Errors
    ///
    /// [`CodegenError::Io`] when the file cannot be read.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, CodegenError> {
        let (sdl, name, path) = output::read(path.as_ref())?;
        Ok(Self { sdl, name, path })
    }

    /// A schema from an introspection result: the response to [`INTROSPECTION_QUERY`] (the
    /// whole body, its `data`, or `data.__schema`), as AppSync or amplify-emulator answer it.
    ///
    /// The result becomes SDL (types, inputs, enums, custom scalars, root operation fields
    /// with their arguments and defaults, descriptions, `@deprecated`) that is generated as an
    /// AppSync schema. Introspection does not carry AppSync's directives (`@aws_*`), which the
    /// generator does not use; [`GeneratedModels::appsync_schema`] is that SDL.
    ///
    /// # Errors
    ///
    /// [`CodegenError::Introspection`] with the JSON path when the result lacks `__schema`, a
    /// type's `kind` or `name`, or a field's `type`.
    ///
    /// # Examples
    ///
    /// ```
    /// use amplify_codegen::ModelsModule;
    /// use serde_json::json;
    ///
    /// let string = json!({"kind": "SCALAR", "name": "String", "ofType": null});
    /// let result = json!({"data": {"__schema": {
    ///     "queryType": {"name": "Query"}, "mutationType": null, "subscriptionType": null,
    ///     "types": [{"kind": "OBJECT", "name": "Query", "fields": [
    ///         {"name": "hello", "args": [], "type": string}]}]}}});
    /// let module = ModelsModule::from_introspection(&result)?;
    /// assert!(module.generate()?.appsync_schema().contains("hello: String"));
    /// # Ok::<(), amplify_codegen::CodegenError>(())
    /// ```
    pub fn from_introspection(json: &serde_json::Value) -> Result<Self, CodegenError> {
        Ok(Self::new(introspection::to_sdl(json)?).source_name("introspection"))
    }

    /// The name the generated header and errors give the schema.
    pub fn source_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Parses the schema and generates the module.
    ///
    /// # Errors
    ///
    /// [`CodegenError::Schema`] with the line and column when the schema does not parse, names
    /// a type it does not define, or uses what the generator cannot map (`@manyToMany`).
    pub fn generate(&self) -> Result<GeneratedModels, CodegenError> {
        models::generate(&self.sdl, &self.name)
    }

    /// Generates the module into `<dir>/<name>.rs` and the AppSync schema into
    /// `<dir>/<name>.appsync.graphql`, each written only when it changed. Returns the module's
    /// path.
    ///
    /// # Errors
    ///
    /// As for [`generate`](Self::generate), and [`CodegenError::Io`] when a file cannot be
    /// written.
    pub fn write_to_dir(&self, dir: impl AsRef<Path>, name: &str) -> Result<PathBuf, CodegenError> {
        let generated = self.generate()?;
        let dir = dir.as_ref();
        let module = dir.join(format!("{name}.rs"));
        output::write_if_changed(&module, generated.source())?;
        output::write_if_changed(
            &dir.join(format!("{name}.appsync.graphql")),
            generated.appsync_schema(),
        )?;
        Ok(module)
    }

    /// For build scripts: generates the module into `$OUT_DIR/<file_name>` and tells Cargo to
    /// run the script again when the schema file changes. Returns the written path.
    ///
    /// # Errors
    ///
    /// As for [`generate`](Self::generate), [`CodegenError::Io`] when the file cannot be
    /// written, and [`CodegenError::NotInBuildScript`] when `OUT_DIR` is not set.
    pub fn write_to_out_dir(&self, file_name: &str) -> Result<PathBuf, CodegenError> {
        output::to_out_dir(self.path.as_deref(), file_name, self.generate()?.source())
    }
}

impl CodegenError {
    /// The whole message for a terminal: the error, its causes and the suggestion, one per
    /// line.
    pub fn report(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str("\n  caused by: ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        if let Some(suggestion) = self.recovery_suggestion() {
            text.push_str("\n  suggestion: ");
            text.push_str(suggestion);
        }
        text
    }
}
