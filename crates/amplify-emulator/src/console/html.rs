//! HTML for the console: escaping, the page frame (navigation, style, the live-table script) and
//! the headers every console answer carries.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};

use super::PREFIX;

pub(crate) use crate::util::escape_html as esc;

/// `<table>` with a header row and escaped cells; `id` names the `<tbody>` (for live updates).
pub(crate) fn table(id: &str, headers: &[&str], rows: &[Vec<String>]) -> String {
    let body: String = rows
        .iter()
        .map(|row| raw_row(row.iter().map(|c| esc(c))))
        .collect();
    raw_table(&format!("id=\"{}\"", esc(id)), headers, &body)
}

/// `<table>` with escaped headers, `<tbody>` attributes and rows that are HTML already (each
/// value escaped by the caller).
pub(crate) fn raw_table(tbody_attributes: &str, headers: &[&str], rows: &str) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in headers {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str(&format!(
        "</tr></thead><tbody {tbody_attributes}>{rows}</tbody></table>"
    ));
    out
}

/// A `<tr>` of cells that are HTML already (each escaped by the caller).
pub(crate) fn raw_row(cells: impl IntoIterator<Item = String>) -> String {
    let mut out = String::from("<tr>");
    for cell in cells {
        out.push_str(&format!("<td>{cell}</td>"));
    }
    out.push_str("</tr>");
    out
}

/// A link with escaped text and target.
pub(crate) fn link(href: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", esc(href), esc(text))
}

/// The headers of every console answer: no caching, no framing, no sniffing, no referrer to
/// other sites, and a policy that runs only the console's inline script and fetches only from
/// the emulator itself.
pub(crate) fn secure_headers(response: &mut Response<Bytes>, content_type: &'static str) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
}

/// A whole page: `title` (escaped) and `body` (HTML, escaped by its builder).
pub(crate) fn page_response(status: StatusCode, title: &str, body: &str) -> Response<Bytes> {
    let nav = [
        ("", "Overview"),
        ("/outbox", "Outbox"),
        ("/identity-pools", "Identity pools"),
        ("/graphql", "GraphQL"),
        ("/requests", "Requests"),
    ]
    .iter()
    .map(|(path, name)| link(&format!("{PREFIX}{path}"), name))
    .collect::<Vec<_>>()
    .join(" · ");
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} · amplify-emulator</title><style>{STYLE}</style><script>{SCRIPT}</script></head>\
         <body><header><strong>amplify-emulator</strong> console · {nav}</header>\
         <main><h1>{title}</h1>{body}</main></body></html>\n",
        title = esc(title),
    );
    let mut response = Response::new(Bytes::from(page));
    *response.status_mut() = status;
    secure_headers(&mut response, "text/html; charset=utf-8");
    response
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#222}\
header{background:#232f3e;color:#fff;padding:.6em 1em}header a{color:#ffb84d}\
main{padding:0 1em 2em}table{border-collapse:collapse;margin:.5em 0}\
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
th{background:#f2f2f2}code,pre,textarea{font-family:ui-monospace,monospace}\
pre{background:#f6f6f6;padding:.5em;overflow:auto;max-height:30em}\
form.inline{display:inline-block;margin:.2em .4em .2em 0}.error{color:#b00020}\
.notice{color:#1b5e20}textarea{width:100%}";

/// `live(url, tbodyId, columns, key)`: polls `url?after=<last key>` every second and puts the
/// new rows on top, with `textContent` only (values are never parsed as HTML).
const SCRIPT: &str = r#"
function live(url, tbodyId, columns, key) {
  let after = 0;
  const tbody = () => document.getElementById(tbodyId);
  const first = tbody() && tbody().dataset.after;
  if (first) { after = Number(first); }
  async function poll() {
    try {
      const r = await fetch(url + (url.includes('?') ? '&' : '?') + 'after=' + after, {credentials: 'same-origin'});
      if (r.ok) {
        const items = (await r.json()).items;
        for (const item of items.slice().reverse()) {
          const tr = document.createElement('tr');
          for (const c of columns) {
            const td = document.createElement('td');
            td.textContent = item[c] == null ? '' : String(item[c]);
            tr.appendChild(td);
          }
          tbody().insertBefore(tr, tbody().firstChild);
          after = Math.max(after, item[key]);
        }
      }
    } catch (e) {}
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 1000);
}
"#;
