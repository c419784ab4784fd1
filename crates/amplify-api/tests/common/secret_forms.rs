//! The forms a secret can take in text besides itself: base64, standard and URL-safe, at each of
//! the three byte alignments, as inside the AppSync realtime `header-` subprotocol or a Basic
//! authorization header. Shared by the redaction tests (`#[path]`-included).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// `secret` itself, then (for secrets of 12 bytes or more) the base64 text that any encoding of a
/// text holding `secret` must contain.
///
/// If `secret` starts at byte `p` of the encoded text, then for the `skip` in `0..3` with
/// `(p + skip) % 3 == 0`, `secret[skip..]` starts a 3-byte group, and the encoding of its whole
/// groups appears verbatim (4 characters per group, no padding inside).
pub(crate) fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_owned()];
    let bytes = secret.as_bytes();
    if bytes.len() < 12 {
        return forms;
    }
    for skip in 0..3 {
        let part = &bytes[skip..];
        let whole = &part[..part.len() / 3 * 3];
        for encoded in [STANDARD_NO_PAD.encode(whole), URL_SAFE_NO_PAD.encode(whole)] {
            if !forms.contains(&encoded) {
                forms.push(encoded);
            }
        }
    }
    forms
}

/// The first form of any of `secrets` that `text` contains, with the secret it came from.
pub(crate) fn find<'a>(text: &str, secrets: &'a [Vec<String>]) -> Option<(&'a str, usize)> {
    secrets.iter().find_map(|forms| {
        forms
            .iter()
            .find_map(|form| text.find(form.as_str()))
            .map(|at| (forms[0].as_str(), at))
    })
}

#[test]
fn a_secret_inside_base64_is_found_at_every_alignment() {
    let secret = "da2-abcdefghijklmnopqrstuvwxyz";
    let forms = vec![forms(secret)];
    for prefix in ["", "x", "xy", "{\"x-api-key\":\""] {
        for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            let text = format!("header-{}", engine.encode(format!("{prefix}{secret}\"}}")));
            assert!(find(&text, &forms).is_some(), "{prefix:?}: {text}");
        }
    }
    assert!(find(&STANDARD_NO_PAD.encode("da2-abcdefghijklmnop"), &forms).is_none());
}
