//! `trp-worker import <registry> <file.csv>`: loads a registry from CSV (contract section 9)
//! in one transaction. Every row is validated first; a bad row names its line and column
//! and nothing is loaded. Rows merge on the registry's key (insert, or update where they
//! differ); rows absent from the file stay; loading the same file twice changes nothing.

mod merge;
mod rows;

use deadpool_postgres::Pool;

use super::StoreError;
use rows::Rows;

/// The registries other systems fill, by their names on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registry {
    Biometrics,
    InvalidDocuments,
    MobileCitizens,
    Permits,
}

impl Registry {
    pub const ALL: [Registry; 4] = [
        Self::Biometrics,
        Self::InvalidDocuments,
        Self::MobileCitizens,
        Self::Permits,
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Biometrics => "biometrics",
            Self::InvalidDocuments => "invalid-documents",
            Self::MobileCitizens => "mobile-citizens",
            Self::Permits => "permits",
        }
    }

    /// The header row the file must have, exactly.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Biometrics => &["iin", "fingerprint_record", "registered_on"],
            Self::InvalidDocuments => &["kind", "number", "sha256"],
            Self::MobileCitizens => &["phone", "iin"],
            Self::Permits => &[
                "number",
                "holder_iin",
                "employer_bin",
                "household",
                "valid_from",
                "valid_until",
            ],
        }
    }
}

/// What an import loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows in the file (the header not counted).
    pub rows: u64,
}

/// Why an import loaded nothing. Messages name lines (1-based, the header is line 1) and
/// columns, never a value: registries hold personal data.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The first line is not the header. What it holds instead is left out: a file without
    /// its header starts with a data row.
    #[error("line 1: the header must be `{expected}` (these columns, in this order)")]
    Header { expected: String },
    #[error("line {line}, column {column}: {problem}")]
    Row {
        line: u64,
        column: &'static str,
        problem: String,
    },
    #[error("line {line}: {problem}")]
    Csv { line: u64, problem: String },
    #[error("reading the file: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rows are merged this many at a time (one statement each, all in one transaction).
const CHUNK: usize = 5_000;

/// Reads and validates every row of `reader` as `registry`'s, loading nothing: what
/// [`import`] does before it touches the database (a bad row names its line and column).
pub fn validate(
    registry: Registry,
    reader: impl std::io::Read,
) -> Result<ImportReport, ImportError> {
    let rows = Rows::read(registry, reader)?;
    Ok(ImportReport {
        rows: rows.len() as u64,
    })
}

/// Imports `reader` into `registry`; `progress` is told the rows merged so far.
pub async fn import(
    pool: &Pool,
    registry: Registry,
    reader: impl std::io::Read,
    mut progress: impl FnMut(u64),
) -> Result<ImportReport, ImportError> {
    let rows = Rows::read(registry, reader)?;
    let total = rows.len();
    let mut client = pool.get().await.map_err(StoreError::from)?;
    let tx = client.transaction().await.map_err(StoreError::from)?;
    let mut start = 0;
    while start < total {
        let end = (start + CHUNK).min(total);
        rows.merge(&tx, start..end).await?;
        progress(end as u64);
        start = end;
    }
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(
        registry = registry.name(),
        rows = total,
        "imported a registry"
    );
    Ok(ImportReport { rows: total as u64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Registry::ALL {
            assert_eq!(Registry::parse(r.name()), Some(r));
        }
        assert_eq!(Registry::parse("invalid_documents"), None);
    }
}
