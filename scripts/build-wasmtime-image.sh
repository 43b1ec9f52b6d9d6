#!/usr/bin/env bash
# Builds the image of the "in-image" way of running Wasm: an ordinary Linux
# container image that carries the wasmtime command-line runtime next to the
# modules, run by runc or crun like any other container
# (runtimes runc/wasmtime-in-image and crun/wasmtime-in-image).
#
#   build/rootfs/wasmtime-in-image-<arch>/   the native busybox rootfs
#       (build/rootfs/<arch>, which already holds /wasm/*.wasm)
#       + /usr/local/bin/wasmtime (symbols stripped)
#       + every shared library `ldd` lists for it, the glibc loader included,
#         copied (symlinks resolved) to the same paths
#   build/images/wasmtime-in-image/ + wasmtime-in-image.tar
#       OCI image layout, docker.io/runbench/wasmtime-in-image:latest,
#       linux/<arch>, one layer = that rootfs; `ctr images import` takes it
#   build/images/wasmtime-in-image.sizes.json
#       its compressed / uncompressed layer bytes beside those of the native
#       and the bare Wasm image (from build/images/sizes.json)
#
# Deterministic (sorted tar entries, mtime 0, uid/gid 0, gzip -n): the digest
# changes only when the native rootfs, the modules or the wasmtime binary do.
#
# Usage: scripts/build-wasmtime-image.sh [--force] [--wasmtime PATH]
#   --wasmtime PATH  the binary to carry (default: $RUNBENCH_CACHE/bin/wasmtime,
#                    built by scripts/build-wasmtime-cli.sh)
#   --force          rebuild even when the inputs did not change
#
# Needs: tar gzip jq ldd strip (binutils). Only the host architecture: the wasmtime binary is
# built for it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"
OUT="$BUILD/images"
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
NAME=docker.io/runbench/wasmtime-in-image
RUNTIME_PATH=/usr/local/bin/wasmtime
EPOCH_ISO=1970-01-01T00:00:00Z
MT_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_INDEX=application/vnd.oci.image.index.v1+json
MT_CONFIG=application/vnd.oci.image.config.v1+json
MT_LAYER=application/vnd.oci.image.layer.v1.tar+gzip

die() { printf 'build-wasmtime-image: %s\n' "$*" >&2; exit 1; }

wasmtime=$CACHE/bin/wasmtime
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1; shift ;;
    --wasmtime) wasmtime=${2:?--wasmtime needs a path}; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

