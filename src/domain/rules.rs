//! The subspecies rules (`rules.file`): for each of the seven subspecies, the parts and
//! document kinds it requires and the longest permit term. Configuration, not code, so
//! that a ministry order can be followed without a release. Format: `docs/rules.md`.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The seven subspecies of the temporary residence permit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subspecies {
    Employment,
    Business,
    FamilyReunification,
    Study,
    Humanitarian,
    MedicalTreatment,
    ReligiousActivity,
}

impl Subspecies {
    pub const ALL: [Subspecies; 7] = [
        Self::Employment,
        Self::Business,
        Self::FamilyReunification,
        Self::Study,
        Self::Humanitarian,
        Self::MedicalTreatment,
        Self::ReligiousActivity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Employment => "employment",
            Self::Business => "business",
            Self::FamilyReunification => "family_reunification",
            Self::Study => "study",
            Self::Humanitarian => "humanitarian",
            Self::MedicalTreatment => "medical_treatment",
            Self::ReligiousActivity => "religious_activity",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|sub| sub.as_str() == s)
            .ok_or("is not one of the seven subspecies")
    }
}

/// A part of the e-request that a subspecies may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Employer,
    Host,
    Institution,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Employer => "employer",
            Self::Host => "host",
            Self::Institution => "institution",
        }
    }
}

/// What one subspecies requires.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubspeciesRule {
    #[serde(default)]
    pub required_parts: Vec<Part>,
    /// Document kinds required besides the common ones.
    #[serde(default)]
    pub required_documents: Vec<String>,
    /// The longest term: `until` is at most `from` plus this many months, less a day.
    pub max_term_months: u8,
    /// The term may not run past the employment contract's `valid_until` (and the contract
    /// must be given).
    #[serde(default)]
    pub term_within_contract: bool,
}

/// The whole rules file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Recorded with every decision, so a decision can be replayed under the rules it used.
    pub version: String,
    /// Document kinds every subspecies requires (`passport`, `photo`).
    pub common_documents: Vec<String>,
    /// Valid household-work permits an employer may hold (Law "On population migration",
    /// art. 43-2, para. 5: five).
    pub household_quota: u32,
    subspecies: BTreeMap<Subspecies, SubspeciesRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("rules file does not parse: {0}")]
    Syntax(String),
    #[error("rules file has no rules for subspecies {0}")]
    MissingSubspecies(&'static str),
    #[error("rules file: {0}")]
    Invalid(String),
}

impl Rules {
    pub fn parse(toml_text: &str) -> Result<Self, RulesError> {
        let rules: Rules = toml::from_str(toml_text)
            .map_err(|e| RulesError::Syntax(e.message().replace('\n', " ")))?;
        rules.validate()?;
        Ok(rules)
    }

    fn validate(&self) -> Result<(), RulesError> {
        if self.version.trim().is_empty() {
            return Err(RulesError::Invalid("version is empty".into()));
        }
        if !self.common_documents.iter().any(|k| k == "passport") {
            return Err(RulesError::Invalid(
                "common_documents lacks passport".into(),
            ));
        }
        for sub in Subspecies::ALL {
            let rule = self
                .subspecies
                .get(&sub)
                .ok_or(RulesError::MissingSubspecies(sub.as_str()))?;
            if !(1..=120).contains(&rule.max_term_months) {
                return Err(RulesError::Invalid(format!(
                    "{}: max_term_months is not 1 to 120",
                    sub.as_str()
                )));
            }
            if rule.term_within_contract && !rule.required_parts.contains(&Part::Employer) {
                return Err(RulesError::Invalid(format!(
                    "{}: term_within_contract needs the employer part",
                    sub.as_str()
                )));
            }
        }
        Ok(())
    }

    pub fn subspecies(&self, sub: Subspecies) -> &SubspeciesRule {
        // `validate` proved that every subspecies has its rule.
        &self.subspecies[&sub]
    }

    /// Every document kind `sub` requires: the common ones, then its own.
    pub fn required_documents(&self, sub: Subspecies) -> impl Iterator<Item = &str> {
        self.common_documents
            .iter()
            .chain(&self.subspecies(sub).required_documents)
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const SHIPPED: &str = include_str!("../../config/rules.toml");

    #[test]
    fn shipped_rules_match_the_contract_table() {
        let rules = Rules::parse(SHIPPED).unwrap();
        let expect = [
            (
                Subspecies::Employment,
                Some(Part::Employer),
                "employment_contract",
                36,
            ),
            (Subspecies::Business, None, "business_registration", 12),
            (
                Subspecies::FamilyReunification,
                Some(Part::Host),
                "kinship_proof",
                12,
            ),
            (
                Subspecies::Study,
                Some(Part::Institution),
                "enrolment_letter",
                12,
            ),
            (Subspecies::Humanitarian, None, "humanitarian_grounds", 12),
            (Subspecies::MedicalTreatment, None, "clinic_invitation", 6),
            (
                Subspecies::ReligiousActivity,
                None,
                "religious_invitation",
                12,
            ),
        ];
        for (sub, part, kind, months) in expect {
            let rule = rules.subspecies(sub);
            assert_eq!(
                rule.required_parts,
                part.into_iter().collect::<Vec<_>>(),
                "{sub:?}"
            );
            let kinds: Vec<&str> = rules.required_documents(sub).collect();
            assert_eq!(kinds, ["passport", "photo", kind], "{sub:?}");
            assert_eq!(rule.max_term_months, months, "{sub:?}");
            assert_eq!(rule.term_within_contract, sub == Subspecies::Employment);
        }
        assert_eq!(rules.household_quota, 5);
    }

    #[test]
    fn bad_files_are_refused_with_a_named_error() {
        let without_study = SHIPPED.replace("[subspecies.study]", "[subspecies.study_x]");
        assert!(matches!(
            Rules::parse(&without_study),
            Err(RulesError::Syntax(_))
        ));
        let unknown_key = SHIPPED.replace("max_term_months = 6", "max_term_months = 6\nfoo = 1");
        assert!(matches!(
            Rules::parse(&unknown_key),
            Err(RulesError::Syntax(_))
        ));
        let zero = SHIPPED.replace("max_term_months = 6", "max_term_months = 0");
        assert!(matches!(Rules::parse(&zero), Err(RulesError::Invalid(_))));
        let table_start = SHIPPED.find("[subspecies.religious_activity]").unwrap();
        let missing = &SHIPPED[..table_start];
        assert_eq!(
            Rules::parse(missing),
            Err(RulesError::MissingSubspecies("religious_activity"))
        );
        assert!(Subspecies::parse("tourism").is_err());
    }
}
