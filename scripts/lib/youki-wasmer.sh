# shellcheck shell=bash
# The wasmer tier's youki, sourced by scripts/setup.sh: youki built a second time from the same
# crate and lock as the youki tier's, with its wasmer executor in place of wasmtime (runtime
# youki-wasmer), so that youki+wasmtime and youki+wasmer differ in the engine only.
#
#   source  youki $YOUKI_VERSION's crate as cargo unpacks it (~/.cargo/registry/src; fetched
#           through a throwaway manifest when the youki tier has not run), copied and patched
#           with youki-wasmer.patch beside this file. As published, youki 0.7.0's wasmer
#           executor cannot run a module: wasmer-wasix 0.700.1 panics outside a Tokio runtime
#           ("there is no reactor running", virtual-fs host_fs.rs) and refuses a WasiEnv with
#           neither runtime nor engine (youki-dev/youki#3672, fixed after 0.7.0). The patch
#           enters a Tokio runtime and gives the WasiEnv the module's engine; it adds tokio,
#           already in the lock at the features wasmer-wasix enables, to youki's dependencies
#           (one line of Cargo.lock). The wasmtime executor and the native path are untouched.
#   build   cargo install --path <patched copy> --locked --no-default-features --features
#           $YOUKI_WASMER_FEATURES (scripts/versions.env): youki 0.7.0's own Cargo.lock, which
#           pins wasmer 7.0.1 and wasmer-wasix 0.700.1 (wasmer-wasix pins wasmer =7.0.1, so the
#           lock cannot be moved to the wasmer C API's 7.4.2). wasmer with youki's features
#           `sys` and `singlepass` and its default `cranelift`: Store::default() compiles with
#           Cranelift when the module loads. The executors are not built together: youki's
#           DefaultExecutor tries wasmer first, so a binary with both never runs wasmtime.
#   where   its own install root $CACHE/youki-wasmer-<v>/ (the youki tier's binary is not
#           touched), the shared CARGO_TARGET_DIR (youki's other crates are reused); the binary
#           is renamed youki-wasmer (youki never reads its program name: pentacle re-executes
#           it from a sealed copy with the same argv[0], and its commands do not look at it),
#           keyed by version, features and patch (.key beside bin/), linked into $CACHE/bin
#   records status/youki-wasmer.wasm ("wasmer", youki's --version lists no executor),
#           YOUKI_WASMER=<wasmer version in youki's lock> in $CACHE/engines.env; a failure
#           writes status/youki-wasmer.failed
#
# Expects from setup.sh: CACHE LOG_DIR STATUS_DIR SCRIPT_DIR FORCE NICE JOBS YOUKI_VERSION
# YOUKI_WASMER_FEATURES YOUKI_BUILD_PACKAGES RUST_MIN_VERSION, log, ok, fail, last_error,
# expose, have_cargo, apt_install, record_engine, record_youki_wasm, youki_locked_version.

YW_DIR=$CACHE/youki-wasmer-$YOUKI_VERSION
YW_PATCH=$SCRIPT_DIR/lib/youki-wasmer.patch
YW_LOG=$LOG_DIR/youki-wasmer.log

# yw_crate: the directory cargo unpacked youki's crate into, fetching it when it is not there.
yw_crate() {
  local d m=$CACHE/src/youki-fetch
  d=$(ls -d "$HOME"/.cargo/registry/src/*/youki-"$YOUKI_VERSION" 2>/dev/null | head -n 1)
  if [ -z "$d" ]; then
    mkdir -p "$m/src" && : >"$m/src/lib.rs" &&
      printf '[package]\nname = "youki-fetch"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\nyouki = "=%s"\n' "$YOUKI_VERSION" >"$m/Cargo.toml" &&
      cargo fetch --manifest-path "$m/Cargo.toml" >>"$YW_LOG" 2>&1 || return 1
    d=$(ls -d "$HOME"/.cargo/registry/src/*/youki-"$YOUKI_VERSION" 2>/dev/null | head -n 1)
  fi
  [ -n "$d" ] && printf '%s\n' "$d"
}

build_youki_wasmer() {
  local name=youki-wasmer logf=$YW_LOG bin=$YW_DIR/bin/youki-wasmer key
  key="$YOUKI_WASMER_FEATURES $(sha256sum <"$YW_PATCH" | cut -c1-12)"
  if [ "$FORCE" = 0 ] && [ -x "$bin" ] && [ "$(cat "$YW_DIR/.key" 2>/dev/null)" = "$key" ]; then
    log "cached: $bin"
  else
    : >"$logf"
    # the youki tier's build dependencies (libseccomp for the seccomp feature), and patch
    apt_install "${YOUKI_BUILD_PACKAGES[@]}" patch || { fail $name "installing youki's build dependencies failed (see $LOG_DIR/apt.log)"; return 1; }
    if ! have_cargo; then
      fail $name "cargo/rustc >= $RUST_MIN_VERSION not found (install Rust with rustup)"
      return 1
    fi
    local crate src=$CACHE/src/youki-$YOUKI_VERSION-wasmer
    crate=$(yw_crate) || { fail $name "cannot fetch youki $YOUKI_VERSION's crate: $(last_error "$logf")"; return 1; }
    if ! { rm -rf "$src" && cp -r "$crate" "$src" && patch -p1 -d "$src" <"$YW_PATCH" >>"$logf" 2>&1; }; then
      fail $name "scripts/lib/youki-wasmer.patch does not apply to youki $YOUKI_VERSION: $(last_error "$logf")"
      return 1
    fi
    log "cargo install youki $YOUKI_VERSION (patched) --features $YOUKI_WASMER_FEATURES (log: $logf)"
    rm -rf "$YW_DIR.tmp"
    if ! "${NICE[@]}" cargo install --path "$src" --locked \
        --no-default-features --features "$YOUKI_WASMER_FEATURES" \
        --root "$YW_DIR.tmp" -j "$JOBS" >>"$logf" 2>&1; then
      fail $name "cargo install youki $YOUKI_VERSION (patched) with $YOUKI_WASMER_FEATURES failed: $(last_error "$logf")"
      return 1
    fi
    mv "$YW_DIR.tmp/bin/youki" "$YW_DIR.tmp/bin/youki-wasmer" || { fail $name "cargo install left no bin/youki in $YW_DIR.tmp"; return 1; }
    rm -rf "$YW_DIR" "$src" && mv "$YW_DIR.tmp" "$YW_DIR"
    printf '%s\n' "$key" >"$YW_DIR/.key"
  fi
  expose youki-wasmer "$bin"
  if ! "$bin" --version >>"$logf" 2>&1; then
    fail $name "$bin --version does not run"
    return 1
  fi
  "$bin" --version | sed 's/^/    /'
  record_youki_wasm youki-wasmer "$YOUKI_WASMER_FEATURES"
  local v
  v=$(youki_locked_version wasmer)
  [ -n "$v" ] && record_engine YOUKI_WASMER "$v"
  ok $name
}
