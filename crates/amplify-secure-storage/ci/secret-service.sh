#!/usr/bin/env bash
# Runs amplify-secure-storage's OS keychain tests against a real Linux Secret Service: a
# private D-Bus session (dbus-run-session) with a gnome-keyring daemon unlocked with a
# throwaway password, in throwaway XDG directories. Exits non-zero when a test fails.
#
# Needs: gnome-keyring, dbus-daemon, dbus-user-session (libsecret-tools for `secret-tool`).
# `.ci/run` installs them; this script installs them itself when run as root without them.
set -euo pipefail
cd "$(dirname "$0")/../../.."

if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq >/dev/null || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            gnome-keyring libsecret-tools dbus-x11 dbus-daemon dbus-user-session >/dev/null
    else
        echo "secret-service.sh: dbus-run-session and gnome-keyring-daemon are required" >&2
        exit 1
    fi
fi

features=(-p amplify-secure-storage --features keychain --locked)
# Build outside the session, so the D-Bus session only runs tests.
cargo test "${features[@]}" --no-run

# The tests must find a working keychain: no silent "no keychain here" pass.
export AMPLIFY_SS_REQUIRE_KEYCHAIN=1
export CARGO_TERM_COLOR=never
session_tmp=$(mktemp -d)
trap 'rm -rf "$session_tmp"' EXIT
export SESSION_TMP="$session_tmp"

dbus-run-session -- bash -euo pipefail -c '
    export XDG_RUNTIME_DIR="$SESSION_TMP/runtime" XDG_DATA_HOME="$SESSION_TMP/data" XDG_CONFIG_HOME="$SESSION_TMP/config"
    mkdir -p -m 700 "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
    # Starts the daemon (it lives as long as the session bus) and creates the login keyring
    # unlocked with this password; prints GNOME_KEYRING_CONTROL for the environment.
    eval "$(printf "amplify-rs-ci" | gnome-keyring-daemon --unlock --components=secrets)"
    if command -v secret-tool >/dev/null; then
        printf "probe" | secret-tool store --label="amplify-rs CI probe" service amplify-rs-ci-probe username probe
        test "$(secret-tool lookup service amplify-rs-ci-probe username probe)" = probe
        secret-tool clear service amplify-rs-ci-probe username probe
        echo "secret-service.sh: gnome-keyring answers on the session bus"
    fi
    cargo test -p amplify-secure-storage --features keychain --locked \
        --lib --test keychain --test conformance --test secrets -- --nocapture
'
echo "secret-service.sh: OS keychain tests passed"
