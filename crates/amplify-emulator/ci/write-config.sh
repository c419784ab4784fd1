#!/usr/bin/env bash
# `amplify-emulator serve --write-config` driven by a JavaScript app that knows only the written
# file (issue 16): write_config_app.mjs starts the built binary with --write-config for
# amplify_outputs.json (Gen 2), aws-exports.js (the Gen 1 web module the Amplify CLI writes) and a
# JavaScript project's src/amplifyconfiguration.json (--config-format gen1-web), waits for the
# ready line, configures unmodified amplify-js from the file, signs a user up (the code from the
# outbox), confirms, signs in, runs a GraphQL mutation and query, stops the emulator with SIGTERM
# and checks it exits 0. Run by .ci/run; exits non-zero on any failure, never skips.
set -euo pipefail
cd "$(dirname "$0")/../../.."
source crates/amplify-emulator/ci/node_deps.bash

TARGET=$(ci_target_dir)
BIN=$(ci_emulator_bin)
NODE_DIR=$TARGET/ci-node
ci_node_deps "$NODE_DIR"
cp crates/amplify-emulator/ci/write_config_app.mjs "$NODE_DIR/"

export EMULATOR_BIN=$BIN
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
start=$(date +%s)
(cd "$NODE_DIR" && timeout 180 node write_config_app.mjs)
echo "write-config check took $(($(date +%s) - start)) s"
