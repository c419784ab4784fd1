//! Several processes on one encrypted file: 8 concurrent writers lose no key, and a writer
//! killed with SIGKILL at any point leaves a complete, consistent file.
//!
//! A `harness = false` test binary: the child processes are this binary itself, started again
//! with an environment variable saying what to do, so the child's entry point is not a test.
//! `main` runs the tests one at a time (their timings mean something on a 2-core machine) and
//! understands libtest's name filters, `--exact`, `--skip` and `--list`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::disallowed_methods, // Instant::now: the tests report their wall time.
    missing_docs
)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use amplify_secure_storage::{EncryptedFileStorage, SecureStorage, StorageScope, WriteBatch};
use common::TempDir;
use secrecy::{ExposeSecret, SecretString};

const ROLE: &str = "AMPLIFY_SS_CHILD_ROLE";
const DIR: &str = "AMPLIFY_SS_CHILD_DIR";
const ID: &str = "AMPLIFY_SS_CHILD_ID";
const BATCH: &str = "AMPLIFY_SS_CHILD_BATCH";

const WRITERS: usize = 8;
const KEYS_PER_WRITER: usize = 1000;
const KILLS: usize = 200;

fn scope() -> StorageScope {
    StorageScope::new("multiprocess").unwrap()
}

fn child(role: &str, dir: &Path, id: usize, batch: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .env(ROLE, role)
        .env(DIR, dir)
        .env(ID, id.to_string())
        .env(BATCH, batch.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The value the crash writer stores under `k{i}`: its length varies so file sizes vary.
fn crash_value(i: u64) -> String {
    format!(
        "value-{i}-{}",
        "x".repeat(usize::try_from(i * 37 % 300).unwrap())
    )
}

type TestFn = fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

/// The tests, by name.
const TESTS: &[(&str, TestFn)] = &[
    (
        "eight_processes_writing_a_thousand_keys_each_lose_nothing",
        || Box::pin(eight_processes_writing_a_thousand_keys_each_lose_nothing()),
    ),
    (
        "a_writer_killed_mid_write_never_leaves_a_broken_file",
        || Box::pin(a_writer_killed_mid_write_never_leaves_a_broken_file()),
    ),
];

/// A child process does what its environment says; otherwise the selected tests run.
fn main() -> std::process::ExitCode {
    if let Ok(role) = std::env::var(ROLE) {
        child_process(&role);
        return std::process::ExitCode::SUCCESS;
    }
    let mut filters = Vec::new();
    let mut skips = Vec::new();
    let (mut exact, mut list) = (false, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--exact" => exact = true,
            "--list" => list = true,
            "--skip" => skips.extend(args.next()),
            "--test-threads" | "--format" | "--color" | "--logfile" | "-Z" => {
                let _ = args.next();
            }
            flag if flag.starts_with('-') => {}
            filter => filters.push(filter.to_owned()),
        }
    }
    let matches = |name: &str, pattern: &str| {
        if exact {
            name == pattern
        } else {
            name.contains(pattern)
        }
    };
    let selected: Vec<_> = TESTS
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| matches(name, f)))
        .filter(|(name, _)| !skips.iter().any(|s| matches(name, s)))
        .collect();
    if list {
        for (name, _) in &selected {
            println!("{name}: test");
        }
        return std::process::ExitCode::SUCCESS;
    }
    println!("\nrunning {} tests", selected.len());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut failed = Vec::new();
    for (name, test) in &selected {
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(test())));
        println!(
            "test {name} ... {}",
            if outcome.is_ok() { "ok" } else { "FAILED" }
        );
        if outcome.is_err() {
            failed.push(*name);
        }
    }
    let passed = selected.len() - failed.len();
    if failed.is_empty() {
        println!("\ntest result: ok. {passed} passed; 0 failed\n");
        std::process::ExitCode::SUCCESS
    } else {
        println!(
            "\nfailures: {failed:?}\ntest result: FAILED. {passed} passed; {} failed\n",
            failed.len()
        );
        std::process::ExitCode::FAILURE
    }
}

