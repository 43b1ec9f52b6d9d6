#!/usr/bin/env bash
# scripts/runtime-tools-crosscheck.sh: run opencontainers/runtime-tools' validation
# programs against the OCI runtimes installed here, for comparison with runbench's
# own conformance checks (scripts/runtime-tools/table.ts builds the table).
#
#   scripts/runtime-tools-crosscheck.sh [--out DIR]
#                                       [--runtime runc,crun,crun@1.0.2,runsc,runsc/oci-seccomp]
#                                       [--program NAME,...] [--timeout SECONDS]
#                                       [--build-only] [--force-build]
#
# Build: the module github.com/opencontainers/runtime-tools at RUNTIME_TOOLS_VERSION
# (default below) comes from the Go module proxy (`go mod download`); a writable
# copy of it is built with CGO_ENABLED=0 and -mod=mod into one static binary per
# validation/<program> plus cmd/runtimetest, cached under
# $RUNBENCH_CACHE/runtime-tools-<version>/bin (default ~/.cache/runbench). Nothing
# of runtime-tools lands in the repository.
#
# Run: each program runs in a scratch directory holding what it expects to find in
# its working directory: `runtimetest` and `rootfs-<goarch>.tar.gz`, here a tarball
# of runbench's busybox rootfs (build/rootfs/<arch>, made by
# scripts/build-fixtures.sh). RUNTIME names the runtime (util.RuntimeCommand): a
# wrapper that adds `--root <scratch state dir>` and the global flags runbench uses
# for that runtime (core/runtimes.ts KNOWN_RUNTIMES: runsc gets --platform=ptrace
# --network=none, and runsc/oci-seccomp --oci-seccomp besides). `crun@1.0.2` is crun
# with each config relabelled ociVersion 1.0.2 before create: runtime-tools labels
# its configs 1.3.0, which crun 1.8 refuses outright, while runbench's configs say
# 1.0.2. Bundles go to a scratch TMPDIR. After every program, whatever it left is
# removed: containers in the wrapper's state root (delete --force), the
# processes left in the program's own tracking cgroup, the test cgroups the
# programs create (cgrouptest, testdir), mounts under the scratch directory.
#
# Output in --out (default build/runtime-tools): raw/<runtime>/<program>.{tap,stderr}
# (a '/' in a runtime's name is a '+' in its directory: raw/runsc+oci-seccomp/)
# and runs.tsv (program, runtime, exit code, seconds, timed out), then results.json
# and results.tsv (area, program, runtime, verdict, failing assertion lines) made by
# scripts/runtime-tools/collect.ts.
#
# Needs: root, go (PATH or /usr/local/go/bin), node with this repo's npm ci,
# util-linux (unshare), coreutils timeout, tar.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE=github.com/opencontainers/runtime-tools
# master of 2025-12-05 (commit 5e639034dcdc), the newest the proxy serves as a pseudo-version
VERSION=${RUNTIME_TOOLS_VERSION:-v0.9.1-0.20251205004911-5e639034dcdc}
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
OUT=$ROOT/build/runtime-tools
RUNTIMES=
PROGRAMS=
TIMEOUT=180
BUILD_ONLY=0
FORCE_BUILD=0

die() { printf 'runtime-tools-crosscheck: %s\n' "$*" >&2; exit 1; }
log() { printf '%s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=${2:?--out needs a directory}; shift 2 ;;
    --out=*) OUT=${1#--out=}; shift ;;
    --runtime) RUNTIMES=${2:?--runtime needs names}; shift 2 ;;
    --runtime=*) RUNTIMES=${1#--runtime=}; shift ;;
    --program) PROGRAMS=${2:?--program needs names}; shift 2 ;;
    --program=*) PROGRAMS=${1#--program=}; shift ;;
    --timeout) TIMEOUT=${2:?--timeout needs seconds}; shift 2 ;;
    --timeout=*) TIMEOUT=${1#--timeout=}; shift ;;
    --build-only) BUILD_ONLY=1; shift ;;
    --force-build) FORCE_BUILD=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
case $TIMEOUT in ''|*[!0-9]*) die "--timeout must be a whole number of seconds" ;; esac
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)

GO=$(command -v go || true)
[ -n "$GO" ] || GO=/usr/local/go/bin/go
[ -x "$GO" ] || die "go not found (PATH or /usr/local/go/bin/go)"

# --- build ------------------------------------------------------------------------
DEST=$CACHE/runtime-tools-$VERSION
BIN=$DEST/bin

