//! Re-exports every `extern "C"` symbol of wasmer's C API so that the cdylib
//! produced here is a drop-in `libwasmer.so`.
pub use wasmer::*;
