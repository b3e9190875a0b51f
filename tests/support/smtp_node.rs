//! SMTP servers of the tests' own, on Node.js: MailDev as `scripts/maildev.sh` installs it,
//! and scripts in tests/support on `smtp-server`, the library MailDev is built on.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// MailDev as `scripts/maildev.sh` installs it: on the `PATH`, or under its prefix.
pub fn maildev() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("maildev"));
    let prefix = std::env::var_os("TRP_MAILDEV_PREFIX")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".local")))
        .map(|p| p.join("bin/maildev"));
    on_path
        .chain(prefix)
        .find(|p| p.is_file())
        .expect("MailDev is installed: bash scripts/maildev.sh (or run scripts/services.sh)")
}

/// The `smtp-server` package MailDev is built on, from MailDev's own install.
pub fn smtp_server_module() -> PathBuf {
    let script = std::fs::canonicalize(maildev()).expect("maildev resolves");
    let package = script
        .ancestors()
        .find(|p| {
            p.file_name().is_some_and(|n| n == "maildev")
                && p.parent()
                    .and_then(Path::file_name)
                    .is_some_and(|n| n == "node_modules")
        })
        .expect("maildev lives in a node_modules directory");
    [
        package.join("node_modules"),
        package.parent().unwrap().to_owned(),
    ]
    .into_iter()
    .map(|dir| dir.join("smtp-server"))
    .find(|p| p.is_dir())
    .expect("MailDev's install holds smtp-server")
}

/// `node tests/support/<script> <smtp-server module> <args...>`: the server, killed when
/// dropped, and the port it prints once it listens.
pub async fn node_smtp(script: &str, args: &[&OsStr]) -> (Child, u16) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(script);
    let mut child = Command::new("node")
        .arg(script)
        .arg(smtp_server_module())
        .args(args)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node is installed (MailDev runs on it): apt-get install -y nodejs (or run scripts/services.sh)");
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    tokio::time::timeout(
        Duration::from_secs(30),
        BufReader::new(stdout).read_line(&mut line),
    )
    .await
    .expect("the SMTP server starts")
    .unwrap();
    let port = line.trim().parse().expect("it prints its port");
    (child, port)
}
