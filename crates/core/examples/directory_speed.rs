//! Times generating and parsing synthetic national extracts (ID-4).
//!
//! `cargo run --release -p caduceus-core --example directory_speed [lines]`
//! (500,000 lines by default) prints, for each extract, the time to
//! generate the lines and the time to parse them.

use std::time::Instant;

use caduceus_core::Domain;
use caduceus_core::directory::{ExtractHeader, MailboxHeader, PersonActivityHeader, synthetic};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 500_000,
    };
    let domain = Domain::parse("caduceus.test")?;

    let start = Instant::now();
    let people: Vec<String> = synthetic::person_activity_extract(1, n).collect();
    let generated = start.elapsed();
    let start = Instant::now();
    let header = PersonActivityHeader::parse(&people[0])?;
    let mut errors = 0;
    for (i, line) in people.iter().enumerate().skip(1) {
        errors += usize::from(header.parse_line(i + 1, line).is_err());
    }
    let parsed = start.elapsed();
    let bytes: usize = people.iter().map(|l| l.len() + 1).sum();
    println!(
        "person activity: {n} lines ({} MB): generated in {generated:.2?}, parsed in {parsed:.2?}, {errors} errors",
        bytes / 1_000_000
    );

    let start = Instant::now();
    let mailboxes: Vec<String> = synthetic::mailbox_extract(1, n, &domain).collect();
    let generated = start.elapsed();
    let start = Instant::now();
    let header = MailboxHeader::parse(&mailboxes[0])?;
    let mut errors = 0;
    for (i, line) in mailboxes.iter().enumerate().skip(1) {
        errors += usize::from(header.parse_line(i + 1, line).is_err());
    }
    let parsed = start.elapsed();
    let bytes: usize = mailboxes.iter().map(|l| l.len() + 1).sum();
    println!(
        "mailboxes:       {n} lines ({} MB): generated in {generated:.2?}, parsed in {parsed:.2?}, {errors} errors",
        bytes / 1_000_000
    );
    Ok(())
}
