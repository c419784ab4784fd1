//! Snapshot tests: the generated code for the demo's inputs (the emulator's sample schema, the
//! blog data schema, `amplify_outputs.json`) is checked in under `tests/expected/`, so a change
//! in the output shows in review. `cargo xtask codegen snapshots` (or `UPDATE_SNAPSHOTS=1
//! cargo test -p amplify-codegen --test snapshots`) rewrites them. The demo crate
//! (`examples/codegen-demo`) compiles the same output and runs it against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use amplify_codegen::{CodegenError, ConfigModule, ModelsModule};

fn demo(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/codegen-demo")
        .join(file)
}

fn check(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "tests/expected/{name} differs from the generated output from line {}: run \
             `cargo xtask codegen snapshots` and review the diff",
            line + 1
        );
    }
}

#[test]
fn todo_sample_schema() {
    let generated = ModelsModule::from_file(demo("schemas/todo.graphql"))
        .unwrap()
        .generate()
        .unwrap();
    check("todo.rs", generated.source());
}

#[test]
fn blog_data_schema() {
    let generated = ModelsModule::from_file(demo("schemas/blog.graphql"))
        .unwrap()
        .generate()
        .unwrap();
    check("blog.rs", generated.source());
    check("blog.appsync.graphql", generated.appsync_schema());
}

#[test]
fn demo_configuration() {
    let generated = ConfigModule::from_file(demo("amplify_outputs.json"))
        .unwrap()
        .generate()
        .unwrap();
    check("amplify_config.rs", &generated);
}

#[test]
fn the_transformed_schema_generates_the_same_operations() {
    // The AppSync schema a data schema becomes gives the same operations and types as the
    // data schema itself (only the header differs).
    let data = ModelsModule::from_file(demo("schemas/blog.graphql"))
        .unwrap()
        .generate()
        .unwrap();
    let appsync = ModelsModule::new(data.appsync_schema())
        .source_name("blog.graphql")
        .generate()
        .unwrap();
    let body = |s: &str| s.split_once("\n\n").map(|(_, b)| b.to_owned()).unwrap();
    assert_eq!(body(data.source()), body(appsync.source()));
}

fn schema_error(sdl: &str) -> (usize, usize, String) {
    match ModelsModule::new(sdl).source_name("s.graphql").generate() {
        Err(CodegenError::Schema(problem)) => {
            assert_eq!(problem.file_name(), Some("s.graphql"));
            (
                problem.line(),
                problem.column(),
                problem.message().to_owned(),
            )
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
}

#[test]
fn schema_errors_have_line_and_column() {
    let (line, column, _) = schema_error("type Todo @model {\n  name: String!\n  done Boolean\n}");
    assert_eq!((line, column), (3, 8));

    let (line, column, message) =
        schema_error("type Todo @model {\n  name: String!\n  tags: [Tag]\n}");
    assert_eq!((line, column), (3, 3));
    assert!(message.contains("`Tag`"), "{message}");

    let (line, column, message) = schema_error(
        "type A @model {\n  bs: [B] @manyToMany(relationName: \"AB\")\n}\ntype B @model { x: Int }",
    );
    assert_eq!((line, column), (2, 3));
    assert!(message.contains("@manyToMany"), "{message}");

    let (line, _, message) =
        schema_error("type A @model {\n  b: Note @hasOne\n}\ntype Note { x: Int }");
    assert_eq!(line, 2);
    assert!(message.contains("@model"), "{message}");
}

#[test]
fn config_errors_have_the_json_path_and_a_suggestion() {
    let err = ConfigModule::new(r#"{"version": "1", "data": {"aws_region": "us-east-1"}}"#)
        .source_name("amplify_outputs.json")
        .generate()
        .unwrap_err();
    assert_eq!(err.json_path(), Some("data.url"));
    let report = err.report();
    assert!(report.starts_with("amplify_outputs.json is not a valid Amplify configuration"));
    assert!(report.contains("suggestion: "), "{report}");
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let err = ModelsModule::from_file("does/not/exist.graphql").unwrap_err();
    let CodegenError::Io(failure) = &err else {
        panic!("{err}")
    };
    assert_eq!(failure.path(), Path::new("does/not/exist.graphql"));
    assert!(err.to_string().contains("cannot read"));
}

#[test]
fn write_to_out_dir_needs_a_build_script() {
    // Tests do not run in a build script, so OUT_DIR is not set.
    if std::env::var_os("OUT_DIR").is_none() {
        let err = ModelsModule::new("type T @model { x: Int }")
            .write_to_out_dir("t.rs")
            .unwrap_err();
        assert!(matches!(err, CodegenError::NotInBuildScript));
    }
}
