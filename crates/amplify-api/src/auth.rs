//! Request authorization, split in two: [`resolve`] (async: ask the registry's provider for a
//! token or credentials) and [`apply`] (sync and sans-IO: set headers or SigV4-sign an
//! `http::Request`).

pub(crate) mod sigv4;
pub(crate) mod skew;

use std::time::SystemTime;

use amplify_core::{
    AuthProviderRegistry, AuthorizationType, AwsCredentials, BoxError, CredentialsProvider,
    ProviderError, ProviderErrorKind, TokenProvider,
};
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request};

use crate::endpoint::PreparedEndpoint;
use crate::error::{ApiError, ProviderFailure, SigningFailure};

/// What a request needs to be authorized, once resolved.
#[derive(Debug, Clone)]
pub(crate) enum Credential {
    /// Send as is: mode NONE, or the caller set `Authorization` (or `x-api-key`) already.
    Unchanged,
    /// `x-api-key: <key>` (sensitive).
    ApiKey(HeaderValue),
    /// `Authorization: <token>` (sensitive), with no `Bearer` prefix, as AppSync expects.
    Token(HeaderValue),
    /// SigV4 with these credentials.
    Iam(AwsCredentials),
}

impl Credential {
    pub(crate) fn is_iam(&self) -> bool {
        matches!(self, Credential::Iam(_))
    }
}

/// The AWS service a request is signed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SigningService {
    /// AppSync GraphQL: `appsync`, the body is signed.
    AppSync,
    /// API Gateway REST: `execute-api`, `UNSIGNED-PAYLOAD` (and the
    /// `x-amz-content-sha256: UNSIGNED-PAYLOAD` header that tells the verifier so).
    ExecuteApi,
}

impl SigningService {
    pub(crate) fn name(self) -> &'static str {
        match self {
            SigningService::AppSync => "appsync",
            SigningService::ExecuteApi => "execute-api",
        }
    }
}

/// `x-api-key`: AppSync's and API Gateway's API key header. A constant: `HeaderName::from_static`
/// outside one validates the name again on every request.
pub(crate) const X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

/// Whether the caller already authorized the request themselves (Amplify leaves such requests
/// alone).
pub(crate) fn pre_authorized(request_headers: &http::HeaderMap, mode: AuthorizationType) -> bool {
    request_headers.contains_key(http::header::AUTHORIZATION)
        || (mode == AuthorizationType::ApiKey && request_headers.contains_key(X_API_KEY))
}

/// Asks the provider of `mode` for what the request needs. Providers are called for every
/// request (they are expected to cache).
pub(crate) async fn resolve(
    mode: AuthorizationType,
    endpoint: &PreparedEndpoint,
    registry: &AuthProviderRegistry,
) -> Result<Credential, ApiError> {
    match mode {
        AuthorizationType::None => Ok(Credential::Unchanged),
        AuthorizationType::ApiKey => {
            endpoint
                .api_key
                .clone()
                .map(Credential::ApiKey)
                .ok_or_else(|| {
                    ApiError::configuration(
                        Some(&endpoint.name),
                        "the API_KEY authorization mode was requested but the API has no API key",
                    )
                })
        }
        AuthorizationType::AwsIam => {
            let provider = registry
                .credentials_provider(mode)
                .map_err(|e| provider_error(mode, e))?;
            let credentials = provider
                .credentials()
                .await
                .map_err(|e| provider_error(mode, e))?;
            Ok(Credential::Iam(credentials))
        }
        _ => {
            let provider = registry
                .token_provider(mode)
                .map_err(|e| provider_error(mode, e))?;
            let token = provider
                .latest_token()
                .await
                .map_err(|e| provider_error(mode, e))?;
            let secret = token.expose_secret();
            if secret.is_empty() {
                return Err(provider_error(
                    mode,
                    ProviderError::new(
                        ProviderErrorKind::Other,
                        "the provider returned an empty token",
                    ),
                ));
            }
            let mut value = HeaderValue::from_str(secret).map_err(|_| {
                provider_error(
                    mode,
                    ProviderError::new(
                        ProviderErrorKind::Other,
                        "the provider returned a token with characters not allowed in a header",
                    ),
                )
            })?;
            value.set_sensitive(true);
            Ok(Credential::Token(value))
        }
    }
}

