//! `containerd-shim-wasmtime-v1`: containerd selects this binary for the
//! runtime name `io.containerd.wasmtime.v1`.
//!
//! The container lifecycle (task API, cgroups, namespaces, rootfs, stdio
//! redirection) is handled by runwasi's `containerd-shim-wasm` library; this
//! crate only supplies the piece that runs the module: a WASI preview 1
//! core module executed by wasmtime. Images whose entrypoint is not a Wasm
//! module run as ordinary Linux containers (the library decides that).

use anyhow::{Result, bail};
use containerd_shim_wasm::sandbox::Sandbox;
use containerd_shim_wasm::sandbox::context::{Entrypoint, RuntimeContext};
use containerd_shim_wasm::shim::{Cli, Config, Shim, Version, version};
use wasmtime::error::Context as _;
use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{DirPerms, FilePerms, I32Exit, WasiCtxBuilder};

struct WasmtimeShim;

#[derive(Clone)]
struct WasmtimeSandbox {
    engine: Engine,
}

impl Default for WasmtimeSandbox {
    fn default() -> Self {
        Self {
            engine: Engine::default(),
        }
    }
}

impl Shim for WasmtimeShim {
    type Sandbox = WasmtimeSandbox;

    fn name() -> &'static str {
        "wasmtime"
    }

    fn version() -> Version {
        version!()
    }
}

/// Splits `KEY=VALUE` strings from the OCI process spec.
fn split_envs(envs: &[String]) -> Vec<(String, String)> {
    envs.iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv.to_string(), String::new()),
        })
        .collect()
}

fn wasi_ctx(ctx: &impl RuntimeContext) -> wasmtime::Result<WasiP1Ctx> {
    let mut builder = WasiCtxBuilder::new();
    builder
        .args(ctx.args())
        .envs(&split_envs(ctx.envs()))
        .inherit_stdio()
        // The container's root filesystem is already the mount namespace's
        // root here, so exposing "/" gives the module the image's files.
        .preopened_dir("/", "/", DirPerms::all(), FilePerms::all())
        .context("preopening / for the module")?;
    Ok(builder.build_p1())
}

impl WasmtimeSandbox {
    /// Compiles and runs a WASI preview 1 module, returning its exit code.
    /// Uses wasmtime's own error type (not `std::error::Error`) throughout;
    /// `run_wasi` converts once at the boundary.
    async fn run_module(
        &self,
        ctx: &impl RuntimeContext,
        bytes: &[u8],
        func: &str,
    ) -> wasmtime::Result<i32> {
        let module = Module::new(&self.engine, bytes).context("compiling the Wasm module")?;

        let mut linker: Linker<WasiP1Ctx> = Linker::new(&self.engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, |cx| cx)?;

        let mut store = Store::new(&self.engine, wasi_ctx(ctx)?);
        let instance = linker
            .instantiate_async(&mut store, &module)
            .await
            .context("instantiating the module")?;
        let Some(start) = instance.get_func(&mut store, func) else {
            wasmtime::bail!("module has no exported function {func:?}");
        };

        match start.call_async(&mut store, &[], &mut []).await {
            Ok(()) => Ok(0),
            Err(err) => match err.downcast_ref::<I32Exit>() {
                // proc_exit(n) from the module is a normal exit, not a failure.
                Some(exit) => Ok(exit.0),
                None => Err(err),
            },
        }
    }
}

impl Sandbox for WasmtimeSandbox {
    async fn run_wasi(&self, ctx: &impl RuntimeContext) -> Result<i32> {
        let Entrypoint { source, func, .. } = ctx.entrypoint();
        let bytes = source.as_bytes()?;
        if is_component(&bytes) {
            bail!("Wasm components are not supported by this shim; use a WASI preview 1 module");
        }
        self.run_module(ctx, &bytes, &func)
            .await
            .map_err(|err| anyhow::anyhow!("{err:?}"))
    }
}

/// A core module's preamble is `\0asm` followed by version 1; components use
/// the same magic with a different version/layer field.
fn is_component(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && &bytes[0..4] == b"\0asm" && bytes[4..8] != [1, 0, 0, 0]
}

fn main() {
    WasmtimeShim::run(Config {
        default_log_level: "error".to_string(),
        ..Default::default()
    });
}
