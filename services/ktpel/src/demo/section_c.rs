//! Section C in `ktpel demo --procedures …`: once the residents hold their first card, those
//! the run gives a replacement (S06–S14) apply for it — at the kecamatan (A) or the Dinas desk
//! (B), with what each reason needs: the data to correct or change, the police letter, the
//! photo taken again (S08, S10, S12) — and whole families move to another kecamatan of the
//! kabupaten/kota (S15–S17) or to another (S18), every member getting a new KK and KTP-el.
//! The demo acts as every desk, each at its own site when the places are sites (`--kecamatan`):
//! an A variant at the resident's kecamatan, a B variant at the Dinas desk, S15/S16 at the
//! kecamatan of arrival, S18 at the destination's Dinas; the services do the rest over the
//! broker.

use super::DemoError;
use super::population::Counters;
use super::progress::{Progress, message};
use crate::desk_bus::Sender;
use chrono::Utc;
use ed25519_dalek::SigningKey;
use ktpel_biometric::{station, store::operator_inbox};
use ktpel_card_print::{desk as print_desk, operators::Session, store::job};
use ktpel_contract::{
    berkas,
    enrollment::CAPTURED,
    registry::{Biodata, Kedatangan, PerubahanBiodata},
};
use ktpel_distribution::{desk as dist_desk, store::kartu};
use ktpel_domain::{
    KodeWilayah, SopId,
    sop::{Place, Sop},
    wilayah::{Level, Wilayah},
};
use ktpel_intake::{query, store::berkas as intake_berkas};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::HashSet;

/// One application of section C: who applies, under which procedure, and how many cards it
/// makes (a relocating family's: one per member).
pub(crate) struct Application {
    pub(crate) sop: SopId,
    pub(crate) applicant: Biodata,
    pub(crate) cards: usize,
}

/// A site's desks as section C uses them: its counter and its station, and at a Dinas its
/// register, printing and distribution.
pub(crate) struct SiteDesks {
    /// The index of the site's sender among the demo's.
    pub(crate) sender: usize,
    pub(crate) intake: DatabaseConnection,
    pub(crate) biometric: DatabaseConnection,
    pub(crate) dinas: Option<DinasDesks>,
}

/// A Dinas's register, print desk (with its own chip-signing key) and distribution.
pub(crate) struct DinasDesks {
    pub(crate) register: DatabaseConnection,
    pub(crate) print: DatabaseConnection,
    pub(crate) distribution: DatabaseConnection,
    pub(crate) key: SigningKey,
}

/// The desks of every site section C runs at.
pub(crate) struct Desks<'a> {
    pub(crate) senders: &'a mut [Sender],
    /// Every site with a counter: the kecamatan, the Dinas (or the one site).
    pub(crate) sites: &'a [SiteDesks],
    /// The residents' Dinas, in `sites`: their cards must be in their hands there first.
    pub(crate) origin: usize,
    /// The Dinas an S18 family moves to, in `sites`; `None`: the origin's register stands
    /// for both (every place on one broker).
    pub(crate) destination: Option<usize>,
    /// The kecamatan whose counter the demo runs, and the index of its site's sender.
    pub(crate) counters: &'a Counters,
    pub(crate) operator: &'a Session,
    pub(crate) kepala_seksi: &'a Session,
}

impl Desks<'_> {
    fn dinas(&self, i: usize) -> &DinasDesks {
        self.sites[i].dinas.as_ref().expect("a Dinas's desks")
    }

    /// Where S18 families arrive.
    fn arrival(&self) -> &DinasDesks {
        self.dinas(self.destination.unwrap_or(self.origin))
    }

    /// The sites that print and distribute.
    fn printing(&self) -> impl Iterator<Item = &DinasDesks> {
        self.sites.iter().filter_map(|s| s.dinas.as_ref())
    }

    /// The kecamatan of the demo's counters (where a family moving within the kabupaten/kota
    /// goes first, so that its counter is one the demo runs).
    fn kecamatan(&self) -> Vec<KodeWilayah> {
        self.counters
            .0
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| k.level() == Level::Kecamatan)
            .collect()
    }

    /// The site, in `sites`, whose counter takes `b`: the route's first desk — the kecamatan's
    /// counter (S15/S16: the kecamatan of arrival's) or the Dinas desk (S18: the
    /// destination's).
    fn counter_for(&self, b: &berkas::BerkasSubmitted) -> Result<usize, DemoError> {
        if self.sites.len() == 1 {
            return Ok(0);
        }
        let procedure = Sop::get(b.sop);
        if procedure.taken_at() == Some(Place::Dinas) {
            return Ok(if procedure.between_kabupaten() {
                self.destination.unwrap_or(self.origin)
            } else {
                self.origin
            });
        }
        let no_counter = || DemoError::NoCounter {
            sop: b.sop,
            kecamatan: b.kecamatan.clone(),
        };
        let sender = self.counters.desk_of(&b.kecamatan).ok_or_else(no_counter)?;
        self.sites
            .iter()
            .position(|s| s.sender == sender)
            .ok_or_else(no_counter)
    }
}

