//! What triggers a reload: SIGHUP, and a change to one of the files, found by looking at
//! their size, modification time and inode every `reload.poll_ms` (polling works alike for
//! files replaced in place, renamed over, or swapped behind a symlink as Kubernetes does
//! with a mounted ConfigMap). A change is read once it has stayed put for one more look, so
//! that a file caught half-written is not reported as bad.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use super::{Reloader, Sources};

/// What is known of one file: `None` when it cannot be looked at.
type Stamp = Option<(SystemTime, u64, u64)>;

/// The stamps of every file a snapshot is read from, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(Vec<(PathBuf, Stamp)>);

impl Fingerprint {
    /// Looks at every file of `sources`, and at every `*.toml` in the calendar directory.
    pub fn of(sources: &Sources) -> Self {
        let mut paths: Vec<PathBuf> = sources
            .trust_anchors
            .iter()
            .chain(&sources.tsa_trust_anchors)
            .chain(&sources.crls)
            .chain([&sources.rules, &sources.calendar])
            .cloned()
            .collect();
        let mut calendars: Vec<PathBuf> = std::fs::read_dir(&sources.calendar)
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
            .collect();
        calendars.sort();
        paths.extend(calendars);
        Self(paths.into_iter().map(|p| (p.clone(), stamp(&p))).collect())
    }
}

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((meta.modified().ok()?, meta.len(), inode))
}

/// Reloads on SIGHUP and on file changes until `shutdown`. Reading happens in the blocking
/// pool (files, and the CA signatures the trust store verifies).
pub async fn run(
    reloader: Reloader,
    hangup: Option<Hangup>,
    poll: Option<Duration>,
    shutdown: CancellationToken,
) {
    let sources = reloader.files().sources().clone();
    let mut seen = fingerprint(&sources).await;
    let mut settling: Option<Fingerprint> = None;
    let mut hangup = hangup;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = hung_up(&mut hangup) => {
                tracing::info!("SIGHUP: reloading");
                seen = reload(&reloader, &sources).await;
                settling = None;
            }
            _ = sleep(poll) => {
                let now = fingerprint(&sources).await;
                if now == seen {
                    settling = None;
                } else if settling.as_ref() == Some(&now) {
                    tracing::info!("a file changed: reloading");
                    seen = reload(&reloader, &sources).await;
                    settling = None;
                } else {
                    settling = Some(now);
                }
            }
        }
    }
}

/// Reloads; returns the fingerprint taken just before reading, so that a change made while
/// reading is seen by the next look.
async fn reload(reloader: &Reloader, sources: &Sources) -> Fingerprint {
    let before = fingerprint(sources).await;
    let reloader = reloader.clone();
    // The outcome is logged and counted by `reload` itself.
    let _ = tokio::task::spawn_blocking(move || reloader.reload()).await;
    before
}

async fn fingerprint(sources: &Sources) -> Fingerprint {
    let sources = sources.clone();
    tokio::task::spawn_blocking(move || Fingerprint::of(&sources))
        .await
        .unwrap_or(Fingerprint(Vec::new()))
}

async fn sleep(poll: Option<Duration>) {
    match poll {
        Some(every) => tokio::time::sleep(every).await,
        None => std::future::pending().await,
    }
}

/// SIGHUP, registered when the worker starts (before that, SIGHUP would end the process).
pub struct Hangup(#[cfg(unix)] tokio::signal::unix::Signal);

impl Hangup {
    /// Registers for SIGHUP; `None` (logged) where that is not possible.
    pub fn register() -> Option<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::hangup()) {
                Ok(s) => Some(Self(s)),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGHUP; files reload only when they change");
                    None
                }
            }
        }
        #[cfg(not(unix))]
        None
    }
}

async fn hung_up(hangup: &mut Option<Hangup>) {
    #[cfg(unix)]
    if let Some(Hangup(signal)) = hangup {
        if signal.recv().await.is_some() {
            return;
        }
    }
    let _ = hangup;
    std::future::pending::<()>().await
}
