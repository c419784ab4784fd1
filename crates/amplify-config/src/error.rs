//! The error returned when a configuration file cannot be used.

use std::fmt;

/// Which configuration format a problem was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigFormat {
    /// Gen 1 `amplifyconfiguration.json` in the native (Android, iOS, Flutter) shape, with
    /// `auth.plugins` and `api.plugins` (written by the Amplify CLI).
    Gen1,
    /// Gen 1 `amplifyconfiguration.json` / `aws-exports.js` in the flat web shape
    /// (`aws_project_region`, `aws_user_pools_id`, ...), written by the Amplify CLI for
    /// JavaScript projects and by `npx ampx generate outputs --outputs-version 0`.
    Gen1Web,
    /// Gen 2 `amplify_outputs.json` (written by `ampx`).
    Gen2,
}

impl fmt::Display for ConfigFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigFormat::Gen1 => "Gen 1 amplifyconfiguration.json",
            ConfigFormat::Gen1Web => "Gen 1 web amplifyconfiguration.json (aws-exports.js)",
            ConfigFormat::Gen2 => "Gen 2 amplify_outputs.json",
        })
    }
}

/// Where in the JSON a problem is, and what was expected there.
///
/// Carried by every [`ConfigError`] variant that points at a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    format: ConfigFormat,
    path: String,
    expected: String,
    found: Option<String>,
}

impl FieldProblem {
    pub(crate) fn new(
        format: ConfigFormat,
        path: impl Into<String>,
        expected: impl Into<String>,
        found: Option<String>,
    ) -> Self {
        Self {
            format,
            path: path.into(),
            expected: expected.into(),
            found,
        }
    }

    /// The format being parsed when the problem was found.
    pub fn format(&self) -> ConfigFormat {
        self.format
    }

    /// The JSON path of the offending field, for example
    /// `auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.PoolId`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What a valid value at [`path`](Self::path) looks like.
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// What was found instead, when there was something. Never contains a secret value.
    pub fn found(&self) -> Option<&str> {
        self.found.as_deref()
    }

    fn found_suffix(&self) -> String {
        match &self.found {
            Some(found) => format!(", found {found}"),
            None => String::new(),
        }
    }
}

/// A JSON syntax error: the text is not JSON at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonSyntax {
    line: usize,
    column: usize,
    detail: String,
}

impl JsonSyntax {
    /// One-based line of the error.
    pub fn line(&self) -> usize {
        self.line
    }
    /// One-based column of the error.
    pub fn column(&self) -> usize {
        self.column
    }
    /// The parser's description of the error.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

/// An Amplify JS `ResourcesConfig` object (what `Amplify.configure` takes and
/// `Amplify.getConfig()` returns) saved as a file instead of the configuration file itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcesConfigFile {
    sections: Vec<String>,
}

impl ResourcesConfigFile {
    pub(crate) fn new(sections: Vec<String>) -> Self {
        Self { sections }
    }

    /// The `ResourcesConfig` sections found, for example `Auth.Cognito` and `API.GraphQL`.
    pub fn sections(&self) -> &[String] {
        &self.sections
    }
}

/// Why a configuration could not be used.
///
/// Every variant says where the problem is (a JSON path where there is one), what was expected,
/// and [`recovery_suggestion`](Self::recovery_suggestion) says how to fix it.
///
/// # Examples
///
/// ```
/// use amplify_config::{AmplifyConfig, ConfigError};
///
/// let err = AmplifyConfig::from_json(r#"{"auth": {"plugins": {"awsCognitoAuthPlugin": {
///     "CognitoUserPool": {"Default": {"AppClientId": "abc", "Region": "us-east-1"}}}}}}"#)
///     .unwrap_err();
/// let ConfigError::MissingField(problem) = &err else { panic!("{err}") };
/// assert_eq!(problem.path(), "auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.PoolId");
/// assert!(err.recovery_suggestion().is_some_and(|s| s.contains("PoolId")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The text is not valid JSON.
    #[error(
        "the Amplify configuration is not valid JSON (line {}, column {}): {}",
        .0.line, .0.column, .0.detail
    )]
    MalformedJson(JsonSyntax),
    /// The JSON is valid but is neither a Gen 1 nor a Gen 2 configuration.
    #[error(
        "the Amplify configuration is neither a Gen 2 amplify_outputs.json (no top-level `version`) \
         nor a Gen 1 amplifyconfiguration.json (no `auth` or `api` category, no `aws_*` keys of the \
         web format): expected {0}"
    )]
    UnrecognizedFormat(String),
    /// The JSON is an Amplify JS `ResourcesConfig` object (`{"Auth": {"Cognito": ...}, "API":
    /// ...}`) saved as a file, not a file the Amplify tools write.
    #[error(
        "the Amplify configuration is an Amplify JS ResourcesConfig object ({}) saved as JSON, \
         not amplify_outputs.json or amplifyconfiguration.json",
        .0.sections.join(", ")
    )]
    ResourcesConfig(ResourcesConfigFile),
    /// A required field is missing.
    #[error("{}: `{}` is missing; expected {}", .0.format, .0.path, .0.expected)]
    MissingField(FieldProblem),
    /// A field has the wrong JSON type.
    #[error("{}: `{}` has the wrong type: expected {}{}", .0.format, .0.path, .0.expected, .0.found_suffix())]
    WrongType(FieldProblem),
    /// A field holds a value outside a closed set (an enum).
    #[error("{}: `{}` has an unknown value: expected {}{}", .0.format, .0.path, .0.expected, .0.found_suffix())]
    UnknownValue(FieldProblem),
    /// A field has the right type but a value that cannot be used.
    #[error("{}: `{}` is not valid: expected {}{}", .0.format, .0.path, .0.expected, .0.found_suffix())]
    InvalidValue(FieldProblem),
}

