//! `cargo test` output → the machine-readable test report (`target/test-report.json`).
//!
//! Cargo announces each test binary (`Running unittests src/lib.rs
//! (target/debug/deps/caduceus_service-…)`, `Running tests/robustness.rs (…)`,
//! `Doc-tests caduceus_core`) and libtest prints one `test <name> ... ok|FAILED|ignored`
//! line per test. The announcement names the target relative to its package but not
//! the package: a library or binary is found by its crate name (`caduceus_service` is
//! package `caduceus-service`), an integration test by the `crates/*/tests/<stem>.rs`
//! that exists; when several crates have that stem (`terms.rs`), the one whose source
//! defines the test names the binary ran wins, then the package of the binary before.
//!
//! Output from tests and the processes they start lands between those lines. Only a
//! `test <name> ... <result>` line counts (so `test x has been running for over 60
//! seconds` does not), possibly after stray output on the same line, and a result on
//! a line of its own completes a `test <name> ... ` left open (one test thread).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::sources::{Package, SourceTest};

/// The report: every test one `cargo test` run executed, with its result.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    /// The cargo output it was made from, as given to `--from-log`.
    pub log: String,
    /// One entry per test result line, in the order cargo ran them.
    pub tests: Vec<ReportTest>,
}

/// One test of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportTest {
    /// Its package (`caduceus-smtp`); empty when no crate of the workspace matched.
    pub package: String,
    /// Its binary's root relative to the package as cargo prints it (`src/lib.rs`,
    /// `tests/robustness.rs`), or `doc-tests`.
    pub target: String,
    /// That root relative to the repository root (`crates/smtp/tests/robustness.rs`).
    pub file: String,
    /// The test binary's crate name, without cargo's hash (`robustness`).
    pub binary: String,
    /// The test's full name as libtest prints it.
    pub name: String,
    /// Its result.
    pub result: TestResult,
}

/// A test's result, spelt as libtest prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TestResult {
    /// Passed.
    #[serde(rename = "ok")]
    Ok,
    /// Failed (or panicked).
    #[serde(rename = "FAILED")]
    Failed,
    /// Not run: `#[ignore]`.
    #[serde(rename = "ignored")]
    Ignored,
}

/// A test binary as the log shows it, before its package is known.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LogBinary {
    /// `src/lib.rs`, `tests/terms.rs`, or `doc-tests`.
    pub target: String,
    /// The binary's crate name without hash (`terms`, `caduceus_service`).
    pub crate_name: String,
    /// Each test's name and result, in the order printed.
    pub results: Vec<(String, TestResult)>,
}

/// One line of cargo/libtest output that matters.
#[derive(Debug, PartialEq, Eq)]
pub enum LogLine {
    /// A test binary starts: its target and crate name.
    Binary {
        /// `src/lib.rs`, `tests/terms.rs`, or `doc-tests`.
        target: String,
        /// Its crate name without cargo's hash.
        crate_name: String,
    },
    /// `test <name> ... <result>`.
    Result(String, TestResult),
    /// `test <name> ... ` whose result comes on a later line.
    Started(String),
    /// A result alone on its line, completing a `Started`.
    BareResult(TestResult),
}

/// Reads the test binaries and results of a whole `cargo test` output.
pub fn parse_log(text: &str) -> Vec<LogBinary> {
    let mut binaries: Vec<LogBinary> = Vec::new();
    let mut started: Option<String> = None;
    for line in text.lines() {
        let doc = binaries.last().is_some_and(|b| b.target == "doc-tests");
        match parse_line(line, doc) {
            Some(LogLine::Binary { target, crate_name }) => {
                binaries.push(LogBinary {
                    target,
                    crate_name,
                    results: Vec::new(),
                });
                started = None;
            }
            Some(LogLine::Result(name, result)) => {
                if let Some(binary) = binaries.last_mut() {
                    binary.results.push((name, result));
                }
                started = None;
            }
            Some(LogLine::Started(name)) => started = Some(name),
            Some(LogLine::BareResult(result)) => {
                if let (Some(name), Some(binary)) = (started.take(), binaries.last_mut()) {
                    binary.results.push((name, result));
                }
            }
            None => {}
        }
    }
    binaries
}

