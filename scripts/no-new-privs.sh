#!/usr/bin/env bash
# scripts/no-new-privs.sh: what no_new_privs a runtime gives a container with
# process.noNewPrivileges true, false and absent, read three ways, and whether a
# set-user-ID-root binary raises a uid-65534 process's euid. The README's evidence on
# runsc and process.no-new-privileges comes from it.
#
#   scripts/no-new-privs.sh [runc|crun|runsc ...]      (default: those installed)
#
# For each runtime and setting it prints prctl(PR_GET_NO_NEW_PRIVS) and the NoNewPrivs
# line of /proc/self/status as the init process sees them, the same for a process
# started by `exec` (its process.json carrying the same setting), and the uid, gid,
# euid and egid the probe reports when a uid-65534 process runs a set-user-ID-root copy
# of it. The runtime gets --root <scratch> and runbench's global flags (runsc:
# --platform=ptrace --network=none). Needs root and build/rootfs/<arch> with the probe
# (scripts/build-fixtures.sh). Everything it makes is removed on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { printf 'no-new-privs: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "containers need root"
command -v jq >/dev/null || die "jq is not installed"
case "$(uname -m)" in x86_64) ARCH=amd64 ;; aarch64 | arm64) ARCH=arm64 ;; *) die "unsupported arch $(uname -m)" ;; esac
ROOTFS=$ROOT/build/rootfs/$ARCH
[ -x "$ROOTFS/bin/probe" ] || die "no probe in build/rootfs/$ARCH: run scripts/build-fixtures.sh"

runtimes=("$@")
if [ ${#runtimes[@]} -eq 0 ]; then
  for r in runc crun runsc; do command -v "$r" >/dev/null && runtimes+=("$r"); done
fi
[ ${#runtimes[@]} -gt 0 ] || die "no runtime found"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/runbench-nnp.XXXXXX")
chmod 0755 "$WORK" # runsc's gofer drops privileges and must reach the bundles
ids=()
cleanup() {
  set +e
  for entry in "${ids[@]}"; do
    "${entry%%|*}" --root "$WORK/state-${entry%%|*}" delete --force "${entry#*|}" >/dev/null 2>&1
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# a copy of the rootfs with a set-user-ID-root copy of the probe
cp -a "$ROOTFS" "$WORK/rootfs"
cp "$WORK/rootfs/bin/probe" "$WORK/rootfs/bin/suprobe"
chown 0:0 "$WORK/rootfs/bin/suprobe"
chmod 4755 "$WORK/rootfs/bin/suprobe"

flags() { case $1 in runsc) echo "--platform=ptrace --network=none" ;; *) echo "" ;; esac; }
READ='/bin/probe | grep -o "\"prctl\":{[^}]*}"; grep NoNewPrivs /proc/self/status || echo "status: no NoNewPrivs line"'
SETUID='/bin/suprobe | grep -o "\"e\?[ug]id\":[0-9]*" | tr "\n" " "'

# bundle DIR SETTING USER ARGS-JSON: a config from `runc spec`'s defaults, made here by jq
bundle() {
  local dir=$1 nnp=$2 uid=$3 args=$4
  mkdir -p "$dir"
  jq -n --arg root "$WORK/rootfs" --arg nnp "$nnp" --argjson uid "$uid" --argjson args "$args" '{
    ociVersion: "1.0.2",
    root: {path: $root, readonly: true},
    hostname: "nnp",
    process: ({user: {uid: $uid, gid: $uid}, args: $args, env: ["PATH=/bin"], cwd: "/",
      capabilities: {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]}}
      + (if $nnp == "absent" then {} else {noNewPrivileges: ($nnp == "true")} end)),
    mounts: [{destination: "/proc", type: "proc", source: "proc"},
             {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "mode=755"]}],
    linux: {namespaces: [{type: "pid"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}, {type: "network"}]}
  }' >"$dir/config.json"
}

n=0
for r in "${runtimes[@]}"; do
  bin=$(command -v "$r") || die "$r is not installed"
  # shellcheck disable=SC2046 # the flags are words
  rt() { "$bin" --root "$WORK/state-$r" $(flags "$r") "$@"; }
  echo "== $r ($("$bin" --version 2>/dev/null | head -n1))"
  for nnp in true false absent; do
    n=$((n + 1))
    echo "-- noNewPrivileges: $nnp"
    bundle "$WORK/b$n" "$nnp" 0 "$(jq -cn --arg c "$READ" '["/bin/sh", "-c", $c]')"
    printf 'init: '; (cd "$WORK/b$n" && rt run --bundle "$WORK/b$n" "nnp-$n" </dev/null 2>&1 | paste -sd' ')
    # exec: a sleeping init, and a process.json with the same setting
    bundle "$WORK/e$n" "$nnp" 0 '["/bin/sleep", "60"]'
    ids+=("$r|nnpx-$n")
    (cd "$WORK/e$n" && rt run --detach --bundle "$WORK/e$n" "nnpx-$n" </dev/null >/dev/null 2>&1)
    jq --arg c "$READ" '.process | .args = ["/bin/sh", "-c", $c]' "$WORK/e$n/config.json" >"$WORK/e$n/process.json"
    printf 'exec: '; rt exec --process "$WORK/e$n/process.json" "nnpx-$n" </dev/null 2>&1 | paste -sd' '
    rt delete --force "nnpx-$n" >/dev/null 2>&1 || true
    # a uid-65534 process runs the set-user-ID-root probe
    bundle "$WORK/s$n" "$nnp" 65534 "$(jq -cn --arg c "$SETUID" '["/bin/sh", "-c", $c]')"
    printf 'setuid-root probe run by uid 65534: '; (cd "$WORK/s$n" && rt run --bundle "$WORK/s$n" "nnps-$n" </dev/null 2>&1 | paste -sd' ')
  done
done
