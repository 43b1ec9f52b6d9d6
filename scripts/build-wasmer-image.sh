#!/usr/bin/env bash
# Builds the image of the "in-image" way of running Wasm with wasmer: an
# ordinary Linux container image carrying the wasmer CLI next to the modules,
# run by crun like any other container (runtimes crun/wasmer-in-image, which
# compiles each module with cranelift when it loads it, and
# crun/wasmer-aot-in-image on the modules compiled ahead of time).
#
#   build/rootfs/wasmer-in-image-<arch>/   the host architecture only
#       the native busybox rootfs (build/rootfs/<arch>, with /wasm/*.wasm)
#       + /usr/local/bin/wasmer (symbols stripped), built by
#         scripts/build-wasmer-cli.sh
#       + its shared libraries and the glibc loader, every one `ldd` lists,
#         copied at the same paths (symlinks resolved)
#       + /root/.wasmer: wasmer creates $HOME/.wasmer on every start, which a
#         read-only rootfs only allows when it is already there
#       + /wasm-aot/<workload>.wasmu: each /wasm module compiled ahead of time
#         by that wasmer (`wasmer compile`, cranelift, native code for this
#         machine's CPU), which `wasmer run` recognises by its header
#   build/images/wasmer-in-image/ + wasmer-in-image.tar
#       OCI image layout, docker.io/runbench/wasmer-in-image:latest, one
#       linux/<arch> manifest, one layer = that rootfs
#   build/images/wasmer-in-image.sizes.json  compressed / uncompressed bytes
#
# The new rootfs is checked before it replaces the old one: its own wasmer,
# chrooted, runs hello.wasm and hello.wasmu. Deterministic (sorted tar
# entries, mtime 0, uid/gid 0, gzip -n): the digest changes only when the
# native rootfs, the modules, wasmer or its libraries do.
#
# Usage: scripts/build-wasmer-image.sh [--force] [--wasmer PATH]
#   --wasmer PATH  the binary to carry (default: $RUNBENCH_CACHE/bin/wasmer)
#   --force        rebuild even when the inputs did not change
# On failure: $RUNBENCH_CACHE/status/wasmer-in-image.failed (one line), which
# runbench reports for both runtimes.
# Needs: tar gzip jq ldd strip (binutils) chroot.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/oci-layout.sh
. "$ROOT/scripts/lib/oci-layout.sh"
BUILD="$ROOT/build"
OUT="$BUILD/images"
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
STATUS_DIR=$CACHE/status
NAME=docker.io/runbench/wasmer-in-image
RUNTIME_PATH=/usr/local/bin/wasmer
wasmer=$CACHE/bin/wasmer
force=0
while [ $# -gt 0 ]; do
  case $1 in
    --force) force=1; shift ;;
    --wasmer) wasmer=${2:?--wasmer needs a path}; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "build-wasmer-image: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$STATUS_DIR" "$OUT"

fail() {
  printf '%s\n' "$1" >"$STATUS_DIR/wasmer-in-image.failed"
  printf 'build-wasmer-image: %s\n' "$1" >&2
  exit 1
}

