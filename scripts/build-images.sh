#!/usr/bin/env bash
# Builds OCI image layouts from the fixtures (no registry, no Docker):
#
#   build/images/native/   + native.tar   docker.io/runbench/native:latest
#       multi-arch image index (linux/amd64, plus linux/arm64 when
#       build/rootfs/arm64 exists); one layer = build/rootfs/<arch>.
#   build/images/wasm/     + wasm.tar     docker.io/runbench/wasm:...
#       :latest        platform wasi/wasm, one tar layer holding /<workload>.wasm,
#                      annotation + label module.wasm.image/variant=compat,
#                      entrypoint /hello.wasm (crun/youki wasm handlers and the
#                      runwasi shim's "module from rootfs" path)
#       :compat-smart  same layer, variant compat-smart (crun only)
#   build/images/wasm-oci/ + wasm-oci.tar docker.io/runbench/wasm:oci-<workload>
#       OCI artifact form for the runwasi shim: config with architecture
#       wasm, os wasip1, no rootfs diff_ids, and the module itself as the
#       single layer, media type
#       application/vnd.bytecodealliance.wasm.component.layer.v0+wasm.
#       The runtime wasmtime-shim/aot runs them (the shim compiles each
#       image's layer on its first run). Unpacking them needs containerd
#       >= 1.6.25 / 1.7.7 (older releases cannot unpack non-tar layers;
#       Debian 12 ships 1.6.20), but nothing needs unpacking: runbench
#       imports them with --no-unpack and gives their containers an empty
#       rootfs, under 1.6.20 as under 1.7.
#   build/images/sizes.json  compressed/uncompressed layer bytes per image
#
# Everything is deterministic (sorted tar entries, mtime 0, uid/gid 0,
# gzip -n), so digests only change when the fixtures do.
#
# Usage: scripts/build-images.sh [--verify] [--force]
#   --verify  import both archives with a real `ctr` into a throwaway
#             containerd (own --root/--state/--address under a temp dir,
#             stopped afterwards) and run a native container with runc
#   --force   rebuild even when the inputs did not change
#
# Import elsewhere:  ctr images import --all-platforms build/images/wasm.tar
# (wasm images have a non-linux platform, so --all-platforms or
# --platform wasi/wasm is needed; native.tar imports without it).
# wasm-oci.tar: add --no-unpack on containerd older than 1.6.25 / 1.7.7.
#
# Needs (Debian): tar gzip jq (jq: add to the set-up package list);
# containerd + runc for --verify; skopeo is used for an extra check if present.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"
OUT="$BUILD/images"
WORKLOADS=(hello cpu mem idle noop probe)
NATIVE_NAME=docker.io/runbench/native
WASM_NAME=docker.io/runbench/wasm
WASM_LAYER_MT=application/vnd.bytecodealliance.wasm.component.layer.v0+wasm
# shellcheck source=lib/oci-layout.sh
. "$ROOT/scripts/lib/oci-layout.sh"

log() { printf '%s\n' "$*"; }
die() { printf 'build-images: %s\n' "$*" >&2; exit 1; }

verify=0
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --verify) verify=1; shift ;;
    --force) force=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

command -v jq >/dev/null || die "jq not found (apt-get install jq)"
[ -d "$BUILD/rootfs/amd64" ] || [ -d "$BUILD/rootfs/arm64" ] || die "no rootfs under build/rootfs: run scripts/build-fixtures.sh first"
for w in "${WORKLOADS[@]}"; do
  [ -f "$BUILD/fixtures/wasm/$w.wasm" ] || die "build/fixtures/wasm/$w.wasm missing: run scripts/build-fixtures.sh --arch wasm"
done
native_archs=()
for a in amd64 arm64; do [ -x "$BUILD/rootfs/$a/bin/busybox" ] && native_archs+=("$a"); done

