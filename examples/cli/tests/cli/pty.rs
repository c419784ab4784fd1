//! Interactive sign-in in a pseudo-terminal (rexpect): the username prompt, the masked
//! password, an emailed MFA code (a mistyped one asked for again), and TOTP setup with its QR
//! code.

use std::os::fd::AsFd;
use std::time::Duration;

use amplify_emulator::{MfaConfiguration, MfaMethod, UserPoolSpec};
use rexpect::session::PtySession;
use rustix::termios::{LocalModes, tcgetattr};

use crate::support::{Env, PASSWORD, default_backend};

/// rexpect's timeout for each expectation.
const EXPECT_MS: u64 = 30_000;

fn spawn(env: &Env, args: &[&str]) -> PtySession {
    let mut command = std::process::Command::new(crate::support::binary());
    command
        .arg("--config")
        .arg(env.config())
        .arg("--storage-dir")
        .arg(env.dir.path().join("session"))
        .args(args)
        .env_remove("AMPLIFY_RS_CONFIG")
        .env_remove("AMPLIFY_RS_STORAGE_DIR")
        .env("NO_COLOR", "1");
    rexpect::session::spawn_command(command, Some(EXPECT_MS)).unwrap()
}

/// Waits (with a deadline) until the terminal stops echoing: the password prompt is then
/// really reading hidden input, and what is typed next cannot appear on screen.
fn wait_for_hidden_input(session: &PtySession) {
    let master = session.process().get_file_handle().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while tcgetattr(master.as_fd())
        .unwrap()
        .local_modes
        .contains(LocalModes::ECHO)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "echo was never turned off"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn type_password(session: &mut PtySession) {
    session.exp_string("Password:").unwrap();
    wait_for_hidden_input(session);
    session.send_line(PASSWORD).unwrap();
}

fn exited_zero(session: &PtySession) {
    let status = format!("{:?}", session.process().wait().unwrap());
    assert!(
        status.starts_with("Exited(") && status.ends_with(", 0)"),
        "{status}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactive_sign_in_asks_for_the_emailed_code() {
    let env = Env::with(default_backend(
        UserPoolSpec::new("us-east-1").mfa(MfaConfiguration::On, [MfaMethod::Email]),
    ))
    .await;
    tokio::task::block_in_place(|| {
        let mut session = spawn(&env, &["sign-in"]);
        session.exp_string("Username:").unwrap();
        session.send_line("alice").unwrap();
        type_password(&mut session);
        let mut transcript = session.exp_string("Code emailed to a").unwrap();
        transcript += &session.exp_string(": ").unwrap();
        // A mistyped code is refused and asked for again.
        session.send_line("00000000").unwrap();
        transcript += &session.exp_string("Check the code and try again.").unwrap();
        transcript += &session.exp_string("Code emailed to a").unwrap();
        transcript += &session.exp_string(": ").unwrap();
        let code = env.emu.outbox().latest_code_for("alice").unwrap();
        session.send_line(&code).unwrap();
        transcript += &session.exp_string("Signed in as alice").unwrap();
        transcript += &session.exp_eof().unwrap();
        assert!(
            !transcript.contains(PASSWORD),
            "the password was echoed: {transcript}"
        );
        exited_zero(&session);
    });
    // The session is stored: a later, non-interactive command is signed in.
    let session = env.run(&["--json", "session"], "").await.expect(0).json();
    assert_eq!(session["user_pool_tokens"]["username"], "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactive_totp_setup_shows_a_qr_code_and_takes_the_app_code() {
    let env = Env::with(default_backend(
        UserPoolSpec::new("us-east-1").mfa(MfaConfiguration::On, [MfaMethod::Totp]),
    ))
    .await;
    tokio::task::block_in_place(|| {
        let mut session = spawn(&env, &["sign-in", "alice", "--issuer", "Acme"]);
        type_password(&mut session);
        let screen = session.exp_string("or enter the key: ").unwrap();
        // rexpect reads bytes, not UTF-8: count the QR code's rows instead of its glyphs.
        let (_, qr) = screen
            .split_once("Scan this QR code")
            .expect("no QR code heading");
        let rows = qr.lines().filter(|l| l.trim().chars().count() > 20).count();
        assert!(rows >= 10, "no QR code: {screen}");
        let secret = session.read_line().unwrap().trim().to_owned();
        let uri_line = session
            .exp_string("otpauth://")
            .map(|_| session.read_line().unwrap());
        let uri = uri_line.unwrap();
        assert!(uri.starts_with("totp/Acme:alice?secret="), "{uri}");
        assert!(uri.contains(&secret));
        session
            .exp_string("Code from your authenticator app: ")
            .unwrap();
        let now = env
            .emu
            .clock()
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let code = amplify_emulator::totp::code_for_secret_code(&secret, now).unwrap();
        session.send_line(&code).unwrap();
        session.exp_string("Signed in as alice").unwrap();
        session.exp_eof().unwrap();
        exited_zero(&session);
    });
    assert_eq!(env.emu.request_count("VerifySoftwareToken"), 1);
}
