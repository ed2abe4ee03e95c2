//! The status page for people: one screen an operator reads at 3 a.m. — is every Server AFIS
//! sending (S19), is anything dead-lettered, where do berkas wait — rendered on the server
//! from the same [`Report`] as `/status` and `/metrics`. No script, no framework: HTML and a
//! little CSS. It refreshes itself only when asked to (`/?refresh=10`, for a wall screen in the
//! ops room): a page that reloads under a person reading it is what WCAG 2.2.1 forbids.
//! Nothing on it names a resident.

use crate::report::Report;
use ktpel_afis_sync::panel::Panel;
use std::fmt::Write as _;

/// The runbooks the page links to, served at `/runbooks/{name}` (the same text as
/// `docs/runbooks/`, built in: the ops room may have no way to the repository).
pub const RUNBOOKS: [(&str, &str); 8] = [
    (
        "dead-letters",
        include_str!("../../../docs/runbooks/dead-letters.md"),
    ),
    (
        "nid-scheduler",
        include_str!("../../../docs/runbooks/nid-scheduler.md"),
    ),
    (
        "site-link",
        include_str!("../../../docs/runbooks/site-link.md"),
    ),
    (
        "broker-outage",
        include_str!("../../../docs/runbooks/broker-outage.md"),
    ),
    (
        "broker-cluster",
        include_str!("../../../docs/runbooks/broker-cluster.md"),
    ),
    (
        "offline-backup",
        include_str!("../../../docs/runbooks/offline-backup.md"),
    ),
    (
        "berkas-waiting",
        include_str!("../../../docs/runbooks/berkas-waiting.md"),
    ),
    (
        "database-connections",
        include_str!("../../../docs/runbooks/database-connections.md"),
    ),
];

const STYLE: &str = "\
:root{--ok:#1b7f3b;--bad:#b3261e;--warn:#a15c00;--ink:#1d2330;--mute:#5f6b7a;--line:#d8dee6;--card:#fff;--bg:#f3f5f8}\
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);background:var(--bg)}\
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:baseline;padding:1rem 1.5rem;background:#14213d;color:#fff}\
header h1{margin:0;font-size:1.25rem}header .meta{color:#c9d3e3}\
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:1rem;padding:1rem 1.5rem}\
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem}\
section.wide{grid-column:1/-1}section.two{grid-column:span 2}@media (max-width:800px){section.two{grid-column:auto}}h2{margin:.1rem 0 .6rem;font-size:1rem}\
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.75rem}\
.tile{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem}.tile b{display:block;font-size:1.6rem}\
.tile.bad{border-color:var(--bad);background:#fdecea}.tile.ok b{color:var(--ok)}.tile.bad b{color:var(--bad)}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid var(--line)}\
th{color:var(--mute);font-weight:600}td{overflow-wrap:anywhere}td.nw{white-space:nowrap}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.badge{display:inline-block;white-space:nowrap;overflow-wrap:normal;padding:0 .45rem;border-radius:999px;font-size:.8rem;font-weight:700;color:#fff;background:var(--mute)}\
.badge.ok{background:var(--ok)}.badge.bad{background:var(--bad)}.badge.warn{background:var(--warn)}\
.mute{color:var(--mute)}a{color:#1a56b0}dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0 0 .6rem}dt{color:var(--mute)}dd{margin:0}\
footer{padding:0 1.5rem 1.5rem;color:var(--mute)}";

/// Text from elsewhere (a broker's reason, an error) shown safely in the page.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn badge(text: &str, good: bool) -> String {
    format!(
        "<span class=\"badge {}\">{}</span>",
        if good { "ok" } else { "bad" },
        escape(text)
    )
}

fn number(n: Option<impl ToString>) -> String {
    n.map_or_else(|| "?".to_owned(), |n| n.to_string())
}

fn tile(label: &str, value: String, bad: bool) -> String {
    format!(
        "<div class=\"tile {}\"><b>{value}</b>{}</div>",
        if bad { "bad" } else { "ok" },
        escape(label)
    )
}

