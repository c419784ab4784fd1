//! Feeds arbitrary text to the realtime client's frame decoder (what AppSync's WebSocket sends:
//! `connection_ack`, `ka`, `start_ack`, `data`, `error`, `complete`, `connection_error`): a
//! frame or a `BadFrame`, never a panic; what decodes renders in `Debug`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = amplify_api::fuzz_hooks::decode_realtime_frame(text);
    }
});
