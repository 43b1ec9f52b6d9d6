#!/usr/bin/env bash
# scripts/setup.sh: provision every container runtime runbench compares.
#
# Run as root on Debian 12. Idempotent: a second run of any tier only checks
# what is already there and finishes in well under a minute.
#
#   scripts/setup.sh [--tier base|debian13|quick|engines|wasmer|critest|youki|wasm|all] [--link DIR] [--force] [--skip-apt] [--with-browser]
#
# Tiers (each includes base; wasm includes youki; all includes every tier):
#   base   Debian packages (runc, crun, runsc, containerd, busybox-static,
#          hyperfine, clang/lld/wasi-libc for wasm32-wasi, ...), the host fix
#          crun 1.8.1 needs on hybrid cgroup hosts, arm64 emulation through
#          binfmt_misc, `npm ci`, scripts/build-fixtures.sh and
#          scripts/build-images.sh. --with-browser adds chromium for the
#          HTML reports' browser tests.
#   debian13 + a Debian 13 root made with debootstrap from the host's mirror,
#          and from it Debian's crun 1.21 with its WasmEdge handler (runtime
#          crun-wasmedge), the wasmedge CLI, containerd 1.7 and runc 1.1.15,
#          placed in the cache without touching /usr/bin (scripts/lib/debian13.sh
#          says how). Minutes, not a build: see scripts/SETUP-TIMES.md.
#          Then the workloads compiled ahead of time by its `wasmedge compile`
#          (scripts/build-wasmedge-aot.sh) and its wasmedge CLI in an image
#          (scripts/build-wasmedge-image.sh): WasmEdge's AOT, JIT and
#          interpreter modes.
#   quick  debian13 without WasmEdge's AOT modules and CLI image: native and
#          Wasm containers measurable within minutes of a bare machine (the
#          README's Quick start).
#   engines  debian13 + libwasmtime (the wasmtime C API, as in wasm),
#          libwasmer (wasmer's C API, scripts/lib/wasmer-c-api; Rust >= 1.95)
#          and crun 1.21 rebuilt from Debian 13's source with its WasmEdge,
#          wasmtime and wasmer handlers in one binary (runtimes crun-engines/*;
#          scripts/lib/crun-engines.sh says how). See scripts/SETUP-TIMES.md.
#   wasmer engines + the other ways to run Wasm through wasmer: a containerd
#          shim on runwasi's library and wasmer (containerd-shim-wasmer-v1 from
#          shim/containerd-shim-wasmer, runtime wasmer-shim; scripts/lib/wasmer-shim.sh
#          says how), youki built a second time with its wasmer executor (runtime
#          youki-wasmer, features from versions.env; scripts/lib/youki-wasmer.sh says
#          how), and the wasmer CLI in an image. Long Rust builds: see scripts/SETUP-TIMES.md.
#   critest + critest (cri-tools, scripts/build-critest.sh: Go from the module
#          proxy) and the images it pulls (scripts/build-cri-images.sh), for the
#          cri layer; with debian13 too, so containerd 1.7 serves the CRI beside
#          Debian 12's 1.6. Needs Go >= 1.24 (PATH or /usr/local/go/bin).
#   youki  + youki (cargo install --locked, features from versions.env).
#   wasm   + libwasmtime (wasmtime C API), crun-wasmtime (Debian's crun 1.8.1
#          rebuilt --with-wasmtime, installed beside the plain crun),
#          containerd-shim-wasmtime-v1 (shim/containerd-shim-wasmtime), the
#          wasmtime CLI and the wasmtime-in-image rootfs and image; on an x86
#          host also the wasmtime CLI cross-built for arm64 and the image's
#          linux/arm64 platform. The shim serves two runtimes: wasmtime-shim
#          (modules in the rootfs, compiled on each start) and
#          wasmtime-shim/aot, on base's build/images/wasm-oci.tar (the
#          workloads as OCI Wasm layers, scripts/build-images.sh, status
#          name build-images), whose layers the shim compiles ahead of time
#          on each image's first run; it needs no step of its own.
#   all    everything above, debian13, engines, wasmer and critest included.
#
# Versions: scripts/versions.env. Heavy builds are cached outside the repo,
# keyed by version, under $RUNBENCH_CACHE (default ~/.cache/runbench):
#   youki-<v>/bin/youki
#   youki-wasmer-<v>/bin/youki-wasmer (the same youki with its wasmer executor, patched
#                   so that it runs: scripts/lib/youki-wasmer.sh)
#   wasmtime-c-api-<v>/{lib/libwasmtime.so,lib/libwasmtime.a,include/}
#   crun-wasmtime-<crun v>-wasmtime-<v>/bin/crun-wasmtime
#   containerd-shim-wasmtime-<v>-<source hash>/bin/containerd-shim-wasmtime-v1
#   containerd-shim-wasmer-<v>-<source hash>/bin/containerd-shim-wasmer-v1
#   wasmtime-cli-<v>/bin/wasmtime, wasmtime-cli-<v>-arm64/bin/wasmtime (cross-built)
#   wasmer-cli-<v>/bin/wasmer (scripts/lib/wasmer-cli; the host's architecture only)
#   critest-<v>/bin/critest
#   debian13-<key>/{root/,bin/crun,bin/wasmedge,bin/containerd,bin/runc,...}
#                   and debian13.env, the paths runbench's discovery reads
#                   (<key>: a hash of Debian 13's package versions; see
#                   scripts/lib/debian13.sh)
#   cargo-target/   one CARGO_TARGET_DIR shared by all the Rust builds
#   bin/            symlinks to every built binary (runbench's runtime
#                   discovery searches PATH, then this directory)
#   logs/<name>.log full output of each build; logs/setup-times.tsv timings
#   status/         see the contract below
#
# Contract with `runbench doctor` (status directory):
#   When a build fails, setup.sh writes $RUNBENCH_CACHE/status/<name>.failed
#   whose content is ONE line: the reason (e.g. "cargo install youki 0.7.0
#   failed: <last error line>; log: <path>"). `runbench doctor` reads
#   status/*.failed and reports the runtime <name> as `broken` with that
#   reason. A later successful build of <name> removes the file. Names:
#     youki, youki-wasmer (the wasmer tier), wasmtime-c-api, crun-wasmtime,
#     containerd-shim-wasmtime,
#     build-fixtures, build-images, wasmtime-cli (written by
#     build-wasmtime-cli.sh; the in-image runtimes report it),
#     crun-wasmedge, wasmedge, debian13-containerd, debian13-runc (the
#     debian13 tier; a failure to make its root fails all four),
#     wasmedge-aot (build-wasmedge-aot.sh), wasmedge-in-image
#     (build-wasmedge-image.sh), wasmer-c-api, crun-engines (the engines
#     tier), crun-engines_wasmer (crun-engines built without its wasmer
#     handler because wasmer-c-api failed; the runtime crun-engines/wasmer),
#     wasmer-cli (build-wasmer-cli.sh) and wasmer-in-image
#     (build-wasmer-image.sh), which the wasmer in-image runtimes report,
#     containerd-shim-wasmer (the wasmer tier; the runtime wasmer-shim)
#   An arm64 part that fails takes only arm64 away from the in-image runtimes
#   (runbench gives the reason for an --arch arm64 run):
#     wasmtime-cli-arm64, wasmtime-in-image-arm64
#   A failed build never stops the other builds; setup.sh prints one line
#   naming the failed build and its log, and exits non-zero at the end.
#   status/youki.wasm (and status/youki-wasmer.wasm) lists the Wasm executors
#   compiled into youki (one word each, e.g. "wasmtime"), since youki's
#   --version does not show them.
#
# crun-wasmtime: crun chooses a global handler from its program name, so
# under the name `crun-wasmtime` EVERY container runs through the wasmtime
# handler, and a `run.oci.handler` annotation is refused (EACCES); mark Wasm
# bundles with `module.wasm.image/variant: compat` or nothing. Invoked through
# a link named `crun`, the same binary is an ordinary crun where
# `run.oci.handler: wasm` selects wasmtime. Native containers are compared
# with Debian's /usr/bin/crun (same 1.8.1 source, no handler).

