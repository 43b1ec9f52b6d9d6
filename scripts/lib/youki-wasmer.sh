# shellcheck shell=bash
# The wasmer tier's youki, sourced by scripts/setup.sh: youki built a second time from the same
# crate and lock as the youki tier's, with its wasmer executor in place of wasmtime (runtime
# youki-wasmer), so that youki+wasmtime and youki+wasmer differ in the engine only.
#
#   build   cargo install youki $YOUKI_VERSION --locked --no-default-features --features
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
#           keyed by version and features (.features beside bin/), linked into $CACHE/bin
#   records status/youki-wasmer.wasm ("wasmer", youki's --version lists no executor),
#           YOUKI_WASMER=<wasmer version in youki's lock> in $CACHE/engines.env; a failure
#           writes status/youki-wasmer.failed
#
# Expects from setup.sh: CACHE LOG_DIR STATUS_DIR FORCE NICE JOBS YOUKI_VERSION
# YOUKI_WASMER_FEATURES YOUKI_BUILD_PACKAGES RUST_MIN_VERSION, log, ok, fail, last_error,
# expose, have_cargo, apt_install, record_engine, record_youki_wasm, youki_locked_version.

YW_DIR=$CACHE/youki-wasmer-$YOUKI_VERSION

build_youki_wasmer() {
  local name=youki-wasmer logf=$LOG_DIR/youki-wasmer.log bin=$YW_DIR/bin/youki-wasmer
  if [ "$FORCE" = 0 ] && [ -x "$bin" ] && [ "$(cat "$YW_DIR/.features" 2>/dev/null)" = "$YOUKI_WASMER_FEATURES" ]; then
    log "cached: $bin"
  else
    # the youki tier's build dependencies (libseccomp for the seccomp feature)
    apt_install "${YOUKI_BUILD_PACKAGES[@]}" || { fail $name "installing youki's build dependencies failed (see $LOG_DIR/apt.log)"; return 1; }
    if ! have_cargo; then
      fail $name "cargo/rustc >= $RUST_MIN_VERSION not found (install Rust with rustup)"
      return 1
    fi
    log "cargo install youki $YOUKI_VERSION --features $YOUKI_WASMER_FEATURES (log: $logf)"
    rm -rf "$YW_DIR.tmp"
    if ! "${NICE[@]}" cargo install youki --version "=$YOUKI_VERSION" --locked \
        --no-default-features --features "$YOUKI_WASMER_FEATURES" \
        --root "$YW_DIR.tmp" -j "$JOBS" >"$logf" 2>&1; then
      fail $name "cargo install youki $YOUKI_VERSION with $YOUKI_WASMER_FEATURES failed: $(last_error "$logf")"
      return 1
    fi
    mv "$YW_DIR.tmp/bin/youki" "$YW_DIR.tmp/bin/youki-wasmer" || { fail $name "cargo install left no bin/youki in $YW_DIR.tmp"; return 1; }
    rm -rf "$YW_DIR" && mv "$YW_DIR.tmp" "$YW_DIR"
    printf '%s\n' "$YOUKI_WASMER_FEATURES" >"$YW_DIR/.features"
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
