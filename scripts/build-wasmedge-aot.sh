#!/usr/bin/env bash
# Compiles the workloads' wasm32-wasi modules ahead of time with Debian 13's
# `wasmedge compile` (the debian13 tier's wasmedge), for the runtimes that run
# WasmEdge in AOT mode (crun-wasmedge/aot, crun-engines/wasmedge-aot,
# crun/wasmedge-aot-in-image). Each output is a "universal" wasm file: the
# module unchanged plus a custom section holding the native code, which
# WasmEdge's loader runs instead of interpreting (crun's WasmEdge handler
# loads it with WasmEdge_VMRunWasmFromFile like any module); an engine without
# AOT support sees a plain module.
#
#   $CACHE/wasmedge-aot-<key>/<workload>.wasm     the compiled modules, cached;
#       <key>: a hash of the wasmedge version, the host's arch and CPU model
#       (the native code targets this CPU) and the modules' bytes
#   build/rootfs/wasmedge-aot-<arch>/             the native rootfs with the
#       compiled modules in /wasm, in place of the plain ones (oci layer)
#   build/images/wasm-wasmedge-aot/ + wasm-wasmedge-aot.tar
#       docker.io/runbench/wasm-wasmedge-aot:latest, laid out as the plain Wasm
#       image (platform wasi/wasm, the modules at /<workload>.wasm, variant
#       compat): the containerd and kubernetes layers; its native code is for
#       the host arch only
#   build/images/wasm-wasmedge-aot.json           compile seconds and sizes
#
# Usage: scripts/build-wasmedge-aot.sh [--force]
# On failure: $CACHE/status/wasmedge-aot.failed (one line), which runbench
# doctor reports for the runtimes that need these modules.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/oci-layout.sh
. "$ROOT/scripts/lib/oci-layout.sh"
BUILD="$ROOT/build"
OUT="$BUILD/images"
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
STATUS_DIR=$CACHE/status
NAME=docker.io/runbench/wasm-wasmedge-aot
WORKLOADS=(hello cpu mem idle noop probe)
force=0
case ${1:-} in
  --force) force=1 ;;
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  '') ;;
  *) echo "build-wasmedge-aot: unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac
mkdir -p "$STATUS_DIR" "$OUT"

fail() {
  printf '%s\n' "$1" >"$STATUS_DIR/wasmedge-aot.failed"
  printf 'build-wasmedge-aot: %s\n' "$1" >&2
  exit 1
}

case $(uname -m) in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) fail "unsupported host architecture $(uname -m)" ;; esac
wasmedge=$(sed -n 's/^DEBIAN13_WASMEDGE=//p' "$CACHE/debian13.env" 2>/dev/null)
[ -n "$wasmedge" ] && [ -x "$wasmedge" ] || fail "no wasmedge recorded in $CACHE/debian13.env: run scripts/setup.sh --tier debian13"
native=$BUILD/rootfs/$arch
[ -x "$native/bin/busybox" ] || fail "no native rootfs at $native: run scripts/build-fixtures.sh"
for w in "${WORKLOADS[@]}"; do
  [ -f "$BUILD/fixtures/wasm/$w.wasm" ] || fail "build/fixtures/wasm/$w.wasm is missing: run scripts/build-fixtures.sh --arch wasm"
done
command -v jq >/dev/null || fail "jq not found (apt-get install jq)"

out=$("$wasmedge" --version 2>&1) || fail "$wasmedge --version does not run: $(head -n 1 <<<"$out")"
version="wasmedge $(awk 'NR == 1 { print $NF }' <<<"$out")"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
key=$({
  printf '%s\n%s\n%s\n' "$version" "$arch" "$cpu"
  for w in "${WORKLOADS[@]}"; do sha256 "$BUILD/fixtures/wasm/$w.wasm"; done
} | sha256sum | cut -c1-12)
dir=$CACHE/wasmedge-aot-$key