/// An application taken: its submission, and the site (in [`Desks::sites`]) whose counter
/// took it, where its berkas is followed to the end.
struct Taken {
    submission: uuid::Uuid,
    site: usize,
}

/// Each resident assigned a replacement applies for it. A relocation moves a whole family
/// among `people`: the families of the residents assigned one. Every relocation procedure of
/// the run gets a family first — one with no member applying for a replacement where there is
/// one, else any family not moving yet, whose members' replacements then give way (a
/// procedure of the run with no family would not run at all). The other families move in
/// turn under the run's relocation procedures, keeping their replacements. Members with a
/// card each get one.
pub(crate) fn applications(assigned: &[(Biodata, SopId)], people: &[Biodata]) -> Vec<Application> {
    let relocates = |s: &SopId| Sop::get(*s).relocation();
    let relocating: Vec<&Biodata> = assigned
        .iter()
        .filter(|(_, s)| relocates(s))
        .map(|(p, _)| p)
        .collect();
    let mut moves: Vec<SopId> = assigned.iter().map(|(_, s)| *s).filter(relocates).collect();
    moves.sort();
    moves.dedup();
    let replacing: HashSet<&str> = assigned
        .iter()
        .filter(|(_, s)| !relocates(s))
        .map(|(p, _)| p.no_kk.as_str())
        .collect();
    let mut families: Vec<(SopId, &Biodata)> = Vec::new();
    let mut moved: HashSet<&str> = HashSet::new();
    for sop in &moves {
        let not_moving = |p: &&&Biodata| !moved.contains(p.no_kk.as_str());
        let family = relocating
            .iter()
            .filter(not_moving)
            .find(|p| !replacing.contains(p.no_kk.as_str()))
            .or_else(|| relocating.iter().find(not_moving));
        if let Some(p) = family {
            moved.insert(&p.no_kk);
            families.push((*sop, p));
        }
    }
    for p in &relocating {
        if moved.contains(p.no_kk.as_str()) || replacing.contains(p.no_kk.as_str()) {
            continue;
        }
        moved.insert(&p.no_kk);
        families.push((moves[families.len() % moves.len()], p));
    }
    let mut apps: Vec<Application> = families
        .into_iter()
        .map(|(sop, p)| Application {
            sop,
            applicant: p.clone(),
            cards: people.iter().filter(|m| m.no_kk == p.no_kk).count(),
        })
        .collect();
    for (p, sop) in assigned.iter().filter(|(_, s)| !relocates(s)) {
        if !moved.contains(p.no_kk.as_str()) {
            apps.push(Application {
                sop: *sop,
                applicant: p.clone(),
                cards: 1,
            });
        }
    }
    apps
}