fn provider_error(mode: AuthorizationType, err: ProviderError) -> ApiError {
    ApiError::Provider(ProviderFailure::new(mode, err))
}

/// How to sign: the region, service and (skew-corrected) time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SigningContext<'a> {
    pub(crate) region: &'a str,
    pub(crate) service: SigningService,
    pub(crate) time: SystemTime,
}

/// Applies a resolved credential to the request. The request must already carry every header
/// that is to be signed, `host` included. `signing` is only read for IAM, so callers compute it
/// lazily.
pub(crate) fn apply<'a>(
    credential: &Credential,
    request: &mut Request<Bytes>,
    signing: impl FnOnce() -> SigningContext<'a>,
) -> Result<(), ApiError> {
    match credential {
        Credential::Unchanged => Ok(()),
        Credential::ApiKey(key) => {
            request.headers_mut().insert(X_API_KEY, key.clone());
            Ok(())
        }
        Credential::Token(token) => {
            request
                .headers_mut()
                .insert(http::header::AUTHORIZATION, token.clone());
            Ok(())
        }
        Credential::Iam(credentials) => sign_request(credentials, request, &signing()),
    }
}

/// SigV4-signs `request` in place: adds `x-amz-date`, `authorization`, `x-amz-security-token`
/// (temporary credentials) and, for `execute-api`, `x-amz-content-sha256: UNSIGNED-PAYLOAD`.
pub(crate) fn sign_request(
    credentials: &AwsCredentials,
    request: &mut Request<Bytes>,
    signing: &SigningContext<'_>,
) -> Result<(), ApiError> {
    if signing.region.is_empty() {
        return Err(ApiError::Signing(SigningFailure::new(
            "the API has no region to sign for",
            None,
        )));
    }
    if sigv4::try_sign(credentials, request, signing)? {
        return Ok(());
    }
    sign_with_aws_sigv4(credentials, request, signing)
}

/// aws-sigv4's full signer, for the requests [`sigv4::try_sign`] leaves alone.
fn sign_with_aws_sigv4(
    credentials: &AwsCredentials,
    request: &mut Request<Bytes>,
    signing: &SigningContext<'_>,
) -> Result<(), ApiError> {
    let identity: Identity = aws_credential_types::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        credentials.session_token().map(str::to_owned),
        credentials.expiration(),
        "amplify",
    )
    .into();
    let mut settings = SigningSettings::default();
    let body = match signing.service {
        SigningService::AppSync => SignableBody::Bytes(request.body()),
        SigningService::ExecuteApi => {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            SignableBody::UnsignedPayload
        }
    };
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(signing.region)
        .name(signing.service.name())
        .time(signing.time)
        .settings(settings)
        .build()
        .map_err(|e| signing_error("invalid signing parameters", e))?
        .into();

    let mut headers = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        let value = value.to_str().map_err(|_| {
            ApiError::Signing(SigningFailure::new(
                format!("the value of header `{name}` is not visible ASCII and cannot be signed"),
                None,
            ))
        })?;
        headers.push((name.as_str(), value));
    }
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(
        request.method().as_str(),
        uri.as_str(),
        headers.into_iter(),
        body,
    )
    .map_err(|e| signing_error("the request cannot be signed", e))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| signing_error("SigV4 signing failed", e))?
        .into_parts();
    let (new_headers, _params) = instructions.into_parts();
    for header in new_headers {
        let name = HeaderName::from_bytes(header.name().as_bytes())
            .map_err(|e| signing_error("the signer produced an invalid header", e))?;
        let mut value = HeaderValue::from_str(header.value())
            .map_err(|e| signing_error("the signer produced an invalid header", e))?;
        if header.sensitive()
            || name == http::header::AUTHORIZATION
            || name.as_str() == "x-amz-security-token"
        {
            value.set_sensitive(true);
        }
        request.headers_mut().insert(name, value);
    }
    Ok(())
}

