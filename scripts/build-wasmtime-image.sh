#!/usr/bin/env bash
# Builds the image of the "in-image" way of running Wasm: an ordinary Linux
# container image that carries the wasmtime command-line runtime next to the
# modules, run by runc or crun like any other container
# (runtimes runc/wasmtime-in-image and crun/wasmtime-in-image).
#
#   build/rootfs/wasmtime-in-image-<arch>/   one per architecture built
#       the native busybox rootfs (build/rootfs/<arch>, which already holds
#       /wasm/*.wasm)
#       + /usr/local/bin/wasmtime (symbols stripped)
#       + /wasm-aot/<workload>.cwasm: each /wasm module compiled ahead of time by
#         that wasmtime (`wasmtime compile`), native code for this machine's CPU
#         (runtimes runc/wasmtime-aot-in-image, crun/wasmtime-aot-in-image run
#         them with `wasmtime run --allow-precompiled`)
#       + its shared libraries and the glibc loader, copied (symlinks resolved):
#         host arch: every library `ldd` lists, at the same paths;
#         another arch: the NEEDED entries (`<cpu>-linux-gnu-readelf -d`,
#         followed through the libraries) taken from Debian's cross sysroot
#         /usr/<cpu>-linux-gnu/lib, put in /lib/<cpu>-linux-gnu as Debian lays
#         them out, and the loader at the program interpreter's path
#   build/images/wasmtime-in-image/ + wasmtime-in-image.tar
#       OCI image layout, docker.io/runbench/wasmtime-in-image:latest: an
#       image index with linux/<host arch>, plus linux/arm64/v8 on an x86
#       host when the arm64 wasmtime and build/rootfs/arm64 exist (as
#       scripts/build-images.sh does for the native image); one layer per
#       architecture = its rootfs. `ctr images import --platform linux/<arch>`
#       takes either.
#   build/images/wasmtime-in-image.sizes.json
#       per architecture its compressed / uncompressed layer bytes and
#       wasmtime's size, beside those of the native and the bare Wasm image
#       (from build/images/sizes.json)
#
# Deterministic (sorted tar entries, mtime 0, uid/gid 0, gzip -n): the digest
# changes only when a native rootfs, the modules, a wasmtime binary or its
# libraries do.
#
# Usage: scripts/build-wasmtime-image.sh [--force] [--wasmtime [ARCH=]PATH]...
#   --wasmtime PATH       the binary to carry for the host architecture
#                         (default: $RUNBENCH_CACHE/bin/wasmtime, built by
#                         scripts/build-wasmtime-cli.sh)
#   --wasmtime ARCH=PATH  the binary for ARCH (amd64 or arm64; default for a
#                         foreign one: $RUNBENCH_CACHE/wasmtime-cli-<version>-<arch>/bin/wasmtime,
#                         built by scripts/build-wasmtime-cli.sh --arch <arch>)
#   --force               rebuild even when the inputs did not change
#
# The host architecture is required. A foreign one whose wasmtime or native
# rootfs is absent is left out, saying so; one that fails to build is left
# out of the image with its reason in
# $RUNBENCH_CACHE/status/wasmtime-in-image-<arch>.failed, and the host's
# image is built all the same.
#
# Needs: tar gzip jq ldd strip (binutils); for arm64 on x86 the
# gcc-aarch64-linux-gnu toolchain (readelf, strip, the sysroot) and
# qemu-user-static.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=versions.env
. "$ROOT/scripts/versions.env"
# shellcheck source=lib/oci-layout.sh
. "$ROOT/scripts/lib/oci-layout.sh"
BUILD="$ROOT/build"
OUT="$BUILD/images"
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
STATUS_DIR=$CACHE/status
VERSION=${WASMTIME_CLI_VERSION:-$SHIM_WASMTIME_VERSION}
NAME=docker.io/runbench/wasmtime-in-image
RUNTIME_PATH=/usr/local/bin/wasmtime
ALL_ARCHS=(amd64 arm64)

