//! Client overhead: an API-key query through `ApiPlugin` against a raw hyper POST of the same
//! request to the same loopback server, and what IAM (SigV4) signing adds per request.
//!
//! Run with `cargo bench -p amplify-api --bench overhead`. Besides criterion's report, it prints
//! a summary measured in interleaved rounds (the machine is shared, so only ratios measured in
//! one run mean anything).
//!
//! `AMPLIFY_PROFILE=raw|api_key|iam|rest_api_key AMPLIFY_PROFILE_CALLS=N` runs only N sequential calls of that
//! kind (after a warm-up) and exits, for a profiler such as
//! `valgrind --tool=callgrind target/release/deps/overhead-*`.
#![allow(
    missing_docs,
    unreachable_pub,
    dead_code,
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

#[path = "support/common.rs"]
mod common;
#[path = "support/summary.rs"]
mod summary;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};

fn bench(c: &mut Criterion) {
    let addr = common::start_server();
    let rt = common::client_runtime();
    let api = rt.block_on(async { common::client(addr) });
    let raw = common::Raw::new(addr);
    // Warm the pools.
    rt.block_on(async {
        for _ in 0..200 {
            raw.post().await;
            common::api_key_query(&api).await;
            common::iam_query(&api).await;
        }
    });

    let mut group = c.benchmark_group("overhead");
    group.measurement_time(Duration::from_secs(4));
    group.warm_up_time(Duration::from_secs(1));
    group.bench_function("raw_hyper_post", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    raw.post().await;
                }
                start.elapsed()
            })
        });
    });
    group.bench_function("api_key_query", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    common::api_key_query(&api).await;
                }
                start.elapsed()
            })
        });
    });
    group.bench_function("iam_query", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    common::iam_query(&api).await;
                }
                start.elapsed()
            })
        });
    });
    group.finish();

    summary(&rt, &api, &raw);
}

/// Interleaved rounds of raw / API key / IAM, medians per request.
fn summary(rt: &tokio::runtime::Runtime, api: &amplify_api::ApiPlugin, raw: &common::Raw) {
    const ROUNDS: usize = 15;
    const PER_ROUND: u32 = 1000;
    let mut raw_us = Vec::new();
    let mut key_us = Vec::new();
    let mut iam_us = Vec::new();
    let mut key_cpu = Vec::new();
    let mut iam_cpu = Vec::new();
    let mut raw_cpu = Vec::new();
    let per = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(PER_ROUND);
    let cpu_per = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(a), Some(b)) => Some((b - a) as f64 / 1e3 / f64::from(PER_ROUND)),
        _ => None,
    };
    rt.block_on(async {
        for _ in 0..ROUNDS {
            let (c0, t0) = (common::thread_cpu_ns(), Instant::now());
            for _ in 0..PER_ROUND {
                raw.post().await;
            }
            raw_us.push(per(t0.elapsed()));
            raw_cpu.extend(cpu_per(c0, common::thread_cpu_ns()));

            let (c0, t0) = (common::thread_cpu_ns(), Instant::now());
            for _ in 0..PER_ROUND {
                common::api_key_query(api).await;
            }
            key_us.push(per(t0.elapsed()));
            key_cpu.extend(cpu_per(c0, common::thread_cpu_ns()));

            let (c0, t0) = (common::thread_cpu_ns(), Instant::now());
            for _ in 0..PER_ROUND {
                common::iam_query(api).await;
            }
            iam_us.push(per(t0.elapsed()));
            iam_cpu.extend(cpu_per(c0, common::thread_cpu_ns()));
        }
    });
    let (raw_m, key_m, iam_m) = (
        median(&mut raw_us),
        median(&mut key_us),
        median(&mut iam_us),
    );
    println!();
    println!(
        "== overhead summary ({ROUNDS} interleaved rounds x {PER_ROUND} sequential requests, medians) =="
    );
    println!("raw hyper POST      : {raw_m:8.2} us/request");
    println!(
        "API key query       : {key_m:8.2} us/request  (ratio to raw: {:.3}x)",
        key_m / raw_m
    );
    println!(
        "IAM query           : {iam_m:8.2} us/request  (IAM adds {:.2} us over API key)",
        iam_m - key_m
    );
    if !key_cpu.is_empty() {
        let (r, k, i) = (
            median(&mut raw_cpu),
            median(&mut key_cpu),
            median(&mut iam_cpu),
        );
        println!(
            "client-thread CPU   : raw {r:.2} us, API key {k:.2} us, IAM {i:.2} us per request \
             (client adds {:.2} us for API key, {:.2} us for IAM over raw hyper)",
            k - r,
            i - r
        );
        summary::row(
            "sequential: client CPU IAM adds over API key (us/request)",
            i - k,
            None,
            "<= 10",
        );
        summary::row(
            "sequential: API key client CPU (us/request)",
            k,
            Some(("raw hyper", r)),
            "-",
        );
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The `AMPLIFY_PROFILE` mode: N calls of one kind, nothing else.
fn profile(kind: &str) {
    if !matches!(kind, "raw" | "api_key" | "iam" | "rest_api_key") {
        println!("AMPLIFY_PROFILE={kind}: use raw, api_key, iam or rest_api_key");
        std::process::exit(2);
    }
    let calls: u64 = std::env::var("AMPLIFY_PROFILE_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    let addr = common::start_server();
    let rt = common::client_runtime();
    let api = rt.block_on(async { common::client(addr) });
    let raw = common::Raw::new(addr);
    rt.block_on(async {
        for _ in 0..calls {
            match kind {
                "raw" => raw.post().await,
                "api_key" => common::api_key_query(&api).await,
                "rest_api_key" => common::rest_api_key_post(&api).await,
                _ => common::iam_query(&api).await,
            }
        }
    });
    println!("{calls} {kind} calls");
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(kind) = std::env::var("AMPLIFY_PROFILE") {
        profile(&kind);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
