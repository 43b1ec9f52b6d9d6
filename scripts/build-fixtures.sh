#!/usr/bin/env bash
# Builds the project's test fixtures from source (nothing is downloaded
# except Debian's busybox-static package for a foreign architecture):
#
#   build/fixtures/amd64/bin/<workload>     static x86_64 binaries
#   build/fixtures/arm64/bin/<workload>     static aarch64 binaries
#   build/fixtures/wasm/<workload>.wasm     wasm32-wasi modules
#   build/bin/<name>                        harness/<name>.c for the host (static)
#   build/rootfs/{amd64,arm64}/             busybox + workloads (+ /wasm/<w>.wasm) + /etc basics
#   build/fixtures/manifest.json            paths, sha256, sizes, compilers
#
# Usage: scripts/build-fixtures.sh [--arch amd64|arm64|wasm|all]
#                                  [--rootfs amd64,arm64|none] [--force]
#   --arch may be repeated or comma separated; default "all" builds every
#   target whose toolchain is installed and prints a "skip:" line for the
#   others. A target asked for by name that cannot be built makes the
#   script exit 2 (after building the rest).
#   --rootfs limits which native rootfs trees are assembled (default: every
#   native target built; a foreign one downloads busybox-static once).
#   --force rebuilds everything.
#
# Incremental: make rebuilds only changed sources; a rootfs is rebuilt only
# when the content hash of its inputs changes.
#
# Needs (Debian): gcc make binutils; gcc-aarch64-linux-gnu libc6-dev-arm64-cross
# for arm64; clang lld wasi-libc libclang-rt-14-dev-wasm32 for wasm;
# busybox-static; qemu-user-static (optional, to list arm64 applets); node.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"
CACHE="${RUNBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/runbench}"
WORKLOADS=(hello cpu mem idle noop probe)
# applets linked in each rootfs (only those the busybox binary provides)
APPLETS=(sh ash true false echo cat sleep ls id hostname env mount umount ps
  mkdir rmdir rm cp mv ln touch chmod chown stat pwd printf test "[" "[["
  grep head tail wc sort uniq cut tr sed awk find xargs tee kill uname date
  dd seq yes nproc free df du sync which whoami top dmesg)
ROOTFS_VERSION=2 # bump when the rootfs layout below changes

log() { printf '%s\n' "$*"; }
die() { printf 'build-fixtures: %s\n' "$*" >&2; exit 1; }

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

requested=()
force=0
rootfs_list=default
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) [ $# -ge 2 ] || die "--arch needs a value"; IFS=, read -ra a <<<"$2"; requested+=("${a[@]}"); shift 2 ;;
    --arch=*) IFS=, read -ra a <<<"${1#--arch=}"; requested+=("${a[@]}"); shift ;;
    --rootfs) [ $# -ge 2 ] || die "--rootfs needs a value"; rootfs_list=$2; shift 2 ;;
    --rootfs=*) rootfs_list=${1#--rootfs=}; shift ;;
    --force) force=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[ ${#requested[@]} -gt 0 ] || requested=(all)

explicit=()
for a in "${requested[@]}"; do
  case "$a" in
    all) ;;
    amd64|arm64|wasm) explicit+=("$a") ;;
    x86_64) explicit+=(amd64) ;;
    aarch64) explicit+=(arm64) ;;
    *) die "unknown arch '$a' (amd64, arm64, wasm, all)" ;;
  esac
done
want() { # want TARGET -> 0 when the target is asked for
  local a
  for a in "${requested[@]}"; do [ "$a" = all ] && return 0; done
  for a in "${explicit[@]}"; do [ "$a" = "$1" ] && return 0; done
  return 1
}
is_explicit() { local a; for a in "${explicit[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }

case "$(uname -m)" in
  x86_64) HOST_ARCH=amd64 ;;
  aarch64|arm64) HOST_ARCH=arm64 ;;
  *) HOST_ARCH=$(uname -m) ;;
esac

# --- toolchain detection --------------------------------------------------
# sets CC_<T> or SKIP_<T> (the reason)
cc_for() { # cc_for amd64|arm64 -> compiler command for a static build
  local t=$1
  if [ "$t" = "$HOST_ARCH" ]; then echo gcc; return; fi
  case "$t" in
    amd64) echo x86_64-linux-gnu-gcc ;;
    arm64) echo aarch64-linux-gnu-gcc ;;
  esac
}

