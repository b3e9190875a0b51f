fn main() -> std::process::ExitCode {
    trp_worker::cli::main()
}