/// What a child process does.
fn child_process(role: &str) {
    let dir = std::env::var_os(DIR).unwrap();
    let id: usize = std::env::var(ID).unwrap().parse().unwrap();
    let batch: usize = std::env::var(BATCH).unwrap().parse().unwrap();
    let storage = EncryptedFileStorage::open(dir, scope()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut out = std::io::stdout().lock();
    rt.block_on(async {
        match role {
            "crash-writer" => {
                let start = match storage.read("counter").await.unwrap() {
                    Some(c) => c.expose_secret().parse::<u64>().unwrap() + 1,
                    None => 0,
                };
                writeln!(out, "READY").unwrap();
                out.flush().unwrap();
                for i in start.. {
                    let generation = SecretString::from(format!("gen-{i}"));
                    storage
                        .write_batch(
                            WriteBatch::new()
                                .write(format!("k{i}"), SecretString::from(crash_value(i)))
                                .write("a", generation.clone())
                                .write("b", generation)
                                .write("counter", SecretString::from(i.to_string())),
                        )
                        .await
                        .unwrap();
                    writeln!(out, "PROGRESS {i}").unwrap();
                    out.flush().unwrap();
                }
            }
            "concurrent-writer" => {
                for chunk in (0..KEYS_PER_WRITER).collect::<Vec<_>>().chunks(batch) {
                    let batch = chunk
                        .iter()
                        .map(|i| {
                            (
                                format!("p{id}.k{i}"),
                                SecretString::from(format!("v{id}.{i}")),
                            )
                        })
                        .fold(WriteBatch::new(), |b, (k, v)| b.write(k, v));
                    storage.write_batch(batch).await.unwrap();
                }
                writeln!(out, "\nDONE").unwrap();
            }
            other => panic!("unknown role {other}"),
        }
    });
}

async fn eight_processes_writing_a_thousand_keys_each_lose_nothing() {
    let dir = TempDir::new("concurrent");
    // Each child writes its 1,000 keys in batches of 20: 50 locked, fsync'd file
    // replacements per process, 400 in all, interleaved across the 8 processes. (Every
    // replacement re-reads and re-encrypts the whole file, up to 8,000 entries; in an
    // unoptimized test build that is ~50 ms, so single-key writes would take minutes.)
    let batch = 20;
    let started = Instant::now();
    let children: Vec<Child> = (0..WRITERS)
        .map(|id| child("concurrent-writer", dir.path(), id, batch))
        .collect();
    for mut c in children {
        let mut stdout = String::new();
        std::io::Read::read_to_string(c.stdout.as_mut().unwrap(), &mut stdout).unwrap();
        let status = c.wait().unwrap();
        assert!(status.success(), "a writer failed: {status}\n{stdout}");
        assert!(stdout.contains("DONE"), "{stdout}");
    }
    let elapsed = started.elapsed();

    let storage = EncryptedFileStorage::open(dir.path(), scope()).unwrap();
    let mut missing = Vec::new();
    for id in 0..WRITERS {
        for i in 0..KEYS_PER_WRITER {
            match storage.read(&format!("p{id}.k{i}")).await.unwrap() {
                Some(v) => assert_eq!(v.expose_secret(), format!("v{id}.{i}")),
                None => missing.push(format!("p{id}.k{i}")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} keys lost, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    eprintln!(
        "{WRITERS} processes x {KEYS_PER_WRITER} keys in batches of {batch}: {} locked writes, {elapsed:?}",
        WRITERS * KEYS_PER_WRITER / batch
    );
}

async fn a_writer_killed_mid_write_never_leaves_a_broken_file() {
    let dir = TempDir::new("crash");
    let started = Instant::now();
    let mut last_seen: Option<u64> = None;
    let mut killed_with_temp_file = 0;
    for iteration in 0..KILLS {
        let mut writer = child("crash-writer", dir.path(), 0, 1);
        let mut lines = BufReader::new(writer.stdout.take().unwrap()).lines();
        // Kill right after start-up, or after 1 to 3 completed writes: the next write is then
        // somewhere between taking the lock and renaming its file.
        let wanted_progress = iteration % 4;
        let mut progress = 0;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(i) = line.strip_prefix("PROGRESS ") {
                last_seen = Some(i.parse().unwrap());
                progress += 1;
            }
            if (line == "READY" && wanted_progress == 0)
                || (progress > 0 && progress == wanted_progress)
            {
                break;
            }
            assert!(
                progress <= wanted_progress,
                "iteration {iteration}: missed the kill point"
            );
        }
        // Spread the kill points over the next write (a few ms) with a varying amount of busy
        // work; this only varies timing, nothing waits for anything.
        for _ in 0..(iteration % 10) * 100_000 {
            std::hint::spin_loop();
        }
        writer.kill().unwrap(); // SIGKILL on Unix.
        let status = writer.wait().unwrap();
        assert!(!status.success(), "the writer exited by itself: {status}");
        if dir
            .path()
            .join("com.amplify.multiprocess.store.tmp")
            .exists()
        {
            killed_with_temp_file += 1;
        }

        // A fresh process's view: the file opens, and holds a complete version.
        let storage = EncryptedFileStorage::open(dir.path(), scope()).unwrap();
        let Some(counter) = storage.read("counter").await.unwrap() else {
            assert_eq!(
                last_seen, None,
                "iteration {iteration}: acknowledged writes vanished"
            );
            continue;
        };
        let counter: u64 = counter.expose_secret().parse().unwrap();
        assert!(
            last_seen.is_none_or(|seen| counter >= seen),
            "iteration {iteration}: acknowledged write {last_seen:?} lost (counter {counter})"
        );
        let generation = format!("gen-{counter}");
        for key in ["a", "b"] {
            assert_eq!(
                storage.read(key).await.unwrap().unwrap().expose_secret(),
                generation,
                "iteration {iteration}: {key} is from another version than counter {counter}"
            );
        }
        for i in 0..=counter {
            let v = storage.read(&format!("k{i}")).await.unwrap();
            assert_eq!(
                v.map(|v| v.expose_secret().to_owned()),
                Some(crash_value(i)),
                "iteration {iteration}: k{i}"
            );
        }
        assert!(
            storage
                .read(&format!("k{}", counter + 1))
                .await
                .unwrap()
                .is_none()
        );
    }
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            !n.ends_with(".key")
                && !n.ends_with(".lock")
                && !n.ends_with(".store")
                && !n.ends_with(".store.tmp")
                // A writer killed while creating the key file (once, on first use) leaves its
                // private temporary behind; the key file itself is only ever renamed into place.
                && (!n.starts_with(".amplify-storage.key.") || !n.ends_with(".tmp"))
        })
        .collect();
    assert!(leftovers.is_empty(), "unexpected files: {leftovers:?}");
    eprintln!(
        "{KILLS} SIGKILLs ({killed_with_temp_file} left a temporary file behind), last acknowledged write \
         {last_seen:?}, {:?}",
        started.elapsed()
    );
}