/// The berkas an application hands in: the checklist's documents, the data to correct or
/// change, the arrival form — entered under the kecamatan of arrival for a move.
fn berkas_of(
    a: &Application,
    counters: &[KodeWilayah],
) -> Result<berkas::BerkasSubmitted, DemoError> {
    let p = &a.applicant;
    let procedure = Sop::get(a.sop);
    let home = KodeWilayah::parse(&p.desa)
        .ok()
        .and_then(|d| d.parent())
        .ok_or_else(|| DemoError::Nowhere {
            who: p.nik.to_string(),
            level: "desa",
        })?;
    let wilayah = Wilayah::global();
    let desa_of = |kecamatan: &KodeWilayah| -> Vec<String> {
        wilayah
            .children(kecamatan)
            .into_iter()
            .map(|d| d.kode.to_string())
            .collect()
    };
    let perubahan = match a.sop.number() {
        6 | 7 => Some(PerubahanBiodata {
            nama: Some(format!("{} (dibetulkan)", p.nama)),
            ..Default::default()
        }),
        13 | 14 => Some(PerubahanBiodata {
            alamat: Some("Jl. Perubahan No. 1".into()),
            desa: desa_of(&home).into_iter().find(|d| *d != p.desa),
            ..Default::default()
        }),
        _ => None,
    };
    let kedatangan = if procedure.relocation() {
        let kabupaten = home.parent().ok_or_else(|| DemoError::Nowhere {
            who: home.to_string(),
            level: "kabupaten/kota",
        })?;
        // S15–S17: another kecamatan of the kabupaten/kota; S18: one of another.
        let kabupaten = if procedure.between_kabupaten() {
            destination_of(&kabupaten)?
        } else {
            kabupaten
        };
        // A kecamatan with a counter of the demo's first, where there is one.
        let mut kecamatan: Vec<KodeWilayah> = wilayah
            .children(&kabupaten)
            .into_iter()
            .map(|k| k.kode)
            .filter(|k| *k != home && k.level() == Level::Kecamatan)
            .collect();
        kecamatan.sort_by_key(|k| !counters.contains(k));
        let elsewhere = kecamatan
            .iter()
            .find_map(|k| desa_of(k).into_iter().next())
            .ok_or(DemoError::NoOtherKecamatan(kabupaten))?;
        Some(Kedatangan {
            desa: elsewhere,
            alamat: "Jl. Kedatangan No. 1".into(),
        })
    } else {
        None
    };
    let kecamatan = match &kedatangan {
        Some(k) => KodeWilayah::parse(&k.desa)
            .ok()
            .and_then(|d| d.parent())
            .map(|k| k.to_string())
            .unwrap_or_default(),
        None => home.to_string(),
    };
    let dokumen = berkas::dokumen_lengkap(a.sop, perubahan.as_ref());
    // S06–S14: the resident presses their index fingers on the counter's reader, for the
    // printing desk's 1:1 verification against the record.
    let sidik_jari = match procedure.replacement() {
        Some(_) => {
            station::index_fingers(&station::Person::of(&p.nik), &format!("loket {}", a.sop))
        }
        None => Vec::new(),
    };
    let b = berkas::BerkasSubmitted {
        sidik_jari,
        submission_id: uuid::Uuid::now_v7(),
        sop: a.sop,
        nik: Some(p.nik.clone()),
        nama: p.nama.clone(),
        biodata: None,
        perubahan,
        kedatangan,
        dokumen,
        kecamatan,
        petugas: "ppp-demo".into(),
        diterima_pada: Utc::now(),
    };
    Ok(b)
}

/// Where an S18 family of `kabupaten` moves: the first other kabupaten/kota of its province.
pub(crate) fn destination_of(kabupaten: &KodeWilayah) -> Result<KodeWilayah, DemoError> {
    let province = kabupaten.parent().ok_or_else(|| DemoError::Nowhere {
        who: kabupaten.to_string(),
        level: "province",
    })?;
    Wilayah::global()
        .children(&province)
        .into_iter()
        .map(|k| k.kode)
        .find(|k| k != kabupaten)
        .ok_or(DemoError::NoOtherKabupaten(province))
}

/// Runs every application through the desks; returns, per procedure in `order`, how many of
/// its applications ended with every card in the residents' hands, of how many.
pub(crate) async fn run(
    apps: &[Application],
    order: &[SopId],
    mut desks: Desks<'_>,
    progress: &mut Progress,
) -> Result<Vec<(SopId, usize, usize)>, DemoError> {
    first_cards_in_hand(apps, &desks, progress).await;
    hand_families_over(apps, &desks, progress).await?;
    let taken = submit(apps, &mut desks).await?;
    let ours = accepted(apps.len(), &taken, &desks, progress).await;
    recapture(apps, &ours, &mut desks, progress).await?;
    let cards: usize = apps.iter().map(|a| a.cards).sum();
    print_and_distribute(&ours, cards, &desks, progress).await?;
    let reached = progress
        .wait("section C: handed over", apps.len(), || async {
            total(&closed(&ours, &desks).await)
        })
        .await;
    progress.reached(
        "section C: handed over, berkas closed (Sxx.8 / Sxx.5)",
        reached,
        apps.len(),
    );
    let done = closed(&ours, &desks).await;
    finished_by_procedure(apps, order, &done, &desks).await
}

