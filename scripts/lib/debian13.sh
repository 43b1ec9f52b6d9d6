# shellcheck shell=bash
# The debian13 tier of scripts/setup.sh, sourced by it: Debian 13's own crun with its
# WasmEdge handler, the wasmedge CLI, containerd 1.7 and runc 1.1.15, taken from a
# Debian 13 root made with debootstrap from the host's Debian mirror.
#
# Debian 13's crun 1.21 and libwasmedge0 need glibc >= 2.38, which Debian 12 lacks.
# They run from the root as they are built: a copy of each binary gets the root's ELF
# interpreter and a DT_RPATH into the root's library directory (patchelf). DT_RPATH,
# not DT_RUNPATH, because only DT_RPATH also reaches the libraries those libraries
# load (libwasmedge -> libLLVM -> libz3, ...). The copy runbench executes is the
# patched ELF itself: no wrapper process sits in a timed path.
#
# crun chooses a global Wasm handler from its program name: under the name
# `crun-wasmedge` it would run every container through WasmEdge and refuse handler
# annotations. So the copy is named `crun`, in a directory of its own, and runbench
# registers it as the runtime `crun-wasmedge`; there native containers run natively
# and `module.wasm.image/variant: compat-smart` (or `run.oci.handler: wasm`) selects
# WasmEdge for a Wasm module.
#
# Cache layout ($CACHE = $RUNBENCH_CACHE, default ~/.cache/runbench):
#   debian13-apt/            Debian 13's package index, in an apt state of its own
#                            (the host's apt sources are never touched)
#   debian13-<key>/root/     the root: debootstrap --variant=minbase, then
#                            crun libwasmedge0 wasmedge containerd runc at pinned versions
#   debian13-<key>/bin/      crun, wasmedge, runc (patched copies); containerd, ctr,
#                            containerd-shim-runc-v2 (hard links: they need glibc 2.34 only)
#   debian13-<key>/versions.txt  package=version, the key's input
#   debian13-<key>/paths.env and debian13.env (the same content): KEY=PATH of each
#                            binary that works, read by runbench's runtime discovery
#                            (DEBIAN13_CRUN) and by anything else that wants them
#   <key> is a hash of the suite, the architecture, this layout's version and the
#   package versions Debian 13's index offers; a new upload makes a new root.
# Nothing here replaces /usr/bin/containerd (1.6) or /usr/bin/runc (1.1.5).
#
# Status names (status/<name>.failed, one line, see setup.sh): crun-wasmedge,
# wasmedge, debian13-containerd, debian13-runc. A failure to make the root fails all
# four with its reason; each binary's own failure fails only its name.
#
# Expects from setup.sh: CACHE LOG_DIR STATUS_DIR FORCE NICE FAILED, log, ok,
# last_error, expose.

D13_SUITE=${DEBIAN13_SUITE:-trixie}
D13_PACKAGES=(crun libwasmedge0 wasmedge containerd runc)
D13_NAMES=(crun-wasmedge wasmedge debian13-containerd debian13-runc)
# bump when the layout of debian13-<key>/ changes
D13_LAYOUT=1
D13_APT_DIR=$CACHE/debian13-apt
D13_ENV=$CACHE/debian13.env
D13_LOG=$LOG_DIR/debian13.log
D13_ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
case $D13_ARCH in
  amd64) D13_TRIPLET=x86_64-linux-gnu ;;
  arm64) D13_TRIPLET=aarch64-linux-gnu ;;
  *) D13_TRIPLET=$(uname -m)-linux-gnu ;;
esac
D13_MIRROR=
D13_VERSIONS=   # "pkg=version ..." from the index
D13_DIR=        # $CACHE/debian13-<key>
D13_ROOT_OK=0
D13_PATHS=()    # KEY=PATH lines for the env file

# d13_fail NAME REASON LOG: the status-file contract, with the log that tells more.
d13_fail() {
  printf '%s; log: %s\n' "$2" "$3" >"$STATUS_DIR/$1.failed"
  log "!!! FAILED: $1: $2 (log: $3)"
  FAILED+=("$1")
}

# d13_fail_all REASON LOG: no root, so none of the four can be had.
d13_fail_all() {
  local n
  for n in "${D13_NAMES[@]}"; do d13_fail "$n" "$1" "$2"; done
}

