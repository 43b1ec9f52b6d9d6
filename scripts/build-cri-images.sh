#!/usr/bin/env bash
# scripts/build-cri-images.sh: the images critest asks for, built here without a registry or
# Docker, as one OCI image layout that runbench serves from a read-only registry of its own
# while critest runs (runners/cri/registry.ts); the CRI's pulls of registry.k8s.io, gcr.io and
# docker.io go there (hosts.toml), never to the network.
#
#   build/cri-images/layout/   index.json names every image by its full reference
#   build/cri-images/images.txt  the references, one a line
#
# They are stand-ins: each is Debian's static busybox (busybox-static) with what critest's
# own Dockerfiles (cri-tools images/) add to busybox 1.37.0:
#   registry.k8s.io/e2e-test-images/busybox:1.29-2   busybox, /etc/passwd and /etc/group
#   registry.k8s.io/e2e-test-images/nginx:1.14-2     busybox httpd serving a page on :80
#   registry.k8s.io/e2e-test-images/httpd:2.4.39-4   the same, saying "httpd" in its log
#   registry.k8s.io/e2e-test-images/nonewprivs:1.3   a set-uid-root program printing its euid
#   gcr.io/k8s-staging-cri-tools/hostnet-nginx-<arch>  the same on :12003
#   gcr.io/k8s-staging-cri-tools/test-image-{1,2,3,latest}:latest, test-image-tag:{test,all},
#     test-image-tags:{1,2,3} (one image), each with a file named after it
#   gcr.io/k8s-staging-cri-tools/test-image-user-{uid,username,uid-group,username-group}
#     with USER 1002, www-data, 1003:1004, www-data:1004
#   gcr.io/k8s-staging-cri-tools/test-image-predefined-group: USER 1000, in group 50000
#   docker.io/runbench/pause:1.0    the pod sandbox (cluster/pause/pause.c)
# critest's test-image-digest is asked for by the digest of gcr.io's own manifest, which no
# local build can reproduce: that one spec fails here, and the README says why.
#
# Deterministic (scripts/lib/oci-layout.sh): a digest changes only when the content does.
# Usage: scripts/build-cri-images.sh [--force]
# Needs: busybox-static, gcc (static), jq, tar, gzip.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/build/cri-images
# shellcheck source=lib/oci-layout.sh
. "$ROOT/scripts/lib/oci-layout.sh"
BUSYBOX=${RUNBENCH_BUSYBOX:-/bin/busybox}
PAUSE_SRC=$ROOT/cluster/pause/pause.c
STAGING=gcr.io/k8s-staging-cri-tools
E2E=registry.k8s.io/e2e-test-images
PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { printf 'build-cri-images: %s\n' "$*" >&2; exit 1; }
log() { printf '%s\n' "$*"; }

force=0
while [ $# -gt 0 ]; do
  case $1 in
    --force) force=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

for t in jq gcc tar gzip; do command -v $t >/dev/null || die "$t not found"; done
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (apt-get install busybox-static)"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || die "$BUSYBOX is not statically linked (busybox-static)"
case "$(uname -m)" in x86_64) ARCH=amd64 ;; aarch64) ARCH=arm64 ;; *) die "unsupported arch $(uname -m)" ;; esac

key=$( { sha256 "$0"; sha256 "$OCI_LAYOUT_LIB"; sha256 "$BUSYBOX"; sha256 "$PAUSE_SRC"; } | sha256sum | cut -d' ' -f1)
if [ $force -eq 0 ] && [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$key" ] && [ -f "$OUT/layout/index.json" ]; then
  log "cri images: up to date ($(wc -l <"$OUT/images.txt") references in $OUT/layout)"
  exit 0
fi

mkdir -p "$OUT"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
new_layout "$OUT/layout.tmp"
REFS=()

# layer DIR -> sets LAYER_DESC/LAYER_DIFFID (a layer of DIR's contents)
layer() { layer_from_dir "$1"; }

# image NAME TAG CONFIG_JSON LAYER_DESC... (diff ids in DIFFS): a manifest and its ref
image() {
  local name=$1 tag=$2 cfg=$3 cdesc mdesc
  shift 3
  cdesc=$(put_json "$cfg" "$MT_CONFIG")
  mdesc=$(put_json "$(printf '%s\n' "$@" | jq -cs --arg mt "$MT_MANIFEST" --argjson c "$cdesc" \
    '{schemaVersion: 2, mediaType: $mt, config: $c, layers: .}')" "$MT_MANIFEST")
  mdesc=$(jq -c --argjson p "$(platform_of "$ARCH")" '. + {platform: $p}' <<<"$mdesc")
  REFS+=("$(jq -c --arg n "$name:$tag" '. + {annotations: {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": $n}}' <<<"$mdesc")")
}

