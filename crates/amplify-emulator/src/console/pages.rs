//! The console's GET pages: overview, a user pool, a user, the outbox, identity pools and the
//! request log (the GraphQL page is `super::graphql`), and the JSON the live tables poll.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::{Value, json};

use super::html::{self, esc, link, raw_row, raw_table, table};
use super::{PREFIX, Params, pool_href, user_href};
use crate::backend::Backend;
use crate::timefmt::{from_epoch, iso8601_millis};

/// The page at `page` (the path after the console prefix), `None` when there is none.
pub(super) fn get(
    backend: &Backend,
    page: &str,
    query: &Params<'_>,
    csrf: &str,
) -> Option<Response<Bytes>> {
    Some(match page {
        "" => overview(backend),
        "/pool" => pool(backend, query.str("id")),
        "/user" => user(backend, query, csrf),
        "/outbox" => outbox(backend),
        "/outbox.json" => super::json(&outbox_json(backend, after(query))),
        "/identity-pools" => identity_pools(backend),
        "/graphql" => super::graphql::page(backend, csrf),
        "/requests" => requests(backend),
        "/requests.json" => super::json(&requests_json(backend, after(query))),
        _ => return None,
    })
}

fn after(query: &Params<'_>) -> u64 {
    query.str("after").parse().unwrap_or(0)
}

/// Epoch seconds (as Cognito's dates are) in ISO 8601.
fn date(secs: f64) -> String {
    // Whole seconds are enough for a console.
    #[allow(clippy::cast_possible_truncation)]
    let whole = secs as i64;
    iso8601_millis(from_epoch(whole))
}

fn ok(title: &str, body: &str) -> Response<Bytes> {
    html::page_response(StatusCode::OK, title, body)
}

fn overview(backend: &Backend) -> Response<Bytes> {
    let (pools, identity) = backend.with_state(|_, st| {
        let pools: Vec<Vec<String>> = st
            .user_pools
            .pools
            .values()
            .map(|p| {
                vec![
                    link(&pool_href(&p.id), &p.id),
                    esc(&p.region),
                    p.users.len().to_string(),
                    esc(&p.groups.keys().cloned().collect::<Vec<_>>().join(", ")),
                    esc(&p.clients.keys().cloned().collect::<Vec<_>>().join(", ")),
                ]
            })
            .collect();
        let identity: Vec<Vec<String>> = st
            .identity
            .pools
            .values()
            .map(|p| {
                let count = st
                    .identity
                    .identities
                    .values()
                    .filter(|i| i.pool_id == p.id)
                    .count();
                vec![
                    link(&format!("{PREFIX}/identity-pools"), &p.id),
                    count.to_string(),
                ]
            })
            .collect();
        (pools, identity)
    });
    let mut body = format!(
        "<p>Endpoint <code>{}</code> · configuration: {} · {} · {}</p><h2>User pools</h2>",
        esc(&backend.endpoint()),
        link("/_emulator/amplify_outputs.json", "amplify_outputs.json"),
        link(
            "/_emulator/amplifyconfiguration.json",
            "amplifyconfiguration.json"
        ),
        link("/_emulator/aws-exports.json", "aws-exports.json (web)"),
    );
    body.push_str(&raw_table(
        "",
        &["Pool", "Region", "Users", "Groups", "App clients"],
        &pools.into_iter().map(raw_row).collect::<String>(),
    ));
    body.push_str("<h2>Identity pools</h2>");
    body.push_str(&raw_table(
        "",
        &["Identity pool", "Identities"],
        &identity.into_iter().map(raw_row).collect::<String>(),
    ));
    body.push_str("<h2>APIs</h2>");
    match &backend.appsync().graphql {
        Some(api) => body.push_str(&format!(
            "<p>GraphQL API {} ({}): {}</p>",
            esc(&api.name),
            esc(api.default_mode.as_str()),
            link(&format!("{PREFIX}/graphql"), "schema and query runner"),
        )),
        None => body.push_str("<p>No GraphQL API.</p>"),
    }
    ok("Overview", &body)
}

