//! Feeds arbitrary bytes to the configuration parser: it must return Ok or a ConfigError, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(err) = amplify_config::AmplifyConfig::from_json(text) {
            // Rendering the error and its suggestion must not panic either.
            let _ = err.to_string();
            let _ = err.recovery_suggestion();
        }
    }
});
