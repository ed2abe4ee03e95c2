//! `card_print_job`: one card to make, from "waiting for data" to "approved" — one per berkas
//! and resident (a first card, or a replacement).

use sea_orm::{QuerySelect, entity::prelude::*};

/// The row as the desk works with it. The printed face (`face_png`, the print preview, some
/// 9 KB of PNG) is a column of the table but not of the model: written once when the card is
/// printed ([`advance`], at S21.3 or in one sitting) and read only by [`face`], it would otherwise be read and returned with
/// every later step's `SELECT` and `UPDATE … RETURNING`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "card_print_job")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomor_berkas: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub nik: String,
    /// From `enrollment.created`: the photo digest and the index templates (base64).
    pub photo_sha256: Option<String>,
    pub right_index: Option<String>,
    pub left_index: Option<String>,
    /// The Pusat Data said PRR.
    pub print_ready: bool,
    /// SIAK's biodata (JSON), once it answered.
    pub biodata: Option<Json>,
    pub state: JobState,
    #[sea_orm(column_type = "Blob", nullable)]
    pub chip: Option<Vec<u8>>,
    pub encoded_by: Option<String>,
    pub printed_by: Option<String>,
    pub verified_by: Option<String>,
    pub approved_by: Option<String>,
    pub updated_at: DateTimeUtc,
    /// The card's number in the register, given when its chip is encoded (S21.2).
    pub nomor_kartu: Option<String>,
    /// A replacement's routing slip (section C), handed on once the kepala_seksi approved.
    pub slip: Option<Json>,
}

/// Where a card is in S21, as the `state` column holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum JobState {
    /// Enrollment, PRR or biodata still missing.
    #[sea_orm(string_value = "WAITING")]
    Waiting,
    /// In the print queue.
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    /// S21.2: chip written.
    #[sea_orm(string_value = "ENCODED")]
    Encoded,
    /// S21.3: face printed.
    #[sea_orm(string_value = "PRINTED")]
    Printed,
    /// S21.4: chip read back and matched to the register.
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
    /// Checked by the kepala_seksi: `CARD_PRINTED`.
    #[sea_orm(string_value = "APPROVED")]
    Approved,
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_value())
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The column of the printed face, outside the model.
fn face_png() -> sea_orm::sea_query::Alias {
    sea_orm::sea_query::Alias::new("face_png")
}

/// What a step of S21 records on the card it moves on: who did it, what it made. `None`
/// leaves a column as it was.
#[derive(Debug, Default)]
pub struct Advance {
    pub nomor_kartu: Option<String>,
    pub chip: Option<Vec<u8>>,
    pub encoded_by: Option<String>,
    /// S21.3: the printed face, kept outside the model.
    pub face_png: Option<Vec<u8>>,
    pub printed_by: Option<String>,
    pub verified_by: Option<String>,
}

/// Moves the card of `nomor_berkas` and `nik` from `from` to `to` with `record`, in one
/// statement (no `RETURNING`: the face does not come back). The statement finds nothing to
/// change when the card is no longer `from` — another desk took the step first — so two desks
/// taking one step at once cannot both take it. Returns whether the card moved.
pub async fn advance<C: ConnectionTrait>(
    db: &C,
    nomor_berkas: &str,
    nik: &str,
    (from, to): (JobState, JobState),
    record: Advance,
) -> Result<bool, DbErr> {
    let mut update = Entity::update_many()
        .col_expr(Column::State, Expr::value(to))
        .col_expr(Column::UpdatedAt, Expr::value(chrono::Utc::now()));
    if let Some(n) = record.nomor_kartu {
        update = update.col_expr(Column::NomorKartu, Expr::value(n));
    }
    if let Some(chip) = record.chip {
        update = update.col_expr(Column::Chip, Expr::value(chip));
    }
    if let Some(by) = record.encoded_by {
        update = update.col_expr(Column::EncodedBy, Expr::value(by));
    }
    if let Some(png) = record.face_png {
        update = update.col_expr(face_png(), Expr::value(png));
    }
    if let Some(by) = record.printed_by {
        update = update.col_expr(Column::PrintedBy, Expr::value(by));
    }
    if let Some(by) = record.verified_by {
        update = update.col_expr(Column::VerifiedBy, Expr::value(by));
    }
    let done = update
        .filter(Column::NomorBerkas.eq(nomor_berkas))
        .filter(Column::Nik.eq(nik))
        .filter(Column::State.eq(from))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The printed face of the card of `nomor_berkas` and `nik`, once it was printed.
pub async fn face<C: ConnectionTrait>(
    db: &C,
    nomor_berkas: &str,
    nik: &str,
) -> Result<Option<Vec<u8>>, DbErr> {
    let row = Entity::find()
        .select_only()
        .column_as(Expr::col(face_png()), "face_png")
        .filter(Column::NomorBerkas.eq(nomor_berkas))
        .filter(Column::Nik.eq(nik))
        .into_tuple::<Option<Vec<u8>>>()
        .one(db)
        .await?;
    Ok(row.flatten())
}