set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source=versions.env
. "$SCRIPT_DIR/versions.env"

CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
BIN_DIR=$CACHE/bin
LOG_DIR=$CACHE/logs
STATUS_DIR=$CACHE/status
export CARGO_TARGET_DIR=$CACHE/cargo-target
# Builds share the machine with everything else: low priority, two jobs.
JOBS=${RUNBENCH_BUILD_JOBS:-2}
export CARGO_BUILD_JOBS=$JOBS
NICE=(nice -n 10)

TIER=base
LINK_DIR=
FORCE=0
SKIP_APT=0
WITH_BROWSER=0

usage() {
  sed -n '2,/^#   all /p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case $1 in
    --tier) TIER=${2:?--tier needs a value}; shift 2 ;;
    --tier=*) TIER=${1#--tier=}; shift ;;
    --link) LINK_DIR=${2:?--link needs a directory}; shift 2 ;;
    --link=*) LINK_DIR=${1#--link=}; shift ;;
    --force) FORCE=1; shift ;;
    --skip-apt) SKIP_APT=1; shift ;;
    --with-browser) WITH_BROWSER=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "setup.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

DEBIAN13=0
ENGINES=0
WASMER=0
CRITEST=0
# WasmEdge's AOT modules and its CLI in an image: part of debian13, left out of quick
WASMEDGE_MODES=1
case $TIER in
  base) LEVEL=0 ;;
  debian13) LEVEL=0; DEBIAN13=1 ;;
  quick) LEVEL=0; DEBIAN13=1; WASMEDGE_MODES=0 ;;
  engines) LEVEL=0; DEBIAN13=1; ENGINES=1 ;;
  wasmer) LEVEL=0; DEBIAN13=1; ENGINES=1; WASMER=1 ;;
  critest) LEVEL=0; DEBIAN13=1; CRITEST=1 ;;
  youki) LEVEL=1 ;;
  wasm) LEVEL=2 ;;
  all) LEVEL=2; DEBIAN13=1; ENGINES=1; WASMER=1; CRITEST=1 ;;
  *) echo "setup.sh: unknown tier '$TIER' (base, debian13, quick, engines, wasmer, critest, youki, wasm, all)" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: must run as root (apt, mounts, runtimes)" >&2
  exit 2
