#!/usr/bin/env bash
# Runs a command where a working OS keychain exists:
#   bash scripts/with-keyring.sh npx vitest run tests/integration/secrets
# macOS and Windows have theirs; so does a Linux desktop session. On a headless Linux
# machine (CI) this starts a private D-Bus session with an unlocked gnome-keyring for the
# command's lifetime, in temporary XDG dirs, so the user's own keyrings are never touched.
set -u

if [ "$#" -eq 0 ]; then
  echo "usage: bash scripts/with-keyring.sh <command> [args...]" >&2
  exit 2
fi

case "$(uname -s)" in
  Linux) ;;
  *) exec "$@" ;; # Darwin, MINGW*/MSYS*/CYGWIN*: the OS keychain is always there.
esac

# A Secret Service that answers a store and a clear in time is a working one. The timeout
# matters: with DISPLAY set and a locked keyring, libsecret waits on a prompt forever.
session_keyring_works() {
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || return 1
  command -v secret-tool >/dev/null 2>&1 || return 1
  command -v timeout >/dev/null 2>&1 || return 1
  local account="probe-$$-$RANDOM"
  printf 'probe' | timeout 5 secret-tool store --label='replica-desk keyring probe' service replica-desk-probe account "$account" \
    >/dev/null 2>&1 || return 1
  timeout 5 secret-tool clear service replica-desk-probe account "$account" >/dev/null 2>&1
  return 0
}

if session_keyring_works; then
  exec "$@"
fi

if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
  echo "with-keyring.sh: no working Secret Service here, and dbus-run-session or gnome-keyring-daemon is missing." >&2
  echo "with-keyring.sh: install them with: apt-get install -y gnome-keyring dbus-x11 libsecret-tools" >&2
  echo "with-keyring.sh: running the command anyway; keychain calls will fail with their own error." >&2
  exec "$@"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/replica-desk-keyring.XXXXXX")" || exit 1
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p -m 700 "$tmp/data" "$tmp/run"
chmod 700 "$tmp"
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run"
# A prompt would hang with nobody to answer it; without a display the keychain fails instead.
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS

# The keyring password is random and only unlocks this throwaway keyring; it travels in
# the environment of the inner shell, which removes it before running the command.
REPLICA_DESK_KEYRING_PW="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export REPLICA_DESK_KEYRING_PW

dbus-run-session -- sh -c '
  printf %s "$REPLICA_DESK_KEYRING_PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset REPLICA_DESK_KEYRING_PW
  exec "$@"
' with-keyring "$@"
exit $?