have_static_libc() { # compile+link a trivial static program with $1 [flags]
  local cc=$1; shift
  local tmp; tmp=$(mktemp -d)
  printf 'int main(void){return 0;}\n' >"$tmp/t.c"
  if "$cc" "$@" -o "$tmp/t" "$tmp/t.c" >/dev/null 2>&1; then rm -rf "$tmp"; return 0; fi
  rm -rf "$tmp"; return 1
}

declare -A CC SKIP
for t in amd64 arm64; do
  want "$t" || continue
  c=$(cc_for "$t")
  if ! command -v "$c" >/dev/null 2>&1; then
    if [ "$t" = arm64 ]; then
      SKIP[$t]="$c not found (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"
    else
      SKIP[$t]="$c not found (apt-get install gcc-x86-64-linux-gnu libc6-dev-amd64-cross)"
    fi
  elif ! have_static_libc "$c" -static; then
    SKIP[$t]="$c cannot link static binaries (install the matching libc6-dev package)"
  else
    CC[$t]=$c
  fi
done
if want wasm; then
  if ! command -v clang >/dev/null 2>&1; then
    SKIP[wasm]="clang not found (apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32)"
  elif ! command -v wasm-ld >/dev/null 2>&1; then
    SKIP[wasm]="wasm-ld not found (apt-get install lld)"
  elif ! have_static_libc clang --target=wasm32-wasi; then
    SKIP[wasm]="clang cannot link for wasm32-wasi (apt-get install wasi-libc libclang-rt-14-dev-wasm32)"
  else
    CC[wasm]=clang
  fi
fi

targets=()
status=0
for t in amd64 arm64 wasm; do
  want "$t" || continue
  if [ -n "${CC[$t]:-}" ]; then
    targets+=("$t")
  else
    log "skip: $t: ${SKIP[$t]}"
    if is_explicit "$t"; then status=2; fi
  fi
done

# --- compile ----------------------------------------------------------------
mkdir -p "$BUILD/fixtures" "$BUILD/bin"
make_args=(-C "$ROOT/fixtures" --no-print-directory -j2 "BUILD=$BUILD" "TARGETS=${targets[*]}")
[ -n "${CC[amd64]:-}" ] && make_args+=("CC_AMD64=${CC[amd64]}")
[ -n "${CC[arm64]:-}" ] && make_args+=("CC_ARM64=${CC[arm64]}")
[ $force -eq 1 ] && make_args+=(-B)
# the harness is built for the host whatever targets were chosen
make "${make_args[@]}" "${targets[@]}" harness | { grep -v 'Nothing to be done' || true; }
for t in "${targets[@]}"; do
  if [ "$t" = wasm ]; then log "ok: wasm -> build/fixtures/wasm/"; else log "ok: $t -> build/fixtures/$t/bin/"; fi
done
if compgen -G "$ROOT/harness/*.c" >/dev/null; then log "ok: harness -> build/bin/"; fi

# --- busybox ------------------------------------------------------------------
sha256() { sha256sum "$1" | cut -d' ' -f1; }
is_static_elf() { ! readelf -l "$1" 2>/dev/null | grep -q 'program interpreter'; }