case $(uname -m) in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) fail "unsupported host architecture $(uname -m)" ;;
esac
[ -x "$wasmer" ] || fail "no wasmer at $wasmer: run scripts/build-wasmer-cli.sh"
wasmer=$(readlink -f "$wasmer")
native=$BUILD/rootfs/$arch
[ -x "$native/bin/busybox" ] || fail "no native rootfs at $native: run scripts/build-fixtures.sh"
ls "$native"/wasm/*.wasm >/dev/null 2>&1 || fail "$native/wasm has no modules: run scripts/build-fixtures.sh --arch wasm"
command -v jq >/dev/null || fail "jq not found (apt-get install jq)"
# wasmer creates $WASMER_DIR (default ~/.wasmer) whenever it starts: a throwaway one here
WASMER_DIR=$(mktemp -d)
export WASMER_DIR
trap 'rm -rf "$WASMER_DIR"' EXIT
version=$("$wasmer" --version 2>&1 | awk 'NR == 1 { print $2 }') || fail "$wasmer --version does not run"

# the files wasmer needs to start, "SOURCE DEST" (DEST: the same path inside), the loader included
libs=$(ldd "$wasmer" | awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' |
  LC_ALL=C sort -u | awk '{ print $1, $1 }')
[ -n "$libs" ] || fail "ldd lists no library for $wasmer"

key=$({
  sha256 "$0"
  sha256 "$OCI_LAYOUT_LIB"
  sha256 "$wasmer"
  # the precompiled modules target this CPU's features
  grep -m1 '^model name' /proc/cpuinfo || true
  grep -m1 '^flags' /proc/cpuinfo || true
  while read -r src dest; do echo "$dest"; sha256 "$src"; done <<<"$libs"
  (cd "$native" && find . -printf '%P %m %y %l\n' | LC_ALL=C sort)
  (cd "$native" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
} | sha256sum | cut -d' ' -f1)
rootfs=$BUILD/rootfs/wasmer-in-image-$arch
stamp=$OUT/.wasmer-in-image.stamp

# runs the rootfs's own wasmer, chrooted, on one module: it must print hello's marker
check_run() { # ROOTFS MODULE
  local out
  out=$(env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    chroot "$1" "$RUNTIME_PATH" run --disable-cache --volume=/:/ "$2" 2>&1) || { echo "wasmer run $2 in the new rootfs failed: $(tail -n 1 <<<"$out")"; return 1; }
  grep -q runbench-hello-ok <<<"$out" || { echo "wasmer run $2 in the new rootfs printed no marker: $(tail -n 1 <<<"$out")"; return 1; }
}

if [ $force -eq 0 ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ] && [ -f "$OUT/wasmer-in-image.tar" ] &&
  [ -f "$OUT/wasmer-in-image.sizes.json" ] && [ -x "$rootfs$RUNTIME_PATH" ]; then
  echo "wasmer-in-image: up to date"
else
  rm -rf "$rootfs.tmp"
  cp -a "$native" "$rootfs.tmp"
  install -D -m 0755 "$wasmer" "$rootfs.tmp$RUNTIME_PATH"
  strip --strip-unneeded "$rootfs.tmp$RUNTIME_PATH"
  while read -r src dest; do
    # a symlinked directory on the host (/lib -> usr/lib) becomes a real one
    install -D -m 0755 "$(readlink -f "$src")" "$rootfs.tmp$dest"
  done <<<"$libs"
  install -d -m 0700 "$rootfs.tmp/root/.wasmer"
  mkdir -p "$rootfs.tmp/wasm-aot"
  for m in "$rootfs.tmp"/wasm/*.wasm; do
    w=$(basename "$m" .wasm)
    out=$("$wasmer" compile -o "$rootfs.tmp/wasm-aot/$w.wasmu" "$m" 2>&1) || fail "wasmer compile $w.wasm failed: $(tail -n 1 <<<"$out")"
  done
  why=$(check_run "$rootfs.tmp" /wasm/hello.wasm) || fail "$why"
  why=$(check_run "$rootfs.tmp" /wasm-aot/hello.wasmu) || fail "$why"
  # the check leaves nothing behind but the directory wasmer wants
  rm -rf "$rootfs.tmp/root/.wasmer" && install -d -m 0700 "$rootfs.tmp/root/.wasmer"
  rm -rf "$rootfs" && mv "$rootfs.tmp" "$rootfs"

  one_platform_image "$OUT/wasmer-in-image" "$rootfs" "$arch" "$NAME" "$(jq -cn --arg rt "$RUNTIME_PATH" --arg v "$version" '
    {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"],
     Entrypoint: [$rt, "run", "--disable-cache", "--forward-host-env", "--volume=/:/", "--"], Cmd: ["/wasm/hello.wasm"], WorkingDir: "/",
     Labels: {"org.opencontainers.image.title": "runbench workloads as Wasm modules with the wasmer CLI",
              "org.opencontainers.image.version": $v}}')" \
    "scripts/build-wasmer-image.sh: build/rootfs/$arch + wasmer $version + its shared libraries + the modules it compiled"
  jq -n --arg ref "$NAME:latest" --arg v "$version" --arg a "$arch" --argjson t "$(fsize "$OUT/wasmer-in-image.tar")" \
    --argjson c "$(jq -r .size <<<"$LAYER_DESC")" --argjson u "$LAYER_RAW" --argjson w "$(fsize "$rootfs$RUNTIME_PATH")" \
    --argjson m "$(du -sb "$rootfs/wasm-aot" | cut -f1)" \
    '{ref: $ref, wasmerVersion: $v, arch: $a, archiveBytes: $t, layerBytes: $c, uncompressedBytes: $u,
      wasmerBinaryBytes: $w, precompiledModuleBytes: $m}' >"$OUT/wasmer-in-image.sizes.json"
  echo "$key" >"$stamp"
fi
rm -f "$STATUS_DIR/wasmer-in-image.failed"
jq -r '"wasmer-in-image: \(.ref) linux/\(.arch), wasmer \(.wasmerVersion): layer \(.layerBytes) bytes compressed, \(.uncompressedBytes) unpacked (wasmer \(.wasmerBinaryBytes), precompiled modules \(.precompiledModuleBytes))"' \
  "$OUT/wasmer-in-image.sizes.json"
