# shellcheck shell=bash
# The engines tier of scripts/setup.sh, sourced by it: crun rebuilt from Debian 13's
# source package with several Wasm handlers in one binary, so that the
# `run.oci.handler` annotation alone picks the engine (runtimes crun-engines,
# crun-engines/wasmtime, crun-engines/wasmer, crun-engines/wasmedge-aot).
#
#   source  Debian 13's crun_<v>.orig.tar.gz, found through a deb-src index of
#           Debian 13 in an apt state of its own and checked against the index's
#           SHA-256 (the mirror here serves the orig tarball but not Debian's
#           debian/ tarball, so Debian's own patches are not applied: 1.21-1 has
#           none that touch the handlers)
#   build   in a copy of the debian13 tier's root whose files are hard links
#           (dpkg replaces files by renaming, so the root crun-wasmedge runs from
#           is not changed), with crun's build dependencies installed there:
#           ./configure --with-wasmedge --with-wasmtime [--with-wasmer], make -j2
#   handlers  WasmEdge: Debian 13's libwasmedge0 in the root (as crun-wasmedge);
#           wasmtime: libwasmtime 26.0.1 from setup.sh's wasmtime-c-api step (crun
#           1.21 calls wasi_config_preopen_dir with three arguments, like 1.8.1);
#           wasmer: libwasmer 7.4.2 from build_wasmer_capi below (scripts/lib/wasmer-c-api:
#           the crates.io crate wasmer-c-api, 517 crates, Rust >= 1.95), installed in
#           $CACHE/wasmer-c-api-<v>/{lib,include}; when that build failed, crun is built
#           without the wasmer handler and status/crun-engines_wasmer.failed gives the reason
#   result  $CACHE/crun-engines-<crun v>-<key>/bin/crun (named crun, so that no
#           handler is global), patched like crun-wasmedge to load glibc and its
#           libraries from the debian13 root, with lib/ (libwasmtime.so, and
#           libwasmer.so when built) in its DT_RPATH, where crun's dlopen finds
#           them; recorded in $CACHE/engines.env as CRUN_ENGINES, with the
#           engines' versions (CRUN_ENGINES_WASMTIME, CRUN_ENGINES_WASMER)
#
# Status names: wasmer-c-api (libwasmer), crun-engines (the binary), crun-engines_wasmer (its
# wasmer handler).
# Expects from setup.sh: CACHE LOG_DIR STATUS_DIR FORCE NICE JOBS CAPI_DIR
# WASMTIME_CAPI_VERSION, log, ok, fail, last_error, record_engine, cargo_at_least; and the debian13
# tier's D13_DIR, D13_ROOT_OK, D13_TRIPLET, d13_remove, d13_umount_below.

CE_LOG=$LOG_DIR/crun-engines.log
CE_SRC_APT=$CACHE/src/debian13-sources-apt  # not debian13-*: the debian13 tier removes those it did not make
CE_WASMER_DIR=$CACHE/wasmer-c-api-$WASMER_CAPI_VERSION
CE_WASMER_SRC=$SCRIPT_DIR/lib/wasmer-c-api
CE_BUILD_PACKAGES=(gcc libc6-dev make pkgconf gperf python3 libcap-dev libseccomp-dev libsystemd-dev libyajl-dev libwasmedge-dev libcriu-dev)

ce_src_apt() {
  local o=(-o "Dir::State::Lists=$CE_SRC_APT/lists" -o "Dir::State::status=$CE_SRC_APT/status"
    -o "Dir::Etc::SourceList=$CE_SRC_APT/sources.list" -o "Dir::Etc::SourceParts=$CE_SRC_APT/sources.list.d"
    -o "Dir::Cache=$CE_SRC_APT/cache" -o Acquire::Languages=none)
  "$1" "${o[@]}" "${@:2}"
}

