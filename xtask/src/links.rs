//! `cargo xtask check-links`: every relative link and `#anchor` in the guide (`docs/*.md`) and
//! the READMEs (the root's, `crates/*`, `examples/*`, `xtask`) resolves.
//!
//! * Links are Markdown inline links and images (`[text](target)`, `![alt](target)`),
//!   reference definitions (`[name]: target`) and autolinks (`<https://...>`), outside fenced
//!   code blocks and inline code.
//! * A relative target must name an existing file or folder, relative to the page. An anchor
//!   (`page.md#section`, `#section`) must be the id of a heading of that page, computed as
//!   GitHub and mdBook do (lower case; letters, digits, `-` and `_` kept; spaces become `-`;
//!   repeated headings get `-1`, `-2`, ...). On other files only GitHub's line anchors
//!   (`#L10`, `#L10-L20`) are accepted.
//! * A page of the book (`docs/`) may only link inside `docs/`: mdBook publishes that folder
//!   alone, so a link out of it would be broken in the built book (name such files in code
//!   text instead).
//! * External `http(s)` links are not fetched (CI has no general internet); they are listed.
//!
//! Any broken link fails the command with its file and line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// A link found in a page.
#[derive(Debug, PartialEq, Eq)]
struct Link {
    line: usize,
    target: String,
}

/// Runs the check over the workspace at `root`.
pub(crate) fn run(root: &Path) -> Result<String, String> {
    let pages = pages(root)?;
    let book = normalize(&root.join("docs"));
    let mut broken = Vec::new();
    let mut external = BTreeSet::new();
    let mut checked = 0usize;
    let mut anchors_cache: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for page in &pages {
        let text = std::fs::read_to_string(page)
            .map_err(|e| format!("cannot read {}: {e}", page.display()))?;
        for link in links(&text) {
            let target = link.target.as_str();
            if target.starts_with("http://") || target.starts_with("https://") {
                external.insert(target.to_owned());
                continue;
            }
            if target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let in_book = page.parent().is_some_and(|dir| normalize(dir) == book);
            let result = check(page, target, &mut anchors_cache).and_then(|file| {
                if in_book && !file.starts_with(&book) {
                    Err(
                        "leaves docs/: broken in the built book (name the file in code text)"
                            .to_owned(),
                    )
                } else {
                    Ok(())
                }
            });
            if let Err(reason) = result {
                let shown = page.strip_prefix(root).unwrap_or(page);
                broken.push(format!(
                    "{}:{}: {target}: {reason}",
                    shown.display(),
                    link.line
                ));
            }
        }
    }
    let mut report = format!(
        "check-links: {} pages, {checked} relative links checked, {} external links not fetched:",
        pages.len(),
        external.len()
    );
    for url in &external {
        report.push_str("\n  ");
        report.push_str(url);
    }
    if broken.is_empty() {
        report.push_str("\nall relative links and anchors resolve");
        Ok(report)
    } else {
        Err(format!(
            "{report}\n{} broken links:\n  {}",
            broken.len(),
            broken.join("\n  ")
        ))
    }
}

/// The pages to check, sorted.
fn pages(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = vec![root.join("README.md")];
    let docs = root.join("docs");
    for entry in read_dir(&docs)? {
        if entry.extension().is_some_and(|e| e == "md") {
            out.push(entry);
        }
    }
    for folder in ["crates", "examples"] {
        for dir in read_dir(&root.join(folder))? {
            let readme = dir.join("README.md");
            if readme.is_file() {
                out.push(readme);
            }
        }
    }
    let xtask = root.join("xtask").join("README.md");
    if xtask.is_file() {
        out.push(xtask);
    }
    for page in &out {
        if !page.is_file() {
            return Err(format!("{} is missing", page.display()));
        }
    }
    out.sort();
    Ok(out)
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        out.push(entry.map_err(|e| e.to_string())?.path());
    }
    out.sort();
    Ok(out)
}

