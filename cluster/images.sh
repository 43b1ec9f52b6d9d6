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
# shellcheck source=../scripts/lib/oci-layout.sh
. "$root/scripts/lib/oci-layout.sh"
PAUSE_NAME=docker.io/runbench/pause:1.0
arch="$(dpkg --print-architecture 2>/dev/null || uname -m)"
case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac

die() { echo "cluster images: $*" >&2; exit 1; }

# manifest_index MANIFEST_JSON NAME OS -> index.json naming the manifest (platform OS/$arch) as NAME
manifest_index() {
  local mdesc
  mdesc=$(put_json "$1" "$MT_MANIFEST")
  write_index "$(jq -c --arg os "$3" --arg a "$arch" '. + {platform: {os: $os, architecture: $a}}' <<<"$(ref "$mdesc" "${2%:*}" "${2##*:}")")"
}

build_pause() {
  local out=$1 tmp cdesc
  tmp=$(mktemp -d)
  mkdir -p "$tmp/rootfs"
  gcc -O2 -static -s -o "$tmp/rootfs/pause" "$here/pause/pause.c"
  new_layout "$tmp/layout"
  layer_from_dir "$tmp/rootfs"
  cdesc=$(put_json "$(jq -cn --arg a "$arch" --arg diff "$LAYER_DIFFID" \
    '{architecture:$a,os:"linux",config:{Entrypoint:["/pause"],Env:["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],User:"65535:65535"},rootfs:{type:"layers",diff_ids:[$diff]},history:[{created:"1970-01-01T00:00:00Z",created_by:"cluster/pause/pause.c"}]}')" "$MT_CONFIG")
  manifest_index "$(jq -cn --arg mt "$MT_MANIFEST" --argjson c "$cdesc" --argjson l "$LAYER_DESC" \
    '{schemaVersion:2,mediaType:$mt,config:$c,layers:[$l]}')" "$PAUSE_NAME" linux
  archive "$LAYOUT" "$out/pause.tar"
  rm -rf "$tmp"
}

build_wasm_k8s() {
  local out=$1 src="$root/build/images/wasm" tmp m cfg cdesc l
  [[ -f "$src/index.json" ]] || { echo "cluster images: $src missing (scripts/build-images.sh): no wasm image for the cluster" >&2; return 0; }
  tmp=$(mktemp -d)
  # the :latest manifest (compat variant)
  m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="latest") | .digest' "$src/index.json")
  [[ -n "$m" ]] || die "no :latest manifest in $src/index.json"
  local mf="$src/blobs/sha256/${m#sha256:}"
  cfg=$(jq -r .config.digest "$mf")
  new_layout "$tmp/layout"
  # youki's default executor (the pause sandbox, or a module it does not take) wants PATH
  cdesc=$(put_json "$(jq -c --arg a "$arch" '.architecture=$a | .os="linux" | .config.Env = (.config.Env // ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])' "$src/blobs/sha256/${cfg#sha256:}")" "$MT_CONFIG")
  for l in $(jq -r '.layers[].digest' "$mf"); do cp "$src/blobs/sha256/${l#sha256:}" "$LAYOUT/blobs/sha256/"; done
  manifest_index "$(jq -c --argjson c "$cdesc" '.config.digest=$c.digest | .config.size=$c.size' "$mf")" "docker.io/runbench/wasm:k8s-$arch" linux
  archive "$LAYOUT" "$out/wasm-k8s.tar"
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
