//! `ktpel sop`: the catalogue of procedures as a trainee at a desk reads it — every
//! procedure a line, or one (or all) in full: the documents to receive, and who does what,
//! where, at which desk, hop by hop. The text is the domain's (`ktpel_domain::sop`).

use ktpel_domain::{
    SopId,
    sop::{CATALOGUE, Sop},
};

pub fn run(ids: Vec<SopId>, all: bool) {
    if all {
        for sop in &CATALOGUE {
            println!("{sop}");
        }
    } else if ids.is_empty() {
        for sop in &CATALOGUE {
            let routed = match sop.route() {
                Some(route) => format!("{} hops", route.len()),
                None => "not routed yet".into(),
            };
            println!("{}  {:<70} {routed}", sop.id, sop.title);
        }
        println!("\n`ktpel sop S05` for one in full, `ktpel sop --all` for every one.");
    } else {
        for id in ids {
            println!("{}", Sop::get(id));
        }
    }
}