/// The page for `report`, measured at `now`; reloading itself every `refresh` seconds if
/// asked.
pub fn render(r: &Report, now: chrono::DateTime<chrono::Utc>, refresh: Option<u32>) -> String {
    let mut html = String::with_capacity(16 * 1024);
    let mq_up = r.mq == "CONNECTED";
    let _ = write!(
        html,
        "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\">\
         {reload}<link rel=icon href=\"data:,\"><title>KTP-el · {site}</title><style>{STYLE}</style>\
         <header><h1>KTP-el services</h1><span>Site <b>{site}</b>{region}</span><span>MQ {mq}</span>\
         <span class=meta>measured {at} UTC · {every} · <a style=\"color:#c9d3e3\" href=\"/metrics\">metrics</a> · <a style=\"color:#c9d3e3\" href=\"/status\">JSON</a></span></header><main>",
        reload = refresh.map_or(String::new(), |s| format!(
            "<meta http-equiv=refresh content={s}>"
        )),
        every = match refresh {
            Some(s) =>
                format!("refreshes every {s} s (<a style=\"color:#c9d3e3\" href=\"/\">stop</a>)"),
            None =>
                "<a style=\"color:#c9d3e3\" href=\"/?refresh=10\">refresh every 10 s</a>".to_owned(),
        },
        site = escape(&r.site),
        region = if r.region.is_empty() {
            String::new()
        } else {
            format!(" · region {}", escape(&r.region))
        },
        mq = badge(r.mq, mq_up),
        at = now.format("%Y-%m-%d %H:%M:%S"),
    );
    summary(&mut html, r);
    scheduler(&mut html, r.scheduler.as_ref(), r);
    queues(&mut html, r);
    links(&mut html, r);
    berkas(&mut html, r);
    services(&mut html, r);
    html.push_str(
        "</main><footer>Runbooks: <a href=\"/runbooks/dead-letters\">dead letters</a> · \
         <a href=\"/runbooks/nid-scheduler\">NID Scheduler</a> · <a href=\"/runbooks/site-link\">site link</a> · \
         <a href=\"/runbooks/broker-outage\">broker outage</a> · <a href=\"/runbooks/broker-cluster\">a cluster node lost</a> · <a href=\"/runbooks/offline-backup\">offline backup (S20)</a> · \
         <a href=\"/runbooks/berkas-waiting\">berkas waiting</a> · \
         <a href=\"/runbooks/database-connections\">database connections</a></footer></html>",
    );
    html
}

/// The tiles: what needs a person now shows red.
fn summary(html: &mut String, r: &Report) {
    let dead: u64 = r
        .queues
        .iter()
        .filter_map(|q| q.dead_letters)
        .map(u64::from)
        .sum();
    let backlog: u64 = r.services.iter().filter_map(|s| s.outbox_pending).sum();
    let open: u64 = r.open_at_hops.iter().map(|h| h.count).sum();
    let links_down = r.links.iter().filter(|l| l.state != "running").count();
    html.push_str("<section class=wide><h2>At a glance</h2><div class=tiles>");
    html.push_str(&tile("dead letters", dead.to_string(), dead > 0));
    html.push_str(&tile(
        "outbox rows waiting",
        backlog.to_string(),
        backlog > 100,
    ));
    html.push_str(&tile("berkas open at the desks", open.to_string(), false));
    if let Some(p) = &r.scheduler {
        html.push_str(&tile(
            "records sent after restart (S19.5)",
            p.records_sent_after_restart.to_string(),
            false,
        ));
        html.push_str(&tile(
            "records waiting for the Pusat Data",
            number(p.records_waiting),
            false,
        ));
    }
    if !r.links.is_empty() {
        html.push_str(&tile(
            "shovels not running",
            links_down.to_string(),
            links_down > 0,
        ));
    }
    if let Some(s) = &r.stations {
        html.push_str(&tile(
            "enrollments not at the Pusat Data",
            s.unsent.to_string(),
            s.too_long,
        ));
    }
    html.push_str("</div></section>");
}

