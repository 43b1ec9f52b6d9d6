# shellcheck shell=bash
# The wasmer tier's containerd shim, sourced by scripts/setup.sh: shim/containerd-shim-wasmer,
# runwasi's containerd-shim-wasm (the wasmtime shim's version) with wasmer and its cranelift
# compiler (runtime io.containerd.wasmer.v1, runbench's `wasmer-shim`).
#
#   build   cargo build --release --locked of shim/containerd-shim-wasmer in the shared
#           CARGO_TARGET_DIR; its Cargo.lock is resolved to scripts/lib/wasmer-c-api's
#           (the engines tier's wasmer C API) and the wasmtime shim's versions wherever
#           semver allows, with the C API's wasmer features, so the crates built for
#           those are reused. Rust >= WASMER_RUST_MIN_VERSION, as for the C API.
#   result  $CACHE/containerd-shim-wasmer-<crate v>-<source hash>/bin/containerd-shim-wasmer-v1
#           (the hash covers Cargo.toml, Cargo.lock and src/, so editing the shim rebuilds it;
#           older builds are removed), linked into $CACHE/bin, where containerd finds it
#           on PATH; SHIM_WASMER in $CACHE/engines.env records the wasmer it embeds
#
# Status name: containerd-shim-wasmer.
# Expects from setup.sh: CACHE LOG_DIR STATUS_DIR CARGO_TARGET_DIR FORCE NICE JOBS REPO_DIR,
# the versions.env keys below, log, fail, last_error, apt_install, cargo_at_least, shim_dir,
# install_shim, expose_shim.

WASMER_SHIM_SRC=$REPO_DIR/shim/containerd-shim-wasmer
# runwasi's containerd-shim-wasm: protoc for its ttrpc code, libdbus and libseccomp for youki's
# libcontainer underneath (the wasm tier's list holds the same for the wasmtime shim)
WASMER_SHIM_BUILD_PACKAGES=(gcc pkg-config protobuf-compiler libdbus-1-dev libseccomp-dev)

build_wasmer_shim() {
  local name=containerd-shim-wasmer logf=$LOG_DIR/containerd-shim-wasmer.log dir bin want
  dir=$(shim_dir wasmer "$WASMER_SHIM_CRATE_VERSION")
  bin=$dir/bin/containerd-shim-wasmer-v1
  if [ "$FORCE" = 0 ] && [ -x "$bin" ]; then
    log "cached: $bin"
  else
    : >"$logf"
    want=$(sed -n 's/^wasmer = { version = "=\([^"]*\)".*/\1/p' "$WASMER_SHIM_SRC/Cargo.toml")
    [ "$want" = "$SHIM_WASMER_VERSION" ] ||
      { fail $name "shim/containerd-shim-wasmer pins wasmer ${want:-?} but versions.env says $SHIM_WASMER_VERSION"; return 1; }
    apt_install "${WASMER_SHIM_BUILD_PACKAGES[@]}" >>"$logf" 2>&1 ||
      { fail $name "installing the shim's build dependencies failed: $(last_error "$logf")"; return 1; }
    cargo_at_least "$WASMER_RUST_MIN_VERSION" ||
      { fail $name "wasmer $SHIM_WASMER_VERSION needs Rust >= $WASMER_RUST_MIN_VERSION: no such rustc, and no rustup to install it"; return 1; }
    log "building shim/containerd-shim-wasmer with ${CARGO_CMD[*]} (log: $logf)"
    if ! "${NICE[@]}" "${CARGO_CMD[@]}" build --release --locked -j "$JOBS" \
        --manifest-path "$WASMER_SHIM_SRC/Cargo.toml" >>"$logf" 2>&1; then
      fail $name "cargo build shim/containerd-shim-wasmer failed: $(last_error "$logf")"
      return 1
    fi
    install_shim wasmer "$dir" || return 1
  fi
  expose_shim wasmer "$bin" "$logf" SHIM_WASMER "$SHIM_WASMER_VERSION"
}
