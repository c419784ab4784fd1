//! Every `amplify-rs` command through the built binary, against an emulator started in the
//! test process (its configuration written to a file, the session in a private encrypted file
//! store), asserting stdout JSON, stderr errors and exit codes; and interactive sign-ins in a
//! pseudo-terminal.
#![allow(
    clippy::print_stdout,
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod api;
mod auth;
#[cfg(unix)]
mod pty;
mod steps;
mod support;
