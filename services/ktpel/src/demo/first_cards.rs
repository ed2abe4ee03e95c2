//! The first cards (S01–S05, S19–S22): the demo at every desk of the way — the kecamatan's
//! counter and station, the print desk and the kepala_seksi at the Dinas, the petugas
//! distribusi and the ppp who hands the card over.

use super::DemoError;
use super::{
    offline::{self, OfflineKecamatan},
    population::Counters,
    progress::{Progress, message},
};
use crate::desk_bus::Sender;
use chrono::Utc;
use ed25519_dalek::SigningKey;
use ktpel_afis_sync::scheduler::SchedulerHandle;
use ktpel_biometric::{station, store::operator_inbox};
use ktpel_card_print::{desk as print_desk, operators};
use ktpel_contract::{berkas, enrollment::CAPTURED, registry::Biodata};
use ktpel_distribution::{desk as dist_desk, store::kartu};
use ktpel_domain::{Dokumen, Nik, SopId, StatusKartu, sop::Sop};
use ktpel_intake::{query, store::berkas as intake_berkas};
use ktpel_site::{Management, Site};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::HashSet;
use uuid::Uuid;

/// A step at a desk of the demo's people, taken again while the database or the broker does
/// not answer (a restart, a failover): as a person at the desk would try again, for about a
/// minute, before the demo gives up with the reason.
pub(crate) async fn at_desk<T, E, F, Fut>(step: F, transient: fn(&E) -> bool) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    use backon::{ExponentialBuilder, Retryable};
    let patience = ExponentialBuilder::default()
        .with_min_delay(std::time::Duration::from_millis(200))
        .with_max_delay(std::time::Duration::from_secs(5))
        .with_max_times(20);
    step.retry(patience).when(transient).await
}

/// The statuses a card has once it is print ready, and after each later step.
const AFTER_PRR: &[StatusKartu] = &[
    StatusKartu::Prr,
    StatusKartu::CardPrinted,
    StatusKartu::CardShipped,
    StatusKartu::CardActivated,
];
const AFTER_PRINT: &[StatusKartu] = &[
    StatusKartu::CardPrinted,
    StatusKartu::CardShipped,
    StatusKartu::CardActivated,
];
const AFTER_SHIPPING: &[StatusKartu] = &[StatusKartu::CardShipped, StatusKartu::CardActivated];
const HANDED_OVER: &[StatusKartu] = &[StatusKartu::CardActivated];

/// The desks of a part and the databases they look at.
pub(crate) struct Desks {
    /// A sender per site, the counters' and stations' way onto their broker.
    pub(crate) senders: Vec<Sender>,
    pub(crate) counters: Counters,
    /// Each kecamatan desk's intake and biometric databases.
    pub(crate) intake: Vec<DatabaseConnection>,
    pub(crate) biometric: Vec<DatabaseConnection>,
    /// The Dinas's register, print desk, distribution and Server AFIS.
    pub(crate) register: DatabaseConnection,
    pub(crate) print: DatabaseConnection,
    pub(crate) distribution: DatabaseConnection,
    pub(crate) afis: DatabaseConnection,
    pub(crate) dinas: Site,
    pub(crate) scheduler: SchedulerHandle,
    /// The Dinas's chip-signing key, as card-print made or read it.
    pub(crate) key: SigningKey,
    /// The kecamatan that work offline (S02, S03).
    pub(crate) offline: Vec<OfflineKecamatan>,
    /// Every site with a counter, as section C works there.
    pub(crate) sites: Vec<super::section_c::SiteDesks>,
    /// In `sites`: the residents' Dinas, and where S18 families move (if a site of its own).
    pub(crate) origin: usize,
    pub(crate) destination: Option<usize>,
}

/// The residents of a part's berkas, by NIK: looked up as a set, counted in one query as a
/// list.
pub(crate) struct Ours {
    set: HashSet<String>,
    list: Vec<String>,
}

impl Ours {
    fn new(niks: impl IntoIterator<Item = String>) -> Self {
        let set: HashSet<String> = niks.into_iter().collect();
        let list = set.iter().cloned().collect();
        Self { set, list }
    }

    fn contains(&self, nik: &str) -> bool {
        self.set.contains(nik)
    }

    fn len(&self) -> usize {
        self.set.len()
    }
}

/// The print desk's operator and kepala_seksi, signed in.
pub(crate) struct PrintDesk {
    pub(crate) operator: operators::Session,
    pub(crate) kepala_seksi: operators::Session,
}

