//! The amplify-rs guide's page about code generation (`docs/codegen.md`), included here because
//! its examples use this crate's generated modules: `cargo test --doc -p codegen-demo` compiles
//! them against real generated code (`use codegen_demo as my_app;` in hidden lines).

#[doc = include_str!("../../../docs/codegen.md")]
pub mod codegen {}
