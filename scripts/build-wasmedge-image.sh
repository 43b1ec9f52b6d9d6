#!/usr/bin/env bash
# Builds the image of the "in-image" way of running Wasm with WasmEdge: an
# ordinary Linux container image carrying Debian 13's wasmedge CLI next to the
# modules, run by crun like any other container (runtimes
# crun/wasmedge-in-image, crun/wasmedge-jit-in-image with --enable-jit, and
# crun/wasmedge-aot-in-image on the modules compiled ahead of time).
#
#   build/rootfs/wasmedge-in-image-<arch>/   the host architecture only
#       the native busybox rootfs (build/rootfs/<arch>, with /wasm/*.wasm)
#       + /usr/bin/wasmedge from the debian13 tier's Debian 13 root, unpatched
#       + every library it loads, found by walking the NEEDED entries inside
#         that root (libwasmedge, LLVM 19 and theirs), at their Debian paths,
#         and Debian 13's loader at /lib64 (the image has its own glibc 2.41)
#       + /wasm-aot/*.wasm, the modules scripts/build-wasmedge-aot.sh compiled
#   build/images/wasmedge-in-image/ + wasmedge-in-image.tar
#       OCI image layout, docker.io/runbench/wasmedge-in-image:latest, one
#       linux/<arch> manifest, one layer = that rootfs
#   build/images/wasmedge-in-image.sizes.json  compressed / uncompressed bytes
#
# Deterministic (sorted tar entries, mtime 0, uid/gid 0, gzip -n).
# Usage: scripts/build-wasmedge-image.sh [--force]
# On failure: $CACHE/status/wasmedge-in-image.failed (one line), which
# runbench doctor reports for the three runtimes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/oci-layout.sh
. "$ROOT/scripts/lib/oci-layout.sh"
BUILD="$ROOT/build"
OUT="$BUILD/images"
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
STATUS_DIR=$CACHE/status
NAME=docker.io/runbench/wasmedge-in-image
RUNTIME_PATH=/usr/bin/wasmedge
force=0
case ${1:-} in
  --force) force=1 ;;
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  '') ;;
  *) echo "build-wasmedge-image: unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac
mkdir -p "$STATUS_DIR" "$OUT"

fail() {
  printf '%s\n' "$1" >"$STATUS_DIR/wasmedge-in-image.failed"
  printf 'build-wasmedge-image: %s\n' "$1" >&2
  exit 1
}

case $(uname -m) in
  x86_64) arch=amd64 gnu=x86_64-linux-gnu ;;
  aarch64) arch=arm64 gnu=aarch64-linux-gnu ;;
  *) fail "unsupported host architecture $(uname -m)" ;;
esac
d13=$(sed -n 's/^DEBIAN13_ROOT=//p' "$CACHE/debian13.env" 2>/dev/null)
[ -n "$d13" ] && [ -x "$d13$RUNTIME_PATH" ] || fail "no Debian 13 root with $RUNTIME_PATH recorded in $CACHE/debian13.env: run scripts/setup.sh --tier debian13"
native=$BUILD/rootfs/$arch
[ -x "$native/bin/busybox" ] || fail "no native rootfs at $native: run scripts/build-fixtures.sh"
aot=$(jq -r '.cache // empty' "$OUT/wasm-wasmedge-aot.json" 2>/dev/null || true)
[ -n "$aot" ] && [ -f "$aot/.complete" ] || fail "no modules compiled ahead of time: run scripts/build-wasmedge-aot.sh"
command -v readelf >/dev/null || fail "readelf not found (apt-get install binutils)"
command -v jq >/dev/null || fail "jq not found (apt-get install jq)"

