//! A small SMTP submission client (RFC 5321, RFC 6409): greeting, EHLO, STARTTLS
//! (RFC 3207) or implicit TLS (RFC 8314), AUTH PLAIN (RFC 4954), then one
//! MAIL/RCPT/DATA transaction after another on the same session. No pipelining: each
//! command waits for its reply, as most mail clients do.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// How the session is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Clear text all along (tests and servers without TLS only).
    Plain,
    /// Clear greeting and EHLO, then `STARTTLS` and EHLO again (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Implicit,
}

/// Everything needed to open an authenticated session.
#[derive(Clone)]
pub struct Connect {
    /// `host:port` of the server.
    pub server: String,
    /// Name the server certificate must carry (a DNS name or an IP address).
    pub tls_name: ServerName<'static>,
    /// How the session is protected.
    pub security: Security,
    /// TLS client settings (trust anchors); unused with [`Security::Plain`].
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// The name given in EHLO.
    pub helo: String,
    /// SASL PLAIN user and secret, if the server wants authentication.
    pub auth: Option<(String, String)>,
    /// The longest wait for any reply.
    pub reply_timeout: Duration,
}

/// A server reply: its code and its text lines (code and separator stripped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code.
    pub code: u16,
    /// The text of every line of the reply.
    pub lines: Vec<String>,
}

impl std::fmt::Display for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.lines.join(" / "))
    }
}

/// What became of one message.
#[derive(Debug)]
pub enum Outcome {
    /// `250` after the end of DATA.
    Accepted,
    /// Some reply of the transaction was not the expected one; `stage` names the
    /// command (`MAIL`, `RCPT`, `DATA`, `end of DATA`).
    Refused {
        /// The command that got the reply.
        stage: &'static str,
        /// The reply itself.
        reply: Reply,
    },
}

/// The byte stream under the session, before or after TLS.
enum Stream {
    Plain(BufReader<TcpStream>),
    Tls(Box<BufReader<TlsStream<TcpStream>>>),
}

/// An open SMTP session, past EHLO (and STARTTLS and AUTH when asked).
pub struct Session {
    stream: Stream,
    timeout: Duration,
}

impl Session {
    /// Connects, reads the greeting, says EHLO, upgrades to TLS and authenticates as
    /// `connect` asks. Any unexpected reply is an error naming it.
    pub async fn open(connect: &Connect) -> Result<Session> {
        let tcp = TcpStream::connect(&connect.server)
            .await
            .with_context(|| format!("connecting to {}", connect.server))?;
        tcp.set_nodelay(true)?;
        let stream = match connect.security {
            Security::Implicit => {
                Stream::Tls(Box::new(BufReader::new(handshake(connect, tcp).await?)))
            }
            Security::Plain | Security::StartTls => Stream::Plain(BufReader::new(tcp)),
        };
        let mut session = Session {
            stream,
            timeout: connect.reply_timeout,
        };
        session.expect(None, 220, "greeting").await?;
        session
            .expect(Some(&format!("EHLO {}", connect.helo)), 250, "EHLO")
            .await?;
        if connect.security == Security::StartTls {
            session.expect(Some("STARTTLS"), 220, "STARTTLS").await?;
            let Stream::Plain(reader) = session.stream else {
                unreachable!("STARTTLS is only sent in clear")
            };
            if !reader.buffer().is_empty() {
                bail!("the server sent data after its STARTTLS reply (RFC 3207 §5)");
            }
            let tls = handshake(connect, reader.into_inner()).await?;
            session.stream = Stream::Tls(Box::new(BufReader::new(tls)));
            session
                .expect(
                    Some(&format!("EHLO {}", connect.helo)),
                    250,
                    "EHLO after TLS",
                )
                .await?;
        }
        if let Some((user, secret)) = &connect.auth {
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{secret}"));
            session
                .expect(Some(&format!("AUTH PLAIN {token}")), 235, "AUTH PLAIN")
                .await?;
        }
        Ok(session)
    }

    /// Submits one message: `MAIL FROM`, one `RCPT TO` per recipient, `DATA`, the
    /// message, `.`. A refusal at any step resets the transaction (`RSET`) so the next
    /// message can follow on the same session. `Err` means the session itself failed
    /// (closed, timed out, unreadable reply).
    pub async fn submit(&mut self, from: &str, to: &[&str], message: &[u8]) -> Result<Outcome> {
        let reply = self.command(&format!("MAIL FROM:<{from}>")).await?;
        if reply.code != 250 {
            return self.refused("MAIL", reply).await;
        }
        for rcpt in to {
            let reply = self.command(&format!("RCPT TO:<{rcpt}>")).await?;
            if reply.code != 250 && reply.code != 251 {
                return self.refused("RCPT", reply).await;
            }
        }
        let reply = self.command("DATA").await?;
        if reply.code != 354 {
            return self.refused("DATA", reply).await;
        }
        let mut payload = Vec::with_capacity(message.len() + 5);
        payload.extend_from_slice(message);
        if !message.is_empty() && !message.ends_with(b"\r\n") {
            payload.extend_from_slice(b"\r\n");
        }
        payload.extend_from_slice(b".\r\n");
        self.write(&payload).await?;
        let reply = self.reply().await?;
        if reply.code != 250 {
            // The transaction is over either way; no RSET needed.
            if reply.code == 421 {
                bail!("server closed the session: {reply}");
            }
            return Ok(Outcome::Refused {
                stage: "end of DATA",
                reply,
            });
        }
        Ok(Outcome::Accepted)
    }

