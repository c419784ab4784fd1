//! Generates the typed configuration and the models of `schemas/*.graphql` into `OUT_DIR`, as
//! an application crate would (see `docs/codegen.md`).

use amplify_codegen::{CodegenError, ConfigModule, ModelsModule};

fn main() {
    if let Err(error) = generate() {
        #[allow(clippy::print_stderr)] // A build script reports on stderr.
        {
            eprintln!("{}", error.report());
        }
        std::process::exit(1);
    }
}

fn generate() -> Result<(), CodegenError> {
    ConfigModule::from_file("amplify_outputs.json")?.write_to_out_dir("amplify_config.rs")?;
    ModelsModule::from_file("schemas/todo.graphql")?.write_to_out_dir("todo.rs")?;
    ModelsModule::from_file("schemas/blog.graphql")?.write_to_out_dir("blog.rs")?;
    Ok(())
}