impl Desks {
    /// S01.1–S01.2 at each kecamatan's counter (S04.1–S04.2 for a resident not in SIAK, with
    /// the Formulir Biodata and no NIK: SIAK gives one on the way); the submissions made.
    pub(crate) async fn submit(
        &mut self,
        first: &[(Biodata, SopId)],
        progress: &mut Progress,
    ) -> Result<Vec<Uuid>, DemoError> {
        let mut submitted = Vec::new();
        for (p, sop) in first {
            let k = self.counters.kecamatan_of(p);
            let new_resident = Sop::get(*sop).new_resident();
            let b = berkas::BerkasSubmitted {
                sidik_jari: Vec::new(),
                submission_id: Uuid::now_v7(),
                sop: *sop,
                nik: (!new_resident).then(|| p.nik.clone()),
                nama: p.nama.clone(),
                biodata: new_resident.then(|| super::new_residents::formulir(p)),
                perubahan: None,
                kedatangan: None,
                dokumen: if new_resident {
                    super::new_residents::DOCUMENTS.to_vec()
                } else {
                    vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk]
                },
                kecamatan: k.clone(),
                petugas: "ppp-demo".into(),
                diterima_pada: Utc::now(),
            };
            let m = message(&b, berkas::SUBMITTED, &k)?;
            let desk = self.counters.desk_of(&k).expect("a desk");
            self.senders[desk].send(&m).await?;
            submitted.push(b.submission_id);
        }
        progress.reached("submitted at the desk (S01.1)", first.len(), first.len());
        Ok(submitted)
    }

    /// This part's berkas waiting at the stations, by the submissions the counters made (a
    /// resident of S04 has a NIK only once SIAK gave one).
    async fn at_the_stations(
        &self,
        submitted: &[Uuid],
    ) -> Result<Vec<operator_inbox::Model>, sea_orm::DbErr> {
        let mut ours = HashSet::new();
        for db in &self.intake {
            ours.extend(query::numbers_of(db, submitted).await?);
        }
        let mut waiting = Vec::new();
        for db in &self.biometric {
            waiting.extend(
                operator_inbox::Entity::find()
                    .all(db)
                    .await?
                    .into_iter()
                    .filter(|w| ours.contains(&w.nomor_berkas)),
            );
        }
        Ok(waiting)
    }

    /// S01.3–S01.6 at the station of each berkas's kecamatan; offline, S02.6/S03 and the S20
    /// bundles carried to the Dinas; then the NID Scheduler sends them and the Pusat Data
    /// answers (S19). Returns the NIKs of this part's berkas.
    pub(crate) async fn enroll(
        &mut self,
        submitted: &[Uuid],
        management: &Management,
        progress: &mut Progress,
    ) -> Result<Ours, DemoError> {
        let residents = submitted.len();
        let reached = progress
            .wait("at the operator (S01.3)", residents, || async {
                self.at_the_stations(submitted).await.map_or(0, |w| w.len())
            })
            .await;
        progress.reached(
            "accepted, at the operator (S01.2–S01.3)",
            reached,
            residents,
        );

        let waiting = at_desk(|| self.at_the_stations(submitted), |_| true).await?;
        let ours = Ours::new(waiting.iter().map(|w| w.nik.clone()));
        for w in waiting {
            let nik = Nik::parse(&w.nik).map_err(|source| DemoError::Nik {
                nomor_berkas: w.nomor_berkas.clone(),
                source,
            })?;
            let c = station::capture(
                &w.nomor_berkas,
                &nik,
                &station::Person::of(&nik),
                "operator-demo",
                true,
            );
            let k = berkas::kecamatan_of(&w.nomor_berkas)
                .unwrap_or_else(|| nik.kecamatan().to_string());
            let m = message(&c, CAPTURED, &k)?;
            let desk = self
                .counters
                .desk_of(&k)
                .ok_or_else(|| DemoError::NoStation(k.clone()))?;
            self.senders[desk].send(&m).await?;
        }
        if !self.offline.is_empty() {
            // S02.6/S03: stored at the kecamatan; S20: carried to the Dinas.
            progress
                .wait("stored at the offline stations", residents, || {
                    offline::unsent(&self.offline)
                })
                .await;
            let imported =
                offline::carry(&self.offline, &self.dinas, &self.afis, management).await?;
            progress.reached(
                "enrolled offline, backed up, imported at the Dinas (S02.6, S03, S20)",
                imported as usize,
                residents,
            );
        }
        self.scheduler.run_now();
        let reached = progress
            .wait("print ready (PRR)", residents, || async {
                self.scheduler.run_now();
                self.count_in(&ours, AFTER_PRR).await
            })
            .await;
        progress.reached(
            "enrolled, sent by the NID Scheduler, PRR (S01.6, S19)",
            reached,
            residents,
        );
        Ok(ours)
    }

    /// How many of the berkas of `niks` are in one of the `wanted` statuses.
    async fn count_in(&self, ours: &Ours, wanted: &[StatusKartu]) -> usize {
        let mut n = 0;
        for db in &self.intake {
            n += query::count_in_status(db, &ours.list, wanted)
                .await
                .unwrap_or_default() as usize;
        }
        n
    }

    /// S21 at the Dinas: the operator encodes, prints and verifies each card of `ours`, the
    /// kepala_seksi approves it. Returns the desk, signed in, for section C.
    pub(crate) async fn print(
        &self,
        ours: &Ours,
        progress: &mut Progress,
    ) -> Result<PrintDesk, DemoError> {
        let db = &self.print;
        // The demo plays both parts at BCardMgmt (a site signs them in with its accounts).
        let desk = PrintDesk {
            operator: operators::Session {
                username: "operator-demo".into(),
                role: operators::Role::Operator,
            },
            kepala_seksi: operators::Session {
                username: "kasi-demo".into(),
                role: operators::Role::KepalaSeksi,
            },
        };
        let in_queue = || async {
            print_desk::queue(db)
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|j| ours.contains(&j.nik))
                .collect::<Vec<_>>()
        };
        let residents = ours.len();
        progress
            .wait("in the print queue", residents, || async {
                in_queue().await.len()
            })
            .await;
        let queue = at_desk(|| print_desk::queue(db), |_| true).await?;
        for job in queue.into_iter().filter(|j| ours.contains(&j.nik)) {
            at_desk(
                || {
                    print_desk::make_card(
                        db,
                        &self.key,
                        (&desk.operator, &desk.kepala_seksi),
                        &job.nik,
                        print_desk::Sitting::Together,
                    )
                },
                print_desk::DeskError::is_transient,
            )
            .await?;
        }
        let reached = progress
            .wait("CARD_PRINTED", residents, || {
                self.count_in(ours, AFTER_PRINT)
            })
            .await;
        progress.reached(
            "encoded, printed, verified, approved (S21)",
            reached,
            residents,
        );
        Ok(desk)
    }

    /// S22: the cards of `ours` batched with a Berita Acara, received at the kecamatan, and
    /// handed over against a tanda terima. Returns how many reached their residents.
    pub(crate) async fn distribute(
        &self,
        ours: &Ours,
        progress: &mut Progress,
    ) -> Result<usize, DemoError> {
        let db = &self.distribution;
        let residents = ours.len();
        let in_distribution = || async {
            kartu::Entity::find()
                .all(db)
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|c| ours.contains(&c.nik))
                .count()
        };
        progress
            .wait("at distribution", residents, in_distribution)
            .await;
        let transient = dist_desk::DeskError::is_transient;
        for b in at_desk(|| dist_desk::make_batches(db, "petugas-demo"), transient).await? {
            at_desk(
                || dist_desk::confirm_receipt(db, b.batch_id, "ppp-demo"),
                transient,
            )
            .await?;
        }
        let reached = progress
            .wait("CARD_SHIPPED", residents, || {
                self.count_in(ours, AFTER_SHIPPING)
            })
            .await;
        progress.reached(
            "batched with a Berita Acara, received (S22.2–S22.3)",
            reached,
            residents,
        );
        // A read only: any database error is worth another try.
        for c in at_desk(|| dist_desk::awaiting_collection(db), |_| true).await? {
            if ours.contains(&c.nik) {
                at_desk(
                    || dist_desk::hand_over(db, &c.nik, "ppp-demo", &c.nama),
                    transient,
                )
                .await?;
            }
        }
        let done = progress
            .wait("CARD_ACTIVATED", residents, || {
                self.count_in(ours, HANDED_OVER)
            })
            .await;
        progress.reached(
            "handed over with a tanda terima: CARD_ACTIVATED (S22.4)",
            done,
            residents,
        );
        Ok(done)
    }

    /// For each procedure of `procedures` but section C's, how many of its berkas among
    /// `submitted` finished, of how many.
    pub(crate) async fn finished_by_procedure(
        &self,
        procedures: &[SopId],
        submitted: &[Uuid],
    ) -> Vec<(SopId, usize, usize)> {
        let mut rows = Vec::new();
        for sop in procedures {
            let (mut finished, mut of) = (0, 0);
            for db in &self.intake {
                let numbers = query::numbers_of(db, submitted).await.unwrap_or_default();
                for b in intake_berkas::Entity::find()
                    .filter(intake_berkas::Column::NomorBerkas.is_in(numbers))
                    .filter(intake_berkas::Column::Sop.eq(sop.to_string()))
                    .all(db)
                    .await
                    .unwrap_or_default()
                {
                    of += 1;
                    finished += usize::from(b.status == StatusKartu::CardActivated);
                }
            }
            rows.push((*sop, finished, of));
        }
        rows
    }

    /// Closes the desks' own channels, so that closing the connections leaves nothing open.
    pub(crate) async fn close(&mut self) {
        for d in &mut self.senders {
            d.close().await;
        }
    }
}
