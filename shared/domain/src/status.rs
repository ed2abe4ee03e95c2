//! The card status words of the national system (SOP.md, "Status of a resident's card").
//!
//! Operators and residents know these words from the status look-up, so they are the names
//! on the wire, in the database and on screen. Which status may follow which is one table,
//! [`StatusKartu::next_allowed`]; every change goes through [`StatusKartu::transition`].

#[cfg(feature = "sea-orm")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Where a resident's KTP-el stands. With the `sea-orm` feature, a column type: stored as its
/// word, read back only as one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(rs_type = "String", db_type = "String(StringLen::None)")
)]
pub enum StatusKartu {
    /// Not enrolled yet.
    #[serde(rename = "BELUM_REKAM")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "BELUM_REKAM"))]
    BelumRekam,
    /// Sent For Enrollment: on its way to, or being deduplicated at, the Pusat Data.
    #[serde(rename = "SFE")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "SFE"))]
    Sfe,
    /// Print Ready Record: unique, may be printed.
    #[serde(rename = "PRR")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "PRR"))]
    Prr,
    /// The biometrics match another NIK: needs investigation, no card.
    #[serde(rename = "DUPLICATE_RECORD")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "DUPLICATE_RECORD"))]
    DuplicateRecord,
    #[serde(rename = "CARD_PRINTED")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "CARD_PRINTED"))]
    CardPrinted,
    /// In distribution (S22).
    #[serde(rename = "CARD_SHIPPED")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "CARD_SHIPPED"))]
    CardShipped,
    /// Handed over to the resident with a tanda terima.
    #[serde(rename = "CARD_ACTIVATED")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "CARD_ACTIVATED"))]
    CardActivated,
}

/// A status change the procedures do not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a card cannot go from {from} to {to}")]
pub struct TransitionError {
    pub from: StatusKartu,
    pub to: StatusKartu,
}

/// Why a word is not a status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a card status (BELUM_REKAM, SFE, PRR, DUPLICATE_RECORD, CARD_PRINTED, CARD_SHIPPED, CARD_ACTIVATED)"
)]
pub struct UnknownStatus(pub String);

impl StatusKartu {
    pub const ALL: [StatusKartu; 7] = [
        Self::BelumRekam,
        Self::Sfe,
        Self::Prr,
        Self::DuplicateRecord,
        Self::CardPrinted,
        Self::CardShipped,
        Self::CardActivated,
    ];

    /// The word operators know.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BelumRekam => "BELUM_REKAM",
            Self::Sfe => "SFE",
            Self::Prr => "PRR",
            Self::DuplicateRecord => "DUPLICATE_RECORD",
            Self::CardPrinted => "CARD_PRINTED",
            Self::CardShipped => "CARD_SHIPPED",
            Self::CardActivated => "CARD_ACTIVATED",
        }
    }

    /// The one table of allowed transitions.
    ///
    /// `DUPLICATE_RECORD → SFE`: after the Dinas has investigated a duplicate (a wrong match,
    /// or a corrected enrollment) the record is sent for deduplication again.
    ///
    /// Replacements (S06–S14): `CARD_ACTIVATED → PRR` — the resident's enrollment on record
    /// stands (no new fingerprints), so a replacement's card is print ready as soon as its
    /// berkas reaches the printing desk; `CARD_PRINTED → CARD_ACTIVATED` — a B variant's card
    /// is handed over at the Dinas desk, never shipped.
    pub fn next_allowed(self) -> &'static [StatusKartu] {
        use StatusKartu::*;
        match self {
            BelumRekam => &[Sfe],
            Sfe => &[Prr, DuplicateRecord],
            DuplicateRecord => &[Sfe],
            Prr => &[CardPrinted],
            CardPrinted => &[CardShipped, CardActivated],
            CardShipped => &[CardActivated],
            CardActivated => &[Prr],
        }
    }

    /// `to` if the procedures allow it from `self`.
    pub fn transition(self, to: StatusKartu) -> Result<StatusKartu, TransitionError> {
        if self.next_allowed().contains(&to) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }
}

impl fmt::Display for StatusKartu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StatusKartu {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::StatusKartu::*;
    use super::*;

    #[test]
    fn the_happy_path_is_allowed_step_by_step() {
        let path = [
            BelumRekam,
            Sfe,
            Prr,
            CardPrinted,
            CardShipped,
            CardActivated,
        ];
        for w in path.windows(2) {
            assert_eq!(w[0].transition(w[1]), Ok(w[1]), "{} -> {}", w[0], w[1]);
        }
    }

    #[test]
    fn a_duplicate_goes_back_to_sfe_only() {
        assert_eq!(Sfe.transition(DuplicateRecord), Ok(DuplicateRecord));
        assert_eq!(DuplicateRecord.transition(Sfe), Ok(Sfe));
        assert!(DuplicateRecord.transition(Prr).is_err());
        assert!(DuplicateRecord.transition(CardPrinted).is_err());
    }

    #[test]
    fn skipping_or_going_back_is_refused() {
        for (from, to) in [
            (BelumRekam, Prr),
            (Sfe, CardPrinted),
            (Prr, CardShipped),
            (CardPrinted, Prr),
            (CardActivated, CardShipped),
            (CardActivated, Sfe),
            (CardActivated, CardPrinted),
            (CardShipped, Prr),
            (Prr, Prr),
        ] {
            let err = from.transition(to).unwrap_err();
            assert_eq!(err, TransitionError { from, to });
            assert!(err.to_string().contains(from.as_str()));
        }
    }

    #[test]
    fn exactly_the_table_is_allowed() {
        let allowed: usize = StatusKartu::ALL
            .iter()
            .flat_map(|f| StatusKartu::ALL.iter().map(move |t| (f, t)))
            .filter(|(f, t)| f.transition(**t).is_ok())
            .count();
        assert_eq!(allowed, 9);
    }

    #[test]
    fn a_replacement_starts_from_an_activated_card() {
        // S06–S14: print ready again on the enrollment on record, printed, then shipped (A)
        // or handed over at the Dinas desk (B).
        assert_eq!(CardActivated.transition(Prr), Ok(Prr));
        assert_eq!(CardPrinted.transition(CardActivated), Ok(CardActivated));
        assert!(CardActivated.transition(CardActivated).is_err());
    }

    #[test]
    fn words_round_trip_through_text_and_json() {
        for st in StatusKartu::ALL {
            assert_eq!(st.as_str().parse::<StatusKartu>(), Ok(st));
            let json = serde_json::to_string(&st).unwrap();
            assert_eq!(json, format!("\"{}\"", st.as_str()));
            assert_eq!(serde_json::from_str::<StatusKartu>(&json).unwrap(), st);
        }
        assert!("prr".parse::<StatusKartu>().is_err());
    }
}
