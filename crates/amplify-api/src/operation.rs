//! The operation builders: [`GraphQlOperation`](graphql::GraphQlOperation) for queries and
//! mutations and [`RestOperation`](rest::RestOperation). Each holds the plugin's shared
//! [`Dispatcher`](crate::request::Dispatcher), so operations never import the client.

pub(crate) mod graphql;
pub(crate) mod rest;
