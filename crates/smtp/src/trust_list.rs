//! The MSSanté trust list (MS-5): which operator certificate may relay mail for which
//! domain. Read from the `ListeBlancheMSSante` XML file, reloaded without restart.
//!
//! ```xml
//! <ListeBlancheMSSante xmlns="http://www.sante.gouv.fr/mssante">
//!   <ListeDomaines>
//!     <Domaine>
//!       <Nom>autre-operateur.fr</Nom>
//!       <DNCertificatOperateur>CN=autre-operateur.fr,O=Autre,C=FR</DNCertificatOperateur>
//!       <DateMAJ>2024-03-01</DateMAJ>
//!     </Domaine>
//!   </ListeDomaines>
//! </ListeBlancheMSSante>
//! ```
//!
//! Element names are matched without their namespace prefix; whitespace around values
//! is ignored; unknown elements (anywhere) are skipped. A domain may appear in several
//! `Domaine` rows, one per operator certificate. DNs are compared once normalized with
//! [`caduceus_pki::normalize_dn`], so RFC 4514 (`CN=x,O=y,C=FR`) and OpenSSL
//! (`/C=FR/O=y/CN=x`) forms match.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use caduceus_pki::normalize_dn;
use caduceus_service::peers::PeerTrust;
use quick_xml::events::Event;
use tokio::sync::watch;
use tracing::{error, info, warn};

use crate::listener::stopped;

/// The service asks the list in force at each question, so a reload takes effect
/// for the next peer or recipient.
impl PeerTrust for TrustListHandle {
    fn allows(&self, domain: &str, subject_dn: &str) -> bool {
        self.current().allows(domain, subject_dn)
    }

    fn domains_for(&self, subject_dn: &str) -> Vec<String> {
        self.current()
            .domains_for(subject_dn)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    fn lists_domain(&self, domain: &str) -> bool {
        self.current().lists_domain(domain)
    }

    fn domain_count(&self) -> usize {
        self.current().len()
    }
}

/// The root element of the trust list.
const ROOT: &str = "ListeBlancheMSSante";

/// A trust list that failed to load.
#[derive(Debug, thiserror::Error)]
pub enum TrustListError {
    /// The file could not be read.
    #[error("cannot read the trust list {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The text is not well-formed XML.
    #[error("trust list: malformed XML at line {line}: {message}")]
    Xml {
        /// 1-based line of the error.
        line: usize,
        /// What the XML parser said.
        message: String,
    },
    /// Well-formed XML, but not a usable trust list.
    #[error("trust list: line {line}, element <{element}>: {reason}")]
    Invalid {
        /// 1-based line of the element at fault.
        line: usize,
        /// The element at fault.
        element: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The operators of the trust space: for each domain, the normalized subject DNs of
/// the operator certificates allowed to relay its mail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustList {
    domains: BTreeMap<String, BTreeSet<String>>,
}

/// One `Domaine` row being read.
#[derive(Default)]
struct Row {
    line: usize,
    name: Option<String>,
    dn: Option<String>,
}

/// The state of a parse.
#[derive(Default)]
struct Parser {
    list: TrustList,
    /// Local names of the open elements, the root first.
    path: Vec<String>,
    root_seen: bool,
    row: Option<Row>,
    /// Text of the innermost element so far.
    text: String,
}

impl Parser {
    /// An element starts at `line`.
    fn open(
        &mut self,
        start: &quick_xml::events::BytesStart<'_>,
        line: usize,
    ) -> Result<(), TrustListError> {
        let name = start.local_name().as_ref().to_owned();
        if self.path.is_empty() {
            if self.root_seen || name != ROOT {
                return Err(invalid(
                    line,
                    &name,
                    format!("the root element must be <{ROOT}>"),
                ));
            }
            self.root_seen = true;
        }
        if is_row(&self.path, &name) {
            self.row = Some(Row {
                line,
                ..Row::default()
            });
        }
        self.text.clear();
        self.path.push(name);
        Ok(())
    }