/// Checks one relative target of `page`; returns the file it names.
fn check(
    page: &Path,
    target: &str,
    anchors_cache: &mut BTreeMap<PathBuf, BTreeSet<String>>,
) -> Result<PathBuf, String> {
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (target, None),
    };
    let file = if path.is_empty() {
        normalize(page)
    } else {
        let base = page.parent().unwrap_or(Path::new("."));
        normalize(&base.join(percent_decode(path)))
    };
    if !file.exists() {
        return Err(format!("{} does not exist", file.display()));
    }
    let Some(anchor) = anchor else {
        return Ok(file);
    };
    if file.extension().is_some_and(|e| e == "md") {
        if !anchors_cache.contains_key(&file) {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            anchors_cache.insert(file.clone(), anchors(&text));
        }
        let known = anchors_cache.get(&file).is_some_and(|a| a.contains(anchor));
        if known {
            Ok(file)
        } else {
            Err(format!(
                "no heading with the id `{anchor}` in {}",
                file.display()
            ))
        }
    } else if is_line_anchor(anchor) {
        Ok(file)
    } else {
        Err(format!("`#{anchor}` on a file that is not Markdown"))
    }
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn percent_decode(path: &str) -> String {
    path.replace("%20", " ")
}

fn is_line_anchor(anchor: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let one = |s: &str| s.strip_prefix('L').is_some_and(digits);
    match anchor.split_once('-') {
        Some((a, b)) => one(a) && one(b),
        None => one(anchor),
    }
}

/// The lines of `text` outside fenced code blocks, with their 1-based numbers.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = if trimmed.starts_with("```") {
            Some("```")
        } else if trimmed.starts_with("~~~") {
            Some("~~~")
        } else {
            None
        };
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            (None, None) => out.push((index + 1, line)),
            _ => {}
        }
    }
    out
}

/// `line` without its inline code spans.
fn without_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].bytes().take_while(|&b| b == b'`').count();
        let after = &rest[start + ticks..];
        let closing = "`".repeat(ticks);
        match after.find(&closing) {
            Some(end) => rest = &after[end + ticks..],
            None => {
                out.push_str(&rest[start..]);
                return out;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every link target in `text`.
fn links(text: &str) -> Vec<Link> {
    let mut out = Vec::new();
    for (line_number, line) in prose_lines(text) {
        let line = without_code_spans(line);
        // Reference definitions: `[name]: target`.
        let trimmed = line.trim_start();
        if trimmed.starts_with('[')
            && let Some(close) = trimmed.find("]:")
        {
            if let Some(target) = trimmed[close + 2..].split_whitespace().next() {
                out.push(Link {
                    line: line_number,
                    target: target.trim_matches(['<', '>']).to_owned(),
                });
            }
            continue;
        }
        // Inline links and images: `](target)` or `](target "title")`.
        let mut rest = line.as_str();
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let end = after.find(')').unwrap_or(after.len());
            let inside = &after[..end];
            if let Some(target) = inside.split_whitespace().next() {
                out.push(Link {
                    line: line_number,
                    target: target.trim_matches(['<', '>']).to_owned(),
                });
            }
            rest = &after[end..];
        }
        // Autolinks: `<https://...>`.
        let mut rest = line.as_str();
        while let Some(start) = rest.find("<http") {
            let after = &rest[start + 1..];
            let end = after.find('>').unwrap_or(after.len());
            if !after[..end].contains(' ') {
                out.push(Link {
                    line: line_number,
                    target: after[..end].to_owned(),
                });
            }
            rest = &after[end..];
        }
    }
    out
}

/// The heading ids of a page.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for (_, line) in prose_lines(text) {
        let hashes = line.bytes().take_while(|&b| b == b'#').count();
        if hashes == 0 || hashes > 6 || !line[hashes..].starts_with(' ') {
            continue;
        }
        let title = line[hashes..].trim().trim_end_matches('#').trim();
        let base = slug(title);
        let count = seen.entry(base.clone()).or_insert(0);
        let id = if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
        out.insert(id);
    }
    out
}

