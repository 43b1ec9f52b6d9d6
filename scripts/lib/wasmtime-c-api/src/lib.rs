//! Re-exports every `extern "C"` symbol of wasmtime's C API so that the
//! cdylib/staticlib produced here is a drop-in `libwasmtime`.
pub use wasmtime_c_api::*;
