//! Reads an Amplify configuration file (Gen 1 `amplifyconfiguration.json` or Gen 2
//! `amplify_outputs.json`) and prints what amplify-rs understood from it. Secrets are never
//! printed.
//!
//! ```sh
//! cargo run -p inspect-config -- path/to/amplify_outputs.json
//! ```

use std::process::ExitCode;

use amplify_config::{AmplifyConfig, ApiEndpoint};

#[allow(clippy::print_stdout, clippy::print_stderr)] // A command-line tool prints.
fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: inspect-config <amplify_outputs.json | amplifyconfiguration.json>");
        return ExitCode::FAILURE;
    };
    let json = match std::fs::read_to_string(&path) {
        Ok(json) => json,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match AmplifyConfig::from_json(&json) {
        Ok(config) => {
            print!("{}", describe(&config));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{path}: {e}\nhow to fix: {}", e.recovery_suggestion().unwrap_or_default());
            ExitCode::FAILURE
        }
    }
}

fn describe(config: &AmplifyConfig) -> String {
    let mut out = String::new();
    match &config.auth {
        Some(auth) => {
            out.push_str(&format!("auth (region {})\n", auth.region));
            if let Some(pool) = &auth.user_pool {
                out.push_str(&format!(
                    "  user pool {} client {} (secret: {}) endpoint {}\n",
                    pool.pool_id,
                    pool.app_client_id,
                    if pool.app_client_secret.is_some() {
                        "set"
                    } else {
                        "none"
                    },
                    pool.endpoint.as_ref().map_or("AWS", |e| e.as_str()),
                ));
            }
            if let Some(pool) = &auth.identity_pool {
                out.push_str(&format!(
                    "  identity pool {} (guests: {}) endpoint {}\n",
                    pool.pool_id,
                    auth.unauthenticated_identities_enabled,
                    pool.endpoint.as_ref().map_or("AWS", |e| e.as_str()),
                ));
            }
            out.push_str(&format!(
                "  mfa {:?} {:?}\n",
                auth.mfa.status, auth.mfa.methods
            ));
        }
        None => out.push_str("auth: not configured\n"),
    }
    for api in &config.apis {
        out.push_str(&describe_api(api));
    }
    out
}

fn describe_api(api: &ApiEndpoint) -> String {
    let modes: Vec<&str> = api.authorization_types().map(|m| m.as_str()).collect();
    format!(
        "api `{}` ({}) {} modes [{}] api key: {}\n",
        api.name,
        api.endpoint_type,
        api.url,
        modes.join(", "),
        if api.api_key.is_some() { "set" } else { "none" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_without_secrets() {
        let config = AmplifyConfig::from_json(
            r#"{"version": "1", "auth": {"aws_region": "us-east-1", "user_pool_id": "us-east-1_A",
                "user_pool_client_id": "c", "app_client_secret": "TOPSECRET"},
              "data": {"aws_region": "us-east-1", "url": "https://x.example/graphql",
                "default_authorization_type": "API_KEY", "authorization_types": ["AWS_IAM"], "api_key": "da2-SECRET"}}"#,
        )
        .unwrap();
        let text = describe(&config);
        assert!(
            text.contains("user pool us-east-1_A client c (secret: set)"),
            "{text}"
        );
        assert!(
            text.contains("modes [API_KEY, AWS_IAM] api key: set"),
            "{text}"
        );
        assert!(!text.contains("SECRET"), "{text}");
    }
}