/// A heading's id, as GitHub and mdBook compute it.
fn slug(title: &str) -> String {
    // Links in a heading count by their text.
    let mut text = String::new();
    let mut rest = title;
    while let Some(start) = rest.find("](") {
        text.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        rest = after.find(')').map_or("", |end| &after[end + 1..]);
    }
    text.push_str(rest);
    text.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github_and_mdbook() {
        assert_eq!(
            slug("Sessions, refresh and storage"),
            "sessions-refresh-and-storage"
        );
        assert_eq!(
            slug("Choice-based sign-in (`USER_AUTH`)"),
            "choice-based-sign-in-user_auth"
        );
        assert_eq!(
            slug("From Amplify Flutter / amplify-js"),
            "from-amplify-flutter--amplify-js"
        );
        assert_eq!(slug("See [the guide](guide.md) now"), "see-the-guide-now");
    }

    #[test]
    fn repeated_headings_are_numbered_and_code_is_skipped() {
        let page = "# A\n## Errors\n```sh\n# not a heading\n```\n## Errors\n";
        let ids = anchors(page);
        assert!(ids.contains("a") && ids.contains("errors") && ids.contains("errors-1"));
        assert!(!ids.contains("not-a-heading"));
    }

    #[test]
    fn links_outside_code_are_found() {
        let page = "see [a](a.md#x) and `[b](b.md)` and ![i](img.png \"t\")\n\
                    ```md\n[c](c.md)\n```\n[ref]: ../r.md\n<https://example.com/x>\n";
        let targets: Vec<String> = links(page).into_iter().map(|l| l.target).collect();
        assert_eq!(
            targets,
            ["a.md#x", "img.png", "../r.md", "https://example.com/x"]
        );
    }

    #[test]
    fn targets_are_checked_against_files_and_headings() {
        let dir = std::env::temp_dir().join(format!("xtask-links-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).expect("temp dir");
        std::fs::write(dir.join("a.md"), "# Title\n## Part two\n").expect("write");
        std::fs::write(dir.join("sub").join("b.md"), "text").expect("write");
        let page = dir.join("sub").join("b.md");
        let mut cache = BTreeMap::new();
        assert!(check(&page, "../a.md#part-two", &mut cache).is_ok());
        assert!(check(&page, "../a.md", &mut cache).is_ok());
        assert!(check(&page, "../a.md#part-three", &mut cache).is_err());
        assert!(check(&page, "missing.md", &mut cache).is_err());
        assert!(check(&page, "b.md#L3-L9", &mut cache).is_err()); // b.md is Markdown
        assert!(is_line_anchor("L3-L9") && !is_line_anchor("L") && !is_line_anchor("x3"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn book_pages_may_not_link_out_of_docs() {
        let root = std::env::temp_dir().join(format!("xtask-book-{}", std::process::id()));
        for dir in ["docs", "crates/a", "examples"] {
            std::fs::create_dir_all(root.join(dir)).expect("temp dir");
        }
        std::fs::write(root.join("README.md"), "[guide](docs/a.md#top)\n").expect("write");
        std::fs::write(root.join("crates/a/README.md"), "[up](../../README.md)\n").expect("write");
        std::fs::write(root.join("docs/a.md"), "# Top\n[self](#top) [b](b.md)\n").expect("write");
        std::fs::write(root.join("docs/b.md"), "[readme](../README.md)\n").expect("write");
        let error = run(&root).expect_err("docs/b.md links out of the book");
        assert!(
            error.contains("1 broken links") && error.contains("docs/b.md:1"),
            "{error}"
        );
        std::fs::write(root.join("docs/b.md"), "`README.md`\n").expect("write");
        assert!(run(&root).is_ok());
        let _ = std::fs::remove_dir_all(&root);
    }
}
