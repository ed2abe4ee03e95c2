//! Routing keys: `<subject>.<prov>.<kab>.<kec>`.
//!
//! The region code travels in the routing key (DESIGN.md), so a Dinas binds only its own
//! kabupaten/kota (`berkas.handoff.operator.32.73.#`) and a kecamatan node needs no knowledge
//! of other sites. Subjects are dot-separated lowercase words such as `berkas.submitted`.

use ktpel_domain::KodeWilayah;
use std::fmt;

/// A validated routing key for the topic exchange.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoutingKey(String);

/// Why a routing key or binding pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingKeyError {
    #[error("routing key subject `{0}` must be lowercase words joined by dots")]
    Subject(String),
    #[error("routing key region: {0}")]
    Region(#[from] ktpel_domain::wilayah::WilayahError),
}

impl RoutingKey {
    /// A key for `subject` about the region `region` (`"32.73.01"` or `"327301"`).
    pub fn regional(subject: &str, region: &str) -> Result<Self, RoutingKeyError> {
        check_subject(subject)?;
        Ok(Self(format!("{subject}.{}", KodeWilayah::parse(region)?)))
    }

    /// A key with no region (national events, replies).
    pub fn global(subject: &str) -> Result<Self, RoutingKeyError> {
        check_subject(subject)?;
        Ok(Self(subject.to_owned()))
    }

    /// The binding pattern for every message of `subject` in `region` and below it:
    /// `("berkas.submitted", Some("32.73"))` gives `berkas.submitted.32.73.#`.
    pub fn binding(subject: &str, region: Option<&str>) -> Result<String, RoutingKeyError> {
        check_subject(subject)?;
        Ok(match region {
            None => format!("{subject}.#"),
            Some(r) => format!("{subject}.{}.#", KodeWilayah::parse(r)?),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The subject of a routing key, without its region (`card.status.32.73.01` →
    /// `card.status`): the words before the first one of digits.
    pub fn subject_of(key: &str) -> &str {
        let mut end = 0;
        for word in key.split('.') {
            if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
                break;
            }
            end += word.len() + 1;
        }
        &key[..end.saturating_sub(1).min(key.len())]
    }

    /// The region a routing key carries (`card.status.32.73.01` → `32.73.01`): what the
    /// broker's topic permissions checked when the sender published it, so a receiver can
    /// trust it more than a region written in the body. Subjects hold no digits, so the region
    /// is what follows the last word.
    pub fn region_of(key: &str) -> Option<KodeWilayah> {
        let start = key
            .split('.')
            .position(|w| w.bytes().all(|b| b.is_ascii_digit()))?;
        let region: Vec<&str> = key.split('.').skip(start).collect();
        KodeWilayah::parse(&region.join(".")).ok()
    }
}

impl fmt::Display for RoutingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_subject(subject: &str) -> Result<(), RoutingKeyError> {
    let word = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    };
    (!subject.is_empty() && subject.split('.').all(word))
        .then_some(())
        .ok_or_else(|| RoutingKeyError::Subject(subject.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regional_keys_carry_the_region_code() {
        let k = RoutingKey::regional("berkas.submitted", "32.73.01").unwrap();
        assert_eq!(k.as_str(), "berkas.submitted.32.73.01");
        let k = RoutingKey::regional("berkas.submitted", "327301").unwrap();
        assert_eq!(k.as_str(), "berkas.submitted.32.73.01");
        let k = RoutingKey::regional("berkas.submitted", "3273011001").unwrap();
        assert_eq!(k.as_str(), "berkas.submitted.32.73.01.1001");
    }

    #[test]
    fn a_key_tells_its_region() {
        let region = |k: &str| RoutingKey::region_of(k).map(|r| r.to_string());
        assert_eq!(
            region("registry.ask_dinas.32.73.01").as_deref(),
            Some("32.73.01")
        );
        assert_eq!(
            region("card.status.32.73.01.1001").as_deref(),
            Some("32.73.01.1001")
        );
        assert_eq!(
            region("pusat_data.enrollment.32.73").as_deref(),
            Some("32.73")
        );
        assert_eq!(region("card.status"), None);
        assert_eq!(region("card.status.32.7"), None);
    }

    #[test]
    fn a_key_tells_its_subject() {
        assert_eq!(
            RoutingKey::subject_of("registry.ask_dinas.32.73.01"),
            "registry.ask_dinas"
        );
        assert_eq!(RoutingKey::subject_of("card.status"), "card.status");
        assert_eq!(RoutingKey::subject_of("card.status.32"), "card.status");
        assert_eq!(RoutingKey::subject_of("32.73"), "");
        assert_eq!(RoutingKey::subject_of(""), "");
    }

    #[test]
    fn a_dinas_binds_its_own_kabupaten() {
        assert_eq!(
            RoutingKey::binding("berkas.submitted", Some("32.73")).unwrap(),
            "berkas.submitted.32.73.#"
        );
        assert_eq!(
            RoutingKey::binding("berkas.submitted", None).unwrap(),
            "berkas.submitted.#"
        );
    }

    #[test]
    fn bad_subjects_and_regions_are_refused() {
        for subject in ["Berkas", "berkas..x", "", "berkas.#"] {
            assert!(
                matches!(
                    RoutingKey::regional(subject, "32"),
                    Err(RoutingKeyError::Subject(_))
                ),
                "{subject}"
            );
        }
        for region in ["3a.73", "327", "#", "32.7"] {
            assert!(
                matches!(
                    RoutingKey::regional("berkas", region),
                    Err(RoutingKeyError::Region(_))
                ),
                "{region}"
            );
        }
    }
}
