//! Subscription fan-out: 100 subscribers (each its own client and WebSocket) on one in-process
//! emulator receive 10,000 mutation events (100 `createTodo` mutations, each delivered to every
//! subscriber). Mutations are sent one after another over HTTP by another client; the latency of
//! a delivery is from just before its mutation was sent to the subscriber's receipt of the
//! decoded item.
//!
//! ```sh
//! cargo bench -p amplify-api --bench subscriptions
//! ```
//!
//! Prints events per second and the p50 / p99 / max mutation-to-delivery latency. Environment:
//! `BENCH_SUBSCRIBERS` (100), `BENCH_EVENTS` (10000; mutations = events / subscribers),
//! `BENCH_SHARED_SOCKET=1` (every subscription on one client, hence one WebSocket).
#![allow(
    missing_docs,
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

use std::time::{Duration, Instant};

use amplify_api::{ApiPlugin, GraphQlSubscription};
use amplify_core::AuthProviderRegistry;
use amplify_core::config::AmplifyConfig;
use amplify_emulator::{AuthMode, Emulator, GraphQlApiSpec, UserPoolSpec};

const SUBSCRIPTION: &str = "subscription { onCreateTodo { name } }";
const CREATE: &str =
    "mutation Create($name: String!) { createTodo(input: {name: $name}) { id name } }";
/// Mutations sent (and received by everyone) before the measured ones.
const WARM_UP: usize = 10;
/// The bound of every wait.
const WAIT: Duration = Duration::from_secs(60);

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn client(config: &AmplifyConfig) -> ApiPlugin {
    let api = ApiPlugin::new();
    api.configure_with(config, &AuthProviderRegistry::default())
        .unwrap();
    api
}

/// Reads `count` events; returns the receipt instant of each mutation index.
async fn receive(mut sub: GraphQlSubscription<String>, count: usize) -> Vec<(usize, Instant)> {
    let mut received = Vec::with_capacity(count);
    while received.len() < count {
        let event = tokio::time::timeout(WAIT, sub.next())
            .await
            .expect("an event in time")
            .expect("the stream goes on")
            .expect("an event");
        let at = Instant::now();
        let name = event.data.expect("a name");
        let index: usize = name.trim_start_matches('m').parse().expect("m<index>");
        received.push((index, at));
    }
    received
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn main() {
    let subscribers = env("BENCH_SUBSCRIBERS", 100).max(1);
    let events = env("BENCH_EVENTS", 10_000);
    let mutations = (events / subscribers).max(1);
    let shared = std::env::var("BENCH_SHARED_SOCKET").is_ok_and(|v| v == "1");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let emulator = Emulator::builder()
            .user_pool(UserPoolSpec::new("us-east-1"))
            .graphql_api(GraphQlApiSpec::sample_todo().default_mode(AuthMode::ApiKey))
            .start()
            .await
            .unwrap();
        let config = AmplifyConfig::from_json(&emulator.amplify_outputs_json()).unwrap();
        let publisher = client(&config);
        let shared_client = client(&config);
        let total = WARM_UP + mutations;
        let mut receivers = Vec::with_capacity(subscribers);
        for _ in 0..subscribers {
            let api = if shared {
                shared_client.clone()
            } else {
                client(&config)
            };
            let mut sub = api
                .subscribe(SUBSCRIPTION)
                .decode_path("onCreateTodo.name")
                .start::<String>()
                .unwrap();
            tokio::time::timeout(WAIT, sub.established())
                .await
                .expect("established in time")
                .unwrap();
            receivers.push(tokio::spawn(receive(sub, total)));
        }
        let backend = emulator.backend();
        assert_eq!(backend.realtime_subscriptions(), subscribers);
        println!(
            "subscriptions: {subscribers} subscribers on {} WebSocket(s), {mutations} mutations \
             (+{WARM_UP} warm-up), {} events measured",
            backend.realtime_connections(),
            mutations * subscribers
        );

        let mut sent = Vec::with_capacity(total);
        for i in 0..total {
            sent.push(Instant::now());
            let response = publisher
                .mutate(CREATE)
                .variables(serde_json::json!({ "name": format!("m{i}") }))
                .send::<serde_json::Value>()
                .await
                .unwrap();
            assert!(response.errors.is_empty(), "{:?}", response.errors);
        }
        let mut latencies = Vec::with_capacity(mutations * subscribers);
        let mut last = sent[WARM_UP];
        for receiver in receivers {
            for (index, at) in receiver.await.unwrap() {
                if index >= WARM_UP {
                    latencies.push(at - sent[index]);
                    last = last.max(at);
                }
            }
        }
        let elapsed = last - sent[WARM_UP];
        latencies.sort_unstable();
        let mean = latencies.iter().sum::<Duration>() / u32::try_from(latencies.len()).unwrap();
        println!(
            "subscriptions: {} events in {:.3} s = {:.0} events/s ({:.0} mutations/s)",
            latencies.len(),
            elapsed.as_secs_f64(),
            latencies.len() as f64 / elapsed.as_secs_f64(),
            mutations as f64 / elapsed.as_secs_f64(),
        );
        println!(
            "subscriptions: mutation-to-delivery latency p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms, mean {:.3} ms",
            percentile(&latencies, 50).as_secs_f64() * 1e3,
            percentile(&latencies, 99).as_secs_f64() * 1e3,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            mean.as_secs_f64() * 1e3,
        );
    });
}