# --- the files wasmedge needs, inside the root: "SOURCE DEST" lines, DEST sorted ----------------
interp=$(readelf -l "$d13$RUNTIME_PATH" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
[ -n "$interp" ] || fail "$d13$RUNTIME_PATH names no program interpreter"
files="$(readlink -f "$d13$interp") $interp"
declare -A seen=(["${interp##*/}"]=1)
queue=("$d13$RUNTIME_PATH")
while [ ${#queue[@]} -gt 0 ]; do
  file=${queue[0]}
  queue=("${queue[@]:1}")
  for name in $(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
    [ -n "${seen[$name]:-}" ] && continue
    seen[$name]=1
    src=
    for dir in "/usr/lib/$gnu" "/lib/$gnu" /usr/lib /lib; do
      [ -e "$d13$dir/$name" ] && { src=$d13$dir/$name; break; }
    done
    [ -n "$src" ] || fail "$name, needed by ${file##*/}, is not in the Debian 13 root"
    files+=$'\n'"$(readlink -f "$src") /usr/lib/$gnu/$name"
    queue+=("$src")
  done
done
files=$(LC_ALL=C sort -k2 <<<"$files")
version=$("$d13$interp" --library-path "$d13/usr/lib/$gnu" "$d13$RUNTIME_PATH" --version 2>&1 | awk 'NR == 1 { print $NF }') ||
  fail "wasmedge --version does not run from the root"

key=$({
  sha256 "$0"
  sha256 "$OCI_LAYOUT_LIB"
  while read -r src dest; do echo "$dest"; sha256 "$src"; done <<<"$files"
  sha256 "$d13$RUNTIME_PATH"
  echo "$aot"
  (cd "$native" && find . -printf '%P %m %y %l\n' | LC_ALL=C sort)
  (cd "$native" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
} | sha256sum | cut -d' ' -f1)
rootfs=$BUILD/rootfs/wasmedge-in-image-$arch
stamp=$OUT/.wasmedge-in-image.stamp
if [ $force -eq 0 ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ] && [ -f "$OUT/wasmedge-in-image.tar" ] && [ -x "$rootfs$RUNTIME_PATH" ]; then
  echo "wasmedge-in-image: up to date"
else
  rm -rf "$rootfs.tmp"
  cp -a "$native" "$rootfs.tmp"
  install -D -m 0755 "$d13$RUNTIME_PATH" "$rootfs.tmp$RUNTIME_PATH"
  while read -r src dest; do install -D -m 0755 "$src" "$rootfs.tmp$dest"; done <<<"$files"
  mkdir -p "$rootfs.tmp/wasm-aot"
  for m in "$aot"/*.wasm; do install -m 0755 "$m" "$rootfs.tmp/wasm-aot/${m##*/}"; done
  # the image's own wasmedge must run: from the rootfs, with nothing of the host's
  out=$(chroot "$rootfs.tmp" "$RUNTIME_PATH" --dir /:/ /wasm/hello.wasm 2>&1) || fail "wasmedge in the new rootfs does not run: $(tail -n 1 <<<"$out")"
  grep -q runbench-hello-ok <<<"$out" || fail "wasmedge in the new rootfs printed no marker: $(tail -n 1 <<<"$out")"
  rm -rf "$rootfs" && mv "$rootfs.tmp" "$rootfs"

  one_platform_image "$OUT/wasmedge-in-image" "$rootfs" "$arch" "$NAME" "$(jq -cn --arg rt "$RUNTIME_PATH" --arg v "$version" '
    {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
     Entrypoint: [$rt, "--dir", "/:/"], Cmd: ["/wasm/hello.wasm"], WorkingDir: "/",
     Labels: {"org.opencontainers.image.title": "runbench workloads as Wasm modules with the wasmedge CLI",
              "org.opencontainers.image.version": $v}}')" \
    "scripts/build-wasmedge-image.sh: build/rootfs/$arch + Debian 13 wasmedge $version + its libraries"
  jq -n --arg ref "$NAME:latest" --arg v "$version" --arg a "$arch" --argjson t "$(fsize "$OUT/wasmedge-in-image.tar")" \
    --argjson c "$(jq -r .size <<<"$LAYER_DESC")" --argjson u "$LAYER_RAW" --argjson w "$(fsize "$rootfs$RUNTIME_PATH")" \
    --argjson l "$(while read -r src dest; do fsize "$src"; done <<<"$files" | awk '{ s += $1 } END { print s }')" \
    '{ref: $ref, wasmedgeVersion: $v, arch: $a, archiveBytes: $t, layerBytes: $c, uncompressedBytes: $u,
      wasmedgeBinaryBytes: $w, libraryBytes: $l}' >"$OUT/wasmedge-in-image.sizes.json"
  echo "$key" >"$stamp"
fi
rm -f "$STATUS_DIR/wasmedge-in-image.failed"
jq -r '"wasmedge-in-image: \(.ref) linux/\(.arch), wasmedge \(.wasmedgeVersion): layer \(.layerBytes) bytes compressed, \(.uncompressedBytes) unpacked (libraries \(.libraryBytes))"' \
  "$OUT/wasmedge-in-image.sizes.json"
