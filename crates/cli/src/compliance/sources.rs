//! The workspace's test functions, read from their sources.
//!
//! Each crate `crates/<dir>` is read from its roots as cargo builds them:
//! `src/lib.rs`, `src/main.rs` and every `tests/<stem>.rs`. From a root, `mod name;`
//! declarations are followed to their files (`#[path = "…"]` honoured) and inline
//! `mod name { … }` blocks are tracked, so each `#[test]` / `#[tokio::test]` function
//! gets the name libtest prints: `ingest::bounded::tests::ms13_…` in a library,
//! `ms9_…` or `module::ms9_…` in an integration test. Tests a macro declares
//! (`fn $name`) are not seen here; they come from the test report alone.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::Interface;

/// A crate of the workspace.
#[derive(Debug, Clone)]
pub struct Package {
    /// Its `[package] name`, e.g. `caduceus-service`.
    pub name: String,
    /// Its directory relative to the repository root, e.g. `crates/service`.
    pub dir: String,
}

impl Package {
    /// The name of its library or binary crate: `caduceus_service`.
    pub fn crate_name(&self) -> String {
        self.name.replace('-', "_")
    }
}

/// A test function found in the sources.
#[derive(Debug, Clone)]
pub struct SourceTest {
    /// The package it belongs to.
    pub package: String,
    /// The root of its test binary relative to the package, as cargo prints it:
    /// `src/lib.rs`, `src/main.rs`, `tests/robustness.rs`.
    pub target: String,
    /// The file that defines it, relative to the repository root.
    pub file: String,
    /// Its name as libtest prints it (module path and function).
    pub name: String,
    /// How it reaches the system.
    pub interface: Interface,
}

/// The packages under `crates/`, sorted by name.
pub fn packages(root: &Path) -> Result<Vec<Package>> {
    let crates = root.join("crates");
    let mut packages = Vec::new();
    let entries =
        std::fs::read_dir(&crates).with_context(|| format!("reading {}", crates.display()))?;
    for entry in entries {
        let dir = entry?.path();
        let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        if let Some(name) = package_name(&manifest) {
            let dir_name = dir.file_name().unwrap_or_default().to_string_lossy();
            packages.push(Package {
                name,
                dir: format!("crates/{dir_name}"),
            });
        }
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(packages)
}

/// The `name = "…"` of a manifest's `[package]` table.
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(value) = line.strip_prefix("name") {
            let value = value.trim_start().strip_prefix('=')?.trim();
            return Some(value.trim_matches('"').to_owned());
        }
    }
    None
}

/// Every test function of every package's test binaries.
pub fn tests(root: &Path, packages: &[Package]) -> Vec<SourceTest> {
    let mut found = Vec::new();
    for package in packages {
        let dir = root.join(&package.dir);
        let mut targets: Vec<String> = ["src/lib.rs", "src/main.rs"]
            .into_iter()
            .filter(|t| dir.join(t).is_file())
            .map(str::to_owned)
            .collect();
        if let Ok(entries) = std::fs::read_dir(dir.join("tests")) {
            let mut integration: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".rs"))
                .map(|name| format!("tests/{name}"))
                .collect();
            integration.sort();
            targets.extend(integration);
        }
        for target in targets {
            let root_file = dir.join(&target);
            let mut functions = Vec::new();
            let mut seen = HashSet::new();
            scan_file(&root_file, &[], true, &mut seen, &mut functions);
            let root_interface = declared_interface(&root_file);
            for (file, name) in functions {
                let interface = declared_interface(&file)
                    .or(root_interface)
                    .unwrap_or_else(|| Interface::of_target(&format!("{}/{target}", package.dir)));
                found.push(SourceTest {
                    package: package.name.clone(),
                    target: target.clone(),
                    file: relative(root, &file),
                    name,
                    interface,
                });
            }
        }
    }
    found
}

/// `path` relative to `root`, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    let path = path.strip_prefix(root).unwrap_or(path);
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The interface a file declares with `//! interface: smtp` among its first 30 lines.
pub fn declared_interface(file: &Path) -> Option<Interface> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().take(30).find_map(|line| {
        let value = line
            .trim()
            .strip_prefix("//!")?
            .trim()
            .strip_prefix("interface:")?;
        Interface::parse(value.trim())
    })
}

