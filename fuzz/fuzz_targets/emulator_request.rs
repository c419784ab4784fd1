//! Feeds arbitrary AWS JSON 1.1 requests to the emulator's sans-IO handler: every answer must be
//! a Cognito-shaped 200 or 4xx, never a panic or a 500.
//!
//! The first byte picks an operation (255: the target is the text before the first newline);
//! the rest is the body.
#![no_main]

use std::sync::OnceLock;

use amplify_emulator::{
    AppClientSpec, Backend, Emulator, IdentityPoolSpec, MfaConfiguration, MfaMethod, UserPoolSpec,
    UserSpec, supported_targets,
};
use libfuzzer_sys::fuzz_target;

fn backend() -> &'static Backend {
    static BACKEND: OnceLock<Backend> = OnceLock::new();
    BACKEND.get_or_init(|| {
        Emulator::builder()
            .rng_seed([7; 32])
            .user_pool(
                UserPoolSpec::new("us-east-1")
                    .id("us-east-1_Fuzz1")
                    .client(AppClientSpec::new().id("fuzzclient"))
                    .client(AppClientSpec::new().id("fuzzsecret").fixed_secret("secret"))
                    .mfa(MfaConfiguration::Optional, [MfaMethod::Sms])
                    .user(
                        UserSpec::new("alice", "Passw0rd!")
                            .email("a@example.com")
                            .phone_number("+15555550100"),
                    ),
            )
            .identity_pool(
                IdentityPoolSpec::new().id("us-east-1:00000000-0000-4000-8000-000000000000"),
            )
            .build_backend("http://127.0.0.1:1")
            .expect("the fuzz backend builds")
    })
}

fuzz_target!(|data: &[u8]| {
    let targets = supported_targets();
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (target, body) = if selector == 255 {
        let split = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        let (t, b) = rest.split_at(split);
        (
            String::from_utf8_lossy(t).into_owned(),
            b.get(1..).unwrap_or_default(),
        )
    } else {
        (targets[usize::from(selector) % targets.len()].clone(), rest)
    };
    let response = backend().handle_aws_json(&target, body);
    let status = response.status().as_u16();
    assert!(
        status == 200 || (400..500).contains(&status),
        "status {status} for {target}"
    );
    let parsed: serde_json::Value = serde_json::from_slice(response.body()).expect("JSON body");
    if status != 200 {
        // Coral's UnknownOperationException carries no message, as AWS's does not.
        let kind = parsed["__type"].as_str().expect("__type");
        assert!(
            kind.ends_with("UnknownOperationException") || parsed["message"].is_string(),
            "no message for {kind}"
        );
    }
});
