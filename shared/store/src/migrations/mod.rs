//! Migrations shared by every service. A service's migrator lists [`BusTables`] first and then
//! its own tables; [`BusOnly`] is the migrator for a process that needs nothing else (tests,
//! benchmarks).

mod m0001_bus_tables;

pub use m0001_bus_tables::Migration as BusTables;

use sea_orm_migration::prelude::*;

/// A migrator with only the messaging tables.
pub struct BusOnly;

impl MigratorTrait for BusOnly {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(BusTables)]
    }
}