    /// Says QUIT and waits (briefly) for the reply; errors are ignored, the work is done.
    pub async fn quit(mut self) {
        self.timeout = self.timeout.min(Duration::from_secs(5));
        let _ = self.command("QUIT").await;
    }

    async fn refused(&mut self, stage: &'static str, reply: Reply) -> Result<Outcome> {
        if reply.code == 421 {
            bail!("server closed the session at {stage}: {reply}");
        }
        let reset = self.command("RSET").await?;
        if reset.code != 250 {
            bail!("RSET after a refusal answered {reset}");
        }
        Ok(Outcome::Refused { stage, reply })
    }

    /// Sends `line` (when given) and checks that the reply has code `code`.
    async fn expect(&mut self, line: Option<&str>, code: u16, what: &str) -> Result<Reply> {
        let reply = match line {
            Some(line) => self.command(line).await?,
            None => self.reply().await?,
        };
        if reply.code != code {
            bail!("{what}: expected {code}, got {reply}");
        }
        Ok(reply)
    }

    /// Sends one command line (CRLF added) and reads its reply.
    async fn command(&mut self, line: &str) -> Result<Reply> {
        let mut bytes = Vec::with_capacity(line.len() + 2);
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        self.write(&bytes).await?;
        self.reply().await
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let io = async {
            match &mut self.stream {
                Stream::Plain(s) => {
                    s.write_all(bytes).await?;
                    s.flush().await
                }
                Stream::Tls(s) => {
                    s.write_all(bytes).await?;
                    s.flush().await
                }
            }
        };
        tokio::time::timeout(self.timeout, io)
            .await
            .map_err(|_| anyhow!("timed out writing to the server"))?
            .context("writing to the server")
    }

    /// Reads one reply, all its lines.
    async fn reply(&mut self) -> Result<Reply> {
        let timeout = self.timeout;
        tokio::time::timeout(timeout, self.read_reply())
            .await
            .map_err(|_| anyhow!("no reply within {} s", timeout.as_secs()))?
    }

    async fn read_reply(&mut self) -> Result<Reply> {
        let mut lines = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            let n = match &mut self.stream {
                Stream::Plain(s) => s.read_line(&mut line).await,
                Stream::Tls(s) => s.read_line(&mut line).await,
            }
            .context("reading a reply")?;
            if n == 0 {
                bail!("the server closed the connection");
            }
            let (code, last, text) = parse_line(&line)?;
            lines.push(text.to_owned());
            if last {
                return Ok(Reply { code, lines });
            }
        }
    }
}

/// Splits a reply line into its code, whether it is the last line, and its text.
fn parse_line(line: &str) -> Result<(u16, bool, &str)> {
    let line = line.trim_end_matches(['\r', '\n']);
    let code = line
        .get(..3)
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|c| (200..600).contains(c))
        .ok_or_else(|| anyhow!("malformed reply line {line:?}"))?;
    match line.as_bytes().get(3) {
        None => Ok((code, true, "")),
        Some(b' ') => Ok((code, true, &line[4..])),
        Some(b'-') => Ok((code, false, &line[4..])),
        Some(_) => bail!("malformed reply line {line:?}"),
    }
}

async fn handshake(connect: &Connect, tcp: TcpStream) -> Result<TlsStream<TcpStream>> {
    let config = connect
        .tls
        .clone()
        .ok_or_else(|| anyhow!("TLS asked for but no TLS settings (--ca)"))?;
    let handshake = TlsConnector::from(config).connect(connect.tls_name.clone(), tcp);
    tokio::time::timeout(connect.reply_timeout, handshake)
        .await
        .map_err(|_| anyhow!("TLS handshake timed out"))?
        .context("TLS handshake")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_lines_parse() {
        assert_eq!(
            parse_line("250-PIPELINING\r\n").unwrap(),
            (250, false, "PIPELINING")
        );
        assert_eq!(parse_line("250 OK\r\n").unwrap(), (250, true, "OK"));
        assert_eq!(parse_line("354\r\n").unwrap(), (354, true, ""));
        assert!(parse_line("hello\r\n").is_err());
        assert!(parse_line("250xOK\r\n").is_err());
        assert!(parse_line("\r\n").is_err());
    }
}
