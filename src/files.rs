//! Reading configuration files from disk: the edge where files become domain values and
//! the trust store's bytes.
//!
//! The domain and the checks parse text and bytes; this module only finds the files, reads
//! them and names the file in every error, so an operator knows which one to fix.

use std::path::{Path, PathBuf};

use crate::checks::signature::TrustError;
use crate::domain::calendar::{Calendar, CalendarError, YearCalendar};
use crate::domain::rules::{Rules, RulesError};

/// Why configuration could not be loaded. Each message is one line that names the file or
/// directory, followed by what is wrong in it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {error}", .path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: {error}", .path.display())]
    Calendar { path: PathBuf, error: CalendarError },
    #[error("{}: the file is named for {stem} but says `year = {year}`", .path.display())]
    CalendarName {
        path: PathBuf,
        stem: String,
        year: i32,
    },
    #[error("calendar directory {}: {error}", .path.display())]
    CalendarDir { path: PathBuf, error: CalendarError },
    #[error("{}: {error}", .path.display())]
    Rules { path: PathBuf, error: RulesError },
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|error| LoadError::Io {
        path: path.to_path_buf(),
        error,
    })
}

/// Loads the subspecies rules (`rules.file`).
pub fn load_rules(path: &Path) -> Result<Rules, LoadError> {
    Rules::parse(&read(path)?).map_err(|error| LoadError::Rules {
        path: path.to_path_buf(),
        error,
    })
}

/// Loads every `*.toml` file in `dir` (one a year, named `<year>.toml`) into a [`Calendar`].
/// Files are read in name order so that any error is reported the same way on every run.
pub fn load_calendar_dir(dir: &Path) -> Result<Calendar, LoadError> {
    let mut years = Vec::new();
    for path in toml_files(dir)? {
        let text = read(&path)?;
        let year = YearCalendar::parse(&text).map_err(|error| LoadError::Calendar {
            path: path.clone(),
            error,
        })?;
        check_name(&path, &year)?;
        years.push(year);
    }
    Calendar::from_years(years).map_err(|error| LoadError::CalendarDir {
        path: dir.to_path_buf(),
        error,
    })
}

/// The `*.toml` files directly in `dir`, sorted by name.
fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io_error = |error| LoadError::Io {
        path: dir.to_path_buf(),
        error,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The bytes of each file `setting` names (`signature.trust_anchors`, `signature.crls`,
/// `signature.tsa_trust_anchors`), each with its name for the checks' error messages; an
/// error names the setting and the file.
pub fn read_each(
    setting: &'static str,
    paths: &[PathBuf],
) -> Result<Vec<(String, Vec<u8>)>, TrustError> {
    paths
        .iter()
        .map(|path| {
            let name = path.display().to_string();
            std::fs::read(path)
                .map(|bytes| (name.clone(), bytes))
                .map_err(|e| TrustError::new(setting, &name, format!("cannot read: {e}")))
        })
        .collect()
}

/// The signers' trust store from anchor and CRL files alone, with the default policies (no
/// TSA, a CA without a CRL waits): for tests and benchmarks. The worker builds its store
/// with its TSAs and policies in [`crate::reload::Sources::trust`].
#[cfg(any(test, feature = "testkit"))]
pub fn trust_store(
    anchors: &[PathBuf],
    crls: &[PathBuf],
) -> Result<crate::checks::signature::TrustStore, TrustError> {
    use crate::checks::signature::trust::{ANCHORS_SETTING, CRLS_SETTING};
    crate::checks::signature::TrustStore::from_pem_and_crls(
        &read_each(ANCHORS_SETTING, anchors)?,
        &read_each(CRLS_SETTING, crls)?,
    )
}

/// A file named for one year but holding another is most likely a copy edited half-way, so
/// it is refused rather than silently used for the year it states.
fn check_name(path: &Path, year: &YearCalendar) -> Result<(), LoadError> {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    if stem == year.year().to_string() {
        return Ok(());
    }
    Err(LoadError::CalendarName {
        path: path.to_path_buf(),
        stem: stem.into_owned(),
        year: year.year(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let path = std::env::temp_dir().join(format!("trp-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).expect("temp dir");
            TempDir(path)
        }

        fn write(&self, name: &str, text: &str) {
            std::fs::write(self.0.join(name), text).expect("write");
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const HEAD_2026: &str = "year = 2026\nversion = \"v\"\nsource = \"s\"\n";

    #[test]
    fn the_shipped_calendar_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/calendar");
        let calendar = load_calendar_dir(&dir).expect("shipped files load");
        assert_eq!(calendar.years().collect::<Vec<_>>(), [2026, 2027]);
    }

    #[test]
    fn other_files_are_ignored() {
        let dir = TempDir::new("calendar-ignore");
        dir.write("2026.toml", HEAD_2026);
        dir.write("README.md", "not a calendar");
        let calendar = load_calendar_dir(&dir.0).expect("loads");
        assert_eq!(calendar.version(), "2026:v");
    }

    #[test]
    fn a_bad_file_is_named() {
        let dir = TempDir::new("calendar-bad");
        dir.write(
            "2026.toml",
            "year = 2026\nversion = \"v\"\nsource = \"s\"\nholidays = []\n",
        );
        let error = load_calendar_dir(&dir.0).unwrap_err().to_string();
        assert!(
            error.contains("2026.toml: line 4: unknown field `holidays`"),
            "{error}"
        );
    }

    #[test]
    fn a_file_named_for_another_year_is_refused() {
        let dir = TempDir::new("calendar-name");
        dir.write("2027.toml", HEAD_2026);
        let error = load_calendar_dir(&dir.0).unwrap_err();
        assert!(
            matches!(error, LoadError::CalendarName { year: 2026, .. }),
            "{error}"
        );
    }

    #[test]
    fn an_empty_or_missing_directory_is_an_error() {
        let dir = TempDir::new("calendar-empty");
        let empty = load_calendar_dir(&dir.0).unwrap_err();
        assert!(matches!(
            empty,
            LoadError::CalendarDir {
                error: CalendarError::NoYears,
                ..
            }
        ));
        let missing = load_calendar_dir(&dir.0.join("nowhere")).unwrap_err();
        assert!(matches!(missing, LoadError::Io { .. }), "{missing}");
    }
}