case $(uname -m) in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) die "unsupported host architecture $(uname -m)" ;;
esac
command -v jq >/dev/null || die "jq not found (apt-get install jq)"
[ -x "$wasmtime" ] || die "$wasmtime not found: run scripts/build-wasmtime-cli.sh"
wasmtime=$(readlink -f "$wasmtime")
NATIVE="$BUILD/rootfs/$arch"
[ -x "$NATIVE/bin/busybox" ] || die "no native rootfs at $NATIVE: run scripts/build-fixtures.sh"
ls "$NATIVE"/wasm/*.wasm >/dev/null 2>&1 || die "$NATIVE/wasm has no modules: run scripts/build-fixtures.sh --arch wasm"
ROOTFS="$BUILD/rootfs/wasmtime-in-image-$arch"

sha256() { sha256sum "$1" | cut -d' ' -f1; }
fsize() { stat -c %s "$1"; }

# The libraries the binary needs, as absolute paths (the loader included; the vDSO has no file).
libraries() {
  ldd "$wasmtime" | awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' | LC_ALL=C sort -u
}

input_key() {
  {
    sha256 "$0"
    sha256 "$wasmtime"
    for l in $(libraries); do echo "$l"; sha256 "$l"; done
    (cd "$NATIVE" && find . -printf '%P %m %y %l\n' | LC_ALL=C sort)
    (cd "$NATIVE" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -d' ' -f1
}

# --- the rootfs ------------------------------------------------------------------
build_rootfs() {
  rm -rf "$ROOTFS.tmp"
  cp -a "$NATIVE" "$ROOTFS.tmp"
  # symbols stripped, as a released wasmtime ships (the build keeps them: 69.6 MB against 52.6 MB)
  install -D -m 0755 "$wasmtime" "$ROOTFS.tmp$RUNTIME_PATH"
  strip --strip-unneeded "$ROOTFS.tmp$RUNTIME_PATH"
  local l
  for l in $(libraries); do
    # same path inside; a symlinked directory on the host (/lib -> usr/lib) becomes a real one
    install -D -m 0755 "$(readlink -f "$l")" "$ROOTFS.tmp$l"
  done
  rm -rf "$ROOTFS" && mv "$ROOTFS.tmp" "$ROOTFS"
}

# --- the image layout ---------------------------------------------------------------
put_file() { # FILE MEDIATYPE -> descriptor (moves FILE into the layout)
  local f=$1 mt=$2 d n
  d=$(sha256 "$f")
  n=$(fsize "$f")
  mv -f "$f" "$LAYOUT/blobs/sha256/$d"
  jq -cn --arg mt "$mt" --arg d "sha256:$d" --argjson n "$n" '{mediaType: $mt, digest: $d, size: $n}'
}

put_json() { # JSON MEDIATYPE -> descriptor
  local tmp
  tmp=$(mktemp "$LAYOUT/.blob.XXXXXX")
  printf '%s' "$1" >"$tmp"
  put_file "$tmp" "$2"
}

det_tar() { # DIR OUT: sorted entries, no ./ prefix, mtime 0, uid/gid 0
  local dir=$1 out=$2 list
  list=$(mktemp)
  (cd "$dir" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) >"$list"
  tar --create --file="$out" --directory="$dir" --no-recursion --files-from="$list" \
    --format=gnu --numeric-owner --owner=0 --group=0 --mtime=@0
  rm -f "$list"
}

build_image() {
  LAYOUT="$OUT/wasmtime-in-image"
  rm -rf "$LAYOUT"
  mkdir -p "$LAYOUT/blobs/sha256"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$LAYOUT/oci-layout"
  local tarf="$LAYOUT/.layer.tar" diff raw ldesc config cdesc mdesc version
  det_tar "$ROOTFS" "$tarf"
  diff="sha256:$(sha256 "$tarf")"
  raw=$(fsize "$tarf")
  gzip -n -9 -f "$tarf"
  ldesc=$(put_file "$tarf.gz" "$MT_LAYER")
  version=$("$wasmtime" --version | awk 'NR == 1 { print $2 }')
  config=$(jq -cn --arg arch "$arch" --arg diff "$diff" --arg t "$EPOCH_ISO" --arg rt "$RUNTIME_PATH" --arg v "$version" '
    {created: $t, architecture: $arch, os: "linux",
     config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
              Entrypoint: [$rt, "run", "--dir=/"], Cmd: ["/wasm/hello.wasm"], WorkingDir: "/",
              Labels: {"org.opencontainers.image.title": "runbench workloads as Wasm modules with the wasmtime CLI",
                       "org.opencontainers.image.version": $v}},
     rootfs: {type: "layers", diff_ids: [$diff]},
     history: [{created: $t, created_by: "scripts/build-wasmtime-image.sh: build/rootfs/\($arch) + wasmtime \($v) + its shared libraries"}]}')
  cdesc=$(put_json "$config" "$MT_CONFIG")
  mdesc=$(put_json "$(jq -cn --arg mt "$MT_MANIFEST" --argjson c "$cdesc" --argjson l "$ldesc" \
    '{schemaVersion: 2, mediaType: $mt, config: $c, layers: [$l]}')" "$MT_MANIFEST")
  jq -c --arg arch "$arch" --arg n "$NAME:latest" \
    '. + {platform: {architecture: $arch, os: "linux"},
          annotations: {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": "latest"}}' <<<"$mdesc" |
    jq -cs --arg mt "$MT_INDEX" '{schemaVersion: 2, mediaType: $mt, manifests: .}' >"$LAYOUT/index.json"
  det_tar "$LAYOUT" "$OUT/wasmtime-in-image.tar.tmp"
  mv -f "$OUT/wasmtime-in-image.tar.tmp" "$OUT/wasmtime-in-image.tar"

  local others='{}'
  [ -f "$OUT/sizes.json" ] && others=$(cat "$OUT/sizes.json")
  jq -n --arg ref "$NAME:latest" --arg arch "$arch" --arg v "$version" \
    --argjson c "$(jq -r .size <<<"$ldesc")" --argjson u "$raw" --argjson a "$(fsize "$OUT/wasmtime-in-image.tar")" \
    --argjson w "$(fsize "$ROOTFS$RUNTIME_PATH")" --argjson o "$others" '
    {wasmtimeInImage: {ref: $ref, archive: "build/images/wasmtime-in-image.tar", platform: "linux/\($arch)",
                       wasmtimeVersion: $v, wasmtimeBinaryBytes: $w, archiveBytes: $a,
                       layerBytes: $c, uncompressedBytes: $u},
     native: ($o.native.perArch[$arch] // null),
     wasm: ($o.wasm.compat // null)}' >"$OUT/wasmtime-in-image.sizes.json"
}

mkdir -p "$OUT"
key=$(input_key)
stamp="$OUT/.wasmtime-in-image.stamp"
if [ $force -eq 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -d "$ROOTFS" ] &&
  [ -f "$OUT/wasmtime-in-image.tar" ] && [ -f "$OUT/wasmtime-in-image.sizes.json" ]; then
  echo "wasmtime-in-image: up to date"
else
  build_rootfs
  build_image
  echo "$key" >"$stamp"
  echo "wasmtime-in-image: $ROOTFS, build/images/wasmtime-in-image.tar"
fi
jq -r --arg arch "$arch" '
  "image sizes (compressed layer bytes / uncompressed):",
  "  runbench/wasmtime-in-image:latest  linux/\($arch)  \(.wasmtimeInImage.layerBytes) / \(.wasmtimeInImage.uncompressedBytes)  (wasmtime \(.wasmtimeInImage.wasmtimeVersion): \(.wasmtimeInImage.wasmtimeBinaryBytes) bytes)",
  (if .native then "  runbench/native:latest             linux/\($arch)  \(.native.layerBytes) / \(.native.uncompressedBytes)" else empty end),
  (if .wasm then "  runbench/wasm:latest               wasi/wasm    \(.wasm.layerBytes) / \(.wasm.uncompressedBytes)" else empty end)' \
  "$OUT/wasmtime-in-image.sizes.json"
