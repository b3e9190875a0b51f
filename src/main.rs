//! The `trp-worker` binary: parses the command line and calls the library.

fn main() -> std::process::ExitCode {
    trp_worker::cli::main(std::env::args().skip(1).collect())
}
