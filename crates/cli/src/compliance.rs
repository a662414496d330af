//! `caduceus compliance`: for each requirement id, the tests that prove it, the
//! interface each goes through, and its result in the last test run.
//!
//! # Where the pieces come from
//! - **Requirements**: the `- **ID-1** …` items of the requirement document
//!   (`../shared/REQUIREMENTS.md` from the repository root, or `--requirements`).
//! - **Tests**: every `#[test]` / `#[tokio::test]` function of `crates/*/src` and
//!   `crates/*/tests/*.rs` ([`sources`]), plus any test the report names that the
//!   sources do not show (tests a macro declares, such as the store's conformance suite).
//! - **Results**: `target/test-report.json`, which `scripts/test.sh` writes after every
//!   run from cargo's output with `caduceus compliance --from-log <output> --write
//!   <report>` ([`log`]). A test the report does not list is `not run`.
//!
//! # Which tests prove an id
//! A test proves the ids its name cites: `ms9_ms10_…` proves MS-9 and MS-10. An id is
//! the family in lower case followed by the number, at the start of the name's last
//! segment or after an underscore ([`requirements::ids_in_test_name`]).
//!
//! # Interfaces
//! By the root file of the test's binary:
//!
//! | tests in | interface |
//! |---|---|
//! | `crates/smtp/tests/*.rs` | `smtp` |
//! | `crates/imap/tests/*.rs` | `imap` |
//! | `crates/web/tests/browser.rs` | `browser` |
//! | `crates/web/tests/*.rs` (others) | `http` |
//! | `crates/cli/tests/*.rs` (they start the `caduceus` binary) | `cli` |
//! | everything else: unit tests in `src/`, `crates/service/tests`, `crates/store/tests`, `crates/pki/tests`, `crates/oidc/tests` … | `service-only` |
//!
//! A test file overrides this with a line `//! interface: smtp` (one of `smtp`, `imap`,
//! `http`, `browser`, `cli`, `ldap`, `service-only`) among its first 30 lines; a module
//! file's own line wins over its binary's root file's.
//!
//! # Verdicts
//! `proven`: a test through a real interface (anything but `service-only`) passed.
//! Otherwise `service only` (only tests below the interfaces passed), `failing` (none
//! passed, one failed), `not run` (tests exist, none ran) or `no test`. The command
//! exits 1 unless every id is `proven`, naming the others on stderr.

mod log;
mod render;
mod requirements;
mod sources;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use log::{Report, TestResult};
use requirements::Requirement;
use sources::SourceTest;

/// `caduceus compliance` options.
#[derive(clap::Args, Debug)]
pub struct ComplianceArgs {
    /// The repository (default: the nearest directory at or above the current one
    /// with a workspace `Cargo.toml` and `crates/`).
    #[arg(long)]
    root: Option<PathBuf>,
    /// The requirement document (default: `../shared/REQUIREMENTS.md` from the
    /// repository root).
    #[arg(long)]
    requirements: Option<PathBuf>,
    /// The test report (default: `target/test-report.json` in the repository).
    #[arg(long)]
    report: Option<PathBuf>,
    /// Read this `cargo test` output (stdout and stderr) instead of a report.
    #[arg(long, value_name = "CARGO_OUTPUT")]
    from_log: Option<PathBuf>,
    /// With `--from-log`: write the test report to this file and stop.
    ///
    /// Example: caduceus compliance --from-log target/test-output.log --write target/test-report.json
    #[arg(long, requires = "from_log", value_name = "REPORT")]
    write: Option<PathBuf>,
    /// Print JSON: per id its title, verdict and tests (name, file, interface, result).
    #[arg(long, conflicts_with_all = ["markdown", "write"])]
    json: bool,
    /// Print the Markdown page `docs/compliance.md`.
    #[arg(long, conflicts_with = "write")]
    markdown: bool,
}

/// Where a test reaches the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Interface {
    /// SMTP submission or relay, over a socket.
    Smtp,
    /// IMAP, over a socket.
    Imap,
    /// The HTTPS API or webmail, over a socket.
    Http,
    /// The webmail in a real browser.
    Browser,
    /// The `caduceus` binary.
    Cli,
    /// LDAP, over a socket.
    Ldap,
    /// Library calls, below every interface.
    ServiceOnly,
}

