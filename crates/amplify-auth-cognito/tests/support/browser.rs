//! A minimal browser for the hosted UI tests: one request at a time, no redirect following,
//! and the user's part at the emulator's managed login. Included with `#[path]` by the tests
//! that need it.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use amplify_emulator::EmulatorHandle;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// A minimal browser: one request, no redirect following; returns the status and `Location`.
pub(crate) async fn request(
    method: &str,
    url: &str,
    form: Option<String>,
) -> (u16, Option<String>) {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .build(hyper_util::client::legacy::connect::HttpConnector::new());
    // The loopback listener is on 127.0.0.1; a browser would resolve localhost to it.
    let url = url.replace("://localhost:", "://127.0.0.1:");
    let mut builder = http::Request::builder().method(method).uri(&url);
    if form.is_some() {
        builder = builder.header("content-type", "application/x-www-form-urlencoded");
    }
    let response = client
        .request(
            builder
                .body(Full::new(Bytes::from(form.unwrap_or_default())))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    let _ = response.into_body().collect().await;
    (status, location)
}

pub(crate) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            out.push(
                u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap(), 16).unwrap(),
            );
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

pub(crate) fn query(url: &str) -> BTreeMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect()
}

/// `location` made absolute against `base`.
pub(crate) fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http") {
        location.to_owned()
    } else {
        format!("{base}{location}")
    }
}

/// A form body.
pub(crate) fn form(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Plays `user` at the managed login: authorize → login form → the app's redirect URL (with
/// `code`).
pub(crate) async fn log_in(
    emulator: &EmulatorHandle,
    authorize_url: &str,
    user: &str,
    password: &str,
) -> String {
    let base = emulator.endpoint().trim_end_matches('/').to_owned();
    let (status, location) = request("GET", authorize_url, None).await;
    assert_eq!(status, 302, "authorize redirects to the login page");
    let login = absolute(&base, &location.unwrap());
    let mut params = query(&login);
    params.insert("username".into(), user.into());
    params.insert("password".into(), password.into());
    let (status, location) = request("POST", &format!("{base}/login"), Some(form(&params))).await;
    assert_eq!(status, 302, "a good password redirects to the app");
    location.unwrap()
}
