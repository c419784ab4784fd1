//! Endpoints prepared once at configure time, so the request path only clones cheap values.

use std::collections::HashMap;
use std::sync::Arc;

use amplify_core::AuthorizationType;
use amplify_core::config::{AmplifyConfig, ApiEndpoint, ApiLookupError, EndpointType};
use http::{HeaderValue, Uri};

use crate::error::ApiError;

/// One configured API, ready to send to.
#[derive(Debug)]
pub(crate) struct PreparedEndpoint {
    pub(crate) name: String,
    pub(crate) uri: Uri,
    /// The `host` header hyper would send (no default port), set before signing.
    pub(crate) host: HeaderValue,
    /// The URL's path without a trailing slash (REST paths are appended to it).
    pub(crate) base_path: String,
    pub(crate) region: String,
    pub(crate) default_mode: AuthorizationType,
    /// `x-api-key`, marked sensitive.
    pub(crate) api_key: Option<HeaderValue>,
}

impl PreparedEndpoint {
    fn new(api: &ApiEndpoint) -> Result<Self, ApiError> {
        let uri = api.url.uri().clone();
        let host = host_header(&uri).ok_or_else(|| {
            ApiError::configuration(Some(&api.name), "the endpoint URL has no usable host")
        })?;
        let api_key = match &api.api_key {
            Some(key) => {
                let mut value = HeaderValue::from_str(key.expose_secret()).map_err(|_| {
                    ApiError::configuration(
                        Some(&api.name),
                        "the API key contains characters that are not allowed in a header",
                    )
                })?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        let base_path = uri.path().trim_end_matches('/').to_owned();
        Ok(Self {
            name: api.name.clone(),
            uri,
            host,
            base_path,
            region: api.region.clone(),
            default_mode: api.default_authorization_type,
            api_key,
        })
    }
}

/// `host[:port]`, leaving out the scheme's default port (what hyper sends for HTTP/1).
fn host_header(uri: &Uri) -> Option<HeaderValue> {
    let authority = uri.authority()?;
    let host = authority.host();
    let default_port = match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    };
    let value = match authority.port_u16() {
        Some(port) if port != default_port => format!("{host}:{port}"),
        _ => host.to_owned(),
    };
    HeaderValue::from_str(&value).ok()
}

/// The APIs of one kind.
#[derive(Debug)]
struct Catalog {
    kind: EndpointType,
    by_name: HashMap<String, Arc<PreparedEndpoint>>,
    names: Vec<String>,
    default: Result<Arc<PreparedEndpoint>, ApiLookupError>,
}

impl Catalog {
    fn new(config: &AmplifyConfig, kind: EndpointType) -> Result<Self, ApiError> {
        let mut by_name = HashMap::new();
        let mut names = Vec::new();
        for api in config.apis.iter().filter(|a| a.endpoint_type == kind) {
            by_name.insert(api.name.clone(), Arc::new(PreparedEndpoint::new(api)?));
            names.push(api.name.clone());
        }
        let default = config
            .api(kind, None)
            .map(|api| by_name.get(&api.name).cloned())
            .and_then(|found| found.ok_or(ApiLookupError::NoneConfigured(kind)));
        Ok(Self {
            kind,
            by_name,
            names,
            default,
        })
    }

    fn get(&self, name: Option<&str>) -> Result<Arc<PreparedEndpoint>, ApiError> {
        match name {
            None => self.default.clone().map_err(ApiError::from_lookup),
            Some(name) => self.by_name.get(name).cloned().ok_or_else(|| {
                ApiError::from_lookup(ApiLookupError::UnknownName {
                    name: name.to_owned(),
                    kind: self.kind,
                    available: self.names.clone(),
                })
            }),
        }
    }
}

/// Every configured API, GraphQL and REST.
#[derive(Debug)]
pub(crate) struct Endpoints {
    graphql: Catalog,
    rest: Catalog,
}

impl Endpoints {
    pub(crate) fn new(config: &AmplifyConfig) -> Result<Self, ApiError> {
        Ok(Self {
            graphql: Catalog::new(config, EndpointType::GraphQl)?,
            rest: Catalog::new(config, EndpointType::Rest)?,
        })
    }

    pub(crate) fn get(
        &self,
        kind: EndpointType,
        name: Option<&str>,
    ) -> Result<Arc<PreparedEndpoint>, ApiError> {
        match kind {
            EndpointType::Rest => self.rest.get(name),
            _ => self.graphql.get(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> AmplifyConfig {
        AmplifyConfig::from_json(json).unwrap()
    }

    #[test]
    fn host_header_drops_default_ports_only() {
        let h = |u: &str| host_header(&u.parse().unwrap()).unwrap();
        assert_eq!(h("https://a.example/graphql"), "a.example");
        assert_eq!(h("https://a.example:443/graphql"), "a.example");
        assert_eq!(h("https://a.example:8443/graphql"), "a.example:8443");
        assert_eq!(h("http://127.0.0.1:80/"), "127.0.0.1");
        assert_eq!(h("http://127.0.0.1:4000/"), "127.0.0.1:4000");
        assert_eq!(h("http://[::1]:4000/"), "[::1]:4000");
    }

    #[test]
    fn lookup_by_name_default_unknown_and_ambiguous() {
        let cfg = config(
            r#"{"api": {"plugins": {"awsAPIPlugin": {
              "a": {"endpointType": "GraphQL", "endpoint": "https://a.example/graphql", "region": "us-east-1", "authorizationType": "API_KEY", "apiKey": "da2-a"},
              "b": {"endpointType": "GraphQL", "endpoint": "https://b.example/graphql", "region": "us-east-1", "authorizationType": "AWS_IAM"},
              "items": {"endpointType": "REST", "endpoint": "https://r.example/dev/", "region": "eu-west-1", "authorizationType": "NONE"}}}}}"#,
        );
        let endpoints = Endpoints::new(&cfg).unwrap();
        let a = endpoints.get(EndpointType::GraphQl, Some("a")).unwrap();
        assert_eq!(a.default_mode, AuthorizationType::ApiKey);
        assert!(a.api_key.as_ref().unwrap().is_sensitive());
        let rest = endpoints.get(EndpointType::Rest, None).unwrap();
        assert_eq!(rest.base_path, "/dev");
        assert_eq!(rest.region, "eu-west-1");
        match endpoints.get(EndpointType::GraphQl, None) {
            Err(ApiError::AmbiguousApi(f)) => assert_eq!(f.available(), ["a", "b"]),
            other => panic!("{other:?}"),
        }
        match endpoints.get(EndpointType::GraphQl, Some("zzz")) {
            Err(ApiError::UnknownApi(f)) => {
                assert_eq!(f.requested_name(), Some("zzz"));
                assert_eq!(f.kind(), EndpointType::GraphQl);
                assert!(f.to_string().contains("zzz"));
            }
            other => panic!("{other:?}"),
        }
        let none = Endpoints::new(&config(
            r#"{"version": "1", "auth": {"aws_region": "us-east-1", "user_pool_id": "us-east-1_A", "user_pool_client_id": "c"}}"#,
        ))
        .unwrap();
        assert!(matches!(
            none.get(EndpointType::GraphQl, None),
            Err(ApiError::NoApiConfigured(_))
        ));
    }
}
