//! Where results, diagnostics and errors go: results on stdout (one JSON document with
//! `--json`), everything else on stderr; colour and the spinner only on a terminal.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use serde_json::{Value, json};

use crate::failure::CliError;

/// How the run prints.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    json: bool,
    color: bool,
    spinner: bool,
}

/// A colour of the few the CLI uses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Tone {
    /// Errors.
    Red,
    /// Hints and warnings.
    Yellow,
    /// Success.
    Green,
    /// Labels.
    Bold,
}

impl Tone {
    fn code(self) -> &'static str {
        match self {
            Tone::Red => "1;31",
            Tone::Yellow => "33",
            Tone::Green => "32",
            Tone::Bold => "1",
        }
    }
}

impl Output {
    /// `json` from `--json`; colour unless `--no-color`, `NO_COLOR` or stderr is not a
    /// terminal; the spinner only when stderr is a terminal.
    pub(crate) fn new(json: bool, no_color: bool) -> Self {
        let tty = std::io::stderr().is_terminal();
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Output {
            json,
            color: tty && !no_color && !no_color_env,
            spinner: tty,
        }
    }

    /// Whether `--json` was given.
    pub(crate) fn is_json(&self) -> bool {
        self.json
    }

    /// Whether colour is on (stderr is a terminal and nobody said no).
    pub(crate) fn color(&self) -> bool {
        self.color
    }

    /// `text` in `tone` when colour is on.
    pub(crate) fn paint(&self, tone: Tone, text: &str) -> String {
        if self.color {
            format!("\x1b[{}m{text}\x1b[0m", tone.code())
        } else {
            text.to_owned()
        }
    }

    /// The command's result: `value` as one JSON line with `--json`, else `human` lines.
    pub(crate) fn result(&self, value: &Value, human: &str) {
        if self.json {
            line_out(&value.to_string());
        } else if !human.is_empty() {
            line_out(human.trim_end_matches('\n'));
        }
    }

    /// A JSON document on stdout whatever the mode (GraphQL answers, events): compact with
    /// `--json`, indented otherwise.
    pub(crate) fn document(&self, value: &Value) {
        if self.json {
            line_out(&value.to_string());
        } else {
            line_out(&serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()));
        }
    }

    /// A progress or information line on stderr (not with `--json`, which keeps stderr for
    /// prompts and errors).
    pub(crate) fn note(&self, text: &str) {
        if !self.json {
            line_err(text);
        }
    }

    /// A line on stderr in every mode (prompts' context, warnings a script should see).
    pub(crate) fn warn(&self, text: &str) {
        line_err(&self.paint(Tone::Yellow, text));
    }

    /// Reports a failure on stderr: `error:` and `hint:` lines, or with `--json` one object
    /// `{"error": {"message", "detail", "code", "suggestion", "exit_code"}}` (`detail` is the
    /// whole chain of causes).
    pub(crate) fn error(&self, error: &CliError) {
        let message = error.to_string();
        let suggestion = error.suggestion();
        if self.json {
            let chain = amplify_core::DisplayErrorContext(error).to_string();
            let value = json!({
                "error": {
                    "message": message,
                    "detail": chain,
                    "code": error.code(),
                    "suggestion": suggestion,
                    "exit_code": error.exit() as u8,
                }
            });
            line_err(&value.to_string());
            return;
        }
        line_err(&format!("{} {message}", self.paint(Tone::Red, "error:")));
        if let Some(hint) = suggestion {
            line_err(&format!("{} {hint}", self.paint(Tone::Yellow, "hint:")));
        }
    }

    /// Runs `future` with a spinner labelled `label` on stderr when stderr is a terminal.
    pub(crate) async fn spin<F: Future>(&self, label: &str, future: F) -> F::Output {
        if !self.spinner {
            return future.await;
        }
        let label = label.to_owned();
        let ticker = tokio::spawn(async move {
            let mut frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
                .iter()
                .cycle();
            let mut tick = tokio::time::interval(Duration::from_millis(90));
            loop {
                tick.tick().await;
                let frame = frames.next().copied().unwrap_or("-");
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r{frame} {label}");
                let _ = err.flush();
            }
        });
        let out = future.await;
        ticker.abort();
        let _ = ticker.await;
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
        out
    }
}

/// One line on stdout; a closed pipe (`| head`) is not an error worth reporting.
pub(crate) fn line_out(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// One line on stderr.
pub(crate) fn line_err(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
    let _ = err.flush();
}

/// Seconds since the Unix epoch, for JSON output.
pub(crate) fn unix(time: Option<std::time::SystemTime>) -> Option<u64> {
    time.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
}