# busybox_for ARCH -> prints the path of a static busybox for ARCH
busybox_for() {
  local arch=$1 deb dir
  if [ "$arch" = "$HOST_ARCH" ] && [ -x /bin/busybox ] && is_static_elf /bin/busybox; then
    echo /bin/busybox
    return
  fi
  mkdir -p "$CACHE/debs"
  deb=$(ls -1 "$CACHE/debs"/busybox-static_*_"$arch".deb 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$deb" ]; then
    log "fetching Debian busybox-static:$arch into $CACHE/debs" >&2
    if ! dpkg --print-foreign-architectures | grep -qx "$arch" && [ "$arch" != "$(dpkg --print-architecture)" ]; then
      dpkg --add-architecture "$arch"
      apt-get update -qq >&2
    fi
    if ! (cd "$CACHE/debs" && apt-get download -qq "busybox-static:$arch" >&2); then
      apt-get update -qq >&2
      (cd "$CACHE/debs" && apt-get download -qq "busybox-static:$arch" >&2) || return 1
    fi
    deb=$(ls -1 "$CACHE/debs"/busybox-static_*_"$arch".deb | sort -V | tail -n1)
  fi
  dir="$CACHE/busybox-$arch-$(sha256 "$deb" | cut -c1-16)"
  if [ ! -x "$dir/bin/busybox" ]; then
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    dpkg-deb -x "$deb" "$dir.tmp"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  echo "$dir/bin/busybox"
}

# applets the binary really provides (needs to run it: natively or via qemu)
busybox_applets() {
  local bb=$1 arch=$2 list=""
  if [ "$arch" = "$HOST_ARCH" ]; then
    list=$("$bb" --list 2>/dev/null || true)
  elif [ "$arch" = arm64 ] && command -v qemu-aarch64-static >/dev/null; then
    list=$(qemu-aarch64-static "$bb" --list 2>/dev/null || true)
  elif [ "$arch" = amd64 ] && command -v qemu-x86_64-static >/dev/null; then
    list=$(qemu-x86_64-static "$bb" --list 2>/dev/null || true)
  fi
  local a
  for a in "${APPLETS[@]}"; do
    if [ -z "$list" ] || grep -qxF -- "$a" <<<"$list"; then printf '%s\n' "$a"; fi
  done
}

# --- rootfs ---------------------------------------------------------------------
build_rootfs() {
  local arch=$1 bb=$2 out="$BUILD/rootfs/$1" stamp="$BUILD/rootfs/.$1.stamp" key tmp a w
  local applets; applets=$(busybox_applets "$bb" "$arch")
  key=$( {
    echo "v$ROOTFS_VERSION"; sha256 "$bb"; echo "$applets"
    for w in "${WORKLOADS[@]}"; do sha256 "$BUILD/fixtures/$arch/bin/$w"; done
    for w in "${WORKLOADS[@]}"; do if [ -f "$BUILD/fixtures/wasm/$w.wasm" ]; then sha256 "$BUILD/fixtures/wasm/$w.wasm"; fi; done
  } | sha256sum | cut -d' ' -f1)
  if [ $force -eq 0 ] && [ -d "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
    log "rootfs: $arch up to date"
    return
  fi
  tmp="$BUILD/rootfs/.$arch.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"/{bin,etc,proc,sys,dev,tmp,run,data,root,usr/bin}
  chmod 0755 "$tmp" "$tmp"/{bin,etc,proc,sys,dev,run,data,usr,usr/bin}
  chmod 0700 "$tmp/root"
  chmod 1777 "$tmp/tmp"
  install -m 0755 "$bb" "$tmp/bin/busybox"
  while IFS= read -r a; do
    [ -n "$a" ] && ln -sf busybox "$tmp/bin/$a"
  done <<<"$applets"
  ln -sf ../../bin/busybox "$tmp/usr/bin/env"
  for w in "${WORKLOADS[@]}"; do
    install -m 0755 "$BUILD/fixtures/$arch/bin/$w" "$tmp/bin/$w"
  done
  # The wasm32-wasi builds sit beside the native ones, so an OCI runtime's Wasm handler
  # runs /wasm/<w>.wasm from the very same bundle layout (mounts, read-only root).
  for w in "${WORKLOADS[@]}"; do
    if [ -f "$BUILD/fixtures/wasm/$w.wasm" ]; then
      mkdir -p "$tmp/wasm"
      install -m 0755 "$BUILD/fixtures/wasm/$w.wasm" "$tmp/wasm/$w.wasm"
    fi
  done
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$tmp/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' 'nobody:x:65534:' >"$tmp/etc/group"
  printf '%s\n' runbench >"$tmp/etc/hostname"
  printf '%s\n' '127.0.0.1	localhost' '::1	localhost' >"$tmp/etc/hosts"
  chmod 0644 "$tmp"/etc/{passwd,group,hostname,hosts}
  rm -rf "$out"
  mv "$tmp" "$out"
  echo "$key" >"$stamp"
  log "rootfs: $arch -> build/rootfs/$arch"
}

want_rootfs() {
  case ",$rootfs_list," in
    *,none,*) return 1 ;;
    ,default,) return 0 ;;
    *",$1,"*) return 0 ;;
    *) return 1 ;;
  esac
}

