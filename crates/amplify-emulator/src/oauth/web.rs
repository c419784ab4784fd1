//! HTTP pieces of the OAuth endpoints: reading query strings, form bodies, cookies and Basic
//! credentials; redirects, JSON errors and the minimal HTML pages.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use serde_json::Value;

use crate::util::{b64_decode_lenient, form};

/// The name of the hosted-UI session cookie (Cognito's managed login sets `cognito`).
pub(super) const SESSION_COOKIE: &str = "cognito";

/// Request parameters: the query string, then (for form posts) the body, which wins.
pub(super) type Params = BTreeMap<String, String>;

/// The query string's parameters (the first of a repeated name wins).
pub(super) fn query(request: &Request<Bytes>) -> Params {
    let mut params = Params::new();
    for (k, v) in form::parse(request.uri().query().unwrap_or_default()) {
        params.entry(k).or_insert(v);
    }
    params
}

/// The query string's parameters overridden by a form body's.
pub(super) fn query_and_form(request: &Request<Bytes>) -> Params {
    let mut params = query(request);
    params.extend(form_body(request));
    params
}

/// The parameters of an `application/x-www-form-urlencoded` body.
pub(super) fn form_body(request: &Request<Bytes>) -> Params {
    let mut params = Params::new();
    for (k, v) in form::parse(&String::from_utf8_lossy(request.body())) {
        params.entry(k).or_insert(v);
    }
    params
}

/// Whether the body is declared `application/x-www-form-urlencoded`.
pub(super) fn is_form(request: &Request<Bytes>) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// A cookie's value.
pub(super) fn cookie(request: &Request<Bytes>, name: &str) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `Authorization: Basic base64(client_id:client_secret)`: `None` without the header,
/// `Some(Err(()))` when it is not well-formed Basic credentials.
pub(super) fn basic_credentials(request: &Request<Bytes>) -> Option<Result<(String, String), ()>> {
    let value = request.headers().get(header::AUTHORIZATION)?;
    let parsed = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then_some(rest.trim())
        })
        .and_then(b64_decode_lenient)
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|text| {
            let (id, secret) = text.split_once(':')?;
            // RFC 6749 §2.3.1: both are form-encoded before Basic encoding.
            Some((form::decode(id), form::decode(secret)))
        });
    Some(parsed.ok_or(()))
}

/// `Authorization: Bearer <token>`.
pub(super) fn bearer(request: &Request<Bytes>) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

/// `uri` with `pairs` appended to its query string.
pub(super) fn with_query<'a>(
    uri: &str,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let query = form::serialize(pairs);
    if query.is_empty() {
        return uri.to_owned();
    }
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{query}")
}

/// `302 Found` to `location`.
pub(super) fn redirect(location: &str) -> Response<Bytes> {
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = StatusCode::FOUND;
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Sets (or, with `None`, clears) the hosted-UI session cookie on `response`.
pub(super) fn set_session_cookie(response: &mut Response<Bytes>, value: Option<(&str, i64)>) {
    let cookie = match value {
        Some((id, max_age)) => {
            format!("{SESSION_COOKIE}={id}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax")
        }
        None => format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
    };
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// A JSON answer that must not be cached (RFC 6749 §5.1).
pub(super) fn json(status: StatusCode, body: &Value) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// `{"error": "<error>"}`, the shape of the token and revocation endpoints' refusals.
pub(super) fn oauth_error(status: StatusCode, error: &str) -> Response<Bytes> {
    json(status, &serde_json::json!({ "error": error }))
}

/// `405` for a method an OAuth path does not take.
pub(super) fn method_not_allowed() -> Response<Bytes> {
    json(
        StatusCode::METHOD_NOT_ALLOWED,
        &serde_json::json!({"message": "Method Not Allowed"}),
    )
}

/// An HTML page.
pub(super) fn html(status: StatusCode, title: &str, body: &str) -> Response<Bytes> {
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}\n</body></html>\n",
        escape(title)
    );
    let mut response = Response::new(Bytes::from(page));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=UTF-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The error page for requests that cannot be sent back to the app (an unknown client, a
/// redirect URI that is not a callback URL): `400`, no redirect. `error` is repeated in the
/// `x-amzn-errortype`-style header `x-emulator-oauth-error` so tests need no HTML parsing.
pub(super) fn error_page(error: &str, message: &str) -> Response<Bytes> {
    let body = format!(
        "<h1>An error was encountered with the requested page.</h1>\n<p id=\"error\">{}</p>\n<p id=\"error_description\">{}</p>",
        escape(error),
        escape(message)
    );
    let mut response = html(StatusCode::BAD_REQUEST, "Error", &body);
    if let Ok(value) = HeaderValue::from_str(error) {
        response
            .headers_mut()
            .insert("x-emulator-oauth-error", value);
    }
    response
}

/// Hidden `<input>`s carrying `params`.
pub(super) fn hidden_fields<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    params
        .into_iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(k),
                escape(v)
            )
        })
        .collect()
}

/// HTML-escapes text for element content and quoted attribute values.
pub(super) use crate::util::escape_html as escape;

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request<Bytes> {
        let mut builder = Request::builder().uri("/oauth2/token?a=1&a=2&b=x%20y");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder
            .body(Bytes::from_static(b"b=z&c=3"))
            .unwrap_or_default()
    }

    #[test]
    fn reads_requests() {
        let r = request(&[
            ("authorization", "Basic Y2xpZW50OnMlM0FjcmV0"),
            ("cookie", "x=1; cognito=abc"),
            (
                "content-type",
                "application/x-www-form-urlencoded; charset=UTF-8",
            ),
        ]);
        let params = query_and_form(&r);
        assert_eq!(params.get("a").map(String::as_str), Some("1"));
        assert_eq!(params.get("b").map(String::as_str), Some("z"));
        assert_eq!(params.get("c").map(String::as_str), Some("3"));
        assert_eq!(
            basic_credentials(&r),
            Some(Ok(("client".to_owned(), "s:cret".to_owned())))
        );
        assert_eq!(cookie(&r, SESSION_COOKIE).as_deref(), Some("abc"));
        assert!(is_form(&r));
        assert_eq!(
            basic_credentials(&request(&[("authorization", "Basic !!")])),
            Some(Err(()))
        );
        assert_eq!(
            bearer(&request(&[("authorization", "Bearer t0k")])).as_deref(),
            Some("t0k")
        );
    }

    #[test]
    fn builds_answers() {
        assert_eq!(
            with_query("http://localhost/cb?x=1", [("code", "c"), ("state", "a b")]),
            "http://localhost/cb?x=1&code=c&state=a%20b"
        );
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let page = error_page("redirect_mismatch", "<script>");
        assert_eq!(page.status(), StatusCode::BAD_REQUEST);
        assert!(!String::from_utf8_lossy(page.body()).contains("<script>"));
    }
}
