//! A Python client kept running for a whole matrix run: one step a line on its
//! standard input, one answer a line on its standard output. The test prepares each
//! cell, drives it and looks at what it left before the next, with one process per
//! interface.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// A running client script.
pub struct Client {
    child: Child,
    stdin: ChildStdin,
    answers: Lines<BufReader<ChildStdout>>,
}

impl Client {
    /// Starts `python3 script key=value…`.
    pub fn start(script: &Path, args: &[(&str, String)]) -> Client {
        let mut child = Command::new("python3")
            .arg(script)
            .args(args.iter().map(|(key, value)| format!("{key}={value}")))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run python3 ({e}): the matrix drives Python's clients (apt-get install -y python3)")
            });
        let stdin = child.stdin.take().unwrap();
        let answers = BufReader::new(child.stdout.take().unwrap()).lines();
        Client {
            child,
            stdin,
            answers,
        }
    }

    /// Sends one step (a JSON line) and returns the client's answer line.
    pub async fn ask(&mut self, step: &serde_json::Value) -> String {
        let line = format!("{step}\n");
        self.stdin.write_all(line.as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(60), self.answers.next_line())
            .await
            .unwrap_or_else(|_| panic!("no answer within 60 s to {step}"));
        match answer {
            Ok(Some(answer)) => answer,
            _ => {
                let mut stderr = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr).await;
                }
                panic!("the client ended on {step}:\n{stderr}")
            }
        }
    }
}
