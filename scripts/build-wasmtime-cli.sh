#!/usr/bin/env bash
# scripts/build-wasmtime-cli.sh: build the wasmtime command-line runtime that
# the "in-image" Wasm configurations (runc/wasmtime-in-image,
# crun/wasmtime-in-image) carry inside an ordinary container image.
#
#   scripts/build-wasmtime-cli.sh [--force]
#
# Pinned to WASMTIME_CLI_VERSION (default: SHIM_WASMTIME_VERSION from
# versions.env, the wasmtime youki and the shim embed), so the three ways of
# running a module run the same engine. Built with `cargo install --locked`
# into $RUNBENCH_CACHE/wasmtime-cli-<version> using the CARGO_TARGET_DIR
# shared with the other Rust builds: crates compiled with the same version,
# features and profile for youki or the shim are reused. The build log counts
# reused ("Fresh") and compiled units at its end.
#
# Idempotent: skips the build when the cached binary for the version exists.
# Links it as $RUNBENCH_CACHE/bin/wasmtime. A failed build writes
# $RUNBENCH_CACHE/status/wasmtime-cli.failed (one line: the reason), as
# scripts/setup.sh does for its builds; a successful one removes it.

set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$SCRIPT_DIR/versions.env"

VERSION=${WASMTIME_CLI_VERSION:-$SHIM_WASMTIME_VERSION}
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
BIN_DIR=$CACHE/bin
LOG_DIR=$CACHE/logs
STATUS_DIR=$CACHE/status
DEST=$CACHE/wasmtime-cli-$VERSION
BIN=$DEST/bin/wasmtime
NAME=wasmtime-cli
LOG=$LOG_DIR/$NAME.log
JOBS=${RUNBENCH_BUILD_JOBS:-2}
export CARGO_TARGET_DIR=$CACHE/cargo-target
export CARGO_BUILD_JOBS=$JOBS
FORCE=0

case ${1:-} in
  --force) FORCE=1 ;;
  '') ;;
  -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "build-wasmtime-cli.sh: unknown argument: $1" >&2; exit 2 ;;
esac

mkdir -p "$BIN_DIR" "$LOG_DIR" "$STATUS_DIR" "$CARGO_TARGET_DIR"
[ -d "$HOME/.cargo/bin" ] && PATH=$HOME/.cargo/bin:$PATH

fail() {
  printf '%s; log: %s\n' "$1" "$LOG" >"$STATUS_DIR/$NAME.failed"
  echo "!!! BUILD FAILED: $NAME: $1 (log: $LOG)" >&2
  exit 1
}

last_error() {
  local line
  line=$(grep -E '^error(\[E[0-9]+\])?: |: (fatal )?error: ' "$1" 2>/dev/null | grep -v 'could not compile' | head -n 1)
  [ -n "$line" ] || line=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | grep -v '^ *Running `' | tail -n 1)
  printf '%s' "${line:0:300}"
}

if [ "$FORCE" = 0 ] && [ -x "$BIN" ]; then
  echo "cached: $BIN"
else
  command -v cargo >/dev/null 2>&1 || fail "cargo not found (install Rust with rustup)"
  echo "cargo install wasmtime-cli $VERSION (log: $LOG)"
  rm -rf "$DEST.tmp"
  t0=$(date +%s)
  # -v makes cargo name every unit it reuses ("Fresh") beside those it compiles.
  if ! nice -n 10 cargo install wasmtime-cli --version "=$VERSION" --locked \
      --root "$DEST.tmp" -j "$JOBS" -v >"$LOG" 2>&1; then
    fail "cargo install wasmtime-cli $VERSION failed: $(last_error "$LOG")"
  fi
  t1=$(date +%s)
  fresh=$(grep -cE '^ +Fresh ' "$LOG")
  compiled=$(grep -cE '^ +Compiling ' "$LOG")
  printf 'units reused from the shared target dir: %s, compiled: %s, %ss\n' "$fresh" "$compiled" "$((t1 - t0))" | tee -a "$LOG"
  rm -f "$DEST.tmp/.crates.toml" "$DEST.tmp/.crates2.json"
  rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
fi

ln -sfn "$BIN" "$BIN_DIR/wasmtime"
v=$("$BIN" --version 2>&1) || fail "$BIN --version does not run: $v"
case $v in
  *"$VERSION"*) ;;
  *) fail "$BIN reports '$v', expected $VERSION" ;;
esac
echo "    $v"
rm -f "$STATUS_DIR/$NAME.failed"