# ce_source: sets CE_VERSION and CE_TARBALL (the orig tarball, checked).
ce_source() {
  mkdir -p "$CE_SRC_APT/lists/partial" "$CE_SRC_APT/cache/archives/partial" "$CE_SRC_APT/sources.list.d" "$CACHE/src"
  touch "$CE_SRC_APT/status"
  printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' "$(d13_mirror)" "${DEBIAN13_SUITE:-trixie}" >"$CE_SRC_APT/sources.list"
  if [ -z "$(find "$CE_SRC_APT/updated" -mmin -1440 2>/dev/null)" ] || [ "$FORCE" = 1 ]; then
    ce_src_apt apt-get -q update >>"$CE_LOG" 2>&1 && touch "$CE_SRC_APT/updated" || ls "$CE_SRC_APT"/lists/*Sources* >/dev/null 2>&1 || return 1
  fi
  local uri sha line
  CE_VERSION=$(ce_src_apt apt-cache showsrc crun 2>>"$CE_LOG" | awk '/^Version:/ { print $2; exit }')
  [ -n "$CE_VERSION" ] || { log "no crun in Debian 13's source index"; return 1; }
  line=$(ce_src_apt apt-get source --print-uris "crun=$CE_VERSION" 2>>"$CE_LOG" | grep "orig\.tar\.[a-z0-9]*' ")
  uri=$(awk '{ gsub("\047", "", $1); print $1 }' <<<"$line")
  sha=$(awk '{ sub("SHA256:", "", $4); print $4 }' <<<"$line")
  CE_TARBALL=$CACHE/src/$(awk '{ print $2 }' <<<"$line")
  [ -n "$uri" ] && [ -n "$sha" ] || { log "no orig tarball for crun $CE_VERSION in the index"; return 1; }
  if [ "$(sha256sum "$CE_TARBALL" 2>/dev/null | cut -d' ' -f1)" != "$sha" ]; then
    log "fetching $uri"
    /usr/lib/apt/apt-helper download-file "$uri" "$CE_TARBALL.tmp" "SHA256:$sha" >>"$CE_LOG" 2>&1 || { log "cannot fetch $uri"; return 1; }
    mv "$CE_TARBALL.tmp" "$CE_TARBALL"
  fi
  log "crun $CE_VERSION: $CE_TARBALL (SHA-256 as the index says)"
}

# ce_build_root: a hard-linked copy of the debian13 root with crun's build dependencies.
ce_build_root() {
  local broot=$D13_DIR/build-root
  if [ -f "$broot/.runbench-build-deps" ] && [ "$FORCE" = 0 ]; then log "cached: $broot"; CE_BROOT=$broot; return 0; fi
  d13_remove "$broot" || return 1
  cp -al "$D13_DIR/root" "$broot" || return 1
  local in_root=(chroot "$broot" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8)
  log "installing crun's build dependencies in $broot (log: $CE_LOG)"
  if ! { "${in_root[@]}" apt-get -q -o Acquire::Languages=none update &&
    "${NICE[@]}" "${in_root[@]}" apt-get install -y -q --no-install-recommends "${CE_BUILD_PACKAGES[@]}" &&
    "${in_root[@]}" apt-get clean; } >>"$CE_LOG" 2>&1; then
    d13_umount_below "$broot"
    return 1
  fi
  d13_umount_below "$broot"
  touch "$broot/.runbench-build-deps"
  CE_BROOT=$broot
}

# build_wasmer_capi: libwasmer.so and wasmer.h (with the wasm.h it includes) in $CE_WASMER_DIR.
build_wasmer_capi() {
  local name=wasmer-c-api logf=$LOG_DIR/wasmer-c-api.log want out crate
  if [ "$FORCE" = 0 ] && [ -f "$CE_WASMER_DIR/lib/libwasmer.so" ] && [ -f "$CE_WASMER_DIR/include/wasmer.h" ]; then
    log "cached: $CE_WASMER_DIR"
    record_engine WASMER_CAPI "$WASMER_CAPI_VERSION"
    ok $name
    return 0
  fi
  cargo_at_least "$WASMER_RUST_MIN_VERSION" || { fail $name "wasmer-c-api $WASMER_CAPI_VERSION needs Rust >= $WASMER_RUST_MIN_VERSION: no such rustc, and no rustup to install it"; return 1; }
  want=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$CE_WASMER_SRC/Cargo.toml" | head -n 1)
  [ "$want" = "$WASMER_CAPI_VERSION" ] || { fail $name "scripts/lib/wasmer-c-api is $want but versions.env says $WASMER_CAPI_VERSION"; return 1; }
  # the crate's build script asserts that the target directory is named `target` (or the target
  # triple): it builds through a link of that name to the shared target directory, whose crates
  # it reuses (cargo does not resolve the link: fingerprints and the artifact lock stay the same)
  local link=$CACHE/wasmer-c-api-build
  mkdir -p "$link" && ln -sfn "$CARGO_TARGET_DIR" "$link/target" || { fail $name "cannot make $link/target"; return 1; }
  log "building wasmer-c-api $WASMER_CAPI_VERSION with ${CARGO_CMD[*]} (log: $logf)"
  if ! CARGO_TARGET_DIR=$link/target "${NICE[@]}" "${CARGO_CMD[@]}" build --release --locked -j "$JOBS" \
      --manifest-path "$CE_WASMER_SRC/Cargo.toml" >"$logf" 2>&1; then
    fail $name "cargo build wasmer-c-api $WASMER_CAPI_VERSION failed: $(last_error "$logf")"
    return 1
  fi
  # the crate's build script writes wasmer.h into its OUT_DIR; wasm.h sits in its source
  out=$(ls -t "$CARGO_TARGET_DIR"/release/build/wasmer-c-api-*/out/wasmer.h 2>/dev/null | head -n 1)
  crate=$("${CARGO_CMD[@]}" metadata --format-version 1 --locked --manifest-path "$CE_WASMER_SRC/Cargo.toml" 2>>"$logf" |
    python3 -c 'import json,sys; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "wasmer-c-api"))' 2>>"$logf")
  rm -rf "$CE_WASMER_DIR.tmp" && mkdir -p "$CE_WASMER_DIR.tmp/lib" "$CE_WASMER_DIR.tmp/include"
  if [ -z "$out" ] || [ -z "$crate" ] ||
    ! cp "$out" "$(dirname "$crate")/wasm.h" "$CE_WASMER_DIR.tmp/include/" 2>>"$logf" ||
    ! cp "$CARGO_TARGET_DIR/release/librunbench_wasmer.so" "$CE_WASMER_DIR.tmp/lib/libwasmer.so" 2>>"$logf"; then
    fail $name "build finished but librunbench_wasmer.so, wasmer.h or wasm.h is missing"
    return 1
  fi
  rm -rf "$CE_WASMER_DIR" && mv "$CE_WASMER_DIR.tmp" "$CE_WASMER_DIR"
  log "libwasmer: $(du -h "$CE_WASMER_DIR/lib/libwasmer.so" | cut -f1)"
  record_engine WASMER_CAPI "$WASMER_CAPI_VERSION"
  ok $name
}