# d13_error LOG: apt's first error line (the fetch that failed), else setup.sh's pick.
d13_error() {
  local line
  line=$(grep -E '^E: ' "$1" 2>/dev/null | head -n 1)
  [ -n "$line" ] && printf '%s' "${line:0:300}" || last_error "$1"
}

# The mirror the host's own sources use for its release (deb822 or one-line
# format), unless RUNBENCH_DEBIAN_MIRROR says otherwise.
d13_mirror() {
  if [ -n "${RUNBENCH_DEBIAN_MIRROR:-}" ]; then printf '%s\n' "$RUNBENCH_DEBIAN_MIRROR"; return; fi
  local id codename uri=
  id=$(. /etc/os-release 2>/dev/null && printf '%s' "${ID:-}")
  codename=$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}")
  if [ "$id" = debian ] && [ -n "$codename" ]; then
    uri=$(awk -v c="$codename" '
      function flush() { if (deb && suite && uri != "" && !found) { print uri; found = 1 } uri = ""; deb = 0; suite = 0 }
      FNR == 1 || /^[[:space:]]*$/ { flush() }
      /^[[:space:]]*#/ { next }
      $1 == "Types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
      $1 == "URIs:" { uri = $2 }
      $1 == "Suites:" { for (i = 2; i <= NF; i++) if ($i == c) suite = 1 }
      END { flush() }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
    [ -n "$uri" ] || uri=$(awk -v c="$codename" '
      $1 == "deb" { i = 2; if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ } if ($(i + 1) == c) { print $i; exit } }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1)
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

# apt-get / apt-cache on Debian 13's index, in a state directory of their own.
d13_apt_opts() {
  printf '%s\n' \
    -o "Dir::State::Lists=$D13_APT_DIR/lists" -o "Dir::State::status=$D13_APT_DIR/status" \
    -o "Dir::Etc::SourceList=$D13_APT_DIR/sources.list" -o "Dir::Etc::SourceParts=$D13_APT_DIR/sources.list.d" \
    -o "Dir::Cache=$D13_APT_DIR/cache" -o "APT::Architecture=$D13_ARCH" -o "APT::Architectures::=$D13_ARCH" \
    -o Acquire::Languages=none \
    -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false \
    -o Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false \
    -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false
}
d13_apt_get() { local o; mapfile -t o < <(d13_apt_opts); apt-get "${o[@]}" "$@"; }
d13_apt_cache() { local o; mapfile -t o < <(d13_apt_opts); apt-cache "${o[@]}" "$@"; }

# d13_umount_below DIR: unmount whatever debootstrap or a chroot left mounted below DIR.
d13_umount_below() {
  local d=$1 m
  [ -n "$d" ] || return 0
  awk -v d="$d" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
  ! awk -v d="$d" '$2 == d || index($2, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mounts
}

# d13_remove DIR: rm -rf, never through something still mounted below it.
d13_remove() {
  [ -e "$1" ] || return 0
  if ! d13_umount_below "$1"; then
    log "still mounted below $1: not removing it"
    return 1
  fi
  rm -rf "$1"
}

