//! The binary: parse the command line and call the library ([`trp_worker::cli`]).

fn main() -> std::process::ExitCode {
    trp_worker::cli::main()
}
