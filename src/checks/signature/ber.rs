//! A small BER → DER normaliser for CMS from signing tools that stream (indefinite lengths,
//! constructed OCTET STRINGs). The `der` crate reads DER only, so this runs when a DER parse
//! fails. It rewrites lengths and joins segmented OCTET STRINGs; it does not reorder SETs.

/// Deeper nesting than this is refused: CMS with certificates nests about 12 levels.
const MAX_DEPTH: usize = 64;

const OCTET_STRING: u8 = 0x04;
const CONSTRUCTED_OCTET_STRING: u8 = 0x24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BerError {
    #[error("the encoding ends early")]
    Truncated,
    #[error("bytes follow the outermost value")]
    TrailingData,
    #[error("a length is malformed")]
    BadLength,
    #[error("a primitive value has an indefinite length")]
    IndefinitePrimitive,
    #[error("a constructed OCTET STRING holds something other than OCTET STRINGs")]
    BadSegment,
    #[error("values nest more than {MAX_DEPTH} deep")]
    TooDeep,
}

/// Re-encodes one BER value (and nothing after it) as DER lengths.
pub fn to_der(input: &[u8]) -> Result<Vec<u8>, BerError> {
    let mut reader = Reader { bytes: input };
    let value = reader.value(0)?;
    if !reader.bytes.is_empty() {
        return Err(BerError::TrailingData);
    }
    Ok(value.encode())
}

/// A normalised value: identifier octets and DER content.
struct Value {
    identifier: Vec<u8>,
    content: Vec<u8>,
}

impl Value {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.content.len() + self.identifier.len() + 6);
        out.extend_from_slice(&self.identifier);
        push_length(&mut out, self.content.len());
        out.extend_from_slice(&self.content);
        out
    }
}

/// Appends the DER encoding of a definite length `len` (short form below 128, else the
/// long form in as few bytes as it takes).
pub fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    out.push(0x80 | (bytes.len() - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

enum Length {
    Definite(usize),
    Indefinite,
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BerError> {
        if n > self.bytes.len() {
            return Err(BerError::Truncated);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, BerError> {
        Ok(self.take(1)?[0])
    }

    fn identifier(&mut self) -> Result<Vec<u8>, BerError> {
        let first = self.byte()?;
        let mut identifier = vec![first];
        if first & 0x1f == 0x1f {
            // High tag number: base-128 octets until one without the top bit.
            loop {
                let b = self.byte()?;
                identifier.push(b);
                if b & 0x80 == 0 {
                    break;
                }
                if identifier.len() > 6 {
                    return Err(BerError::BadLength);
                }
            }
        }
        Ok(identifier)
    }

    fn length(&mut self) -> Result<Length, BerError> {
        let first = self.byte()?;
        if first < 0x80 {
            return Ok(Length::Definite(usize::from(first)));
        }
        if first == 0x80 {
            return Ok(Length::Indefinite);
        }
        let count = usize::from(first & 0x7f);
        if count > 4 {
            return Err(BerError::BadLength);
        }
        let len = self
            .take(count)?
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        Ok(Length::Definite(len))
    }

    fn at_end_of_contents(&self) -> bool {
        self.bytes.starts_with(&[0, 0])
    }

    fn value(&mut self, depth: usize) -> Result<Value, BerError> {
        if depth > MAX_DEPTH {
            return Err(BerError::TooDeep);
        }
        let identifier = self.identifier()?;
        let constructed = identifier[0] & 0x20 != 0;
        let length = self.length()?;
        if !constructed {
            let Length::Definite(n) = length else {
                return Err(BerError::IndefinitePrimitive);
            };
            let content = self.take(n)?.to_vec();
            return Ok(Value {
                identifier,
                content,
            });
        }
        let children = match length {
            Length::Definite(n) => Reader {
                bytes: self.take(n)?,
            }
            .children(depth)?,
            Length::Indefinite => self.children_until_eoc(depth)?,
        };
        join(identifier, children)
    }

    fn children(&mut self, depth: usize) -> Result<Vec<Value>, BerError> {
        let mut children = Vec::new();
        while !self.bytes.is_empty() {
            children.push(self.value(depth + 1)?);
        }
        Ok(children)
    }

    fn children_until_eoc(&mut self, depth: usize) -> Result<Vec<Value>, BerError> {
        let mut children = Vec::new();
        while !self.at_end_of_contents() {
            if self.bytes.is_empty() {
                return Err(BerError::Truncated);
            }
            children.push(self.value(depth + 1)?);
        }
        self.take(2)?;
        Ok(children)
    }
}

/// A constructed OCTET STRING becomes one primitive OCTET STRING of its segments, as DER
/// requires; any other constructed value keeps its identifier and its children in order.
fn join(identifier: Vec<u8>, children: Vec<Value>) -> Result<Value, BerError> {
    if identifier == [CONSTRUCTED_OCTET_STRING] {
        let mut content = Vec::new();
        for child in children {
            if child.identifier != [OCTET_STRING] {
                return Err(BerError::BadSegment);
            }
            content.extend(child.content);
        }
        return Ok(Value {
            identifier: vec![OCTET_STRING],
            content,
        });
    }
    let content = children.iter().flat_map(Value::encode).collect();
    Ok(Value {
        identifier,
        content,
    })
}

#[cfg(test)]
#[path = "ber_tests.rs"]
mod tests;
