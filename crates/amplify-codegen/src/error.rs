//! [`CodegenError`]: why an input could not be turned into Rust.

use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};

use amplify_config::ConfigError;

/// Why code could not be generated.
///
/// Every variant says which input it is about; [`recovery_suggestion`](Self::recovery_suggestion)
/// says how to fix it (for a configuration, amplify-config's suggestion for the JSON path).
///
/// # Examples
///
/// ```
/// use amplify_codegen::{CodegenError, ConfigModule};
///
/// let err = ConfigModule::new(r#"{"version": "1", "auth": {"aws_region": 5}}"#)
///     .generate()
///     .unwrap_err();
/// assert_eq!(err.json_path(), Some("auth.aws_region"));
/// assert!(matches!(err, CodegenError::Config(_)));
///
/// let err = amplify_codegen::ModelsModule::new("type Todo @model {\n  id: ID!\n  name: \n}")
///     .generate()
///     .unwrap_err();
/// let CodegenError::Schema(problem) = &err else { panic!("{err}") };
/// assert_eq!((problem.line(), problem.column()), (4, 1));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CodegenError {
    /// A file could not be read or written.
    Io(IoFailure),
    /// The configuration file is not a valid Amplify configuration (the source is
    /// amplify-config's [`ConfigError`], with the JSON path and a suggestion).
    Config(ConfigFailure),
    /// The GraphQL schema does not parse, or uses something the generator cannot map.
    Schema(SchemaProblem),
    /// An introspection result (for [`ModelsModule::from_introspection`](crate::ModelsModule::from_introspection))
    /// lacks something a schema needs, at a JSON path.
    Introspection(IntrospectionProblem),
    /// A build-script helper ran outside a build script (`OUT_DIR` is not set).
    NotInBuildScript,
}

impl CodegenError {
    /// How to fix the problem, when there is something to say.
    pub fn recovery_suggestion(&self) -> Option<&str> {
        match self {
            CodegenError::Io(_) => Some("check that the path exists and can be read and written"),
            CodegenError::Config(failure) => failure.suggestion.as_deref(),
            CodegenError::Schema(_) => Some(
                "fix the schema at the line and column given; it must be GraphQL SDL, either an \
                 Amplify data schema (types with `@model`) or an AppSync schema",
            ),
            CodegenError::Introspection(_) => Some(
                "pass the response to amplify_codegen::INTROSPECTION_QUERY (the whole body, its \
                 `data`, or `data.__schema`)",
            ),
            CodegenError::NotInBuildScript => Some(
                "call the `*_to_out_dir` helpers from a build script, or use `generate` and write \
                 the file yourself",
            ),
        }
    }

    /// The JSON path of the field at fault, for [`CodegenError::Config`] and
    /// [`CodegenError::Introspection`].
    pub fn json_path(&self) -> Option<&str> {
        match self {
            CodegenError::Config(failure) => failure.source.field().map(|f| f.path()),
            CodegenError::Introspection(problem) => Some(&problem.path),
            _ => None,
        }
    }

    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        CodegenError::Io(IoFailure {
            action,
            path: path.to_owned(),
            source,
        })
    }

    pub(crate) fn config(name: &str, source: ConfigError) -> Self {
        CodegenError::Config(ConfigFailure {
            name: name.to_owned(),
            suggestion: source.recovery_suggestion(),
            source: Box::new(source),
        })
    }

    pub(crate) fn schema(line: usize, column: usize, message: impl Into<String>) -> Self {
        CodegenError::Schema(SchemaProblem {
            name: None,
            line,
            column,
            message: message.into(),
        })
    }

    /// Names the input file in a schema or configuration error.
    pub(crate) fn in_file(mut self, name: &str) -> Self {
        match &mut self {
            CodegenError::Schema(problem) => problem.name = Some(name.to_owned()),
            CodegenError::Config(failure) => name.clone_into(&mut failure.name),
            CodegenError::Io(_)
            | CodegenError::Introspection(_)
            | CodegenError::NotInBuildScript => {}
        }
        self
    }
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodegenError::Io(failure) => {
                write!(f, "cannot {} {}", failure.action, failure.path.display())
            }
            CodegenError::Config(failure) => match failure.source.field() {
                Some(field) => write!(
                    f,
                    "{} is not a valid Amplify configuration: `{}` expected {}",
                    failure.name,
                    field.path(),
                    field.expected()
                ),
                None => write!(f, "{} is not a valid Amplify configuration", failure.name),
            },
            CodegenError::Schema(problem) => fmt::Display::fmt(problem, f),
            CodegenError::Introspection(problem) => write!(
                f,
                "the introspection result is not usable at `{}`: {}",
                problem.path, problem.message
            ),
            CodegenError::NotInBuildScript => {
                f.write_str("OUT_DIR is not set: not running in a build script")
            }
        }
    }
}

