//! Validation shared by both formats: every check names the JSON path it read.

use serde::de::DeserializeOwned;

use crate::error::{ConfigFormat, FieldProblem, from_serde};
use crate::model::{ApiEndpoint, AuthorizationType, EndpointType};
use crate::warning::{ConfigWarning, WarningDetail, Warnings};
use crate::{ApiKey, ConfigError, Endpoint};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Check {
    pub(crate) format: ConfigFormat,
}

impl Check {
    /// Deserializes `value` (found at `base`) into `T`, reporting the full JSON path of any error.
    pub(crate) fn deserialize<T: DeserializeOwned>(
        self,
        base: &str,
        value: &serde_json::Value,
    ) -> Result<T, ConfigError> {
        serde_path_to_error::deserialize(value).map_err(|err| {
            let inner = err.path().to_string();
            let path = join_path(base, &inner);
            from_serde(self.format, &path, err.inner())
        })
    }

    pub(crate) fn invalid(self, path: &str, expected: &str, found: Option<String>) -> ConfigError {
        ConfigError::InvalidValue(FieldProblem::new(self.format, path, expected, found))
    }

    pub(crate) fn missing(self, path: &str, expected: &str) -> ConfigError {
        ConfigError::MissingField(FieldProblem::new(self.format, path, expected, None))
    }

    pub(crate) fn non_empty(self, path: &str, value: &str) -> Result<String, ConfigError> {
        if value.trim().is_empty() {
            return Err(self.invalid(
                path,
                "a non-empty string",
                Some("an empty string".to_owned()),
            ));
        }
        Ok(value.to_owned())
    }

    /// An AWS region: a two-letter area, an optional partition qualifier (`gov`, `iso`,
    /// `isob`, `isoe`, `isof`), a direction and a number, as in `us-east-1`, `us-gov-west-1`,
    /// `cn-northwest-1` or `eu-isoe-west-1`.
    pub(crate) fn region(self, path: &str, value: &str) -> Result<String, ConfigError> {
        if is_region(value) {
            return Ok(value.to_owned());
        }
        let zone = value
            .strip_suffix(|c: char| c.is_ascii_lowercase())
            .is_some_and(is_region);
        let found = if zone {
            format!(
                "\"{}\", an availability zone, not a region",
                truncate(value)
            )
        } else {
            format!("\"{}\"", truncate(value))
        };
        Err(self.invalid(
            path,
            "an AWS region such as \"us-east-1\", \"eu-central-1\" or \"us-gov-west-1\" \
             (area, direction and number, lowercase, joined by hyphens)",
            Some(found),
        ))
    }

