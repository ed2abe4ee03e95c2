//! `ktpel demo --http`: the Dinas's status page and metrics while the demo runs — the ops room
//! watching the berkas go by.

use super::DemoError;
use super::places::DemoSite;
use crate::run;
use ktpel_bus::Shutdown;
use tokio::task::JoinHandle;

/// `--http`: where the Dinas's status page and metrics are served during a part, and whether
/// to hold them open after it until Ctrl-C.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Watch {
    pub(crate) addr: std::net::SocketAddr,
    pub(crate) hold: bool,
}

/// Serves the status page and `/metrics` of `site` at `watch.addr` until `stop`.
pub(crate) async fn serve(
    watch: Watch,
    site: &DemoSite,
    stop: &Shutdown,
) -> Result<JoinHandle<()>, DemoError> {
    let listener = tokio::net::TcpListener::bind(watch.addr)
        .await
        .map_err(|source| DemoError::Listen {
            addr: watch.addr,
            source,
        })?;
    let status = run::status_of(
        &site.built,
        site.broker.clone(),
        site.site,
        site.uplink.clone(),
        7,
    );
    println!(
        "ktpel demo: status page and metrics on http://{}/",
        watch.addr
    );
    Ok(tokio::spawn(crate::http::serve(
        listener,
        status,
        // Nobody acts through the demo's page: the desks are this command.
        crate::auth::Tokens::none(),
        axum::Router::new(),
        stop.clone(),
    )))
}
