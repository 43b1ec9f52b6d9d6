# shellcheck shell=bash
# Deterministic OCI image layouts, written without a registry or Docker: sourced by
# scripts/build-images.sh and the in-image scripts (build-wasmtime-image.sh, ...). Sorted tar entries,
# mtime 0, uid/gid 0 and gzip -n, so a digest changes only when the content does.
# Blobs go to $LAYOUT/blobs/sha256; descriptors are compact JSON strings. Needs jq.

EPOCH_ISO=1970-01-01T00:00:00Z
MT_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_INDEX=application/vnd.oci.image.index.v1+json
MT_CONFIG=application/vnd.oci.image.config.v1+json
MT_LAYER=application/vnd.oci.image.layer.v1.tar+gzip
# this file, for the scripts' cache keys
OCI_LAYOUT_LIB=${BASH_SOURCE[0]}

sha256() { sha256sum "$1" | cut -d' ' -f1; }
fsize() { stat -c %s "$1"; }

# new_layout DIR: an empty layout, which later calls write into
new_layout() {
  LAYOUT=$1
  rm -rf "$LAYOUT"
  mkdir -p "$LAYOUT/blobs/sha256"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$LAYOUT/oci-layout"
}

# put_file FILE MEDIATYPE -> descriptor (moves FILE into the layout)
put_file() {
  local f=$1 mt=$2 d n
  d=$(sha256 "$f")
  n=$(fsize "$f")
  mv -f "$f" "$LAYOUT/blobs/sha256/$d"
  jq -cn --arg mt "$mt" --arg d "sha256:$d" --argjson n "$n" '{mediaType: $mt, digest: $d, size: $n}'
}

# put_json JSON MEDIATYPE -> descriptor (JSON is written exactly as given)
put_json() {
  local tmp
  tmp=$(mktemp "$LAYOUT/.blob.XXXXXX")
  printf '%s' "$1" >"$tmp"
  put_file "$tmp" "$2"
}

# det_tar DIR OUT: a tar of DIR's contents (no "./" prefix, sorted, mtime 0, uid/gid 0)
det_tar() {
  local dir=$1 out=$2 list
  list=$(mktemp)
  (cd "$dir" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) >"$list"
  tar --create --file="$out" --directory="$dir" --no-recursion --files-from="$list" \
    --format=gnu --numeric-owner --owner=0 --group=0 --mtime=@0
  rm -f "$list"
}

# layer_from_dir DIR -> sets LAYER_DESC, LAYER_DIFFID, LAYER_RAW (uncompressed bytes)
layer_from_dir() {
  local tarf="$LAYOUT/.layer.tar"
  det_tar "$1" "$tarf"
  LAYER_DIFFID="sha256:$(sha256 "$tarf")"
  LAYER_RAW=$(fsize "$tarf")
  gzip -n -9 -f "$tarf"
  LAYER_DESC=$(put_file "$tarf.gz" "$MT_LAYER")
}

# variant_of ARCH -> the platform variant as JSON ("v8" for arm64, else null)
variant_of() { if [ "$1" = arm64 ]; then echo '"v8"'; else echo null; fi; }

# platform_of ARCH -> {architecture, os: linux[, variant]}
platform_of() {
  jq -cn --arg arch "$1" --argjson variant "$(variant_of "$1")" \
    '{architecture: $arch, os: "linux"} + (if $variant then {variant: $variant} else {} end)'
}

# image_index DESC... -> an image index holding the descriptors
image_index() {
  printf '%s\n' "$@" | jq -cs --arg mt "$MT_INDEX" '{schemaVersion: 2, mediaType: $mt, manifests: .}'
}

# write_index DESC... -> the layout's index.json
write_index() { image_index "$@" >"$LAYOUT/index.json"; }

# ref DESC NAME TAG -> DESC with the containerd and OCI ref annotations
ref() {
  jq -c --arg n "$2:$3" --arg t "$3" \
    '. + {annotations: ((.annotations // {}) + {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": $t})}' <<<"$1"
}

# archive LAYOUT_DIR OUT_TAR: the layout as one tar, replaced whole
archive() {
  det_tar "$1" "$2.tmp"
  mv -f "$2.tmp" "$2"
}

# one_platform_image LAYOUT_DIR ROOTFS ARCH NAME CONFIG CREATED_BY: a new layout of one
# linux/ARCH image whose one layer is ROOTFS, in an image index referenced as NAME:latest,
# archived as LAYOUT_DIR.tar. CONFIG is the image config's `config` object (JSON), CREATED_BY
# its history line. Leaves LAYER_DESC, LAYER_DIFFID and LAYER_RAW set (layer_from_dir).
one_platform_image() {
  local dir=$1 rootfs=$2 arch=$3 name=$4 cfg=$5 by=$6 config cdesc mdesc idesc
  new_layout "$dir"
  layer_from_dir "$rootfs"
  config=$(jq -cn --arg arch "$arch" --arg diff "$LAYER_DIFFID" --arg t "$EPOCH_ISO" --argjson c "$cfg" --arg by "$by" '
    {created: $t, architecture: $arch, os: "linux", config: $c,
     rootfs: {type: "layers", diff_ids: [$diff]}, history: [{created: $t, created_by: $by}]}')
  cdesc=$(put_json "$config" "$MT_CONFIG")
  mdesc=$(put_json "$(jq -cn --arg mt "$MT_MANIFEST" --argjson c "$cdesc" --argjson l "$LAYER_DESC" \
    '{schemaVersion: 2, mediaType: $mt, config: $c, layers: [$l]}')" "$MT_MANIFEST")
  mdesc=$(jq -c --argjson p "$(platform_of "$arch")" '. + {platform: $p}' <<<"$mdesc")
  idesc=$(put_json "$(image_index "$mdesc")" "$MT_INDEX")
  write_index "$(ref "$idesc" "$name" latest)"
  archive "$dir" "$dir.tar"
}