impl Interface {
    /// Whether a test through it counts as proof (a real interface).
    pub fn is_real(self) -> bool {
        self != Interface::ServiceOnly
    }

    /// Its name, as in `//! interface: …`.
    pub fn label(self) -> &'static str {
        match self {
            Interface::Smtp => "smtp",
            Interface::Imap => "imap",
            Interface::Http => "http",
            Interface::Browser => "browser",
            Interface::Cli => "cli",
            Interface::Ldap => "ldap",
            Interface::ServiceOnly => "service-only",
        }
    }

    /// Parses a label.
    pub fn parse(label: &str) -> Option<Interface> {
        [
            Interface::Smtp,
            Interface::Imap,
            Interface::Http,
            Interface::Browser,
            Interface::Cli,
            Interface::Ldap,
            Interface::ServiceOnly,
        ]
        .into_iter()
        .find(|i| i.label() == label.to_ascii_lowercase())
    }

    /// The interface of a test binary by its root file (`crates/smtp/tests/x.rs`),
    /// as the module documentation's table says.
    pub fn of_target(root_file: &str) -> Interface {
        let Some((dir, file)) = root_file
            .strip_prefix("crates/")
            .and_then(|rest| rest.split_once("/tests/"))
        else {
            return Interface::ServiceOnly;
        };
        match (dir, file) {
            ("smtp", _) => Interface::Smtp,
            ("imap", _) => Interface::Imap,
            ("web", "browser.rs") => Interface::Browser,
            ("web", _) => Interface::Http,
            ("cli", _) => Interface::Cli,
            _ => Interface::ServiceOnly,
        }
    }
}

/// A test's result in the last run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// It passed.
    #[serde(rename = "passed")]
    Passed,
    /// It failed.
    #[serde(rename = "failed")]
    Failed,
    /// It is `#[ignore]`d.
    #[serde(rename = "ignored")]
    Ignored,
    /// The report does not list it.
    #[serde(rename = "not run")]
    NotRun,
}

impl Outcome {
    /// Its name in the outputs.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Ignored => "ignored",
            Outcome::NotRun => "not run",
        }
    }
}

/// What the tests say of one requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// A test through a real interface passed.
    #[serde(rename = "proven")]
    Proven,
    /// Only service-level tests passed.
    #[serde(rename = "service only")]
    ServiceOnly,
    /// No test passed and one failed.
    #[serde(rename = "failing")]
    Failing,
    /// Its tests were ignored or not run.
    #[serde(rename = "not run")]
    NotRun,
    /// No test cites it.
    #[serde(rename = "no test")]
    NoTest,
}

impl Verdict {
    /// Its name in the outputs.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Proven => "proven",
            Verdict::ServiceOnly => "service only",
            Verdict::Failing => "failing",
            Verdict::NotRun => "not run",
            Verdict::NoTest => "no test",
        }
    }

    /// The verdict of a set of tests.
    fn of(tests: &[Proof]) -> Verdict {
        let passed = |p: &&Proof| p.result == Outcome::Passed;
        if tests.iter().filter(passed).any(|p| p.interface.is_real()) {
            Verdict::Proven
        } else if tests.iter().any(|p| p.result == Outcome::Passed) {
            Verdict::ServiceOnly
        } else if tests.iter().any(|p| p.result == Outcome::Failed) {
            Verdict::Failing
        } else if !tests.is_empty() {
            Verdict::NotRun
        } else {
            Verdict::NoTest
        }
    }
}

/// A test, where it is, how it reaches the system and how it ended.
#[derive(Debug, Clone, Serialize)]
pub struct Proof {
    /// Its full name as libtest prints it.
    pub name: String,
    /// Its package.
    pub package: String,
    /// The file that defines it (its binary's root when only the report knows it).
    pub file: String,
    /// Its interface.
    pub interface: Interface,
    /// Its result in the last run.
    pub result: Outcome,
}