fn pool(backend: &Backend, pool_id: &str) -> Response<Bytes> {
    let found = backend.with_state(|_, st| {
        let pool = st.user_pools.pools.get(pool_id)?;
        let users: Vec<String> = pool
            .users
            .values()
            .map(|u| {
                let attributes = u
                    .attributes
                    .iter()
                    .map(|(k, v)| format!("{}={}", esc(k), esc(v)))
                    .collect::<Vec<_>>()
                    .join("<br>");
                format!(
                    "<tr data-username=\"{name}\"><td>{link}</td><td class=\"status\">{status}</td>\
                     <td class=\"enabled\">{enabled}</td><td>{attributes}</td><td>{groups}</td><td>{created}</td></tr>",
                    name = esc(&u.username),
                    link = link(&user_href(&pool.id, &u.username), &u.username),
                    status = esc(u.status.as_str()),
                    enabled = if u.enabled { "yes" } else { "no" },
                    groups = esc(&u.groups.iter().cloned().collect::<Vec<_>>().join(", ")),
                    created = esc(&date(u.created)),
                )
            })
            .collect();
        let groups: Vec<Vec<String>> = pool
            .groups
            .values()
            .map(|g| {
                vec![
                    g.name.clone(),
                    g.precedence.map(|p| p.to_string()).unwrap_or_default(),
                    g.role_arn.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let clients: Vec<Vec<String>> = pool
            .clients
            .values()
            .map(|c| {
                vec![
                    c.id.clone(),
                    c.name.clone(),
                    if c.secret.is_some() { "yes" } else { "no" }.to_owned(),
                ]
            })
            .collect();
        Some((users, groups, clients))
    });
    let Some((users, groups, clients)) = found else {
        return missing("User pool", pool_id);
    };
    let mut body = String::from("<h2>Users</h2>");
    body.push_str(&raw_table(
        "id=\"users\"",
        &[
            "Username",
            "Status",
            "Enabled",
            "Attributes",
            "Groups",
            "Created",
        ],
        &users.concat(),
    ));
    body.push_str("<h2>Groups</h2>");
    body.push_str(&table(
        "groups",
        &["Group", "Precedence", "Role ARN"],
        &groups,
    ));
    body.push_str("<h2>App clients</h2>");
    body.push_str(&table(
        "clients",
        &["Client id", "Name", "Has a secret"],
        &clients,
    ));
    ok(&format!("User pool {pool_id}"), &body)
}

fn missing(what: &str, id: &str) -> Response<Bytes> {
    html::page_response(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!(
            "<p>{} <code>{}</code> does not exist.</p>",
            esc(what),
            esc(id)
        ),
    )
}

fn user(backend: &Backend, query: &Params<'_>, csrf: &str) -> Response<Bytes> {
    let pool_id = query.str("pool");
    let username = query.str("username");
    let request = json!({"UserPoolId": pool_id, "Username": username});
    let user = match backend.call("AdminGetUser", &request) {
        Ok(user) => user,
        Err(e) => {
            return html::page_response(
                StatusCode::NOT_FOUND,
                "Not found",
                &format!(
                    "<p class=\"error\">{}: {}</p><p>{}</p>",
                    esc(e.kind().as_str()),
                    esc(e.message()),
                    link(&pool_href(pool_id), "Back to the pool")
                ),
            );
        }
    };
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string())
    };
    let mut body = String::new();
    if let Some(done) = query.get("done") {
        body.push_str(&format!(
            "<p class=\"notice\" id=\"notice\">{}</p>",
            esc(done)
        ));
    }
    if let Some(error) = query.get("error") {
        body.push_str(&format!(
            "<p class=\"error\" id=\"error\">{}</p>",
            esc(error)
        ));
    }
    let mfa = at(&user, "UserMFASettingList")
        .as_array()
        .map(|l| l.iter().map(text).collect::<Vec<_>>().join(", "))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "none".to_owned());
    body.push_str(&format!(
        "<p>{}</p><dl><dt>Status</dt><dd id=\"status\">{}</dd><dt>Enabled</dt><dd id=\"enabled\">{}</dd>\
         <dt>MFA</dt><dd id=\"mfa\">{}</dd><dt>Preferred MFA</dt><dd>{}</dd>\
         <dt>Created</dt><dd>{}</dd><dt>Modified</dt><dd>{}</dd></dl>",
        link(&pool_href(pool_id), &format!("User pool {pool_id}")),
        esc(&text(at(&user, "UserStatus"))),
        esc(&text(at(&user, "Enabled"))),
        esc(&mfa),
        esc(at(&user, "PreferredMfaSetting").as_str().unwrap_or("none")),
        esc(&date(at(&user, "UserCreateDate").as_f64().unwrap_or_default())),
        esc(&date(at(&user, "UserLastModifiedDate").as_f64().unwrap_or_default())),
    ));
    let attributes: Vec<Vec<String>> = at(&user, "UserAttributes")
        .as_array()
        .map(|list| {
            list.iter()
                .map(|a| vec![text(at(a, "Name")), text(at(a, "Value"))])
                .collect()
        })
        .unwrap_or_default();
    body.push_str("<h2>Attributes</h2>");
    body.push_str(&table("attributes", &["Name", "Value"], &attributes));
    body.push_str("<h2>Groups</h2>");
    body.push_str(&match backend.call("AdminListGroupsForUser", &request) {
        Ok(groups) => {
            let rows: Vec<Vec<String>> = at(&groups, "Groups")
                .as_array()
                .map(|l| l.iter().map(|g| vec![text(at(g, "GroupName"))]).collect())
                .unwrap_or_default();
            table("user-groups", &["Group"], &rows)
        }
        Err(e) => format!("<p class=\"error\">{}</p>", esc(e.message())),
    });
    body.push_str("<h2>Devices</h2>");
    body.push_str(&devices(backend, &request));
    body.push_str(&super::actions::forms(pool_id, username, csrf));
    ok(&format!("User {username}"), &body)
}

