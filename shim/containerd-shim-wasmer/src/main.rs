//! `containerd-shim-wasmer-v1`: containerd selects this binary for the
//! runtime name `io.containerd.wasmer.v1`.
//!
//! The container lifecycle (task API, cgroups, namespaces, rootfs, stdio
//! redirection) is handled by runwasi's `containerd-shim-wasm` library, the
//! same version as shim/containerd-shim-wasmtime; this crate only supplies
//! the piece that runs the module: a WASI preview 1 core module compiled by
//! wasmer's cranelift compiler (JIT) and run with wasmer-wasix. Images whose
//! entrypoint is not a Wasm module run as ordinary Linux containers (the
//! library decides that).

use std::sync::Arc;

use anyhow::{Context as _, Result, anyhow, bail};
use containerd_shim_wasm::sandbox::Sandbox;
use containerd_shim_wasm::sandbox::context::{Entrypoint, RuntimeContext};
use containerd_shim_wasm::shim::{Cli, Config, Shim, Version, version};
use tokio::runtime::Handle;
use wasmer::{Engine, Module, Store};
use wasmer_wasix::virtual_fs::{FileSystem, host_fs};
use wasmer_wasix::wasmer_wasix_types::wasi::ExitCode;
use wasmer_wasix::{WasiEnv, WasiError};

struct WasmerShim;

#[derive(Clone)]
struct WasmerSandbox {
    engine: Engine,
}

impl Default for WasmerSandbox {
    fn default() -> Self {
        // Named rather than left to `Engine::default()`, so the compiler
        // behind the figures (wasmer's default, cranelift) is visible here.
        Self {
            engine: Engine::from(wasmer::sys::Cranelift::default()),
        }
    }
}

impl Shim for WasmerShim {
    type Sandbox = WasmerSandbox;

    fn name() -> &'static str {
        "wasmer"
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

impl WasmerSandbox {
    /// Compiles and runs a WASI preview 1 module, returning its exit code.
    /// Blocks the calling thread: wasmer's calls into the module are
    /// synchronous, and wasmer-wasix drives its own I/O on the tokio runtime
    /// whose handle it is given.
    fn run_module(
        &self,
        ctx: &impl RuntimeContext,
        bytes: &[u8],
        func: &str,
        handle: Handle,
    ) -> Result<i32> {
        let mut store = Store::new(self.engine.clone());
        let module = Module::from_binary(&store, bytes).context("compiling the Wasm module")?;

        // argv[0] is the OCI spec's args[0], as the wasmtime shim passes it;
        // wasmer's builder takes argv[0] as the program name.
        let (program, rest) = match ctx.args().split_first() {
            Some((first, rest)) => (first.clone(), rest),
            None => (String::new(), &[][..]),
        };
        // The container's root filesystem is already the mount namespace's
        // root here, so the host file system at "/", preopened as "/", gives
        // the module the image's files. stdio is wasmer-wasix's default: the
        // process's own fds 0-2, which the library has redirected.
        let fs: Arc<dyn FileSystem + Send + Sync> =
            Arc::new(host_fs::FileSystem::new(handle, "/").context("opening / for the module")?);
        let (instance, wasi_env) = WasiEnv::builder(program)
            .engine(self.engine.clone())
            .args(rest)
            .envs(split_envs(ctx.envs()))
            .fs(fs)
            .preopen_dir("/")
            .context("preopening / for the module")?
            .instantiate(module, &mut store)
            .context("instantiating the module")?;

        let start = instance
            .exports
            .get_function(func)
            .map_err(|_| anyhow!("module has no exported function {func:?}"))?
            .clone();
        wasi_env.data(&store).thread.set_status_running();

        let outcome = match start.call(&mut store, &[]) {
            Ok(_) => Ok(0),
            Err(err) => match err.downcast_ref::<WasiError>() {
                // proc_exit(n) from the module is a normal exit, not a failure.
                Some(WasiError::Exit(code)) => Ok(code.raw()),
                _ => Err(anyhow!("running {func:?}: {err}")),
            },
        };
        // Close the module's files, flushing what it wrote to stdout and
        // stderr, as wasmer's own runner does when a module's main returns or
        // traps: the library exits the process as soon as this returns.
        let code = *outcome.as_ref().unwrap_or(&1);
        wasi_env.on_exit(&mut store, Some(ExitCode::from(code)));
        outcome
    }

    fn run(&self, ctx: &impl RuntimeContext, handle: Handle) -> Result<i32> {
        let Entrypoint { source, func, .. } = ctx.entrypoint();
        let bytes = source.as_bytes()?;
        if is_component(&bytes) {
            bail!("Wasm components are not supported by this shim; use a WASI preview 1 module");
        }
        self.run_module(ctx, &bytes, &func, handle)
    }
}

impl Sandbox for WasmerSandbox {
    async fn run_wasi(&self, ctx: &impl RuntimeContext) -> Result<i32> {
        let handle = Handle::current();
        // The module runs on this thread; block_in_place lets the runtime
        // move its other tasks (wasmer-wasix's I/O among them) elsewhere.
        let result = tokio::task::block_in_place(|| self.run(ctx, handle));
        if let Err(err) = &result {
            // The library logs a failure at info level only and exits 137;
            // say why on the container's own stderr, where its user looks.
            eprintln!("containerd-shim-wasmer-v1: {err:#}");
        }
        result
    }
}

/// A core module's preamble is `\0asm` followed by version 1; components use
/// the same magic with a different version/layer field.
fn is_component(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && &bytes[0..4] == b"\0asm" && bytes[4..8] != [1, 0, 0, 0]
}

fn main() {
    WasmerShim::run(Config {
        default_log_level: "error".to_string(),
        ..Default::default()
    });
}
