//! Observing delivery: a shell command that prints how many messages have reached the
//! mailbox so far (count rows in a database, files in a maildir …), polled until the
//! expected number is there.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// How often the command is run while waiting.
pub const POLL: Duration = Duration::from_millis(50);

/// A command printing a delivered-message count on its standard output.
#[derive(Clone, Debug)]
pub struct Counter {
    /// Run by `sh -c`.
    pub command: String,
}

/// How the wait for delivery ended.
#[derive(Debug)]
pub enum Wait {
    /// The count reached the target at `at` (when the command that saw it was started).
    Reached {
        /// When the command that saw the target count was started.
        at: Instant,
    },
    /// The deadline passed; `seen` is the last count.
    TimedOut {
        /// The last count observed.
        seen: u64,
    },
}

impl Counter {
    /// Runs the command once and parses its output (one integer, whitespace around it
    /// allowed). A failing command or any other output is an error.
    pub async fn count(&self) -> Result<u64> {
        let output = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(&self.command)
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .with_context(|| format!("running {:?}", self.command))?;
        if !output.status.success() {
            bail!(
                "{:?} failed ({}): {}",
                self.command,
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let text = String::from_utf8_lossy(&output.stdout);
        text.trim().parse().with_context(|| {
            format!(
                "{:?} printed {:?}, not a message count",
                self.command,
                text.trim()
            )
        })
    }

    /// Polls every [`POLL`] until the count is at least `target` or `timeout` has
    /// passed. The instant recorded is the start of the command that saw the target,
    /// so the command's own run time is not counted as delivery time.
    pub async fn wait_for(&self, target: u64, timeout: Duration) -> Result<Wait> {
        let deadline = Instant::now() + timeout;
        loop {
            let started = Instant::now();
            let seen = self.count().await?;
            if seen >= target {
                return Ok(Wait::Reached { at: started });
            }
            if Instant::now() >= deadline {
                return Ok(Wait::TimedOut { seen });
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_are_parsed_and_failures_reported() {
        let counter = Counter {
            command: "echo ' 42 '".into(),
        };
        assert_eq!(counter.count().await.unwrap(), 42);
        let bad = Counter {
            command: "echo many".into(),
        };
        assert!(bad.count().await.is_err());
        let failing = Counter {
            command: "echo 3; exit 2".into(),
        };
        assert!(failing.count().await.is_err());
    }

    #[tokio::test]
    async fn waiting_ends_at_the_target_or_the_deadline() {
        let counter = Counter {
            command: "echo 5".into(),
        };
        assert!(matches!(
            counter.wait_for(5, Duration::from_secs(5)).await.unwrap(),
            Wait::Reached { .. }
        ));
        assert!(matches!(
            counter
                .wait_for(6, Duration::from_millis(120))
                .await
                .unwrap(),
            Wait::TimedOut { seen: 5 }
        ));
    }
}