/// The NID Scheduler window of S19.4–S19.5 and its links S19.1–S19.3.
fn scheduler(html: &mut String, panel: Option<&Panel>, r: &Report) {
    html.push_str("<section class=two><h2>NID Scheduler (S19)</h2>");
    let Some(p) = panel else {
        html.push_str("<p class=mute>This process runs no Server AFIS.</p></section>");
        return;
    };
    let mode = serde_json::to_value(p.mode)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let status = p.scheduler_current_status.to_string();
    let _ = write!(
        html,
        "<dl><dt>Mode</dt><dd>{mode}</dd><dt>Database</dt><dd>{db}</dd><dt>Co-Relation Id</dt><dd>{co}</dd>\
         <dt>MQ</dt><dd>{mq}</dd><dt>Scheduler Current Status</dt><dd>{status}</dd>\
         <dt>No. of Records sent after Restart</dt><dd><b>{sent}</b></dd><dt>sent since install</dt><dd>{install}</dd>\
         <dt>waiting</dt><dd>{waiting}</dd><dt>imported from S20 bundles</dt><dd>{imported}{bundles}</dd></dl>",
        mode = badge(&mode, mode == "PRODUCTION"),
        db = badge(
            &p.database.to_string(),
            p.database.to_string() == "CONNECTED"
        ),
        co = escape(&p.co_relation_id),
        mq = badge(&p.mq.to_string(), p.mq.to_string() == "CONNECTED"),
        status = badge(&status, status == "RUNNING"),
        sent = p.records_sent_after_restart,
        install = number(p.records_sent_since_install),
        waiting = number(p.records_waiting),
        imported = number(p.records_imported),
        bundles = r
            .bundles
            .map(|b| format!(" <span class=mute>({} bundles)</span>", b.bundles))
            .unwrap_or_default(),
    );
    html.push_str("<table><tr><th>step</th><th>link</th><th>state</th><th>detail</th></tr>");
    for l in &p.links {
        let _ = write!(
            html,
            "<tr><td class=nw>{}</td><td class=nw>{}</td><td>{}</td><td class=mute>{}</td></tr>",
            l.step,
            escape(l.link),
            badge(if l.up { "UP" } else { "DOWN" }, l.up),
            escape(&l.detail)
        );
    }
    html.push_str("</table>");
    if let Some(e) = &p.last_error {
        let _ = write!(
            html,
            "<p><span class=\"badge bad\">last error</span> {} — <a href=\"/runbooks/nid-scheduler\">runbook</a></p>",
            escape(e)
        );
    }
    html.push_str("</section>");
}

/// The site's link to its parent, shovel by shovel.
fn links(html: &mut String, r: &Report) {
    html.push_str("<section><h2>Links to the site above</h2>");
    if r.links.is_empty() {
        html.push_str("<p class=mute>No link: this site has no parent (every place on one broker, or the Pusat Data), or it works offline (S02/S03, S20 bundles).</p>");
    } else {
        html.push_str("<table><tr><th>link</th><th>shovel</th><th>state</th><th class=n>waiting to go up</th></tr>");
        for l in &r.links {
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td></tr>",
                escape(&l.link),
                escape(&l.shovel),
                badge(&l.state, l.state == "running"),
                number(l.waiting)
            );
            if let Some(reason) = &l.reason {
                let _ = write!(
                    html,
                    "<tr><td colspan=4 class=mute>{} — <a href=\"/runbooks/site-link\">runbook</a></td></tr>",
                    escape(reason)
                );
            }
        }
        html.push_str("</table>");
    }
    if let Some(s) = &r.stations {
        let _ = write!(
            html,
            "<p>Enrollment stations (S02, S03, S20): {}{}</p>",
            escape(&s.to_string()),
            if s.too_long {
                " — <a href=\"/runbooks/offline-backup\">runbook</a>"
            } else {
                ""
            }
        );
    }
    html.push_str("</section>");
}

/// Each queue: ready, consumers, dead letters (linked to the runbook when there are any).
fn queues(html: &mut String, r: &Report) {
    html.push_str("<section><h2>Queues</h2><table><tr><th>queue</th><th class=n>ready</th><th class=n>consumers</th><th class=n title=\"messages in the dead-letter queue\">DLQ</th></tr>");
    for q in &r.queues {
        let dead = match q.dead_letters {
            Some(0) => "0".to_owned(),
            Some(n) => format!(
                "<a href=\"/runbooks/dead-letters\" title=\"what to do\">{}</a>",
                badge(&n.to_string(), false)
            ),
            None => "?".to_owned(),
        };
        let _ = write!(
            html,
            "<tr><td class=nw>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{dead}</td></tr>",
            escape(&q.name),
            number(q.messages),
            number(q.consumers),
        );
    }
    html.push_str("</table></section>");
}

