//! Server-side IAM (feature `aws-config`): what `SdkCredentialsProvider` (an `aws-config`
//! provider behind the adapter's cache) costs per IAM request next to identity-pool-style
//! credentials handed out by a provider that just clones them.
//!
//! Run with `cargo bench -p amplify-api --features aws-config --bench server_iam`. It prints
//! medians of interleaved rounds (the machine is shared, so only differences measured in one
//! run mean anything).
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

use std::time::{Duration, Instant, SystemTime};

use amplify_api::SdkCredentialsProvider;
use amplify_core::{AwsCredentials, CredentialsProvider, SharedCredentialsProvider};
use aws_credential_types::Credentials;

const ROUNDS: usize = 15;
const PER_ROUND: u32 = 1000;
const RESOLVES: u32 = 100_000;

fn main() {
    let addr = common::start_server();
    let rt = common::client_runtime();
    let expires = SystemTime::now() + Duration::from_secs(3600);
    let pool_like = SharedCredentialsProvider::new(AwsCredentials::new(
        "ASIABENCHMARKKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBENCHMARK",
        Some("IQoJb3JpZ2luX2VjBENCHMARKSESSIONTOKEN".into()),
        Some(expires),
    ));
    let sdk = SharedCredentialsProvider::new(SdkCredentialsProvider::new(Credentials::new(
        "ASIABENCHMARKKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBENCHMARK",
        Some("IQoJb3JpZ2luX2VjBENCHMARKSESSIONTOKEN".into()),
        Some(expires),
        "bench",
    )));
    let (pool_api, sdk_api) = rt.block_on(async {
        (
            common::client_with(addr, pool_like.clone()),
            common::client_with(addr, sdk.clone()),
        )
    });
    let per = |d: Duration, n: u32| d.as_secs_f64() * 1e9 / f64::from(n);
    let (mut pool_req, mut sdk_req, mut pool_res, mut sdk_res) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    rt.block_on(async {
        for _ in 0..200 {
            common::iam_query(&pool_api).await;
            common::iam_query(&sdk_api).await;
        }
        for round in 0..ROUNDS {
            // Alternate which client goes first, so order effects cancel out.
            let mut clients = [(&pool_api, &mut pool_req), (&sdk_api, &mut sdk_req)];
            if round % 2 == 1 {
                clients.reverse();
            }
            for (api, out) in clients {
                let t0 = Instant::now();
                for _ in 0..PER_ROUND {
                    common::iam_query(api).await;
                }
                out.push(per(t0.elapsed(), PER_ROUND) / 1e3);
            }
            for (provider, out) in [(&pool_like, &mut pool_res), (&sdk, &mut sdk_res)] {
                let t0 = Instant::now();
                for _ in 0..RESOLVES {
                    std::hint::black_box(provider.credentials().await.unwrap());
                }
                out.push(per(t0.elapsed(), RESOLVES));
            }
        }
    });
    let (pr, sr, pc, sc) = (
        median(&mut pool_req),
        median(&mut sdk_req),
        median(&mut pool_res),
        median(&mut sdk_res),
    );
    println!("== server-side IAM ({ROUNDS} interleaved rounds, medians) ==");
    println!("IAM query, identity-pool-style provider : {pr:8.2} us/request");
    println!(
        "IAM query, SdkCredentialsProvider       : {sr:8.2} us/request  (difference {:+.2} us)",
        sr - pr
    );
    println!("credentials(), identity-pool-style      : {pc:8.1} ns/call");
    println!("credentials(), SdkCredentialsProvider   : {sc:8.1} ns/call (cache hit)");
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