fi

mkdir -p "$BIN_DIR" "$LOG_DIR" "$STATUS_DIR" "$CARGO_TARGET_DIR"
[ -d "$HOME/.cargo/bin" ] && PATH=$HOME/.cargo/bin:$PATH
export PATH

FAILED=()
TIMES_FILE=$LOG_DIR/setup-times.tsv
SETUP_START=$(date +%s)

# --- helpers -----------------------------------------------------------------

log() { printf '%s\n' "$*"; }

# step NAME CMD...: run one step, print and record its elapsed seconds.
step() {
  local name=$1; shift
  local t0 t1 rc
  log "==> $name"
  t0=$(date +%s)
  "$@"; rc=$?
  t1=$(date +%s)
  log "<== $name: $([ $rc -eq 0 ] && echo ok || echo "FAILED (rc=$rc)") in $((t1 - t0))s"
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$TIER" "$name" "$((t1 - t0))" "$rc" >>"$TIMES_FILE"
  return $rc
}

# fail NAME REASON: record a broken build for `runbench doctor`.
fail() {
  local name=$1 reason=$2 logf=$LOG_DIR/$1.log
  printf '%s; log: %s\n' "$reason" "$logf" >"$STATUS_DIR/$name.failed"
  log "!!! BUILD FAILED: $name: $reason (log: $logf)"
  FAILED+=("$name")
}

ok() { rm -f "$STATUS_DIR/$1.failed"; }

# record_engine KEY VALUE: one KEY=VALUE line of $CACHE/engines.env, where runbench reads
# the versions of the Wasm engines set-up built and the paths of binaries it records.
record_engine() {
  local f=$CACHE/engines.env
  { grep -v "^$1=" "$f" 2>/dev/null || true; printf '%s=%s\n' "$1" "$2"; } >"$f.tmp" && mv "$f.tmp" "$f"
}

# last_error LOGFILE: the most telling line of a failed build log.
last_error() {
  local line
  # First compiler error (rustc, cc), else the last error-ish line, else the
  # last line.
  line=$(grep -E '^error(\[E[0-9]+\])?: |: (fatal )?error: ' "$1" 2>/dev/null | grep -v 'could not compile' | head -n 1)
  [ -n "$line" ] || line=$(grep -E '^(error|E:|configure: error|make.*Error)' "$1" 2>/dev/null | tail -n 1)
  [ -n "$line" ] || line=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1)
  printf '%s' "${line:0:300}"
}

# expose NAME TARGET: symlink TARGET into the shared bin directory (and --link).
expose() {
  ln -sfn "$2" "$BIN_DIR/$1"
  if [ -n "$LINK_DIR" ]; then
    mkdir -p "$LINK_DIR" && ln -sfn "$2" "$LINK_DIR/$1"
  fi
}

# rustc_at_least VERSION: the default toolchain's rustc is at least VERSION.
rustc_at_least() {
  local v
  v=$(rustc --version 2>/dev/null | awk '{print $2}')
  [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$1" "$v" | sort -V | head -n 1)" = "$1" ]
}

have_cargo() {
  command -v cargo >/dev/null 2>&1 && rustc_at_least "$RUST_MIN_VERSION"
}

# cargo_at_least VERSION: sets CARGO_CMD to a cargo whose rustc is at least VERSION: the
# default toolchain's, else rustup's toolchain of that version (installed when missing).
cargo_at_least() {
  local want=$1
  if rustc_at_least "$want"; then
    CARGO_CMD=(cargo)
    return 0
  fi
  command -v rustup >/dev/null 2>&1 || return 1
  rustup toolchain list 2>/dev/null | grep -q "^$want-" || rustup toolchain install "$want" --profile minimal >>"$LOG_DIR/rustup.log" 2>&1 || return 1
  CARGO_CMD=(rustup run "$want" cargo)
}

# --- apt -----------------------------------------------------------------------

BASE_PACKAGES=(
  runc crun runsc containerd busybox-static umoci skopeo hyperfine
  clang lld wasi-libc libclang-rt-14-dev-wasm32 qemu-user-static binfmt-support
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross etcd-server
  containernetworking-plugins pkg-config build-essential jq curl binutils
  # containerd's API definitions (.proto), read by the containerd runner at run time
  golang-github-containerd-containerd-dev golang-github-gogo-protobuf-dev
  # the conformance tests' broken runtimes: one that runs its Wasm handler on a fake clock
  faketime
  # the OpenMetrics export's tests read it with prometheus_client's own parsers
  python3-prometheus-client
)
# --with-browser: the HTML reports' tests load them in a real headless browser.
BROWSER_PACKAGES=(chromium)
# Build dependencies of the youki tier (libseccomp for the seccomp feature).
YOUKI_BUILD_PACKAGES=(libseccomp-dev pkg-config gcc)
# Build dependencies of the wasm tier: crun's (Debian's Build-Depends minus
# the packaging helpers), cmake for wasmtime-c-api-impl's header install,
# protoc and libdbus for runwasi's containerd-shim-wasm.
WASM_BUILD_PACKAGES=(
  dpkg-dev autoconf automake libtool gperf go-md2man python3
  libcap-dev libseccomp-dev libsystemd-dev libyajl-dev
  cmake protobuf-compiler libdbus-1-dev
)
# The debian13 tier: a Debian 13 root, and its binaries pointed into it.
DEBIAN13_PACKAGES=(debootstrap patchelf)

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || printf '%s\n' "$p"
  done
}