/// SIAK knows each applicant's first card is in their hands (a replacement is for a card
/// handed over).
async fn first_cards_in_hand(apps: &[Application], desks: &Desks<'_>, progress: &mut Progress) {
    use ktpel_registry::store::penduduk;
    let applicants: Vec<String> = apps.iter().map(|a| a.applicant.nik.to_string()).collect();
    let register = &desks.dinas(desks.origin).register;
    progress
        .wait("SIAK: first cards handed over", apps.len(), || async {
            penduduk::Entity::find()
                .filter(penduduk::Column::Nik.is_in(applicants.clone()))
                .filter(penduduk::Column::StatusKartu.eq(ktpel_domain::StatusKartu::CardActivated))
                .all(register)
                .await
                .map(|r| r.len())
                .unwrap_or(0)
        })
        .await;
}

/// S18: the origin's SIAK hands each moving family over first (the Surat Keterangan Pindah
/// they bring); through the Pusat Data it arrives at the destination's SIAK.
async fn hand_families_over(
    apps: &[Application],
    desks: &Desks<'_>,
    progress: &mut Progress,
) -> Result<(), DemoError> {
    use ktpel_registry::store::pendatang;
    let mut arriving = Vec::new();
    for a in apps.iter().filter(|a| Sop::get(a.sop).between_kabupaten()) {
        let home = KodeWilayah::parse(&a.applicant.desa)
            .ok()
            .and_then(|d| d.lineage().get(1).copied())
            .ok_or_else(|| DemoError::Nowhere {
                who: a.applicant.nik.to_string(),
                level: "kabupaten/kota",
            })?;
        let moving = ktpel_registry::pindah::keluar(
            &desks.dinas(desks.origin).register,
            &a.applicant.nik,
            &destination_of(&home)?,
        )
        .await?;
        arriving.extend(moving.anggota.iter().map(|m| m.biodata.nik.to_string()));
    }
    if !arriving.is_empty() {
        let register = &desks.arrival().register;
        progress
            .wait("S18: families handed over", arriving.len(), || async {
                pendatang::Entity::find()
                    .filter(pendatang::Column::Nik.is_in(arriving.clone()))
                    .all(register)
                    .await
                    .map(|r| r.len())
                    .unwrap_or(0)
            })
            .await;
    }
    Ok(())
}

/// Sxx.1: each application at the counter that takes it; the submissions made.
async fn submit(apps: &[Application], desks: &mut Desks<'_>) -> Result<Vec<Taken>, DemoError> {
    let counters = desks.kecamatan();
    let mut taken = Vec::new();
    for a in apps {
        let b = berkas_of(a, &counters)?;
        let site = desks.counter_for(&b)?;
        desks.senders[desks.sites[site].sender]
            .send(&message(&b, berkas::SUBMITTED, &b.kecamatan)?)
            .await?;
        taken.push(Taken {
            submission: b.submission_id,
            site,
        });
    }
    Ok(taken)
}

/// Section C's berkas as their counters numbered them: by site (in [`Desks::sites`]), the
/// numbers of that site's berkas. A berkas an A counter hands up to the Dinas keeps its
/// number there too: each is followed where it was taken.
type Ours = Vec<HashSet<String>>;

/// Sxx.2: the berkas the counters accepted, by site.
async fn accepted(
    applications: usize,
    taken: &[Taken],
    desks: &Desks<'_>,
    progress: &mut Progress,
) -> Ours {
    let numbers = || async {
        let mut ours: Ours = vec![HashSet::new(); desks.sites.len()];
        for (i, site) in desks.sites.iter().enumerate() {
            let submitted: Vec<uuid::Uuid> = taken
                .iter()
                .filter(|t| t.site == i)
                .map(|t| t.submission)
                .collect();
            if !submitted.is_empty() {
                ours[i].extend(
                    query::numbers_of(&site.intake, &submitted)
                        .await
                        .unwrap_or_default(),
                );
            }
        }
        ours
    };
    let reached = progress
        .wait("section C: accepted", applications, || async {
            total(&numbers().await)
        })
        .await;
    progress.reached(
        "section C: accepted at the counter (Sxx.2)",
        reached,
        applications,
    );
    numbers().await
}

/// Whether `nomor` is a berkas of section C, at any site.
fn is_ours(ours: &Ours, nomor: &str) -> bool {
    ours.iter().any(|numbers| numbers.contains(nomor))
}

