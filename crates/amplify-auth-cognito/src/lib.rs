//! The Amplify Auth category for Amazon Cognito.
//!
//! Sign-up, sign-in (SRP by default), sessions with automatic refresh, sign-out and identity-pool
//! federation, built on the official `aws-sdk-cognitoidentityprovider` and
//! `aws-sdk-cognitoidentity` crates. The [`srp`] module is Cognito's SRP client, sans IO.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod srp;