/// Reads the tests of `file` (module path `module`) and of the files its `mod`
/// declarations name. `owns_dir`: the file is a crate root or a `mod.rs`, so its
/// child modules live beside it rather than in a directory named after it.
fn scan_file(
    file: &Path,
    module: &[String],
    owns_dir: bool,
    seen: &mut HashSet<PathBuf>,
    found: &mut Vec<(PathBuf, String)>,
) {
    if !seen.insert(file.to_path_buf()) {
        return;
    }
    let Ok(text) = std::fs::read_to_string(file) else {
        return;
    };
    let parent = file.parent().unwrap_or(Path::new("."));
    let children = if owns_dir {
        parent.to_path_buf()
    } else {
        parent.join(file.file_stem().unwrap_or_default())
    };
    let items = scan_source(&text);
    for name in items.tests {
        found.push((file.to_path_buf(), join(module, &name)));
    }
    for declared in items.modules {
        let mut path = module.to_vec();
        path.extend(declared.inline.iter().cloned());
        path.push(declared.name.clone());
        let (child, owns) = match declared.path {
            Some(explicit) => {
                let child = parent.join(&explicit);
                let owns = child.file_name().is_some_and(|n| n == "mod.rs");
                (child, owns)
            }
            None => {
                let mut dir = children.clone();
                dir.extend(&declared.inline);
                let flat = dir.join(format!("{}.rs", declared.name));
                if flat.is_file() {
                    (flat, false)
                } else {
                    (dir.join(&declared.name).join("mod.rs"), true)
                }
            }
        };
        scan_file(&child, &path, owns, seen, found);
    }
}

/// `a::b` + `c` → `a::b::c`.
fn join(module: &[String], name: &str) -> String {
    let mut parts = module.to_vec();
    parts.push(name.to_owned());
    parts.join("::")
}

/// What one source file declares.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SourceItems {
    /// Test functions, with the inline modules around them: `tests::ms13_…`.
    pub tests: Vec<String>,
    /// `mod name;` declarations to follow.
    pub modules: Vec<ModuleDecl>,
}

/// A `mod name;` declaration.
#[derive(Debug, PartialEq, Eq)]
pub struct ModuleDecl {
    /// The inline modules it is declared in.
    pub inline: Vec<String>,
    /// The module's name.
    pub name: String,
    /// Its `#[path = "…"]`, if any.
    pub path: Option<String>,
}

/// A token of Rust source, as much as finding modules and tests needs.
#[derive(Debug, PartialEq, Eq)]
enum Token {
    Ident(String),
    Punct(char),
    Str(String),
}

/// The test functions and `mod` declarations of one file.
pub fn scan_source(text: &str) -> SourceItems {
    let tokens = tokenize(text);
    let mut items = SourceItems::default();
    let mut depth = 0usize;
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut is_test = false;
    let mut path: Option<String> = None;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Punct('#') => {
                let inner = tokens.get(i + 1) == Some(&Token::Punct('!'));
                let open = if inner { i + 2 } else { i + 1 };
                if tokens.get(open) == Some(&Token::Punct('[')) {
                    let close = matching_bracket(&tokens, open);
                    if !inner {
                        let attribute = &tokens[open + 1..close];
                        is_test |= is_test_attribute(attribute);
                        if let [Token::Ident(p), Token::Punct('='), Token::Str(value)] = attribute
                            && p == "path"
                        {
                            path = Some(value.clone());
                        }
                    }
                    i = close + 1;
                    continue;
                }
            }
            Token::Ident(word) if word == "fn" => {
                if let Some(Token::Ident(name)) = tokens.get(i + 1)
                    && is_test
                {
                    let mut full: Vec<String> = inline.iter().map(|(m, _)| m.clone()).collect();
                    full.push(name.clone());
                    items.tests.push(full.join("::"));
                }
                is_test = false;
                path = None;
            }
            Token::Ident(word) if word == "mod" => {
                if let Some(Token::Ident(name)) = tokens.get(i + 1) {
                    match tokens.get(i + 2) {
                        Some(Token::Punct('{')) => {
                            depth += 1;
                            inline.push((name.clone(), depth));
                            is_test = false;
                            path = None;
                            i += 3;
                            continue;
                        }
                        Some(Token::Punct(';')) => items.modules.push(ModuleDecl {
                            inline: inline.iter().map(|(m, _)| m.clone()).collect(),
                            name: name.clone(),
                            path: path.take(),
                        }),
                        _ => {}
                    }
                }
                is_test = false;
                path = None;
            }
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                while inline.last().is_some_and(|(_, d)| *d > depth) {
                    inline.pop();
                }
            }
            Token::Punct(';') => {
                is_test = false;
                path = None;
            }
            _ => {}
        }
        i += 1;
    }
    items
}

/// The index of the `]` closing the `[` at `open` (or the last token).
fn matching_bracket(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::Punct('[') => depth += 1,
            Token::Punct(']') => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len().saturating_sub(1)
}

/// `test`, `tokio::test`, `tokio::test(flavor = …)`: a path ending in `test`.
fn is_test_attribute(attribute: &[Token]) -> bool {
    let path_len = attribute
        .iter()
        .position(|t| !matches!(t, Token::Ident(_) | Token::Punct(':')))
        .unwrap_or(attribute.len());
    matches!(attribute[..path_len].last(), Some(Token::Ident(last)) if last == "test")
}

