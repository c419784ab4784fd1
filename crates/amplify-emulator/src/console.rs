//! The web console at `/_emulator/console`: server-rendered HTML pages over the emulator's state
//! (user pools and users, the outbox, identity pools, the GraphQL API with a query runner, the
//! request log) and admin actions as POST forms.
//!
//! It is for the developer at this machine only. Every request is refused with `403` unless its
//! `Host` is a loopback name or address (`localhost`, `127.0.0.0/8`, `[::1]`, any port) and its
//! `Origin`, when present, is loopback too ([`guard`]); that stops other web sites (and DNS
//! rebinding) from reading or driving it. State-changing requests are `POST` only and carry the
//! per-process token of [`ConsoleState`] (a random value embedded in the console's own forms, which
//! another origin cannot read: console answers carry no CORS headers). Every value shown is
//! HTML-escaped ([`html::esc`]); scripts insert live data with `textContent` only, under a
//! `Content-Security-Policy` that allows the console's own inline script and same-origin fetches.
//! No password, verifier or TOTP secret is shown; codes in the outbox are (that is its purpose).
//!
//! Admin actions call the same operations as the Cognito admin API (`AdminConfirmSignUp`,
//! `AdminSetUserPassword`, ...) through [`Backend::call`], so they check and change exactly what
//! those do.

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use serde_json::Value;

use crate::backend::Backend;
use crate::util::form;

mod actions;
mod graphql;
pub(crate) mod guard;
mod history;
mod html;
mod pages;

pub(crate) use history::{RequestEntry, RequestHistory};

/// The path every console page is under.
pub(crate) const PREFIX: &str = "/_emulator/console";

/// What the console keeps per process: the form token and the recent requests.
pub(crate) struct ConsoleState {
    /// The per-process token every state-changing form carries.
    csrf: String,
    history: RequestHistory,
}

impl std::fmt::Debug for ConsoleState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleState").finish_non_exhaustive()
    }
}

impl ConsoleState {
    /// A fresh state whose form token comes from the operating system's random source (not the
    /// emulator's seeded one, which a test may make predictable); `fallback` only if that fails.
    pub(crate) fn new(fallback: &crate::util::Rng) -> Self {
        let mut bytes = [0u8; 32];
        let csrf =
            match ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes) {
                Ok(()) => crate::util::hex(&bytes),
                Err(_) => fallback.token(32),
            };
        Self {
            csrf,
            history: RequestHistory::default(),
        }
    }

    /// The recent requests the console's log page shows.
    pub(crate) fn history(&self) -> &RequestHistory {
        &self.history
    }
}

/// Whether `path` is a console path.
pub(crate) fn is_console_path(path: &str) -> bool {
    path == PREFIX
        || path
            .strip_prefix(PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Answers a console request (`path` is a console path).
pub(crate) fn handle(backend: &Backend, request: &Request<Bytes>) -> Response<Bytes> {
    if let Err(refusal) = guard::check_loopback(request.headers()) {
        return refused(&refusal);
    }
    let path = request.uri().path();
    let page = path.strip_prefix(PREFIX).unwrap_or(path);
    let page = page.strip_suffix('/').unwrap_or(page);
    let query = form::parse(request.uri().query().unwrap_or_default());
    let csrf = &backend.console().csrf;
    match (request.method(), page) {
        (&Method::GET | &Method::HEAD, _) => {
            pages::get(backend, page, &Params(&query), csrf).unwrap_or_else(|| not_found(page))
        }
        (&Method::POST, "/action" | "/graphql/token") => {
            let body = std::str::from_utf8(request.body()).unwrap_or_default();
            let fields = form::parse(body);
            let fields = Params(&fields);
            if let Err(refusal) = guard::check_form(request.headers(), &fields, csrf) {
                return refused(&refusal);
            }
            if page == "/action" {
                actions::run(backend, &fields)
            } else {
                graphql::token(backend, &fields)
            }
        }
        (&Method::POST, _) => not_found(page),
        _ => {
            let mut response = text(
                StatusCode::METHOD_NOT_ALLOWED,
                "The console answers GET, and POST for its forms.",
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
            response
        }
    }
}

/// Decoded query or form fields.
#[derive(Clone, Copy)]
pub(crate) struct Params<'a>(&'a [(String, String)]);

impl Params<'_> {
    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or an empty string.
    pub(crate) fn str(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }
}

fn refused(refusal: &guard::Refusal) -> Response<Bytes> {
    tracing::debug!(reason = refusal.as_str(), "console request refused");
    text(StatusCode::FORBIDDEN, refusal.as_str())
}

fn not_found(page: &str) -> Response<Bytes> {
    html::page_response(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!(
            "<p>The console has no page <code>{}</code>.</p>",
            html::esc(page)
        ),
    )
}

/// A plain-text answer with the console's headers.
fn text(status: StatusCode, message: &str) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(format!("{message}\n")));
    *response.status_mut() = status;
    html::secure_headers(&mut response, "text/plain; charset=utf-8");
    response
}

/// A JSON answer with the console's headers.
fn json(value: &Value) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(value.to_string()));
    html::secure_headers(&mut response, "application/json");
    response
}

/// `303 See Other` to a console page (after a form).
fn see_other(location: &str) -> Response<Bytes> {
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = StatusCode::SEE_OTHER;
    html::secure_headers(&mut response, "text/plain; charset=utf-8");
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The console URL of a user's page.
fn user_href(pool_id: &str, username: &str) -> String {
    format!(
        "{PREFIX}/user?{}",
        form::serialize([("pool", pool_id), ("username", username)])
    )
}

/// The console URL of a pool's page.
fn pool_href(pool_id: &str) -> String {
    format!("{PREFIX}/pool?{}", form::serialize([("id", pool_id)]))
}
