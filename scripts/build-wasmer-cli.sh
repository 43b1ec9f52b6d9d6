#!/usr/bin/env bash
# scripts/build-wasmer-cli.sh: build the wasmer command-line runtime that the
# "in-image" Wasm configurations crun/wasmer-in-image and
# crun/wasmer-aot-in-image carry inside an ordinary container image
# (scripts/build-wasmer-image.sh).
#
#   scripts/build-wasmer-cli.sh [--force]
#
# Pinned to WASMER_CLI_VERSION (versions.env), the version of the wasmer C API
# crun's wasmer handler loads (scripts/lib/wasmer-c-api), so the handler and
# the CLI run the same engine. Built from scripts/lib/wasmer-cli, a small
# package whose `wasmer` binary is wasmer-cli's own main (wasmer_cli::run_cli)
# with the fewest features that run WASI modules through cranelift and
# compile them ahead of time (`wasmer compile`, `wasmer run` on the .wasmu):
# wasmer-cli's feature `cranelift` alone, without its defaults (wast, journal,
# static artifacts for create-exe). Its committed Cargo.lock holds the
# versions of scripts/lib/wasmer-c-api/Cargo.lock wherever semver allows, and
# CARGO_TARGET_DIR is the one shared with the other Rust builds: crates built
# with the same version and features for the C API are reused. The build log
# counts reused ("Fresh") and compiled units at its end.
#
# The host architecture only: there is no cross build, so the wasmer image has
# no arm64 platform on an x86 host (runbench says so for an --arch arm64 run).
#
# Idempotent: skips the build when the cached binary was built from the same
# package (version, features, lock). Links it as $RUNBENCH_CACHE/bin/wasmer.
# A failed build writes $RUNBENCH_CACHE/status/wasmer-cli.failed (one line:
# the reason), as scripts/setup.sh does for its builds; a successful one
# removes it.

set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$SCRIPT_DIR/versions.env"
# shellcheck source=lib/cli-build.sh
. "$SCRIPT_DIR/lib/cli-build.sh"

VERSION=$WASMER_CLI_VERSION
SRC=$SCRIPT_DIR/lib/wasmer-cli
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
BIN_DIR=$CACHE/bin
LOG_DIR=$CACHE/logs
STATUS_DIR=$CACHE/status
JOBS=${RUNBENCH_BUILD_JOBS:-2}
export CARGO_TARGET_DIR=$CACHE/cargo-target
export CARGO_BUILD_JOBS=$JOBS
NAME=wasmer-cli
DEST=$CACHE/wasmer-cli-$VERSION
BIN=$DEST/bin/wasmer
LOG=$LOG_DIR/$NAME.log
FORCE=0

while [ $# -gt 0 ]; do
  case $1 in
    --force) FORCE=1; shift ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-wasmer-cli.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

mkdir -p "$BIN_DIR" "$LOG_DIR" "$STATUS_DIR" "$CARGO_TARGET_DIR"
[ -d "$HOME/.cargo/bin" ] && PATH=$HOME/.cargo/bin:$PATH

want=$(sed -n 's/^wasmer-cli = { version = "=\([^"]*\)".*/\1/p' "$SRC/Cargo.toml")
[ "$want" = "$VERSION" ] || fail "scripts/lib/wasmer-cli builds wasmer-cli ${want:-(none)} but versions.env says WASMER_CLI_VERSION=$VERSION"
# what the binary is built from: a changed feature or lock rebuilds it
inputs=$(cd "$SRC" && cat Cargo.toml Cargo.lock src/main.rs | sha256sum | cut -c1-16)

if [ "$FORCE" = 0 ] && [ -x "$BIN" ] && [ "$(cat "$DEST/.inputs" 2>/dev/null)" = "$inputs" ]; then
  echo "cached: $BIN"
else
  command -v cargo >/dev/null 2>&1 || fail "cargo not found (install Rust with rustup)"
  : >"$LOG"
  echo "cargo build wasmer-cli $VERSION (scripts/lib/wasmer-cli, log: $LOG)"
  t0=$(date +%s)
  # -v makes cargo name every unit it reuses ("Fresh") beside those it compiles.
  if ! nice -n 10 cargo build --release --locked -j "$JOBS" --manifest-path "$SRC/Cargo.toml" -v >>"$LOG" 2>&1; then
    fail "cargo build wasmer-cli $VERSION failed: $(last_error "$LOG")"
  fi
  t1=$(date +%s)
  units_line "$((t1 - t0))"
  rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp/bin"
  install -m 0755 "$CARGO_TARGET_DIR/release/wasmer" "$DEST.tmp/bin/wasmer" || fail "the build left no $CARGO_TARGET_DIR/release/wasmer"
  printf '%s\n' "$inputs" >"$DEST.tmp/.inputs"
  rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
fi

ln -sfn "$BIN" "$BIN_DIR/wasmer"
# wasmer creates $WASMER_DIR (default ~/.wasmer) whenever it starts: a throwaway one here
WASMER_DIR=$(mktemp -d)
export WASMER_DIR
trap 'rm -rf "$WASMER_DIR"' EXIT
v=$("$BIN" --version 2>&1) || fail "$BIN --version does not run: $v"
case $v in
  *"$VERSION"*) ;;
  *) fail "$BIN reports '$v', expected $VERSION" ;;
esac
echo "    $v"
rm -f "$STATUS_DIR/$NAME.failed"
