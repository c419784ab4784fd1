//! Reads an Amplify configuration file (Gen 1 `amplifyconfiguration.json` or Gen 2
//! `amplify_outputs.json`) and prints what amplify-rs understood from it. Secrets are never
//! printed.
//!
//! ```sh
//! cargo run -p inspect-config -- path/to/amplify_outputs.json
//! ```

use std::fmt::Write as _;
use std::process::ExitCode;

use amplify_config::{
    AmplifyConfig, ApiEndpoint, AuthConfig, ConfigWarning, GuestAccess, OAuthConfig,
};

#[allow(clippy::print_stdout, clippy::print_stderr)] // A command-line tool prints.
fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!(
            "usage: inspect-config <amplify_outputs.json | amplifyconfiguration.json (native or web)>"
        );
        return ExitCode::FAILURE;
    };
    let json = match std::fs::read_to_string(&path) {
        Ok(json) => json,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match AmplifyConfig::from_json_with_warnings(&json) {
        Ok((config, warnings)) => {
            let format = serde_json::from_str(&json)
                .ok()
                .and_then(|v| AmplifyConfig::detect_format(&v));
            if let Some(format) = format {
                println!("format: {format}");
            }
            print!("{}", describe(&config, &warnings));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "{path}: {e}\nhow to fix: {}",
                e.recovery_suggestion().unwrap_or_default()
            );
            ExitCode::FAILURE
        }
    }
}

/// Everything amplify-rs read, section by section, then the warnings. Never a secret.
fn describe(config: &AmplifyConfig, warnings: &[ConfigWarning]) -> String {
    let mut out = String::new();
    match &config.auth {
        Some(auth) => describe_auth(&mut out, auth),
        None => out.push_str("auth: not configured\n"),
    }
    if config.apis.is_empty() {
        out.push_str("apis: none\n");
    }
    for api in &config.apis {
        out.push_str(&describe_api(api));
    }
    if let Some(custom) = config.custom.as_ref().and_then(|c| c.as_object()) {
        let keys: Vec<&str> = custom.keys().map(String::as_str).collect();
        let _ = writeln!(out, "custom: keys [{}]", keys.join(", "));
    }
    if warnings.is_empty() {
        out.push_str("warnings: none\n");
    } else {
        let _ = writeln!(out, "warnings: {}", warnings.len());
        for warning in warnings {
            let _ = writeln!(out, "  [{}] {warning}", warning.kind());
        }
    }
    out
}

fn describe_auth(out: &mut String, auth: &AuthConfig) {
    let _ = writeln!(out, "auth (region {})", auth.region);
    match &auth.user_pool {
        Some(pool) => {
            let _ = writeln!(
                out,
                "  user pool {} client {} (secret: {}) endpoint {}",
                pool.pool_id,
                pool.app_client_id,
                if pool.app_client_secret.is_some() {
                    "set"
                } else {
                    "none"
                },
                pool.endpoint.as_ref().map_or("AWS", |e| e.as_str()),
            );
        }
        None => out.push_str("  user pool: none\n"),
    }
    let guests = match auth.guest_access {
        GuestAccess::Allowed => "allowed (stated in the file)",
        GuestAccess::Denied => "denied (stated in the file)",
        GuestAccess::NotStated => "not stated in the file (allowed, as in Amplify)",
        _ => "unknown",
    };
    match &auth.identity_pool {
        Some(pool) => {
            let _ = writeln!(
                out,
                "  identity pool {} endpoint {}; guests: {guests}",
                pool.pool_id,
                pool.endpoint.as_ref().map_or("AWS", |e| e.as_str()),
            );
        }
        None => {
            let _ = writeln!(out, "  identity pool: none; guests: {guests}");
        }
    }
    match &auth.oauth {
        Some(oauth) => describe_oauth(out, oauth),
        None => out.push_str("  oauth: none\n"),
    }
    let _ = writeln!(
        out,
        "  mfa {:?} methods {:?}",
        auth.mfa.status, auth.mfa.methods
    );
    let _ = writeln!(
        out,
        "  sign-in with {:?}; required at sign-up {:?}; verified by {:?}",
        auth.username_attributes, auth.sign_up_attributes, auth.user_verification_types
    );
    if let Some(policy) = &auth.password_policy {
        let _ = writeln!(
            out,
            "  password: min length {}, lowercase {}, uppercase {}, numbers {}, symbols {}",
            policy
                .min_length
                .map_or_else(|| "not stated".to_owned(), |n| n.to_string()),
            policy.require_lowercase,
            policy.require_uppercase,
            policy.require_numbers,
            policy.require_symbols,
        );
    }
    if let Some(flow) = auth.authentication_flow_type {
        let _ = writeln!(out, "  default sign-in flow {flow:?}");
    }
    if let Some(passwordless) = &auth.passwordless {
        let _ = writeln!(
            out,
            "  passwordless: email OTP {}, SMS OTP {}, WebAuthn relying party {}, preferred {}",
            passwordless.email_otp_enabled,
            passwordless.sms_otp_enabled,
            passwordless
                .web_authn_relying_party_id
                .as_deref()
                .unwrap_or("none"),
            passwordless
                .preferred_challenge
                .as_deref()
                .unwrap_or("none"),
        );
    }
    if !auth.groups.is_empty() {
        let groups: Vec<String> = auth
            .groups
            .iter()
            .map(|g| match g.precedence {
                Some(p) => format!("{} ({p})", g.name),
                None => g.name.clone(),
            })
            .collect();
        let _ = writeln!(out, "  groups {}", groups.join(", "));
    }
}