/// One requirement with its tests.
#[derive(Debug, Serialize)]
pub struct Entry {
    /// The requirement's id.
    pub id: String,
    /// Its title (first sentence).
    pub title: String,
    /// What its tests say.
    pub verdict: Verdict,
    /// How many of its tests passed.
    pub passed: usize,
    /// How many failed.
    pub failed: usize,
    /// Its tests, by file then name.
    pub tests: Vec<Proof>,
}

impl Entry {
    /// The distinct interfaces of its tests, in a fixed order.
    pub fn interfaces(&self) -> Vec<Interface> {
        let mut interfaces: Vec<Interface> = self.tests.iter().map(|t| t.interface).collect();
        interfaces.sort();
        interfaces.dedup();
        interfaces
    }
}

/// An id that tests cite but the document does not list.
#[derive(Debug, Serialize)]
pub struct UnknownId {
    /// The id.
    pub id: String,
    /// The tests citing it.
    pub tests: Vec<String>,
}

/// The whole answer: every requirement with its tests.
#[derive(Debug, Serialize)]
pub struct Compliance {
    /// The requirement document read.
    pub requirements: String,
    /// The test report read, if there was one.
    pub report: Option<String>,
    /// The cargo output that report was made from.
    pub log: Option<String>,
    /// One entry per requirement, in document order.
    pub ids: Vec<Entry>,
    /// Ids cited by tests but absent from the document (a typo, or a retired id).
    pub unknown_ids: Vec<UnknownId>,
    /// Every test found, with or without an id, counted by result.
    pub all_tests: Totals,
}

/// Tests counted by result.
#[derive(Debug, Default, Serialize)]
pub struct Totals {
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Ignored.
    pub ignored: usize,
    /// Not in the report.
    pub not_run: usize,
}

impl Compliance {
    /// The ids without a passing test through a real interface.
    pub fn unproven(&self) -> Vec<&str> {
        self.ids
            .iter()
            .filter(|e| e.verdict != Verdict::Proven)
            .map(|e| e.id.as_str())
            .collect()
    }
}

/// Runs `caduceus compliance`.
pub fn run(args: &ComplianceArgs) -> Result<ExitCode> {
    let root = match &args.root {
        Some(root) => root.clone(),
        None => find_root(&std::env::current_dir().context("reading the current directory")?)?,
    };
    let packages = sources::packages(&root)?;
    let source_tests = sources::tests(&root, &packages);
    let report = load_report(args, &root, &packages, &source_tests)?;
    if let (Some(out), Some((report, _))) = (&args.write, &report) {
        return write_report(out, report).map(|()| ExitCode::SUCCESS);
    }
    let requirements_path = match &args.requirements {
        Some(path) => path.clone(),
        None => {
            let default = root.join("../shared/REQUIREMENTS.md");
            if !default.is_file() {
                bail!(
                    "no requirement document at {}: pass --requirements PATH",
                    default.display()
                );
            }
            default
        }
    };
    let document = std::fs::read_to_string(&requirements_path)
        .with_context(|| format!("reading {}", requirements_path.display()))?;
    let requirements = requirements::parse(&document);
    if requirements.is_empty() {
        bail!(
            "{} lists no requirement (`- **ID-1** …` lines)",
            requirements_path.display()
        );
    }
    let tests = join(
        &root,
        &source_tests,
        report.as_ref().map(|r| &r.0),
        &packages,
    );
    let mut compliance = assess(&requirements, tests);
    compliance.requirements = shown(&root, &requirements_path);
    (compliance.log, compliance.report) = report.map(|(r, name)| (r.log, name)).unzip();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&compliance)?);
    } else if args.markdown {
        print!("{}", render::markdown(&compliance));
    } else {
        print!("{}", render::table(&compliance));
    }
    let unproven = compliance.unproven();
    if unproven.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "caduceus compliance: {} of {} requirements have no passing test through a real \
         interface: {}",
        unproven.len(),
        compliance.ids.len(),
        unproven.join(", ")
    );
    Ok(ExitCode::FAILURE)
}