apt_install() {
  [ "$SKIP_APT" = 1 ] && { log "skipping apt (--skip-apt)"; return 0; }
  local missing
  mapfile -t missing < <(missing_packages "$@")
  if [ ${#missing[@]} -eq 0 ]; then
    log "all ${#} packages already installed"
    return 0
  fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the lists only when they are missing or older than a day.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null | head -n 1)" ]; then
    apt-get update -q >>"$LOG_DIR/apt.log" 2>&1 || { log "apt-get update failed (see $LOG_DIR/apt.log)"; return 1; }
  fi
  apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1 || {
    log "apt-get install failed: $(last_error "$LOG_DIR/apt.log") (see $LOG_DIR/apt.log)"
    return 1
  }
}

# --- host fix for crun ---------------------------------------------------------

# crun 1.8.1 decides the cgroup mode by looking at /sys/fs/cgroup: a tmpfs
# there with a cgroup2 mount at /sys/fs/cgroup/unified that has controllers
# is "hybrid", and crun 1.8.1 refuses it ("cgroups in hybrid mode not
# supported"). On systemd hybrid hosts the unified hierarchy normally has no
# controllers; here hugetlb was left bound to cgroup2 (no v1 hugetlb
# hierarchy was mounted, so the kernel attached it to the v2 root). Mounting
# hugetlb as its own v1 hierarchy moves it back to v1, the unified mount is
# controller-less again and crun runs. runc, runsc and youki do not care
# either way. The mount is not persistent: re-run setup.sh after a reboot.
fix_crun_hybrid_cgroups() {
  local unified=/sys/fs/cgroup/unified
  if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
    log "pure cgroup v2 host: nothing to fix"
    return 0
  fi
  if [ ! -r "$unified/cgroup.controllers" ]; then
    log "no cgroup2 mount at $unified: nothing to fix"
    return 0
  fi
  local ctrls
  ctrls=$(cat "$unified/cgroup.controllers")
  if [ -z "$ctrls" ]; then
    log "$unified has no controllers: crun is fine"
    return 0
  fi
  local c rc=0
  for c in $ctrls; do
    if grep -qw "$c" /proc/cgroups && ! mountpoint -q "/sys/fs/cgroup/$c"; then
      log "moving controller '$c' from cgroup2 to a v1 hierarchy at /sys/fs/cgroup/$c"
      mkdir -p "/sys/fs/cgroup/$c" && mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" || rc=1
    fi
  done
  log "controllers left in $unified: '$(cat "$unified/cgroup.controllers")'"
  return $rc
}

# arm64 containers on an x86 host run under qemu-user. The fix-binary flag (F) makes
# the kernel open the interpreter when the entry is registered, so it works inside a
# container's root too, where /usr/libexec/qemu-binfmt does not exist. Debian's
# qemu-user-static entries carry F; they only need binfmt_misc mounted and enabling.
register_binfmt() {
  [ "$(uname -m)" = aarch64 ] && { log "arm64 host: no emulation needed"; return 0; }
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || return 1
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || update-binfmts --import qemu-aarch64 || return 1
  fi
  grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 || { log "qemu-aarch64 is registered without the fix-binary flag"; return 1; }
  log "qemu-aarch64: $(head -n 1 /proc/sys/fs/binfmt_misc/qemu-aarch64), $(grep '^flags' /proc/sys/fs/binfmt_misc/qemu-aarch64)"
}

check_crun() {
  # crun --version works regardless; running a container is the real check,
  # done by scripts/smoke.sh. Here only make sure the binary is there.
  command -v crun >/dev/null && crun --version | head -n 1
}

# --- npm and fixtures ------------------------------------------------------------

npm_ci() {
  cd "$REPO_DIR" || return 1
  [ -f package-lock.json ] || { log "no package-lock.json: skipping npm ci"; return 0; }
  # npm keeps node_modules/.package-lock.json in step with what it installed;
  # when it is newer than both manifests the tree is already what `npm ci`
  # would produce.
  if [ "$FORCE" = 0 ] && [ -f node_modules/.package-lock.json ] &&
     [ node_modules/.package-lock.json -nt package-lock.json ] &&
     [ node_modules/.package-lock.json -nt package.json ]; then
    log "node_modules is up to date with package-lock.json: skipping npm ci"
    return 0
  fi
  npm ci --no-audit --no-fund >"$LOG_DIR/npm-ci.log" 2>&1 || {
    log "npm ci failed: $(last_error "$LOG_DIR/npm-ci.log") (log: $LOG_DIR/npm-ci.log)"
    return 1
  }
}

build_fixtures() {
  if [ -x "$SCRIPT_DIR/build-fixtures.sh" ] || [ -f "$SCRIPT_DIR/build-fixtures.sh" ]; then
    bash "$SCRIPT_DIR/build-fixtures.sh" >"$LOG_DIR/build-fixtures.log" 2>&1 || {
      fail build-fixtures "scripts/build-fixtures.sh failed: $(last_error "$LOG_DIR/build-fixtures.log")"
      return 1
    }
    ok build-fixtures
  else
    log "scripts/build-fixtures.sh not present: skipped"
  fi
}

# The OCI image layouts the containerd and Kubernetes layers import (a few seconds).
build_images() {
  bash "$SCRIPT_DIR/build-images.sh" >"$LOG_DIR/build-images.log" 2>&1 || {
    fail build-images "scripts/build-images.sh failed: $(last_error "$LOG_DIR/build-images.log")"
    return 1
  }
  ok build-images
}

# --- youki -----------------------------------------------------------------------

YOUKI_DIR=$CACHE/youki-$YOUKI_VERSION

build_youki() {
  local name=youki logf=$LOG_DIR/youki.log bin=$YOUKI_DIR/bin/youki
  if [ "$FORCE" = 0 ] && [ -x "$bin" ] && [ "$(cat "$YOUKI_DIR/.features" 2>/dev/null)" = "$YOUKI_FEATURES" ]; then
    log "cached: $bin"
  else
    if ! have_cargo; then
      fail $name "cargo/rustc >= $RUST_MIN_VERSION not found (install Rust with rustup)"
      return 1
    fi
    log "cargo install youki $YOUKI_VERSION --features $YOUKI_FEATURES (log: $logf)"
    rm -rf "$YOUKI_DIR.tmp"
    if ! "${NICE[@]}" cargo install youki --version "=$YOUKI_VERSION" --locked \
        --no-default-features --features "$YOUKI_FEATURES" \
        --root "$YOUKI_DIR.tmp" -j "$JOBS" >"$logf" 2>&1; then
      fail $name "cargo install youki $YOUKI_VERSION failed: $(last_error "$logf")"
      return 1
    fi
    rm -rf "$YOUKI_DIR" && mv "$YOUKI_DIR.tmp" "$YOUKI_DIR"
    printf '%s\n' "$YOUKI_FEATURES" >"$YOUKI_DIR/.features"
  fi
  expose youki "$bin"
  if ! "$bin" --version >>"$logf" 2>&1; then
    fail $name "$bin --version does not run"
    return 1
  fi
  "$bin" --version | sed 's/^/    /'
  record_youki_wasm youki "$YOUKI_FEATURES"
  # the wasmtime youki's executor embeds: the version its crate's Cargo.lock pins
  local v
  v=$(youki_locked_version wasmtime)
  [ -n "$v" ] && record_engine YOUKI_WASMTIME "$v"
  ok $name
}

# record_youki_wasm NAME FEATURES: youki's --version does not list its Wasm executors:
# record the ones compiled in, which `runbench doctor` reads (status/<runtime>.wasm, one
# handler per word).
record_youki_wasm() {
  local wasm=""
  case ",$2," in *,wasm-wasmtime,*) wasm="$wasm wasmtime" ;; esac
  case ",$2," in *,wasm-wasmedge,*) wasm="$wasm wasmedge" ;; esac
  case ",$2," in *,wasm-wasmer,*) wasm="$wasm wasmer" ;; esac
  if [ -n "$wasm" ]; then printf '%s\n' "${wasm# }" >"$STATUS_DIR/$1.wasm"; else rm -f "$STATUS_DIR/$1.wasm"; fi
}

