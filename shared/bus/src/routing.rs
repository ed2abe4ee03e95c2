//! Routing keys: `<subject>.<prov>.<kab>.<kec>`.
//!
//! The region code travels in the routing key (DESIGN.md), so a Dinas binds only its own
//! kabupaten/kota (`berkas.operator.32.73.#`) and a kecamatan node needs no knowledge of other
//! sites. Subjects are dot-separated words such as `berkas.operator` or `enrollment.created`.

use std::fmt;

/// A validated routing key for the topic exchange.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoutingKey(String);

/// Why a routing key or binding pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingKeyError {
    #[error("routing key subject `{0}` must be lowercase words joined by dots")]
    Subject(String),
    #[error("region code `{0}` must be digits in groups (32, 32.73, 32.73.01)")]
    Region(String),
}

impl RoutingKey {
    /// A key for `subject` about the region `region` (`"32.73.01"` or `"327301"`).
    pub fn regional(subject: &str, region: &str) -> Result<Self, RoutingKeyError> {
        check_subject(subject)?;
        let groups = region_groups(region)?;
        Ok(Self(format!("{subject}.{}", groups.join("."))))
    }

    /// A key with no region (national events, replies).
    pub fn global(subject: &str) -> Result<Self, RoutingKeyError> {
        check_subject(subject)?;
        Ok(Self(subject.to_owned()))
    }

    /// The binding pattern for every message of `subject` in `region` and below it:
    /// `("berkas.operator", "32.73")` gives `berkas.operator.32.73.#`.
    pub fn binding(subject: &str, region: Option<&str>) -> Result<String, RoutingKeyError> {
        check_subject(subject)?;
        Ok(match region {
            None => format!("{subject}.#"),
            Some(r) => format!("{subject}.{}.#", region_groups(r)?.join(".")),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RoutingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_subject(subject: &str) -> Result<(), RoutingKeyError> {
    let ok = !subject.is_empty()
        && subject.split('.').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        });
    ok.then_some(())
        .ok_or_else(|| RoutingKeyError::Subject(subject.to_owned()))
}

/// Splits `32.73.01` or `327301` into `["32", "73", "01"]`.
fn region_groups(region: &str) -> Result<Vec<&str>, RoutingKeyError> {
    let bad = || RoutingKeyError::Region(region.to_owned());
    let groups: Vec<&str> = if region.contains('.') {
        region.split('.').collect()
    } else {
        if region.len() % 2 != 0 && region.len() != 10 {
            return Err(bad());
        }
        let (head, desa) = region.split_at(region.len().min(6));
        let mut g: Vec<&str> = head
            .as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect();
        if !desa.is_empty() {
            g.push(desa);
        }
        g
    };
    let valid = !groups.is_empty()
        && groups.len() <= 4
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
    valid.then_some(groups).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regional_keys_carry_the_region_code() {
        let k = RoutingKey::regional("berkas.operator", "32.73.01").unwrap();
        assert_eq!(k.as_str(), "berkas.operator.32.73.01");
        let k = RoutingKey::regional("berkas.operator", "327301").unwrap();
        assert_eq!(k.as_str(), "berkas.operator.32.73.01");
        let k = RoutingKey::regional("berkas.operator", "3273011001").unwrap();
        assert_eq!(k.as_str(), "berkas.operator.32.73.01.1001");
    }

    #[test]
    fn a_dinas_binds_its_own_kabupaten() {
        assert_eq!(
            RoutingKey::binding("berkas.operator", Some("32.73")).unwrap(),
            "berkas.operator.32.73.#"
        );
        assert_eq!(
            RoutingKey::binding("berkas.operator", None).unwrap(),
            "berkas.operator.#"
        );
    }

    #[test]
    fn bad_subjects_and_regions_are_refused() {
        assert!(matches!(
            RoutingKey::regional("Berkas", "32"),
            Err(RoutingKeyError::Subject(_))
        ));
        assert!(matches!(
            RoutingKey::regional("berkas..x", "32"),
            Err(RoutingKeyError::Subject(_))
        ));
        assert!(matches!(
            RoutingKey::regional("berkas", "3a.73"),
            Err(RoutingKeyError::Region(_))
        ));
        assert!(matches!(
            RoutingKey::regional("berkas", "327"),
            Err(RoutingKeyError::Region(_))
        ));
        assert!(matches!(
            RoutingKey::regional("berkas", "#"),
            Err(RoutingKeyError::Region(_))
        ));
    }
}
