#!/usr/bin/env bash
# The guide (issue 14), as CI checks it: docs/troubleshooting.md matches the recovery suggestions
# in the source, every relative link and #anchor of docs/*.md and the READMEs resolves, the
# mdBook builds (into cargo's target directory, never into the repository), and the Rust code of
# the page that needs a feature compiles (the other pages' code runs as doc tests in
# `cargo test --workspace`). Installs mdbook with cargo when the pinned version is missing. Any
# failure fails CI; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export CARGO_TERM_COLOR=never

MDBOOK_VERSION=0.5.4
started=$(date +%s)
fail() {
    echo "docs.sh: $*" >&2
    exit 1
}
elapsed() { echo "$(($(date +%s) - started)) s"; }

echo "-- docs/troubleshooting.md is generated from the source and up to date"
cargo run -q --locked -p xtask -- docs troubleshooting --check || fail "troubleshooting page out of date"

echo "-- relative links and anchors of the guide and the READMEs"
cargo run -q --locked -p xtask -- check-links || fail "broken links"

echo "-- mdbook $MDBOOK_VERSION"
bin="${CARGO_HOME:-$HOME/.cargo}/bin"
mdbook="$bin/mdbook"
if ! "$mdbook" --version 2>/dev/null | grep -qx "mdbook v$MDBOOK_VERSION"; then
    install_started=$(date +%s)
    # No default features: without `serve` and `watch` (a web server and a file watcher the
    # build does not use); `search` keeps the book's search box.
    cargo install mdbook --locked --version "$MDBOOK_VERSION" --no-default-features --features search \
        || fail "cannot install mdbook $MDBOOK_VERSION"
    echo "installed mdbook in $(($(date +%s) - install_started)) s"
fi
"$mdbook" --version | grep -qx "mdbook v$MDBOOK_VERSION" || fail "$mdbook is not mdbook v$MDBOOK_VERSION"

echo "-- mdbook build docs"
target_dir=$(cargo metadata --locked --format-version 1 --no-deps \
    | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target_dir" ] || fail "cannot find cargo's target directory"
book="$target_dir/book"
rm -rf "$book"
"$mdbook" build docs --dest-dir "$book" || fail "mdbook build failed"
# Every chapter of SUMMARY.md became a page.
chapters=$(grep -o '([a-z0-9-]*\.md)' docs/SUMMARY.md | tr -d '()' | sed 's/\.md$//')
[ -n "$chapters" ] || fail "no chapters found in docs/SUMMARY.md"
for chapter in $chapters; do
    [ -s "$book/$chapter.html" ] || fail "the book has no $chapter.html"
done
[ -s "$book/index.html" ] || fail "the book has no index.html"
echo "book: $book ($(echo "$chapters" | wc -l) chapters)"

echo "-- the server-side IAM page's code (needs amplify-api's aws-config feature)"
cargo test -q --locked -p amplify-api --features aws-config --doc guide:: || fail "guide doc tests failed"

echo "docs.sh passed in $(elapsed)"
