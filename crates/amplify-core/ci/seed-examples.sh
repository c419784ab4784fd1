#!/usr/bin/env bash
# The seed examples (issue 14): one example per Amplify documentation page in
# /work/shared/seeds, each run to completion against the embedded emulator. Each example checks
# its own results and exits non-zero on a wrong one; this script builds them in one cargo
# invocation (shared dependencies, one link step each), runs every one, and fails if any
# failed or did not finish with its "Done." line.
#
# The built binaries are run directly: `cargo run -p <one>` resolves features for that package
# alone, which differs from the set built together and would rebuild shared dependencies.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export CARGO_TERM_COLOR=never

examples=(custom-storage federation sign-in-flows tokens multi-auth-api)

fail() {
    echo "seed-examples.sh: $*" >&2
    exit 1
}

command -v timeout >/dev/null || fail "timeout (coreutils) is needed to bound each run"

packages=()
for example in "${examples[@]}"; do
    packages+=(-p "$example")
done
echo "-- building ${examples[*]}"
cargo build --locked "${packages[@]}"
target_dir=$(cargo metadata --locked --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -d "$target_dir/debug" ] || fail "no target directory found with cargo metadata (got '$target_dir')"

failed=()
for example in "${examples[@]}"; do
    echo "-- $example (cargo run -p $example)"
    binary="$target_dir/debug/$example"
    [ -x "$binary" ] || fail "$binary was not built"
    start=$SECONDS
    if out=$(timeout 300 "$binary" 2>&1); then
        status=0
    else
        status=$?
    fi
    echo "$out"
    if [ "$status" -ne 0 ]; then
        echo "seed-examples.sh: $example exited with $status" >&2
        failed+=("$example")
    elif [ "$(tail -n 1 <<<"$out")" != "Done." ]; then
        echo "seed-examples.sh: $example exited 0 without its final \"Done.\" line" >&2
        failed+=("$example")
    fi
    echo "-- $example: $((SECONDS - start)) s"
done

[ "${#failed[@]}" -eq 0 ] || fail "failed: ${failed[*]}"
echo "seed-examples.sh: passed (${#examples[@]} examples)"
