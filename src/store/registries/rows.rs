//! One registry file, read and validated into columns (merged by `merge.rs`).

use std::collections::HashMap;
use time::Date;

use super::{ImportError, Registry};
use crate::domain::ids::{Phone, Sha256};
use crate::domain::iin::{Bin, Iin};
use crate::domain::instant::parse_date;

/// Every row of a file, by column.
pub(super) enum Rows {
    Biometrics {
        iin: Vec<String>,
        record: Vec<String>,
        registered_on: Vec<Date>,
    },
    InvalidDocuments {
        kind: Vec<String>,
        number: Vec<Option<String>>,
        sha256: Vec<Option<Vec<u8>>>,
    },
    MobileCitizens {
        phone: Vec<String>,
        iin: Vec<String>,
    },
    Permits {
        number: Vec<String>,
        holder_iin: Vec<String>,
        employer_bin: Vec<String>,
        household: Vec<bool>,
        valid_from: Vec<Date>,
        valid_until: Vec<Date>,
    },
}

/// One data row being read: its line and fields, named by the registry's columns.
struct Line<'a> {
    line: u64,
    columns: &'static [&'static str],
    record: &'a csv::StringRecord,
}

impl Line<'_> {
    fn bad(&self, column: &'static str, problem: impl Into<String>) -> ImportError {
        ImportError::Row {
            line: self.line,
            column,
            problem: problem.into(),
        }
    }

    /// The field of `column` (the header is checked, so every column exists).
    fn raw(&self, column: &'static str) -> &str {
        let i = self.columns.iter().position(|c| *c == column);
        i.and_then(|i| self.record.get(i)).unwrap_or_default()
    }

    fn text(&self, column: &'static str) -> Result<String, ImportError> {
        match self.raw(column) {
            "" => Err(self.bad(column, "is empty")),
            s => Ok(s.to_owned()),
        }
    }

    fn iin(&self, column: &'static str) -> Result<String, ImportError> {
        Iin::parse(self.raw(column))
            .map(|_| self.raw(column).to_owned())
            .map_err(|e| self.bad(column, format!("is not a valid IIN: {e}")))
    }

    fn bin(&self, column: &'static str) -> Result<String, ImportError> {
        Bin::parse(self.raw(column))
            .map(|b| b.as_string())
            .map_err(|e| self.bad(column, format!("is not a valid BIN: {e}")))
    }

    fn date(&self, column: &'static str) -> Result<Date, ImportError> {
        parse_date(self.raw(column)).ok_or_else(|| self.bad(column, "is not a date YYYY-MM-DD"))
    }

    fn bool(&self, column: &'static str) -> Result<bool, ImportError> {
        match self.raw(column) {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(self.bad(column, "is neither true nor false")),
        }
    }
}

