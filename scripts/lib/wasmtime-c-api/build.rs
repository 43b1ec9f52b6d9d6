//! `wasmtime-c-api-impl` installs its C headers (with a generated
//! `wasmtime/conf.h` matching the enabled features) into its OUT_DIR and
//! advertises it through `links = "wasmtime-c-api"`. When
//! RUNBENCH_CAPI_INCLUDE_DEST is set, copy them there.
use std::path::Path;
use std::{env, fs, io};

fn copy_dir(src: &Path, dst: &Path) -> io::Result<()> {
    fs::create_dir_all(dst)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let to = dst.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &to)?;
        } else {
            fs::copy(entry.path(), to)?;
        }
    }
    Ok(())
}

fn main() {
    println!("cargo:rerun-if-env-changed=RUNBENCH_CAPI_INCLUDE_DEST");
    let include = env::var("DEP_WASMTIME_C_API_INCLUDE")
        .expect("wasmtime-c-api-impl did not report its include directory");
    if let Ok(dest) = env::var("RUNBENCH_CAPI_INCLUDE_DEST") {
        copy_dir(Path::new(&include), Path::new(&dest)).expect("copying C API headers");
    }
}