/// Classifies one output line. `doc`: inside doc-tests, whose names hold spaces
/// (`crates/core/src/lib.rs - Ins (line 12)`).
pub fn parse_line(line: &str, doc: bool) -> Option<LogLine> {
    let line = strip_ansi(line);
    let trimmed = line.trim();
    if let Some(rest) = trimmed.strip_prefix("Running ") {
        return binary_line(rest);
    }
    if let Some(crate_name) = trimmed.strip_prefix("Doc-tests ") {
        return Some(LogLine::Binary {
            target: "doc-tests".into(),
            crate_name: crate_name.trim().to_owned(),
        });
    }
    if matches!(trimmed, "ok" | "FAILED" | "ignored") || trimmed.starts_with("ignored, ") {
        return result_word(trimmed).map(LogLine::BareResult);
    }
    if let Some(rest) = trimmed.strip_prefix("test ") {
        return test_line(rest, doc);
    }
    // A result line after stray output without a newline: complete results only.
    line.match_indices("test ")
        .filter_map(|(at, _)| test_line(&line[at + 5..], doc))
        .find(|found| matches!(found, LogLine::Result(..)))
}

/// The part of `test <name> ... <result>` after `test `.
fn test_line(rest: &str, doc: bool) -> Option<LogLine> {
    let (name, outcome) = match rest.split_once(" ... ") {
        Some((name, outcome)) => (name, outcome.trim()),
        None => (rest.trim_end().strip_suffix(" ...")?, ""),
    };
    if name.is_empty() || (!doc && name.contains(char::is_whitespace)) {
        return None;
    }
    Some(match result_word(outcome) {
        Some(result) => LogLine::Result(name.to_owned(), result),
        None if outcome.starts_with("bench:") => return None,
        None => LogLine::Started(name.to_owned()),
    })
}

/// `ok`, `FAILED`, `ignored` (possibly `ignored, reason` or `ok <0.01s>`).
fn result_word(text: &str) -> Option<TestResult> {
    let word = text.split([' ', ',']).next()?;
    match word {
        "ok" => Some(TestResult::Ok),
        "FAILED" => Some(TestResult::Failed),
        "ignored" => Some(TestResult::Ignored),
        _ => None,
    }
}

/// `unittests src/lib.rs (target/debug/deps/caduceus_service-0a1b…)` or
/// `tests/terms.rs (target/debug/deps/terms-0a1b…)`.
fn binary_line(rest: &str) -> Option<LogLine> {
    let rest = rest.strip_prefix("unittests ").unwrap_or(rest);
    let (target, binary) = rest.rsplit_once(" (")?;
    let binary = binary.strip_suffix(')')?;
    let file = binary.rsplit(['/', '\\']).next()?;
    let file = file.strip_suffix(".exe").unwrap_or(file);
    let crate_name = match file.rsplit_once('-') {
        Some((name, hash)) if hash.bytes().all(|b| b.is_ascii_hexdigit()) => name,
        _ => file,
    };
    Some(LogLine::Binary {
        target: target.trim().to_owned(),
        crate_name: crate_name.to_owned(),
    })
}

