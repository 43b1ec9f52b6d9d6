#!/usr/bin/env bash
# scripts/smoke.sh: prove each installed runtime can actually run something.
#
#   scripts/smoke.sh [RUNTIME...]    (default: every runtime found)
#
# For every runtime found on PATH or in ~/.cache/runbench/bin (the directory
# scripts/setup.sh fills):
#   native   runc, crun, runsc, youki, youki-wasmer (and crun-wasmtime's
#            binary invoked as `crun`, see below): a minimal OCI bundle with a
#            busybox-static rootfs running `echo runbench-hello-ok`.
#   wasm     a wasm32-wasi module compiled here from C with Debian's clang +
#            wasi-libc, printing runbench-hello-ok, run by
#            - crun-wasmtime: under that name crun forces its wasmtime
#              handler for every container (crun's argv[0] convention), so the
#              bundle carries only module.wasm.image/variant=compat; the same
#              binary invoked as `crun` is run with run.oci.handler=wasm;
#            - youki built with wasm-wasmtime: module.wasm.image/variant=compat
#              (its wasmtime executor accepts that or run.oci.handler=wasm);
#            - youki-wasmer (the wasmer tier: youki built with wasm-wasmer):
#              run.oci.handler=wasm, the annotation runbench gives both youkis;
#            - crun-wasmedge (the debian13 tier: Debian 13's crun 1.21, named
#              `crun`, found through $CACHE/debian13.env): the native bundle as
#              it is, the module with module.wasm.image/variant=compat-smart (what
#              runbench uses) and with run.oci.handler=wasm;
#            - the wasmedge CLI of the same tier, on the module directly;
#            - the wasmer CLI (the wasmer tier, scripts/build-wasmer-cli.sh), on
#              the module directly and on the module it compiled ahead of time
#              (`wasmer compile` -> .wasmu, run by `wasmer run` as it is).
#   debian13-runc: the tier's runc 1.1.15 with the native bundle.
#   shim     containerd-shim-wasmtime-v1 and containerd-shim-wasmer-v1 (checks
#            shim-wasmtime, shim-wasmer): the same module packed into a tiny
#            OCI image, imported into a throwaway containerd (own root, state
#            and socket under a temp dir; the system's /run/containerd is
#            never touched) and run with
#            `ctr run --rm --runtime io.containerd.<wasmtime|wasmer>.v1`.
# Prints PASS/FAIL/SKIP per check and a final "N passed, N failed" line;
# exits non-zero when a check fails. Everything started here (containers,
# containerd, mounts, temp dirs) is removed on exit.

set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$SCRIPT_DIR/versions.env"
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
MARK=runbench-hello-ok
TIMEOUT=${RUNBENCH_SMOKE_TIMEOUT:-30}

if [ "$(id -u)" -ne 0 ]; then
  echo "smoke.sh: must run as root" >&2
  exit 2
fi

WORK=$(mktemp -d /tmp/runbench-smoke.XXXXXX)
CONTAINERS=()      # "runtime-binary root-dir id" of every container created
CONTAINERD_PID=
PASSED=0 FAILED=0 SKIPPED=0

