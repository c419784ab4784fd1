//! The amplify-rs guide's pages about Auth.
//!
//! The pages are `docs/*.md` in the repository (built as an mdBook); each is included here (through the crate's `guide` symlink to `docs/`,
//! so the packaged crate carries the pages) so that `cargo test --doc` compiles its Rust code blocks and docs.rs shows it. Relative links
//! between pages work in the book and on GitHub.

#[doc = include_str!("../guide/auth.md")]
pub mod auth {}

#[doc = include_str!("../guide/sessions.md")]
pub mod sessions {}

#[doc = include_str!("../guide/federation.md")]
pub mod federation {}
