//! docs/reasons.md and the `ReasonCode` enum list the same codes, with the same checks and
//! grounds.

use std::collections::BTreeSet;

use trp_worker::domain::reason::ReasonCode;

#[test]
fn reasons_doc_lists_every_code_and_no_other() {
    let doc = include_str!("../docs/reasons.md");
    let mut documented = BTreeSet::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let name = cells[1].trim_matches('`');
        let code = ReasonCode::from_name(name).unwrap_or_else(|| panic!("{name} is not a code"));
        assert_eq!(cells[2], code.check().as_str(), "{name}: check");
        assert_eq!(cells[3], code.ground().as_str(), "{name}: ground");
        assert!(documented.insert(code), "{name} twice");
    }
    let all: BTreeSet<ReasonCode> = ReasonCode::ALL.iter().copied().collect();
    assert_eq!(documented, all);
}
