#!/usr/bin/env bash
# scripts/build-critest.sh: build critest, the CRI validation suite of kubernetes-sigs/cri-tools,
# from the Go module proxy into a cache keyed by version:
#   $RUNBENCH_CACHE/critest-<version>/bin/critest   (default ~/.cache/runbench)
# and link it into $RUNBENCH_CACHE/bin, where runbench looks after PATH.
#
#   scripts/build-critest.sh [--force]
#
# The module sigs.k8s.io/cri-tools at CRI_TOOLS_VERSION (scripts/versions.env) comes from the
# proxy (`go mod download`); a writable copy of it is compiled with `go test -c ./cmd/critest`
# (`go install` refuses: the package holds only test files), CGO_ENABLED=0 and -mod=mod (the
# module zip has no vendor directory), with the version stamped as cri-tools' Makefile does.
# Idempotent: with the binary cached it only checks that it runs (well under a second).
# Needs: go (PATH or /usr/local/go/bin/go), >= the module's go directive (1.24).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$SCRIPT_DIR/versions.env"
MODULE=sigs.k8s.io/cri-tools
VERSION=${CRI_TOOLS_VERSION:?versions.env sets CRI_TOOLS_VERSION}
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
DEST=$CACHE/critest-$VERSION
BIN=$DEST/bin/critest
FORCE=0

die() { printf 'build-critest: %s\n' "$*" >&2; exit 1; }
log() { printf '%s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
  case $1 in
    --force) FORCE=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

# answers BINARY: it runs and names the version (the output is read whole: grep -q would cut
# critest off with SIGPIPE, which pipefail counts as a failure)
answers() {
  local out
  out=$("$1" -version 2>/dev/null) || return 1
  [[ "$out" == *"critest version: ${VERSION#v}"* ]]
}

expose() {
  mkdir -p "$CACHE/bin"
  ln -sfn "$BIN" "$CACHE/bin/critest"
}

if [ $FORCE -eq 0 ] && [ -x "$BIN" ] && [ "$(cat "$DEST/.version" 2>/dev/null)" = "$VERSION" ]; then
  expose
  answers "$BIN" || die "$BIN does not answer -version with ${VERSION#v}"
  log "critest $VERSION: cached in $BIN"
  exit 0
fi

GO=$(command -v go || true)
[ -n "$GO" ] || GO=/usr/local/go/bin/go
[ -x "$GO" ] || die "go not found (PATH or /usr/local/go/bin/go)"

t0=$(date +%s)
log "critest $VERSION: downloading $MODULE from the module proxy"
dir=$("$GO" mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') ||
  die "the proxy did not serve $MODULE@$VERSION (go list -m -versions $MODULE lists what it serves)"
[ -n "$dir" ] && [ -d "$dir" ] || die "go mod download gave no directory for $MODULE@$VERSION"
src=$DEST/src
rm -rf "$src" "$BIN.tmp"
mkdir -p "$DEST/bin"
cp -r "$dir" "$src"
chmod -R u+w "$src"
log "critest $VERSION: go test -c ./cmd/critest (CGO_ENABLED=0, -mod=mod)"
(cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod nice -n 10 "$GO" test -c -trimpath -buildvcs=false \
  -ldflags "-X $MODULE/pkg/version.Version=${VERSION#v}" -o "$BIN.tmp" ./cmd/critest) >&2 ||
  die "go test -c ./cmd/critest failed (output above)"
answers "$BIN.tmp" || die "the built critest does not answer -version with ${VERSION#v}"
mv "$BIN.tmp" "$BIN"
printf '%s\n' "$VERSION" >"$DEST/.version"
rm -rf "$src"
expose
log "critest $VERSION: built in $(( $(date +%s) - t0 ))s into $BIN"
