//! The subspecies rules are configuration: editing the file an operator points `rules.file`
//! at changes the next decision, with no rebuild.

use crate::support;

use support::{config, decide_bytes, facts};
use trp_worker::domain::decision::Outcome;
use trp_worker::domain::reason::ReasonCode;
use trp_worker::domain::sample;
use trp_worker::files::{self, LoadError};

#[test]
fn editing_the_rules_file_changes_the_decision() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.toml");
    let shipped = std::fs::read_to_string(config("rules.toml")).unwrap();
    let document = serde_json::to_vec(&sample::request()).unwrap();

    std::fs::write(&path, &shipped).unwrap();
    let rules = files::load_rules(&path).unwrap();
    let before = decide_bytes(&document, Vec::new(), &facts(), &rules);
    assert_eq!(before.outcome, Outcome::Approved);

    // A ministry order shortens employment permits to six months.
    let edited = shipped.replace("max_term_months = 36", "max_term_months = 6");
    assert_ne!(edited, shipped, "the shipped file has the 36-month line");
    std::fs::write(&path, edited).unwrap();
    let rules = files::load_rules(&path).unwrap();
    let after = decide_bytes(&document, Vec::new(), &facts(), &rules);
    assert_eq!(after.outcome, Outcome::Refused);
    assert_eq!(after.reasons.len(), 1);
    assert_eq!(after.reasons[0].code, ReasonCode::EligibilityTerm);
    assert!(
        after.reasons[0].detail.contains("6 months"),
        "{}",
        after.reasons[0].detail
    );

    // A new required document kind refuses the sample, which does not list it.
    let edited = shipped.replace(
        "required_documents = [\"employment_contract\"]",
        "required_documents = [\"employment_contract\", \"medical_certificate\"]",
    );
    std::fs::write(&path, edited).unwrap();
    let after = decide_bytes(
        &document,
        Vec::new(),
        &facts(),
        &files::load_rules(&path).unwrap(),
    );
    assert_eq!(after.reasons[0].code, ReasonCode::DocumentsMissing);
    assert!(after.reasons[0].detail.contains("medical_certificate"));
}

#[test]
fn a_broken_rules_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.toml");
    std::fs::write(
        &path,
        "version = \"x\"\n[subspecies.tourism]\nmax_term_months = 1\n",
    )
    .unwrap();
    let err = files::load_rules(&path).unwrap_err();
    assert!(matches!(err, LoadError::Rules { .. }));
    assert!(err.to_string().contains("rules.toml"), "{err}");
    let missing = files::load_rules(&dir.path().join("nope.toml")).unwrap_err();
    assert!(matches!(missing, LoadError::Io { .. }));
}
