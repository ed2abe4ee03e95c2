//! `card_print_foto`: the pas photo and the signature a card's face shows, per berkas and
//! resident. Kept apart from the job so that the desk's steps, which read and write the job
//! row, do not carry kilobytes of image each time; read only when a face is drawn.

use sea_orm::{ActiveValue::Set, entity::prelude::*, sea_query::OnConflict};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "card_print_foto")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomor_berkas: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub nik: String,
    /// The pas photo, PNG, as the station sealed it.
    #[sea_orm(column_type = "Blob", nullable)]
    pub pas_foto: Option<Vec<u8>>,
    /// The signature pad's trace.
    #[sea_orm(column_type = "Blob", nullable)]
    pub tanda_tangan: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What the face of the card of `nomor_berkas` and `nik` shows beside the text; nothing kept
/// is `None` (a job from before the photo travelled, or a card made from the record a move
/// handed on).
pub async fn of<C: ConnectionTrait>(
    db: &C,
    nomor_berkas: &str,
    nik: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id((nomor_berkas.to_owned(), nik.to_owned()))
        .one(db)
        .await
}

/// Keeps the photo and signature of a card; a copy heard again replaces them with the same.
pub async fn keep<C: ConnectionTrait>(
    db: &C,
    nomor_berkas: &str,
    nik: &str,
    pas_foto: Option<Vec<u8>>,
    tanda_tangan: Option<Vec<u8>>,
) -> Result<(), DbErr> {
    if pas_foto.is_none() && tanda_tangan.is_none() {
        return Ok(());
    }
    Entity::insert(ActiveModel {
        nomor_berkas: Set(nomor_berkas.to_owned()),
        nik: Set(nik.to_owned()),
        pas_foto: Set(pas_foto),
        tanda_tangan: Set(tanda_tangan),
    })
    .on_conflict(
        OnConflict::columns([Column::NomorBerkas, Column::Nik])
            .update_columns([Column::PasFoto, Column::TandaTangan])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
