//! The amplify-rs guide's pages about the API category, and the pages whose examples use Auth, API and the emulator together.
//!
//! The pages are `docs/*.md` in the repository (built as an mdBook); each is included here (through the crate's `guide` symlink to `docs/`,
//! so the packaged crate carries the pages) so that `cargo test --doc` compiles its Rust code blocks and docs.rs shows it. Relative links
//! between pages work in the book and on GitHub.

#[doc = include_str!("../guide/introduction.md")]
pub mod introduction {}

#[doc = include_str!("../guide/api.md")]
pub mod api {}

#[cfg(feature = "aws-config")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws-config")))]
#[doc = include_str!("../guide/server-iam.md")]
pub mod server_iam {}

#[doc = include_str!("../guide/subscriptions.md")]
pub mod subscriptions {}

#[doc = include_str!("../guide/emulator.md")]
pub mod emulator {}

#[doc = include_str!("../guide/testing.md")]
pub mod testing {}