cleanup() {
  local entry rt root id
  for entry in "${CONTAINERS[@]}"; do
    read -r rt root id <<<"$entry"
    "$rt" --root "$root" kill "$id" KILL >/dev/null 2>&1
    "$rt" --root "$root" delete --force "$id" >/dev/null 2>&1 ||
      "$rt" --root "$root" delete "$id" >/dev/null 2>&1
  done
  if [ -n "$CONTAINERD_PID" ]; then
    for id in smoke-shim-wasmtime smoke-shim-wasmer; do
      ctr_ task kill -s KILL "$id" >/dev/null 2>&1
      ctr_ task delete "$id" >/dev/null 2>&1
      ctr_ container delete "$id" >/dev/null 2>&1
    done
    kill "$CONTAINERD_PID" 2>/dev/null
    local i
    for i in $(seq 1 50); do kill -0 "$CONTAINERD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$CONTAINERD_PID" 2>/dev/null
    # Shims outlive containerd by design; stop the ones started for WORK.
    local pid
    for pid in $(pgrep -f "containerd-shim-(wasmtime|wasmer)-v1 .*-address $WORK/" 2>/dev/null); do
      kill -KILL "$pid" 2>/dev/null
    done
    # runwasi's library leaves its state directory of the namespace behind
    rm -rf /run/containerd/wasmtime/runbench /run/containerd/wasmer/runbench
  fi
  # Unmount anything left below WORK (deepest first), then remove it.
  awk -v w="$WORK" '$2 ~ "^"w {print $2}' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf "$WORK"
  # containerd made a cgroup parent named after the namespace; the container's is gone
  local d
  for d in /sys/fs/cgroup/*/runbench /sys/fs/cgroup/runbench; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { PASSED=$((PASSED + 1)); printf 'PASS  %-28s %s\n' "$1" "${2:-}"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL  %-28s %s\n' "$1" "$2"; }
skip() { SKIPPED=$((SKIPPED + 1)); printf 'SKIP  %-28s %s\n' "$1" "$2"; }

find_runtime() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"
  elif [ -x "$CACHE/bin/$1" ]; then printf '%s\n' "$CACHE/bin/$1"
  else return 1
  fi
}

wanted() {
  [ ${#ONLY[@]} -eq 0 ] && return 0
  local w
  for w in "${ONLY[@]}"; do [ "$w" = "$1" ] && return 0; done
  return 1
}
ONLY=("$@")

# --- bundles -----------------------------------------------------------------

# write_config DIR ARGS_JSON ANNOTATIONS_JSON
write_config() {
  cat >"$1/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": $2,
    "env": ["PATH=/bin", "TERM=dumb"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
      "effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
      "permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"]
    },
    "rlimits": [{ "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 }],
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "runbench",
  "annotations": $3,
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": ["nosuid", "noexec", "nodev", "ro"] }
  ],
  "linux": {
    "namespaces": [
      { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
      { "type": "uts" }, { "type": "mount" }
    ],
    "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
EOF
}

make_native_bundle() {
  local b=$WORK/native
  mkdir -p "$b/rootfs/bin" "$b/rootfs/proc" "$b/rootfs/dev" "$b/rootfs/sys" "$b/rootfs/tmp"
  local busybox
  busybox=$(command -v busybox 2>/dev/null || echo /bin/busybox)
  if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked' && [ -x /bin/busybox ]; then
    busybox=/bin/busybox
  fi
  [ -x "$busybox" ] || return 1
  cp "$busybox" "$b/rootfs/bin/busybox"
  ln -s busybox "$b/rootfs/bin/sh"
  ln -s busybox "$b/rootfs/bin/echo"
  write_config "$b" "[\"/bin/echo\", \"$MARK\"]" '{}'
}

make_wasm_module() {
  cat >"$WORK/hello.c" <<EOF
#include <stdio.h>
int main(void) { puts("$MARK"); return 0; }
EOF
  clang --target=wasm32-wasi -O2 -o "$WORK/hello.wasm" "$WORK/hello.c" >"$WORK/clang.log" 2>&1
}

# make_wasm_bundle NAME ANNOTATIONS_JSON
make_wasm_bundle() {
  local b=$WORK/$1
  mkdir -p "$b/rootfs/proc" "$b/rootfs/dev" "$b/rootfs/sys" "$b/rootfs/tmp"
  cp "$WORK/hello.wasm" "$b/rootfs/hello.wasm"
  write_config "$b" '["/hello.wasm"]' "$2"
}

# run_bundle LABEL RUNTIME BUNDLE [GLOBAL_FLAGS...]: run to completion and
# check the output.
run_bundle() {
  local label=$1 rt=$2 bundle=$3; shift 3
  local root=$WORK/state/$label id=smoke-$label out rc
  mkdir -p "$root"
  CONTAINERS+=("$rt $root $id")
  out=$(cd "$bundle" && timeout -k 5 "$TIMEOUT" "$rt" --root "$root" "$@" run --bundle "$bundle" "$id" </dev/null 2>&1)
  rc=$?
  "$rt" --root "$root" "$@" delete --force "$id" >/dev/null 2>&1
  local note=""
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    # youki 0.7's foreground run can miss the container's exit and hang (a known race):
    # one more try tells a runtime that works from one that does not, and says so.
    CONTAINERS+=("$rt $root $id-again")
    out=$(cd "$bundle" && timeout -k 5 "$TIMEOUT" "$rt" --root "$root" "$@" run --bundle "$bundle" "$id-again" </dev/null 2>&1)
    rc=$?
    "$rt" --root "$root" "$@" delete --force "$id-again" >/dev/null 2>&1
    note=" (the first run hung and was killed; the second passed)"
  fi
  if [ $rc -eq 0 ] && grep -qx "$MARK" <<<"$out"; then
    pass "$label" "($(basename "$rt"))$note"
  else
    fail "$label" "rc=$rc: $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
  fi
}

# --- throwaway containerd for the shim ------------------------------------------

ctr_() { ctr --address "$WORK/ctd/containerd.sock" --namespace runbench "$@"; }

sha() { sha256sum "$1" | cut -c1-64; }

# Builds an OCI image archive holding /hello.wasm (a plain layer, so the shim
# finds the module in the rootfs; the platform stays linux/amd64 so that
# `ctr import` keeps it without extra flags).
make_wasm_image() {
  local d=$WORK/image L=$WORK/image-layer arch
  arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
  mkdir -p "$d/blobs/sha256" "$L"
  cp "$WORK/hello.wasm" "$L/hello.wasm"
  tar --numeric-owner --owner=0 --group=0 -C "$L" -cf "$WORK/layer.tar" hello.wasm
  local layer_sha layer_size cfg_sha cfg_size man_sha man_size
  layer_sha=$(sha "$WORK/layer.tar"); layer_size=$(stat -c %s "$WORK/layer.tar")
  cp "$WORK/layer.tar" "$d/blobs/sha256/$layer_sha"
  printf '{"architecture":"%s","os":"linux","config":{"Entrypoint":["/hello.wasm"],"Env":["PATH=/"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$arch" "$layer_sha" >"$WORK/config.json"
  cfg_sha=$(sha "$WORK/config.json"); cfg_size=$(stat -c %s "$WORK/config.json")
  cp "$WORK/config.json" "$d/blobs/sha256/$cfg_sha"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$cfg_sha" "$cfg_size" "$layer_sha" "$layer_size" >"$WORK/manifest.json"
  man_sha=$(sha "$WORK/manifest.json"); man_size=$(stat -c %s "$WORK/manifest.json")
  cp "$WORK/manifest.json" "$d/blobs/sha256/$man_sha"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"%s","os":"linux"},"annotations":{"io.containerd.image.name":"docker.io/runbench/wasm-hello:latest","org.opencontainers.image.ref.name":"latest"}}]}' \
    "$man_sha" "$man_size" "$arch" >"$d/index.json"
  tar -C "$d" -cf "$WORK/wasm-hello.tar" oci-layout index.json blobs
}

start_containerd() {
  local c=$WORK/ctd
  mkdir -p "$c/root" "$c/state"
  cat >"$c/config.toml" <<EOF
version = 2
root = "$c/root"
state = "$c/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$c/containerd.sock"
[ttrpc]
  address = "$c/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
  # containerd finds containerd-shim-<name>-v1 binaries on its PATH.
  PATH=$CACHE/bin:$PATH containerd --config "$c/config.toml" >"$c/containerd.log" 2>&1 &
  CONTAINERD_PID=$!
  local i
  for i in $(seq 1 100); do
    ctr_ version >/dev/null 2>&1 && return 0
    kill -0 "$CONTAINERD_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# The image and the throwaway containerd, made once for every shim checked: empty when
# ready, else why not.
SHIM_CTD="unset"
shim_containerd() {
  [ "$SHIM_CTD" = unset ] || return 0
  local out
  if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then SHIM_CTD="skip:containerd/ctr not installed"
  elif ! make_wasm_image; then SHIM_CTD="could not build the OCI image"
  elif ! start_containerd; then SHIM_CTD="throwaway containerd did not start: $(tail -n 3 "$WORK/ctd/containerd.log" | tr '\n' ' ')"
  elif ! out=$(ctr_ images import --no-unpack "$WORK/wasm-hello.tar" 2>&1); then SHIM_CTD="ctr images import: $out"
  else SHIM_CTD=
  fi
}

# smoke_shim ENGINE: containerd-shim-ENGINE-v1, reached as io.containerd.ENGINE.v1
smoke_shim() {
  local engine=$1 label=shim-$1 out rc
  shim_containerd
  case $SHIM_CTD in
    '') ;;
    skip:*) skip "$label" "${SHIM_CTD#skip:}"; return ;;
    *) fail "$label" "$SHIM_CTD"; return ;;
  esac
  out=$(timeout -k 5 "$TIMEOUT" env PATH="$CACHE/bin:$PATH" ctr --address "$WORK/ctd/containerd.sock" --namespace runbench \
        run --rm --snapshotter native --runtime "io.containerd.$engine.v1" \
        docker.io/runbench/wasm-hello:latest "smoke-shim-$engine" </dev/null 2>&1)
  rc=$?
  if [ $rc -eq 0 ] && grep -qx "$MARK" <<<"$out"; then
    pass "$label" "(ctr run --runtime io.containerd.$engine.v1)"
  else
    fail "$label" "rc=$rc: $(tr '\n' ' ' <<<"$out" | cut -c1-300) | containerd: $(grep -i 'level=error' "$WORK/ctd/containerd.log" | tail -n 2 | tr '\n' ' ' | cut -c1-300)"
  fi
}

# --- main -------------------------------------------------------------------

echo "runbench smoke tests (work dir $WORK)"
NATIVE_OK=1
make_native_bundle || { NATIVE_OK=0; echo "busybox-static not found: native checks will be skipped"; }
WASM_OK=1
make_wasm_module || { WASM_OK=0; echo "clang --target=wasm32-wasi failed: $(tail -n 2 "$WORK/clang.log" | tr '\n' ' ')"; }

for name in runc crun runsc youki youki-wasmer; do
  wanted "$name" || continue
  if ! rt=$(find_runtime "$name"); then skip "$name" "not installed"; continue; fi
  if [ $NATIVE_OK = 0 ]; then skip "$name" "no busybox rootfs"; continue; fi
  case $name in
    # gVisor: no host network inside the sandbox is needed for echo.
    runsc) run_bundle "$name" "$rt" "$WORK/native" --network=none ;;
    *) run_bundle "$name" "$rt" "$WORK/native" ;;
  esac
done

# crun picks a global handler from its program name: invoked as
# `crun-<handler>` it runs EVERY container through that handler (native
# bundles fail to load as Wasm) and rejects a run.oci.handler annotation with
# EACCES. So `crun-wasmtime` is checked with a Wasm bundle carrying only
# module.wasm.image/variant=compat, and the same binary is also checked under
# the name `crun` (a symlink), where it behaves like a normal crun: native
# bundles run natively and run.oci.handler=wasm selects wasmtime.
if wanted crun-wasmtime; then
  if ! rt=$(find_runtime crun-wasmtime); then
    skip crun-wasmtime "not installed"
  else
    mkdir -p "$WORK/as-crun" && ln -s "$(readlink -f "$rt")" "$WORK/as-crun/crun"
    if [ $WASM_OK = 0 ]; then
      fail crun-wasmtime-wasm "no wasm32-wasi module (clang failed)"
    else
      make_wasm_bundle wasm-variant '{"module.wasm.image/variant": "compat"}'
      make_wasm_bundle wasm-handler '{"run.oci.handler": "wasm"}'
      run_bundle crun-wasmtime-wasm "$rt" "$WORK/wasm-variant"
      run_bundle crun-wasmtime-as-crun-wasm "$WORK/as-crun/crun" "$WORK/wasm-handler"
    fi
    if [ $NATIVE_OK = 1 ]; then
      run_bundle crun-wasmtime-as-crun-native "$WORK/as-crun/crun" "$WORK/native"
    fi
  fi
fi

# The debian13 tier records its binaries in debian13.env; they are never on PATH.
recorded() { sed -n "s/^$1=//p" "$CACHE/debian13.env" 2>/dev/null | head -n 1; }
# not_recorded NAME: why a binary of that tier is not there
not_recorded() {
  if [ -f "$CACHE/status/$1.failed" ]; then printf 'set-up failed: %s' "$(head -n 1 "$CACHE/status/$1.failed" | cut -c1-200)"
  else printf 'not installed (scripts/setup.sh --tier debian13)'
  fi
}

if wanted crun-wasmedge; then
  rt=$(recorded DEBIAN13_CRUN)
  if [ -z "$rt" ] || [ ! -x "$rt" ]; then
    skip crun-wasmedge "$(not_recorded crun-wasmedge)"
  else
    if [ $NATIVE_OK = 1 ]; then run_bundle crun-wasmedge-native "$rt" "$WORK/native"; fi
    if [ $WASM_OK = 0 ]; then
      fail crun-wasmedge-wasm "no wasm32-wasi module (clang failed)"
    else
      make_wasm_bundle wasm-smart '{"module.wasm.image/variant": "compat-smart"}'
      [ -d "$WORK/wasm-handler" ] || make_wasm_bundle wasm-handler '{"run.oci.handler": "wasm"}'
      run_bundle crun-wasmedge-wasm "$rt" "$WORK/wasm-smart"
      run_bundle crun-wasmedge-handler-wasm "$rt" "$WORK/wasm-handler"
    fi
  fi
fi

if wanted wasmedge; then
  rt=$(recorded DEBIAN13_WASMEDGE)
  if [ -z "$rt" ] || [ ! -x "$rt" ]; then skip wasmedge-cli "$(not_recorded wasmedge)"
  elif [ $WASM_OK = 0 ]; then fail wasmedge-cli "no wasm32-wasi module (clang failed)"
  else
    out=$(timeout -k 5 "$TIMEOUT" "$rt" "$WORK/hello.wasm" </dev/null 2>&1); rc=$?
    if [ $rc -eq 0 ] && grep -qx "$MARK" <<<"$out"; then pass wasmedge-cli "($rt)"
    else fail wasmedge-cli "rc=$rc: $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
    fi
  fi
fi

if wanted wasmer || wanted wasmer-cli; then
  if ! rt=$(find_runtime wasmer); then
    if [ -f "$CACHE/status/wasmer-cli.failed" ]; then skip wasmer-cli "set-up failed: $(head -n 1 "$CACHE/status/wasmer-cli.failed" | cut -c1-200)"
    else skip wasmer-cli "not installed (scripts/setup.sh --tier wasmer)"
    fi
  elif [ $WASM_OK = 0 ]; then fail wasmer-cli "no wasm32-wasi module (clang failed)"
  else
    # its own directory for what wasmer keeps ($WASMER_DIR), removed with WORK
    out=$(WASMER_DIR=$WORK/wasmer timeout -k 5 "$TIMEOUT" "$rt" run --disable-cache "$WORK/hello.wasm" </dev/null 2>&1); rc=$?
    if [ $rc -eq 0 ] && grep -qx "$MARK" <<<"$out"; then pass wasmer-cli "($rt)"
    else fail wasmer-cli "rc=$rc: $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
    fi
    out=$(WASMER_DIR=$WORK/wasmer timeout -k 5 "$TIMEOUT" "$rt" compile -o "$WORK/hello.wasmu" "$WORK/hello.wasm" </dev/null 2>&1 &&
      WASMER_DIR=$WORK/wasmer timeout -k 5 "$TIMEOUT" "$rt" run --disable-cache "$WORK/hello.wasmu" </dev/null 2>&1); rc=$?
    if [ $rc -eq 0 ] && grep -qx "$MARK" <<<"$out"; then pass wasmer-cli-aot "(wasmer compile, then run on the .wasmu)"
    else fail wasmer-cli-aot "rc=$rc: $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
    fi
  fi
fi

if wanted debian13-runc; then
  rt=$(recorded DEBIAN13_RUNC)
  if [ -z "$rt" ] || [ ! -x "$rt" ]; then skip debian13-runc "$(not_recorded debian13-runc)"
  elif [ $NATIVE_OK = 0 ]; then skip debian13-runc "no busybox rootfs"
  else run_bundle debian13-runc "$rt" "$WORK/native"
  fi
fi

if wanted youki || wanted youki-wasm; then
  if ! rt=$(find_runtime youki); then skip youki-wasm "youki not installed"
  elif [ $WASM_OK = 0 ]; then fail youki-wasm "no wasm32-wasi module (clang failed)"
  else
    make_wasm_bundle wasm-youki '{"module.wasm.image/variant": "compat"}'
    run_bundle youki-wasm "$rt" "$WORK/wasm-youki"
  fi
fi

if wanted youki-wasmer || wanted youki-wasmer-wasm; then
  if ! rt=$(find_runtime youki-wasmer); then skip youki-wasmer-wasm "youki-wasmer not installed (scripts/setup.sh --tier wasmer)"
  elif [ $WASM_OK = 0 ]; then fail youki-wasmer-wasm "no wasm32-wasi module (clang failed)"
  else
    [ -d "$WORK/wasm-handler" ] || make_wasm_bundle wasm-handler '{"run.oci.handler": "wasm"}'
    run_bundle youki-wasmer-wasm "$rt" "$WORK/wasm-handler"
  fi
fi

for engine in wasmtime wasmer; do
  wanted shim || wanted "shim-$engine" || wanted "containerd-shim-$engine-v1" || continue
  if ! find_runtime "containerd-shim-$engine-v1" >/dev/null; then skip "shim-$engine" "containerd-shim-$engine-v1 not installed"
  elif [ $WASM_OK = 0 ]; then fail "shim-$engine" "no wasm32-wasi module (clang failed)"
  else smoke_shim "$engine"
  fi
done

echo "smoke: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[ $FAILED -eq 0 ]