    /// The innermost open element ends.
    fn close(&mut self) -> Result<(), TrustListError> {
        let Some(name) = self.path.pop() else {
            return Ok(());
        };
        if is_row(&self.path, &name) {
            if let Some(done) = self.row.take() {
                let missing = |what: &str| invalid(done.line, "Domaine", format!("no <{what}>"));
                let domain = done.name.ok_or_else(|| missing("Nom"))?;
                let dn = done.dn.ok_or_else(|| missing("DNCertificatOperateur"))?;
                self.list.domains.entry(domain).or_default().insert(dn);
            }
        } else if self.path.len() == 3
            && is_row(&self.path[..2], &self.path[2])
            && let Some(row) = self.row.as_mut()
        {
            let value = self.text.trim();
            match name.as_str() {
                "Nom" => row.name = Some(domain_name(value, row.line)?),
                "DNCertificatOperateur" => {
                    let dn = normalize_dn(value);
                    if dn.is_empty() {
                        return Err(invalid(
                            row.line,
                            "DNCertificatOperateur",
                            "empty DN".into(),
                        ));
                    }
                    row.dn = Some(dn);
                }
                // DateMAJ and anything else: read, not used.
                _ => {}
            }
        }
        self.text.clear();
        Ok(())
    }
}

impl TrustList {
    /// Parses the `ListeBlancheMSSante` XML format (see the [module documentation](self)).
    ///
    /// # Errors
    ///
    /// Malformed XML, another root element, or a `Domaine` without a valid `Nom` or
    /// without a `DNCertificatOperateur`, with the line and element at fault.
    pub fn parse(xml: &str) -> Result<TrustList, TrustListError> {
        let line_at = |offset: u64| {
            let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(xml.len());
            xml.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        };
        let mut reader = quick_xml::Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        let mut parser = Parser::default();
        loop {
            let position = reader.buffer_position();
            let event = reader.read_event().map_err(|e| TrustListError::Xml {
                line: line_at(reader.error_position()),
                message: e.to_string(),
            })?;
            match event {
                Event::Start(start) => parser.open(&start, line_at(position))?,
                Event::Empty(start) => {
                    parser.open(&start, line_at(position))?;
                    parser.close()?;
                }
                Event::End(_) => parser.close()?,
                Event::Text(t) => parser.text.push_str(&t.xml10_content()),
                Event::CData(c) => parser.text.push_str(&c.xml10_content()),
                Event::GeneralRef(r) => {
                    let bad = |message: String| TrustListError::Xml {
                        line: line_at(position),
                        message,
                    };
                    match r.resolve_char_ref() {
                        Ok(Some(ch)) => parser.text.push(ch),
                        Ok(None) => {
                            let name = r.xml10_content();
                            let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                                .ok_or_else(|| bad(format!("unknown entity &{name};")))?;
                            parser.text.push_str(resolved);
                        }
                        Err(e) => return Err(bad(e.to_string())),
                    }
                }
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
        if let Some(open) = parser.path.last() {
            return Err(TrustListError::Xml {
                line: line_at(xml.len() as u64),
                message: format!("end of input inside <{open}>"),
            });
        }
        if !parser.root_seen {
            return Err(invalid(
                line_at(xml.len() as u64),
                ROOT,
                "no root element".into(),
            ));
        }
        Ok(parser.list)
    }

    /// Whether a certificate with subject `subject_dn` (any form) may relay mail from
    /// `domain` (compared case-insensitively, a final dot ignored).
    pub fn allows(&self, domain: &str, subject_dn: &str) -> bool {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        self.domains
            .get(&domain)
            .is_some_and(|dns| dns.contains(&normalize_dn(subject_dn)))
    }

    /// Whether any operator is listed for `domain` (compared like [`Self::allows`]).
    pub fn lists_domain(&self, domain: &str) -> bool {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        self.domains.contains_key(&domain)
    }

    /// The listed domains, sorted, lowercase.
    pub fn domains(&self) -> Vec<&str> {
        self.domains.keys().map(String::as_str).collect()
    }

    /// The domains a certificate with subject `subject_dn` may relay for, sorted.
    pub fn domains_for(&self, subject_dn: &str) -> Vec<&str> {
        let dn = normalize_dn(subject_dn);
        self.domains
            .iter()
            .filter(|(_, dns)| dns.contains(&dn))
            .map(|(domain, _)| domain.as_str())
            .collect()
    }

    /// The number of domains listed.
    pub fn len(&self) -> usize {
        self.domains.len()
    }

    /// Whether no domain is listed (every relay is then refused).
    pub fn is_empty(&self) -> bool {
        self.domains.is_empty()
    }
}

/// Whether an element named `name` under `path` is a `Domaine` row.
fn is_row(path: &[String], name: &str) -> bool {
    name == "Domaine" && path.len() == 2 && path[1] == "ListeDomaines"
}

fn invalid(line: usize, element: &str, reason: String) -> TrustListError {
    TrustListError::Invalid {
        line,
        element: element.to_owned(),
        reason,
    }
}

/// A `Nom`: a DNS domain name, lowercased, a final dot removed.
fn domain_name(value: &str, line: usize) -> Result<String, TrustListError> {
    let name = value.trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if name.len() > 253 || !name.contains('.') || !name.split('.').all(label_ok) {
        return Err(invalid(
            line,
            "Nom",
            format!("{value:?} is not a domain name"),
        ));
    }
    Ok(name)
}

/// The trust list in force, shared by the sessions and replaced whole on reload.
#[derive(Clone, Debug)]
pub struct TrustListHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    list: RwLock<Arc<TrustList>>,
    /// The file it is loaded from, if any.
    path: Option<PathBuf>,
    /// The file's modification time and length when last read.
    stamp: Mutex<Option<(SystemTime, u64)>>,
}

impl TrustListHandle {
    /// A handle on a fixed list (no file: [`TrustListHandle::reload`] does nothing).
    pub fn new(list: TrustList) -> Self {
        Self {
            inner: Arc::new(Inner {
                list: RwLock::new(Arc::new(list)),
                path: None,
                stamp: Mutex::new(None),
            }),
        }
    }

