//! `pusat_data_adjudikasi`: an enrollment the matcher could not decide alone — perhaps the
//! person on record under `other_nik` — waiting for an adjudicator, and what they decided.

use ktpel_contract::enrollment::{EnrollmentRecord, Finger};
use ktpel_domain::StatusKartu;
use sea_orm::{FromJsonQueryResult, entity::prelude::*};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pusat_data_adjudikasi")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub enrollment_id: Uuid,
    pub nik: String,
    /// Whom the matcher found the fingers most like.
    pub other_nik: String,
    pub scores: Scores,
    /// The enrollment as it arrived: what is filed if it is found to be another person.
    pub record: Record,
    /// Where the card's status goes (the kecamatan that took the berkas).
    pub region: String,
    pub opened_at: DateTimeUtc,
    /// `PRR` (another person) or `DUPLICATE_RECORD` (the same); none while open.
    pub decision: Option<StatusKartu>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    /// Whether the running matcher has taken in the fingers of a case decided `PRR`.
    pub in_gallery: bool,
}

/// Each compared finger's Bozorth3 score, the highest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Scores(pub Vec<(Finger, u32)>);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Record(pub EnrollmentRecord);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
