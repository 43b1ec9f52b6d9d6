//! `containerd-shim-wasmtime-v1`: containerd selects this binary for the
//! runtime name `io.containerd.wasmtime.v1`.
//!
//! The container lifecycle (task API, cgroups, namespaces, rootfs, stdio
//! redirection) is handled by runwasi's `containerd-shim-wasm` library; this
//! crate only supplies the piece that runs the module: a WASI preview 1
//! core module executed by wasmtime. Images whose entrypoint is not a Wasm
//! module run as ordinary Linux containers (the library decides that).
//!
//! Ahead of time: for an image whose module is an OCI Wasm layer (a
//! `wasm` image with a layer of media type `application/wasm` or
//! `application/vnd.bytecodealliance.wasm.component.layer.v0+wasm`), the
//! library calls this crate's compiler the first time the image runs, keeps
//! wasmtime's native code in containerd's content store under the label
//! `runwasi.io/precompiled/wasmtime/<hash of the engine's compatibility>`,
//! and hands that code to every later container of the image marked
//! precompiled: those load it with `Module::deserialize` instead of compiling.
//! A module read from the rootfs (an ordinary image) is compiled on each start
//! as before.

use std::hash::Hash;
use std::sync::OnceLock;

use anyhow::{Result, bail};
use containerd_shim_wasm::sandbox::Sandbox;
use containerd_shim_wasm::sandbox::context::{Entrypoint, RuntimeContext, WasmLayer};
use containerd_shim_wasm::shim::{Cli, Compiler, Config, Shim, Version, version};
use wasmtime::error::Context as _;
use wasmtime::{Engine, Linker, Module, Precompiled, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{DirPerms, FilePerms, I32Exit, WasiCtxBuilder};

struct WasmtimeShim;

#[derive(Clone)]
struct WasmtimeSandbox {
    engine: Engine,
}

/// The one engine configuration: code compiled ahead of time by one engine
/// loads only into an engine of the same configuration (and wasmtime version,
/// and CPU features), which the compiler's cache key carries.
fn new_engine() -> Engine {
    Engine::default()
}

impl Default for WasmtimeSandbox {
    fn default() -> Self {
        Self {
            engine: new_engine(),
        }
    }
}

/// Compiles the modules of an image's OCI Wasm layers ahead of time; the
/// library calls it once per image and engine configuration, in the shim
/// process while the first container's task is created.
#[derive(Default)]
struct WasmtimeCompiler {
    /// Made on first use: every container's shim asks for a compiler, but
    /// only an image with Wasm layers needs an engine for it.
    engine: OnceLock<Engine>,
}

impl WasmtimeCompiler {
    fn engine(&self) -> &Engine {
        self.engine.get_or_init(new_engine)
    }

    /// Native code for a core module; `None` keeps the layer as it is (a
    /// component, which this shim refuses to run, or code already compiled).
    fn compile_layer(&self, bytes: &[u8]) -> Result<Option<Vec<u8>>> {
        if is_component(bytes) || Engine::detect_precompiled(bytes).is_some() {
            return Ok(None);
        }
        self.engine()
            .precompile_module(bytes)
            .map(Some)
            .map_err(|err| anyhow::anyhow!("compiling the module ahead of time: {err:?}"))
    }
}

impl Compiler for WasmtimeCompiler {
    fn cache_key(&self) -> impl Hash {
        // wasmtime's version, the engine's settings and the host's CPU features
        self.engine().precompile_compatibility_hash()
    }

    async fn compile(&self, layers: &[WasmLayer]) -> Result<Vec<Option<Vec<u8>>>> {
        layers.iter().map(|l| self.compile_layer(&l.layer)).collect()
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

    async fn compiler() -> Option<impl Compiler> {
        Some(WasmtimeCompiler::default())
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
    /// The module: compiled now from wasm, or loaded from the native code the
    /// library marks precompiled (this crate's compiler made it).
    fn load_module(&self, bytes: &[u8], precompiled: bool) -> wasmtime::Result<Module> {
        if !precompiled {
            return Module::new(&self.engine, bytes).context("compiling the Wasm module");
        }
        if Engine::detect_precompiled(bytes) != Some(Precompiled::Module) {
            wasmtime::bail!("the layer marked precompiled is not a precompiled wasmtime module");
        }
        // SAFETY: only bytes the library marks precompiled get here, which it
        // read from containerd's content store where it had put the output of
        // `Engine::precompile_module` under a label keyed by this engine's
        // compatibility hash; wasmtime rejects code from another version or
        // configuration with an error.
        unsafe { Module::deserialize(&self.engine, bytes) }.context("loading the precompiled module")
    }

    /// Compiles (or loads) and runs a WASI preview 1 module, returning its
    /// exit code. Uses wasmtime's own error type (not `std::error::Error`)
    /// throughout; `run_wasi` converts once at the boundary.
    async fn run_module(
        &self,
        ctx: &impl RuntimeContext,
        bytes: &[u8],
        precompiled: bool,
        func: &str,
    ) -> wasmtime::Result<i32> {
        let module = self.load_module(bytes, precompiled)?;

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
        let precompiled = source.is_precompiled()?;
        let bytes = source.as_bytes()?;
        if is_component(&bytes) {
            bail!("Wasm components are not supported by this shim; use a WASI preview 1 module");
        }
        self.run_module(ctx, &bytes, precompiled, &func)
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
