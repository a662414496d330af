//! `caduceus init`: a new data directory with its configuration, keys and
//! development PKI, so the whole system runs on one laptop.

use std::path::Path;

use anyhow::{Context, Result, bail};
use caduceus_audit::TraceSigner;
use caduceus_core::Domain;
use caduceus_pki::DevPki;
use caduceus_store::MasterKey;

use crate::config::{self, Loaded};

/// Options of `caduceus init`.
#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The operator's mail domain (patients get <INS>@patient.<domain>).
    #[arg(long, default_value = "caduceus.test")]
    pub domain: String,
    /// Also seed demo accounts (two professionals, an organisational mailbox, a
    /// patient) and write DATA/demo.json with their credentials and the listeners.
    #[arg(long)]
    pub demo: bool,
    /// Certify this operator with the development CA of another data directory (its
    /// `pki/`) instead of a new one, so that two local instances share one test trust
    /// space (MS-5). Each still lists the other in its trust list.
    #[arg(long, value_name = "PKI_DIR")]
    pub dev_ca: Option<std::path::PathBuf>,
    /// Listener addresses written to the configuration.
    #[command(flatten)]
    pub listeners: ListenerArgs,
}

/// Listener addresses chosen at `init` (and on `serve`'s first run).
#[derive(clap::Args, Debug, Clone)]
pub struct ListenerArgs {
    /// Address of the HTTPS listener.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub https: std::net::SocketAddr,
    /// Address of the SMTP submission listener (STARTTLS).
    #[arg(long, default_value = "127.0.0.1:5587")]
    pub submission: std::net::SocketAddr,
    /// Address of the SMTP submission listener with implicit TLS.
    #[arg(long, default_value = "127.0.0.1:5465")]
    pub submissions: std::net::SocketAddr,
    /// Address of the SMTP relay listener for other operators.
    #[arg(long, default_value = "127.0.0.1:2525")]
    pub relay: std::net::SocketAddr,
    /// Address of the IMAP listener (STARTTLS).
    #[arg(long, default_value = "127.0.0.1:1143")]
    pub imap: std::net::SocketAddr,
    /// Address of the IMAP listener with implicit TLS.
    #[arg(long, default_value = "127.0.0.1:1993")]
    pub imaps: std::net::SocketAddr,
    /// Address of the LDAP directory listener (StartTLS).
    #[arg(long, default_value = "127.0.0.1:1389")]
    pub ldap: std::net::SocketAddr,
    /// Address of the LDAP directory listener with implicit TLS (ldaps).
    #[arg(long, default_value = "127.0.0.1:1636")]
    pub ldaps: std::net::SocketAddr,
    /// Address of the operations listener (`/metrics`, `/healthz`; plain HTTP).
    #[arg(long, default_value = "127.0.0.1:9464")]
    pub metrics: std::net::SocketAddr,
}

impl ListenerArgs {
    /// The `[listeners]` section these addresses make.
    pub fn to_config(&self) -> config::Listeners {
        config::Listeners {
            https: self.https,
            submission: self.submission,
            submissions: self.submissions,
            relay: self.relay,
            imap: self.imap,
            imaps: self.imaps,
            ldap: self.ldap,
            ldaps: self.ldaps,
            metrics: self.metrics,
        }
    }
}

/// Whether `data` already holds a configuration.
pub fn is_initialised(data: &Path) -> bool {
    data.join(config::FILE_NAME).exists()
}

/// Runs `caduceus init`.
pub async fn run(data: &Path, args: &InitArgs) -> Result<()> {
    if is_initialised(data) {
        bail!(
            "{} is already initialised ({} exists); nothing was changed",
            data.display(),
            data.join(config::FILE_NAME).display()
        );
    }
    let domain =
        Domain::parse(&args.domain).with_context(|| format!("--domain {:?}", args.domain))?;
    if let Some(ca) = &args.dev_ca {
        // Checked before anything is written, so a wrong path leaves no half-made directory.
        DevPki::open(ca)
            .with_context(|| format!("--dev-ca {}: not a development CA", ca.display()))?;
    }
    create_private_dir(data)?;
    let keys_dir = data.join("keys");
    create_private_dir(&keys_dir)?;

    let defaults = config::Keys::default();
    if std::env::var_os(caduceus_store::seal::MASTER_KEY_ENV).is_none() {
        MasterKey::generate()
            .save_new(&data.join(&defaults.master_key_file))
            .context("writing the master key")?;
    }
    let signer = TraceSigner::generate();
    signer
        .save(&data.join(&defaults.trace_signing_key_file))
        .context("writing the trace signing key")?;
    caduceus_audit::save_verifying_key(
        &signer.verifying_key(),
        &data.join(&defaults.trace_verifying_key_file),
    )
    .context("writing the trace verifying key")?;
    let pki = match &args.dev_ca {
        Some(ca) => DevPki::join(&data.join("pki"), domain.as_str(), ca)
            .with_context(|| format!("joining the development CA in {}", ca.display()))?,
        None => DevPki::create(&data.join("pki"), domain.as_str())
            .context("creating the development PKI")?,
    };
    write_trust_list(&pki, &data.join(&config::Trust::default().list))?;
    std::fs::write(
        data.join(config::FILE_NAME),
        config::initial_file(&domain, &args.listeners.to_config(), args.demo),
    )
    .context("writing the configuration file")?;
    eprintln!(
        "initialised {} for {}: configuration {}, keys in keys/, development PKI in pki/",
        data.display(),
        domain.as_str(),
        config::FILE_NAME
    );
    if args.demo {
        crate::demo::seed(Loaded::load(data)?).await?;
    }
    Ok(())
}

/// Creates a directory readable by its owner only (it holds keys).
fn create_private_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("creating {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting {}", path.display()))?;
    }
    Ok(())
}

/// Writes a trust list naming this operator's own domain and certificate, the start
/// of the list an operator completes (or replaces with the published one).
fn write_trust_list(pki: &DevPki, path: &Path) -> Result<()> {
    let der = caduceus_pki::load_certs(&pki.server_cert_path())?.swap_remove(0);
    let identity = caduceus_pki::CertIdentity::from_der(&der)?;
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!-- MSSante trust list (MS-5): one Domaine per operator certificate allowed to relay\n\
              mail from the domain. Replace with the published list of the trust space. -->\n\
         <ListeBlancheMSSante>\n  <ListeDomaines>\n    <Domaine>\n      <Nom>{}</Nom>\n\
         \x20     <DNCertificatOperateur>{}</DNCertificatOperateur>\n    </Domaine>\n  </ListeDomaines>\n\
         </ListeBlancheMSSante>\n",
        pki.domain(),
        identity.subject_dn
    );
    std::fs::write(path, xml).with_context(|| format!("writing {}", path.display()))
}