# config DIFF_IDS_JSON [jq filter on .config] -> an image config
config() {
  jq -cn --arg a "$ARCH" --argjson d "$1" --arg t "$EPOCH_ISO" --arg env "$PATH_ENV" \
    "{created: \$t, architecture: \$a, os: \"linux\",
      config: ({Env: [\$env], Cmd: [\"sh\"], WorkingDir: \"/\"} | ${2:-.}),
      rootfs: {type: \"layers\", diff_ids: \$d},
      history: [{created: \$t, created_by: \"scripts/build-cri-images.sh\"}]}"
}

# --- busybox: the base of every test image -------------------------------------------
base=$STAGE/busybox
mkdir -p "$base"/{bin,etc,tmp,root,var/www,home,proc,sys,dev}
chmod 1777 "$base/tmp"
install -m 0755 "$BUSYBOX" "$base/bin/busybox"
# hard links, as in busybox's own image: critest masks /bin/ls, which must not mask the shell
for a in $("$BUSYBOX" --list); do [ "$a" = busybox ] || ln "$base/bin/busybox" "$base/bin/$a"; done
# Debian's busybox has no ipcs applet; critest's IPC checks run `ipcs -m` and look for a
# segment id: the kernel's own table says the same.
cat >"$base/bin/ipcs" <<'EOF'
#!/bin/sh
# ipcs -m from /proc/sysvipc/shm (runbench: Debian's busybox has no ipcs applet)
echo "------ Shared Memory Segments --------"
echo "key        shmid      owner      perms      bytes      nattch"
tail -n +2 /proc/sysvipc/shm | while read -r key shmid perms size cpid lpid nattch uid rest; do
  printf '0x%08x %-10s %-10s %-10s %-10s %s\n' "$key" "$shmid" "$uid" "$perms" "$size" "$nattch"
done
EOF
chmod 0755 "$base/bin/ipcs"
# nor pgrep (critest runs `pgrep sleep`): pidof finds the same processes by name
printf '#!/bin/sh\n# pgrep NAME from pidof (runbench: Debian'"'"'s busybox has no pgrep applet)\npids=$(pidof "$1") || exit 1\nfor p in $pids; do echo "$p"; done\n' >"$base/bin/pgrep"
chmod 0755 "$base/bin/pgrep"
cat >"$base/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
cat >"$base/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
www-data:x:33:
nogroup:x:65534:
EOF
layer "$base"
BASE_LAYER=$LAYER_DESC BASE_DIFF=$LAYER_DIFFID

# extra FILE_PATH CONTENT -> LAYER_DESC/LAYER_DIFFID of a layer holding that one file
extra() {
  local d=$STAGE/extra
  rm -rf "$d" && mkdir -p "$d/$(dirname "$1")"
  printf '%s' "$2" >"$d/$1"
  layer "$d"
}

image "$E2E/busybox" 1.29-2 "$(config "[\"$BASE_DIFF\"]")" "$BASE_LAYER"

# --- web servers: busybox httpd in place of nginx ---------------------------------------
# critest reads nginx's pid file, looks the server up with `pidof nginx` and waits for
# "master process" in /proc/1/cmdline: the stand-in is a script named nginx (its process keeps
# that name), given "master process" as its argument, that writes the pid file and runs httpd.
d=$STAGE/nginx && mkdir -p "$d/usr/share/nginx/html" "$d/usr/sbin" "$d/var/run"
printf '<html><body>runbench stand-in for nginx: busybox httpd</body></html>\n' >"$d/usr/share/nginx/html/index.html"
cat >"$d/usr/sbin/nginx" <<'NGINX'
#!/bin/sh
# runbench's stand-in for nginx in critest's tests: busybox httpd on $NGINX_PORT (default 80)
echo $$ >/var/run/nginx.pid
httpd -f -p "${NGINX_PORT:-80}" -h /usr/share/nginx/html &
child=$!
trap 'kill $child 2>/dev/null; exit 0' TERM INT
wait $child
NGINX
chmod 0755 "$d/usr/sbin/nginx"
layer "$d"
image "$E2E/nginx" 1.14-2 "$(config "[\"$BASE_DIFF\",\"$LAYER_DIFFID\"]" '. + {Cmd: ["nginx", "master process"], ExposedPorts: {"80/tcp": {}}}')" "$BASE_LAYER" "$LAYER_DESC"
image "$STAGING/hostnet-nginx-$ARCH" latest "$(config "[\"$BASE_DIFF\",\"$LAYER_DIFFID\"]" '. + {Cmd: ["nginx", "master process"], Env: (.Env + ["NGINX_PORT=12003"]), ExposedPorts: {"12003/tcp": {}}}')" "$BASE_LAYER" "$LAYER_DESC"

# httpd (multi-container checks): a page on :80, and "httpd" in its log as Apache's start-up says
d=$STAGE/httpd && mkdir -p "$d/usr/local/apache2/htdocs" "$d/usr/local/bin"
printf '<html><body>It works! (runbench stand-in for httpd: busybox httpd)</body></html>\n' >"$d/usr/local/apache2/htdocs/index.html"
cat >"$d/usr/local/bin/httpd-foreground" <<'HTTPD'
#!/bin/sh
# runbench's stand-in for Apache httpd in critest's tests: busybox httpd on :80
echo "httpd (runbench stand-in: busybox httpd) serving /usr/local/apache2/htdocs on :80" >&2
httpd -f -p 80 -h /usr/local/apache2/htdocs &
child=$!
trap 'kill $child 2>/dev/null; exit 0' TERM INT
wait $child
HTTPD
chmod 0755 "$d/usr/local/bin/httpd-foreground"
layer "$d"
image "$E2E/httpd" 2.4.39-4 "$(config "[\"$BASE_DIFF\",\"$LAYER_DIFFID\"]" '. + {Cmd: ["httpd-foreground"], ExposedPorts: {"80/tcp": {}}}')" "$BASE_LAYER" "$LAYER_DESC"

# nonewprivs (no-new-privileges checks): a set-uid-root program printing its effective uid, as
# Kubernetes' test/images/nonewprivs does
d=$STAGE/nnp && mkdir -p "$d/usr/local/bin"
printf '#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf("Effective uid: %%d\\n", geteuid()); return 0; }\n' >"$STAGE/nnp.c"
gcc -O2 -static -s -o "$d/usr/local/bin/nnp" "$STAGE/nnp.c"
chmod 4755 "$d/usr/local/bin/nnp"
layer "$d"
image "$E2E/nonewprivs" 1.3 "$(config "[\"$BASE_DIFF\",\"$LAYER_DIFFID\"]" '. + {Entrypoint: ["/usr/local/bin/nnp"], Cmd: null}')" "$BASE_LAYER" "$LAYER_DESC"

# --- image tests: a file named after the image (cri-tools images/image-test) -----------------
for t in test-image-1 test-image-2 test-image-3 test-image-latest; do
  extra "$t" ''
  image "$STAGING/$t" latest "$(config "[\"$BASE_DIFF\",\"$LAYER_DIFFID\"]")" "$BASE_LAYER" "$LAYER_DESC"
done
for t in test all; do
  extra "$t" ''
  image "$STAGING/test-image-tag" "$t" "$(config "[\"$BASE_DIFF\",\"$LAYER_DIFFID\"]")" "$BASE_LAYER" "$LAYER_DESC"
done
extra same-image ''
cfg=$(config "[\"$BASE_DIFF\",\"$LAYER_DIFFID\"]")
for t in 1 2 3; do image "$STAGING/test-image-tags" "$t" "$cfg" "$BASE_LAYER" "$LAYER_DESC"; done

# --- users (cri-tools images/image-user, images/image-predefined-group) ----------------------
for u in user-uid=1002 user-username=www-data user-uid-group=1003:1004 user-username-group=www-data:1004; do
  image "$STAGING/test-image-${u%%=*}" latest "$(config "[\"$BASE_DIFF\"]" ". + {User: \"${u#*=}\"}")" "$BASE_LAYER"
done
d=$STAGE/group && mkdir -p "$d/etc" "$d/home/default-user"
{ cat "$base/etc/passwd"; echo 'default-user:x:1000:1000:Linux User,,,:/home/default-user:/bin/sh'; } >"$d/etc/passwd"
{ cat "$base/etc/group"; echo 'default-user:x:1000:'; echo 'group-defined-in-image:x:50000:default-user'; } >"$d/etc/group"
layer "$d"
image "$STAGING/test-image-predefined-group" latest "$(config "[\"$BASE_DIFF\",\"$LAYER_DIFFID\"]" '. + {User: "1000"}')" "$BASE_LAYER" "$LAYER_DESC"

# --- the pod sandbox ------------------------------------------------------------------
d=$STAGE/pause && mkdir -p "$d"
gcc -O2 -static -s -o "$d/pause" "$PAUSE_SRC"
layer "$d"
image docker.io/runbench/pause 1.0 "$(config "[\"$LAYER_DIFFID\"]" '{Entrypoint: ["/pause"], Env: .Env, User: "65535:65535"}')" "$LAYER_DESC"

write_index "${REFS[@]}"
rm -rf "$OUT/layout" && mv "$LAYOUT" "$OUT/layout"
jq -r '.manifests[].annotations["org.opencontainers.image.ref.name"]' "$OUT/layout/index.json" >"$OUT/images.txt"
printf '%s\n' "$key" >"$OUT/.stamp"
log "cri images: $(wc -l <"$OUT/images.txt") references, $(du -sh "$OUT/layout" | cut -f1) in $OUT/layout"
