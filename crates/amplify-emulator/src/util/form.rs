//! `application/x-www-form-urlencoded` (query strings and HTML form bodies): decoding pairs
//! and encoding values, as the WHATWG URL standard's urlencoded parser and serializer do.

/// Decodes `%XX` escapes and `+` (a space); malformed escapes stay as they are.
pub(crate) fn decode(text: &str) -> String {
    String::from_utf8_lossy(&decode_bytes(text)).into_owned()
}

/// [`decode`] without the UTF-8 step (SigV4 re-encodes the raw bytes).
pub(crate) fn decode_bytes(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = (b == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(if b == b'+' { b' ' } else { b });
                i += 1;
            }
        }
    }
    out
}

/// The `name=value` pairs of a query string or form body, decoded, in order.
pub(crate) fn parse(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent-encodes everything but the unreserved characters (RFC 3986 §2.3).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `name=value&...`, encoded.
pub(crate) fn serialize<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let encoded = serialize([
            ("redirect_uri", "http://localhost:3000/cb?x=1 2"),
            ("s", "ä+"),
        ]);
        assert_eq!(
            encoded,
            "redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb%3Fx%3D1%202&s=%C3%A4%2B"
        );
        assert_eq!(
            parse(&encoded),
            vec![
                (
                    "redirect_uri".to_owned(),
                    "http://localhost:3000/cb?x=1 2".to_owned()
                ),
                ("s".to_owned(), "ä+".to_owned())
            ]
        );
        assert_eq!(decode("a+b%2"), "a b%2");
        assert_eq!(
            parse("a&b=&=c"),
            vec![
                ("a".into(), "".into()),
                ("b".into(), "".into()),
                ("".into(), "c".into())
            ]
        );
    }
}
