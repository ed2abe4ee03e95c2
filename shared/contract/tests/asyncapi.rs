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

/// The official AsyncAPI parser (`@asyncapi/parser`, from npm: `scripts/services.sh tools`
/// installs it under `tests/asyncapi`) on `path`: its exit status and what it printed.
fn parsed_by_asyncapi_parser(path: &std::path::Path) -> (bool, String) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/asyncapi");
    assert!(
        std::path::Path::new(dir)
            .join("node_modules/@asyncapi/parser")
            .exists(),
        "{dir}/node_modules has no @asyncapi/parser (scripts/services.sh tools installs it)"
    );
    let out = std::process::Command::new("node")
        .arg(format!("{dir}/check.mjs"))
        .arg(path)
        .output()
        .expect("node runs (scripts/services.sh tools installs it)");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// A foreign node reads the contract with the AsyncAPI tooling: the document parses with no
/// error and no warning, every `$ref` resolved, an AMQP binding on every channel and
/// operation, the headers and correlation id on every message, and an example of every
/// message that its schema accepts (taken from a run of `ktpel demo` where one was seen).
#[test]
fn the_asyncapi_parser_reads_the_document_without_error_or_warning() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/asyncapi.yaml"
    ));
    let (ok, text) = parsed_by_asyncapi_parser(path);
    assert!(ok, "{text}");
    assert!(text.contains("AsyncAPI 3.0.0"), "{text}");
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("error ") || l.starts_with("warning ")),
        "{text}"
    );
}

/// `document()` with `from` replaced by `to` once, as a file: the check's exit status and
/// what it printed.
fn checked_with(from: &str, to: &str) -> (bool, String) {
    let doc = document();
    assert!(doc.contains(from), "the document holds {from:?}");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("asyncapi.yaml");
    std::fs::write(&path, doc.replacen(from, to, 1)).expect("write the broken copy");
    parsed_by_asyncapi_parser(&path)
}

/// A channel without its AMQP binding (exchange, type, durability) is refused by name: a
/// foreign node could not tell where to publish.
#[test]
fn the_check_refuses_a_channel_without_its_amqp_binding() {
    let (ok, text) = checked_with(
        "    bindings: { $ref: '#/components/channelBindings/ktpel' }\n",
        "",
    );
    assert!(!ok, "{text}");
    assert!(
        text.contains("error contract channel berkasSubmitted has no AMQP binding"),
        "{text}"
    );
}

/// A message without the headers every message carries is refused by name.
#[test]
fn the_check_refuses_a_message_without_its_headers() {
    let (ok, text) = checked_with(
        "      traits: [{ $ref: '#/components/messageTraits/ktpel' }]\n",
        "",
    );
    assert!(!ok, "{text}");
    assert!(
        text.contains("error contract message berkasSubmitted declares no headers"),
        "{text}"
    );
}

/// An example its schema does not accept is refused, with what is wrong.
#[test]
fn the_check_refuses_an_example_that_does_not_match_its_schema() {
    let (ok, text) = checked_with(
        "\"nomor_berkas\": \"327301-",
        "\"nomor_berkas\": 327301, \"x\": \"",
    );
    assert!(!ok, "{text}");
    assert!(
        text.contains("does not match its schema: /nomor_berkas must be string"),
        "{text}"
    );
}

/// The parser check can fail: a message reference to nothing is an error it names.
#[test]
fn the_asyncapi_parser_refuses_a_reference_to_nothing() {
    let (ok, text) = checked_with(
        "#/components/messages/residentAnswer",
        "#/components/messages/tidakAda",
    );
    assert!(!ok, "{text}");
    assert!(
        text.contains("'#/components/messages/tidakAda' does not exist"),
        "{text}"
    );
}