build_crun_engines() {
  local name=crun-engines
  : >"$CE_LOG"
  [ "$D13_ROOT_OK" = 1 ] || { fail $name "needs the debian13 tier's root, which is missing (see status/crun-wasmedge.failed)"; return 1; }
  [ -f "$CAPI_DIR/lib/libwasmtime.so" ] && [ -f "$CAPI_DIR/include/wasmtime.h" ] ||
    { fail $name "needs libwasmtime from the wasmtime-c-api step, which is missing (see status/wasmtime-c-api.failed)"; return 1; }
  ce_source || { fail $name "cannot get crun's source from Debian 13: $(last_error "$CE_LOG")"; return 1; }
  local with_wasmer=0 handlers=wasmedge,wasmtime
  [ -f "$CE_WASMER_DIR/lib/libwasmer.so" ] && [ -f "$CE_WASMER_DIR/include/wasmer.h" ] && with_wasmer=1 && handlers+=,wasmer
  [ $with_wasmer = 0 ] || key_wasmer=$(sha256sum "$CE_WASMER_DIR/lib/libwasmer.so")
  local key dir bin key_wasmer=
  key=$(printf '%s\n' "$CE_VERSION" "$(sha256sum "$CE_TARBALL")" "$(sha256sum "$CAPI_DIR/lib/libwasmtime.so")" "$handlers" "${key_wasmer:-}" \
    "$(cat "$D13_DIR/versions.txt")" "$(sha256sum "${BASH_SOURCE[0]}")" | sha256sum | cut -c1-12)
  dir=$CACHE/crun-engines-${CE_VERSION%%-*}-$key
  bin=$dir/bin/crun
  if [ "$FORCE" = 0 ] && [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q '+WASM:wasmtime'; then
    log "cached: $bin"
  else
    ce_build_root || { fail $name "installing crun's build dependencies in a copy of the Debian 13 root failed: $(last_error "$CE_LOG")"; return 1; }
    local src=$CE_BROOT/build/crun
    rm -rf "$CE_BROOT/build" && mkdir -p "$src" "$CE_BROOT/build/wasmtime" "$CE_BROOT/build/wasmer"
    tar -xf "$CE_TARBALL" -C "$src" --strip-components=1 || { fail $name "cannot unpack $CE_TARBALL"; return 1; }
    cp -a "$CAPI_DIR/include" "$CE_BROOT/build/wasmtime/"
    local flags="--with-wasmedge --with-wasmtime" inc="-I/build/wasmtime/include"
    if [ $with_wasmer = 1 ]; then
      cp -a "$CE_WASMER_DIR/include" "$CE_BROOT/build/wasmer/"
      flags+=" --with-wasmer" inc+=" -I/build/wasmer/include"
    fi
    log "building crun $CE_VERSION with $handlers in $CE_BROOT (log: $CE_LOG)"
    if ! "${NICE[@]}" chroot "$CE_BROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
        sh -c "cd /build/crun && ./configure $flags --disable-dependency-tracking CFLAGS='-O2 -g $inc' && make -j$JOBS" >>"$CE_LOG" 2>&1; then
      fail $name "building crun $CE_VERSION with $handlers failed: $(last_error "$CE_LOG")"
      return 1
    fi
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/bin" "$dir.tmp/lib"
    cp "$CAPI_DIR/lib/libwasmtime.so" "$dir.tmp/lib/"
    [ $with_wasmer = 1 ] && cp "$CE_WASMER_DIR/lib/libwasmer.so" "$dir.tmp/lib/"
    # the Debian 13 root's loader and libraries (as crun-wasmedge), then lib/ for the engines crun dlopen()s
    local root=$D13_DIR/root interp
    interp=$(patchelf --print-interpreter "$src/crun") &&
      cp "$src/crun" "$dir.tmp/bin/crun" &&
      patchelf --set-interpreter "$root$interp" --force-rpath \
        --set-rpath "$root/usr/lib/$D13_TRIPLET:$root/usr/lib:$dir/lib" "$dir.tmp/bin/crun" >>"$CE_LOG" 2>&1 ||
      { fail $name "patchelf of the new crun failed: $(last_error "$CE_LOG")"; return 1; }
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
    local old
    for old in "$CACHE"/crun-engines-*; do [ "$old" = "$dir" ] || [ ! -d "$old" ] || rm -rf "$old"; done
  fi
  local v
  v=$("$bin" --version 2>&1)
  printf '%s\n' "$v" | sed 's/^/    /'
  grep -q '+WASM:wasmedge' <<<"$v" && grep -q '+WASM:wasmtime' <<<"$v" ||
    { fail $name "$bin --version does not list +WASM:wasmedge and +WASM:wasmtime"; return 1; }
  record_engine CRUN_ENGINES "$bin"
  record_engine CRUN_ENGINES_WASMTIME "$WASMTIME_CAPI_VERSION"
  ok $name
  rm -f "$STATUS_DIR/crun-engines_wasmer.missing"
  if grep -q '+WASM:wasmer' <<<"$v"; then
    record_engine CRUN_ENGINES_WASMER "$WASMER_CAPI_VERSION"
    ok crun-engines_wasmer
  else
    # not a failure of the binary: its other handlers work; the runtime crun-engines/wasmer is broken
    printf '%s\n' "crun-engines was built without its wasmer handler: no libwasmer in $CE_WASMER_DIR ($(cat "$STATUS_DIR/wasmer-c-api.failed" 2>/dev/null || echo 'the wasmer-c-api step did not run'))" \
      >"$STATUS_DIR/crun-engines_wasmer.failed"
  fi
}
