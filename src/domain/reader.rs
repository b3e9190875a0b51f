//! A small reader over a JSON object that remembers where it is, so that every error names
//! the field (`applicant.passport.expires_on`) and none echoes the value it found.

use std::fmt;

use serde_json::{Map, Value};
use time::Date;

use super::instant::parse_date;

/// A field that is missing or not of its form: one line, `path what`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path} {what}")]
pub struct ReadError {
    pub path: String,
    pub what: String,
}

/// A JSON object and the dotted path that leads to it.
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    pub fn root(value: &'a Value) -> Result<Self, ReadError> {
        match value {
            Value::Object(map) => Ok(Self {
                map,
                path: String::new(),
            }),
            _ => Err(ReadError {
                path: "the document".into(),
                what: "is not a JSON object".into(),
            }),
        }
    }

    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.path)
    }

    /// An error about `key` of this object.
    pub fn invalid(&self, key: &str, what: impl fmt::Display) -> ReadError {
        ReadError {
            path: self.name(key),
            what: what.to_string(),
        }
    }

    /// The value at `key`; JSON `null` counts as absent.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn required(&self, key: &str) -> Result<&'a Value, ReadError> {
        self.get(key).ok_or_else(|| self.invalid(key, "is missing"))
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ReadError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.invalid(key, "is not a string")),
        }
    }

    pub fn str(&self, key: &str) -> Result<&'a str, ReadError> {
        self.opt_str(key)?
            .ok_or_else(|| self.invalid(key, "is missing"))
    }

    /// A string with something in it besides white space.
    pub fn non_empty(&self, key: &str) -> Result<&'a str, ReadError> {
        let s = self.str(key)?;
        if s.trim().is_empty() {
            return Err(self.invalid(key, "is empty"));
        }
        Ok(s)
    }

    pub fn opt_parse<T, E: fmt::Display>(
        &self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ReadError> {
        self.opt_str(key)?
            .map(|s| parse(s).map_err(|e| self.invalid(key, e)))
            .transpose()
    }

    pub fn parse<T, E: fmt::Display>(
        &self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ReadError> {
        self.opt_parse(key, parse)?
            .ok_or_else(|| self.invalid(key, "is missing"))
    }

    pub fn date(&self, key: &str) -> Result<Date, ReadError> {
        self.parse(key, |s| parse_date(s).ok_or("is not a date YYYY-MM-DD"))
    }

    pub fn bool(&self, key: &str) -> Result<bool, ReadError> {
        match self.required(key)? {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.invalid(key, "is not true or false")),
        }
    }

    pub fn opt_obj(&self, key: &str) -> Result<Option<Obj<'a>>, ReadError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                map,
                path: format!("{}.", self.name(key)),
            })),
            Some(_) => Err(self.invalid(key, "is not an object")),
        }
    }

    pub fn obj(&self, key: &str) -> Result<Obj<'a>, ReadError> {
        self.opt_obj(key)?
            .ok_or_else(|| self.invalid(key, "is missing"))
    }

    pub fn arr(&self, key: &str) -> Result<&'a [Value], ReadError> {
        match self.required(key)? {
            Value::Array(items) => Ok(items),
            _ => Err(self.invalid(key, "is not a list")),
        }
    }

    /// A list of objects, each with its index in its path (`documents[2].kind`).
    pub fn objs(&self, key: &str) -> Result<Vec<Obj<'a>>, ReadError> {
        let name = self.name(key);
        self.arr(key)?
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(map) => Ok(Obj {
                    map,
                    path: format!("{name}[{i}]."),
                }),
                _ => Err(ReadError {
                    path: format!("{name}[{i}]"),
                    what: "is not an object".into(),
                }),
            })
            .collect()
    }
}
