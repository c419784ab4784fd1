#!/usr/bin/env bash
# Server-side IAM (issue 17): the `aws-config` feature's dependency hygiene, clippy without the
# feature, and the `server-iam` example run against the embedded emulator with credentials from
# the environment that the emulator is told to trust. Any failure fails CI.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export CARGO_TERM_COLOR=never

fail() {
    echo "server-iam.sh: $*" >&2
    exit 1
}

# `cargo tree -i X` prints X's reverse tree when X is in the graph; a crate outside the graph
# prints nothing or a "did not match" error. Only a printed `X v...` line counts as present.
in_tree() {
    local out
    out=$(cargo tree --locked "$@" 2>&1) || true
    grep -qE "^[a-z0-9_-]+ v[0-9]" <<<"$out"
}

echo "-- amplify-api without the feature pulls in no aws-config"
if in_tree -p amplify-api -e normal -i aws-config; then
    fail "aws-config is a normal dependency of amplify-api without the aws-config feature"
fi
in_tree -p amplify-api -e normal --features aws-config -i aws-config \
    || fail "the check is broken: aws-config is not found even with the feature"

echo "-- with the feature: no aws-lc-rs, no OpenSSL"
for crate in aws-lc-rs aws-lc-sys openssl-sys; do
    if in_tree -p amplify-api --features aws-config -i "$crate"; then
        fail "$crate is in amplify-api's tree with the aws-config feature"
    fi
done

echo "-- clippy, amplify-api without the feature (the workspace run has it unified on)"
cargo clippy -p amplify-api --all-targets --locked -- -D warnings

echo "-- the server_iam tests ran in the workspace run; run them again on their own"
cargo test -p amplify-api --features aws-config --test server_iam --locked

echo "-- the example against the emulator, credentials from the environment"
out=$(
    env -u AWS_PROFILE \
        AWS_ACCESS_KEY_ID=AKIASERVERIAMCI00001 \
        AWS_SECRET_ACCESS_KEY=server-iam-ci-secret \
        AWS_SESSION_TOKEN=server-iam-ci-session \
        AWS_REGION=us-east-1 \
        AWS_EC2_METADATA_DISABLED=true \
        cargo run -q --locked -p server-iam -- --emulator
) || fail "the example failed"
echo "$out"
grep -q '^mutation (AWS_IAM): {"createTodo"' <<<"$out" || fail "no mutation result"
grep -q '^query (AWS_IAM): {"listTodos"' <<<"$out" || fail "no query result"
grep -q '^REST GET /items (AWS_IAM): 200' <<<"$out" || fail "no REST result"
echo "server-iam.sh: passed"
