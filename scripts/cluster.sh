#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, for the kubernetes layer:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet (built from
#   the Go module proxy by cluster/build.sh, cached by version), containerd (the host's)
#   as the CRI with one runtime handler per runtime found, CNI bridge networking.
#
# Usage: scripts/cluster.sh up|down [--purge]|status|env|leftovers|handlers|pods
#   up      builds what is missing (once: tens of minutes), starts everything, waits
#           until the node is Ready; a failure on the way stops what was started.
#   down    deletes every pod, stops every process, and removes what the cluster left on
#           the host: mounts, network namespaces, veths and the bridge, kubepods
#           cgroups, the kubelet's iptables chains, changed sysctls. --purge also removes
#           certificates, images and the containerd store (/var/lib/runbench-cluster).
#   status  what runs, the node, the handlers.
#   env     prints `export KUBECONFIG=...` for the admin kubeconfig.
#   leftovers  lists anything of the cluster still on the host (exit 1 if any).
#   handlers   prints the runtime handlers `up` would configure (name, type, binary, wasm).
#   pods       prints the kubelet's maxPods and the pod range `up` would configure.
#
# RUNBENCH_CLUSTER_HANDLERS=NAME=PATH[,NAME=PATH...] adds OCI runtimes of your own as CRI
# handlers behind the runc shim (read at `up`). A NAME is a RuntimeClass handler name (a DNS
# label: a-z, 0-9 and -, at most 63); a PATH is absolute and made of letters, digits and
# . _ + - / only. Anything else is refused before anything starts.
#
# RUNBENCH_CLUSTER_CONTAINERD=PATH|debian13 runs another containerd as the CRI: a containerd
# binary (its directory goes first on PATH, so its own containerd-shim-runc-v2 is used), or
# `debian13` for Debian 13's 1.7.24 (DEBIAN13_CONTAINERD in ~/.cache/runbench/debian13.env,
# scripts/setup.sh --tier debian13). Another containerd keeps its store apart from the host
# containerd's (/var/lib/runbench-cluster/containerd-<version>): neither migrates the other's.
# RUNBENCH_CLUSTER_DEFAULT_RUNTIME=PATH|crun-wasmedge puts another OCI runtime in runc's place:
# the `runc` handler, the node's default (pods with no RuntimeClass), runs PATH, and passes
# the Wasm pod annotations (module.wasm.image/variant, run.oci.handler) on to it. This is the
# recipe's configuration (kind's WasmEdge node image): `crun-wasmedge` names Debian 13's crun
# 1.21 with WasmEdge (DEBIAN13_CRUN in ~/.cache/runbench/debian13.env), whose compat-smart
# variant runs the pause container natively and a Wasm entrypoint as Wasm.
# crun-wasmedge is also a handler of its own (a RuntimeClass) whenever debian13.env names it.
# RUNBENCH_CLUSTER_FEATURE_GATES=Name=true|false[,...] passes feature gates to the kubelet
# (e.g. EventedPLEG=true, which needs a CRI that sends container events: containerd 1.7+).
# RUNBENCH_CLUSTER_MAX_PODS=N sets the kubelet's maxPods (default 110, Kubernetes' own) for
# density runs past it. The pod range grows with it (10.244.123.0/24 up to 250 pods, else
# 10.244.128.0/N wide enough for N pods and 16 more), and N is refused, before anything
# starts, when that many pods could take the host's kernel tasks (pid_max, threads-max) into
# the eighth (at least 4096) kept for the rest of the host, at 16 tasks a pod (a runc shim
# has about 11 threads, the pause and the container one each).
# All of these are read at `up`; `down` then `up` without them restores the default cluster.
#
# Everything lives under /var/lib/runbench-cluster and /run/runbench-cluster.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/cluster/k8s/versions.env"
CACHE=${RUNBENCH_CACHE:-$HOME/.cache/runbench}
BIN="$CACHE/kubernetes-$KUBERNETES_VERSION/bin"
CACHE_BIN="$CACHE/bin"
VAR=${RUNBENCH_CLUSTER_DIR:-/var/lib/runbench-cluster}
RUN=${RUNBENCH_CLUSTER_RUN:-/run/runbench-cluster}
PKI="$VAR/pki"
KC="$VAR/kubeconfig"
CONF="$VAR/config"
LOGS="$VAR/logs"
PIDS="$RUN/pids"
SOCK="$RUN/containerd/containerd.sock"
BRIDGE=rbcluster0
POD_SUBNET=10.244.123.0/24
MAX_PODS=110
# kernel tasks a pod may take (shim threads, pause, container), for RUNBENCH_CLUSTER_MAX_PODS
TASKS_PER_POD=16
SERVICE_RANGE=10.96.0.0/24
ETCD_CLIENT=23790
ETCD_PEER=23800
API_PORT=6443
# stopped in this order
COMPONENTS=(kubelet kube-scheduler kube-controller-manager kube-apiserver containerd etcd)
# sysctls the kubelet (overcommit, panic) and the bridge plugin (forwarding) change; restored by down
SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward)

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

