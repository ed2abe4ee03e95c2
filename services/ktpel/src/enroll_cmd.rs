//! `ktpel enroll …`: the enrollment operator at the station (S01.3–S01.6). `list` shows the
//! berkas waiting at the operator (read from the biometric service's database); `capture`
//! takes one resident's biometrics — the ten fingers and the photo from the scanners' image
//! files with `--fingers DIR --photo FILE`, else at the simulated station — and sends them to
//! the biometric service, which checks and seals them.

use crate::desk_bus::DeskBusError;
use ktpel_biometric::{BiometricSettings, station, store::Migrator, store::operator_inbox};
use ktpel_bus::{BusError, Outgoing, RoutingKey, routing::RoutingKeyError};
use ktpel_contract::berkas::BerkasHandedOff;
use ktpel_contract::enrollment::{CAPTURED, EnrollmentCreated, EnrollmentRefused};
use ktpel_domain::{Nik, NikError};
use ktpel_settings::SettingsError;
use ktpel_store::StoreError;
use sea_orm::{DbErr, EntityTrait, QueryOrder};

/// Why the station did not capture, send, or have its enrollment sealed.
#[derive(Debug, thiserror::Error)]
pub enum EnrollCmdError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading the berkas waiting at the operator.
    #[error(transparent)]
    Inbox(#[from] DbErr),
    #[error("berkas {nomor_berkas} is not waiting at the operator (see `ktpel enroll list`)")]
    NotWaiting { nomor_berkas: String },
    /// What the operator's inbox holds for the berkas is not a NIK.
    #[error("stored NIK {nik}: {source}")]
    StoredNik { nik: String, source: NikError },
    /// The resident's kecamatan does not make a routing key.
    #[error(transparent)]
    Kecamatan(#[from] RoutingKeyError),
    /// The capture does not encode as a message.
    #[error(transparent)]
    Encode(#[from] BusError),
    /// Sent without waiting, and the broker did not take it.
    #[error(transparent)]
    Send(#[from] DeskBusError),
    /// Sent, but the biometric service's answer did not come.
    #[error("sent, but {source}: see `ktpel berkas show {nomor_berkas}`")]
    NoAnswer {
        nomor_berkas: String,
        source: DeskBusError,
    },
    /// The biometric service refused the enrollment.
    #[error("enrollment refused: {}", .reasons.join("; "))]
    Refused {
        nomor_berkas: String,
        reasons: Vec<String>,
    },
    /// An image file that could not be read.
    #[error(transparent)]
    File(#[from] crate::file::FileError),
    /// The scanned images make no capture: each finger named, nothing sent.
    #[error("berkas {nomor_berkas} not captured: {source}")]
    Scan {
        nomor_berkas: String,
        source: ktpel_biometric::scanned::ScanError,
    },
}

#[derive(clap::Subcommand)]
pub enum EnrollCommand {
    /// The berkas waiting at the enrollment operator, oldest first.
    List,
    /// Capture the resident of berkas NOMOR at the station and send the enrollment.
    Capture {
        nomor_berkas: String,
        /// The enrollment operator, who signs the enrollment off with a fingerprint.
        #[arg(long)]
        operator: String,
        /// Send the capture without the operator's fingerprint sign-off (it will be refused).
        #[arg(long)]
        no_sign_off: bool,
        /// The ten fingers' images: a folder with one PNG at 500 ppi per finger, named
        /// `right_thumb.png`, `right_index.png` … `left_little.png`. Without it, the simulated
        /// station's templates.
        #[arg(long, requires = "photo")]
        fingers: Option<std::path::PathBuf>,
        /// The pas photo (PNG, portrait), with `--fingers`.
        #[arg(long, requires = "fingers")]
        photo: Option<std::path::PathBuf>,
        /// Seconds to wait for the biometric service's answer (the bukti perekaman, or why
        /// the enrollment was refused); 0: do not wait.
        #[arg(long, default_value_t = 30)]
        wait: u64,
    },
}

pub async fn run(cmd: EnrollCommand) -> Result<(), EnrollCmdError> {
    let settings: BiometricSettings = ktpel_settings::load(ktpel_biometric::SERVICE)?;
    let db = ktpel_store::open::<Migrator>(&settings.database).await?;
    match cmd {
        EnrollCommand::List => {
            let waiting = operator_inbox::Entity::find()
                .order_by_asc(operator_inbox::Column::ReceivedAt)
                .all(&db)
                .await?;
            println!("{} berkas waiting at the operator", waiting.len());
            for w in waiting {
                let nama = serde_json::from_value::<BerkasHandedOff>(w.handoff)
                    .map(|h| h.nama)
                    .unwrap_or_default();
                println!(
                    "  {}  {}  {}  since {}",
                    w.nomor_berkas,
                    w.nik,
                    nama,
                    w.received_at.format("%Y-%m-%d %H:%M:%S")
                );
            }
            Ok(())
        }
        EnrollCommand::Capture {
            nomor_berkas,
            operator,
            no_sign_off,
            fingers,
            photo,
            wait,
        } => {
            let w = operator_inbox::Entity::find_by_id(nomor_berkas.clone())
                .one(&db)
                .await?
                .ok_or_else(|| EnrollCmdError::NotWaiting {
                    nomor_berkas: nomor_berkas.clone(),
                })?;
            let nik = Nik::parse(&w.nik).map_err(|source| EnrollCmdError::StoredNik {
                nik: w.nik.clone(),
                source,
            })?;
            let person = station::Person::of(&nik);
            let capture = match (fingers, photo) {
                (Some(dir), Some(photo)) => {
                    // Every finger's file that is there; the capture names those that are not.
                    let mut images = Vec::new();
                    for finger in ktpel_contract::enrollment::Finger::ALL {
                        let path = dir.join(ktpel_biometric::scanned::file_name(finger));
                        if path.exists() {
                            images.push((finger, crate::file::read(&path)?));
                        }
                    }
                    let photo = crate::file::read(&photo)?;
                    ktpel_biometric::scanned::capture(
                        &nomor_berkas,
                        &nik,
                        &person,
                        &images,
                        photo,
                        &operator,
                        !no_sign_off,
                    )
                    .map_err(|source| EnrollCmdError::Scan {
                        nomor_berkas: nomor_berkas.clone(),
                        source,
                    })?
                }
                _ => station::capture(&nomor_berkas, &nik, &person, &operator, !no_sign_off),
            };
            let key = RoutingKey::regional(CAPTURED, &nik.kecamatan().to_string())?;
            let msg = Outgoing::new(&capture, key, &nomor_berkas, &nomor_berkas)?;
            println!(
                "captured berkas {nomor_berkas} (NIK {nik}): photo, signature, 10 fingerprints, 2 irises{}",
                if no_sign_off {
                    ", NOT signed off by the operator"
                } else {
                    ""
                }
            );
            if wait == 0 {
                crate::desk_bus::publish("ktpel-station", &msg).await?;
                println!("sent to biometric");
                return Ok(());
            }
            let id = capture.capture_id;
            let answer = crate::desk_bus::ask(
                "ktpel-station",
                &msg,
                &nik.kecamatan().to_string(),
                std::time::Duration::from_secs(wait),
                |c: &EnrollmentCreated| c.nomor_berkas == nomor_berkas,
                |r: &EnrollmentRefused| r.capture_id == id,
            )
            .await
            .map_err(|source| EnrollCmdError::NoAnswer {
                nomor_berkas: nomor_berkas.clone(),
                source,
            })?;
            match answer {
                Ok(c) => println!(
                    "enrolled and sealed: bukti perekaman {} for the resident",
                    c.bukti_perekaman
                ),
                Err(r) => {
                    return Err(EnrollCmdError::Refused {
                        nomor_berkas,
                        reasons: r.reasons,
                    });
                }
            }
            Ok(())
        }
    }
}
