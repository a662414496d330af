//! Times sanitising an HTML lab report for the webmail's frame (MS-1).
//!
//! `cargo run --release -p caduceus-core --example letter_html_speed [rows]`
//! (200 rows by default) builds a report of that many table rows, each with a
//! coloured value, an event attribute and a remote image, and prints its size before
//! and after [`caduceus_core::display::sanitize_html`] and the time per report.

use std::collections::HashMap;
use std::time::Instant;

use caduceus_core::display::sanitize_html;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 200,
    };
    let mut html = String::from(
        "<html><head><script>steal()</script><style>td{background:url(https://x.example)}</style>\
         </head><body><table><caption>Bilan</caption><tr><th>Examen</th><th>Valeur</th></tr>",
    );
    for row in 0..rows {
        html.push_str(&format!(
            "<tr onclick=\"steal()\"><td>Examen {row}</td>\
             <td style=\"color: #c00000; font-weight: bold; background: url(https://x.example/{row})\">\
             {row},2 g/dL <img src=\"https://tracker.example/{row}.gif\"></td></tr>"
        ));
    }
    html.push_str("</table></body></html>");
    let runs = 200;
    let start = Instant::now();
    let mut kept = String::new();
    for _ in 0..runs {
        kept = sanitize_html(&html, HashMap::new());
    }
    let each = start.elapsed() / runs;
    println!(
        "{rows} rows: {} bytes in, {} bytes kept, {:.2} ms per report ({runs} runs)",
        html.len(),
        kept.len(),
        each.as_secs_f64() * 1000.0
    );
    Ok(())
}
