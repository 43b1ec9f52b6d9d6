#!/usr/bin/env bash
# Images of the local cluster, as OCI image layouts built without a registry:
#   pause      docker.io/runbench/pause:1.0   the sandbox image (cluster/pause/pause.c, static; PATH set, youki requires it)
#   wasm-k8s   docker.io/runbench/wasm:k8s-<arch>   the wasm image of build/images/wasm.tar
#              (same layer and config fields) under platform linux/<arch>: containerd 1.6's CRI
#              only resolves images for its own platform, so wasi/wasm images are invisible to it.
# Usage: cluster/images.sh build <outdir>      writes <outdir>/{pause,wasm-k8s}.tar
#        cluster/images.sh import <outdir> <containerd socket>   imports them and build/images/*.tar
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
MT_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_INDEX=application/vnd.oci.image.index.v1+json
MT_CONFIG=application/vnd.oci.image.config.v1+json
MT_LAYER=application/vnd.oci.image.layer.v1.tar+gzip
PAUSE_NAME=docker.io/runbench/pause:1.0
arch="$(dpkg --print-architecture 2>/dev/null || uname -m)"
case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac

die() { echo "cluster images: $*" >&2; exit 1; }

# put_blob <layout> <file> -> prints sha256:<hex>, size
put_blob() {
  local layout=$1 file=$2 hex
  hex=$(sha256sum "$file" | cut -d' ' -f1)
  mkdir -p "$layout/blobs/sha256"
  cp "$file" "$layout/blobs/sha256/$hex"
  echo "sha256:$hex $(stat -c %s "$file")"
}

# write_layout <layout> <name> <platform-os> <config file> <manifest file>
finish_layout() {
  local layout=$1 name=$2 os=$3 manifest=$4 d s
  read -r d s < <(put_blob "$layout" "$manifest")
  echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
  jq -cn --arg d "$d" --argjson s "$s" --arg n "$name" --arg os "$os" --arg a "$arch" --arg mt "$MT_MANIFEST" \
    '{schemaVersion:2,mediaType:"application/vnd.oci.image.index.v1+json",manifests:[{mediaType:$mt,digest:$d,size:$s,platform:{os:$os,architecture:$a},annotations:{"io.containerd.image.name":$n,"org.opencontainers.image.ref.name":($n|split(":")|last)}}]}' \
    >"$layout/index.json"
}

tar_layout() { (cd "$1" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$2" oci-layout index.json blobs); }

build_pause() {
  local out=$1 tmp layout d s ld ls diff cd cs
  tmp=$(mktemp -d); layout="$tmp/layout"
  mkdir -p "$tmp/rootfs"
  gcc -O2 -static -s -o "$tmp/rootfs/pause" "$here/pause/pause.c"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tmp/rootfs" -cf "$tmp/layer.tar" pause
  diff="sha256:$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)"
  gzip -n -9 -c "$tmp/layer.tar" >"$tmp/layer.tar.gz"
  read -r ld ls < <(put_blob "$layout" "$tmp/layer.tar.gz")
  jq -cn --arg a "$arch" --arg diff "$diff" \
    '{architecture:$a,os:"linux",config:{Entrypoint:["/pause"],Env:["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],User:"65535:65535"},rootfs:{type:"layers",diff_ids:[$diff]},history:[{created:"1970-01-01T00:00:00Z",created_by:"cluster/pause/pause.c"}]}' >"$tmp/config.json"
  read -r cd cs < <(put_blob "$layout" "$tmp/config.json")
  jq -cn --arg cd "$cd" --argjson cs "$cs" --arg ld "$ld" --argjson ls "$ls" --arg mc "$MT_CONFIG" --arg ml "$MT_LAYER" --arg mm "$MT_MANIFEST" \
    '{schemaVersion:2,mediaType:$mm,config:{mediaType:$mc,digest:$cd,size:$cs},layers:[{mediaType:$ml,digest:$ld,size:$ls}]}' >"$tmp/manifest.json"
  finish_layout "$layout" "$PAUSE_NAME" linux "$tmp/manifest.json"
  tar_layout "$layout" "$out/pause.tar"
  rm -rf "$tmp"
}

build_wasm_k8s() {
  local out=$1 src="$root/build/images/wasm" tmp layout m cfg cd cs
  [[ -f "$src/index.json" ]] || { echo "cluster images: $src missing (scripts/build-images.sh): no wasm image for the cluster" >&2; return 0; }
  tmp=$(mktemp -d); layout="$tmp/layout"
  # the :latest manifest (compat variant)
  m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="latest") | .digest' "$src/index.json")
  [[ -n "$m" ]] || die "no :latest manifest in $src/index.json"
  local mf="$src/blobs/sha256/${m#sha256:}"
  cfg=$(jq -r .config.digest "$mf")
  # youki's default executor (the pause sandbox, or a module it does not take) wants PATH
  jq -c --arg a "$arch" '.architecture=$a | .os="linux" | .config.Env = (.config.Env // ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])' "$src/blobs/sha256/${cfg#sha256:}" >"$tmp/config.json"
  read -r cd cs < <(put_blob "$layout" "$tmp/config.json")
  for l in $(jq -r '.layers[].digest' "$mf"); do put_blob "$layout" "$src/blobs/sha256/${l#sha256:}" >/dev/null; done
  jq -c --arg cd "$cd" --argjson cs "$cs" '.config.digest=$cd | .config.size=$cs' "$mf" >"$tmp/manifest.json"
  finish_layout "$layout" "docker.io/runbench/wasm:k8s-$arch" linux "$tmp/manifest.json"
  tar_layout "$layout" "$out/wasm-k8s.tar"
  rm -rf "$tmp"
}

cmd=${1:-}; out=${2:-}
[[ -n "$cmd" && -n "$out" ]] || die "usage: images.sh build|import <outdir> [socket]"
case "$cmd" in
  build)
    mkdir -p "$out"
    build_pause "$out"
    build_wasm_k8s "$out"
    ;;
  import)
    sock=${3:?containerd socket}
    imp() { ctr --address "$sock" -n k8s.io images import --all-platforms "$1" >/dev/null || die "import of $1 failed"; }
    imp "$out/pause.tar"
    [[ -f "$out/wasm-k8s.tar" ]] && imp "$out/wasm-k8s.tar"
    for t in "$root"/build/images/*.tar; do
      [[ -f "$t" ]] || continue
      case "$(basename "$t")" in wasm-oci.tar) continue ;; esac # non-tar layers: containerd 1.6.20 cannot unpack them
      imp "$t"
    done
    ;;
  *) die "unknown command $cmd" ;;
esac
