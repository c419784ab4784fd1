//! The challenge-to-next-step mapping, sans IO: what a challenge Cognito sent means for the
//! caller, and which failures leave it open for another answer.

use std::collections::HashMap;

use amplify_core::AmplifyError;
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use crate::AuthError;
use crate::error::ServiceErrorKind;
use crate::types::{CodeDeliveryDetails, SignInStep};

/// The next step for a challenge Cognito sent, from its parameters (sans IO).
///
/// # Errors
///
/// [`AuthError::UnsupportedChallenge`] naming a challenge this version does not answer.
pub(super) fn step_for_challenge(
    challenge: &ChallengeNameType,
    params: &HashMap<String, String>,
) -> Result<SignInStep, AuthError> {
    Ok(match challenge {
        ChallengeNameType::SmsMfa => {
            SignInStep::ConfirmSignInWithSmsMfaCode(CodeDeliveryDetails::new(
                params.get("CODE_DELIVERY_DESTINATION").map(String::as_str),
                params
                    .get("CODE_DELIVERY_DELIVERY_MEDIUM")
                    .map(String::as_str)
                    .or(Some("SMS")),
                Some("phone_number"),
            ))
        }
        ChallengeNameType::NewPasswordRequired => SignInStep::ConfirmSignInWithNewPassword {
            missing_attributes: parse_list(params.get("requiredAttributes").map(String::as_str))
                .into_iter()
                .map(|a| {
                    a.strip_prefix("userAttributes.")
                        .map(str::to_owned)
                        .unwrap_or(a)
                })
                .collect(),
        },
        ChallengeNameType::CustomChallenge => SignInStep::ConfirmSignInWithCustomChallenge {
            additional_info: params
                .iter()
                .filter(|(k, _)| k.as_str() != "USERNAME")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        },
        other => return Err(AuthError::unsupported_challenge(other.as_str())),
    })
}

/// Whether a failed answer leaves the challenge open for another try: a wrong code, a password
/// the policy refuses, or a failure that a retry may fix (network, throttling, 5xx). Anything
/// else (an expired session, a lockout) closes it: sign in again.
pub(super) fn keeps_challenge_open(e: &AuthError) -> bool {
    matches!(
        e.service_kind(),
        Some(ServiceErrorKind::CodeMismatch | ServiceErrorKind::InvalidPassword)
    ) || e.is_retryable()
}

/// Cognito sends lists as JSON strings (`["a","b"]`); some servers send Python reprs.
fn parse_list(value: Option<&str>) -> Vec<String> {
    let Some(value) = value else {
        return Vec::new();
    };
    if let Ok(list) = serde_json::from_str::<Vec<String>>(value) {
        return list;
    }
    value
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|s| s.trim().trim_matches(|c| c == '\'' || c == '"').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use std::collections::HashMap;

    use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

    use super::{keeps_challenge_open, parse_list, step_for_challenge};
    use crate::error::{AuthError, CognitoService, ServiceError};
    use crate::types::{DeliveryMedium, SignInStep};

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn challenges_map_to_next_steps() {
        let sms = step_for_challenge(
            &ChallengeNameType::SmsMfa,
            &params(&[("CODE_DELIVERY_DESTINATION", "+*******1234")]),
        );
        match sms {
            Ok(SignInStep::ConfirmSignInWithSmsMfaCode(d)) => {
                assert_eq!(d.destination.as_deref(), Some("+*******1234"));
                assert_eq!(d.delivery_medium, DeliveryMedium::Sms);
            }
            other => panic!("{other:?}"),
        }
        let new_password = step_for_challenge(
            &ChallengeNameType::NewPasswordRequired,
            &params(&[("requiredAttributes", r#"["userAttributes.name"]"#)]),
        );
        assert!(matches!(
            new_password,
            Ok(SignInStep::ConfirmSignInWithNewPassword { ref missing_attributes }) if missing_attributes == &["name"]
        ));
        let custom = step_for_challenge(
            &ChallengeNameType::CustomChallenge,
            &params(&[("USERNAME", "alice"), ("question", "2+2")]),
        );
        match custom {
            Ok(SignInStep::ConfirmSignInWithCustomChallenge { additional_info }) => {
                assert_eq!(additional_info.len(), 1);
                assert_eq!(
                    additional_info.get("question").map(String::as_str),
                    Some("2+2")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unsupported_challenges_are_named() {
        for challenge in [
            ChallengeNameType::SoftwareTokenMfa,
            ChallengeNameType::MfaSetup,
            ChallengeNameType::SelectMfaType,
            ChallengeNameType::from("SOMETHING_NEW"),
        ] {
            match step_for_challenge(&challenge, &HashMap::new()) {
                Err(AuthError::UnsupportedChallenge(e)) => {
                    assert_eq!(e.challenge(), challenge.as_str());
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn which_failures_keep_the_challenge_open() {
        let service = |code: &str| {
            AuthError::Service(ServiceError::new(CognitoService::UserPools, code, "m"))
        };
        assert!(keeps_challenge_open(&service("CodeMismatchException")));
        assert!(keeps_challenge_open(&service("InvalidPasswordException")));
        assert!(keeps_challenge_open(&service("TooManyRequestsException")));
        assert!(keeps_challenge_open(&service("InternalErrorException")));
        assert!(!keeps_challenge_open(&service("NotAuthorizedException")));
        assert!(!keeps_challenge_open(&service("ExpiredCodeException")));
        assert!(!keeps_challenge_open(&service(
            "TooManyFailedAttemptsException"
        )));
    }

    #[test]
    fn lists_parse_from_json_and_python_reprs() {
        assert_eq!(
            parse_list(Some(r#"["userAttributes.email","userAttributes.name"]"#)).len(),
            2
        );
        assert_eq!(
            parse_list(Some("['SOFTWARE_TOKEN_MFA']")),
            ["SOFTWARE_TOKEN_MFA"]
        );
        assert!(parse_list(Some("[]")).is_empty());
        assert!(parse_list(None).is_empty());
    }
}