impl ConfigError {
    pub(crate) fn malformed(err: &serde_json::Error) -> Self {
        ConfigError::MalformedJson(JsonSyntax {
            line: err.line(),
            column: err.column(),
            detail: strip_position(&err.to_string()),
        })
    }

    /// The field the error points at, when it points at one.
    pub fn field(&self) -> Option<&FieldProblem> {
        match self {
            ConfigError::MissingField(p)
            | ConfigError::WrongType(p)
            | ConfigError::UnknownValue(p)
            | ConfigError::InvalidValue(p) => Some(p),
            ConfigError::MalformedJson(_)
            | ConfigError::UnrecognizedFormat(_)
            | ConfigError::ResourcesConfig(_) => None,
        }
    }

    /// The JSON path of the offending field, when the error points at one.
    pub fn path(&self) -> Option<&str> {
        self.field().map(FieldProblem::path)
    }

    /// How to fix the problem. Always `Some` for a configuration error; the `Option` matches
    /// `AmplifyError::recovery_suggestion` in amplify-core, which every amplify-rs error implements.
    pub fn recovery_suggestion(&self) -> Option<String> {
        let regenerate = "regenerate the file with `amplify pull` (Gen 1) or `npx ampx generate outputs` (Gen 2) \
                          instead of editing it by hand";
        let text = match self {
            ConfigError::MalformedJson(_) => format!(
                "Pass the file's contents unchanged (a truncated copy or a JSON-with-comments file fails here), or {regenerate}."
            ),
            ConfigError::UnrecognizedFormat(_) => format!(
                "Pass the contents of amplify_outputs.json or amplifyconfiguration.json, not another file; or {regenerate}."
            ),
            ConfigError::ResourcesConfig(_) => "amplify-rs reads the file the Amplify tools write, not the object \
                 Amplify JS builds from it. Gen 2: run `npx ampx generate outputs --app-id <app id> --branch <branch>` \
                 (or `npx ampx sandbox`) and pass amplify_outputs.json. Gen 1: run `amplify pull --appId <app id> \
                 --envName <env>` and pass amplifyconfiguration.json (src/amplifyconfiguration.json for web \
                 projects, the object in aws-exports.js)."
                .to_owned(),
            ConfigError::MissingField(p) => format!(
                "Add `{}` ({}) at `{}`, or {regenerate}.",
                last_segment(&p.path),
                p.expected,
                parent_path(&p.path)
            ),
            ConfigError::WrongType(p)
            | ConfigError::UnknownValue(p)
            | ConfigError::InvalidValue(p) => {
                format!("Set `{}` to {}, or {regenerate}.", p.path, p.expected)
            }
        };
        Some(text)
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn parent_path(path: &str) -> &str {
    match path.rsplit_once('.') {
        Some((parent, _)) => parent,
        None => "the top level",
    }
}

/// serde_json appends " at line X column Y" to its messages; the position is reported separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(idx) => message.get(..idx).unwrap_or(message).to_owned(),
        None => message.to_owned(),
    }
}

/// Turns a serde data error at `path` into a [`ConfigError`].
///
/// serde reports error kinds only as text, in fixed formats (`missing field`, `unknown variant`,
/// `invalid type`, `invalid value`, `invalid length`); those formats are part of serde's stable
/// behaviour and are pinned by this crate's tests.
pub(crate) fn from_serde(format: ConfigFormat, path: &str, err: &serde_json::Error) -> ConfigError {
    let message = strip_position(&err.to_string());
    let join = |field: &str| {
        if path.is_empty() || path == "." {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        }
    };
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return ConfigError::MissingField(FieldProblem::new(
            format,
            join(field),
            "a value (this field is required)",
            None,
        ));
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (found, expected) = rest
            .split_once("`, expected ")
            .unwrap_or((rest, "a known value"));
        return ConfigError::UnknownValue(FieldProblem::new(
            format,
            path,
            expected,
            Some(format!("\"{found}\"")),
        ));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest
            .split_once(", expected ")
            .unwrap_or((rest, "another type"));
        return ConfigError::WrongType(FieldProblem::new(
            format,
            path,
            expected,
            Some(redact_found(found)),
        ));
    }
    let rest = message
        .strip_prefix("invalid value: ")
        .or_else(|| message.strip_prefix("invalid length "))
        .unwrap_or(&message);
    let (found, expected) = rest.split_once(", expected ").unwrap_or(("", rest));
    ConfigError::InvalidValue(FieldProblem::new(
        format,
        path,
        expected,
        (!found.is_empty()).then(|| redact_found(found)),
    ))
}

/// serde quotes string values in "invalid type" messages; they may be secrets (an API key in the
/// wrong place), so only their kind is kept.
fn redact_found(found: &str) -> String {
    if found.starts_with("string ") {
        "a string".to_owned()
    } else {
        found.to_owned()
    }
}