fn devices(backend: &Backend, request: &Value) -> String {
    match backend.call("AdminListDevices", request) {
        Ok(devices) => {
            let rows: Vec<Vec<String>> = at(&devices, "Devices")
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|d| {
                            let attribute = |name: &str| {
                                at(d, "DeviceAttributes")
                                    .as_array()
                                    .and_then(|a| a.iter().find(|x| at(x, "Name") == name))
                                    .and_then(|x| at(x, "Value").as_str())
                                    .unwrap_or_default()
                                    .to_owned()
                            };
                            vec![
                                at(d, "DeviceKey").as_str().unwrap_or_default().to_owned(),
                                attribute("device_name"),
                                attribute("dev:device_remembered_status"),
                                date(
                                    at(d, "DeviceLastAuthenticatedDate")
                                        .as_f64()
                                        .unwrap_or_default(),
                                ),
                            ]
                        })
                        .collect()
                })
                .unwrap_or_default();
            table(
                "devices",
                &["Device key", "Name", "Remembered", "Last authenticated"],
                &rows,
            )
        }
        Err(e) => format!("<p>{}</p>", esc(e.message())),
    }
}

fn outbox_json(backend: &Backend, after: u64) -> Value {
    let items: Vec<Value> = backend
        .outbox()
        .messages()
        .iter()
        .rev()
        .take_while(|m| m.id > after)
        .map(|m| {
            let mut item = m.to_json();
            if let Some(sent) = item.get_mut("sentAt") {
                *sent = json!(iso8601_millis(m.sent_at));
            }
            item
        })
        .collect();
    json!({ "items": items })
}

/// The outbox's columns, in the page's order.
const OUTBOX_COLUMNS: &[&str] = &[
    "id",
    "sentAt",
    "userPoolId",
    "username",
    "destination",
    "deliveryMedium",
    "kind",
    "code",
];

fn outbox(backend: &Backend) -> Response<Bytes> {
    live_page(
        "Outbox",
        "Codes and temporary passwords as the pools send them, newest first.",
        "outbox",
        OUTBOX_COLUMNS,
        "id",
        &outbox_json(backend, 0),
    )
}

fn requests_json(backend: &Backend, after: u64) -> Value {
    let items: Vec<Value> = backend
        .console()
        .history()
        .newest_first(after)
        .iter()
        .map(|(seq, e)| e.to_json(*seq))
        .collect();
    json!({ "items": items })
}

const REQUEST_COLUMNS: &[&str] = &[
    "seq",
    "time",
    "operation",
    "method",
    "path",
    "status",
    "decision",
    "request_id",
];

