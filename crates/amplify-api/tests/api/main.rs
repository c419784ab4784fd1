//! Integration tests of the API client against an in-test loopback server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    unreachable_pub
)]

mod auth_modes;
mod connect;
mod errors;
mod graphql;
mod iam;
mod plugin;
mod rest;
mod secrets;
mod support;
mod tls;
mod transport;