# Step debian13-index: read Debian 13's package versions; they name the cache directory.
d13_index() {
  : >"$D13_LOG"
  D13_MIRROR=$(d13_mirror)
  mkdir -p "$D13_APT_DIR/lists/partial" "$D13_APT_DIR/cache/archives/partial" "$D13_APT_DIR/sources.list.d"
  touch "$D13_APT_DIR/status"
  local line="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $D13_MIRROR $D13_SUITE main"
  if [ "$(cat "$D13_APT_DIR/sources.list" 2>/dev/null)" != "$line" ]; then
    printf '%s\n' "$line" >"$D13_APT_DIR/sources.list"
    rm -f "$D13_APT_DIR"/lists/*_Packages*
  fi
  # Refreshed once a day (or with --force). The lists keep the mirror's dates, so a stamp
  # file says when they were last read.
  local fresh=
  ls "$D13_APT_DIR"/lists/*_Packages* >/dev/null 2>&1 &&
    fresh=$(find "$D13_APT_DIR/updated" -mmin -1440 2>/dev/null)
  if [ "$FORCE" = 1 ] || [ -z "$fresh" ]; then
    log "reading Debian $D13_SUITE's package index from $D13_MIRROR"
    if d13_apt_get -q --error-on=any update >>"$D13_LOG" 2>&1; then
      touch "$D13_APT_DIR/updated"
    else
      if ! ls "$D13_APT_DIR"/lists/*_Packages* >/dev/null 2>&1; then
        d13_index_fallback "apt-get update of Debian $D13_SUITE from $D13_MIRROR failed: $(d13_error "$D13_LOG")"
        return $?
      fi
      log "apt-get update failed; using the index read before"
    fi
  fi
  # The versions read from an unchanged index are kept beside it: a warm run reads no index.
  local p v policy versions=() stamp memo=$D13_APT_DIR/versions
  stamp="$(stat -c '%n %s %Y' "$D13_APT_DIR"/lists/*_Packages* 2>/dev/null | tr '\n' ' ')${D13_PACKAGES[*]}"
  if [ "$FORCE" = 0 ] && [ "$(head -n 1 "$memo" 2>/dev/null)" = "$stamp" ]; then
    mapfile -t versions < <(tail -n +2 "$memo")
  else
    policy=$(d13_apt_cache policy "${D13_PACKAGES[@]}" 2>>"$D13_LOG")
    if [ -z "$policy" ]; then
      d13_index_fallback "apt-cache policy on Debian $D13_SUITE's index failed: $(d13_error "$D13_LOG")"
      return $?
    fi
  fi
  for p in "${D13_PACKAGES[@]}"; do
    [ -n "${policy:-}" ] || break
    v=$(awk -v p="$p:" '$0 == p { inp = 1; next } /^[^[:space:]]/ { inp = 0 } inp && $1 == "Candidate:" { print $2; exit }' <<<"$policy")
    if [ -z "$v" ] || [ "$v" = "(none)" ]; then
      d13_index_fallback "Debian $D13_SUITE's index at $D13_MIRROR has no package $p"
      return $?
    fi
    versions+=("$p=$v")
  done
  [ -z "${policy:-}" ] || printf '%s\n' "$stamp" "${versions[@]}" >"$memo"
  D13_VERSIONS=${versions[*]}
  local key
  key=$(printf '%s\n' "suite=$D13_SUITE" "arch=$D13_ARCH" "layout=$D13_LAYOUT" "${versions[@]}" | sha256sum | cut -c1-12)
  D13_DIR=$CACHE/debian13-$key
  log "Debian $D13_SUITE ($D13_ARCH): ${versions[*]}"
  log "cache directory: $D13_DIR"
}

# Without an index, a root made before is still good (a set-up run offline).
d13_index_fallback() {
  local dir
  dir=$(sed -n 's/^DEBIAN13_DIR=//p' "$D13_ENV" 2>/dev/null)
  if [ -n "$dir" ] && [ -f "$dir/root/.runbench-complete" ]; then
    log "$1: keeping the root made before, $dir"
    D13_DIR=$dir
    D13_VERSIONS=$(tr '\n' ' ' <"$dir/versions.txt")
    return 0
  fi
  d13_fail_all "$1" "$D13_LOG"
  return 1
}

# Step debian13-root: debootstrap a minimal Debian 13 and install the packages in it.
d13_root() {
  local rc
  d13_make_root; rc=$?
  trap - INT TERM
  return $rc
}

d13_make_root() {
  [ -n "$D13_DIR" ] || { log "no Debian $D13_SUITE index: skipped"; return 1; }
  local root=$D13_DIR/root
  if [ "$FORCE" = 0 ] && [ -f "$root/.runbench-complete" ]; then
    log "cached: $root"
    D13_ROOT_OK=1
    return 0
  fi
  local p
  for p in debootstrap patchelf; do
    if ! command -v "$p" >/dev/null; then
      d13_fail_all "$p is not installed (apt-get install debootstrap patchelf)" "$D13_LOG"
      return 1
    fi
  done
  local tmp=$D13_DIR.tmp pins=()
  read -ra pins <<<"$D13_VERSIONS"
  d13_remove "$tmp" || { d13_fail_all "cannot clear $tmp: a mount is left below it" "$D13_LOG"; return 1; }
  # debootstrap mounts /proc and /sys in the root while it configures it: an
  # interrupted set-up leaves nothing mounted either
  # shellcheck disable=SC2064
  trap "d13_umount_below '$tmp'; exit 130" INT TERM
  log "debootstrap --variant=minbase $D13_SUITE from $D13_MIRROR (log: $D13_LOG)"
  if ! "${NICE[@]}" debootstrap --variant=minbase --arch="$D13_ARCH" "$D13_SUITE" "$tmp/root" "$D13_MIRROR" >>"$D13_LOG" 2>&1; then
    d13_umount_below "$tmp"
    d13_fail_all "debootstrap $D13_SUITE from $D13_MIRROR failed: $(d13_error "$D13_LOG")" "$D13_LOG"
    return 1
  fi
  # No service starts inside the root.
  printf '#!/bin/sh\nexit 101\n' >"$tmp/root/usr/sbin/policy-rc.d" && chmod 0755 "$tmp/root/usr/sbin/policy-rc.d"
  # apt in the root, not debootstrap's resolver, which leaves libwasmedge0's
  # libspdlog dependency out; versions pinned to the ones the key names.
  log "installing ${pins[*]} in the root"
  local in_root=(chroot "$tmp/root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8)
  if ! { "${in_root[@]}" apt-get -q -o Acquire::Languages=none update &&
         "${NICE[@]}" "${in_root[@]}" apt-get install -y -q --no-install-recommends "${pins[@]}" &&
         "${in_root[@]}" apt-get clean; } >>"$D13_LOG" 2>&1; then
    d13_umount_below "$tmp"
    # the index may be older than the mirror: read it again next time
    rm -f "$D13_APT_DIR"/lists/*_Packages*
    d13_fail_all "apt-get install ${pins[*]} in the Debian $D13_SUITE root failed: $(d13_error "$D13_LOG")" "$D13_LOG"
    return 1
  fi
  d13_umount_below "$tmp" || { d13_fail_all "a mount is left below $tmp" "$D13_LOG"; return 1; }
  "${in_root[@]}" dpkg-query -W -f='${Package}=${Version}\n' "${D13_PACKAGES[@]}" 2>>"$D13_LOG" |
    sed 's/:[a-z0-9]*=/=/' >"$tmp/versions.txt"
  local want
  want=$(tr ' ' '\n' <<<"$D13_VERSIONS" | sort)
  if [ "$(sort "$tmp/versions.txt")" != "$want" ]; then
    d13_fail_all "the root holds $(sort "$tmp/versions.txt" | tr '\n' ' '), not $(tr '\n' ' ' <<<"$want")" "$D13_LOG"
    return 1
  fi
  touch "$tmp/root/.runbench-complete"
  d13_remove "$D13_DIR" && mv "$tmp" "$D13_DIR" || { d13_fail_all "cannot move $tmp to $D13_DIR" "$D13_LOG"; return 1; }
  log "root: $(du -sh "$root" 2>/dev/null | cut -f1)"
  D13_ROOT_OK=1
}

# d13_patch SRC DST: a copy of SRC that loads its interpreter and libraries from the root.
d13_patch() {
  local src=$1 dst=$2 root=$D13_DIR/root interp
  interp=$(patchelf --print-interpreter "$src") || return 1
  mkdir -p "$(dirname "$dst")"
  cp "$src" "$dst.tmp" &&
    patchelf --set-interpreter "$root$interp" --force-rpath \
      --set-rpath "$root/usr/lib/$D13_TRIPLET:$root/usr/lib" "$dst.tmp" &&
    chmod 0755 "$dst.tmp" && mv "$dst.tmp" "$dst"
}

# d13_binary NAME SRC DST CHECK_REGEX HOW: one binary from the root, patched (HOW=patch)
# or linked as it is (HOW=link); checked by running DST --version.
d13_binary() {
  local name=$1 src=$D13_DIR/root/$2 dst=$D13_DIR/bin/$3 want=$4 how=$5 logf=$LOG_DIR/$1.log out
  if [ "$D13_ROOT_OK" != 1 ]; then
    log "no Debian $D13_SUITE root: $name skipped (status/$name.failed says why)"
    return 1
  fi
  : >"$logf"
  if [ "$FORCE" = 1 ] || [ ! -x "$dst" ] || ! "$dst" --version >/dev/null 2>&1; then
    if [ "$how" = patch ]; then
      d13_patch "$src" "$dst" >>"$logf" 2>&1 || { d13_fail "$name" "patchelf of $src failed: $(last_error "$logf")" "$logf"; return 1; }
    else
      mkdir -p "$(dirname "$dst")" && { ln -f "$src" "$dst" 2>>"$logf" || cp "$src" "$dst"; } >>"$logf" 2>&1 ||
        { d13_fail "$name" "cannot place $src at $dst" "$logf"; return 1; }
    fi
  else
    log "cached: $dst"
  fi
  out=$("$dst" --version 2>&1)
  printf '%s\n' "$out" >>"$logf"
  if ! grep -qE "$want" <<<"$out"; then
    d13_fail "$name" "$dst --version does not show '$want': $(head -n 1 <<<"$out" | cut -c1-200)" "$logf"
    return 1
  fi
  printf '%s\n' "$out" | head -n 6 | sed 's/^/    /'
  ok "$name"
}

d13_crun() {
  d13_binary crun-wasmedge usr/bin/crun crun '\+WASM:wasmedge' patch &&
    D13_PATHS+=("DEBIAN13_CRUN=$D13_DIR/bin/crun")
}

d13_wasmedge() {
  d13_binary wasmedge usr/bin/wasmedge wasmedge 'version' patch || return 1
  D13_PATHS+=("DEBIAN13_WASMEDGE=$D13_DIR/bin/wasmedge")
  expose wasmedge "$D13_DIR/bin/wasmedge"
}

d13_containerd() {
  d13_binary debian13-containerd usr/bin/containerd containerd 'containerd .* 1\.7\.' link || return 1
  local b
  for b in ctr containerd-shim-runc-v2; do
    ln -f "$D13_DIR/root/usr/bin/$b" "$D13_DIR/bin/$b" 2>/dev/null || cp "$D13_DIR/root/usr/bin/$b" "$D13_DIR/bin/$b" || {
      d13_fail debian13-containerd "cannot place $b in $D13_DIR/bin" "$LOG_DIR/debian13-containerd.log"
      return 1
    }
  done
  D13_PATHS+=("DEBIAN13_CONTAINERD=$D13_DIR/bin/containerd" "DEBIAN13_CTR=$D13_DIR/bin/ctr"
    "DEBIAN13_CONTAINERD_SHIM_RUNC_V2=$D13_DIR/bin/containerd-shim-runc-v2")
}

d13_runc() {
  d13_binary debian13-runc usr/sbin/runc runc 'runc version 1\.1\.' patch &&
    D13_PATHS+=("DEBIAN13_RUNC=$D13_DIR/bin/runc")
}

# Step debian13-paths: the env file runbench and other scripts read; older roots removed.
d13_paths() {
  [ "$D13_ROOT_OK" = 1 ] || { rm -f "$D13_ENV"; return 1; }
  local tmp=$D13_ENV.tmp v
  {
    printf '# Written by scripts/setup.sh --tier debian13 (scripts/lib/debian13.sh); read by runbench.\n'
    printf '# Binaries from Debian %s: crun, wasmedge and runc patched to load their libraries\n' "$D13_SUITE"
    printf '# from DEBIAN13_ROOT, containerd'"'"'s as they are. containerd looks for its shim, and the\n'
    printf '# shim for runc, on PATH: put DEBIAN13_DIR/bin first to have the 1.7 ones.\n'
    printf 'DEBIAN13_DIR=%s\nDEBIAN13_ROOT=%s\n' "$D13_DIR" "$D13_DIR/root"
    printf '%s\n' "${D13_PATHS[@]}"
    while IFS='=' read -r p v; do
      [ -n "$p" ] && printf 'DEBIAN13_VERSION_%s=%s\n' "$(tr 'a-z0-9-' 'A-Z0-9_' <<<"$p")" "$v"
    done <"$D13_DIR/versions.txt"
  } >"$tmp"
  cp "$tmp" "$D13_DIR/paths.env" && mv "$tmp" "$D13_ENV"
  sed 's/^/    /' "$D13_ENV"
  local old
  for old in "$CACHE"/debian13-*; do
    case $old in "$D13_DIR" | "$D13_APT_DIR" | *.tmp) continue ;; esac
    [ -d "$old" ] && { log "removing an older root: $old"; d13_remove "$old"; }
  done
  return 0
}