/// S08.3, S10.3, S12.3: the Dinas's station takes the photo and signature again.
async fn recapture(
    apps: &[Application],
    ours: &Ours,
    desks: &mut Desks<'_>,
    progress: &mut Progress,
) -> Result<(), DemoError> {
    let recapturing = apps.iter().filter(|a| Sop::get(a.sop).recaptures()).count();
    if recapturing == 0 {
        return Ok(());
    }
    let sites = desks.sites;
    // Each waiting berkas of ours, with the sender of the station's site.
    let waiting = || async {
        let mut waiting = Vec::new();
        for site in sites {
            let inbox = operator_inbox::Entity::find()
                .all(&site.biometric)
                .await
                .unwrap_or_default();
            waiting.extend(
                inbox
                    .into_iter()
                    .filter(|w| is_ours(ours, &w.nomor_berkas))
                    .map(|w| (site.sender, w)),
            );
        }
        waiting
    };
    progress
        .wait("at the Dinas's station", recapturing, || async {
            waiting().await.len()
        })
        .await;
    for (sender, w) in waiting().await {
        let nik = ktpel_domain::Nik::parse(&w.nik)?;
        let c = station::recapture(
            &w.nomor_berkas,
            &nik,
            &station::Person::of(&nik),
            "operator-dinas-demo",
        );
        let k = berkas::kecamatan_of(&w.nomor_berkas).unwrap_or_default();
        desks.senders[sender]
            .send(&message(&c, CAPTURED, &k)?)
            .await?;
    }
    Ok(())
}

/// S21 at each Dinas, a card for each (a family's, one per member), signed with that Dinas's
/// key; S22: A's cards in a batch to the kecamatan, B's waiting at the Dinas desk, each
/// handed over.
async fn print_and_distribute(
    ours: &Ours,
    cards: usize,
    desks: &Desks<'_>,
    progress: &mut Progress,
) -> Result<(), DemoError> {
    let in_queue = |dinas: &DinasDesks| {
        let print = dinas.print.clone();
        async move {
            print_desk::queue(&print)
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|j| is_ours(ours, &j.nomor_berkas))
                .collect::<Vec<job::Model>>()
        }
    };
    progress
        .wait("section C: in the print queue", cards, || async {
            let mut n = 0;
            for dinas in desks.printing() {
                n += in_queue(dinas).await.len();
            }
            n
        })
        .await;
    for dinas in desks.printing() {
        for j in in_queue(dinas).await {
            print_desk::make_card(
                &dinas.print,
                &dinas.key,
                (desks.operator, desks.kepala_seksi),
                &j.nik,
                print_desk::Sitting::Together,
            )
            .await?;
        }
    }
    let in_distribution = |dinas: &DinasDesks| {
        let distribution = dinas.distribution.clone();
        async move {
            kartu::Entity::find()
                .all(&distribution)
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|c| is_ours(ours, &c.nomor_berkas))
                .collect::<Vec<_>>()
        }
    };
    let reached = progress
        .wait("section C: at distribution", cards, || async {
            let mut n = 0;
            for dinas in desks.printing() {
                n += in_distribution(dinas).await.len();
            }
            n
        })
        .await;
    progress.reached(
        "section C: printed, checked, to distribution (S21, S22.1)",
        reached,
        cards,
    );
    for dinas in desks.printing() {
        let db = &dinas.distribution;
        for b in dist_desk::make_batches(db, "petugas-demo").await? {
            dist_desk::confirm_receipt(db, b.batch_id, "ppp-demo").await?;
        }
        for c in in_distribution(dinas).await {
            if c.tanda_terima_by.is_none() {
                dist_desk::hand_over(db, &c.nik, "ppp-demo", &c.nama).await?;
            }
        }
    }
    Ok(())
}

/// The berkas of `ours` closed, each at the site that took it, with every card of it handed
/// over; by site.
async fn closed(ours: &Ours, desks: &Desks<'_>) -> Ours {
    let mut done: Ours = vec![HashSet::new(); desks.sites.len()];
    for ((numbers, site), done) in ours.iter().zip(desks.sites).zip(&mut done) {
        if numbers.is_empty() {
            continue;
        }
        let rows = intake_berkas::Entity::find()
            .filter(intake_berkas::Column::NomorBerkas.is_in(numbers.iter().cloned()))
            .all(&site.intake)
            .await
            .unwrap_or_default();
        for b in rows {
            // Each card handed over is a CARD_ACTIVATED line on the berkas's timeline.
            let handed = ktpel_intake::store::timeline::count_status(
                &site.intake,
                &b.nomor_berkas,
                ktpel_domain::StatusKartu::CardActivated,
            )
            .await
            .map_or(0, |n| n as usize);
            let mut printed = 0;
            for dinas in desks.printing() {
                printed += kartu::Entity::find()
                    .filter(kartu::Column::NomorBerkas.eq(b.nomor_berkas.clone()))
                    .all(&dinas.distribution)
                    .await
                    .map(|c| c.len())
                    .unwrap_or(usize::MAX / 4);
            }
            if b.archived_at.is_some() && handed >= printed {
                done.insert(b.nomor_berkas);
            }
        }
    }
    done
}