/// The line without terminal colour sequences (`ESC [ … letter`).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Gives each logged binary its package and makes the report.
pub fn report(
    log: &str,
    root: &Path,
    binaries: &[LogBinary],
    packages: &[Package],
    sources: &[SourceTest],
) -> Report {
    let mut defined: HashMap<(&str, &str), HashSet<&str>> = HashMap::new();
    for test in sources {
        defined
            .entry((test.package.as_str(), test.target.as_str()))
            .or_default()
            .insert(test.name.as_str());
    }
    let mut tests = Vec::new();
    let mut previous: Option<&Package> = None;
    for binary in binaries {
        let candidates: Vec<&Package> = if binary.target == "doc-tests" {
            packages
                .iter()
                .filter(|p| p.crate_name() == binary.crate_name)
                .collect()
        } else {
            packages
                .iter()
                .filter(|p| root.join(&p.dir).join(&binary.target).is_file())
                .collect()
        };
        let by_crate_name: Vec<&Package> = candidates
            .iter()
            .copied()
            .filter(|p| p.crate_name() == binary.crate_name)
            .collect();
        let pool = if by_crate_name.is_empty() {
            &candidates
        } else {
            &by_crate_name
        };
        let score = |p: &Package| {
            let names = defined.get(&(p.name.as_str(), binary.target.as_str()));
            let hits = binary
                .results
                .iter()
                .filter(|(name, _)| names.is_some_and(|n| n.contains(name.as_str())))
                .count();
            let after_previous = previous.is_some_and(|q| q.name == p.name);
            (hits, after_previous)
        };
        // Highest score; on a tie the first in package order.
        let package = pool.iter().copied().rev().max_by_key(|p| score(p));
        previous = package.or(previous);
        let (name, file) = match package {
            Some(p) if binary.target == "doc-tests" => (p.name.clone(), p.dir.clone()),
            Some(p) => (p.name.clone(), format!("{}/{}", p.dir, binary.target)),
            None => (String::new(), binary.target.clone()),
        };
        for (test, result) in &binary.results {
            tests.push(ReportTest {
                package: name.clone(),
                target: binary.target.clone(),
                file: file.clone(),
                binary: binary.crate_name.clone(),
                name: test.clone(),
                result: *result,
            });
        }
    }
    Report {
        log: log.to_owned(),
        tests,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binaries_are_read_from_cargo_running_lines() {
        assert_eq!(
            parse_line(
                "     Running unittests src/lib.rs (target/debug/deps/caduceus_service-0a1b2c3d4e5f6789)",
                false
            ),
            Some(LogLine::Binary {
                target: "src/lib.rs".into(),
                crate_name: "caduceus_service".into()
            })
        );
        assert_eq!(
            parse_line(
                "     Running tests/robustness.rs (/abs/target/release/deps/robustness-ffee00)",
                false
            ),
            Some(LogLine::Binary {
                target: "tests/robustness.rs".into(),
                crate_name: "robustness".into()
            })
        );
        assert_eq!(
            parse_line("   Doc-tests caduceus_core", false),
            Some(LogLine::Binary {
                target: "doc-tests".into(),
                crate_name: "caduceus_core".into()
            })
        );
    }

    #[test]
    fn result_lines_are_told_from_other_output() {
        let result = |name: &str, r| Some(LogLine::Result(name.into(), r));
        assert_eq!(
            parse_line(
                "test ingest::bounded::tests::ms13_nesting_is_refused ... ok",
                false
            ),
            result(
                "ingest::bounded::tests::ms13_nesting_is_refused",
                TestResult::Ok
            )
        );
        assert_eq!(
            parse_line("test tr1_reads_are_traced ... FAILED", false),
            result("tr1_reads_are_traced", TestResult::Failed)
        );
        assert_eq!(
            parse_line("test slow ... ignored, needs a network", false),
            result("slow", TestResult::Ignored)
        );
        assert_eq!(
            parse_line("\u{1b}[32mtest a::b ... ok\u{1b}[0m", false),
            result("a::b", TestResult::Ok)
        );
        assert_eq!(
            parse_line("test crates/core/src/lib.rs - Ins (line 12) ... ok", true),
            result("crates/core/src/lib.rs - Ins (line 12)", TestResult::Ok)
        );
        for other in [
            "test ms13_slow has been running for over 60 seconds",
            "test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured",
            "running 12 tests",
            "---- tr1_reads_are_traced stdout ----",
            "    tr1_reads_are_traced",
            "test with spaces in it ... ok",
        ] {
            assert_eq!(parse_line(other, false), None, "{other}");
        }
        assert_eq!(
            parse_line("test ms7_notice ... ", false),
            Some(LogLine::Started("ms7_notice".into()))
        );
        assert_eq!(
            parse_line("test ms7_notice ... child output", false),
            Some(LogLine::Started("ms7_notice".into()))
        );
        assert_eq!(
            parse_line("ok", false),
            Some(LogLine::BareResult(TestResult::Ok))
        );
        assert_eq!(
            parse_line("server listening on 1143test ms6_folders ... ok", false),
            result("ms6_folders", TestResult::Ok)
        );
    }

    #[test]
    fn a_whole_log_keeps_each_result_with_its_binary() {
        let log = "\
   Compiling caduceus v0.1.0 (/work/main/crates/cli)
     Running unittests src/lib.rs (target/debug/deps/caduceus_core-0123abcd)

running 2 tests
test ids::tests::id1_rpps_key ... ok
some output a test printed
test ids::tests::id5_ins_key ... FAILED
test ids::tests::id5_slow has been running for over 60 seconds

test result: FAILED. 1 passed; 1 failed; 0 ignored

     Running tests/terms.rs (target/debug/deps/terms-89ab)

running 2 tests
test in1_terms_are_asked ... 
child process chatter
ok
test in1_other ... ignored
   Doc-tests caduceus_core
test crates/core/src/lib.rs - (line 3) ... ok
";
        let binaries = parse_log(log);
        assert_eq!(binaries.len(), 3);
        assert_eq!(binaries[0].crate_name, "caduceus_core");
        assert_eq!(
            binaries[0].results,
            [
                ("ids::tests::id1_rpps_key".into(), TestResult::Ok),
                ("ids::tests::id5_ins_key".into(), TestResult::Failed),
            ]
        );
        assert_eq!(binaries[1].target, "tests/terms.rs");
        assert_eq!(
            binaries[1].results,
            [
                ("in1_terms_are_asked".into(), TestResult::Ok),
                ("in1_other".into(), TestResult::Ignored),
            ]
        );
        assert_eq!(binaries[2].results.len(), 1);
    }
}
