//! A TCP proxy that a test can shut, to take a service away from the code under test and
//! give it back: shut, it cuts every connection it carries and closes new ones at once, as
//! a database that went away looks to its clients.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// A running gate in front of `upstream`; ends with the test's runtime.
pub struct TcpGate {
    pub port: u16,
    open: Arc<AtomicBool>,
    carried: Arc<Mutex<Vec<AbortHandle>>>,
    accepted: Arc<AtomicUsize>,
}

impl TcpGate {
    pub async fn start(upstream: SocketAddr) -> TcpGate {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = Arc::new(AtomicBool::new(true));
        let carried = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(AtomicUsize::new(0));
        let (is_open, list, count) = (open.clone(), carried.clone(), accepted.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !is_open.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                count.fetch_add(1, Ordering::SeqCst);
                let task = tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
                list.lock().unwrap().push(task.abort_handle());
            }
        });
        TcpGate {
            port,
            open,
            carried,
            accepted,
        }
    }

    /// Connections carried so far (those refused while shut not counted).
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Cuts every connection and refuses new ones until [`TcpGate::open`].
    pub fn shut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for task in self.carried.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    pub fn open(&self) {
        self.open.store(true, Ordering::SeqCst);
    }

    /// `url` (a `postgres://` URL of the local server) through this gate.
    pub fn postgres_url(&self, url: &str) -> String {
        let config: tokio_postgres::Config = url.parse().expect("database url");
        let user = config.get_user().unwrap_or("postgres");
        let db = config.get_dbname().unwrap_or("postgres");
        format!("postgres://{user}@127.0.0.1:{}/{db}", self.port)
    }
}
