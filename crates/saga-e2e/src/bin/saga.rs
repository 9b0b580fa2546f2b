//! The `saga` command line, linked into this package under another name so
//! its tests can run `saga run` as a process: Cargo gives a test the path
//! of its own package's binaries only (`CARGO_BIN_EXE_<name>`), and the
//! scenario suite points the hybrid backend at `saga run --no-functions`.
//! Everything is `saga::cli::main`, as in crates/saga/src/main.rs.

fn main() -> std::process::ExitCode {
    saga::cli::main()
}