node_name() { hostname | tr 'A-Z' 'a-z'; }
# Blackhole routes for the pod and service ranges (metric above the bridge's own route, so
# pods on the bridge are still reached); `add` is idempotent, `del` removes only ours.
blackhole_ranges() {
  local r
  for r in $POD_SUBNET $SERVICE_RANGE; do
    if [[ $1 == add ]]; then
      ip route show type blackhole "$r" | grep -q . || ip route add blackhole "$r" metric 4242 || die "could not add a blackhole route for $r"
    fi
  done
  if [[ $1 == del ]]; then
    # every blackhole route of ours, whatever pod range the cluster was started with
    for r in $(ip route show type blackhole | awk '/metric 4242/ {print $2}'); do
      ip route del blackhole "$r" metric 4242 2>/dev/null && log "removed blackhole route $r"
    done
  fi
  return 0
}

node_ip() { ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1; }

pid_of() { [[ -f "$PIDS/$1.pid" ]] && cat "$PIDS/$1.pid" || true; }
alive() {
  local pid; pid=$(pid_of "$1")
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

kubectl_() { "$BIN/kubectl" --kubeconfig "$KC/admin.conf" "$@"; }

# start <name> <binary> args...: detached, own session, log in $LOGS/<name>.log
start() {
  local name=$1; shift
  mkdir -p "$PIDS" "$LOGS"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
  log "started $name (pid $!)"
}

# wait_for <what> <seconds> <command...>
wait_for() {
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  local f c
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${secs}s waiting for $what (logs: $LOGS)"
    # a component that exited will not come up: say which, with the end of its log
    for f in "$PIDS"/*.pid; do
      [[ -f "$f" ]] || continue
      c=$(basename "$f" .pid)
      if ! kill -0 "$(cat "$f")" 2>/dev/null; then
        tail -n 3 "$LOGS/$c.log" >&2 || true
        die "$c exited while waiting for $what (log: $LOGS/$c.log)"
      fi
    done
    sleep 0.5
  done
}

stop_component() {
  local name=$1 pid
  pid=$(pid_of "$name")
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop in 10s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
    log "stopped $name"
  fi
  rm -f "$PIDS/$name.pid"
}

# --- runtime handlers --------------------------------------------------------------

find_bin() { # name -> path in the runbench cache or on PATH
  if [[ -x "$CACHE_BIN/$1" ]]; then echo "$CACHE_BIN/$1"; else command -v "$1" 2>/dev/null || true; fi
}

BUILTIN_HANDLERS=(runc crun youki youki-wasmer crun-wasmtime crun-wasmedge crun-engines runsc wasmtime wasmer)

# --- the CRI and the kubelet's feature gates (RUNBENCH_CLUSTER_CONTAINERD, _FEATURE_GATES) ---

CONTAINERD_BIN=containerd
CONTAINERD_ROOT="$VAR/containerd"
choose_containerd() {
  local want=${RUNBENCH_CLUSTER_CONTAINERD:-} env="$CACHE/debian13.env" v
  [[ -z "$want" ]] && return 0
  if [[ "$want" == debian13 ]]; then
    [[ -f "$env" ]] || die "RUNBENCH_CLUSTER_CONTAINERD=debian13: $env is missing (scripts/setup.sh --tier debian13)"
    want=$(sed -n 's/^DEBIAN13_CONTAINERD=//p' "$env")
  fi
  [[ "$want" == /* && "$want" =~ ^[A-Za-z0-9._+/-]+$ ]] || die "RUNBENCH_CLUSTER_CONTAINERD: refused '$want' (an absolute path of letters, digits and . _ + - /, or debian13)"
  [[ -x "$want" ]] || die "RUNBENCH_CLUSTER_CONTAINERD: $want is not an executable file"
  v=$("$want" --version 2>&1 | awk '{print $3}') || die "RUNBENCH_CLUSTER_CONTAINERD: $want --version failed: $v"
  [[ "$v" =~ ^v?[0-9]+\.[0-9]+ ]] || die "RUNBENCH_CLUSTER_CONTAINERD: $want --version said '$v'"
  CONTAINERD_BIN=$want
  v=${v#v}
  CONTAINERD_ROOT="$VAR/containerd-${v%%[~+-]*}"
}
# RUNBENCH_CLUSTER_MAX_PODS: the kubelet's maxPods, and a pod range that holds that many.
choose_max_pods() {
  local n=${RUNBENCH_CLUSTER_MAX_PODS:-} pid_max threads_max limit reserve most prefix
  [[ -z "$n" ]] && return 0
  [[ "$n" =~ ^[1-9][0-9]{0,5}$ ]] || die "RUNBENCH_CLUSTER_MAX_PODS: refused '$n' (a whole number of pods, 1 or more)"
  pid_max=$(cat /proc/sys/kernel/pid_max); threads_max=$(cat /proc/sys/kernel/threads-max)
  limit=$((pid_max < threads_max ? pid_max : threads_max))
  reserve=$((limit / 8 > 4096 ? limit / 8 : 4096))
  most=$(((limit - reserve) / TASKS_PER_POD))
  ((n <= most)) || die "RUNBENCH_CLUSTER_MAX_PODS: refused $n: at $TASKS_PER_POD kernel tasks a pod, at most $most pods fit under pid_max $pid_max / threads-max $threads_max with $reserve kept for the host"
  MAX_PODS=$n
  ((n <= 250)) && return 0
  # addresses for N pods, 16 more (pods still being torn down), network, gateway, broadcast
  prefix=23
  while (((1 << (32 - prefix)) - 3 < n + 16)); do prefix=$((prefix - 1)); done
  POD_SUBNET=10.244.128.0/$prefix
}
# recorded_bin FILE KEY: the executable set-up recorded as KEY=PATH in $CACHE/FILE (empty when absent).
recorded_bin() {
  local env="$CACHE/$1" b
  [[ -f "$env" ]] || return 0
  b=$(sed -n "s/^$2=//p" "$env")
  [[ -n "$b" && -x "$b" ]] && echo "$b"
  return 0
}
# Debian 13's crun 1.21 with WasmEdge
debian13_crun() { recorded_bin debian13.env DEBIAN13_CRUN; }
# crun 1.21 with several engines (the engines tier), whose run.oci.handler annotation picks one
engines_crun() { recorded_bin engines.env CRUN_ENGINES; }
DEFAULT_RUNTIME=
choose_default_runtime() {
  local want=${RUNBENCH_CLUSTER_DEFAULT_RUNTIME:-}
  [[ -z "$want" ]] && return 0
  if [[ "$want" == crun-wasmedge ]]; then
    want=$(debian13_crun)
    [[ -n "$want" ]] || die "RUNBENCH_CLUSTER_DEFAULT_RUNTIME=crun-wasmedge: no DEBIAN13_CRUN in $CACHE/debian13.env (scripts/setup.sh --tier debian13)"
  fi
  [[ "$want" == /* && "$want" =~ ^[A-Za-z0-9._+/-]+$ ]] || die "RUNBENCH_CLUSTER_DEFAULT_RUNTIME: refused '$want' (an absolute path of letters, digits and . _ + - /, or crun-wasmedge)"
  [[ -x "$want" && ! -d "$want" ]] || die "RUNBENCH_CLUSTER_DEFAULT_RUNTIME: $want is not an executable file"
  DEFAULT_RUNTIME=$want
}
check_feature_gates() {
  local g=${RUNBENCH_CLUSTER_FEATURE_GATES:-}
  [[ -z "$g" || "$g" =~ ^[A-Za-z0-9]+=(true|false)(,[A-Za-z0-9]+=(true|false))*$ ]] || die "RUNBENCH_CLUSTER_FEATURE_GATES: refused '$g' (Name=true|false[,Name=true|false...])"
}

# RUNBENCH_CLUSTER_HANDLERS goes into containerd's TOML (names as table keys, paths as
# strings) and into paths under $RUN: refuse, in one line, any entry that is not
# NAME=/absolute/path with a strict name and a path free of quotes, spaces, newlines and
# shell or TOML metacharacters.
check_extra_handlers() {
  local v=${RUNBENCH_CLUSTER_HANDLERS:-} e name path shown seen=" ${BUILTIN_HANDLERS[*]} "
  local bad='RUNBENCH_CLUSTER_HANDLERS: refused'
  [[ -n "$v" ]] || return 0
  if [[ "$v" == *[$'\n\r']* ]]; then die "$bad: it contains a newline or carriage return (expected NAME=/absolute/path[,NAME=/absolute/path...])"; fi
  local -a entries
  IFS=',' read -r -a entries <<<"$v"
  [[ "$v" != *, ]] || entries+=("")
  for e in "${entries[@]}"; do
    printf -v shown '%q' "$e"
    [[ "$e" == *=* ]] || die "$bad entry $shown: not NAME=/absolute/path"
    name=${e%%=*}; path=${e#*=}
    [[ "$name" =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] || die "$bad entry $shown: the name must be a DNS label (a-z, 0-9 and -, at most 63, no - at either end)"
    [[ "$path" =~ ^/[A-Za-z0-9._+/-]*$ ]] || die "$bad entry $shown: the path must be absolute and made of letters, digits and . _ + - / only"
    [[ "$seen" != *" $name "* ]] || die "$bad entry $shown: the handler name $name is already taken"
    seen+="$name "
  done
}

# Prints "handler<TAB>runtime_type<TAB>binary<TAB>wasm" per handler this host can serve.
handlers() {
  local b
  # runc's place, the node's default, may be taken by another runtime (RUNBENCH_CLUSTER_DEFAULT_RUNTIME)
  if [[ -n "$DEFAULT_RUNTIME" ]]; then printf 'runc\tio.containerd.runc.v2\t%s\twasm\n' "$DEFAULT_RUNTIME"; fi
  for h in runc crun youki youki-wasmer crun-wasmtime; do
    [[ "$h" == runc && -n "$DEFAULT_RUNTIME" ]] && continue
    b=$(find_bin "$h")
    [[ -n "$b" ]] || continue
    case "$h" in youki | youki-wasmer | crun-wasmtime) printf '%s\tio.containerd.runc.v2\t%s\twasm\n' "$h" "$b" ;; *) printf '%s\tio.containerd.runc.v2\t%s\t-\n' "$h" "$b" ;; esac
  done
  # Debian 13's crun with WasmEdge: named crun in a directory of its own, so that its
  # handler runs Wasm only where the pod's annotation says so
  b=$(debian13_crun)
  [[ -n "$b" ]] && printf 'crun-wasmedge\tio.containerd.runc.v2\t%s\twasm\n' "$b"
  # the engines tier's crun 1.21: the pod's run.oci.handler annotation names the engine
  b=$(engines_crun)
  [[ -n "$b" ]] && printf 'crun-engines\tio.containerd.runc.v2\t%s\twasm\n' "$b"
  b=$(find_bin containerd-shim-runsc-v1)
  [[ -n "$b" && -n "$(find_bin runsc)" ]] && printf 'runsc\tio.containerd.runsc.v1\t%s\t-\n' "$(find_bin runsc)"
  # runwasi's shims, each by its own runtime type (containerd finds containerd-shim-<name>-v1 on PATH)
  for h in wasmtime wasmer; do
    b=$(find_bin "containerd-shim-$h-v1")
    [[ -n "$b" ]] && printf '%s\tio.containerd.%s.v1\t%s\twasm\n' "$h" "$h" "$b"
  done
  # more OCI runtimes behind the runc shim, as NAME=PATH[,NAME=PATH...]
  local extra name path
  IFS=',' read -r -a extra <<<"${RUNBENCH_CLUSTER_HANDLERS:-}"
  # checked by check_extra_handlers before anything is written
  for e in "${extra[@]}"; do
    name=${e%%=*}; path=${e#*=}
    printf '%s\tio.containerd.runc.v2\t%s\t-\n' "$name" "$path"
  done
  return 0
}

write_configs() {
  local ip=$1 node=$2 restrict_oom=false
  # CAP_SYS_RESOURCE is bit 24 of the bounding set
  (( (16#$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status) >> 24) & 1 )) || restrict_oom=true
  mkdir -p "$CONF" "$VAR/cni/net.d" "$VAR/cni/ipam" "$CONTAINERD_ROOT" "$VAR/kubelet" "$VAR/pod-logs" "$RUN/containerd" "$RUN/runc"
  {
    cat <<EOF
# generated by scripts/cluster.sh
version = 2
root = "$CONTAINERD_ROOT"
state = "$RUN/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$RUN/containerd/containerd.sock.ttrpc"
[debug]
  level = "info"

[plugins."io.containerd.internal.v1.opt"]
  path = "$VAR/containerd-opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/runbench/pause:1.0"
  # without CAP_SYS_RESOURCE (absent from this machine's bounding set) the kubelet's negative
  # oom_score_adj for sandboxes cannot be written: clamp to containerd's own instead
  restrict_oom_score_adj = $restrict_oom
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$VAR/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
EOF
    while IFS=$'\t' read -r h type bin wasm; do
      echo "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.\"$h\"]"
      echo "      runtime_type = \"$type\""
      [[ "$wasm" == wasm ]] && echo '      pod_annotations = ["module.wasm.image/variant", "run.oci.handler"]'
      case "$type" in
        io.containerd.runc.v2)
          echo "      [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.\"$h\".options]"
          echo "        BinaryName = \"$bin\""
          echo "        Root = \"$RUN/runc/$h\""
          echo "        SystemdCgroup = false"
          ;;
        io.containerd.runsc.v1)
          echo "      [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.\"$h\".options]"
          echo "        TypeUrl = \"io.containerd.runsc.v1.options\""
          echo "        ConfigPath = \"$CONF/runsc.toml\""
          printf '[runsc_config]\n  platform = "ptrace"\n  root = "%s"\n' "$RUN/runc/runsc" >"$CONF/runsc.toml"
          ;;
      esac
    done < <(handlers)
  } >"$CONF/containerd.toml"
  handlers >"$RUN/handlers"
  printf 'maxPods %s, pod range %s\n' "$MAX_PODS" "$POD_SUBNET" >"$RUN/max-pods"

  cat >"$VAR/cni/net.d/10-runbench.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "runbench-cluster",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_SUBNET" }]],
        "dataDir": "$VAR/cni/ipam"
      }
    }
  ]
}
EOF

  cat >"$CONF/kubelet.yaml" <<EOF
# generated by scripts/cluster.sh
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$PKI/ca.crt"}
authorization: {mode: Webhook}
tlsCertFile: "$PKI/kubelet.crt"
tlsPrivateKeyFile: "$PKI/kubelet.key"
containerRuntimeEndpoint: "unix://$SOCK"
cgroupDriver: cgroupfs
# this host has cgroup v1 (hybrid); Kubernetes $KUBERNETES_VERSION still runs there when told to
failCgroupV1: false
failSwapOn: false
readOnlyPort: 0
port: 10250
healthzBindAddress: 127.0.0.1
healthzPort: 10248
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
podLogsDir: "$VAR/pod-logs"
serializeImagePulls: false
maxPods: $MAX_PODS
EOF
  if [[ -n "${RUNBENCH_CLUSTER_FEATURE_GATES:-}" ]]; then
    echo "featureGates:"
    tr ',' '\n' <<<"$RUNBENCH_CLUSTER_FEATURE_GATES" | sed 's/^\(.*\)=\(.*\)$/  \1: \2/'
  fi >>"$CONF/kubelet.yaml"
  cat >>"$CONF/kubelet.yaml" <<EOF
evictionHard:
  memory.available: 100Mi
  nodefs.available: 2%
  imagefs.available: 2%
  nodefs.inodesFree: 2%
EOF
}

apiserver_ready() {
  curl -sf --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$API_PORT/readyz" >/dev/null
}
node_ready() {
  [[ "$(kubectl_ get node "$1" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

cmd_up() {
  check_extra_handlers
  check_feature_gates
  choose_containerd
  choose_max_pods
  choose_default_runtime
  [[ $EUID -eq 0 ]] || die "must run as root (kubelet, containerd, CNI)"
  for t in containerd ctr openssl jq curl ip gcc; do command -v "$t" >/dev/null || die "$t not found (Debian: containerd, openssl, jq, curl, iproute2, gcc)"; done
  [[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] || die "CNI plugins missing in /usr/lib/cni (Debian: containernetworking-plugins)"
  if alive kube-apiserver && alive kubelet; then log "already up"; cmd_status; return 0; fi
  if [[ -d "$PIDS" ]] && ls "$PIDS"/*.pid >/dev/null 2>&1; then log "a partial cluster is running: stopping it first"; cmd_down; fi
  local t0=$SECONDS
  "$ROOT/cluster/build.sh"
  local tb=$SECONDS
  local ip node
  ip=$(node_ip); node=$(node_name)
  [[ -n "$ip" ]] || die "no IPv4 address with a default route: the API server reaches the kubelet through the node's address"

  # any failure or interrupt from here on stops what was started
  started_ok=0
  trap 'rc=$?; if [[ $started_ok != 1 ]]; then log "start failed (exit $rc): stopping what was started"; cmd_down >&2 || true; fi' EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$RUN" "$VAR" "$LOGS"
  chmod 700 "$VAR"
  # the cluster's ranges never route off this machine: a packet to a service address no
  # proxy rule catches, or to a pod address while the bridge is down, is dropped here
  blackhole_ranges add
  # record what down restores
  if [[ ! -f "$RUN/sysctls" ]]; then
    for s in "${SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done >"$RUN/sysctls"
  fi
  for t in iptables ip6tables; do
    command -v $t >/dev/null || continue
    for tbl in mangle nat filter; do $t -t $tbl -S 2>/dev/null | sed -n "s/^-N //p" | sed "s/^/$t $tbl /"; done
  done >"$RUN/chains-before" || true

  "$ROOT/cluster/pki.sh" "$PKI" "$KC" "$node" "$ip" "https://127.0.0.1:$API_PORT"
  write_configs "$ip" "$node"

  # etcd: a fresh store each time (the cluster is disposable)
  rm -rf "$VAR/etcd"
  start etcd "$BIN/etcd" --name runbench --data-dir "$VAR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
    --initial-cluster "runbench=http://127.0.0.1:$ETCD_PEER" --log-level warn
  wait_for etcd 60 curl -sf --max-time 2 "http://127.0.0.1:$ETCD_CLIENT/health"

  if [[ "$CONTAINERD_BIN" == containerd ]]; then
    PATH="$CACHE_BIN:$PATH" start containerd containerd --config "$CONF/containerd.toml"
  else
    log "containerd: $CONTAINERD_BIN ($("$CONTAINERD_BIN" --version | awk '{print $3}')), store $CONTAINERD_ROOT"
    PATH="$(dirname "$CONTAINERD_BIN"):$CACHE_BIN:$PATH" start containerd "$CONTAINERD_BIN" --config "$CONF/containerd.toml"
  fi
  wait_for containerd 60 ctr --address "$SOCK" version
  "$ROOT/cluster/images.sh" build "$VAR/images"
  "$ROOT/cluster/images.sh" import "$VAR/images" "$SOCK"
  log "images imported"

  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT" \
    --bind-address 0.0.0.0 --advertise-address "$ip" --secure-port "$API_PORT" \
    --client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range "$SERVICE_RANGE" --authorization-mode Node,RBAC --allow-privileged=true \
    --enable-admission-plugins NodeRestriction --profiling=false --v=1
  wait_for kube-apiserver 180 apiserver_ready

  start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$KC/controller-manager.conf" --authentication-kubeconfig "$KC/controller-manager.conf" \
    --authorization-kubeconfig "$KC/controller-manager.conf" --bind-address 127.0.0.1 \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --use-service-account-credentials=true --leader-elect=false --profiling=false --v=1
  start kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$KC/scheduler.conf" --authentication-kubeconfig "$KC/scheduler.conf" \
    --authorization-kubeconfig "$KC/scheduler.conf" --bind-address 127.0.0.1 --leader-elect=false --profiling=false --v=1
  start kubelet "$BIN/kubelet" --config "$CONF/kubelet.yaml" --kubeconfig "$KC/kubelet.conf" \
    --root-dir "$VAR/kubelet" --hostname-override "$node" --node-ip "$ip" --v=1
  wait_for "node $node Ready" 180 node_ready "$node"
  wait_for "the default service account" 60 kubectl_ -n default get serviceaccount default
  started_ok=1
  trap - INT TERM
  log "up in $((SECONDS - t0))s (start $((SECONDS - tb))s after the build check); KUBECONFIG=$KC/admin.conf"
  cmd_status
}

cmd_status() {
  local c pid up=0
  for c in etcd containerd kube-apiserver kube-controller-manager kube-scheduler kubelet; do
    pid=$(pid_of "$c")
    if alive "$c"; then printf '  %-24s running (pid %s)\n' "$c" "$pid"; up=$((up + 1)); else printf '  %-24s stopped\n' "$c"; fi
  done >&2
  if alive kube-apiserver; then
    kubectl_ get nodes -o wide >&2 || true
    [[ -f "$RUN/handlers" ]] && printf '  handlers: %s\n' "$(cut -f1 "$RUN/handlers" | tr '\n' ' ')" >&2
    [[ -f "$RUN/max-pods" ]] && printf '  %s\n' "$(cat "$RUN/max-pods")" >&2
    printf '  KUBECONFIG=%s\n' "$KC/admin.conf" >&2
  fi
  [[ $up -eq 6 ]]
}

# Network namespaces of our pod sandboxes, read from the sandbox specs in our containerd.
our_netns() {
  [[ -S "$SOCK" ]] || return 0
  local id
  for id in $(ctr --address "$SOCK" -n k8s.io containers ls -q 2>/dev/null); do
    ctr --address "$SOCK" -n k8s.io containers info "$id" 2>/dev/null |
      jq -r '.Spec.linux.namespaces[]? | select(.type=="network") | .path // empty' 2>/dev/null || true
  done | sort -u
}

cmd_down() {
  local purge=${1:-}
  [[ $EUID -eq 0 ]] || die "must run as root"
  # 1. pods first, through the kubelet, so the CRI tears down sandboxes and CNI properly
  if alive kube-apiserver && alive kubelet; then
    log "deleting every pod"
    kubectl_ delete pods --all --all-namespaces --grace-period=1 --wait=false >/dev/null 2>&1 || true
    local deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)); do
      [[ -z "$(kubectl_ get pods -A -o name 2>/dev/null)" ]] && break
      sleep 1
    done
  fi
  local netns
  netns=$(our_netns)
  # 2. whatever the kubelet did not remove: kill tasks, delete containers (their shims exit)
  stop_component kubelet
  if alive containerd; then
    local id
    for id in $(ctr --address "$SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$SOCK" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    done
    sleep 0.5
    for id in $(ctr --address "$SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$SOCK" -n k8s.io tasks delete -f "$id" >/dev/null 2>&1 || true
    done
    for id in $(ctr --address "$SOCK" -n k8s.io containers ls -q 2>/dev/null); do
      ctr --address "$SOCK" -n k8s.io containers delete "$id" >/dev/null 2>&1 || true
    done
  fi
  local c
  for c in "${COMPONENTS[@]}"; do stop_component "$c"; done
  # shims of our containerd outlive it: they carry its socket in their command line
  local p
  for p in $(pgrep -f -- "-address $SOCK" || true); do
    [[ "$p" == "$$" ]] && continue
    if kill -KILL "$p" 2>/dev/null; then log "killed leftover shim $p"; fi
  done
  sleep 0.3
  # 3. mounts under our directories, deepest first
  local m
  for m in $(findmnt -rn -o TARGET | grep -E "^($VAR|$RUN)(/|$)" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done
  # 4. network: our sandboxes' namespaces, veths on our bridge, the bridge
  for n in $netns; do
    [[ -e "$n" ]] || continue
    umount "$n" 2>/dev/null || umount -l "$n" 2>/dev/null || true
    rm -f "$n"
    log "removed netns $n"
  done
  for v in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link del "$v" 2>/dev/null || true
  done
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link del "$BRIDGE" || true
    log "removed bridge $BRIDGE"
  fi
  blackhole_ranges del
  # 5. the kubelet's cgroups, in every hierarchy, deepest first
  local d
  for d in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name kubepods 2>/dev/null); do
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    if [[ -d "$d" ]]; then log "cgroup $d still has processes"; fi
  done
  # 6. iptables chains the kubelet made that did not exist before up
  if [[ -f "$RUN/chains-before" ]]; then
    for t in iptables ip6tables; do
      command -v $t >/dev/null || continue
      for tbl in mangle nat filter; do
        for chain in $($t -t $tbl -S 2>/dev/null | sed -n 's/^-N \(KUBE-[A-Z-]*\)$/\1/p'); do
          if grep -qx "$t $tbl $chain" "$RUN/chains-before"; then continue; fi
          # rules jumping to it first (none expected), then the chain
          { $t -t $tbl -S 2>/dev/null | grep -- "-j $chain\b" || true; } | sed 's/^-A/-D/' | while read -r rule; do eval "$t -t $tbl $rule" || true; done
          $t -t $tbl -F "$chain" 2>/dev/null || true
          if $t -t $tbl -X "$chain" 2>/dev/null; then log "removed $t $tbl chain $chain"; fi
        done
      done
    done
  fi
  # 7. sysctls back to what they were
  if [[ -f "$RUN/sysctls" ]]; then
    while IFS='=' read -r k v; do
      if [[ "$(sysctl -n "$k")" != "$v" ]]; then sysctl -qw "$k=$v" || true; log "restored $k=$v"; fi
    done <"$RUN/sysctls"
  fi
  # 8. disposable state; keep certificates, images and containerd's content store unless --purge
  rm -rf "$VAR/etcd" "$VAR/kubelet" "$VAR/pod-logs" "$VAR/cni/ipam" "$RUN"
  if [[ "$purge" == --purge ]]; then rm -rf "$VAR"; log "purged $VAR"; fi
  log "down"
}

# Anything of the cluster still on the host; exit 1 when something is.
cmd_leftovers() {
  local found=0 x
  report() { printf '  %s\n' "$*" >&2; found=1; }
  for x in $(pgrep -f -- "$VAR|$RUN|$BIN" || true); do [[ "$x" != "$$" ]] && report "process $x: $(tr '\0' ' ' </proc/$x/cmdline 2>/dev/null | cut -c1-120)"; done
  for x in $(findmnt -rn -o TARGET | grep -E "^($VAR|$RUN)(/|$)" || true); do report "mount $x"; done
  ip link show "$BRIDGE" >/dev/null 2>&1 && report "bridge $BRIDGE"
  for x in $(ip route show type blackhole | awk '/metric 4242/ {print $2}'); do report "blackhole route $x"; done
  for x in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}'); do report "veth $x"; done
  for x in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name kubepods 2>/dev/null); do report "cgroup $x"; done
  for t in iptables ip6tables; do
    command -v $t >/dev/null || continue
    for tbl in mangle nat filter; do for x in $($t -t $tbl -S 2>/dev/null | sed -n 's/^-N \(KUBE-[A-Z-]*\)$/\1/p'); do report "$t $tbl chain $x"; done; done
  done
  [[ -d "$RUN" ]] && report "directory $RUN"
  [[ $found -eq 0 ]] && log "nothing of the cluster left on this host"
  return $found
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down "${2:-}" ;;
  status) cmd_status ;;
  env) echo "export KUBECONFIG=$KC/admin.conf" ;;
  leftovers) cmd_leftovers ;;
  handlers) check_extra_handlers; choose_default_runtime; handlers ;;
  pods) choose_max_pods; printf 'maxPods %s, pod range %s\n' "$MAX_PODS" "$POD_SUBNET" ;;
  *) die "usage: scripts/cluster.sh up|down [--purge]|status|env|leftovers|handlers|pods" ;;
esac
