//! The Amplify API category: AppSync GraphQL and API Gateway REST.
//!
//! This crate will hold the API plugin, which authorizes requests through the providers that
//! `amplify-core`'s registry holds (never by depending on the auth crate). It is empty until its
//! own issue lands.
#![cfg_attr(docsrs, feature(doc_cfg))]
