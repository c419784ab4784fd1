//! The command line (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// amplify-rs in a terminal: Cognito sign-up and sign-in with every next step, sessions,
/// AppSync GraphQL and subscriptions, and API Gateway REST calls, for any Amplify
/// configuration (Gen 1 or Gen 2) or the embedded emulator.
///
/// Exit codes: 0 ok, 1 other failure, 2 usage, 3 not signed in or authorization refused,
/// 4 service error, 5 network error, 6 configuration error, 7 a next step needs an answer.
#[derive(Debug, Parser)]
#[command(name = "amplify-rs", version, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// The configuration: amplify_outputs.json (Gen 2) or amplifyconfiguration.json (Gen 1),
    /// also the file `amplify-emulator serve --write-config` writes. Default: whichever of the
    /// two is in the current directory.
    #[arg(long, global = true, env = "AMPLIFY_RS_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Start the embedded emulator for this command (an in-memory Cognito + AppSync with the
    /// sample Todo API and the user alice / Amplify-Passw0rd!); nothing persists.
    #[arg(long, global = true, conflicts_with = "config")]
    pub(crate) emulator: bool,
    /// Keep the session in the encrypted file store in DIR (key file beside it) instead of the
    /// OS keychain.
    #[arg(
        long,
        global = true,
        env = "AMPLIFY_RS_STORAGE_DIR",
        value_name = "DIR"
    )]
    pub(crate) storage_dir: Option<PathBuf>,
    /// Print results as JSON on stdout (one document per line) and errors as JSON on stderr.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// No colour (also with NO_COLOR set, or when stderr is not a terminal).
    #[arg(long, global = true)]
    pub(crate) no_color: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a user; the next step is usually `confirm-sign-up` with the code sent.
    SignUp(SignUpArgs),
    /// Confirm a new user with the code that was sent.
    ConfirmSignUp(ConfirmSignUpArgs),
    /// Sign in, answering every next step (MFA codes, MFA selection and setup, new password,
    /// custom challenge) at prompts.
    SignIn(SignInArgs),
    /// Show the session: decoded claims, groups, identity id, credential expiry.
    Session,
    /// Refresh the tokens (and identity-pool credentials) now.
    Refresh,
    /// Sign out (revoke the refresh token, clear the stored session).
    SignOut(SignOutArgs),
    /// List or update the signed-in user's attributes.
    Attributes(AttributesArgs),
    /// Run a GraphQL query or mutation and print the response as JSON.
    Graphql(GraphqlArgs),
    /// Send a request to a REST API (API Gateway).
    Rest(RestArgs),
    /// Subscribe and print each event as a JSON line until Ctrl-C or --count events.
    Subscribe(SubscribeArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `sign-up`.
#[derive(Debug, Args)]
pub(crate) struct SignUpArgs {
    /// The username (or email / phone number when the pool signs in with those).
    pub(crate) username: String,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    pub(crate) password_stdin: bool,
    /// The email attribute.
    #[arg(long)]
    pub(crate) email: Option<String>,
    /// The phone_number attribute (E.164, +15555550100).
    #[arg(long)]
    pub(crate) phone_number: Option<String>,
    /// Any other attribute, NAME=VALUE (repeatable): name, custom:plan, ...
    #[arg(long = "attribute", value_name = "NAME=VALUE")]
    pub(crate) attributes: Vec<String>,
}

/// `confirm-sign-up`.
#[derive(Debug, Args)]
pub(crate) struct ConfirmSignUpArgs {
    /// The username.
    pub(crate) username: String,
    /// The code (prompted for when absent).
    pub(crate) code: Option<String>,
    /// Send a new code instead of confirming.
    #[arg(long, conflicts_with = "code")]
    pub(crate) resend: bool,
}

/// `sign-in`.
#[derive(Debug, Args)]
pub(crate) struct SignInArgs {
    /// The username (prompted for when absent).
    pub(crate) username: Option<String>,
    /// Read the password from the first line of standard input; later answers (codes) are
    /// read one per line after it.
    #[arg(long)]
    pub(crate) password_stdin: bool,
    /// The authentication flow (default: the configuration's, else SRP).
    #[arg(long, value_enum)]
    pub(crate) flow: Option<Flow>,
    /// With `--flow user-auth`: the first factor to ask for instead of being offered a choice.
    #[arg(long, value_enum)]
    pub(crate) first_factor: Option<FirstFactor>,
    /// The authenticator app's name for this device, when setting up TOTP.
    #[arg(long, default_value = "amplify-rs")]
    pub(crate) device_name: String,
    /// The issuer shown in the authenticator app, when setting up TOTP.
    #[arg(long, default_value = "amplify-rs")]
    pub(crate) issuer: String,
}

/// A sign-in flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Flow {
    /// USER_SRP_AUTH: the password is proven with SRP, never sent.
    Srp,
    /// USER_PASSWORD_AUTH: the password is sent over TLS.
    Password,
    /// CUSTOM_AUTH_WITH_SRP: SRP, then custom challenges.
    CustomSrp,
    /// CUSTOM_AUTH: custom challenges only (no password).
    Custom,
    /// USER_AUTH: choice-based (password, email or SMS one-time code).
    UserAuth,
}

