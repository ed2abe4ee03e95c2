//! `ktpel demo --documents DIR`: the papers of every berkas the demo ran, one folder per
//! berkas (`DIR/<nomor berkas>/`), each made from what the services stored, as the desks
//! print them: the salinan permohonan, the bukti perekaman, each card it made (front and back
//! at ID-1, with the enrollment's photo), the Kartu Keluarga SIAK printed for a new resident
//! or a family that moved, the Surat Keterangan Pindah of a move between kabupaten/kota, the
//! Berita Acara of the batch that carried its card, and the tanda terima of each card handed
//! over.

use super::{DemoError, first_cards::Desks};
use crate::file;
use ktpel_distribution::store::{batch, kartu};
use ktpel_intake::store::berkas;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::{
    collections::{HashMap, HashSet, hash_map::Entry},
    path::Path,
};

/// Writes the papers; returns how many berkas got a folder. Every counter's berkas: the
/// kecamatan's first, then those taken at a Dinas desk (a berkas a kecamatan handed up keeps
/// its folder from the kecamatan).
pub(crate) async fn write_all(desks: &Desks, dir: &Path) -> Result<usize, DemoError> {
    file::create_dir_all(dir)?;
    let mut seen = HashSet::new();
    // A batch's Berita Acara lists every card of the batch: made once, filed with each berkas.
    let mut berita_acara: HashMap<uuid::Uuid, Vec<u8>> = HashMap::new();
    let counters = desks
        .intake
        .iter()
        .chain(desks.sites.iter().map(|s| &s.intake));
    for intake in counters {
        for b in berkas::Entity::find().all(intake).await? {
            if !seen.insert(b.nomor_berkas.clone()) {
                continue;
            }
            let folder = dir.join(&b.nomor_berkas);
            file::create_dir_all(&folder)?;
            if let Some(salinan) = ktpel_intake::papers::salinan(intake, &b.nomor_berkas).await? {
                write(&folder.join("salinan-permohonan.pdf"), salinan.pdf())?;
            }
            for site in &desks.sites {
                if let Some(bukti) =
                    ktpel_biometric::papers::bukti(&site.biometric, &b.nomor_berkas).await?
                {
                    write(&folder.join("bukti-perekaman.pdf"), bukti.pdf())?;
                    break;
                }
            }
            let procedure = ktpel_domain::sop::Sop::get(b.sop);
            if procedure.new_resident() || procedure.relocation() {
                write_family_papers(desks, &b, &folder).await?;
            }
            for dinas in desks.sites.iter().filter_map(|s| s.dinas.as_ref()) {
                write_cards(&dinas.print, &b.nomor_berkas, &folder).await?;
                let db = &dinas.distribution;
                let cards = kartu::Entity::find()
                    .filter(kartu::Column::NomorBerkas.eq(b.nomor_berkas.clone()))
                    .all(db)
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
                        let Some(batch) = batch::Entity::find_by_id(id).one(db).await? else {
                            continue;
                        };
                        slot.insert(ktpel_distribution::berita_acara::pdf(db, &batch).await?);
                    }
                    let name = format!("berita-acara-{}.pdf", id.simple());
                    file::write(&folder.join(name), &berita_acara[&id])?;
                }
            }
        }
    }
    Ok(seen.len())
}

/// SIAK's papers of a berkas that made a family's KK (S04/S05: a new resident; S15–S18: a
/// family that moved): the Kartu Keluarga as SIAK printed it, from the register of the Dinas
/// whose kecamatan took the berkas, and for a move between kabupaten/kota the Surat Keterangan
/// Pindah the Dinas of origin gave.
async fn write_family_papers(
    desks: &Desks,
    b: &berkas::Model,
    folder: &Path,
) -> Result<(), DemoError> {
    use ktpel_registry::{papers, store::penduduk};
    for dinas in desks.sites.iter().filter_map(|s| s.dinas.as_ref()) {
        let register = &dinas.register;
        if let Some(p) = penduduk::Entity::find_by_id(b.nik.clone())
            .one(register)
            .await?
            && let Some(kk) = papers::kartu_keluarga(register, &p.no_kk).await?
            && kk.kecamatan.to_string() == b.kecamatan
        {
            let name = format!("kartu-keluarga-{}.pdf", p.no_kk);
            write(&folder.join(name), kk.document.pdf())?;
        }
        for nomor in papers::moves_of(register, &b.nik).await? {
            if let Some(skp) = papers::surat_pindah(register, &nomor).await? {
                let name = format!("surat-keterangan-pindah-{}.pdf", nomor.replace('/', "-"));
                write(&folder.join(name), skp.document.pdf())?;
            }
        }
    }
    Ok(())
}

/// The face of each card made for berkas `nomor` at a Dinas's print desk (`kartu-<NIK>.pdf`),
/// made again from the job's stored biodata and card number.
async fn write_cards(
    print: &sea_orm::DatabaseConnection,
    nomor: &str,
    folder: &Path,
) -> Result<(), DemoError> {
    use ktpel_card_print::{desk, store::job};
    let jobs = job::Entity::find()
        .filter(job::Column::NomorBerkas.eq(nomor.to_owned()))
        .all(print)
        .await?;
    for j in jobs.iter().filter(|j| j.nomor_kartu.is_some()) {
        let card = desk::card_pdf(print, j).await?;
        file::write(&folder.join(format!("kartu-{}.pdf", j.nik)), &card)?;
    }
    Ok(())
}

fn write(
    path: &Path,
    made: Result<Vec<u8>, ktpel_documents::DocumentError>,
) -> Result<(), DemoError> {
    file::write(path, &made?)?;
    Ok(())
}