    /// `<region>_<suffix>`, where the region matches the pool's region.
    pub(crate) fn user_pool_id(
        self,
        path: &str,
        value: &str,
        region: &str,
    ) -> Result<String, ConfigError> {
        let ok = value.split_once('_').is_some_and(|(prefix, suffix)| {
            prefix == region
                && !suffix.is_empty()
                && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !ok {
            return Err(self.invalid(
                path,
                &format!("a user pool id of the form \"{region}_<letters and digits>\" (the pool's region, an underscore, then its id)"),
                Some(format!("\"{}\"", truncate(value))),
            ));
        }
        Ok(value.to_owned())
    }

    /// `<region>:<id>`, where the region matches the pool's region.
    pub(crate) fn identity_pool_id(
        self,
        path: &str,
        value: &str,
        region: &str,
    ) -> Result<String, ConfigError> {
        let ok = value.split_once(':').is_some_and(|(prefix, id)| {
            prefix == region
                && !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        if !ok {
            return Err(self.invalid(
                path,
                &format!("an identity pool id of the form \"{region}:<uuid>\" (the pool's region, a colon, then its id)"),
                Some(format!("\"{}\"", truncate(value))),
            ));
        }
        Ok(value.to_owned())
    }

    pub(crate) fn endpoint(self, path: &str, value: &str) -> Result<Endpoint, ConfigError> {
        Endpoint::parse(value).map_err(|reason| {
            self.invalid(
                path,
                &format!("an https:// URL (http:// only for localhost or 127.0.0.1): {reason}"),
                Some(format!("\"{}\"", truncate(value))),
            )
        })
    }

    pub(crate) fn optional_endpoint(
        self,
        path: &str,
        value: Option<&str>,
    ) -> Result<Option<Endpoint>, ConfigError> {
        value.map(|v| self.endpoint(path, v)).transpose()
    }

    pub(crate) fn min_length(
        self,
        path: &str,
        value: Option<i64>,
    ) -> Result<Option<u32>, ConfigError> {
        match value {
            None => Ok(None),
            Some(n) if (6..=99).contains(&n) => Ok(u32::try_from(n).ok()),
            Some(n) => Err(self.invalid(
                path,
                "a minimum password length from 6 to 99",
                Some(n.to_string()),
            )),
        }
    }
}

/// An API entry as one format states it, before entries that share a URL are merged.
#[derive(Debug)]
pub(crate) struct RawApi {
    pub(crate) name: String,
    /// The JSON path of the URL, for warnings.
    pub(crate) url_path: String,
    /// The JSON path where the API key belongs, for the missing-key error.
    pub(crate) key_path: String,
    pub(crate) endpoint_type: EndpointType,
    pub(crate) url: Endpoint,
    pub(crate) region: String,
    pub(crate) default: AuthorizationType,
    pub(crate) additional: Vec<AuthorizationType>,
    pub(crate) api_key: Option<ApiKey>,
}

/// A mode that a URL accepts, stated outside the API entries (Gen 1's `AppSync` section).
#[derive(Debug)]
pub(crate) struct ExtraMode {
    pub(crate) url: Endpoint,
    pub(crate) mode: AuthorizationType,
    pub(crate) api_key: Option<ApiKey>,
}

/// Gives every entry all the modes (and the API key) known for its URL, then checks that an API
/// that accepts `API_KEY` has a key.
pub(crate) fn merge_apis(
    check: Check,
    raws: &[RawApi],
    extra: &[ExtraMode],
) -> Result<Vec<ApiEndpoint>, ConfigError> {
    let mut apis = Vec::with_capacity(raws.len());
    for raw in raws {
        let same_url = raws
            .iter()
            .filter(|o| o.url == raw.url && o.endpoint_type == raw.endpoint_type);
        let mut additional: Vec<AuthorizationType> = raw
            .additional
            .iter()
            .copied()
            .chain(same_url.clone().map(|o| o.default))
            .chain(extra.iter().filter(|e| e.url == raw.url).map(|e| e.mode))
            .filter(|m| *m != raw.default)
            .collect();
        additional.sort();
        additional.dedup();
        let api_key = raw
            .api_key
            .clone()
            .or_else(|| same_url.clone().find_map(|o| o.api_key.clone()))
            .or_else(|| {
                extra
                    .iter()
                    .filter(|e| e.url == raw.url)
                    .find_map(|e| e.api_key.clone())
            });
        let api = ApiEndpoint {
            name: raw.name.clone(),
            endpoint_type: raw.endpoint_type,
            url: raw.url.clone(),
            region: raw.region.clone(),
            default_authorization_type: raw.default,
            additional_authorization_types: additional,
            api_key,
        };
        if api.supports(AuthorizationType::ApiKey) && api.api_key.is_none() {
            return Err(check.missing(
                &raw.key_path,
                "an API key, because API_KEY is one of this API's authorization modes",
            ));
        }
        apis.push(api);
    }
    apis.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(apis)
}

/// Lists whose order carries no meaning are kept sorted and without repeats, so both formats compare equal.
pub(crate) fn sorted<T: Ord>(values: Option<Vec<T>>) -> Vec<T> {
    let mut values = values.unwrap_or_default();
    values.sort();
    values.dedup();
    values
}

pub(crate) fn join_path(base: &str, inner: &str) -> String {
    let inner = if inner == "." { "" } else { inner };
    match (base.is_empty(), inner.is_empty()) {
        (true, _) => inner.to_owned(),
        (false, true) => base.to_owned(),
        (false, false) if inner.starts_with('[') => format!("{base}{inner}"),
        (false, false) => format!("{base}.{inner}"),
    }
}

/// Keeps error messages short when a field holds a large value.
fn truncate(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let cut: String = value.chars().take(MAX).collect();
        format!("{cut}...")
    }
}

const DIRECTIONS: &[&str] = &[
    "central",
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
];
const PARTITIONS: &[&str] = &["gov", "iso", "isob", "isoe", "isof"];

/// Whether `value` has the syntax of an AWS region name.
pub(crate) fn is_region(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let (area, middle, number) = match parts.as_slice() {
        [area, direction, number] => (*area, vec![*direction], *number),
        [area, partition, direction, number] if PARTITIONS.contains(partition) => {
            (*area, vec![*direction], *number)
        }
        _ => return false,
    };
    area.len() == 2
        && area.bytes().all(|b| b.is_ascii_lowercase())
        && middle.iter().all(|d| DIRECTIONS.contains(d))
        && !number.is_empty()
        && number.len() <= 2
        && !number.starts_with('0')
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// The region in an AWS service host such as `abc.execute-api.us-east-1.amazonaws.com`.
pub(crate) fn region_from_host(host: &str) -> Option<String> {
    let mut labels = host.split('.');
    labels.find(|l| *l == "execute-api" || *l == "appsync-api" || *l == "lambda-url")?;
    labels.next().filter(|r| is_region(r)).map(str::to_owned)
}

/// Whether an endpoint is an API Gateway URL.
pub(crate) fn is_api_gateway(endpoint: &Endpoint) -> bool {
    endpoint.host().split('.').any(|l| l == "execute-api")
}

/// Whether an endpoint is an AppSync GraphQL URL.
pub(crate) fn is_appsync(endpoint: &Endpoint) -> bool {
    endpoint.host().split('.').any(|l| l == "appsync-api")
}

/// Warns about APIs whose URL is of the other kind's service.
pub(crate) fn warn_url_kinds(check: Check, raws: &[RawApi], warnings: &mut Warnings) {
    for raw in raws {
        let detail = |note: &str| {
            WarningDetail::new(
                check.format,
                raw.url_path.clone(),
                Some(raw.url.host().to_owned()),
                note,
            )
        };
        match raw.endpoint_type {
            EndpointType::GraphQl if is_api_gateway(&raw.url) => {
                warnings.push(ConfigWarning::RestUrlForGraphQl(detail(
                    "kept as written; use the AppSync URL (…appsync-api.<region>.amazonaws.com/graphql) \
                     for GraphQL and list the API Gateway URL as a REST API",
                )));
            }
            EndpointType::Rest if is_appsync(&raw.url) => {
                warnings.push(ConfigWarning::GraphQlUrlForRest(detail(
                    "kept as written; an AppSync URL belongs to the GraphQL API",
                )));
            }
            _ => {}
        }
    }
}

/// The paths of objects under `value` (itself at `path`) that look like an API entry: an
/// object with an `http(s)://` URL under `endpoint`, `url`, `ApiUrl` or
/// `aws_appsync_graphqlEndpoint`. Looks at most `depth` levels down.
pub(crate) fn api_like_paths(value: &serde_json::Value, path: &str, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    collect_api_like(value, path, depth, &mut out);
    out
}

fn collect_api_like(value: &serde_json::Value, path: &str, depth: usize, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            let has_url = ["endpoint", "url", "ApiUrl", "aws_appsync_graphqlEndpoint"]
                .iter()
                .filter_map(|k| map.get(*k).and_then(serde_json::Value::as_str))
                .any(|u| u.starts_with("https://") || u.starts_with("http://"));
            if has_url {
                out.push(path.to_owned());
                return;
            }
            if depth == 0 {
                return;
            }
            for (key, child) in map {
                collect_api_like(child, &join_path(path, key), depth - 1, out);
            }
        }
        serde_json::Value::Array(items) if depth > 0 => {
            for (i, child) in items.iter().enumerate() {
                collect_api_like(child, &format!("{path}[{i}]"), depth - 1, out);
            }
        }
        _ => {}
    }
}
