//! Answers from the user: masked on a terminal, one line each from standard input otherwise
//! (so scripts can pipe a password and codes), and the TOTP setup QR code.

use std::io::{BufRead, IsTerminal, Write};

use amplify_auth_cognito::Password;

use crate::failure::CliError;
use crate::output::{Output, line_err};

/// Reads answers for one command.
#[derive(Debug)]
pub(crate) struct Prompter {
    interactive: bool,
}

impl Prompter {
    /// Interactive when standard input is a terminal.
    pub(crate) fn new() -> Self {
        Prompter {
            interactive: std::io::stdin().is_terminal(),
        }
    }

    /// Whether answers come from a terminal.
    pub(crate) fn is_interactive(&self) -> bool {
        self.interactive
    }

    /// A visible answer (a username, a code, a choice). The prompt goes to stderr.
    ///
    /// # Errors
    ///
    /// [`CliError::NoInput`] when standard input ended; [`CliError::Terminal`] on I/O errors.
    pub(crate) fn line(&self, prompt: &str) -> Result<String, CliError> {
        if self.interactive {
            let mut err = std::io::stderr().lock();
            write!(err, "{prompt}: ").map_err(CliError::Terminal)?;
            err.flush().map_err(CliError::Terminal)?;
        }
        read_stdin_line(prompt)
    }

    /// A masked answer (a password): not echoed on a terminal, else one line of stdin.
    ///
    /// # Errors
    ///
    /// As for [`line`](Self::line).
    pub(crate) fn secret(&self, prompt: &str) -> Result<Password, CliError> {
        if self.interactive {
            let value =
                tokio::task::block_in_place(|| rpassword::prompt_password(format!("{prompt}: ")))
                    .map_err(CliError::Terminal)?;
            return Ok(Password::from(value));
        }
        read_stdin_line(prompt).map(Password::from)
    }

    /// A choice among `options` (by number or by name); a single option is chosen without
    /// asking.
    ///
    /// # Errors
    ///
    /// As for [`line`](Self::line); [`CliError::Usage`] for an answer that is not an option.
    pub(crate) fn choose(&self, what: &str, options: &[String]) -> Result<String, CliError> {
        if let [only] = options {
            line_err(&format!("{what}: {only}"));
            return Ok(only.clone());
        }
        if self.interactive {
            line_err(&format!("{what}:"));
            for (i, option) in options.iter().enumerate() {
                line_err(&format!("  {}) {option}", i + 1));
            }
        }
        let answer = self.line(&format!("{what} [{}]", options.join(", ")))?;
        let answer = answer.trim();
        if let Ok(n) = answer.parse::<usize>()
            && let Some(option) = n.checked_sub(1).and_then(|i| options.get(i))
        {
            return Ok(option.clone());
        }
        options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(answer))
            .cloned()
            .ok_or_else(|| {
                CliError::Usage(format!("`{answer}` is not one of {}", options.join(", ")))
            })
    }
}

/// The first line of standard input, for `--password-stdin`.
///
/// # Errors
///
/// As for [`Prompter::line`].
pub(crate) fn password_from_stdin() -> Result<Password, CliError> {
    read_stdin_line("password").map(Password::from)
}

fn read_stdin_line(what: &str) -> Result<String, CliError> {
    let mut line = String::new();
    let read = tokio::task::block_in_place(|| std::io::stdin().lock().read_line(&mut line))
        .map_err(CliError::Terminal)?;
    if read == 0 {
        return Err(CliError::NoInput {
            what: what.to_owned(),
        });
    }
    // Trimmed in place: a password is never copied into a second, unzeroized buffer.
    let end = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(end);
    Ok(line)
}

/// The `otpauth://` URI as a QR code of Unicode half blocks (two modules per character), on a
/// forced white background when colour is on so phones can scan it on dark terminals.
pub(crate) fn qr_code(uri: &str, output: &Output) -> Option<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let text = code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Dark)
        .light_color(Dense1x2::Light)
        .quiet_zone(true)
        .build();
    if !output.color() {
        return Some(text);
    }
    Some(
        text.lines()
            .map(|l| format!("\x1b[30;107m{l}\x1b[0m"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_code_renders_a_square_of_half_blocks() {
        let output = Output::new(true, true);
        let qr = qr_code(
            "otpauth://totp/amplify-rs:alice?secret=JBSWY3DPEHPK3PXP&issuer=amplify-rs",
            &output,
        );
        let qr = qr.unwrap_or_default();
        let lines: Vec<&str> = qr.lines().collect();
        assert!(lines.len() > 10, "{qr}");
        let width = lines.first().map_or(0, |l| l.chars().count());
        // Two modules per character vertically: about twice as wide as tall.
        assert!(lines.iter().all(|l| l.chars().count() == width));
        assert!(qr.contains('█') || qr.contains('▀') || qr.contains('▄'));
    }
}