fn describe_oauth(out: &mut String, oauth: &OAuthConfig) {
    let _ = writeln!(
        out,
        "  oauth domain {} response type {:?}",
        oauth.domain, oauth.response_type
    );
    let _ = writeln!(out, "    scopes [{}]", oauth.scopes.join(", "));
    let _ = writeln!(
        out,
        "    redirect sign-in [{}]",
        oauth.redirect_sign_in_uris.join(", ")
    );
    let _ = writeln!(
        out,
        "    redirect sign-out [{}]",
        oauth.redirect_sign_out_uris.join(", ")
    );
    let _ = writeln!(out, "    providers {:?}", oauth.identity_providers);
}

fn describe_api(api: &ApiEndpoint) -> String {
    let modes: Vec<&str> = api.authorization_types().map(|m| m.as_str()).collect();
    format!(
        "api `{}` ({}) {} region {} modes [{}] api key: {}\n",
        api.name,
        api.endpoint_type,
        api.url,
        api.region,
        modes.join(", "),
        if api.api_key.is_some() { "set" } else { "none" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe_json(json: &str) -> String {
        let (config, warnings) = AmplifyConfig::from_json_with_warnings(json).unwrap();
        describe(&config, &warnings)
    }

    #[test]
    fn describes_without_secrets() {
        let text = describe_json(
            r#"{"version": "1", "auth": {"aws_region": "us-east-1", "user_pool_id": "us-east-1_A",
                "user_pool_client_id": "c", "app_client_secret": "TOPSECRET"},
              "data": {"aws_region": "us-east-1", "url": "https://x.example/graphql",
                "default_authorization_type": "API_KEY", "authorization_types": ["AWS_IAM"], "api_key": "da2-SECRET"}}"#,
        );
        assert!(
            text.contains("user pool us-east-1_A client c (secret: set)"),
            "{text}"
        );
        assert!(
            text.contains("modes [API_KEY, AWS_IAM] api key: set"),
            "{text}"
        );
        assert!(text.contains("warnings: none"), "{text}");
        assert!(!text.contains("SECRET"), "{text}");
    }

    #[test]
    fn describes_every_section_of_a_web_file_and_its_warnings() {
        let text = describe_json(
            r#"{"aws_project_region": "eu-west-1", "aws_cognito_region": "eu-west-1",
              "aws_user_pools_id": "eu-west-1_Web1", "aws_user_pools_web_client_id": "webclient",
              "aws_cognito_identity_pool_id": "eu-west-1:00000000-0000-4000-8000-000000000000",
              "aws_mandatory_sign_in": "enable",
              "oauth": {"domain": "app.auth.eu-west-1.amazoncognito.com", "scope": ["openid", "email"],
                "redirectSignIn": "myapp://in/,https://app.example.com/", "redirectSignOut": "myapp://out/",
                "responseType": "code"},
              "aws_cognito_social_providers": ["GOOGLE"],
              "aws_cognito_mfa_configuration": "ON", "aws_cognito_mfa_types": ["TOTP"],
              "aws_cloud_logic_custom": [{"name": "orders",
                "endpoint": "https://o1.execute-api.eu-west-1.amazonaws.com/dev", "region": "eu-west-1"}],
              "API": {"endpoints": [{"name": "old", "endpoint": "https://x.execute-api.eu-west-1.amazonaws.com/dev"}]}}"#,
        );
        for expected in [
            "oauth domain app.auth.eu-west-1.amazoncognito.com response type Code",
            "scopes [openid, email]",
            "redirect sign-in [myapp://in/, https://app.example.com/]",
            "redirect sign-out [myapp://out/]",
            "guests: denied (stated in the file)",
            "mfa Required methods [Totp]",
            "api `orders` (REST) https://o1.execute-api.eu-west-1.amazonaws.com/dev region eu-west-1 modes [AWS_IAM]",
            "warnings: 1",
            "[ignored_api] Gen 1 web amplifyconfiguration.json (aws-exports.js): `API.endpoints[0]`",
        ] {
            assert!(text.contains(expected), "{expected}\n{text}");
        }
    }

    #[test]
    fn guest_access_not_stated_is_said_so() {
        let text = describe_json(
            r#"{"auth": {"plugins": {"awsCognitoAuthPlugin": {"CredentialsProvider": {"CognitoIdentity":
                {"Default": {"PoolId": "us-east-1:abc", "Region": "us-east-1"}}}}}}}"#,
        );
        assert!(
            text.contains(
                "identity pool us-east-1:abc endpoint AWS; guests: not stated in the file"
            ),
            "{text}"
        );
        assert!(text.contains("user pool: none"), "{text}");
        assert!(text.contains("apis: none"), "{text}");
    }
}
