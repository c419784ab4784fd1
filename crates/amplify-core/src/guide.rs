//! The amplify-rs guide's reference pages.
//!
//! The pages are `docs/*.md` in the repository (built as an mdBook); each is included here so
//! that `cargo test --doc` compiles its Rust code blocks and docs.rs shows it. Relative links
//! between pages work in the book and on GitHub.

#[doc = include_str!("../../../docs/from-amplify.md")]
pub mod from_amplify {}

#[doc = include_str!("../../../docs/troubleshooting.md")]
pub mod troubleshooting {}