die() { printf 'build-wasmtime-image: %s\n' "$*" >&2; exit 1; }

cpu_of() { # amd64 -> x86_64, arm64 -> aarch64
  case $1 in amd64) echo x86_64 ;; arm64) echo aarch64 ;; *) return 1 ;; esac
}

elf_machine_of() { # as readelf -h names it
  case $1 in amd64) echo 'Advanced Micro Devices X86-64' ;; arm64) echo AArch64 ;; *) return 1 ;; esac
}

case $(uname -m) in
  x86_64) host_arch=amd64 ;;
  aarch64) host_arch=arm64 ;;
  *) die "unsupported host architecture $(uname -m)" ;;
esac

declare -A wasmtime=([$host_arch]=$CACHE/bin/wasmtime)
for a in "${ALL_ARCHS[@]}"; do
  [ "$a" = "$host_arch" ] || wasmtime[$a]=$CACHE/wasmtime-cli-$VERSION-$a/bin/wasmtime
done
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1; shift ;;
    --wasmtime)
      v=${2:?--wasmtime needs a path or ARCH=PATH}
      case $v in
        *=*) a=${v%%=*}; cpu_of "$a" >/dev/null || die "--wasmtime $v: unknown architecture '$a' (amd64 or arm64)"; wasmtime[$a]=${v#*=} ;;
        *) wasmtime[$host_arch]=$v ;;
      esac
      shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

command -v jq >/dev/null || die "jq not found (apt-get install jq)"
mkdir -p "$OUT" "$STATUS_DIR"

native_of() { echo "$BUILD/rootfs/$1"; }
rootfs_of() { echo "$BUILD/rootfs/wasmtime-in-image-$1"; }
gnu_of() { echo "$(cpu_of "$1")-linux-gnu"; }

# Runs ARCH's wasmtime: directly on its own host, under qemu-user with the cross sysroot otherwise.
run_wasmtime() { # ARCH ARGS...
  local a=$1; shift
  if [ "$a" = "$host_arch" ]; then
    "${wasmtime[$a]}" "$@"
  else
    "qemu-$(cpu_of "$a")-static" -L "/usr/$(gnu_of "$a")" "${wasmtime[$a]}" "$@"
  fi
}

# --- the files wasmtime needs to start ------------------------------------------------
# One "SOURCE DEST" line each (DEST: the path inside the rootfs), sorted by DEST.

host_libraries() { # BINARY: ldd's list, the loader included (the vDSO has no file), same path inside
  ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' |
    LC_ALL=C sort -u | awk '{ print $1, $1 }'
}