/// How many berkas, at every site.
fn total(ours: &Ours) -> usize {
    ours.iter().map(HashSet::len).sum()
}

/// Per section C procedure of `order`, how many of its applications are `done`, of how many.
/// Every one has its row, even one whose residents all moved with their families under
/// another (0/0).
async fn finished_by_procedure(
    apps: &[Application],
    order: &[SopId],
    done: &Ours,
    desks: &Desks<'_>,
) -> Result<Vec<(SopId, usize, usize)>, DemoError> {
    let mut finished_of: std::collections::HashMap<SopId, usize> = Default::default();
    for (done, site) in done.iter().zip(desks.sites) {
        if done.is_empty() {
            continue;
        }
        let rows = intake_berkas::Entity::find()
            .filter(intake_berkas::Column::NomorBerkas.is_in(done.iter().cloned()))
            .all(&site.intake)
            .await?;
        for b in rows {
            *finished_of.entry(b.sop).or_default() += 1;
        }
    }
    let mut rows = Vec::new();
    for sop in order.iter().filter(|s| Sop::get(**s).replaces_a_card()) {
        let of = apps.iter().filter(|a| a.sop == *sop).count();
        let finished = finished_of.get(sop).copied().unwrap_or(0);
        rows.push((*sop, finished, of));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktpel_registry::seed;

    fn sop(n: u8) -> SopId {
        SopId::new(n).expect("a procedure of the SOP")
    }

    /// Residents of `families` families of three, each family's members one after another.
    fn families(n: usize) -> Vec<Biodata> {
        let mut people = Vec::new();
        for f in 0..n {
            let kecamatan = KodeWilayah::parse("32.73.01").unwrap();
            let mut family = seed::generate(&kecamatan, 3, 40 + f as u64).unwrap();
            let kk = format!("{:016}", 3273010000000000_u64 + f as u64);
            for m in &mut family {
                m.no_kk = kk.clone();
            }
            people.extend(family);
        }
        people
    }

    /// With every moving family also replacing a card, the last relocation procedure must
    /// still get a family and run.
    #[test]
    fn every_relocation_procedure_gets_a_family_even_when_every_family_replaces_a_card() {
        let people = families(4);
        // Each family: one member moves under S15–S18, another replaces a card (S09).
        let assigned: Vec<(Biodata, SopId)> = (0..4)
            .flat_map(|f| {
                [
                    (people[3 * f].clone(), sop(15 + f as u8)),
                    (people[3 * f + 1].clone(), sop(9)),
                ]
            })
            .collect();
        let apps = applications(&assigned, &people);
        let mut relocations: Vec<u8> = apps
            .iter()
            .filter(|a| Sop::get(a.sop).relocation())
            .map(|a| a.sop.number())
            .collect();
        relocations.sort();
        assert_eq!(relocations, [15, 16, 17, 18]);
        assert!(
            apps.iter()
                .filter(|a| a.sop.number() >= 15)
                .all(|a| a.cards == 3)
        );
        // A moving family's replacement gives way: its member gets the card of the move.
        assert!(apps.iter().all(|a| a.sop.number() != 9));
    }

    #[test]
    fn families_not_replacing_move_first_and_keep_the_replacements_of_the_others() {
        let people = families(3);
        let assigned = vec![
            (people[0].clone(), sop(15)),
            (people[1].clone(), sop(9)),
            (people[3].clone(), sop(15)),
            (people[6].clone(), sop(16)),
        ];
        let apps = applications(&assigned, &people);
        let moving: Vec<(u8, &str)> = apps
            .iter()
            .filter(|a| Sop::get(a.sop).relocation())
            .map(|a| (a.sop.number(), a.applicant.no_kk.as_str()))
            .collect();
        assert_eq!(
            moving,
            [
                (15, people[3].no_kk.as_str()),
                (16, people[6].no_kk.as_str())
            ]
        );
        let replacing: Vec<&str> = apps
            .iter()
            .filter(|a| a.sop.number() == 9)
            .map(|a| a.applicant.nik.as_str())
            .collect();
        assert_eq!(replacing, [people[1].nik.as_str()]);
    }
}
