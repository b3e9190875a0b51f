//! Small parsed values of the envelope and the e-request: application id, phone, e-mail,
//! SHA-256 digest, language. Each has a private field and one `parse`.

use std::fmt;

/// Why a value did not parse; one line, naming no personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub &'static str);

/// The portal's request number: 1 to 64 of `A-Z a-z 0-9 - _`. The idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApplicationId(String);

impl ApplicationId {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let ok_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if s.is_empty() || s.len() > 64 || !s.chars().all(ok_char) {
            return Err(ValueError("is not 1 to 64 of A-Z a-z 0-9 - _"));
        }
        Ok(Self(s.to_owned()))
    }
}

impl AsRef<str> for ApplicationId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApplicationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in E.164: `+`, a country code not starting with 0, 8 to 15 digits in all.
/// `Debug` hides it (personal data).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let digits = s
            .strip_prefix('+')
            .ok_or(ValueError("is not E.164: no leading +"))?;
        let well_formed = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !well_formed {
            return Err(ValueError("is not E.164: + and 8 to 15 digits"));
        }
        Ok(Self(s.to_owned()))
    }
}

impl AsRef<str> for Phone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Phone(****)")
    }
}

/// An e-mail address as a mail server would accept it for delivery: ASCII, one `@`, a dot-atom
/// local part of at most 64 characters, a domain of LDH labels with at least one dot.
/// `Debug` hides it (personal data).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        if s.len() > 254 || !s.is_ascii() {
            return Err(ValueError(
                "is not an e-mail address of at most 254 ASCII characters",
            ));
        }
        let (local, domain) = s
            .rsplit_once('@')
            .ok_or(ValueError("is not an e-mail address: no @"))?;
        if !is_dot_atom(local) || local.len() > 64 {
            return Err(ValueError("is not an e-mail address: bad local part"));
        }
        if !is_domain(domain) {
            return Err(ValueError("is not an e-mail address: bad domain"));
        }
        Ok(Self(s.to_owned()))
    }
}

fn is_dot_atom(s: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    let atext = |c: char| c.is_ascii_alphanumeric() || SPECIALS.contains(c);
    !s.is_empty()
        && s.split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atext))
}

fn is_domain(s: &str) -> bool {
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    s.contains('.') && s.len() <= 253 && s.split('.').all(label_ok)
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(****)")
    }
}

/// A SHA-256 digest, given as 64 hexadecimal digits (either case).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256([u8; 32]);

impl Sha256 {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let mut bytes = [0u8; 32];
        if s.len() != 64 || hex::decode_to_slice(s, &mut bytes).is_err() {
            return Err(ValueError("is not 64 hexadecimal digits"));
        }
        Ok(Self(bytes))
    }

    /// The digest of some bytes.
    pub fn digest(data: &[u8]) -> Self {
        use sha2::Digest;
        Self(sha2::Sha256::digest(data).into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({})", self.to_hex())
    }
}

/// The language of every notification to an applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Kk,
    Ru,
    En,
}

impl Language {
    pub const ALL: [Language; 3] = [Self::Kk, Self::Ru, Self::En];

    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s {
            "kk" => Ok(Self::Kk),
            "ru" => Ok(Self::Ru),
            "en" => Ok(Self::En),
            _ => Err(ValueError("is not kk, ru or en")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kk => "kk",
            Self::Ru => "ru",
            Self::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn application_ids() {
        assert!(ApplicationId::parse("TRP-2026-000123").is_ok());
        assert!(ApplicationId::parse(&"a".repeat(64)).is_ok());
        for bad in ["", "TRP 1", "TRP/1", "ТРП-1", &"a".repeat(65)] {
            assert!(ApplicationId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert!(Phone::parse("+77011234567").is_ok());
        for bad in [
            "77011234567",
            "+0701123456",
            "+7701",
            "+7701123456789012",
            "+7 701 123",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            format!("{:?}", Phone::parse("+77011234567").unwrap()),
            "Phone(****)"
        );
    }

    #[test]
    fn emails() {
        for good in ["aziz.karimov@example.org", "a+b@mail.example.kz", "x@a.b"] {
            assert!(Email::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a@b",
            "@example.org",
            "a..b@example.org",
            "a@-x.org",
            "a b@x.org",
            "азиз@example.org",
            "a@example..org",
            "a@",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(!format!("{:?}", Email::parse("a@x.org").unwrap()).contains("x.org"));
    }

    #[test]
    fn digests() {
        let d = Sha256::digest(b"abc");
        assert_eq!(
            d.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Sha256::parse(&d.to_hex().to_uppercase()).unwrap(), d);
        assert!(Sha256::parse(&"g".repeat(64)).is_err());
        assert!(Sha256::parse(&"a".repeat(63)).is_err());
    }

    #[test]
    fn languages() {
        for lang in Language::ALL {
            assert_eq!(Language::parse(lang.as_str()), Ok(lang));
        }
        assert!(Language::parse("kz").is_err());
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,80}") {
            let _ = ApplicationId::parse(&s);
            let _ = Phone::parse(&s);
            let _ = Email::parse(&s);
            let _ = Sha256::parse(&s);
            let _ = Language::parse(&s);
        }
    }
}