# ldd cannot load a foreign binary: walk its NEEDED entries through the cross sysroot.
cross_libraries() { # ARCH BINARY
  local gnu readelf sysroot interp name src file out
  gnu=$(gnu_of "$1")
  readelf=$gnu-readelf
  sysroot=/usr/$gnu/lib
  command -v "$readelf" >/dev/null || { echo "$readelf not found (apt-get install binutils-$gnu)" >&2; return 1; }
  local machine
  machine=$("$readelf" -h "$2" 2>/dev/null | sed -n 's/^ *Machine: *//p')
  [ "$machine" = "$(elf_machine_of "$1")" ] ||
    { echo "$2 is not built for $1 (ELF machine: ${machine:-none})" >&2; return 1; }
  interp=$("$readelf" -l "$2" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
  [ -n "$interp" ] || { echo "$2 names no program interpreter (not a dynamic $gnu executable?)" >&2; return 1; }
  [ -f "$sysroot/${interp##*/}" ] || { echo "the loader ${interp##*/} is not in $sysroot (apt-get install libc6-$1-cross)" >&2; return 1; }
  out="$sysroot/${interp##*/} $interp"
  local -a queue=("$2")
  # the loader is found by its soname once loaded: libc's NEEDED entry for it needs no copy
  local -A seen=(["${interp##*/}"]=1)
  while [ ${#queue[@]} -gt 0 ]; do
    file=${queue[0]}
    queue=("${queue[@]:1}")
    for name in $("$readelf" -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
      [ -n "${seen[$name]:-}" ] && continue
      seen[$name]=1
      src=$sysroot/$name
      [ -e "$src" ] || { echo "$name, needed by ${file##*/}, is not in $sysroot" >&2; return 1; }
      out+=$'\n'"$src /lib/$gnu/$name"
      queue+=("$src")
    done
  done
  LC_ALL=C sort -k2 <<<"$out"
}

libraries() { # ARCH
  if [ "$1" = "$host_arch" ]; then host_libraries "${wasmtime[$1]}"; else cross_libraries "$1" "${wasmtime[$1]}"; fi
}

# --- which architectures --------------------------------------------------------------

declare -A libs=() version=()
archs=()
failed_archs=()

# record_failure ARCH REASON: a foreign arch left out of the image, for setup.sh and doctor
record_failure() {
  printf '%s\n' "$2" >"$STATUS_DIR/wasmtime-in-image-$1.failed"
  # the OCI layer runs the rootfs: none is left that the image does not hold
  rm -rf "$(rootfs_of "$1").tmp" "$(rootfs_of "$1")"
  printf '!!! BUILD FAILED: wasmtime-in-image linux/%s: %s (the image is built without it)\n' "$1" "$2" >&2
  failed_archs+=("$1")
}

# Inputs of one architecture: why they are missing (exit 1), or nothing.
arch_missing() { # ARCH
  local a=$1 native
  native=$(native_of "$a")
  [ -x "${wasmtime[$a]}" ] || { echo "no wasmtime at ${wasmtime[$a]}: run scripts/build-wasmtime-cli.sh$([ "$a" = "$host_arch" ] || echo " --arch $a")"; return 1; }
  [ -x "$native/bin/busybox" ] || { echo "no native rootfs at $native: run scripts/build-fixtures.sh"; return 1; }
  ls "$native"/wasm/*.wasm >/dev/null 2>&1 || { echo "$native/wasm has no modules: run scripts/build-fixtures.sh --arch wasm"; return 1; }
}

# libs[ARCH] and version[ARCH], or the reason on stderr
probe_arch() { # ARCH
  local a=$1 v
  wasmtime[$a]=$(readlink -f "${wasmtime[$a]}")
  if [ "$a" != "$host_arch" ]; then
    command -v "qemu-$(cpu_of "$a")-static" >/dev/null || { echo "qemu-$(cpu_of "$a")-static not found (apt-get install qemu-user-static)" >&2; return 1; }
    command -v "$(gnu_of "$a")-strip" >/dev/null || { echo "$(gnu_of "$a")-strip not found (apt-get install binutils-$(gnu_of "$a"))" >&2; return 1; }
  fi
  libs[$a]=$(libraries "$a") || return 1
  v=$(run_wasmtime "$a" --version 2>&1) || { echo "${wasmtime[$a]} --version does not run: $v" >&2; return 1; }
  version[$a]=$(awk 'NR == 1 { print $2 }' <<<"$v")
}

errf=$(mktemp)
trap 'rm -f "$errf"' EXIT
why=$(arch_missing "$host_arch") || die "$why"
probe_arch "$host_arch" 2>"$errf" || die "$(tail -n 1 "$errf")"
archs+=("$host_arch")
for a in "${ALL_ARCHS[@]}"; do
  [ "$a" = "$host_arch" ] && continue
  if ! why=$(arch_missing "$a"); then
    # not asked for by what is built: nothing failed, and an old rootfs would outlive its image
    echo "wasmtime-in-image: linux/$a left out: $why"
    rm -f "$STATUS_DIR/wasmtime-in-image-$a.failed"
    rm -rf "$(rootfs_of "$a")"
    continue
  fi
  if probe_arch "$a" 2>"$errf"; then
    if [ "${version[$a]}" != "${version[$host_arch]}" ]; then
      record_failure "$a" "its wasmtime is ${version[$a]}, the host's ${version[$host_arch]}: the image carries one version"
    else
      archs+=("$a")
    fi
  else
    record_failure "$a" "$(tail -n 1 "$errf")"
  fi
done

input_key() {
  {
    sha256 "$0"
    sha256 "$OCI_LAYOUT_LIB"
    # the precompiled modules target this CPU's features
    grep -m1 '^model name' /proc/cpuinfo || true
    grep -m1 '^flags' /proc/cpuinfo || true
    local a
    for a in "${archs[@]}"; do
      echo "$a"
      sha256 "${wasmtime[$a]}"
      while read -r src dest; do echo "$dest"; sha256 "$src"; done <<<"${libs[$a]}"
      (cd "$(native_of "$a")" && find . -printf '%P %m %y %l\n' | LC_ALL=C sort)
      (cd "$(native_of "$a")" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    done
  } | sha256sum | cut -d' ' -f1
}

# --- the rootfs ------------------------------------------------------------------
build_rootfs() { # ARCH
  local a=$1 rootfs strip=strip src dest
  rootfs=$(rootfs_of "$a")
  [ "$a" = "$host_arch" ] || strip=$(gnu_of "$a")-strip
  rm -rf "$rootfs.tmp"
  cp -a "$(native_of "$a")" "$rootfs.tmp"
  # symbols stripped, as a released wasmtime ships (the build keeps them: 69.6 MB against 52.6 MB)
  install -D -m 0755 "${wasmtime[$a]}" "$rootfs.tmp$RUNTIME_PATH"
  "$strip" --strip-unneeded "$rootfs.tmp$RUNTIME_PATH"
  while read -r src dest; do
    # a symlinked directory on the host (/lib -> usr/lib) becomes a real one
    install -D -m 0755 "$(readlink -f "$src")" "$rootfs.tmp$dest"
  done <<<"${libs[$a]}"
  # the workloads compiled ahead of time by the same wasmtime (a foreign one under qemu-user)
  mkdir -p "$rootfs.tmp/wasm-aot"
  local m
  for m in "$rootfs.tmp"/wasm/*.wasm; do
    run_wasmtime "$a" compile -o "$rootfs.tmp/wasm-aot/$(basename "$m" .wasm).cwasm" "$m"
  done
  rm -rf "$rootfs" && mv "$rootfs.tmp" "$rootfs"
}

# --- the image layout ---------------------------------------------------------------
# One manifest per architecture in an image index, the index as the one ref: a plain
# `ctr images import` then fetches the host's platform only, `--platform` picks another.
build_image() { # ARCH...
  new_layout "$OUT/wasmtime-in-image"
  local a config cdesc mdesc v=${version[$host_arch]}
  local -a manifests=()
  local per_arch='{}'
  for a in "$@"; do
    layer_from_dir "$(rootfs_of "$a")"
    config=$(jq -cn --arg arch "$a" --argjson variant "$(variant_of "$a")" --arg diff "$LAYER_DIFFID" --arg t "$EPOCH_ISO" --arg rt "$RUNTIME_PATH" --arg v "$v" '
      {created: $t, architecture: $arch, os: "linux"}
      + (if $variant then {variant: $variant} else {} end)
      + {config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                  Entrypoint: [$rt, "run", "--dir=/"], Cmd: ["/wasm/hello.wasm"], WorkingDir: "/",
                  Labels: {"org.opencontainers.image.title": "runbench workloads as Wasm modules with the wasmtime CLI",
                           "org.opencontainers.image.version": $v}},
         rootfs: {type: "layers", diff_ids: [$diff]},
         history: [{created: $t, created_by: "scripts/build-wasmtime-image.sh: build/rootfs/\($arch) + wasmtime \($v) + its shared libraries"}]}')
    cdesc=$(put_json "$config" "$MT_CONFIG")
    mdesc=$(put_json "$(jq -cn --arg mt "$MT_MANIFEST" --argjson c "$cdesc" --argjson l "$LAYER_DESC" \
      '{schemaVersion: 2, mediaType: $mt, config: $c, layers: [$l]}')" "$MT_MANIFEST")
    manifests+=("$(jq -c --argjson p "$(platform_of "$a")" '. + {platform: $p}' <<<"$mdesc")")
    per_arch=$(jq -c --arg a "$a" --arg p "linux/$a$([ "$a" = arm64 ] && echo /v8)" \
      --argjson w "$(fsize "$(rootfs_of "$a")$RUNTIME_PATH")" --argjson c "$(jq -r .size <<<"$LAYER_DESC")" --argjson u "$LAYER_RAW" \
      '. + {($a): {platform: $p, wasmtimeBinaryBytes: $w, layerBytes: $c, uncompressedBytes: $u}}' <<<"$per_arch")
  done
  local idesc
  idesc=$(put_json "$(image_index "${manifests[@]}")" "$MT_INDEX")
  write_index "$(ref "$idesc" "$NAME" latest)"
  archive "$LAYOUT" "$OUT/wasmtime-in-image.tar"

  local others='{}'
  [ -f "$OUT/sizes.json" ] && others=$(cat "$OUT/sizes.json")
  jq -n --arg ref "$NAME:latest" --arg v "$v" --argjson a "$(fsize "$OUT/wasmtime-in-image.tar")" \
    --argjson p "$per_arch" --argjson o "$others" '
    {wasmtimeInImage: {ref: $ref, archive: "build/images/wasmtime-in-image.tar", archiveBytes: $a,
                       wasmtimeVersion: $v, perArch: $p},
     native: (($o.native.perArch // {}) | with_entries(select(.key as $k | $p | has($k)))),
     wasm: ($o.wasm.compat // null)}' >"$OUT/wasmtime-in-image.sizes.json"
}

rootfses_present() {
  local a
  for a in "${archs[@]}"; do [ -d "$(rootfs_of "$a")" ] || return 1; done
}

key=$(input_key)
stamp="$OUT/.wasmtime-in-image.stamp"
if [ $force -eq 0 ] && [ ${#failed_archs[@]} -eq 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] &&
  [ -f "$OUT/wasmtime-in-image.tar" ] && [ -f "$OUT/wasmtime-in-image.sizes.json" ] && rootfses_present; then
  echo "wasmtime-in-image: up to date"
else
  built=()
  for a in "${archs[@]}"; do
    if [ "$a" = "$host_arch" ]; then
      build_rootfs "$a"
      built+=("$a")
      continue
    fi
    # a foreign arch may fail on its own; errexit holds inside the subshell
    set +e
    (build_rootfs "$a") 2>"$errf"
    rc=$?
    set -e
    if [ $rc -eq 0 ]; then
      built+=("$a")
      rm -f "$STATUS_DIR/wasmtime-in-image-$a.failed"
    else
      record_failure "$a" "building its rootfs failed: $(tail -n 1 "$errf")"
    fi
  done
  build_image "${built[@]}"
  # a rebuild is due until every architecture there is made it in
  if [ ${#failed_archs[@]} -eq 0 ]; then echo "$key" >"$stamp"; else rm -f "$stamp"; fi
  echo "wasmtime-in-image: $(for a in "${built[@]}"; do printf 'build/rootfs/wasmtime-in-image-%s ' "$a"; done)build/images/wasmtime-in-image.tar"
fi
jq -r '
  "image sizes (compressed layer bytes / uncompressed):",
  (.wasmtimeInImage as $w | $w.perArch | to_entries[] |
    "  runbench/wasmtime-in-image:latest  \(.value.platform)  \(.value.layerBytes) / \(.value.uncompressedBytes)  (wasmtime \($w.wasmtimeVersion): \(.value.wasmtimeBinaryBytes) bytes)"),
  (.native | to_entries[] | "  runbench/native:latest             linux/\(.key)  \(.value.layerBytes) / \(.value.uncompressedBytes)"),
  (if .wasm then "  runbench/wasm:latest               wasi/wasm    \(.wasm.layerBytes) / \(.wasm.uncompressedBytes)" else empty end)' \
  "$OUT/wasmtime-in-image.sizes.json"
