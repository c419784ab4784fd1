//! Feeds arbitrary text to the auth plugin's JWT decoder: `Jwt::parse` returns `Ok` or an
//! `AuthError`, never panics, and a parsed token's claims and expiry can be read.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    match amplify_auth_cognito::Jwt::parse(text) {
        Ok(jwt) => {
            let _ = format!("{jwt:?}");
        }
        Err(err) => {
            let _ = err.to_string();
        }
    }
});
