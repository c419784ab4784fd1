#!/usr/bin/env bash
# The emulator's web console in a real headless browser: Debian's Chromium and ChromeDriver,
# driven by Selenium (Python, from a venv under target/). Signs a user up through the Cognito
# API, sees the user UNCONFIRMED and the code in the console's outbox, clicks Confirm and sees
# CONFIRMED (ci/console_browser.py). Installs Chromium as root when missing; never skips: without
# a browser, a venv or the emulator it fails.
set -euo pipefail
cd "$(dirname "$0")/../../.."
started=$(date +%s)

# Where cargo builds (CARGO_TARGET_DIR or a config may move it from target/).
TARGET=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
VENV=$TARGET/ci-venv-console
BIN=$TARGET/debug/amplify-emulator
SELENIUM=selenium==4.51.0
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}

if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "console-browser: $CHROMIUM or $CHROMEDRIVER is missing and this is not root; install them: apt-get install -y chromium chromium-driver" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
"$CHROMEDRIVER" --version

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check "$SELENIUM"

# Up to date with the sources (a no-op after `cargo test --workspace`).
cargo build -q -p amplify-emulator --bin amplify-emulator --locked

WORK=$(mktemp -d)
# What the binary serves by default, plus an OIDC mode (with an audience) for the query runner.
cat > "$WORK/seed.json" <<'JSON'
{
  "userPools": [{"region": "us-east-1"}],
  "identityPools": [{}],
  "oidcIssuers": ["https://issuer.example.test"],
  "graphqlApi": {
    "defaultMode": "API_KEY",
    "additionalModes": ["AMAZON_COGNITO_USER_POOLS", "AWS_IAM", "OPENID_CONNECT"],
    "oidcIssuer": "https://issuer.example.test",
    "oidcClientId": "console-app"
  }
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
    echo "console-browser: amplify-emulator did not print its ready line" >&2
    exit 1
fi
echo "emulator ready: $READY"

export EMULATOR_READY="$READY"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export TMPDIR="$WORK"
timeout 180 "$VENV/bin/python" crates/amplify-emulator/ci/console_browser.py
echo "console-browser: passed in $(($(date +%s) - started)) s"