/// Splits source text into identifiers, punctuation and string literals, dropping
/// comments, character literals, lifetimes and whitespace.
fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i = skip_block_comment(&chars, i);
        } else if c == '"' {
            let (value, end) = quoted(&chars, i + 1);
            tokens.push(Token::Str(value));
            i = end;
        } else if let Some((value, end)) = prefixed_literal(&chars, i) {
            tokens.extend(value.map(Token::Str));
            i = end;
        } else if c == '\'' {
            i = skip_char_or_lifetime(&chars, i);
        } else if is_ident_char(c) {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
        } else {
            tokens.push(Token::Punct(c));
            i += 1;
        }
    }
    tokens
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Skips a (nested) block comment starting at `i`; returns the index after it.
fn skip_block_comment(chars: &[char], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// A `"…"` body starting after its opening quote: its raw text and the index after
/// the closing quote.
fn quoted(chars: &[char], mut i: usize) -> (String, usize) {
    let start = i;
    while i < chars.len() && chars[i] != '"' {
        i += if chars[i] == '\\' { 2 } else { 1 };
    }
    let end = i.min(chars.len());
    (chars[start..end].iter().collect(), end + 1)
}

/// A literal with a prefix at `i`: `b"…"`, `c"…"`, `r"…"`, `r#"…"#`, `br#"…"#`,
/// `b'x'`. Returns the string's text (`None` for a byte) and the index after it;
/// `None` when `i` starts no such literal (or when it is part of an identifier).
fn prefixed_literal(chars: &[char], i: usize) -> Option<(Option<String>, usize)> {
    if i > 0 && is_ident_char(chars[i - 1]) {
        return None;
    }
    let mut j = i;
    while j < chars.len() && j < i + 2 && matches!(chars[j], 'b' | 'c' | 'r') {
        j += 1;
    }
    let prefix: String = chars[i..j].iter().collect();
    if prefix.is_empty() {
        return None;
    }
    if prefix == "b" && chars.get(j) == Some(&'\'') {
        return Some((None, skip_char_or_lifetime(chars, j)));
    }
    if !prefix.contains('r') {
        return (matches!(prefix.as_str(), "b" | "c") && chars.get(j) == Some(&'"')).then(|| {
            let (value, end) = quoted(chars, j + 1);
            (Some(value), end)
        });
    }
    if !matches!(prefix.as_str(), "r" | "br" | "cr") {
        return None;
    }
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    if chars.get(j + hashes) != Some(&'"') {
        return None;
    }
    let start = j + hashes + 1;
    let mut k = start;
    while k < chars.len() {
        if chars[k] == '"'
            && chars[k + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            let value = chars[start..k].iter().collect();
            return Some((Some(value), k + 1 + hashes));
        }
        k += 1;
    }
    Some((Some(chars[start..].iter().collect()), chars.len()))
}

/// Skips a character literal (`'x'`, `'\n'`, `'\u{7b}'`) or a lifetime (`'a`) at `i`.
fn skip_char_or_lifetime(chars: &[char], i: usize) -> usize {
    match chars.get(i + 1) {
        Some('\\') => {
            let mut j = i + 2;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            j + 1
        }
        Some(_) if chars.get(i + 2) == Some(&'\'') => i + 3,
        _ => {
            let mut j = i + 1;
            while j < chars.len() && is_ident_char(chars[j]) {
                j += 1;
            }
            j
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_get_their_inline_module_path_and_braces_in_literals_are_ignored() {
        let source = r###"
//! A crate. mod fake { #[test] fn in_a_comment() {} }
use std::fmt;

#[test]
fn ms1_top_level() { let s = "}{ mod nope {"; let c = '}'; let b = b'{'; }

/* block /* nested { */ #[test] fn commented_out() {} */
#[cfg(test)]
#[path = "helpers/mod.rs"]
mod helpers;
mod plain;

#[cfg(test)]
mod tests {
    use super::*;
    fn helper<'a>(x: &'a str) -> &'a str { x }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tr1_in_tests() { let raw = r#"fn fake() { "#; }

    mod inner {
        #[test]
        #[ignore = "slow"]
        fn au3_nested() {}
        mod deeper;
    }

    #[test]
    pub(crate) fn ms9_after_inner() {}
}

macro_rules! suite { ($name:ident) => { #[test] fn $name() {} }; }

fn not_a_test() {}
"###;
        let items = scan_source(source);
        assert_eq!(
            items.tests,
            [
                "ms1_top_level",
                "tests::tr1_in_tests",
                "tests::inner::au3_nested",
                "tests::ms9_after_inner",
            ]
        );
        assert_eq!(
            items.modules,
            [
                ModuleDecl {
                    inline: vec![],
                    name: "helpers".into(),
                    path: Some("helpers/mod.rs".into()),
                },
                ModuleDecl {
                    inline: vec![],
                    name: "plain".into(),
                    path: None,
                },
                ModuleDecl {
                    inline: vec!["tests".into(), "inner".into()],
                    name: "deeper".into(),
                    path: None,
                },
            ]
        );
    }

    #[test]
    fn the_package_name_is_read_from_its_manifest() {
        let manifest = "[package]\nversion = \"0.1.0\"\nname = \"caduceus-web\"\n\n[dependencies]\nname = \"x\"\n";
        assert_eq!(package_name(manifest).as_deref(), Some("caduceus-web"));
        assert_eq!(package_name("[workspace]\nmembers = []\n"), None);
    }
}
