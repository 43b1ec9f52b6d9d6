// wasmer-cli's own src/bin/wasmer.rs, built against the features of Cargo.toml.
fn main() {
    wasmer_cli::run_cli();
}
