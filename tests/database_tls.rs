//! TLS to PostgreSQL (`database.tls`) against the local server, given a certificate the
//! test makes: `verify-full` with the CA that signed it connects (by address and by name)
//! and is encrypted; `verify-full` with another CA is refused with the reason; `require`
//! connects, encrypted, checking nothing.
//!
//! The server is shared by every test (and every worktree) at once, so its TLS set-up is
//! idempotent: one certificate directory, made once (atomically, by renaming a finished
//! directory into place), `ssl = on` left on. Plain connections keep working beside it.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tokio_postgres::NoTls;

use support::db::admin_url;
use support::tls::{make_server_pki, other_ca, ServerPki};
use support::worker::settings;

/// Where the server finds its certificate: beside its cluster (`scripts/services.sh`).
fn tls_dir() -> PathBuf {
    let services =
        std::env::var("TRP_SERVICES_DIR").unwrap_or_else(|_| "/var/tmp/trp-services".into());
    Path::new(&services).join("pg-tls-test")
}

/// The certificate directory, made by the first test that needs it. A half-made directory
/// is never seen: it is made under another name and renamed into place.
fn server_pki() -> ServerPki {
    let dir = tls_dir();
    if !dir.join("server.crt").exists() {
        let parent = dir.parent().unwrap();
        std::fs::create_dir_all(parent).unwrap();
        let making = tempfile::Builder::new()
            .prefix("pg-tls-making")
            .tempdir_in(parent)
            .unwrap();
        make_server_pki(making.path());
        let key = making.path().join("server.key");
        // PostgreSQL reads the key as its own user and refuses one others may read.
        let chown = Command::new("chown")
            .arg("postgres:postgres")
            .arg(&key)
            .status()
            .expect("chown runs");
        assert!(chown.success(), "the tests run as root or as postgres");
        set_mode(&key, 0o600);
        set_mode(making.path(), 0o755);
        let made = making.keep();
        if std::fs::rename(&made, &dir).is_err() {
            // Another test put its own in place first: use that one.
            let _ = std::fs::remove_dir_all(&made);
        }
    }
    ServerPki { dir }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Turns TLS on in the shared server with [`server_pki`]'s certificate, once, and waits
/// until new connections are offered it.
async fn server_with_tls() -> ServerPki {
    let pki = server_pki();
    let (admin, connection) = tokio_postgres::connect(&admin_url(), NoTls)
        .await
        .expect("the test PostgreSQL is reachable (run scripts/services.sh)");
    tokio::spawn(connection);
    let cert = pki.cert().display().to_string();
    let current: String = admin
        .query_one(
            "SELECT current_setting('ssl') || ' ' || current_setting('ssl_cert_file')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    if current != format!("on {cert}") {
        for (name, value) in [
            ("ssl_cert_file", cert.clone()),
            ("ssl_key_file", pki.key().display().to_string()),
            ("ssl", "on".into()),
        ] {
            // ALTER SYSTEM takes no parameters; the paths are ours, without quotes.
            admin
                .batch_execute(&format!("ALTER SYSTEM SET {name} = '{value}'"))
                .await
                .unwrap();
        }
        admin
            .batch_execute("SELECT pg_reload_conf()")
            .await
            .unwrap();
    }
    // The reload is asynchronous: wait until a new session sees it.
    for _ in 0..100 {
        let (probe, connection) = tokio_postgres::connect(&admin_url(), NoTls).await.unwrap();
        tokio::spawn(connection);
        let seen: String = probe
            .query_one("SELECT current_setting('ssl_cert_file')", &[])
            .await
            .unwrap()
            .get(0);
        if seen == cert {
            return pki;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("PostgreSQL did not take its TLS settings");
}

fn env(url: &str, tls: &str, ca: &Path) -> Vec<(String, String)> {
    [
        ("TRP__DATABASE__URL", url.to_owned()),
        ("TRP__DATABASE__TLS", tls.to_owned()),
        ("TRP__DATABASE__TLS_CA_FILE", ca.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Whether the session the pool hands out is encrypted, as the server sees it.
async fn encrypted(pool: &deadpool_postgres::Pool) -> Result<bool, String> {
    let client = pool
        .get()
        .await
        .map_err(|e| trp_worker::store::StoreError::from(e).to_string())?;
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(row.get(0))
}

#[tokio::test]
async fn verify_full_with_the_servers_ca_connects_encrypted_by_address_and_by_name() {
    let pki = server_with_tls().await;
    let by_address = admin_url();
    let by_name = by_address.replace("127.0.0.1", "localhost");
    for url in [by_address, by_name] {
        let s = settings(&env(&url, "verify-full", &pki.ca()));
        let pool = trp_worker::worker::database_pool(&s.database, 1).expect("pool");
        assert_eq!(encrypted(&pool).await, Ok(true), "{url}");
    }
}

#[tokio::test]
async fn verify_full_with_another_ca_is_refused_with_the_reason() {
    server_with_tls().await;
    let other = tempfile::tempdir().unwrap();
    let s = settings(&env(&admin_url(), "verify-full", &other_ca(other.path())));
    let pool = trp_worker::worker::database_pool(&s.database, 1).expect("pool");
    let error = encrypted(&pool).await.expect_err("an unknown issuer");
    assert!(error.contains("TLS handshake"), "{error}");
    assert!(error.contains("UnknownIssuer"), "{error}");
}

#[tokio::test]
async fn require_connects_encrypted_without_checking_the_certificate() {
    server_with_tls().await;
    let s = settings(&env(&admin_url(), "require", Path::new("")));
    let pool = trp_worker::worker::database_pool(&s.database, 1).expect("pool");
    assert_eq!(encrypted(&pool).await, Ok(true));
    // And plain connections go on beside it (every other test's).
    let s = settings(&env(&admin_url(), "disable", Path::new("")));
    let pool = trp_worker::worker::database_pool(&s.database, 1).expect("pool");
    assert_eq!(encrypted(&pool).await, Ok(false));
}