    /// Loads the trust list from `path`, which later reloads read again.
    ///
    /// # Errors
    ///
    /// The file cannot be read or is not a valid trust list.
    pub fn load_file(path: impl Into<PathBuf>) -> Result<Self, TrustListError> {
        let path = path.into();
        let (list, stamp) = read(&path)?;
        info!(path = %path.display(), domains = list.len(), "trust list loaded");
        Ok(Self {
            inner: Arc::new(Inner {
                list: RwLock::new(Arc::new(list)),
                path: Some(path),
                stamp: Mutex::new(stamp),
            }),
        })
    }

    /// The list in force now.
    pub fn current(&self) -> Arc<TrustList> {
        self.inner
            .list
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The file the list is loaded from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// Reads the file again (on SIGHUP, or when the watcher sees it change) and puts
    /// the new list in force. Returns the number of domains now listed.
    ///
    /// # Errors
    ///
    /// The file cannot be read or is not a valid trust list: the previous list stays
    /// in force.
    pub fn reload(&self) -> Result<usize, TrustListError> {
        let Some(path) = self.path() else {
            return Ok(self.current().len());
        };
        let result = read(path);
        let mut stamp = self
            .inner
            .stamp
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok((list, new_stamp)) => {
                let domains = list.len();
                *stamp = new_stamp;
                *self
                    .inner
                    .list
                    .write()
                    .unwrap_or_else(PoisonError::into_inner) = Arc::new(list);
                info!(path = %path.display(), domains, "trust list reloaded");
                Ok(domains)
            }
            Err(e) => {
                // Remember the bad version: retried when the file changes again.
                *stamp = file_stamp(path);
                error!(path = %path.display(), error = %e, "trust list not reloaded; the previous one stays in force");
                Err(e)
            }
        }
    }

