//! The challenge-to-next-step mapping, sans IO: what a challenge Cognito sent means for the
//! caller, and which failures leave it open for another answer.

use std::collections::HashMap;

use amplify_core::AmplifyError;
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use crate::AuthError;
use crate::error::ServiceErrorKind;
use crate::mfa::{AuthFactorType, MfaType};
use crate::types::{CodeDeliveryDetails, SignInStep};

/// The next step for a challenge Cognito sent, from its parameters (sans IO).
///
/// # Errors
///
/// [`AuthError::UnsupportedChallenge`] naming a challenge this version does not answer.
pub(super) fn step_for_challenge(
    challenge: &ChallengeNameType,
    params: &HashMap<String, String>,
    available: &[String],
) -> Result<SignInStep, AuthError> {
    let delivery = |default_medium: &str, attribute: &str| {
        CodeDeliveryDetails::new(
            params.get("CODE_DELIVERY_DESTINATION").map(String::as_str),
            params
                .get("CODE_DELIVERY_DELIVERY_MEDIUM")
                .map(String::as_str)
                .or(Some(default_medium)),
            Some(attribute),
        )
    };
    Ok(match challenge {
        ChallengeNameType::SoftwareTokenMfa => SignInStep::ConfirmSignInWithTotpMfaCode,
        ChallengeNameType::EmailOtp => {
            SignInStep::ConfirmSignInWithOtpCode(delivery("EMAIL", "email"))
        }
        ChallengeNameType::SmsOtp => {
            SignInStep::ConfirmSignInWithOtpCode(delivery("SMS", "phone_number"))
        }
        ChallengeNameType::SelectMfaType => SignInStep::ContinueSignInWithMfaSelection {
            allowed_mfa_types: mfa_types(params.get("MFAS_CAN_CHOOSE").map(String::as_str)),
        },
        // SMS cannot be set up during sign-in (it needs a verified phone number), so Amplify
        // leaves it out of the choice.
        ChallengeNameType::MfaSetup => SignInStep::ContinueSignInWithMfaSetupSelection {
            allowed_mfa_types: mfa_types(params.get("MFAS_CAN_SETUP").map(String::as_str))
                .into_iter()
                .filter(|t| *t != MfaType::Sms)
                .collect(),
        },
        ChallengeNameType::SelectChallenge => SignInStep::ContinueSignInWithFirstFactorSelection {
            available_factors: available
                .iter()
                .filter_map(|c| AuthFactorType::from_cognito(c))
                .collect(),
        },
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

/// MFA types from a JSON list of Cognito names (unknown names are skipped).
fn mfa_types(list: Option<&str>) -> Vec<MfaType> {
    let mut types: Vec<MfaType> = parse_list(list)
        .iter()
        .filter_map(|name| MfaType::from_cognito(name))
        .collect();
    types.sort();
    types.dedup();
    types
}

/// Whether a failed answer leaves the challenge open for another try: a wrong code, a password
/// the policy refuses, or a failure that a retry may fix (network, throttling, 5xx). Anything
/// else (an expired session, a lockout) closes it: sign in again.
pub(super) fn keeps_challenge_open(e: &AuthError) -> bool {
    matches!(
        e.service_kind(),
        Some(
            ServiceErrorKind::CodeMismatch
                | ServiceErrorKind::EnableSoftwareTokenMfa
                | ServiceErrorKind::InvalidPassword
        )
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
    use crate::mfa::{AuthFactorType, MfaType};
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
            &[],
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
            &[],
        );
        assert!(matches!(
            new_password,
            Ok(SignInStep::ConfirmSignInWithNewPassword { ref missing_attributes }) if missing_attributes == &["name"]
        ));
        let custom = step_for_challenge(
            &ChallengeNameType::CustomChallenge,
            &params(&[("USERNAME", "alice"), ("question", "2+2")]),
            &[],
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
    fn mfa_and_first_factor_challenges_map_to_their_steps() {
        assert_eq!(
            step_for_challenge(&ChallengeNameType::SoftwareTokenMfa, &HashMap::new(), &[]).ok(),
            Some(SignInStep::ConfirmSignInWithTotpMfaCode)
        );
        match step_for_challenge(
            &ChallengeNameType::EmailOtp,
            &params(&[("CODE_DELIVERY_DESTINATION", "a***@e***")]),
            &[],
        ) {
            Ok(SignInStep::ConfirmSignInWithOtpCode(d)) => {
                assert_eq!(d.delivery_medium, DeliveryMedium::Email);
                assert_eq!(d.destination.as_deref(), Some("a***@e***"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            step_for_challenge(
                &ChallengeNameType::SelectMfaType,
                &params(&[("MFAS_CAN_CHOOSE", r#"["SOFTWARE_TOKEN_MFA","SMS_MFA"]"#)]),
                &[],
            )
            .ok(),
            Some(SignInStep::ContinueSignInWithMfaSelection {
                allowed_mfa_types: vec![MfaType::Sms, MfaType::Totp]
            })
        );
        assert_eq!(
            step_for_challenge(
                &ChallengeNameType::MfaSetup,
                &params(&[(
                    "MFAS_CAN_SETUP",
                    r#"["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#
                )]),
                &[],
            )
            .ok(),
            Some(SignInStep::ContinueSignInWithMfaSetupSelection {
                allowed_mfa_types: vec![MfaType::Totp, MfaType::Email]
            })
        );
        assert_eq!(
            step_for_challenge(
                &ChallengeNameType::SelectChallenge,
                &HashMap::new(),
                &[
                    "PASSWORD_SRP".to_owned(),
                    "EMAIL_OTP".to_owned(),
                    "UNKNOWN".to_owned()
                ],
            )
            .ok(),
            Some(SignInStep::ContinueSignInWithFirstFactorSelection {
                available_factors: vec![AuthFactorType::PasswordSrp, AuthFactorType::EmailOtp]
            })
        );
    }

    #[test]
    fn unsupported_challenges_are_named() {
        for challenge in [
            ChallengeNameType::DeviceSrpAuth,
            ChallengeNameType::from("WEB_AUTHN"),
            ChallengeNameType::from("SOMETHING_NEW"),
        ] {
            match step_for_challenge(&challenge, &HashMap::new(), &[]) {
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
