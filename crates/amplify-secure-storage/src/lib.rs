//! Secure storage for Amplify credentials.
//!
//! This crate will hold the `SecureStorage` interface, storage scopes and the OS keychain,
//! encrypted file and in-memory backends. It is empty until its own issue lands; it exists so
//! the workspace layout is complete and dependents can be wired up.
#![cfg_attr(docsrs, feature(doc_cfg))]