    /// Watches the file: every `every`, reloads it when its modification time or length
    /// changed. Ends when `stop` turns `true`. A bad new file is logged and the
    /// previous list kept. Spawn it: `tokio::spawn(handle.clone().watch(..))`.
    pub async fn watch(self, every: Duration, mut stop: watch::Receiver<bool>) {
        let Some(path) = self.inner.path.clone() else {
            return;
        };
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stopped(&mut stop) => return,
                _ = ticks.tick() => {}
            }
            let now = file_stamp(&path);
            let seen = *self
                .inner
                .stamp
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if now.is_none() {
                if seen.is_some() {
                    warn!(path = %path.display(), "trust list file unreadable; the previous list stays in force");
                    *self
                        .inner
                        .stamp
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = None;
                }
                continue;
            }
            if now != seen {
                let _ = self.reload();
            }
        }
    }
}

/// The modification time and length of `path`, if it can be read.
fn file_stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Reads and parses the file, with its stamp taken before reading.
fn read(path: &Path) -> Result<(TrustList, Option<(SystemTime, u64)>), TrustListError> {
    let stamp = file_stamp(path);
    let xml = std::fs::read_to_string(path).map_err(|source| TrustListError::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok((TrustList::parse(&xml)?, stamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- extrait -->
<ms:ListeBlancheMSSante xmlns:ms="http://example.test/mssante" version="2">
  <ms:Entete><ms:DateGeneration>2024-03-01</ms:DateGeneration></ms:Entete>
  <ms:ListeDomaines>
    <ms:Domaine>
      <ms:Nom> Autre-Operateur.TEST. </ms:Nom>
      <ms:DNCertificatOperateur>/C=FR/O=Autre &amp; Cie/CN=autre-operateur.test</ms:DNCertificatOperateur>
      <ms:DateMAJ>2024-02-01</ms:DateMAJ>
      <ms:TypeOperateur>prive</ms:TypeOperateur>
    </ms:Domaine>
    <ms:Domaine>
      <ms:Nom>autre-operateur.test</ms:Nom>
      <ms:DNCertificatOperateur><![CDATA[CN=relais2.autre-operateur.test,O=Autre,C=FR]]></ms:DNCertificatOperateur>
    </ms:Domaine>
    <ms:Domaine>
      <ms:Nom>hopital.test</ms:Nom>
      <ms:DNCertificatOperateur>CN=mx.hopital.test, O=H&#244;pital, C=FR</ms:DNCertificatOperateur>
      <ms:DateMAJ/>
    </ms:Domaine>
  </ms:ListeDomaines>
</ms:ListeBlancheMSSante>
"#;

    #[test]
    fn ms5_the_xml_list_is_read_with_every_dn_form() {
        let list = TrustList::parse(LIST).unwrap();
        assert_eq!(list.domains(), ["autre-operateur.test", "hopital.test"]);
        assert!(list.allows(
            "autre-operateur.test",
            "CN=autre-operateur.test,O=Autre & Cie,C=FR"
        ));
        assert!(list.allows(
            "AUTRE-operateur.test",
            "/C=FR/O=Autre/CN=relais2.autre-operateur.test"
        ));
        assert!(list.allows("hopital.test", "cn=MX.hopital.test,o=hôpital,c=fr"));
        assert!(!list.allows("hopital.test", "CN=autre-operateur.test,O=Autre & Cie,C=FR"));
        assert!(!list.allows("inconnu.test", "CN=mx.hopital.test,O=Hôpital,C=FR"));
        assert_eq!(
            list.domains_for("CN=relais2.autre-operateur.test,O=Autre,C=FR"),
            ["autre-operateur.test"]
        );
        let empty = TrustList::parse("<ListeBlancheMSSante/>").unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn ms5_bad_lists_are_refused_with_their_line() {
        let error = |xml: &str| TrustList::parse(xml).unwrap_err().to_string();
        let e = error("<ListeBlancheMSSante>\n<ListeDomaines>\n<Domaine></ListeDomaines>");
        assert!(e.contains("line 3") && e.contains("malformed XML"), "{e}");
        let e = error("<Autre/>");
        assert!(
            e.contains("<Autre>") && e.contains("ListeBlancheMSSante"),
            "{e}"
        );
        let e = error(
            "<ListeBlancheMSSante>\n<ListeDomaines>\n\n<Domaine><Nom>a.test</Nom></Domaine>\n</ListeDomaines></ListeBlancheMSSante>",
        );
        assert!(
            e.contains("line 4") && e.contains("DNCertificatOperateur"),
            "{e}"
        );
        let e = error(
            "<ListeBlancheMSSante><ListeDomaines><Domaine><Nom>pas un domaine</Nom><DNCertificatOperateur>CN=x</DNCertificatOperateur></Domaine></ListeDomaines></ListeBlancheMSSante>",
        );
        assert!(
            e.contains("<Nom>") && e.contains("not a domain name"),
            "{e}"
        );
        assert!(error("").contains("no root element"));
        assert!(error("<ListeBlancheMSSante>&bogus;</ListeBlancheMSSante>").contains("bogus"));
    }

    #[test]
    fn ms5_a_bad_new_file_keeps_the_previous_list() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("liste.xml");
        std::fs::write(&path, LIST).unwrap();
        let handle = TrustListHandle::load_file(&path).unwrap();
        assert_eq!(handle.current().len(), 2);
        std::fs::write(&path, "<ListeBlancheMSSante>").unwrap();
        assert!(handle.reload().is_err());
        assert_eq!(handle.current().len(), 2);
        std::fs::write(&path, "<ListeBlancheMSSante/>").unwrap();
        assert_eq!(handle.reload().unwrap(), 0);
        assert!(handle.current().is_empty());
        assert!(TrustListHandle::load_file(dir.path().join("absent.xml")).is_err());
    }
}