declare -A BB_PATH BB_SRC
for arch in amd64 arm64; do
  [ -x "$BUILD/fixtures/$arch/bin/noop" ] || continue
  want "$arch" || continue
  want_rootfs "$arch" || continue
  [ -n "${CC[$arch]:-}" ] || continue
  if ! bb=$(busybox_for "$arch"); then
    log "skip: rootfs $arch: no static busybox for $arch (apt-get download busybox-static:$arch failed)"
    is_explicit "$arch" && status=2
    continue
  fi
  if [ "$bb" = /bin/busybox ]; then
    BB_SRC[$arch]="/bin/busybox (busybox-static $(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null || echo '?'))"
  else
    BB_SRC[$arch]="$(basename "$(ls -1 "$CACHE/debs"/busybox-static_*_"$arch".deb | sort -V | tail -n1)")"
  fi
  BB_PATH[$arch]=$bb
  build_rootfs "$arch" "$bb"
done

# --- manifest ---------------------------------------------------------------------
# one node process (jq per field would cost seconds); describes what is on
# disk, so targets built by an earlier run stay listed
cc_version() { "$1" --version 2>/dev/null | head -n1 || true; }
skipped_lines=""
for t in "${!SKIP[@]}"; do skipped_lines+="$t=${SKIP[$t]}"$'\n'; done
MF_WORKLOADS="${WORKLOADS[*]}" \
MF_CC_amd64="${CC[amd64]:-$(cc_for amd64)}" MF_CC_arm64="${CC[arm64]:-$(cc_for arm64)}" MF_CC_wasm=clang \
MF_VER_amd64="$(cc_version "${CC[amd64]:-$(cc_for amd64)}")" \
MF_VER_arm64="$(cc_version "${CC[arm64]:-$(cc_for arm64)}")" \
MF_VER_wasm="$(cc_version clang)" \
MF_BB_amd64="${BB_SRC[amd64]:-}" MF_BB_arm64="${BB_SRC[arm64]:-}" \
MF_SKIPPED="$skipped_lines" \
node --input-type=module - "$ROOT" <<'NODE'
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const root = process.argv[2];
const env = process.env;
const workloads = env.MF_WORKLOADS.split(' ');
const sha = (f) => createHash('sha256').update(readFileSync(f)).digest('hex');
const previous = (() => {
  try { return JSON.parse(readFileSync(join(root, 'build/fixtures/manifest.json'), 'utf8')); } catch { return null; }
})();
const targets = {};
for (const t of ['amd64', 'arm64', 'wasm']) {
  const rel = (w) => (t === 'wasm' ? `build/fixtures/wasm/${w}.wasm` : `build/fixtures/${t}/bin/${w}`);
  if (!workloads.every((w) => existsSync(join(root, rel(w))))) continue;
  const compiler = env[`MF_CC_${t}`] || null;
  const compilerVersion = env[`MF_VER_${t}`] || null;
  const wl = {};
  for (const w of workloads) {
    const f = join(root, rel(w));
    wl[w] = { path: rel(w), sha256: sha(f), size: statSync(f).size, compiler, compilerVersion };
  }
  let busybox = null;
  let rootfs = null;
  const bb = join(root, `build/rootfs/${t}/bin/busybox`);
  if (t !== 'wasm' && existsSync(bb)) {
    const m = /BusyBox v[0-9][0-9.]*[^)\0]*\)/.exec(readFileSync(bb).toString('latin1'));
    const source = env[`MF_BB_${t}`] || previous?.targets?.[t]?.busybox?.source || null;
    busybox = { version: m ? m[0] : null, path: `build/rootfs/${t}/bin/busybox`, sha256: sha(bb), size: statSync(bb).size, source };
    rootfs = `build/rootfs/${t}`;
  }
  targets[t] = {
    platform: t === 'wasm' ? 'wasi/wasm' : `linux/${t}`,
    compiler,
    compilerVersion,
    cflags: t === 'wasm' ? '--target=wasm32-wasi -O2 -Wl,--strip-all' : '-static -O2 -s',
    workloads: wl,
    busybox,
    rootfs,
  };
}
const skipped = {};
for (const line of (env.MF_SKIPPED || '').split('\n')) {
  const i = line.indexOf('=');
  if (i > 0) skipped[line.slice(0, i)] = line.slice(i + 1);
}
const out = join(root, 'build/fixtures/manifest.json');
writeFileSync(out + '.tmp', JSON.stringify({ schema: 1, workloads, targets, skipped }, null, 2) + '\n');
renameSync(out + '.tmp', out);
NODE
log "manifest: build/fixtures/manifest.json"
exit $status