/// A first factor of `USER_AUTH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FirstFactor {
    /// PASSWORD.
    Password,
    /// PASSWORD_SRP.
    PasswordSrp,
    /// EMAIL_OTP.
    EmailOtp,
    /// SMS_OTP.
    SmsOtp,
}

/// `sign-out`.
#[derive(Debug, Args)]
pub(crate) struct SignOutArgs {
    /// Sign out on every device (GlobalSignOut), not only here.
    #[arg(long)]
    pub(crate) global: bool,
}

/// `attributes`.
#[derive(Debug, Args)]
pub(crate) struct AttributesArgs {
    #[command(subcommand)]
    pub(crate) action: Option<AttributesAction>,
}

/// What `attributes` does (default: list).
#[derive(Debug, Subcommand)]
pub(crate) enum AttributesAction {
    /// List the attributes.
    List,
    /// Update attributes, NAME=VALUE ...; email and phone number wait for a code.
    Update {
        /// NAME=VALUE pairs.
        #[arg(required = true, value_name = "NAME=VALUE")]
        attributes: Vec<String>,
    },
    /// Confirm an updated attribute with the code that was sent.
    Confirm {
        /// The attribute (email, phone_number).
        name: String,
        /// The code.
        code: String,
    },
}

/// Options shared by `graphql` and `subscribe`.
#[derive(Debug, Args)]
pub(crate) struct OperationArgs {
    /// The document, or `-` for standard input (or use --file).
    #[arg(required_unless_present = "file")]
    pub(crate) document: Option<String>,
    /// Read the document from FILE.
    #[arg(long, short, conflicts_with = "document", value_name = "FILE")]
    pub(crate) file: Option<PathBuf>,
    /// Variables as a JSON object (or @FILE).
    #[arg(long, value_name = "JSON")]
    pub(crate) variables: Option<String>,
    /// The authorization mode (default: the API's): api-key, user-pool, iam, oidc, lambda,
    /// none, or the AppSync names (API_KEY, AMAZON_COGNITO_USER_POOLS, ...).
    #[arg(long, value_name = "MODE")]
    pub(crate) auth_mode: Option<String>,
    /// The API's name when the configuration has several.
    #[arg(long, value_name = "NAME")]
    pub(crate) api: Option<String>,
    /// The operation to run when the document has several.
    #[arg(long, value_name = "NAME")]
    pub(crate) operation_name: Option<String>,
}

/// `graphql`.
#[derive(Debug, Args)]
pub(crate) struct GraphqlArgs {
    #[command(flatten)]
    pub(crate) operation: OperationArgs,
}

/// `subscribe`.
#[derive(Debug, Args)]
pub(crate) struct SubscribeArgs {
    #[command(flatten)]
    pub(crate) operation: OperationArgs,
    /// Stop after N events.
    #[arg(long, value_name = "N")]
    pub(crate) count: Option<u64>,
}

/// `rest`.
#[derive(Debug, Args)]
pub(crate) struct RestArgs {
    /// GET, POST, PUT, PATCH, DELETE or HEAD.
    pub(crate) method: String,
    /// The path under the API's URL (`/items/1`).
    pub(crate) path: String,
    /// The body (JSON or text), or @FILE.
    #[arg(long, value_name = "BODY")]
    pub(crate) body: Option<String>,
    /// A query parameter NAME=VALUE (repeatable).
    #[arg(long = "query", value_name = "NAME=VALUE")]
    pub(crate) query: Vec<String>,
    /// A header NAME:VALUE (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME:VALUE")]
    pub(crate) headers: Vec<String>,
    /// The REST API's name when the configuration has several.
    #[arg(long, value_name = "NAME")]
    pub(crate) api: Option<String>,
    /// The authorization mode (default: the API's).
    #[arg(long, value_name = "MODE")]
    pub(crate) auth_mode: Option<String>,
}

/// `NAME=VALUE` into its two parts.
pub(crate) fn pair(text: &str, separator: char) -> Option<(&str, &str)> {
    text.split_once(separator)
        .map(|(k, v)| (k.trim(), v))
        .filter(|(k, _)| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn pairs_split_at_the_first_separator() {
        assert_eq!(pair("custom:plan=a=b", '='), Some(("custom:plan", "a=b")));
        assert_eq!(pair("=x", '='), None);
        assert_eq!(pair("x-trace: 1", ':'), Some(("x-trace", " 1")));
    }
}
