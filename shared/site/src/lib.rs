//! Sites: the places where the procedures happen, each with a broker of its own.
//!
//! A kecamatan node, a Dinas data centre and the Pusat Data each run their own RabbitMQ and
//! their own databases (DESIGN.md, "Sites"). Handoffs inside a site stay on its broker, so a
//! kecamatan keeps working while its WAN link is down. What must cross to the site above or
//! below travels on RabbitMQ shovels that the site declares itself, from its configuration:
//!
//! - [`site`]: what a site is (`kecamatan:32.73.01`, `dinas:32.73`, `pusat-data`, `all`);
//! - [`crossing`]: which subjects go up and which come down, as data;
//! - [`desks`]: which desks of a kind (counters, stations) a service runs at a site;
//! - [`link`]: the two shovels of a site and their state;
//! - [`grant`]: a site's least-privileged user on its parent's broker;
//! - [`management`]: the RabbitMQ management API that declares shovels and users;
//! - [`settings`]: the `[site]` section of the configuration;
//! - [`amqp_url`]: the vhost and credentials an AMQP URL names;
//! - [`wiring`]: one way to place, build, declare and run any service at a site.

pub mod amqp_url;
pub mod crossing;
pub mod desks;
pub mod grant;
pub mod link;
pub mod management;
pub mod settings;
pub mod site;
pub mod wiring;

pub use crossing::Crossing;
pub use desks::DesksAt;
pub use link::{Link, LinkState, declare_uplink};
pub use management::Management;
pub use settings::SiteSettings;
pub use site::{Site, SiteKind};
pub use wiring::{AtSite, Place, Service, StartError};
