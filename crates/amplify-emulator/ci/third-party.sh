#!/usr/bin/env bash
# Third-party clients against amplify-emulator: pycognito (SRP, checks the tokens itself) and
# boto3, from a venv. Run by .ci/run after `cargo test --workspace`. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."

source crates/amplify-emulator/ci/node_deps.bash
TARGET=$(ci_target_dir)
VENV=$TARGET/ci-venv
BIN=$(ci_emulator_bin)

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check pycognito boto3

WORK=$(mktemp -d)
cat > "$WORK/seed.json" <<'JSON'
{
  "userPools": [{
    "region": "us-east-1",
    "id": "us-east-1_ThirdParty1",
    "clients": [
      {"id": "pycognitoclient"},
      {"id": "pycognitosecretclient", "secret": "pycognito-test-secret-0123456789"}
    ],
    "mfa": "OPTIONAL",
    "mfaMethods": ["SMS", "TOTP", "EMAIL"],
    "users": [
      {"username": "alice", "password": "Passw0rd!", "attributes": {"email": "alice@example.com"}},
      {"username": "tom", "password": "Passw0rd!", "attributes": {"email": "tom@example.com"}},
      {"username": "emma", "password": "Passw0rd!", "attributes": {"email": "emma@example.com"}}
    ]
  }],
  "identityPools": [{"allowGuests": true}],
  "graphqlApi": {"defaultMode": "API_KEY", "additionalModes": ["AMAZON_COGNITO_USER_POOLS", "AWS_IAM"]},
  "restApis": [{"name": "api", "mode": "AWS_IAM"}]
}
JSON

coproc EMULATOR { exec "$BIN" --seed "$WORK/seed.json"; }
EMULATOR_PID=$EMULATOR_PID
cleanup() {
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! read -r -t 60 READY <&"${EMULATOR[0]}"; then
    echo "amplify-emulator did not print its ready line" >&2
    exit 1
fi
echo "emulator ready: $READY"

export EMULATOR_READY="$READY"
# Loopback only; dummy credentials for boto3's signer (the emulator ignores signatures).
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export AWS_ACCESS_KEY_ID=AKIDTHIRDPARTY AWS_SECRET_ACCESS_KEY=thirdpartysecret AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN
"$VENV/bin/python" crates/amplify-emulator/ci/third_party_check.py

# amplify-js (pinned to the version checked here) with `ws` for its subscriptions. The check must
# run: no Node, a failed install or a failed check fails the script.
NODE_DIR=$TARGET/ci-node
ci_node_deps "$NODE_DIR"
cp crates/amplify-emulator/ci/amplify_js_check.mjs crates/amplify-emulator/ci/amplify_js_mfa.mjs \
    crates/amplify-emulator/ci/amplify_js_config.mjs "$NODE_DIR/"
(cd "$NODE_DIR" && timeout 180 node amplify_js_check.mjs)
(cd "$NODE_DIR" && timeout 120 node amplify_js_mfa.mjs)
(cd "$NODE_DIR" && timeout 60 node amplify_js_config.mjs)
