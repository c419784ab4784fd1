//! The operation builders: [`GraphQlOperation`](graphql::GraphQlOperation) for queries and
//! mutations, [`SubscriptionOperation`](subscription::SubscriptionOperation) for subscriptions
//! and [`RestOperation`](rest::RestOperation). Each holds the plugin's shared
//! [`Dispatcher`](crate::request::Dispatcher), so operations never import the client.

pub(crate) mod graphql;
pub(crate) mod rest;
#[cfg(feature = "realtime")]
pub(crate) mod subscription;

/// The setters GraphQL requests share (queries, mutations and subscriptions have the same
/// builder shape): on a struct with the fields `variables`, `operation_name`, `api_name`,
/// `mode`, `headers` and `decode_path`.
macro_rules! graphql_request_setters {
    ($builder:ident) => {
        impl $builder {
            /// The variables, as a JSON object (`serde_json::json!({"id": "1"})`).
            pub fn variables(mut self, variables: impl Into<serde_json::Value>) -> Self {
                self.variables = Some(Ok(variables.into()));
                self
            }

            /// Sets or clears the variables.
            pub fn set_variables(mut self, variables: Option<serde_json::Value>) -> Self {
                self.variables = variables.map(Ok);
                self
            }

            /// The variables, from any serializable value (a struct with the variables as fields). A
            /// serialization failure is reported by `send` (`start` for subscriptions).
            pub fn variables_from<V: ::serde::Serialize + ?Sized>(mut self, variables: &V) -> Self {
                self.variables = Some(serde_json::to_value(variables));
                self
            }

            /// The `operationName`, for documents with several operations.
            pub fn operation_name(mut self, name: impl Into<String>) -> Self {
                self.operation_name = Some(name.into());
                self
            }

            /// Sets or clears the `operationName`.
            pub fn set_operation_name(mut self, name: Option<String>) -> Self {
                self.operation_name = name;
                self
            }

            /// The API to call (`apiName`); the default GraphQL API when not set.
            pub fn api_name(mut self, name: impl Into<String>) -> Self {
                self.api_name = Some(name.into());
                self
            }

            /// Sets or clears the API name.
            pub fn set_api_name(mut self, name: Option<String>) -> Self {
                self.api_name = name;
                self
            }

            /// The authorization mode (`authorizationMode`); the API's default mode when not set.
            pub fn authorization_mode(mut self, mode: ::amplify_core::AuthorizationType) -> Self {
                self.mode = Some(mode);
                self
            }

            /// Sets or clears the authorization mode.
            pub fn set_authorization_mode(
                mut self,
                mode: Option<::amplify_core::AuthorizationType>,
            ) -> Self {
                self.mode = mode;
                self
            }

            /// Adds a header. An `Authorization` header set here is sent as is and no other
            /// authorization is added. An invalid name or value is reported by `send` (`start` for subscriptions).
            pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
                self.headers.append(name.as_ref(), value.as_ref());
                self
            }

            /// Adds already-typed headers.
            pub fn headers(mut self, headers: ::http::HeaderMap) -> Self {
                self.headers.extend(headers);
                self
            }

            /// A dot-separated path inside `data` to decode instead of `data` itself (`getTodo`,
            /// `listTodos.items`, `listTodos.items.0`). A missing or `null` value gives `data: None`.
            pub fn decode_path(mut self, path: impl Into<String>) -> Self {
                self.decode_path = Some(path.into());
                self
            }

            /// Sets or clears the decode path.
            pub fn set_decode_path(mut self, path: Option<String>) -> Self {
                self.decode_path = path;
                self
            }
        }
    };
}

pub(crate) use graphql_request_setters;
