//! The API commands: `graphql`, `rest`, `subscribe`.

use std::path::Path;
use std::time::Duration;

use amplify_api::{ApiPlugin, GraphQlError, GraphQlResponse, HttpResponse};
use amplify_core::AuthorizationType;
use serde_json::{Value, json};

use crate::args::{OperationArgs, RestArgs, SubscribeArgs, pair};
use crate::failure::CliError;
use crate::output::{Output, line_err};

/// How long `subscribe` waits for AppSync's acknowledgement.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// `--auth-mode` in any of its spellings.
pub(crate) fn auth_mode(text: &str) -> Result<AuthorizationType, CliError> {
    let normalized = text.trim().to_ascii_uppercase().replace('-', "_");
    let mode = match normalized.as_str() {
        "API_KEY" | "APIKEY" | "KEY" => AuthorizationType::ApiKey,
        "USER_POOL" | "USER_POOLS" | "USERPOOL" | "COGNITO" | "AMAZON_COGNITO_USER_POOLS" => {
            AuthorizationType::AmazonCognitoUserPools
        }
        "IAM" | "AWS_IAM" => AuthorizationType::AwsIam,
        "OIDC" | "OPENID_CONNECT" => AuthorizationType::OpenIdConnect,
        "LAMBDA" | "AWS_LAMBDA" => AuthorizationType::AwsLambda,
        "NONE" => AuthorizationType::None,
        _ => {
            return Err(CliError::Usage(format!(
                "unknown authorization mode `{text}`: use api-key, user-pool, iam, oidc, lambda or none"
            )));
        }
    };
    Ok(mode)
}

/// The text of an argument that may be `@FILE` (or `-` for stdin when `dash_is_stdin`).
fn text_or_file(text: &str, dash_is_stdin: bool) -> Result<String, CliError> {
    if dash_is_stdin && text == "-" {
        let mut buffer = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut buffer).map_err(|source| {
            CliError::InputFile {
                path: "-".into(),
                source,
            }
        })?;
        return Ok(buffer);
    }
    match text.strip_prefix('@') {
        Some(path) => read_file(Path::new(path)),
        None => Ok(text.to_owned()),
    }
}

fn read_file(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::InputFile {
        path: path.to_owned(),
        source,
    })
}

/// The document and variables of `graphql` / `subscribe`.
fn document_and_variables(args: &OperationArgs) -> Result<(String, Option<Value>), CliError> {
    let document = match (&args.file, &args.document) {
        (Some(path), _) => read_file(path)?,
        (None, Some(text)) => text_or_file(text, true)?,
        (None, None) => return Err(CliError::Usage("no GraphQL document given".to_owned())),
    };
    let variables = match &args.variables {
        Some(text) => {
            let text = text_or_file(text, false)?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| CliError::Usage(format!("--variables is not JSON: {e}")))?;
            if !value.is_object() {
                return Err(CliError::Usage(
                    "--variables must be a JSON object".to_owned(),
                ));
            }
            Some(value)
        }
        None => None,
    };
    Ok((document, variables))
}

/// The first keyword of a document, to tell queries, mutations and subscriptions apart.
fn operation_keyword(document: &str) -> &str {
    document
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .find(|l| !l.is_empty())
        .and_then(|l| l.split(|c: char| !c.is_ascii_alphabetic()).next())
        .unwrap_or_default()
}

fn response_json(response: &GraphQlResponse<Value>) -> Value {
    let mut value = serde_json::Map::new();
    value.insert("data".to_owned(), json!(response.data));
    if !response.errors.is_empty() {
        value.insert("errors".to_owned(), json!(response.errors));
    }
    Value::Object(value)
}

