//! The console's admin actions: POST forms that run the Cognito admin operations (the same
//! functions `AdminConfirmSignUp`, `AdminSetUserPassword`, ... answer over HTTP) through
//! [`Backend::call`], then redirect to the user's page with what happened.

use bytes::Bytes;
use http::Response;
use serde_json::{Map, Value, json};

use super::html::esc;
use super::{PREFIX, Params, pool_href, see_other, user_href};
use crate::backend::Backend;
use crate::util::form;

/// `action` form value → the admin operation it runs and what the page says after it.
const ACTIONS: &[(&str, &str, &str)] = &[
    ("confirm", "AdminConfirmSignUp", "Confirmed."),
    ("set-password", "AdminSetUserPassword", "Password set."),
    (
        "reset-password",
        "AdminResetUserPassword",
        "Password reset: the user must set a new one with the code sent (see the outbox).",
    ),
    ("add-to-group", "AdminAddUserToGroup", "Added to the group."),
    (
        "remove-from-group",
        "AdminRemoveUserFromGroup",
        "Removed from the group.",
    ),
    ("disable", "AdminDisableUser", "Disabled."),
    ("enable", "AdminEnableUser", "Enabled."),
    (
        "sign-out",
        "AdminUserGlobalSignOut",
        "Signed out everywhere: every token of the user is revoked.",
    ),
    ("delete", "AdminDeleteUser", "Deleted."),
];

/// Runs the action a form asks for.
pub(super) fn run(backend: &Backend, fields: &Params<'_>) -> Response<Bytes> {
    let pool_id = fields.str("pool");
    let username = fields.str("username");
    let action = fields.str("action");
    let back = |key: &str, message: &str| {
        format!(
            "{}&{}",
            user_href(pool_id, username),
            form::serialize([(key, message)])
        )
    };
    let Some((_, operation, done)) = ACTIONS.iter().find(|(name, _, _)| *name == action) else {
        return see_other(&back("error", &format!("Unknown action {action:?}.")));
    };
    let mut request = Map::new();
    request.insert("UserPoolId".into(), json!(pool_id));
    request.insert("Username".into(), json!(username));
    match action {
        "set-password" => {
            request.insert("Password".into(), json!(fields.str("password")));
            request.insert("Permanent".into(), json!(fields.get("permanent").is_some()));
        }
        "add-to-group" | "remove-from-group" => {
            request.insert("GroupName".into(), json!(fields.str("group")));
        }
        _ => {}
    }
    tracing::debug!(operation, "console action");
    match backend.call(operation, &Value::Object(request)) {
        Ok(_) if action == "delete" => see_other(&pool_href(pool_id)),
        Ok(_) => see_other(&back("done", done)),
        Err(e) => see_other(&back(
            "error",
            &format!("{operation}: {}: {}", e.kind().as_str(), e.message()),
        )),
    }
}

/// The action forms of a user's page.
pub(super) fn forms(pool_id: &str, username: &str, csrf: &str) -> String {
    let hidden = format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <input type=\"hidden\" name=\"pool\" value=\"{}\">\
         <input type=\"hidden\" name=\"username\" value=\"{}\">",
        esc(csrf),
        esc(pool_id),
        esc(username)
    );
    let form = |action: &str, extra: &str, label: &str| {
        format!(
            "<form class=\"inline\" method=\"post\" action=\"{PREFIX}/action\">{hidden}\
             <input type=\"hidden\" name=\"action\" value=\"{action}\">{extra}\
             <button type=\"submit\" id=\"action-{action}\">{label}</button></form>"
        )
    };
    let mut out = String::from("<h2>Actions</h2><p>");
    for (action, label) in [
        ("confirm", "Confirm"),
        ("reset-password", "Reset password"),
        ("disable", "Disable"),
        ("enable", "Enable"),
        ("sign-out", "Sign out everywhere"),
    ] {
        out.push_str(&form(action, "", label));
    }
    out.push_str("</p><p>");
    out.push_str(&form(
        "set-password",
        "<input type=\"password\" name=\"password\" placeholder=\"new password\" autocomplete=\"new-password\" required> \
         <label><input type=\"checkbox\" name=\"permanent\" checked> permanent</label> ",
        "Set password",
    ));
    out.push_str("</p><p>");
    let group = "<input name=\"group\" placeholder=\"group name\" required> ";
    out.push_str(&form("add-to-group", group, "Add to group"));
    out.push_str(&form("remove-from-group", group, "Remove from group"));
    out.push_str("</p><p>");
    out.push_str(&form("delete", "", "Delete user"));
    out.push_str("</p>");
    out
}