build() {
  local dir src programs p
  log "runtime-tools $VERSION: downloading $MODULE from the module proxy"
  if ! dir=$("$GO" mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'); then
    log "the proxy did not serve $MODULE@$VERSION; versions it serves:"
    "$GO" list -m -versions "$MODULE" >&2 || true
    die "set RUNTIME_TOOLS_VERSION to one of them (or a pseudo-version of a master commit)"
  fi
  [ -n "$dir" ] && [ -d "$dir" ] || die "go mod download gave no directory for $MODULE@$VERSION"
  src=$DEST/src
  rm -rf "$src" "$BIN.tmp"
  mkdir -p "$DEST" "$BIN.tmp"
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  programs=()
  for p in "$src"/validation/*/; do
    p=$(basename "$p")
    grep -qs '^package main' "$src/validation/$p"/*.go && programs+=("./validation/$p")
  done
  log "building ${#programs[@]} validation programs and runtimetest (CGO_ENABLED=0, -mod=mod)"
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod nice -n 10 "$GO" build -buildvcs=false -trimpath -o "$BIN.tmp/" \
    "${programs[@]}" ./cmd/runtimetest) >&2
  printf '%s\n' "$VERSION" >"$BIN.tmp/.version"
  rm -rf "$BIN" && mv "$BIN.tmp" "$BIN"
  rm -rf "$src"
}

if [ $FORCE_BUILD -eq 1 ] || [ ! -f "$BIN/.version" ] || [ ! -x "$BIN/runtimetest" ]; then
  build
else
  log "runtime-tools $VERSION: using the build in $BIN"
fi
[ $BUILD_ONLY -eq 1 ] && { log "built: $BIN"; exit 0; }

# --- what to run ---------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "the validation programs create containers: run as root"
case "$(uname -m)" in
  x86_64) ARCH=amd64 ;;
  aarch64|arm64) ARCH=arm64 ;;
  *) die "unsupported host architecture $(uname -m)" ;;
esac
ROOTFS=$ROOT/build/rootfs/$ARCH
[ -x "$ROOTFS/bin/busybox" ] || die "no rootfs at build/rootfs/$ARCH: run scripts/build-fixtures.sh --arch $ARCH"

all_programs=()
for f in "$BIN"/*; do
  p=$(basename "$f")
  [ "$p" = runtimetest ] || all_programs+=("$p")
done
if [ -n "$PROGRAMS" ]; then
  IFS=, read -ra programs <<<"$PROGRAMS"
  for p in "${programs[@]}"; do [ -x "$BIN/$p" ] || die "no validation program '$p' in $BIN"; done
else
  programs=("${all_programs[@]}")
fi

runtime_path() { # name -> binary, empty when missing
  case $1 in
    runc|crun|runsc) command -v "$1" || true ;;
    crun@1.0.2) command -v crun || true ;;
    runsc/oci-seccomp) command -v runsc || true ;;
    *) die "unknown runtime '$1' (runc, crun, crun@1.0.2, runsc, runsc/oci-seccomp)" ;;
  esac
}
runtime_flags() { # the global flags runbench gives the runtime (core/runtimes.ts)
  case $1 in
    runsc) echo "--platform=ptrace --network=none" ;;
    runsc/oci-seccomp) echo "--platform=ptrace --network=none --oci-seccomp" ;;
    *) echo "" ;;
  esac
}
fs_name() { printf '%s' "${1//\//+}"; } # a runtime's name as one path component
runtimes=()
if [ -n "$RUNTIMES" ]; then
  IFS=, read -ra asked <<<"$RUNTIMES"
  for r in "${asked[@]}"; do
    [ -n "$(runtime_path "$r")" ] || die "runtime '$r' is not installed"
    runtimes+=("$r")
  done
else
  for r in runc crun crun@1.0.2 runsc runsc/oci-seccomp; do
    if [ -n "$(runtime_path "$r")" ]; then runtimes+=("$r"); else log "skip: $r is not installed"; fi
  done
fi
[ ${#runtimes[@]} -gt 0 ] || die "no runtime found"

# --- scratch ----------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/runbench-rtools.XXXXXX")
# runsc's sandbox and gofer drop privileges: they must be able to reach the bundles
chmod 0755 "$WORK"
TRACK=
if [ -d /sys/fs/cgroup/unified ] && [ -w /sys/fs/cgroup/unified ]; then
  TRACK=/sys/fs/cgroup/unified/runbench-rtools-$$
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  TRACK=/sys/fs/cgroup/runbench-rtools-$$
fi
# cgroups that exist before the run are never touched by the clean-up
CG_BEFORE=$WORK/cgroups.before
find /sys/fs/cgroup -mindepth 1 -type d \( -name cgrouptest -o -name testdir \) 2>/dev/null | sort >"$CG_BEFORE"

mkdir -p "$WORK/run" "$WORK/tmp" "$WORK/state" "$WORK/rt"
cp "$BIN/runtimetest" "$WORK/run/runtimetest"
tar -C "$ROOTFS" -czf "$WORK/run/rootfs-$ARCH.tar.gz" .
for r in "${runtimes[@]}"; do
  mkdir -p "$WORK/state/$(fs_name "$r")"
  {
    echo '#!/bin/sh'
    if [ "$r" = crun@1.0.2 ]; then
      # the generator labels every config ociVersion 1.3.0, which crun 1.8 refuses
      # ("unknown version specified"): relabel it 1.0.2, as runbench's own configs are
      cat <<'SH'
if [ "$1" = create ]; then
  bundle=. prev=
  for a in "$@"; do [ "$prev" = --bundle ] && bundle=$a; prev=$a; done
  sed -i 's/"ociVersion": *"1\.3\.0"/"ociVersion": "1.0.2"/' "$bundle/config.json" 2>/dev/null
fi
SH
    fi
    printf 'exec %s --root %s %s "$@"\n' "$(runtime_path "$r")" "$WORK/state/$(fs_name "$r")" "$(runtime_flags "$r")"
  } >"$WORK/rt/$(fs_name "$r")"
  chmod 0755 "$WORK/rt/$(fs_name "$r")"
done

# kill_tracked: SIGKILL what is left in the tracking cgroup (hook shells, unshare
# holders of a program that timed out); only processes the program started are there
kill_tracked() {
  [ -n "$TRACK" ] && [ -d "$TRACK" ] || return 0
  local pid n=0
  while [ -n "$(cat "$TRACK/cgroup.procs" 2>/dev/null)" ] && [ $n -lt 50 ]; do
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$TRACK/cgroup.procs"
    sleep 0.1; n=$((n + 1))
  done
}

clean_after() { # runtime; best effort: a cgroup or mount that vanishes meanwhile is no error
  local r=$1 id m d
  set +e
  # containers the program left in this runtime's state root
  for id in $(ls -1 "$WORK/state/$(fs_name "$r")" 2>/dev/null); do
    [ -d "$WORK/state/$(fs_name "$r")/$id" ] || continue
    timeout 30 "$WORK/rt/$(fs_name "$r")" delete --force "$id" >/dev/null 2>&1 || true
  done
  kill_tracked
  # runsc keeps its own files beside the container directories
  find "$WORK/state/$(fs_name "$r")" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true
  # mounts left under the scratch directory, deepest first
  awk -v w="$WORK/" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  # the test cgroups the programs create (cgroups.AbsCgroupPath, RelCgroupPath,
  # delete_only_create_resources' pids/cgrouptest), deepest first
  find /sys/fs/cgroup -mindepth 1 -depth -type d \( -name cgrouptest -o -name testdir -o -path '*/testdir/*' \) 2>/dev/null |
    while read -r d; do
      grep -qxF "$d" "$CG_BEFORE" && continue
      rmdir "$d" 2>/dev/null || true
    done
  rm -rf "$WORK/tmp" && mkdir -p "$WORK/tmp"
  set -e
  return 0
}

finish() {
  local r
  set +e
  for r in "${runtimes[@]}"; do clean_after "$r"; done
  if [ -n "$TRACK" ] && [ -d "$TRACK" ]; then kill_tracked; rmdir "$TRACK" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap finish EXIT
trap 'exit 130' INT TERM HUP

# --- run ------------------------------------------------------------------------------
RAW=$OUT/raw
rm -rf "$RAW" && mkdir -p "$RAW"
RUNS=$OUT/runs.tsv
printf 'program\truntime\texit\tseconds\ttimed_out\n' >"$RUNS"
[ -n "$TRACK" ] && mkdir -p "$TRACK"
total=$(( ${#programs[@]} * ${#runtimes[@]} ))
n=0
for r in "${runtimes[@]}"; do
  mkdir -p "$RAW/$(fs_name "$r")"
  for p in "${programs[@]}"; do
    n=$((n + 1))
    start=$(date +%s.%N)
    set +e
    (
      [ -n "$TRACK" ] && echo "$BASHPID" >"$TRACK/cgroup.procs"
      cd "$WORK/run"
      RUNTIME=$WORK/rt/$(fs_name "$r")
      export RUNTIME TMPDIR=$WORK/tmp
      exec timeout -k 10 "$TIMEOUT" "$BIN/$p"
    ) >"$RAW/$(fs_name "$r")/$p.tap" 2>"$RAW/$(fs_name "$r")/$p.stderr" </dev/null
    rc=$?
    set -e
    secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    timed_out=0
    [ $rc -eq 124 ] || [ $rc -eq 137 ] && timed_out=1
    printf '%s\t%s\t%s\t%s\t%s\n' "$p" "$r" "$rc" "$secs" "$timed_out" >>"$RUNS"
    log "[$n/$total] $r $p: exit $rc in ${secs}s$([ $timed_out -eq 1 ] && echo ' (timed out)')"
    clean_after "$r"
  done
done

{
  printf 'version\t%s\n' "$VERSION"
  printf 'module\t%s\n' "$MODULE"
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf 'kernel\t%s\n' "$(uname -r)"
  printf 'timeout\t%s\n' "$TIMEOUT"
  for r in "${runtimes[@]}"; do
    printf 'runtime\t%s\t%s\t%s\n' "$r" "$(runtime_path "$r")" "$("$(runtime_path "$r")" --version 2>/dev/null | head -n1)"
  done
} >"$OUT/run-info.tsv"

cd "$ROOT"
node --import tsx scripts/runtime-tools/collect.ts --out "$OUT"
