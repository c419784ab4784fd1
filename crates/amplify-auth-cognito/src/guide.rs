//! The amplify-rs guide's pages about Auth.
//!
//! The pages are `docs/*.md` in the repository (built as an mdBook); each is included here so
//! that `cargo test --doc` compiles its Rust code blocks and docs.rs shows it. Relative links
//! between pages work in the book and on GitHub.

#[doc = include_str!("../../../docs/auth.md")]
pub mod auth {}

#[doc = include_str!("../../../docs/sessions.md")]
pub mod sessions {}

#[doc = include_str!("../../../docs/federation.md")]
pub mod federation {}