fn errors_summary(errors: &[GraphQlError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// `graphql`: prints `{"data", "errors"?}`; exit 4 when the response has GraphQL errors.
pub(crate) async fn graphql(
    api: &ApiPlugin,
    args: &OperationArgs,
    output: &Output,
) -> Result<(), CliError> {
    let (document, variables) = document_and_variables(args)?;
    let keyword = operation_keyword(&document);
    if keyword == "subscription" {
        return Err(CliError::Usage(
            "this is a subscription: use `amplify-rs subscribe`".to_owned(),
        ));
    }
    let mut operation = if keyword == "mutation" {
        api.mutate(document)
    } else {
        api.query(document)
    };
    operation = operation
        .set_variables(variables)
        .set_api_name(args.api.clone())
        .set_operation_name(args.operation_name.clone());
    if let Some(mode) = &args.auth_mode {
        operation = operation.authorization_mode(auth_mode(mode)?);
    }
    let result = output.spin("Sending", operation.send::<Value>()).await;
    let response = match result {
        Ok(response) => response,
        Err(e) => {
            // AppSync's refusals carry GraphQL errors too: show them before the error.
            if !e.graphql_errors().is_empty() && output.is_json() {
                output.document(&json!({"data": null, "errors": e.graphql_errors()}));
            }
            return Err(e.into());
        }
    };
    output.document(&response_json(&response));
    if response.errors.is_empty() {
        Ok(())
    } else {
        Err(CliError::Reported(format!(
            "the response has GraphQL errors: {}",
            errors_summary(&response.errors)
        )))
    }
}

/// `rest`: prints `{"status", "body"}` (the body as JSON when it is JSON).
pub(crate) async fn rest(
    api: &ApiPlugin,
    args: &RestArgs,
    output: &Output,
) -> Result<(), CliError> {
    let mut request = match args.method.to_ascii_uppercase().as_str() {
        "GET" => api.get(&args.path),
        "POST" => api.post(&args.path),
        "PUT" => api.put(&args.path),
        "PATCH" => api.patch(&args.path),
        "DELETE" => api.delete(&args.path),
        "HEAD" => api.head(&args.path),
        other => {
            return Err(CliError::Usage(format!(
                "unsupported method `{other}`: use GET, POST, PUT, PATCH, DELETE or HEAD"
            )));
        }
    };
    request = request.set_api_name(args.api.clone());
    if let Some(mode) = &args.auth_mode {
        request = request.authorization_mode(auth_mode(mode)?);
    }
    for q in &args.query {
        let (name, value) = pair(q, '=')
            .ok_or_else(|| CliError::Usage(format!("--query {q}: expected NAME=VALUE")))?;
        request = request.query_param(name, value);
    }
    for h in &args.headers {
        let (name, value) = pair(h, ':')
            .ok_or_else(|| CliError::Usage(format!("--header {h}: expected NAME:VALUE")))?;
        request = request.header(name, value.trim());
    }
    if let Some(body) = &args.body {
        let body = text_or_file(body, true)?;
        if serde_json::from_str::<Value>(&body).is_ok() {
            request = request.header("content-type", "application/json");
        }
        request = request.body(body);
    }
    match output.spin("Sending", request.send()).await {
        Ok(response) => {
            output.document(&http_json(&response));
            Ok(())
        }
        Err(e) => {
            if let Some(response) = e.response() {
                output.document(&http_json(response));
            }
            Err(e.into())
        }
    }
}

fn http_json(response: &HttpResponse) -> Value {
    let body = response.body();
    let body = serde_json::from_slice::<Value>(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
    json!({"status": response.status().as_u16(), "body": body})
}

/// `subscribe`: one JSON line per event on stdout, until Ctrl-C or `--count` events.
pub(crate) async fn subscribe(
    api: &ApiPlugin,
    args: &SubscribeArgs,
    output: &Output,
) -> Result<(), CliError> {
    let (document, variables) = document_and_variables(&args.operation)?;
    let mut operation = api
        .subscribe(document)
        .set_variables(variables)
        .set_api_name(args.operation.api.clone())
        .set_operation_name(args.operation.operation_name.clone());
    if let Some(mode) = &args.operation.auth_mode {
        operation = operation.authorization_mode(auth_mode(mode)?);
    }
    // Listen for Ctrl-C before announcing the subscription, so an interrupt right after the
    // announcement ends the loop instead of killing the process.
    let interrupted = interrupt()?;
    tokio::pin!(interrupted);
    let mut subscription = operation.start::<Value>()?;
    match tokio::time::timeout(
        START_TIMEOUT,
        output.spin("Subscribing", subscription.established()),
    )
    .await
    {
        Ok(result) => result?,
        Err(_) => {
            return Err(CliError::NeedsAction(
                "the subscription was not acknowledged within 30 s".to_owned(),
            ));
        }
    }
    // A fixed line on stderr tells scripts (and tests) that events will now arrive.
    line_err("subscribed; waiting for events (Ctrl-C to stop)");
    let mut received = 0u64;
    while args.count.is_none_or(|n| received < n) {
        tokio::select! {
            () = &mut interrupted => break,
            event = subscription.next() => match event {
                Some(Ok(response)) => {
                    crate::output::line_out(&response_json(&response).to_string());
                    received += 1;
                }
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
        }
    }
    Ok(())
}

/// Completes at Ctrl-C (SIGINT); the handler is installed when this returns.
#[cfg(unix)]
fn interrupt() -> Result<impl std::future::Future<Output = ()>, CliError> {
    let mut signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(CliError::Terminal)?;
    Ok(async move {
        signal.recv().await;
    })
}

/// Completes at Ctrl-C; the handler is installed when this returns.
#[cfg(windows)]
fn interrupt() -> Result<impl std::future::Future<Output = ()>, CliError> {
    let mut signal = tokio::signal::windows::ctrl_c().map_err(CliError::Terminal)?;
    Ok(async move {
        signal.recv().await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_modes_parse_in_every_spelling() {
        for (text, mode) in [
            ("api-key", AuthorizationType::ApiKey),
            ("API_KEY", AuthorizationType::ApiKey),
            ("user-pool", AuthorizationType::AmazonCognitoUserPools),
            (
                "AMAZON_COGNITO_USER_POOLS",
                AuthorizationType::AmazonCognitoUserPools,
            ),
            ("iam", AuthorizationType::AwsIam),
            ("oidc", AuthorizationType::OpenIdConnect),
            ("lambda", AuthorizationType::AwsLambda),
            ("none", AuthorizationType::None),
        ] {
            assert_eq!(auth_mode(text).ok(), Some(mode), "{text}");
        }
        assert!(matches!(auth_mode("bearer"), Err(CliError::Usage(_))));
    }

    #[test]
    fn the_operation_keyword_skips_comments_and_blank_lines() {
        assert_eq!(operation_keyword("\n# c\n  mutation M { a }"), "mutation");
        assert_eq!(operation_keyword("subscription{ a }"), "subscription");
        assert_eq!(operation_keyword("{ a }"), "");
    }
}