# youki_locked_version CRATE: the version of CRATE that youki's published Cargo.lock pins
# (what `cargo install --locked` builds), or nothing.
youki_locked_version() {
  local lock
  lock=$(ls "$HOME"/.cargo/registry/src/*/youki-"$YOUKI_VERSION"/Cargo.lock 2>/dev/null | head -n 1)
  awk -v want="name = \"$1\"" '$0 == want { getline; gsub(/version = |"/, ""); print; exit }' "$lock" 2>/dev/null
}

# --- wasmtime C API -----------------------------------------------------------

CAPI_DIR=$CACHE/wasmtime-c-api-$WASMTIME_CAPI_VERSION
CAPI_SRC=$SCRIPT_DIR/lib/wasmtime-c-api

build_wasmtime_capi() {
  local name=wasmtime-c-api logf=$LOG_DIR/wasmtime-c-api.log
  if [ "$FORCE" = 0 ] && [ -f "$CAPI_DIR/lib/libwasmtime.so" ] && [ -f "$CAPI_DIR/include/wasmtime.h" ]; then
    log "cached: $CAPI_DIR"
    ok $name
    return 0
  fi
  if ! have_cargo; then
    fail $name "cargo/rustc >= $RUST_MIN_VERSION not found"
    return 1
  fi
  local want
  want=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$CAPI_SRC/Cargo.toml" | head -n 1)
  if [ "$want" != "$WASMTIME_CAPI_VERSION" ]; then
    fail $name "scripts/lib/wasmtime-c-api is $want but versions.env says $WASMTIME_CAPI_VERSION"
    return 1
  fi
  log "building wasmtime-c-api-impl $WASMTIME_CAPI_VERSION (log: $logf)"
  rm -rf "$CAPI_DIR.tmp" && mkdir -p "$CAPI_DIR.tmp/lib"
  if ! RUNBENCH_CAPI_INCLUDE_DEST=$CAPI_DIR.tmp/include "${NICE[@]}" cargo build --release --locked \
      -j "$JOBS" --manifest-path "$CAPI_SRC/Cargo.toml" >"$logf" 2>&1; then
    fail $name "cargo build wasmtime-c-api-impl $WASMTIME_CAPI_VERSION failed: $(last_error "$logf")"
    return 1
  fi
  if [ ! -f "$CAPI_DIR.tmp/include/wasmtime.h" ]; then
    # The header copy runs in the wrapper's build script; force it when
    # cargo considered that script fresh.
    touch "$CAPI_SRC/build.rs"
    RUNBENCH_CAPI_INCLUDE_DEST=$CAPI_DIR.tmp/include cargo build --release --locked \
      -j "$JOBS" --manifest-path "$CAPI_SRC/Cargo.toml" >>"$logf" 2>&1
  fi
  cp "$CARGO_TARGET_DIR/release/libwasmtime.so" "$CARGO_TARGET_DIR/release/libwasmtime.a" "$CAPI_DIR.tmp/lib/" 2>>"$logf"
  if [ ! -f "$CAPI_DIR.tmp/lib/libwasmtime.so" ] || [ ! -f "$CAPI_DIR.tmp/include/wasmtime.h" ]; then
    fail $name "build finished but libwasmtime.so or include/wasmtime.h is missing"
    return 1
  fi
  rm -rf "$CAPI_DIR" && mv "$CAPI_DIR.tmp" "$CAPI_DIR"
  log "libwasmtime: $(du -h "$CAPI_DIR/lib/libwasmtime.so" | cut -f1) .so, $(du -h "$CAPI_DIR/lib/libwasmtime.a" | cut -f1) .a"
  record_engine CRUN_WASMTIME_WASMTIME "$WASMTIME_CAPI_VERSION"
  ok $name
}

# --- crun with the wasmtime handler ------------------------------------------

CRUN_W_DIR=$CACHE/crun-wasmtime-$CRUN_VERSION-wasmtime-$WASMTIME_CAPI_VERSION
CRUN_SRC_DIR=$CACHE/src/crun-$CRUN_DEB_VERSION

# `apt-get source` needs a deb-src line; keep it in its own file so the
# machine's own sources stay untouched.
ensure_deb_src() {
  local f=/etc/apt/sources.list.d/runbench-src.sources
  if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat >"$f" <<'EOF'
# Added by runbench scripts/setup.sh: source packages (crun-wasmtime build).
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  if ! apt-cache showsrc crun 2>/dev/null | grep -q "^Version: $CRUN_DEB_VERSION"; then
    apt-get update -q
  fi
}

build_crun_wasmtime() {
  local name=crun-wasmtime logf=$LOG_DIR/crun-wasmtime.log bin=$CRUN_W_DIR/bin/crun-wasmtime
  if [ "$FORCE" = 0 ] && [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q '+WASM:wasmtime'; then
    log "cached: $bin"
  else
    if [ ! -f "$CAPI_DIR/lib/libwasmtime.so" ]; then
      fail $name "needs libwasmtime from the wasmtime-c-api build, which is missing (see status/wasmtime-c-api.failed)"
      return 1
    fi
    : >"$logf"
    if [ ! -x "$CRUN_SRC_DIR/configure" ]; then
      log "fetching Debian source crun=$CRUN_DEB_VERSION"
      ensure_deb_src >>"$logf" 2>&1
      rm -rf "$CRUN_SRC_DIR.tmp" && mkdir -p "$CRUN_SRC_DIR.tmp"
      if ! (cd "$CRUN_SRC_DIR.tmp" && apt-get source -q "crun=$CRUN_DEB_VERSION") >>"$logf" 2>&1; then
        fail $name "apt-get source crun=$CRUN_DEB_VERSION failed: $(last_error "$logf")"
        return 1
      fi
      rm -rf "$CRUN_SRC_DIR" && mv "$CRUN_SRC_DIR.tmp/crun-$CRUN_VERSION" "$CRUN_SRC_DIR" && rm -rf "$CRUN_SRC_DIR.tmp"
    fi
    log "configuring and building crun $CRUN_VERSION --with-wasmtime (log: $logf)"
    # crun dlopen()s "libwasmtime.so" at run time; the RUNPATH makes the
    # cached library the one it finds without touching /usr/lib.
    if ! (cd "$CRUN_SRC_DIR" &&
          { [ ! -f Makefile ] || make distclean >/dev/null 2>&1 || true; } &&
          ./configure --with-wasmtime --disable-dependency-tracking \
            CFLAGS="-O2 -g -I$CAPI_DIR/include" \
            LDFLAGS="-Wl,-rpath,$CAPI_DIR/lib -L$CAPI_DIR/lib" &&
          "${NICE[@]}" make -j "$JOBS") >>"$logf" 2>&1; then
      fail $name "building crun $CRUN_VERSION with wasmtime failed: $(last_error "$logf")"
      return 1
    fi
    mkdir -p "$CRUN_W_DIR/bin"
    install -m 0755 "$CRUN_SRC_DIR/crun" "$bin.tmp" && mv "$bin.tmp" "$bin"
  fi
  expose crun-wasmtime "$bin"
  local v
  v=$("$bin" --version 2>&1)
  printf '%s\n' "$v" | sed 's/^/    /'
  if ! printf '%s' "$v" | grep -q '+WASM:wasmtime'; then
    fail $name "$bin --version does not list +WASM:wasmtime"
    return 1
  fi
  ok $name
}

# --- containerd shim ------------------------------------------------------------

SHIM_SRC=$REPO_DIR/shim/containerd-shim-wasmtime

# shim_dir ENGINE CRATE_VERSION: where shim/containerd-shim-ENGINE's build is cached, keyed by
# crate version and a hash of its sources, so editing the shim rebuilds it while an unchanged
# checkout reuses the cached binary. Shared with the wasmer tier's shim (lib/wasmer-shim.sh).
shim_dir() {
  local h
  h=$(cd "$REPO_DIR/shim/containerd-shim-$1" && cat Cargo.toml Cargo.lock $(find src -type f | sort) | sha256sum | cut -c1-12)
  printf '%s/containerd-shim-%s-%s-%s' "$CACHE" "$1" "$2" "$h"
}

# install_shim ENGINE DIR: the shim cargo just built, into DIR/bin; builds of older sources dropped.
install_shim() {
  local engine=$1 dir=$2 built=$CARGO_TARGET_DIR/release/containerd-shim-$1-v1 bin=$2/bin/containerd-shim-$1-v1 old
  if ! mkdir -p "$dir/bin" || ! install -m 0755 "$built" "$bin.tmp" || ! mv "$bin.tmp" "$bin"; then
    fail "containerd-shim-$engine" "build finished but $built could not be installed in $dir"
    return 1
  fi
  for old in "$CACHE"/containerd-shim-"$engine"-*; do
    [ "$old" = "$dir" ] || [ ! -d "$old" ] || rm -rf "$old"
  done
}

# expose_shim ENGINE BIN LOG ENGINE_KEY ENGINE_VERSION: links the shim into $BIN_DIR, checks that
# it runs, and records the version of the engine it embeds.
expose_shim() {
  local name=containerd-shim-$1 bin=$2 logf=$3
  expose "containerd-shim-$1-v1" "$bin"
  if ! "$bin" -v >>"$logf" 2>&1; then
    fail $name "$bin -v does not run"
    return 1
  fi
  "$bin" -v 2>&1 | sed 's/^/    /'
  record_engine "$4" "$5"
  ok $name
}

build_shim() {
  local name=containerd-shim-wasmtime logf=$LOG_DIR/containerd-shim-wasmtime.log dir bin
  dir=$(shim_dir wasmtime "$SHIM_CRATE_VERSION")
  bin=$dir/bin/containerd-shim-wasmtime-v1
  if [ "$FORCE" = 0 ] && [ -x "$bin" ]; then
    log "cached: $bin"
  else
    if ! have_cargo; then
      fail $name "cargo/rustc >= $RUST_MIN_VERSION not found"
      return 1
    fi
    log "building shim/containerd-shim-wasmtime (log: $logf)"
    if ! "${NICE[@]}" cargo build --release --locked -j "$JOBS" \
        --manifest-path "$SHIM_SRC/Cargo.toml" >"$logf" 2>&1; then
      fail $name "cargo build shim/containerd-shim-wasmtime failed: $(last_error "$logf")"
      return 1
    fi
    install_shim wasmtime "$dir" || return 1
  fi
  expose_shim wasmtime "$bin" "$logf" SHIM_WASMTIME "$SHIM_WASMTIME_VERSION"
}

# --- main ------------------------------------------------------------------------

log "runbench setup: tier=$TIER cache=$CACHE"

step apt-base apt_install "${BASE_PACKAGES[@]}" || FAILED+=(apt-base)
step crun-host-fix fix_crun_hybrid_cgroups || FAILED+=(crun-host-fix)
step binfmt-arm64 register_binfmt || FAILED+=(binfmt-arm64)
if [ "$WITH_BROWSER" = 1 ]; then
  step apt-browser apt_install "${BROWSER_PACKAGES[@]}" || FAILED+=(apt-browser)
fi
step check-crun check_crun || true
step npm-ci npm_ci || FAILED+=(npm-ci)
step build-fixtures build_fixtures || FAILED+=(build-fixtures)
step build-images build_images || FAILED+=(build-images)

if [ "$DEBIAN13" = 1 ]; then
  # shellcheck source=lib/debian13.sh
  . "$SCRIPT_DIR/lib/debian13.sh"
  step apt-debian13 apt_install "${DEBIAN13_PACKAGES[@]}" || FAILED+=(apt-debian13)
  # each step records its own failures (status/<name>.failed) and never stops the next
  step debian13-index d13_index || true
  step debian13-root d13_root || true
  step crun-wasmedge d13_crun || true
  step wasmedge d13_wasmedge || true
  step debian13-containerd d13_containerd || true
  step debian13-runc d13_runc || true
  step debian13-paths d13_paths || true
  # WasmEdge's other modes: the workloads compiled ahead of time, and the CLI in an image
  if [ "$WASMEDGE_MODES" = 1 ]; then
    step wasmedge-aot bash "$SCRIPT_DIR/build-wasmedge-aot.sh" || FAILED+=(wasmedge-aot)
    step wasmedge-in-image bash "$SCRIPT_DIR/build-wasmedge-image.sh" || FAILED+=(wasmedge-in-image)
  fi
fi

if [ "$ENGINES" = 1 ]; then
  # shellcheck source=lib/crun-engines.sh
  . "$SCRIPT_DIR/lib/crun-engines.sh"
  step apt-engines-deps apt_install cmake || FAILED+=(apt-engines-deps)
  step wasmtime-c-api build_wasmtime_capi || true
  step wasmer-c-api build_wasmer_capi || true
  step crun-engines build_crun_engines || true
fi

if [ "$WASMER" = 1 ]; then
  # wasmer reached the other ways: each step records its own failure and never stops the next
  # the wasmer CLI (cranelift) in an ordinary image, with the modules `wasmer compile` compiled
  step wasmer-cli bash "$SCRIPT_DIR/build-wasmer-cli.sh" && record_engine WASMER_CLI "$WASMER_CLI_VERSION" || FAILED+=(wasmer-cli)
  step wasmer-in-image bash "$SCRIPT_DIR/build-wasmer-image.sh" || FAILED+=(wasmer-in-image)
  # shellcheck source=lib/wasmer-shim.sh
  . "$SCRIPT_DIR/lib/wasmer-shim.sh"
  step containerd-shim-wasmer build_wasmer_shim || true
  # shellcheck source=lib/youki-wasmer.sh
  . "$SCRIPT_DIR/lib/youki-wasmer.sh"
  step youki-wasmer build_youki_wasmer || true
fi

if [ "$CRITEST" = 1 ]; then
  build_critest() {
    PATH=$PATH:/usr/local/go/bin bash "$SCRIPT_DIR/build-critest.sh" >"$LOG_DIR/critest.log" 2>&1 || {
      fail critest "scripts/build-critest.sh failed: $(last_error "$LOG_DIR/critest.log")"
      return 1
    }
    ok critest
  }
  build_cri_images() {
    bash "$SCRIPT_DIR/build-cri-images.sh" >"$LOG_DIR/build-cri-images.log" 2>&1 || {
      fail build-cri-images "scripts/build-cri-images.sh failed: $(last_error "$LOG_DIR/build-cri-images.log")"
      return 1
    }
    ok build-cri-images
  }
  step critest build_critest || true
  step build-cri-images build_cri_images || true
fi

if [ "$LEVEL" -ge 1 ]; then
  step apt-youki-deps apt_install "${YOUKI_BUILD_PACKAGES[@]}" || FAILED+=(apt-youki-deps)
  step youki build_youki || true
fi

if [ "$LEVEL" -ge 2 ]; then
  step apt-wasm-deps apt_install "${WASM_BUILD_PACKAGES[@]}" || FAILED+=(apt-wasm-deps)
  [ "$ENGINES" = 1 ] || step wasmtime-c-api build_wasmtime_capi || true
  step crun-wasmtime build_crun_wasmtime || true
  step containerd-shim-wasmtime build_shim || true
  # the first way to run Wasm: an ordinary image carrying the wasmtime CLI and the modules
  step wasmtime-cli bash "$SCRIPT_DIR/build-wasmtime-cli.sh" && record_engine WASMTIME_CLI "${WASMTIME_CLI_VERSION:-$SHIM_WASMTIME_VERSION}" || FAILED+=(wasmtime-cli)
  if [ "$(uname -m)" = x86_64 ]; then
    # the arm64 image, run here under qemu-user: a failure of its own (status file) that
    # leaves the host's image to be built without it
    step wasmtime-cli-arm64 bash "$SCRIPT_DIR/build-wasmtime-cli.sh" --arch arm64 || FAILED+=(wasmtime-cli-arm64)
  fi
  step wasmtime-in-image bash "$SCRIPT_DIR/build-wasmtime-image.sh" || FAILED+=(wasmtime-in-image)
  [ -f "$STATUS_DIR/wasmtime-in-image-arm64.failed" ] && FAILED+=(wasmtime-in-image-arm64)
fi

TOTAL=$(($(date +%s) - SETUP_START))
printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$TIER" TOTAL "$TOTAL" "${#FAILED[@]}" >>"$TIMES_FILE"
log ""
log "runtimes exposed in $BIN_DIR:"
ls -l "$BIN_DIR" 2>/dev/null | awk 'NR>1 {print "    " $9 " -> " $11}'
if [ ${#FAILED[@]} -gt 0 ]; then
  log "setup tier '$TIER' finished in ${TOTAL}s with FAILURES: ${FAILED[*]} (reasons in $STATUS_DIR/*.failed)"
  exit 1
fi
log "setup tier '$TIER' finished in ${TOTAL}s: all ok"
