//! Writing generated files: only when they change, and into a build script's `OUT_DIR`.

use std::path::{Path, PathBuf};

use crate::CodegenError;

/// Reads an input file: its text, its file name (for headers and messages) and its path.
pub(crate) fn read(path: &Path) -> Result<(String, String, Option<PathBuf>), CodegenError> {
    let text = std::fs::read_to_string(path).map_err(|e| CodegenError::io("read", path, e))?;
    Ok((text, file_name(path), Some(path.to_owned())))
}

/// The file name of `path`, for headers and messages.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Writes `contents` to `path` unless it already holds them (so builds that include the file
/// are not redone). Returns whether the file changed.
pub(crate) fn write_if_changed(path: &Path, contents: &str) -> Result<bool, CodegenError> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(false);
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| CodegenError::io("create", parent, e))?;
    }
    std::fs::write(path, contents).map_err(|e| CodegenError::io("write", path, e))?;
    Ok(true)
}

/// Writes `contents` to `$OUT_DIR/<file_name>` and asks Cargo to rerun the build script when
/// `input` changes.
pub(crate) fn to_out_dir(
    input: Option<&Path>,
    file_name: &str,
    contents: &str,
) -> Result<PathBuf, CodegenError> {
    let out_dir = std::env::var_os("OUT_DIR").ok_or(CodegenError::NotInBuildScript)?;
    let path = PathBuf::from(out_dir).join(file_name);
    write_if_changed(&path, contents)?;
    if let Some(input) = input {
        rerun_if_changed(input);
    }
    Ok(path)
}

/// Cargo's build-script instruction, on the standard output where Cargo reads it.
#[allow(clippy::print_stdout)] // Build scripts talk to Cargo on stdout.
fn rerun_if_changed(path: &Path) {
    println!("cargo::rerun-if-changed={}", path.display());
}
