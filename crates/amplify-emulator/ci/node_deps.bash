# Sourced by the CI scripts next to it (not run on its own: .ci/run runs only *.sh).
# ci_target_dir: the workspace's cargo target directory, from `cargo metadata`.
# ci_emulator_bin: the built amplify-emulator binary (built when missing).
# ci_node_deps DIR: node and npm (Debian packages when missing and root), then amplify-js pinned to
# the version these checks are written for and `ws`, installed in DIR. Each fails loudly.

ci_target_dir() {
    local dir
    dir=$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])') || return 1
    if [ -z "$dir" ]; then
        echo "cargo metadata named no target directory" >&2
        return 1
    fi
    echo "$dir"
}

ci_emulator_bin() {
    local target
    target=$(ci_target_dir) || return 1
    # `cargo test --workspace` builds the binary for the crate's integration tests.
    if [ ! -x "$target/debug/amplify-emulator" ]; then
        cargo build -p amplify-emulator --bin amplify-emulator --locked >&2 || return 1
    fi
    echo "$target/debug/amplify-emulator"
}

ci_node_deps() {
    local dir=$1
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
        fi
    fi
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "the amplify-js check cannot run: node and npm are not installed" >&2
        return 1
    fi
    mkdir -p "$dir"
    if [ ! -d "$dir/node_modules/aws-amplify" ] || [ ! -d "$dir/node_modules/ws" ]; then
        if ! (cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } &&
            timeout 600 npm install --silent --no-audit --no-fund aws-amplify@6.22.1 ws@8 >/dev/null 2>&1); then
            echo "the amplify-js check cannot run: npm install failed" >&2
            return 1
        fi
    fi
}