# --- skip when nothing changed -------------------------------------------------
input_key() {
  {
    sha256 "$0"
    sha256 "$OCI_LAYOUT_LIB"
    for a in "${native_archs[@]}"; do
      echo "$a"
      (cd "$BUILD/rootfs/$a" && find . -printf '%P %m %y %l\n' | LC_ALL=C sort)
      (cd "$BUILD/rootfs/$a" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    done
    for w in "${WORKLOADS[@]}"; do sha256 "$BUILD/fixtures/wasm/$w.wasm"; done
  } | sha256sum | cut -d' ' -f1
}

layer_bytes() { jq -r '.size' <<<"$1"; }

# --- native image --------------------------------------------------------------------
build_native() {
  local a config cdesc mdesc
  local -a per_arch=()
  new_layout "$OUT/native"
  NATIVE_SIZES='{}'
  for a in "${native_archs[@]}"; do
    layer_from_dir "$BUILD/rootfs/$a"
    config=$(jq -cn --arg arch "$a" --argjson variant "$(variant_of "$a")" --arg diff "$LAYER_DIFFID" --arg t "$EPOCH_ISO" '
      {created: $t, architecture: $arch, os: "linux"}
      + (if $variant then {variant: $variant} else {} end)
      + {config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                  Cmd: ["/bin/hello"], WorkingDir: "/",
                  Labels: {"org.opencontainers.image.title": "runbench native fixtures"}},
         rootfs: {type: "layers", diff_ids: [$diff]},
         history: [{created: $t, created_by: "scripts/build-images.sh: build/rootfs/\($arch)"}]}')
    cdesc=$(put_json "$config" "$MT_CONFIG")
    mdesc=$(put_json "$(jq -cn --arg mt "$MT_MANIFEST" --argjson c "$cdesc" --argjson l "$LAYER_DESC" \
      '{schemaVersion: 2, mediaType: $mt, config: $c, layers: [$l]}')" "$MT_MANIFEST")
    per_arch+=("$(jq -c --argjson p "$(platform_of "$a")" '. + {platform: $p}' <<<"$mdesc")")
    NATIVE_SIZES=$(jq -c --arg a "$a" --argjson c "$(layer_bytes "$LAYER_DESC")" --argjson u "$LAYER_RAW" \
      '. + {($a): {layerBytes: $c, uncompressedBytes: $u}}' <<<"$NATIVE_SIZES")
  done
  local idesc
  idesc=$(put_json "$(image_index "${per_arch[@]}")" "$MT_INDEX")
  # only the multi-arch ref: a per-arch ref for a foreign arch would make a
  # plain `ctr images import` fail (it fetches host-platform content only)
  write_index "$(ref "$idesc" "$NATIVE_NAME" latest)"
  archive "$OUT/native" "$OUT/native.tar"
}

# --- wasm images ------------------------------------------------------------------------
build_wasm() {
  local stage="$OUT/.wasm-stage" w variant cdesc mdesc config
  local -a refs=()
  new_layout "$OUT/wasm"
  rm -rf "$stage" && mkdir -p "$stage"
  for w in "${WORKLOADS[@]}"; do install -m 0755 "$BUILD/fixtures/wasm/$w.wasm" "$stage/$w.wasm"; done
  chmod 0755 "$stage"
  layer_from_dir "$stage"
  rm -rf "$stage"
  local compat_layer=$LAYER_DESC compat_diff=$LAYER_DIFFID compat_raw=$LAYER_RAW
  WASM_SIZES=$(jq -cn --argjson c "$(layer_bytes "$compat_layer")" --argjson u "$compat_raw" \
    '{compat: {layerBytes: $c, uncompressedBytes: $u}, oci: {}}')

  for variant in compat compat-smart; do
    config=$(jq -cn --arg v "$variant" --arg diff "$compat_diff" --arg t "$EPOCH_ISO" '
      {created: $t, architecture: "wasm", os: "wasi",
       config: {Entrypoint: ["/hello.wasm"], WorkingDir: "/",
                Labels: {"module.wasm.image/variant": $v}},
       rootfs: {type: "layers", diff_ids: [$diff]},
       history: [{created: $t, created_by: "scripts/build-images.sh: build/fixtures/wasm/*.wasm"}]}')
    cdesc=$(put_json "$config" "$MT_CONFIG")
    mdesc=$(put_json "$(jq -cn --arg mt "$MT_MANIFEST" --argjson c "$cdesc" --argjson l "$compat_layer" --arg v "$variant" \
      '{schemaVersion: 2, mediaType: $mt, config: $c, layers: [$l],
        annotations: {"module.wasm.image/variant": $v}}')" "$MT_MANIFEST")
    mdesc=$(jq -c '. + {platform: {architecture: "wasm", os: "wasi"}}' <<<"$mdesc")
    if [ "$variant" = compat ]; then
      refs+=("$(ref "$mdesc" "$WASM_NAME" latest)")
    else
      refs+=("$(ref "$mdesc" "$WASM_NAME" compat-smart)")
    fi
  done

  write_index "${refs[@]}"
  archive "$OUT/wasm" "$OUT/wasm.tar"

  # OCI artifact form: the module is the layer (runwasi's shim reads it from
  # the content store; one module per image, so one image per workload).
  # Separate archive: containerd before 1.6.25 / 1.7.7 refuses to unpack
  # images whose layers are not tars ("mismatched image rootfs and manifest
  # layers"), which would make importing wasm.tar fail there.
  refs=()
  new_layout "$OUT/wasm-oci"
  for w in "${WORKLOADS[@]}"; do
    local tmp ldesc
    tmp=$(mktemp "$LAYOUT/.blob.XXXXXX")
    cp "$BUILD/fixtures/wasm/$w.wasm" "$tmp"
    ldesc=$(put_file "$tmp" "$WASM_LAYER_MT")
    config=$(jq -cn --arg w "$w" --arg t "$EPOCH_ISO" '
      {created: $t, architecture: "wasm", os: "wasip1",
       config: {Entrypoint: ["/\($w).wasm"], WorkingDir: "/"},
       rootfs: {type: "layers", diff_ids: []}}')
    cdesc=$(put_json "$config" "$MT_CONFIG")
    mdesc=$(put_json "$(jq -cn --arg mt "$MT_MANIFEST" --argjson c "$cdesc" --argjson l "$ldesc" \
      '{schemaVersion: 2, mediaType: $mt, config: $c, layers: [$l]}')" "$MT_MANIFEST")
    mdesc=$(jq -c '. + {platform: {architecture: "wasm", os: "wasip1"}}' <<<"$mdesc")
    refs+=("$(ref "$mdesc" "$WASM_NAME" "oci-$w")")
    WASM_SIZES=$(jq -c --arg w "$w" --argjson c "$(layer_bytes "$ldesc")" \
      '.oci += {($w): {layerBytes: $c, uncompressedBytes: $c}}' <<<"$WASM_SIZES")
  done
  write_index "${refs[@]}"
  archive "$OUT/wasm-oci" "$OUT/wasm-oci.tar"
}

print_sizes() {
  jq -r '
    "image sizes (compressed layer bytes / uncompressed):",
    (.native.perArch | to_entries[] | "  runbench/native:latest  linux/\(.key)  \(.value.layerBytes) / \(.value.uncompressedBytes)"),
    "  runbench/wasm:latest    wasi/wasm    \(.wasm.compat.layerBytes) / \(.wasm.compat.uncompressedBytes)",
    (.wasm.oci | to_entries[] | "  runbench/wasm:oci-\(.key)  wasip1/wasm  \(.value.layerBytes)"),
    "archives: native.tar \(.native.archiveBytes) bytes, wasm.tar \(.wasm.archiveBytes) bytes, wasm-oci.tar \(.wasm.ociArchiveBytes) bytes"' "$OUT/sizes.json"
}

mkdir -p "$OUT"
key=$(input_key)
if [ $force -eq 0 ] && [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$key" ] &&
  [ -f "$OUT/native.tar" ] && [ -f "$OUT/wasm.tar" ] && [ -f "$OUT/wasm-oci.tar" ] && [ -f "$OUT/sizes.json" ]; then
  log "images: up to date"
else
  build_native
  build_wasm
  jq -n --argjson n "$NATIVE_SIZES" --argjson w "$WASM_SIZES" \
    --argjson na "$(fsize "$OUT/native.tar")" --argjson wa "$(fsize "$OUT/wasm.tar")" \
    --argjson oa "$(fsize "$OUT/wasm-oci.tar")" \
    --arg nn "$NATIVE_NAME" --arg wn "$WASM_NAME" '
    {native: {ref: "\($nn):latest", archive: "build/images/native.tar", archiveBytes: $na, perArch: $n},
     wasm: {ref: "\($wn):latest", archive: "build/images/wasm.tar", archiveBytes: $wa,
            compat: $w.compat, ociArchive: "build/images/wasm-oci.tar", ociArchiveBytes: $oa, oci: $w.oci}}' >"$OUT/sizes.json"
  echo "$key" >"$OUT/.stamp"
  log "images: build/images/native.tar build/images/wasm.tar build/images/wasm-oci.tar"
fi
print_sizes

# --- verification with a throwaway containerd ---------------------------------------------
if [ $verify -eq 1 ]; then
  command -v containerd >/dev/null && command -v ctr >/dev/null || die "--verify needs containerd and ctr"
  VT=$(mktemp -d /tmp/runbench-ctrd.XXXXXX)
  sock="$VT/containerd.sock"
  cat >"$VT/config.toml" <<EOF
version = 2
root = "$VT/root"
state = "$VT/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$VT/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
  containerd --config "$VT/config.toml" --root "$VT/root" --state "$VT/state" --address "$sock" >"$VT/containerd.log" 2>&1 &
  CTRD_PID=$!
  cleanup() {
    kill "$CTRD_PID" 2>/dev/null || true
    wait "$CTRD_PID" 2>/dev/null || true
    # the native snapshotter leaves plain directories; all of it is ours
    rm -rf "$VT"
    # containerd made a cgroup parent named after the namespace
    local d
    for d in /sys/fs/cgroup/*/runbench-verify /sys/fs/cgroup/runbench-verify; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
    return 0
  }
  trap cleanup EXIT
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
  [ -S "$sock" ] || { cat "$VT/containerd.log" >&2; die "throwaway containerd did not start"; }
  c() { ctr --address "$sock" --namespace runbench-verify "$@"; }
  c images import --snapshotter native "$OUT/native.tar"
  c images import --all-platforms --snapshotter native "$OUT/wasm.tar"
  # content only: unpacking non-tar layers needs containerd >= 1.6.25 / 1.7.7
  c images import --all-platforms --no-unpack "$OUT/wasm-oci.tar"
  c images ls
  c images check
  out=$(c run --rm --snapshotter native "$NATIVE_NAME:latest" rbverify /bin/hello 2>&1) || true
  if [ "$out" = runbench-hello-ok ]; then
    log "verify: ctr run $NATIVE_NAME:latest /bin/hello -> $out"
  else
    log "verify: ctr run did not print the marker (runc in this environment?): $out"
  fi
  if command -v skopeo >/dev/null; then
    skopeo inspect --raw "oci-archive:$OUT/native.tar:latest" >/dev/null && log "verify: skopeo reads native.tar:latest"
    skopeo inspect --override-os wasi --override-arch wasm "oci-archive:$OUT/wasm.tar:latest" >/dev/null &&
      log "verify: skopeo reads wasm.tar:latest"
  fi
fi
