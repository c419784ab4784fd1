//! The amplify-rs guide's page about configuration files.
//!
//! The pages are `docs/*.md` in the repository (built as an mdBook); each is included here (through the crate's `guide` symlink to `docs/`,
//! so the packaged crate carries the pages) so that `cargo test --doc` compiles its Rust code blocks and docs.rs shows it. Relative links
//! between pages work in the book and on GitHub.

#[doc = include_str!("../guide/configuration.md")]
pub mod configuration {}