/// The report to use and its name as shown: made from `--from-log`, else read from
/// `--report` or its default; `None` (with a warning) when the default is missing.
fn load_report(
    args: &ComplianceArgs,
    root: &Path,
    packages: &[sources::Package],
    source_tests: &[SourceTest],
) -> Result<Option<(Report, String)>> {
    if let Some(path) = &args.from_log {
        let text = std::fs::read(path)
            .with_context(|| format!("reading the cargo output {}", path.display()))?;
        let binaries = log::parse_log(&String::from_utf8_lossy(&text));
        let name = path.display().to_string();
        let report = log::report(&name, root, &binaries, packages, source_tests);
        return Ok(Some((report, name)));
    }
    let path = args
        .report
        .clone()
        .unwrap_or_else(|| root.join("target/test-report.json"));
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let report: Report = serde_json::from_str(&text)
                .with_context(|| format!("reading the test report {}", path.display()))?;
            Ok(Some((report, shown(root, &path))))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.report.is_none() => {
            eprintln!(
                "caduceus compliance: no test report at {}: every test counts as not run \
                 (scripts/test.sh writes it)",
                path.display()
            );
            Ok(None)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Writes the report as JSON, creating its directory.
fn write_report(out: &Path, report: &Report) -> Result<()> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let json = serde_json::to_string_pretty(report)?;
    std::fs::write(out, json + "\n").with_context(|| format!("writing {}", out.display()))?;
    let count = |r: TestResult| report.tests.iter().filter(|t| t.result == r).count();
    eprintln!(
        "caduceus compliance: wrote {}: {} tests ({} ok, {} FAILED, {} ignored)",
        out.display(),
        report.tests.len(),
        count(TestResult::Ok),
        count(TestResult::Failed),
        count(TestResult::Ignored),
    );
    Ok(())
}

/// The nearest directory at or above `start` with a workspace manifest and `crates/`.
fn find_root(start: &Path) -> Result<PathBuf> {
    for dir in start.ancestors() {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
        if manifest.lines().any(|l| l.trim() == "[workspace]") && dir.join("crates").is_dir() {
            return Ok(dir.to_path_buf());
        }
    }
    bail!(
        "no Caduceus repository at or above {}: run from the repository or pass --root",
        start.display()
    )
}

/// A path as shown in the outputs: relative to the repository when inside it.
fn shown(root: &Path, path: &Path) -> String {
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (root, full) = (absolute(root), absolute(path));
    if full.starts_with(&root) {
        sources::relative(&root, &full)
    } else if let Some(parent) = root.parent()
        && full.starts_with(parent)
    {
        format!("../{}", sources::relative(parent, &full))
    } else {
        path.display().to_string()
    }
}

/// The tests of the sources with their results, then the report's tests the sources
/// do not show (doc-tests left out: they cite no id).
fn join(
    root: &Path,
    source_tests: &[SourceTest],
    report: Option<&Report>,
    packages: &[sources::Package],
) -> Vec<Proof> {
    let mut results: HashMap<(&str, &str, &str), TestResult> = HashMap::new();
    let mut extra = Vec::new();
    for test in report.map_or(&[][..], |r| &r.tests) {
        if test.target == "doc-tests" {
            continue;
        }
        let key = (
            test.package.as_str(),
            test.target.as_str(),
            test.name.as_str(),
        );
        if results.insert(key, test.result).is_none() {
            extra.push(test);
        }
    }
    let mut proofs = Vec::new();
    for test in source_tests {
        let key = (
            test.package.as_str(),
            test.target.as_str(),
            test.name.as_str(),
        );
        proofs.push(Proof {
            name: test.name.clone(),
            package: test.package.clone(),
            file: test.file.clone(),
            interface: test.interface,
            result: results.remove(&key).map_or(Outcome::NotRun, outcome),
        });
    }
    for test in extra {
        let key = (
            test.package.as_str(),
            test.target.as_str(),
            test.name.as_str(),
        );
        let Some(result) = results.remove(&key) else {
            continue;
        };
        let root_file = packages
            .iter()
            .find(|p| p.name == test.package)
            .map_or(test.file.clone(), |p| format!("{}/{}", p.dir, test.target));
        let interface = sources::declared_interface(&root.join(&root_file))
            .unwrap_or_else(|| Interface::of_target(&root_file));
        proofs.push(Proof {
            name: test.name.clone(),
            package: test.package.clone(),
            file: root_file,
            interface,
            result: outcome(result),
        });
    }
    proofs
}

fn outcome(result: TestResult) -> Outcome {
    match result {
        TestResult::Ok => Outcome::Passed,
        TestResult::Failed => Outcome::Failed,
        TestResult::Ignored => Outcome::Ignored,
    }
}

/// Sorts the tests under the ids they cite and gives each id its verdict.
fn assess(requirements: &[Requirement], tests: Vec<Proof>) -> Compliance {
    let families = requirements::families(requirements);
    let mut by_id: HashMap<String, Vec<Proof>> = HashMap::new();
    let mut totals = Totals::default();
    for test in tests {
        match test.result {
            Outcome::Passed => totals.passed += 1,
            Outcome::Failed => totals.failed += 1,
            Outcome::Ignored => totals.ignored += 1,
            Outcome::NotRun => totals.not_run += 1,
        }
        for id in requirements::ids_in_test_name(&test.name, &families) {
            by_id.entry(id).or_default().push(test.clone());
        }
    }
    let ids = requirements
        .iter()
        .map(|r| {
            let mut tests = by_id.remove(&r.id).unwrap_or_default();
            tests.sort_by(|a, b| (&a.file, &a.name).cmp(&(&b.file, &b.name)));
            let count = |o: Outcome| tests.iter().filter(|t| t.result == o).count();
            Entry {
                id: r.id.clone(),
                title: r.title.clone(),
                verdict: Verdict::of(&tests),
                passed: count(Outcome::Passed),
                failed: count(Outcome::Failed),
                tests,
            }
        })
        .collect();
    let mut unknown_ids: Vec<UnknownId> = by_id
        .into_iter()
        .map(|(id, tests)| UnknownId {
            id,
            tests: tests.into_iter().map(|t| t.name).collect(),
        })
        .collect();
    unknown_ids.sort_by(|a, b| a.id.cmp(&b.id));
    Compliance {
        requirements: String::new(),
        report: None,
        log: None,
        ids,
        unknown_ids,
        all_tests: totals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof(interface: Interface, result: Outcome) -> Proof {
        Proof {
            name: "ms1_x".into(),
            package: "p".into(),
            file: "f".into(),
            interface,
            result,
        }
    }

    #[test]
    fn an_id_is_proven_only_by_a_passing_test_through_a_real_interface() {
        use Interface::*;
        use Outcome::*;
        let verdict = |tests: &[Proof]| Verdict::of(tests);
        assert_eq!(verdict(&[]), Verdict::NoTest);
        assert_eq!(
            verdict(&[proof(ServiceOnly, Passed), proof(Smtp, Failed)]),
            Verdict::ServiceOnly
        );
        assert_eq!(
            verdict(&[proof(ServiceOnly, Passed), proof(Cli, Passed)]),
            Verdict::Proven
        );
        assert_eq!(verdict(&[proof(Http, Failed)]), Verdict::Failing);
        assert_eq!(
            verdict(&[proof(Http, Ignored), proof(Imap, NotRun)]),
            Verdict::NotRun
        );
    }

    #[test]
    fn interfaces_follow_the_test_binary_root() {
        let of = Interface::of_target;
        assert_eq!(of("crates/smtp/tests/robustness.rs"), Interface::Smtp);
        assert_eq!(of("crates/imap/tests/rev2.rs"), Interface::Imap);
        assert_eq!(of("crates/web/tests/browser.rs"), Interface::Browser);
        assert_eq!(of("crates/web/tests/api.rs"), Interface::Http);
        assert_eq!(of("crates/cli/tests/terms.rs"), Interface::Cli);
        assert_eq!(of("crates/service/tests/terms.rs"), Interface::ServiceOnly);
        assert_eq!(of("crates/smtp/src/lib.rs"), Interface::ServiceOnly);
        assert_eq!(Interface::parse("IMAP"), Some(Interface::Imap));
        assert_eq!(Interface::parse("carrier pigeon"), None);
    }
}