impl Rows {
    fn new(registry: Registry) -> Self {
        match registry {
            Registry::Biometrics => Self::Biometrics {
                iin: Vec::new(),
                record: Vec::new(),
                registered_on: Vec::new(),
            },
            Registry::InvalidDocuments => Self::InvalidDocuments {
                kind: Vec::new(),
                number: Vec::new(),
                sha256: Vec::new(),
            },
            Registry::MobileCitizens => Self::MobileCitizens {
                phone: Vec::new(),
                iin: Vec::new(),
            },
            Registry::Permits => Self::Permits {
                number: Vec::new(),
                holder_iin: Vec::new(),
                employer_bin: Vec::new(),
                household: Vec::new(),
                valid_from: Vec::new(),
                valid_until: Vec::new(),
            },
        }
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Self::Biometrics { iin, .. } => iin.len(),
            Self::InvalidDocuments { kind, .. } => kind.len(),
            Self::MobileCitizens { phone, .. } => phone.len(),
            Self::Permits { number, .. } => number.len(),
        }
    }

    /// Reads and validates a whole file. A key given twice is an error on its second line:
    /// which of the two rows is meant cannot be known.
    pub(super) fn read(
        registry: Registry,
        reader: impl std::io::Read,
    ) -> Result<Self, ImportError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(reader);
        let columns = registry.columns();
        let mut record = csv::StringRecord::new();
        let mut rows = Self::new(registry);
        let mut keys: HashMap<Vec<u8>, u64> = HashMap::new();
        let mut first = true;
        while csv.read_record(&mut record).map_err(csv_error)? {
            let line = record.position().map_or(0, |p| p.line());
            if std::mem::take(&mut first) {
                check_header(columns, &record)?;
                continue;
            }
            let line = Line {
                line,
                columns,
                record: &record,
            };
            let key = rows.push(&line)?;
            if let Some(earlier) = keys.insert(key, line.line) {
                return Err(line.bad(columns[0], format!("repeats the key of line {earlier}")));
            }
        }
        if first {
            return Err(ImportError::Header {
                expected: columns.join(","),
            });
        }
        Ok(rows)
    }

    /// Validates one row, appends it, and returns its registry key.
    fn push(&mut self, l: &Line) -> Result<Vec<u8>, ImportError> {
        match self {
            Self::Biometrics {
                iin,
                record,
                registered_on,
            } => {
                let key = l.iin("iin")?;
                record.push(l.text("fingerprint_record")?);
                registered_on.push(l.date("registered_on")?);
                iin.push(key.clone());
                Ok(key.into_bytes())
            }
            Self::InvalidDocuments {
                kind,
                number,
                sha256,
            } => {
                let k = l.text("kind")?;
                let n = Some(l.raw("number")).filter(|s| !s.is_empty());
                let d = match l.raw("sha256") {
                    "" => None,
                    s => Some(Sha256::parse(s).map_err(|e| l.bad("sha256", e.to_string()))?),
                };
                if n.is_none() && d.is_none() {
                    return Err(l.bad("number", "and sha256 are both empty; one is needed"));
                }
                let key = format!("{k}\u{0}{n:?}\u{0}{:?}", d.map(|d| d.to_hex()));
                kind.push(k);
                number.push(n.map(str::to_owned));
                sha256.push(d.map(|d| d.as_bytes().to_vec()));
                Ok(key.into_bytes())
            }
            Self::MobileCitizens { phone, iin } => {
                let p = Phone::parse(l.raw("phone")).map_err(|e| l.bad("phone", e.to_string()))?;
                iin.push(l.iin("iin")?);
                phone.push(p.as_ref().to_owned());
                Ok(p.as_ref().as_bytes().to_vec())
            }
            Self::Permits {
                number,
                holder_iin,
                employer_bin,
                household,
                valid_from,
                valid_until,
            } => {
                let key = l.text("number")?;
                holder_iin.push(l.iin("holder_iin")?);
                employer_bin.push(l.bin("employer_bin")?);
                household.push(l.bool("household")?);
                let (from, until) = (l.date("valid_from")?, l.date("valid_until")?);
                if until < from {
                    return Err(l.bad("valid_until", "is before valid_from"));
                }
                valid_from.push(from);
                valid_until.push(until);
                number.push(key.clone());
                Ok(key.into_bytes())
            }
        }
    }
}

fn check_header(columns: &[&str], record: &csv::StringRecord) -> Result<(), ImportError> {
    let found: Vec<&str> = record.iter().collect();
    let mut found_joined = found.join(",");
    if let Some(stripped) = found_joined.strip_prefix('\u{feff}') {
        found_joined = stripped.to_owned();
    }
    let expected = columns.join(",");
    if found_joined != expected {
        return Err(ImportError::Header { expected });
    }
    Ok(())
}

fn csv_error(e: csv::Error) -> ImportError {
    let line = e.position().map_or(0, |p| p.line());
    let problem = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} fields, expected {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "is not UTF-8".to_owned(),
        csv::ErrorKind::Io(_) => return ImportError::Io(std::io::Error::other(e.to_string())),
        _ => "cannot be read as CSV".to_owned(),
    };
    ImportError::Csv { line, problem }
}
