//! Operators of one trust space on one machine (MS-5): each `init --demo` under a
//! shared development CA, listing each other, routing each other's domain, with one
//! national directory extract that lists every operator's professionals.

use std::path::{Path, PathBuf};

use super::{Ports, ok};

/// Initialises `data` for `domain` with demo accounts, optionally under another
/// data directory's development CA; returns its ports.
pub fn init(data: &Path, domain: &str, env: &[(&str, &str)], dev_ca: Option<&Path>) -> Ports {
    let ports = Ports::new();
    let mut args = vec!["init", "--demo", "--domain", domain];
    let ca = dev_ca.map(|ca| ca.display().to_string());
    if let Some(ca) = &ca {
        args.extend(["--dev-ca", ca.as_str()]);
    }
    args.extend(ports.args());
    ok(data, env, &args);
    ports
}

/// The national directory of the trust space in one mailbox extract: the synthetic
/// extract of each operator's domain (its first entries are that operator's demo
/// professionals), which every operator imports — a recipient at another operator
/// must be listed there (MS-2). Returns the file.
pub fn national_directory(root: &Path, domains: &[&str]) -> PathBuf {
    let mut text: Vec<u8> = Vec::new();
    for domain in domains {
        let out = root.join(format!("directory-{domain}"));
        let out_arg = out.display().to_string();
        let generate = [
            "directory",
            "generate",
            "--out",
            &out_arg,
            "--domain",
            domain,
        ];
        ok(
            root,
            &[],
            &[&generate[..], &["--mailboxes", "20", "--people", "20"]].concat(),
        );
        let extract = std::fs::read(out.join("Extraction_Correspondance_MSSante.txt")).unwrap();
        let mut lines = extract.split_inclusive(|b| *b == b'\n');
        let header = lines.next().unwrap();
        if text.is_empty() {
            text.extend_from_slice(header);
        }
        lines.for_each(|line| text.extend_from_slice(line));
    }
    let path = root.join("Extraction_Correspondance_MSSante_nationale.txt");
    std::fs::write(&path, text).unwrap();
    path
}

/// The `<Domaine>` row `init` wrote for the operator of `data`.
pub fn own_trust_row(data: &Path) -> String {
    let list = std::fs::read_to_string(data.join("trust-list.xml")).unwrap();
    let start = list.find("<Domaine>").unwrap();
    let end = list.find("</Domaine>").unwrap() + "</Domaine>".len();
    list[start..end].to_owned()
}

/// Replaces the trust list of `data` with `rows`.
pub fn write_trust_list(data: &Path, rows: &[String]) {
    std::fs::write(
        data.join("trust-list.xml"),
        format!(
            "<ListeBlancheMSSante><ListeDomaines>{}</ListeDomaines></ListeBlancheMSSante>",
            rows.concat()
        ),
    )
    .unwrap();
}

/// Rewrites the configuration file of `data` with `edit`.
pub fn configure(data: &Path, edit: impl FnOnce(String) -> String) {
    let path = data.join("caduceus.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(text)).unwrap();
}

/// Routes mail for `domain` to `relay` (`[relay_out.routes]`).
pub fn route(data: &Path, domain: &str, relay: &str) {
    configure(data, |text| {
        format!("{text}\n[relay_out.routes]\n\"{domain}\" = \"{relay}\"\n")
    });
}

/// One operator of a [`pair`]: its data directory and listeners.
pub struct Operator {
    /// The data directory (`caduceus.toml`, `pki/`, `demo.json`…).
    pub data: PathBuf,
    /// Its listeners' addresses.
    pub ports: Ports,
}

/// Two operators of one trust space on the embedded default, not yet serving:
/// `caduceus.test` and `autre.test` (certified by the first one's development CA),
/// listing and routing each other, both with the national directory that lists
/// both's professionals (MS-2, MS-5).
pub fn pair(root: &Path) -> (Operator, Operator) {
    let (a, b) = (root.join("a"), root.join("b"));
    let a_ports = init(&a, "caduceus.test", &[], None);
    let b_ports = init(&b, "autre.test", &[], Some(&a.join("pki")));
    let listed = [own_trust_row(&a), own_trust_row(&b)];
    write_trust_list(&a, &listed);
    write_trust_list(&b, &listed);
    let national = national_directory(root, &["caduceus.test", "autre.test"]);
    let national = national.display().to_string();
    for data in [&a, &b] {
        ok(data, &[], &["directory", "import", &national]);
    }
    route(&a, "autre.test", &b_ports.relay);
    route(&b, "caduceus.test", &a_ports.relay);
    (
        Operator {
            data: a,
            ports: a_ports,
        },
        Operator {
            data: b,
            ports: b_ports,
        },
    )
}
