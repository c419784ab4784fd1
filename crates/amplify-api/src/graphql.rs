//! GraphQL data: [`GraphQlResponse`] and its [`GraphQlError`]s, and (in [`codec`]) the sans-IO
//! wire format. The operation builders are in [`operation`](crate::operation); this module
//! imports nothing else of the crate.

pub(crate) mod codec;

use std::fmt;

use http::StatusCode;
use serde::{Deserialize, Deserializer, Serialize};

/// One entry of a GraphQL response's `errors` list.
///
/// AppSync adds `errorType` and `errorInfo` to the standard `message`, `locations`, `path` and
/// `extensions`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct GraphQlError {
    /// What went wrong.
    #[serde(default)]
    pub message: String,
    /// Where in the document.
    #[serde(default, deserialize_with = "null_as_default")]
    pub locations: Vec<GraphQlErrorLocation>,
    /// The response field the error is about (`["getTodo", 0, "owner"]`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub path: Vec<GraphQlPathSegment>,
    /// AppSync's error type (`Unauthorized`, `DynamoDB:ConditionalCheckFailedException`, ...).
    #[serde(rename = "errorType", default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// AppSync's `errorInfo` (data a resolver attached to the error).
    #[serde(rename = "errorInfo", default, skip_serializing_if = "Option::is_none")]
    pub error_info: Option<serde_json::Value>,
    /// The standard `extensions` map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<serde_json::Map<String, serde_json::Value>>,
}

impl fmt::Display for GraphQlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error_type {
            Some(t) => write!(f, "{t}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A position in a GraphQL document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[non_exhaustive]
pub struct GraphQlErrorLocation {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// A step of a GraphQL error's `path`: a field name or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(untagged)]
pub enum GraphQlPathSegment {
    /// A list index.
    Index(u64),
    /// A field name (or alias).
    Field(String),
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// The result of a query or mutation that reached the API and got a 2xx answer.
///
/// GraphQL errors (including partial results) are in [`errors`](Self::errors); they are not an
/// [`ApiError`](crate::ApiError).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GraphQlResponse<T> {
    /// The data (or the value at the request's decode path), decoded into `T`; `None` when the
    /// response had no data or the value was `null`.
    pub data: Option<T>,
    /// The GraphQL errors, empty when there were none.
    pub errors: Vec<GraphQlError>,
    request_id: Option<String>,
    status: StatusCode,
}

impl<T> GraphQlResponse<T> {
    pub(crate) fn new(
        data: Option<T>,
        errors: Vec<GraphQlError>,
        request_id: Option<String>,
        status: StatusCode,
    ) -> Self {
        Self {
            data,
            errors,
            request_id,
            status,
        }
    }

    /// The same response with its data mapped by `f`.
    pub(crate) fn map_data<U>(self, f: impl FnOnce(T) -> U) -> GraphQlResponse<U> {
        GraphQlResponse {
            data: self.data.map(f),
            errors: self.errors,
            request_id: self.request_id,
            status: self.status,
        }
    }

    /// Whether the response carried GraphQL errors.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// AppSync's request id (`x-amzn-RequestId`), for support cases.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status (a 2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The data and the errors, by value.
    pub fn into_parts(self) -> (Option<T>, Vec<GraphQlError>) {
        (self.data, self.errors)
    }
}
