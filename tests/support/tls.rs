//! Certificates the TLS tests make with the `openssl` command line: a CA of their own and a
//! server certificate it signs for `localhost` and 127.0.0.1, so a client that trusts the
//! CA can check the server by name or address.

use std::path::{Path, PathBuf};

use super::openssl::run as openssl;

/// A CA and a server certificate in `dir`: `ca.pem`, `server.crt`, `server.key`.
pub struct ServerPki {
    pub dir: PathBuf,
}

impl ServerPki {
    pub fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
    pub fn cert(&self) -> PathBuf {
        self.dir.join("server.crt")
    }
    pub fn key(&self) -> PathBuf {
        self.dir.join("server.key")
    }
}

const EC: [&str; 4] = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];

/// Makes a CA (`ca.pem`, `ca.key`) in `dir`.
pub fn make_ca(dir: &Path, name: &str) {
    let subject = format!("/CN={name}");
    let mut args = vec!["req", "-x509", "-nodes", "-days", "3650"];
    args.extend(EC);
    args.extend(["-keyout", "ca.key", "-out", "ca.pem", "-subj", &subject]);
    args.extend(["-addext", "basicConstraints=critical,CA:TRUE"]);
    args.extend(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    openssl(dir, &args);
}

/// Makes a CA and a server certificate for `localhost` and 127.0.0.1 in `dir`.
pub fn make_server_pki(dir: &Path) -> ServerPki {
    make_ca(dir, "trp test CA");
    let mut args = vec!["req", "-nodes"];
    args.extend(EC);
    args.extend(["-keyout", "server.key", "-out", "server.csr"]);
    args.extend(["-subj", "/CN=localhost"]);
    openssl(dir, &args);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "3650",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    );
    ServerPki {
        dir: dir.to_owned(),
    }
}

/// A CA that signed nothing the servers use: trusting it alone must fail.
pub fn other_ca(dir: &Path) -> PathBuf {
    make_ca(dir, "trp other CA");
    dir.join("ca.pem")
}
