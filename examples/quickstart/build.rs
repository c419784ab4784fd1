//! Generates typed models and operations for the emulator's sample Todo API (the schema
//! `examples/codegen-demo` checks against the emulator) into `OUT_DIR`, as an application crate
//! would (`docs/codegen.md`).

use amplify_codegen::ModelsModule;

fn main() {
    let generated = ModelsModule::from_file("../codegen-demo/schemas/todo.graphql")
        .and_then(|module| module.write_to_out_dir("todo.rs"));
    if let Err(error) = generated {
        #[allow(clippy::print_stderr)] // A build script reports on stderr.
        {
            eprintln!("{}", error.report());
        }
        std::process::exit(1);
    }
}
