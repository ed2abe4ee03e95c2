//! `ktpel demo --documents DIR`: the papers of every berkas the demo ran, one folder per
//! berkas (`DIR/<nomor berkas>/`), each made from what the services stored, as the desks
//! print them: the salinan permohonan, the bukti perekaman, the Berita Acara of the batch
//! that carried its card, and the tanda terima of each card handed over.

use super::{DemoError, first_cards::Desks};
use crate::file;
use ktpel_distribution::store::{batch, kartu};
use ktpel_intake::store::berkas;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::{
    collections::{HashMap, hash_map::Entry},
    path::Path,
};

/// Writes the papers; returns how many berkas got a folder.
pub(crate) async fn write_all(desks: &Desks, dir: &Path) -> Result<usize, DemoError> {
    file::create_dir_all(dir)?;
    let mut folders = 0;
    // A batch's Berita Acara lists every card of the batch: made once, filed with each berkas.
    let mut berita_acara: HashMap<uuid::Uuid, Vec<u8>> = HashMap::new();
    for intake in &desks.intake {
        for b in berkas::Entity::find().all(intake).await? {
            let folder = dir.join(&b.nomor_berkas);
            file::create_dir_all(&folder)?;
            folders += 1;
            if let Some(salinan) = ktpel_intake::papers::salinan(intake, &b.nomor_berkas).await? {
                write(&folder.join("salinan-permohonan.pdf"), salinan.pdf())?;
            }
            for biometric in &desks.biometric {
                if let Some(bukti) =
                    ktpel_biometric::papers::bukti(biometric, &b.nomor_berkas).await?
                {
                    write(&folder.join("bukti-perekaman.pdf"), bukti.pdf())?;
                    break;
                }
            }
            let cards = kartu::Entity::find()
                .filter(kartu::Column::NomorBerkas.eq(b.nomor_berkas.clone()))
                .all(&desks.distribution)
                .await?;
            for c in &cards {
                if let Some(paper) = ktpel_distribution::berita_acara::tanda_terima(c) {
                    write(
                        &folder.join(format!("tanda-terima-{}.pdf", c.nik)),
                        paper.pdf(),
                    )?;
                }
            }
            for id in cards.iter().filter_map(|k| k.batch_id) {
                if let Entry::Vacant(slot) = berita_acara.entry(id) {
                    let Some(batch) = batch::Entity::find_by_id(id)
                        .one(&desks.distribution)
                        .await?
                    else {
                        continue;
                    };
                    slot.insert(
                        ktpel_distribution::berita_acara::pdf(&desks.distribution, &batch).await?,
                    );
                }
                let name = format!("berita-acara-{}.pdf", id.simple());
                file::write(&folder.join(name), &berita_acara[&id])?;
            }
        }
    }
    Ok(folders)
}

fn write(
    path: &Path,
    made: Result<Vec<u8>, ktpel_documents::DocumentError>,
) -> Result<(), DemoError> {
    file::write(path, &made?)?;
    Ok(())
}