# --- compile (cached) ------------------------------------------------------------
declare -A seconds=()
if [ $force -eq 1 ] || [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  for w in "${WORKLOADS[@]}"; do
    t0=$(date +%s%N)
    if ! out=$(nice -n 10 "$wasmedge" compile "$BUILD/fixtures/wasm/$w.wasm" "$dir.tmp/$w.wasm" 2>&1); then
      fail "wasmedge compile $w.wasm failed: $(grep -v '^\[.*\] \[info\]' <<<"$out" | tail -n 1 | cut -c1-200)"
    fi
    seconds[$w]=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  done
  # the compiled module must run, and natively: its own figures say so
  out=$("$wasmedge" "$dir.tmp/hello.wasm" 2>&1) || fail "the compiled hello.wasm does not run: $(tail -n 1 <<<"$out")"
  grep -q runbench-hello-ok <<<"$out" || fail "the compiled hello.wasm printed no marker: $(tail -n 1 <<<"$out")"
  for w in "${WORKLOADS[@]}"; do printf '%s\t%s\n' "$w" "${seconds[$w]}"; done >"$dir.tmp/compile-seconds.tsv"
  printf '%s\n' "$version" >"$dir.tmp/wasmedge-version"
  touch "$dir.tmp/.complete"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  for old in "$CACHE"/wasmedge-aot-*; do
    [ "$old" = "$dir" ] || [ ! -d "$old" ] || rm -rf "$old"
  done
else
  echo "wasmedge-aot: cached $dir"
fi

# --- rootfs and image (rebuilt when the compiled modules or the rootfs change) -------------------
rootfs=$BUILD/rootfs/wasmedge-aot-$arch
stamp=$OUT/.wasm-wasmedge-aot.stamp
input=$({
  sha256 "$0"
  sha256 "$OCI_LAYOUT_LIB"
  echo "$key"
  (cd "$native" && find . -printf '%P %m %y %l\n' | LC_ALL=C sort)
} | sha256sum | cut -d' ' -f1)
if [ $force -eq 0 ] && [ "$(cat "$stamp" 2>/dev/null)" = "$input" ] && [ -f "$OUT/wasm-wasmedge-aot.tar" ] && [ -f "$rootfs/wasm/hello.wasm" ]; then
  echo "wasmedge-aot: rootfs and image up to date"
else
  rm -rf "$rootfs.tmp"
  cp -a "$native" "$rootfs.tmp"
  for w in "${WORKLOADS[@]}"; do install -m 0755 "$dir/$w.wasm" "$rootfs.tmp/wasm/$w.wasm"; done
  rm -rf "$rootfs" && mv "$rootfs.tmp" "$rootfs"

  new_layout "$OUT/wasm-wasmedge-aot"
  stage=$OUT/.wasm-wasmedge-aot-stage
  rm -rf "$stage" && mkdir -p "$stage"
  for w in "${WORKLOADS[@]}"; do install -m 0755 "$dir/$w.wasm" "$stage/$w.wasm"; done
  chmod 0755 "$stage"
  layer_from_dir "$stage"
  rm -rf "$stage"
  config=$(jq -cn --arg diff "$LAYER_DIFFID" --arg t "$EPOCH_ISO" --arg v "$version" --arg a "$arch" '
    {created: $t, architecture: "wasm", os: "wasi",
     config: {Entrypoint: ["/hello.wasm"], WorkingDir: "/",
              Labels: {"module.wasm.image/variant": "compat",
                       "org.opencontainers.image.description": "runbench workloads compiled ahead of time by \($v) for \($a)"}},
     rootfs: {type: "layers", diff_ids: [$diff]},
     history: [{created: $t, created_by: "scripts/build-wasmedge-aot.sh: wasmedge compile build/fixtures/wasm/*.wasm"}]}')
  cdesc=$(put_json "$config" "$MT_CONFIG")
  mdesc=$(put_json "$(jq -cn --arg mt "$MT_MANIFEST" --argjson c "$cdesc" --argjson l "$LAYER_DESC" \
    '{schemaVersion: 2, mediaType: $mt, config: $c, layers: [$l], annotations: {"module.wasm.image/variant": "compat"}}')" "$MT_MANIFEST")
  mdesc=$(jq -c '. + {platform: {architecture: "wasm", os: "wasi"}}' <<<"$mdesc")
  write_index "$(ref "$mdesc" "$NAME" latest)"
  archive "$OUT/wasm-wasmedge-aot" "$OUT/wasm-wasmedge-aot.tar"
  echo "$input" >"$stamp"
fi

sizes='{}'
for w in "${WORKLOADS[@]}"; do
  sizes=$(jq -c --arg w "$w" --argjson p "$(fsize "$BUILD/fixtures/wasm/$w.wasm")" --argjson a "$(fsize "$dir/$w.wasm")" \
    --arg s "$(awk -v w="$w" '$1 == w { print $2 }' "$dir/compile-seconds.tsv")" \
    '. + {($w): {plainBytes: $p, aotBytes: $a, compileSeconds: ($s | tonumber? // null)}}' <<<"$sizes")
done
jq -n --arg v "$version" --arg k "$key" --arg d "$dir" --argjson m "$sizes" --argjson t "$(fsize "$OUT/wasm-wasmedge-aot.tar")" \
  '{wasmedge: $v, key: $k, cache: $d, archiveBytes: $t, modules: $m}' >"$OUT/wasm-wasmedge-aot.json"
rm -f "$STATUS_DIR/wasmedge-aot.failed"
echo "wasmedge-aot: $rootfs, build/images/wasm-wasmedge-aot.tar ($version)"
jq -r '.modules | to_entries[] | "  \(.key).wasm  \(.value.plainBytes) -> \(.value.aotBytes) bytes, compiled in \(.value.compileSeconds // "?") s"' "$OUT/wasm-wasmedge-aot.json"
