//! The Amplify Auth category for Amazon Cognito.
//!
//! This crate will hold the Cognito auth plugin (sign-up, sign-in, sessions, sign-out and
//! federation) built on the official `aws-sdk-cognitoidentityprovider` and
//! `aws-sdk-cognitoidentity` crates. It is empty until its own issue lands.
#![cfg_attr(docsrs, feature(doc_cfg))]