impl Error for CodegenError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            CodegenError::Io(failure) => Some(&failure.source),
            CodegenError::Config(failure) => Some(&*failure.source),
            CodegenError::Schema(_)
            | CodegenError::Introspection(_)
            | CodegenError::NotInBuildScript => None,
        }
    }
}

/// A file that could not be read or written.
#[derive(Debug)]
pub struct IoFailure {
    action: &'static str,
    path: PathBuf,
    source: std::io::Error,
}

impl IoFailure {
    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `read`, `write` or `create`.
    pub fn action(&self) -> &str {
        self.action
    }
}

/// A configuration amplify-config refused.
#[derive(Debug)]
pub struct ConfigFailure {
    name: String,
    suggestion: Option<String>,
    source: Box<ConfigError>,
}

impl ConfigFailure {
    /// The name of the configuration file (or `configuration` when it has none).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// amplify-config's error: the JSON path, what was expected and how to fix it.
    pub fn config_error(&self) -> &ConfigError {
        &self.source
    }
}

/// An introspection result that lacks something a schema needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntrospectionProblem {
    pub(crate) path: String,
    pub(crate) message: String,
}

impl IntrospectionProblem {
    /// The JSON path of the value at fault (`__schema.types[3].name`).
    pub fn json_path(&self) -> &str {
        &self.path
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A problem in a GraphQL schema, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    name: Option<String>,
    line: usize,
    column: usize,
    message: String,
}

impl SchemaProblem {
    /// One-based line (0 when the problem has no single place, such as a missing type).
    pub fn line(&self) -> usize {
        self.line
    }

    /// One-based column (0 when the problem has no single place).
    pub fn column(&self) -> usize {
        self.column
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The schema file's name, when it was given.
    pub fn file_name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name.as_deref().unwrap_or("schema");
        if self.line == 0 {
            write!(f, "{name}: {}", self.message)
        } else {
            write!(f, "{name}:{}:{}: {}", self.line, self.column, self.message)
        }
    }
}

/// Converts graphql-parser's error (a message containing `at LINE:COLUMN`) into a problem with
/// a position.
pub(crate) fn from_parse_error(error: &graphql_parser::schema::ParseError) -> CodegenError {
    let text = error.to_string();
    let text = text
        .strip_prefix("schema parse error: ")
        .unwrap_or(&text)
        .to_owned();
    let (line, column) = text
        .split_once(" at ")
        .and_then(|(_, rest)| {
            let position = rest.split_whitespace().next()?;
            let (line, column) = position.split_once(':')?;
            Some((line.parse().ok()?, column.parse().ok()?))
        })
        .unwrap_or((0, 0));
    let message = text
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let message = if message.is_empty() { text } else { message };
    CodegenError::schema(line, column, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_keep_line_and_column() {
        let Err(err) = graphql_parser::parse_schema::<String>("type A {\n  b: \n}") else {
            unreachable!("the schema is invalid")
        };
        let CodegenError::Schema(problem) = from_parse_error(&err).in_file("s.graphql") else {
            unreachable!("a schema error")
        };
        assert_eq!((problem.line(), problem.column()), (3, 1));
        assert!(problem.to_string().starts_with("s.graphql:3:1: "));
        assert!(!problem.message().is_empty());
    }
}
