//! The roles of the SOP's people, and the desks each may work at.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Who an account is: one of the SOP's roles at a site. Stored as its word.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(sea_orm::sea_query::StringLen::None)"
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Petugas pelayanan at a counter: receives and hands back the berkas (S01.1, S01.7).
    #[sea_orm(string_value = "ppp")]
    Ppp,
    /// The enrollment station's operator (S01.3–S01.6).
    #[sea_orm(string_value = "operator")]
    Operator,
    /// The one person of a mobile unit, counter and station both (S03).
    #[sea_orm(string_value = "operator_mobile")]
    OperatorMobile,
    /// SIAK data entry at the Dinas (S04–S07, S13–S18).
    #[sea_orm(string_value = "siak")]
    Siak,
    /// The print operator (S21).
    #[sea_orm(string_value = "cetak")]
    Cetak,
    /// Checks printed cards against the berkas and approves them (S21).
    #[sea_orm(string_value = "kepala_seksi")]
    KepalaSeksi,
    /// Carries cards to the kecamatan and hands them over (S22).
    #[sea_orm(string_value = "distribusi")]
    Distribusi,
    /// Dinas operations: the NID Scheduler, S20 backups.
    #[sea_orm(string_value = "ops")]
    Ops,
    /// At the Pusat Data: decides the enrollments the fingerprint matcher could not (the
    /// same person under another NIK, or another person).
    #[sea_orm(string_value = "adjudikator")]
    Adjudikator,
    /// Manages the accounts; may work at every desk.
    #[sea_orm(string_value = "admin")]
    Admin,
}

/// A desk in the browser: one page per place a person works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Desk {
    Loket,
    Perekaman,
    Siak,
    Cetak,
    Distribusi,
    Ops,
    /// The Pusat Data's adjudication of fingerprint matches.
    Adjudikasi,
    /// The site's accounts (the admin's).
    Akun,
}

impl Desk {
    pub const ALL: [Desk; 8] = [
        Desk::Loket,
        Desk::Perekaman,
        Desk::Siak,
        Desk::Cetak,
        Desk::Distribusi,
        Desk::Ops,
        Desk::Adjudikasi,
        Desk::Akun,
    ];

    /// The desk's address.
    pub fn path(self) -> &'static str {
        match self {
            Self::Loket => "/loket",
            Self::Perekaman => "/perekaman",
            Self::Siak => "/siak",
            Self::Cetak => "/cetak",
            Self::Distribusi => "/distribusi",
            Self::Ops => "/ops",
            Self::Adjudikasi => "/adjudikasi",
            Self::Akun => "/akun",
        }
    }

    /// Its name on the page.
    pub fn title(self) -> &'static str {
        match self {
            Self::Loket => "Loket pelayanan",
            Self::Perekaman => "Perekaman",
            Self::Siak => "SIAK",
            Self::Cetak => "Pencetakan",
            Self::Distribusi => "Distribusi",
            Self::Ops => "Operasional",
            Self::Adjudikasi => "Adjudikasi",
            Self::Akun => "Akun pengguna",
        }
    }
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Ppp,
        Role::Operator,
        Role::OperatorMobile,
        Role::Siak,
        Role::Cetak,
        Role::KepalaSeksi,
        Role::Distribusi,
        Role::Ops,
        Role::Adjudikator,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ppp => "ppp",
            Self::Operator => "operator",
            Self::OperatorMobile => "operator_mobile",
            Self::Siak => "siak",
            Self::Cetak => "cetak",
            Self::KepalaSeksi => "kepala_seksi",
            Self::Distribusi => "distribusi",
            Self::Ops => "ops",
            Self::Adjudikator => "adjudikator",
            Self::Admin => "admin",
        }
    }

    /// Whether this role works at `desk`. A mobile unit's one person is counter and station
    /// both (S03); the admin may work everywhere.
    pub fn may_use(self, desk: Desk) -> bool {
        matches!(
            (self, desk),
            (Self::Admin, _)
                | (Self::Ppp | Self::OperatorMobile, Desk::Loket)
                | (Self::Operator | Self::OperatorMobile, Desk::Perekaman)
                | (Self::Siak, Desk::Siak)
                | (Self::Cetak | Self::KepalaSeksi, Desk::Cetak)
                // The kecamatan's ppp signs for the batch and hands the cards over (S22.3–S22.4).
                | (Self::Distribusi | Self::Ppp, Desk::Distribusi)
                | (Self::Ops, Desk::Ops)
                | (Self::Adjudikator, Desk::Adjudikasi)
        )
    }

    /// The desks this role works at, in the order of the SOP.
    pub fn desks(self) -> impl Iterator<Item = Desk> {
        Desk::ALL.into_iter().filter(move |d| self.may_use(*d))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Why a text is not a role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role `{0}`: one of ppp, operator, operator_mobile, siak, cetak, kepala_seksi, distribusi, ops, adjudikator, admin"
)]
pub struct UnknownRole(pub String);

impl UnknownRole {
    /// The reason in Bahasa Indonesia, for the accounts page.
    pub fn pesan(&self) -> String {
        format!(
            "peran `{}` tidak dikenal: salah satu dari ppp, operator, operator_mobile, siak, cetak, kepala_seksi, distribusi, ops, adjudikator, admin",
            self.0
        )
    }
}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(UnknownRole(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_back_from_its_word() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert_eq!("kepala-seksi".parse::<Role>(), Ok(Role::KepalaSeksi));
        assert!("lurah".parse::<Role>().is_err());
    }

    #[test]
    fn a_role_works_only_at_its_own_desks() {
        assert_eq!(
            Role::Ppp.desks().collect::<Vec<_>>(),
            [Desk::Loket, Desk::Distribusi]
        );
        assert_eq!(
            Role::OperatorMobile.desks().collect::<Vec<_>>(),
            [Desk::Loket, Desk::Perekaman]
        );
        assert!(!Role::Operator.may_use(Desk::Loket));
        assert!(!Role::Cetak.may_use(Desk::Ops));
        assert_eq!(Role::Admin.desks().count(), Desk::ALL.len());
        // Every desk of the SOP has somebody besides the admin; the accounts are the admin's.
        assert_eq!(Role::Ops.desks().collect::<Vec<_>>(), [Desk::Ops]);
        for d in Desk::ALL.into_iter().filter(|d| *d != Desk::Akun) {
            assert!(Role::ALL.iter().any(|r| *r != Role::Admin && r.may_use(d)));
        }
    }
}
