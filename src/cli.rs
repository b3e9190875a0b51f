//! The command line. The commands of contract section 9 arrive with the issues that build
//! them (the pipeline: `run`, `migrate`, `import`; the signature check: `certificate verify`,
//! `signature check`); until then each says so and exits 2, as bad usage does.

use std::process::ExitCode;

const USAGE: &str = "usage: trp-worker <command>\n\
commands: run, migrate, import, explain, dead-letters, certificate verify, signature check\n\
see README.md";

pub fn main(args: Vec<String>) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("--version") | Some("-V") => {
            println!("trp-worker {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help") | Some("-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(command) => {
            eprintln!("trp-worker: {command}: not built yet in this version\n{USAGE}");
            ExitCode::from(2)
        }
        None => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
