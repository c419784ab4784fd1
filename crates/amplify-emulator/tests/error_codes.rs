//! Every [`ErrorKind`] on the wire: fault injection over HTTP, decoded by the official SDK
//! clients into the generated error variant of a real operation. This pins the wire shape
//! (`__type`, `x-amzn-ErrorType`, `x-amzn-RequestId`, status, message) to the service models.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use amplify_emulator::*;
use aws_sdk_cognitoidentityprovider as idp_sdk;
use common::*;
use idp_sdk::error::ProvideErrorMetadata;
use idp_sdk::operation::RequestId;
use idp_sdk::types::{AuthFlowType, ChallengeNameType};

/// The operations the table drives.
#[derive(Debug, Clone, Copy)]
enum Op {
    InitiateAuth,
    RespondToAuthChallenge,
    SignUp,
    ConfirmSignUp,
    ResendConfirmationCode,
    ForgotPassword,
    ConfirmForgotPassword,
    GetTokensFromRefreshToken,
    RevokeToken,
    GlobalSignOut,
    GetUser,
    AdminCreateUser,
    CreateGroup,
    GetId,
    GetCredentialsForIdentity,
    VerifySoftwareToken,
    ConfirmDevice,
    AssociateSoftwareToken,
}

impl Op {
    /// The name faults and counters use.
    fn name(self) -> String {
        format!("{self:?}")
    }
}

/// What the SDK made of the answer.
#[derive(Debug)]
struct Decoded {
    variant: String,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    status: u16,
    error_type_header: Option<String>,
    request_id_header: Option<String>,
    content_type: Option<String>,
}

