//! The AsyncAPI document and the code describe the same messages.

use ktpel_contract::CATALOGUE;
use std::collections::BTreeSet;

fn document() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/asyncapi.yaml");
    std::fs::read_to_string(path).expect("docs/asyncapi.yaml")
}

/// The `name:` values under `components.messages` (the AMQP `type` of each message).
fn documented_types(doc: &str) -> BTreeSet<String> {
    doc.lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("name: "))
        .map(|n| n.trim().to_owned())
        .collect()
}

#[test]
fn contract_matches_asyncapi() {
    let doc = document();
    let documented = documented_types(&doc);
    let in_code: BTreeSet<String> = CATALOGUE.iter().map(|e| (e.message_type)()).collect();
    assert_eq!(
        documented, in_code,
        "docs/asyncapi.yaml and shared/contract list different messages"
    );
    for entry in CATALOGUE {
        assert!(
            doc.contains(&format!("address: {}.", entry.subject)),
            "no channel for subject {} in docs/asyncapi.yaml",
            entry.subject
        );
    }
}

#[test]
fn the_check_would_notice_a_missing_message() {
    let doc = document().replace("name: berkas.refused.v1", "name: berkas.refused.v2");
    let in_code: BTreeSet<String> = CATALOGUE.iter().map(|e| (e.message_type)()).collect();
    assert_ne!(documented_types(&doc), in_code);
}
