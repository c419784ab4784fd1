//! Feeds arbitrary bytes to the deserialization of AppSync's `errors` array (the public,
//! serde-decoded part of a GraphQL response: `GraphQlError`, its locations and path): `Ok` or a
//! serde error, never a panic; what decodes renders in `Debug` and `Display`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(errors) = serde_json::from_slice::<Vec<amplify_api::GraphQlError>>(data) {
        for e in &errors {
            let _ = format!("{e:?}");
        }
    }
    let _ = serde_json::from_slice::<amplify_api::GraphQlError>(data);
});