fn signing_error(message: &str, source: impl Into<BoxError>) -> ApiError {
    ApiError::Signing(SigningFailure::new(message, Some(source.into())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn request(body: &'static str) -> Request<Bytes> {
        let mut req = Request::new(Bytes::from_static(body.as_bytes()));
        *req.method_mut() = http::Method::POST;
        *req.uri_mut() = "https://x.appsync-api.us-east-1.amazonaws.com/graphql"
            .parse()
            .unwrap();
        req.headers_mut().insert(
            "host",
            HeaderValue::from_static("x.appsync-api.us-east-1.amazonaws.com"),
        );
        req.headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        req
    }

    fn creds() -> AwsCredentials {
        AwsCredentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("SESSIONTOKEN".into()),
            None,
        )
    }

    fn ctx(service: SigningService) -> SigningContext<'static> {
        SigningContext {
            region: "us-east-1",
            service,
            time: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        }
    }

    #[test]
    fn appsync_signature_covers_host_body_and_token() {
        let mut req = request(r#"{"query":"{ a }"}"#);
        sign_request(&creds(), &mut req, &ctx(SigningService::AppSync)).unwrap();
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert!(auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/appsync/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="
        ));
        assert!(req.headers()["authorization"].is_sensitive());
        assert!(req.headers()["x-amz-security-token"].is_sensitive());
        assert_eq!(req.headers()["x-amz-date"], "20231114T221320Z");
        assert!(!req.headers().contains_key("x-amz-content-sha256"));

        // The body is signed: another body gives another signature.
        let mut other = request(r#"{"query":"{ b }"}"#);
        sign_request(&creds(), &mut other, &ctx(SigningService::AppSync)).unwrap();
        assert_ne!(
            req.headers()["authorization"],
            other.headers()["authorization"]
        );
    }

    #[test]
    fn execute_api_uses_an_unsigned_payload() {
        let mut a = request("one body");
        sign_request(&creds(), &mut a, &ctx(SigningService::ExecuteApi)).unwrap();
        let mut b = request("another body");
        sign_request(&creds(), &mut b, &ctx(SigningService::ExecuteApi)).unwrap();
        assert_eq!(a.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
        assert!(
            a.headers()["authorization"]
                .to_str()
                .unwrap()
                .contains("/us-east-1/execute-api/aws4_request")
        );
        assert_eq!(a.headers()["authorization"], b.headers()["authorization"]);
    }

    #[test]
    fn unsignable_requests_are_errors_not_panics() {
        let mut req = request("{}");
        req.headers_mut()
            .insert("x-odd", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        assert!(matches!(
            sign_request(&creds(), &mut req, &ctx(SigningService::AppSync)),
            Err(ApiError::Signing(_))
        ));
        let mut req = request("{}");
        let no_region = SigningContext {
            region: "",
            ..ctx(SigningService::AppSync)
        };
        assert!(matches!(
            sign_request(&creds(), &mut req, &no_region),
            Err(ApiError::Signing(_))
        ));
    }

    #[test]
    fn tokens_and_keys_are_sensitive_headers() {
        let mut token = HeaderValue::from_static("eyJ.token");
        token.set_sensitive(true);
        let mut req = request("{}");
        apply(&Credential::Token(token), &mut req, || {
            ctx(SigningService::AppSync)
        })
        .unwrap();
        assert_eq!(req.headers()["authorization"], "eyJ.token");
        assert!(req.headers()["authorization"].is_sensitive());
        let mut req = request("{}");
        apply(&Credential::Unchanged, &mut req, || {
            ctx(SigningService::AppSync)
        })
        .unwrap();
        assert!(!req.headers().contains_key("authorization"));
        assert!(!req.headers().contains_key("x-api-key"));
    }

    #[test]
    fn pre_authorized_requests_are_detected() {
        let mut headers = http::HeaderMap::new();
        assert!(!pre_authorized(&headers, AuthorizationType::AwsIam));
        headers.insert("x-api-key", HeaderValue::from_static("k"));
        assert!(pre_authorized(&headers, AuthorizationType::ApiKey));
        assert!(!pre_authorized(&headers, AuthorizationType::AwsIam));
        headers.insert("authorization", HeaderValue::from_static("t"));
        assert!(pre_authorized(&headers, AuthorizationType::AwsIam));
    }
}
