//! Feeds arbitrary values to the auth plugin's credential store as a previous process would have
//! stored them (tokens, username, flow, sign-in method, identity id, AWS credentials, expiration,
//! federation): loading never panics, a value that does not parse signs the user out instead of
//! failing every call, and saving what loaded then loading and saving again changes nothing.
//!
//! The input is split at `\n` into one value per key (`\u{1}` alone means the key is absent).
#![no_main]

use libfuzzer_sys::fuzz_target;

use amplify_auth_cognito::fuzz_hooks::{STORED_SESSION_KEYS, stored_session_round_trip};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let values: Vec<Option<&str>> = text
        .split('\n')
        .chain(std::iter::repeat("\u{1}"))
        .take(STORED_SESSION_KEYS.len())
        .map(|v| (v != "\u{1}").then_some(v))
        .collect();
    if let Err(broken) = stored_session_round_trip(&values) {
        panic!("{broken}");
    }
});
