//! The queues `docs/asyncapi.yaml` documents — each service's, with its binding keys — are the
//! queues the services declare, bound to the same keys (for a process that serves every
//! region; a site's service binds the same subjects under its region's code).

use std::collections::BTreeSet;

fn document() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/asyncapi.yaml");
    std::fs::read_to_string(path).expect("docs/asyncapi.yaml")
}

/// The binding keys the document gives queue `queue`: the `x-binding-keys` list of the channel
/// whose queue binding names it.
fn documented_keys(doc: &str, queue: &str) -> Option<BTreeSet<String>> {
    let at = doc.find(&format!("queue: {{ name: {queue},"))?;
    let line = doc[at..]
        .lines()
        .find_map(|l| l.trim().strip_prefix("x-binding-keys:"))?;
    let list = line.trim().strip_prefix('[')?.strip_suffix(']')?;
    Some(
        list.split(',')
            .map(|k| k.trim().trim_matches('\'').to_owned())
            .filter(|k| !k.is_empty())
            .collect(),
    )
}

/// Each service's queue and the keys its router binds, as the services build them.
fn in_code() -> Vec<(&'static str, BTreeSet<String>)> {
    let keys = |b: Vec<String>| b.into_iter().collect::<BTreeSet<_>>();
    let key = ktpel_biometric::seal::SealKey::from_hex(&"ab".repeat(32)).unwrap();
    vec![
        (
            ktpel_intake::startup::QUEUE,
            keys(ktpel_intake::handlers::router(None, Default::default()).bindings()),
        ),
        (
            ktpel_registry::startup::QUEUE,
            keys(
                ktpel_registry::handlers::router(
                    (&ktpel_registry::config::Own::default()).into(),
                    None,
                )
                .bindings(),
            ),
        ),
        (
            ktpel_biometric::startup::QUEUE,
            keys(ktpel_biometric::handlers::router(None, Default::default(), key).bindings()),
        ),
        (
            ktpel_afis_sync::startup::QUEUE,
            keys(ktpel_afis_sync::handlers::router("32.73").bindings()),
        ),
        (
            ktpel_pusat_data::startup::QUEUE,
            keys(
                ktpel_pusat_data::handlers::router(
                    2,
                    ktpel_pusat_data::gallery::Galeri::new(Default::default()),
                )
                .bindings(),
            ),
        ),
        (
            ktpel_card_print::startup::QUEUE,
            keys(
                ktpel_card_print::handlers::router(None, ktpel_card_print::identity::VERIFY_SCORE)
                    .bindings(),
            ),
        ),
        (
            ktpel_distribution::startup::QUEUE,
            keys(ktpel_distribution::handlers::router(None).bindings()),
        ),
    ]
}

#[test]
fn every_service_queue_is_documented_with_its_binding_keys() {
    let doc = document();
    let mut wrong = Vec::new();
    for (queue, keys) in in_code() {
        match documented_keys(&doc, queue) {
            Some(documented) if documented == keys => {}
            documented => wrong.push(format!(
                "{queue}: the code binds {keys:?}, docs/asyncapi.yaml says {documented:?}"
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_check_would_notice_a_key_missing() {
    let doc = document();
    let (queue, keys) = &in_code()[0];
    let first = keys.iter().next().unwrap();
    let without = doc.replacen(&format!("'{first}'"), "'nothing.#'", 1);
    assert_ne!(documented_keys(&without, queue).as_ref(), Some(keys));
}
