#!/usr/bin/env bash
# scripts/build-wasmtime-cli.sh: build the wasmtime command-line runtime that
# the "in-image" Wasm configurations (runc/wasmtime-in-image,
# crun/wasmtime-in-image) carry inside an ordinary container image.
#
#   scripts/build-wasmtime-cli.sh [--arch amd64|arm64] [--force]
#
# Pinned to WASMTIME_CLI_VERSION (default: SHIM_WASMTIME_VERSION from
# versions.env, the wasmtime youki and the shim embed), so the three ways of
# running a module run the same engine. Built with `cargo install --locked`
# into $RUNBENCH_CACHE/wasmtime-cli-<version> using the CARGO_TARGET_DIR
# shared with the other Rust builds: crates compiled with the same version,
# features and profile for youki or the shim are reused. The build log counts
# reused ("Fresh") and compiled units at its end.
#
# --arch names the architecture to build for (default: the host's). Another
# one is cross-built (rustup target <cpu>-unknown-linux-gnu, linked with
# Debian's <cpu>-linux-gnu-gcc) into $RUNBENCH_CACHE/wasmtime-cli-<version>-<arch>,
# checked under qemu-<cpu>-static, logged to logs/wasmtime-cli-<arch>.log, its
# failure written to status/wasmtime-cli-<arch>.failed. It is not linked into
# $RUNBENCH_CACHE/bin: only the image of that architecture carries it.
#
# Idempotent: skips the build when the cached binary for the version exists.
# Links the host's as $RUNBENCH_CACHE/bin/wasmtime. A failed build writes
# $RUNBENCH_CACHE/status/wasmtime-cli.failed (one line: the reason), as
# scripts/setup.sh does for its builds; a successful one removes it.

set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$SCRIPT_DIR/versions.env"
# shellcheck source=lib/cli-build.sh
. "$SCRIPT_DIR/lib/cli-build.sh"

VERSION=${WASMTIME_CLI_VERSION:-$SHIM_WASMTIME_VERSION}
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
BIN_DIR=$CACHE/bin
LOG_DIR=$CACHE/logs
STATUS_DIR=$CACHE/status
JOBS=${RUNBENCH_BUILD_JOBS:-2}
export CARGO_TARGET_DIR=$CACHE/cargo-target
export CARGO_BUILD_JOBS=$JOBS
FORCE=0
ARCH=

cpu_of() { # Debian/OCI architecture name -> CPU name of the Rust and GNU triples
  case $1 in
    amd64) echo x86_64 ;;
    arm64) echo aarch64 ;;
    *) return 1 ;;
  esac
}

while [ $# -gt 0 ]; do
  case $1 in
    --force) FORCE=1; shift ;;
    --arch) ARCH=${2:-}; shift 2 || { echo "build-wasmtime-cli.sh: --arch needs amd64 or arm64" >&2; exit 2; } ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-wasmtime-cli.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

case $(uname -m) in
  x86_64) HOST_ARCH=amd64 ;;
  aarch64) HOST_ARCH=arm64 ;;
  *) echo "build-wasmtime-cli.sh: unsupported host architecture $(uname -m)" >&2; exit 2 ;;
esac
ARCH=${ARCH:-$HOST_ARCH}
CPU=$(cpu_of "$ARCH") || { echo "build-wasmtime-cli.sh: unknown --arch '$ARCH' (amd64 or arm64)" >&2; exit 2; }

if [ "$ARCH" = "$HOST_ARCH" ]; then
  CROSS=0
  DEST=$CACHE/wasmtime-cli-$VERSION
  NAME=wasmtime-cli
else
  CROSS=1
  TARGET=$CPU-unknown-linux-gnu
  GNU=$CPU-linux-gnu
  DEST=$CACHE/wasmtime-cli-$VERSION-$ARCH
  NAME=wasmtime-cli-$ARCH
fi
BIN=$DEST/bin/wasmtime
LOG=$LOG_DIR/$NAME.log

mkdir -p "$BIN_DIR" "$LOG_DIR" "$STATUS_DIR" "$CARGO_TARGET_DIR"
[ -d "$HOME/.cargo/bin" ] && PATH=$HOME/.cargo/bin:$PATH

# The flags and environment of a cross build: the Rust target's standard library
# from rustup, and the GNU cross toolchain for linking and for crates that compile C.
cross_setup() {
  command -v rustup >/dev/null 2>&1 || fail "rustup not found: a cross build needs the $TARGET standard library"
  command -v "$GNU-gcc" >/dev/null 2>&1 || fail "$GNU-gcc not found (apt-get install gcc-$GNU)"
  rustup target add "$TARGET" >>"$LOG" 2>&1 || fail "rustup target add $TARGET failed: $(last_error "$LOG")"
  local t=${TARGET//-/_}
  export "CARGO_TARGET_${t^^}_LINKER=$GNU-gcc"
  export "CC_$t=$GNU-gcc" "CXX_$t=$GNU-g++" "AR_$t=$GNU-ar"
  TARGET_FLAGS=(--target "$TARGET")
}

# Runs the built binary: directly on the host, under qemu-user with the cross sysroot otherwise.
run_bin() {
  if [ "$CROSS" = 0 ]; then
    "$BIN" "$@"
  else
    command -v "qemu-$CPU-static" >/dev/null 2>&1 || { echo "qemu-$CPU-static not found (apt-get install qemu-user-static)"; return 1; }
    "qemu-$CPU-static" -L "/usr/$GNU" "$BIN" "$@"
  fi
}

TARGET_FLAGS=()
if [ "$FORCE" = 0 ] && [ -x "$BIN" ]; then
  echo "cached: $BIN"
else
  command -v cargo >/dev/null 2>&1 || fail "cargo not found (install Rust with rustup)"
  : >"$LOG"
  [ "$CROSS" = 1 ] && cross_setup
  echo "cargo install wasmtime-cli $VERSION ${TARGET_FLAGS[*]} (log: $LOG)"
  rm -rf "$DEST.tmp"
  t0=$(date +%s)
  # -v makes cargo name every unit it reuses ("Fresh") beside those it compiles.
  if ! nice -n 10 cargo install wasmtime-cli --version "=$VERSION" --locked \
      --root "$DEST.tmp" -j "$JOBS" "${TARGET_FLAGS[@]}" -v >>"$LOG" 2>&1; then
    fail "cargo install wasmtime-cli $VERSION ${TARGET_FLAGS[*]} failed: $(last_error "$LOG")"
  fi
  t1=$(date +%s)
  units_line "$((t1 - t0))"
  rm -f "$DEST.tmp/.crates.toml" "$DEST.tmp/.crates2.json"
  rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
fi

[ "$CROSS" = 0 ] && ln -sfn "$BIN" "$BIN_DIR/wasmtime"
v=$(run_bin --version 2>&1) || fail "$BIN --version does not run: $v"
case $v in
  *"$VERSION"*) ;;
  *) fail "$BIN reports '$v', expected $VERSION" ;;
esac
echo "    $v"
rm -f "$STATUS_DIR/$NAME.failed"
