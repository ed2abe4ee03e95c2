//! What the pages of one service's desk stand on: the site's desks, the service's database to
//! read (the service stays the one writer of its tables), the desk's line to the service over
//! the bus, and whatever else the desk needs of its own.

use crate::{
    Desk, Desks, Signed,
    answers::{Line, LineError},
};
use axum::extract::FromRef;
use ktpel_bus::{Broker, Message, Shutdown};
use sea_orm::DatabaseConnection;
use serde::de::DeserializeOwned;
use std::{hash::Hash, sync::Arc};

/// A service's desk: `T` is the desk's own (the counters an intake runs…), `Yes`/`No` the
/// service's answers, matched to requests by a `K`.
pub struct ServiceDesk<T, Yes, No, K> {
    pub desks: Desks,
    pub db: DatabaseConnection,
    pub line: Arc<Line<Yes, No, K>>,
    pub own: T,
}

impl<T: Clone, Yes, No, K> Clone for ServiceDesk<T, Yes, No, K> {
    fn clone(&self) -> Self {
        Self {
            desks: self.desks.clone(),
            db: self.db.clone(),
            line: self.line.clone(),
            own: self.own.clone(),
        }
    }
}

impl<T, Yes, No, K> FromRef<ServiceDesk<T, Yes, No, K>> for Desks {
    fn from_ref(d: &ServiceDesk<T, Yes, No, K>) -> Desks {
        d.desks.clone()
    }
}

/// How a desk hears its service: the sender's name on the bus, and which request an answer
/// is for.
pub struct Hearing<Yes, No, K> {
    pub app: &'static str,
    pub id_of_yes: fn(&Yes) -> K,
    pub id_of_no: fn(&No) -> K,
}

impl<T, Yes, No, K> ServiceDesk<T, Yes, No, K>
where
    Yes: Message + DeserializeOwned + Send + 'static,
    No: Message + DeserializeOwned + Send + 'static,
    K: Eq + Hash + Clone + Send + 'static,
{
    /// `desk` over the service's database `db`, hearing its answers on `broker` until
    /// `shutdown`; the site's `desks` then serve it.
    pub fn open(
        desks: Desks,
        desk: Desk,
        db: DatabaseConnection,
        own: T,
        hearing: Hearing<Yes, No, K>,
        broker: Broker,
        shutdown: Shutdown,
    ) -> Result<Self, LineError> {
        let line = Line::open(
            broker,
            hearing.app,
            None,
            hearing.id_of_yes,
            hearing.id_of_no,
            shutdown,
        )?;
        Ok(Self {
            desks: desks.serving([desk]),
            db,
            line: Arc::new(line),
            own,
        })
    }
}

impl<T, Yes, No, K> ServiceDesk<T, Yes, No, K> {
    /// Writes what `me` did into the audit trail ([`Desks::record`]).
    pub async fn record(
        &self,
        me: &Signed,
        action: &str,
        nomor_berkas: Option<&str>,
        detail: String,
    ) {
        self.desks
            .record(&me.account.username, action, nomor_berkas, detail)
            .await;
    }
}