/// The variant name of a generated error enum (`NotAuthorizedException(..)` → its name).
fn variant(debug: &str) -> String {
    debug
        .split(['(', ' ', '{'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

macro_rules! decode {
    ($send:expr) => {{
        let err = $send.await.expect_err("the injected fault answers");
        let raw = err.raw_response().expect("an HTTP answer");
        let header = |name: &str| raw.headers().get(name).map(str::to_owned);
        let (status, error_type_header, request_id_header, content_type) = (
            raw.status().as_u16(),
            header("x-amzn-errortype"),
            header("x-amzn-requestid"),
            header("content-type"),
        );
        let service = err.into_service_error();
        Decoded {
            variant: variant(&format!("{service:?}")),
            code: service.code().map(str::to_owned),
            message: service.message().map(str::to_owned),
            request_id: service.request_id().map(str::to_owned),
            status,
            error_type_header,
            request_id_header,
            content_type,
        }
    }};
}

async fn send(emu: &EmulatorHandle, op: Op) -> Decoded {
    let client = idp(emu);
    let admin = idp_admin(emu);
    let identity = identity(emu);
    let pool = emu.user_pool_id();
    let client_id = emu.client_id();
    match op {
        Op::InitiateAuth => decode!(
            client
                .initiate_auth()
                .client_id(client_id)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", "alice")
                .auth_parameters("PASSWORD", "x")
                .send()
        ),
        Op::RespondToAuthChallenge => decode!(
            client
                .respond_to_auth_challenge()
                .client_id(client_id)
                .challenge_name(ChallengeNameType::SmsMfa)
                .session("s")
                .challenge_responses("USERNAME", "alice")
                .send()
        ),
        Op::SignUp => decode!(
            client
                .sign_up()
                .client_id(client_id)
                .username("bob")
                .password("Passw0rd!")
                .send()
        ),
        Op::ConfirmSignUp => decode!(
            client
                .confirm_sign_up()
                .client_id(client_id)
                .username("bob")
                .confirmation_code("123456")
                .send()
        ),
        Op::ResendConfirmationCode => decode!(
            client
                .resend_confirmation_code()
                .client_id(client_id)
                .username("bob")
                .send()
        ),
        Op::ForgotPassword => decode!(
            client
                .forgot_password()
                .client_id(client_id)
                .username("alice")
                .send()
        ),
        Op::ConfirmForgotPassword => decode!(
            client
                .confirm_forgot_password()
                .client_id(client_id)
                .username("alice")
                .confirmation_code("123456")
                .password("Passw0rd!")
                .send()
        ),
        Op::GetTokensFromRefreshToken => decode!(
            client
                .get_tokens_from_refresh_token()
                .client_id(client_id)
                .refresh_token("r")
                .send()
        ),
        Op::RevokeToken => decode!(client.revoke_token().client_id(client_id).token("r").send()),
        Op::GlobalSignOut => decode!(client.global_sign_out().access_token("a").send()),
        Op::GetUser => decode!(client.get_user().access_token("a").send()),
        Op::AdminCreateUser => decode!(
            admin
                .admin_create_user()
                .user_pool_id(pool)
                .username("carol")
                .send()
        ),
        Op::CreateGroup => decode!(
            admin
                .create_group()
                .user_pool_id(pool)
                .group_name("g")
                .send()
        ),
        Op::GetId => decode!(
            identity
                .get_id()
                .identity_pool_id(emu.identity_pool_id().unwrap())
                .send()
        ),
        Op::GetCredentialsForIdentity => decode!(
            identity
                .get_credentials_for_identity()
                .identity_id("us-east-1:00000000-0000-0000-0000-000000000000")
                .send()
        ),
        Op::VerifySoftwareToken => decode!(
            client
                .verify_software_token()
                .access_token("t")
                .user_code("123456")
                .send()
        ),
        Op::ConfirmDevice => decode!(
            client
                .confirm_device()
                .access_token("t")
                .device_key("us-east-1_00000000-0000-0000-0000-000000000000")
                .send()
        ),
        Op::AssociateSoftwareToken => {
            decode!(client.associate_software_token().access_token("t").send())
        }
    }
}

/// (kind, an operation whose model declares it, the SDK variant it must decode to). Kinds that
/// no operation declares decode to `Unhandled` with the code kept.
const TABLE: &[(ErrorKind, Op, &str)] = &[
    (
        ErrorKind::NotAuthorized,
        Op::InitiateAuth,
        "NotAuthorizedException",
    ),
    (
        ErrorKind::NotAuthorized,
        Op::GetCredentialsForIdentity,
        "NotAuthorizedException",
    ),
    (
        ErrorKind::UserNotFound,
        Op::InitiateAuth,
        "UserNotFoundException",
    ),
    (
        ErrorKind::UsernameExists,
        Op::SignUp,
        "UsernameExistsException",
    ),
    (
        ErrorKind::InvalidPassword,
        Op::SignUp,
        "InvalidPasswordException",
    ),
    (
        ErrorKind::PasswordHistoryPolicyViolation,
        Op::ConfirmForgotPassword,
        "PasswordHistoryPolicyViolationException",
    ),
    (
        ErrorKind::CodeMismatch,
        Op::ConfirmSignUp,
        "CodeMismatchException",
    ),
    (
        ErrorKind::ExpiredCode,
        Op::ConfirmForgotPassword,
        "ExpiredCodeException",
    ),
    (
        ErrorKind::CodeDeliveryFailure,
        Op::ResendConfirmationCode,
        "CodeDeliveryFailureException",
    ),
    (
        ErrorKind::InvalidParameter,
        Op::GetUser,
        "InvalidParameterException",
    ),
    (
        ErrorKind::InvalidParameter,
        Op::GetId,
        "InvalidParameterException",
    ),
    (
        ErrorKind::LimitExceeded,
        Op::ForgotPassword,
        "LimitExceededException",
    ),
    (
        ErrorKind::LimitExceeded,
        Op::GetId,
        "LimitExceededException",
    ),
    (
        ErrorKind::TooManyRequests,
        Op::GetTokensFromRefreshToken,
        "TooManyRequestsException",
    ),
    (
        ErrorKind::TooManyRequests,
        Op::GetCredentialsForIdentity,
        "TooManyRequestsException",
    ),
    (
        ErrorKind::TooManyFailedAttempts,
        Op::ConfirmSignUp,
        "TooManyFailedAttemptsException",
    ),
    (
        ErrorKind::UserNotConfirmed,
        Op::InitiateAuth,
        "UserNotConfirmedException",
    ),
    (
        ErrorKind::PasswordResetRequired,
        Op::GetUser,
        "PasswordResetRequiredException",
    ),
    (
        ErrorKind::RefreshTokenReuse,
        Op::GetTokensFromRefreshToken,
        "RefreshTokenReuseException",
    ),
    (
        ErrorKind::ResourceNotFound,
        Op::RespondToAuthChallenge,
        "ResourceNotFoundException",
    ),
    (
        ErrorKind::ResourceNotFound,
        Op::GetId,
        "ResourceNotFoundException",
    ),
    (
        ErrorKind::AliasExists,
        Op::ConfirmSignUp,
        "AliasExistsException",
    ),
    (
        ErrorKind::UserLambdaValidation,
        Op::SignUp,
        "UserLambdaValidationException",
    ),
    (
        ErrorKind::InvalidLambdaResponse,
        Op::RespondToAuthChallenge,
        "InvalidLambdaResponseException",
    ),
    (
        ErrorKind::UnexpectedLambda,
        Op::ForgotPassword,
        "UnexpectedLambdaException",
    ),
    (
        ErrorKind::UnsupportedTokenType,
        Op::RevokeToken,
        "UnsupportedTokenTypeException",
    ),
    (
        ErrorKind::UnsupportedOperation,
        Op::InitiateAuth,
        "UnsupportedOperationException",
    ),
    (
        ErrorKind::UnauthorizedClient,
        Op::RevokeToken,
        "UnauthorizedException",
    ),
    (
        ErrorKind::Forbidden,
        Op::GlobalSignOut,
        "ForbiddenException",
    ),
    (
        ErrorKind::OperationNotEnabled,
        Op::GetTokensFromRefreshToken,
        "OperationNotEnabledException",
    ),
    (
        ErrorKind::FeatureUnavailableInTier,
        Op::InitiateAuth,
        "FeatureUnavailableInTierException",
    ),
    (
        ErrorKind::InvalidUserPoolConfiguration,
        Op::InitiateAuth,
        "InvalidUserPoolConfigurationException",
    ),
    (
        ErrorKind::InvalidEmailRoleAccessPolicy,
        Op::SignUp,
        "InvalidEmailRoleAccessPolicyException",
    ),
    (
        ErrorKind::InvalidSmsRoleAccessPolicy,
        Op::ResendConfirmationCode,
        "InvalidSmsRoleAccessPolicyException",
    ),
    (
        ErrorKind::InvalidSmsRoleTrustRelationship,
        Op::ForgotPassword,
        "InvalidSmsRoleTrustRelationshipException",
    ),
    (
        ErrorKind::MfaMethodNotFound,
        Op::RespondToAuthChallenge,
        "MfaMethodNotFoundException",
    ),
    (
        ErrorKind::SoftwareTokenMfaNotFound,
        Op::RespondToAuthChallenge,
        "SoftwareTokenMfaNotFoundException",
    ),
    (
        ErrorKind::EnableSoftwareTokenMfa,
        Op::VerifySoftwareToken,
        "EnableSoftwareTokenMfaException",
    ),
    (
        ErrorKind::DeviceKeyExists,
        Op::ConfirmDevice,
        "DeviceKeyExistsException",
    ),
    (
        ErrorKind::ConcurrentModification,
        Op::AssociateSoftwareToken,
        "ConcurrentModificationException",
    ),
    (
        ErrorKind::ResourceConflict,
        Op::GetId,
        "ResourceConflictException",
    ),
    (
        ErrorKind::InvalidIdentityPoolConfiguration,
        Op::GetCredentialsForIdentity,
        "InvalidIdentityPoolConfigurationException",
    ),
    (
        ErrorKind::ExternalService,
        Op::GetCredentialsForIdentity,
        "ExternalServiceException",
    ),
    (
        ErrorKind::UnsupportedUserState,
        Op::AdminCreateUser,
        "UnsupportedUserStateException",
    ),
    (
        ErrorKind::GroupExists,
        Op::CreateGroup,
        "GroupExistsException",
    ),
    (
        ErrorKind::InternalError,
        Op::GetUser,
        "InternalErrorException",
    ),
    (
        ErrorKind::InternalError,
        Op::GetId,
        "InternalErrorException",
    ),
    (ErrorKind::Serialization, Op::GetUser, "Unhandled"),
    (
        ErrorKind::UnknownOperation,
        Op::GetTokensFromRefreshToken,
        "Unhandled",
    ),
    (ErrorKind::RequestTooLarge, Op::SignUp, "Unhandled"),
];

/// The SDK-side error code: what `__type` says without its namespace.
fn sdk_code(kind: ErrorKind) -> &'static str {
    kind.as_str()
}

#[tokio::test]
async fn every_error_kind_decodes_to_its_generated_variant() {
    let covered: BTreeSet<ErrorKind> = TABLE.iter().map(|(kind, _, _)| *kind).collect();
    let missing: Vec<_> = ErrorKind::ALL
        .iter()
        .filter(|k| !covered.contains(k))
        .collect();
    assert!(missing.is_empty(), "no row for {missing:?}");

    let emu = Emulator::start().await.unwrap();
    for &(kind, op, expected_variant) in TABLE {
        emu.faults().inject(&op.name(), Fault::ServiceError(kind));
        let decoded = send(&emu, op).await;
        let context = format!("{kind:?} via {op:?}: {decoded:?}");
        assert_eq!(decoded.variant, expected_variant, "{context}");
        assert_eq!(decoded.code.as_deref(), Some(sdk_code(kind)), "{context}");
        assert_eq!(decoded.status, kind.status(), "{context}");
        assert_eq!(
            decoded.content_type.as_deref(),
            Some("application/x-amz-json-1.1"),
            "{context}"
        );
        let request_id = decoded
            .request_id_header
            .as_deref()
            .expect("x-amzn-RequestId");
        assert_eq!(request_id.len(), 36, "{context}");
        assert_eq!(decoded.request_id.as_deref(), Some(request_id), "{context}");
        if kind == ErrorKind::UnknownOperation {
            // The router's shape: no x-amzn-ErrorType, no message.
            assert_eq!(decoded.error_type_header, None, "{context}");
            assert_eq!(decoded.message, None, "{context}");
        } else {
            assert_eq!(
                decoded.error_type_header.as_deref(),
                Some(kind.as_str()),
                "{context}"
            );
            assert_eq!(
                decoded.message,
                Some(format!("Injected fault: {}.", kind.as_str())),
                "{context}"
            );
        }
    }
    // Each row sent one request, and each fault was used once.
    for op in [Op::GetTokensFromRefreshToken, Op::GetId] {
        let rows = TABLE
            .iter()
            .filter(|(_, o, _)| o.name() == op.name())
            .count();
        assert_eq!(emu.request_count(&op.name()), rows as u64, "{op:?}");
    }
    let decoded = send(&emu, Op::GetUser).await;
    assert_eq!(decoded.variant, "NotAuthorizedException", "{decoded:?}");
}

#[tokio::test]
async fn statuses_follow_the_live_service() {
    let statuses: Vec<(ErrorKind, u16)> = ErrorKind::ALL
        .iter()
        .map(|k| (*k, k.status()))
        .filter(|(_, s)| *s != 400)
        .collect();
    assert_eq!(
        statuses,
        vec![
            (ErrorKind::Forbidden, 403),
            (ErrorKind::InternalError, 500),
            (ErrorKind::RequestTooLarge, 413),
        ]
    );
}

#[tokio::test]
async fn unknown_operations_get_the_coral_answer() {
    let emu = Emulator::start().await.unwrap();
    let client = idp(&emu);

    // Injected: the endpoint "does not implement" GetTokensFromRefreshToken.
    emu.faults()
        .inject("GetTokensFromRefreshToken", Fault::UnknownOperation);
    let decoded = decode!(
        client
            .get_tokens_from_refresh_token()
            .client_id(emu.client_id())
            .refresh_token("r")
            .send()
    );
    assert_eq!(decoded.variant, "Unhandled");
    assert_eq!(decoded.code.as_deref(), Some("UnknownOperationException"));
    assert_eq!(decoded.status, 400);
    assert_eq!(decoded.error_type_header, None);

    // A target the emulator really does not implement answers the same, byte for byte.
    for target in [
        "AWSCognitoIdentityProviderService.NoSuchOperation",
        "AWSCognitoIdentityService.NoSuchOperation",
        "Nonsense",
        "",
    ] {
        let response = emu.backend().handle_aws_json(target, b"{}");
        assert_eq!(response.status().as_u16(), 400, "{target}");
        assert_eq!(
            response.body().as_ref(),
            br#"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#,
            "{target}"
        );
        assert!(!response.headers().contains_key("x-amzn-errortype"));
        assert!(response.headers().contains_key("x-amzn-requestid"));
    }

    // The identity pools client decodes it too.
    emu.faults().inject("GetId", Fault::UnknownOperation);
    let err = identity(&emu)
        .get_id()
        .identity_pool_id(emu.identity_pool_id().unwrap())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(variant(&format!("{err:?}")), "Unhandled");
    assert_eq!(err.code(), Some("UnknownOperationException"));
}

#[tokio::test]
async fn html_error_pages_come_from_a_proxy() {
    let emu = Emulator::start().await.unwrap();
    let client = idp(&emu);
    for status in [502, 503, 403] {
        emu.faults()
            .inject("InitiateAuth", Fault::HtmlError(status));
        let err = client
            .initiate_auth()
            .client_id(emu.client_id())
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", "x")
            .send()
            .await
            .unwrap_err();
        let raw = err.raw_response().expect("an HTTP answer");
        assert_eq!(raw.status().as_u16(), status);
        assert_eq!(raw.headers().get("content-type"), Some("text/html"));
        assert_eq!(raw.headers().get("x-amzn-errortype"), None);
        let body = std::str::from_utf8(raw.body().bytes().unwrap()).unwrap();
        assert!(body.starts_with("<html>"), "{body}");
        assert!(body.contains(&status.to_string()), "{body}");
        // No AWS error code can be read from it.
        let code = err.as_service_error().and_then(|e| e.code());
        assert_eq!(code, None, "{err:?}");
    }
}
