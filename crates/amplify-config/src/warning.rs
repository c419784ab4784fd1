//! Things a configuration file says that amplify-rs does not use as written. They are returned
//! with the model (and logged), never as failures.

use std::fmt;

use crate::ConfigFormat;

/// Where a warning points and what was found there.
///
/// Carried by every [`ConfigWarning`] variant. `found` never contains a secret value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningDetail {
    format: ConfigFormat,
    path: String,
    found: Option<String>,
    note: String,
}

impl WarningDetail {
    pub(crate) fn new(
        format: ConfigFormat,
        path: impl Into<String>,
        found: Option<String>,
        note: impl Into<String>,
    ) -> Self {
        Self {
            format,
            path: path.into(),
            found,
            note: note.into(),
        }
    }

    /// The format being read.
    pub fn format(&self) -> ConfigFormat {
        self.format
    }

    /// The JSON path the warning is about, for example `custom.restApis.orders`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was found at [`path`](Self::path), when that helps (a version, a URL kind).
    pub fn found(&self) -> Option<&str> {
        self.found.as_deref()
    }

    /// What amplify-rs did about it and where the value belongs.
    pub fn note(&self) -> &str {
        &self.note
    }
}

/// Something in the file that was read with a caveat or not read at all.
///
/// Returned by [`AmplifyConfig::from_json_with_warnings`](crate::AmplifyConfig::from_json_with_warnings)
/// and logged with `tracing` at `WARN` by every parse. Each variant says what kind of problem
/// it is, so callers can match (for example to fail a CI check on [`ConfigWarning::IgnoredApi`]);
/// [`path`](Self::path) names the JSON path.
///
/// ```
/// use amplify_config::{AmplifyConfig, ConfigWarning};
///
/// let (config, warnings) = AmplifyConfig::from_json_with_warnings(r#"{
///   "version": "1.4",
///   "custom": {"orders": {"endpoint": "https://a1b2c3.execute-api.us-east-1.amazonaws.com/prod/",
///                         "region": "us-east-1"}}
/// }"#)?;
/// assert!(config.apis.is_empty());
/// assert!(matches!(&warnings[..], [ConfigWarning::IgnoredApi(d)] if d.path() == "custom.orders"));
/// # Ok::<(), amplify_config::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigWarning {
    /// The Gen 2 `version` is newer than the versions this release knows (1 to 1.5); the fields
    /// it knows were read and the rest ignored.
    NewerVersion(WarningDetail),
    /// An API is nested where Amplify does not read it, so it was not configured (for example a
    /// REST API under `custom.<name>` instead of `custom.API.<name>`).
    IgnoredApi(WarningDetail),
    /// A section Amplify does not read where it is (for example an Amplify JS `Auth` object
    /// inside a web-format file), so it was not used.
    IgnoredSection(WarningDetail),
    /// A GraphQL API's URL is an API Gateway (REST) URL; GraphQL requests to it will fail.
    RestUrlForGraphQl(WarningDetail),
    /// A REST API's URL is an AppSync GraphQL URL.
    GraphQlUrlForRest(WarningDetail),
    /// Two entries give an API the same name; the one named in the note was kept.
    DuplicateApiName(WarningDetail),
    /// A field Amplify reads that amplify-rs does not support; it was ignored.
    UnsupportedField(WarningDetail),
}

impl ConfigWarning {
    /// The path, format, finding and note of the warning.
    pub fn detail(&self) -> &WarningDetail {
        match self {
            ConfigWarning::NewerVersion(d)
            | ConfigWarning::IgnoredApi(d)
            | ConfigWarning::IgnoredSection(d)
            | ConfigWarning::RestUrlForGraphQl(d)
            | ConfigWarning::GraphQlUrlForRest(d)
            | ConfigWarning::DuplicateApiName(d)
            | ConfigWarning::UnsupportedField(d) => d,
        }
    }

    /// The JSON path the warning is about.
    pub fn path(&self) -> &str {
        self.detail().path()
    }

    /// A stable, machine-readable name of the kind (`newer_version`, `ignored_api`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            ConfigWarning::NewerVersion(_) => "newer_version",
            ConfigWarning::IgnoredApi(_) => "ignored_api",
            ConfigWarning::IgnoredSection(_) => "ignored_section",
            ConfigWarning::RestUrlForGraphQl(_) => "rest_url_for_graphql",
            ConfigWarning::GraphQlUrlForRest(_) => "graphql_url_for_rest",
            ConfigWarning::DuplicateApiName(_) => "duplicate_api_name",
            ConfigWarning::UnsupportedField(_) => "unsupported_field",
        }
    }

    fn summary(&self) -> &'static str {
        match self {
            ConfigWarning::NewerVersion(_) => "is a newer outputs version than amplify-rs knows",
            ConfigWarning::IgnoredApi(_) => "looks like an API but is not where Amplify reads APIs",
            ConfigWarning::IgnoredSection(_) => "is not read where it is",
            ConfigWarning::RestUrlForGraphQl(_) => {
                "is an API Gateway (REST) URL given as a GraphQL endpoint"
            }
            ConfigWarning::GraphQlUrlForRest(_) => {
                "is an AppSync GraphQL URL given as a REST endpoint"
            }
            ConfigWarning::DuplicateApiName(_) => "names an API that another entry already names",
            ConfigWarning::UnsupportedField(_) => "is not supported by amplify-rs",
        }
    }
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.detail();
        write!(f, "{}: `{}` {}", d.format, d.path, self.summary())?;
        if let Some(found) = &d.found {
            write!(f, " ({found})")?;
        }
        write!(f, "; {}", d.note)
    }
}

/// Collects warnings while a document is read.
#[derive(Debug, Default)]
pub(crate) struct Warnings(pub(crate) Vec<ConfigWarning>);

impl Warnings {
    pub(crate) fn push(&mut self, warning: ConfigWarning) {
        self.0.push(warning);
    }
}
