#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl and etcd from
# the Go module proxy (wrapper module in cluster/k8s) into a cache keyed by version:
#   ~/.cache/runbench/kubernetes-<version>/bin
# Idempotent: does nothing when every binary is present. Heavy (tens of minutes on 2 cores), so it
# runs under nice with at most 2 parallel compile jobs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=k8s/versions.env
. "$here/k8s/versions.env"

cache="${RUNBENCH_CACHE:-$HOME/.cache/runbench}/kubernetes-$KUBERNETES_VERSION"
bin="$cache/bin"
cmds=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)
all=("${cmds[@]}" etcd)

missing=()
for c in "${all[@]}"; do [[ -x "$bin/$c" ]] || missing+=("$c"); done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "kubernetes $KUBERNETES_VERSION: all binaries cached in $bin" >&2
  exit 0
fi
command -v go >/dev/null || { echo "go not found: needed to build Kubernetes $KUBERNETES_VERSION" >&2; exit 1; }
mkdir -p "$bin"

minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
ldflags+=" -s -w"

export GOFLAGS="-trimpath -mod=mod" CGO_ENABLED="${CGO_ENABLED:-1}"
cd "$here/k8s"
start=$(date +%s)
for c in "${missing[@]}"; do
  t0=$(date +%s)
  if [[ "$c" == etcd ]]; then pkg=./cmd/etcd; else pkg="k8s.io/kubernetes/cmd/$c"; fi
  echo "building $c ($pkg) ..." >&2
  nice -n 10 go build -p 2 -ldflags "$ldflags" -o "$bin/$c.tmp" "$pkg"
  mv "$bin/$c.tmp" "$bin/$c"
  echo "built $c in $(( $(date +%s) - t0 ))s" >&2
done
echo "kubernetes $KUBERNETES_VERSION built in $(( $(date +%s) - start ))s into $bin" >&2