/// Berkas per procedure and card status, and those out at the desks.
fn berkas(html: &mut String, r: &Report) {
    html.push_str("<section class=two><h2>Berkas at this site's counter</h2>");
    if r.berkas_per_procedure.is_empty() {
        html.push_str(
            "<p class=mute>No berkas here (no counter in this process, or none accepted yet).</p>",
        );
    } else {
        let mut statuses: Vec<&str> = r
            .berkas_per_procedure
            .iter()
            .map(|c| c.status.as_str())
            .collect();
        statuses.sort();
        statuses.dedup();
        let mut procedures: Vec<&str> = r
            .berkas_per_procedure
            .iter()
            .map(|c| c.sop.as_str())
            .collect();
        procedures.dedup();
        html.push_str("<table><tr><th>procedure</th>");
        for s in &statuses {
            let _ = write!(html, "<th class=n>{}</th>", escape(s));
        }
        html.push_str("<th class=n>all</th></tr>");
        for p in &procedures {
            let _ = write!(html, "<tr><td>{}</td>", escape(p));
            let mut all = 0;
            for s in &statuses {
                let n: i64 = r
                    .berkas_per_procedure
                    .iter()
                    .filter(|c| c.sop == *p && c.status == *s)
                    .map(|c| c.count)
                    .sum();
                all += n;
                let _ = write!(
                    html,
                    "<td class=n>{}</td>",
                    if n == 0 { String::new() } else { n.to_string() }
                );
            }
            let _ = write!(html, "<td class=n><b>{all}</b></td></tr>");
        }
        html.push_str("</table>");
    }
    let open: Vec<_> = r.open_at_hops.iter().filter(|h| h.count > 0).collect();
    if open.is_empty() {
        html.push_str("<p class=mute>No berkas open at the desks.</p>");
    } else {
        html.push_str("<h2>Open, by the hop the counter handed them to</h2><table><tr><th>hop</th><th class=n>berkas</th><th class=n>oldest waiting</th></tr>");
        for h in open {
            let _ = write!(
                html,
                "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                escape(&h.hop),
                h.count,
                age(h.oldest_seconds)
            );
        }
        html.push_str("</table><p class=mute>A berkas waiting too long: <a href=\"/runbooks/berkas-waiting\">runbook</a>.</p>");
    }
    html.push_str("</section>");
}

/// Each service: its database and its outbox.
fn services(html: &mut String, r: &Report) {
    html.push_str("<section class=wide><h2>Services</h2><table><tr><th>service</th><th>database</th><th class=n>outbox waiting</th><th class=n>oldest row</th></tr>");
    for s in &r.services {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            s.name,
            badge(s.database, s.database == "CONNECTED"),
            number(s.outbox_pending),
            s.outbox_oldest_seconds.map_or("?".into(), age)
        );
    }
    html.push_str("</table></section>");
}

/// Seconds as an operator reads them.
fn age(seconds: f64) -> String {
    let s = seconds.max(0.0) as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86400, s % 86400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_elsewhere_cannot_open_a_tag() {
        assert_eq!(
            escape("<script>\"&\"</script>"),
            "&lt;script&gt;&quot;&amp;&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn ages_read_like_a_person_says_them() {
        assert_eq!(age(0.4), "0 s");
        assert_eq!(age(125.0), "2 min");
        assert_eq!(age(3.0 * 3600.0 + 120.0), "3 h 2 min");
        assert_eq!(age(90000.0), "1 d 1 h");
    }

    #[test]
    fn every_runbook_the_page_links_is_served() {
        let page = render(
            &crate::report::Report::empty("all"),
            chrono::Utc::now(),
            None,
        );
        for (name, text) in RUNBOOKS {
            assert!(page.contains(&format!("/runbooks/{name}\"")), "{name}");
            assert!(text.starts_with("# Runbook"), "{name}");
        }
        assert!(!page.contains("<script"), "no script on the page");
    }

    #[test]
    fn the_page_reloads_itself_only_when_asked() {
        let report = crate::report::Report::empty("all");
        let page = render(&report, chrono::Utc::now(), None);
        assert!(!page.contains("http-equiv=refresh"));
        assert!(page.contains("href=\"/?refresh=10\""));
        let wall = render(&report, chrono::Utc::now(), Some(30));
        assert!(wall.contains("<meta http-equiv=refresh content=30>"));
    }
}
