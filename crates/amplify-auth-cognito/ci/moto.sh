#!/usr/bin/env bash
# Compatibility suite of the auth plugin against moto (a third-party Cognito emulator) on
# loopback. Run by .ci/run after `cargo test --workspace`. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."

VENV=target/ci-venv-moto
if [ ! -x "$VENV/bin/moto_server" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check 'moto[server]==5.2.5' boto3
fi

cargo build -p amplify-auth-cognito --example moto_compat --locked

PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
WORK=$(mktemp -d)
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
cleanup() {
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ENDPOINT="http://127.0.0.1:$PORT"
"$VENV/bin/python" - "$ENDPOINT" <<'PY'
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(sys.argv[1] + "/moto-api/data.json", timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit("moto_server did not start")
PY

export AWS_ACCESS_KEY_ID=AKIDMOTO AWS_SECRET_ACCESS_KEY=motosecret AWS_DEFAULT_REGION=us-east-1
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset AWS_PROFILE AWS_SESSION_TOKEN
"$VENV/bin/python" crates/amplify-auth-cognito/ci/moto_setup.py "$ENDPOINT" "$WORK/setup.json"
target/debug/examples/moto_compat "$WORK/setup.json"