fn requests(backend: &Backend) -> Response<Bytes> {
    live_page(
        "Requests",
        "Every request the emulator answered (the console's own pages excepted), newest first, \
         with its decision: accepted, or the error type it was refused with. The same lines \
         as --log json.",
        "requests",
        REQUEST_COLUMNS,
        "seq",
        &requests_json(backend, 0),
    )
}

/// A table of `items` that polls `<name>.json` for newer ones.
fn live_page(
    title: &str,
    intro: &str,
    name: &str,
    columns: &[&str],
    key: &str,
    items: &Value,
) -> Response<Bytes> {
    let items = at(items, "items").as_array().cloned().unwrap_or_default();
    let newest = items.first().and_then(|i| at(i, key).as_u64()).unwrap_or(0);
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| {
            columns
                .iter()
                .map(|c| match &at(item, c) {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    let rows: String = rows
        .iter()
        .map(|row| raw_row(row.iter().map(|c| esc(c))))
        .collect();
    let table = raw_table(
        &format!("id=\"{}\" data-after=\"{newest}\"", esc(name)),
        columns,
        &rows,
    );
    let columns_json = serde_json::to_string(columns).unwrap_or_else(|_| "[]".to_owned());
    let body = format!(
        "<p>{}</p>{table}<script>live({url}, {id}, {columns_json}, {key});</script>",
        esc(intro),
        url = js_string(&format!("{PREFIX}/{name}.json")),
        id = js_string(name),
        key = js_string(key),
    );
    ok(title, &body)
}

/// The member `name` of a JSON object (`null` when absent).
pub(super) fn at<'a>(value: &'a Value, name: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    value.get(name).unwrap_or(&NULL)
}

/// A JSON string literal that is safe inside `<script>` (no `</script>` can close it).
pub(super) fn js_string(text: &str) -> String {
    Value::String(text.to_owned())
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn identity_pools(backend: &Backend) -> Response<Bytes> {
    let body = backend.with_state(|_, st| {
        let mut body = String::new();
        for pool in st.identity.pools.values() {
            let spec = &pool.spec;
            body.push_str(&format!(
                "<h2>{}</h2><dl><dt>Region</dt><dd>{}</dd><dt>Guest access</dt><dd>{}</dd>\
                 <dt>User pools</dt><dd>{}</dd><dt>OIDC providers</dt><dd>{}</dd>\
                 <dt>Developer provider</dt><dd>{}</dd><dt>Authenticated role</dt><dd>{}</dd>\
                 <dt>Guest role</dt><dd>{}</dd></dl>",
                esc(&pool.id),
                esc(&pool.region),
                if spec.allow_guests { "allowed" } else { "off" },
                esc(&spec
                    .user_pools
                    .as_ref()
                    .map_or("every emulated pool".to_owned(), |p| p.join(", "))),
                esc(&spec
                    .oidc_providers
                    .as_ref()
                    .map_or("every emulated issuer".to_owned(), |p| p.join(", "))),
                esc(spec.developer_provider_name.as_deref().unwrap_or("none")),
                esc(&spec.authenticated_role_arn),
                esc(&spec.unauthenticated_role_arn),
            ));
            let mut identities: Vec<(&String, &crate::state::identity::Identity)> = st
                .identity
                .identities
                .iter()
                .filter(|(_, i)| i.pool_id == pool.id)
                .collect();
            identities.sort_by(|a, b| b.1.created.total_cmp(&a.1.created).then(a.0.cmp(b.0)));
            let rows: Vec<Vec<String>> = identities
                .iter()
                .map(|(id, i)| {
                    vec![
                        (*id).clone(),
                        if i.logins.is_empty() {
                            "(guest)".to_owned()
                        } else {
                            i.logins.iter().cloned().collect::<Vec<_>>().join(", ")
                        },
                        date(i.created),
                        date(i.modified),
                    ]
                })
                .collect();
            body.push_str(&table(
                "identities",
                &["Identity id", "Logins", "Created", "Modified"],
                &rows,
            ));
        }
        if body.is_empty() {
            body.push_str("<p>No identity pools.</p>");
        }
        body
    });
    ok("Identity pools", &body)
}
