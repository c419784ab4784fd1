#!/usr/bin/env bash
# Compatibility run against Amazon's AppSync simulator (@aws-amplify/amplify-appsync-simulator):
# installs it with npm under target/, starts it standalone on loopback with the emulator's sample
# Todo schema, then sends the same requests (API key, user pools, IAM) to it and to an in-process
# amplify-emulator and compares status, error types and the shape of data and errors, then one
# subscription on each realtime endpoint (/graphql/realtime, graphql-ws with header= / payload=;
# the simulator's transport is the same WebSocket protocol, not MQTT) fed by a mutation over
# HTTP: frame sequence, ids and the data payload must match (examples/appsync_compat.rs). Run by .ci/run after `cargo test --workspace`. Exits non-zero when
# a comparison fails or the simulator cannot be installed or started; leaves no process behind.
set -euo pipefail
cd "$(dirname "$0")/../../.."

SIM_VERSION=2.16.20
DIR=target/appsync-sim
EXAMPLE=target/debug/examples/appsync_compat

for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
        echo "appsync-simulator.sh: $tool is required" >&2
        exit 1
    fi
done

mkdir -p "$DIR"
if [ ! -f "$DIR/node_modules/@aws-amplify/amplify-appsync-simulator/package.json" ] ||
    ! grep -q "\"version\": \"$SIM_VERSION\"" "$DIR/node_modules/@aws-amplify/amplify-appsync-simulator/package.json"; then
    (
        cd "$DIR"
        [ -f package.json ] || npm init -y >/dev/null
        # graphql@15 at the top level: otherwise npm hoists graphql@14 for graphql-tools and the
        # simulator fails with "Cannot use GraphQLSchema from another module or realm".
        timeout 900 npm install --no-audit --no-fund --loglevel=error \
            "@aws-amplify/amplify-appsync-simulator@$SIM_VERSION" ws@8 graphql@15.11.0
    )
fi
cp crates/amplify-emulator/ci/appsync_sim.js "$DIR/"

# `cargo test --workspace` has usually built the example already.
cargo build -q -p amplify-emulator --example appsync_compat --locked

WORK=$(mktemp -d)
SIM_PID=
DRAIN_PID=
cleanup() {
    if [ -n "$SIM_PID" ]; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    if [ -n "$DRAIN_PID" ]; then
        wait "$DRAIN_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$EXAMPLE" --print-schema >"$WORK/schema.graphql"
API_KEY="da2-$(od -An -N13 -tx1 /dev/urandom | tr -d ' \n')"

coproc SIM { cd "$DIR" && exec node appsync_sim.js "$WORK/schema.graphql" "$API_KEY" 2>&1; }
SIM_PID=$SIM_PID
URL=
while IFS= read -r -t 60 line <&"${SIM[0]}"; do
    case "$line" in
    APPSYNC_SIM_READY\ *)
        URL=${line#APPSYNC_SIM_READY }
        break
        ;;
    *) echo "simulator: $line" ;;
    esac
done
if [ -z "$URL" ]; then
    echo "the AppSync simulator did not start" >&2
    exit 1
fi
# Keep reading its output so a full pipe never blocks it (coproc descriptors are not
# inherited by background jobs; a duplicate is).
exec 3<&"${SIM[0]}"
cat <&3 >/dev/null &
DRAIN_PID=$!
exec 3<&-
echo "AppSync simulator $SIM_VERSION ready at $URL"

case "$URL" in
http://127.0.0.1:*/graphql) ;;
*)
    echo "unexpected simulator URL (not loopback?): $URL" >&2
    exit 1
    ;;
esac
PORT=${URL#http://127.0.0.1:}
PORT=${PORT%%/*}
if command -v ss >/dev/null && ss -ltn | awk '{print $4}' | grep -Eq "^(0\.0\.0\.0|\*|\[::\]):$PORT\$"; then
    echo "the simulator listens beyond loopback on port $PORT" >&2
    exit 1
fi

"$EXAMPLE" --simulator "$URL" --api-key "$API_KEY"
