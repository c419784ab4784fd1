//! A small in-test AppSync realtime server on 127.0.0.1:0: it speaks the protocol the client's
//! module docs list, records every frame it receives, and lets tests send frames or drop the
//! socket. With `auto_start_ack` it acknowledges starts itself; it always acks
//! `connection_init` (with `ka_timeout_ms`) and completes `stop`s.
#![allow(clippy::needless_pass_by_value, clippy::result_large_err)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

pub struct ServerConfig {
    pub ka_timeout_ms: u64,
    pub auto_start_ack: AtomicBool,
    /// Drop every socket right after the upgrade (a refusing endpoint).
    pub drop_on_connect: AtomicBool,
}

pub struct Server {
    pub port: u16,
    pub config: Arc<ServerConfig>,
    conns: mpsc::UnboundedReceiver<Conn>,
    task: tokio::task::JoinHandle<()>,
}

/// One accepted socket.
pub struct Conn {
    /// The request path of the upgrade.
    pub path: String,
    /// The subprotocols offered, as sent.
    pub protocols: String,
    /// The decoded `header-` subprotocol.
    pub header: Value,
    frames: mpsc::UnboundedReceiver<Value>,
    out: mpsc::UnboundedSender<Out>,
}

enum Out {
    Text(String),
    Drop,
}

impl Server {
    pub async fn start(ka_timeout_ms: u64, auto_start_ack: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = Arc::new(ServerConfig {
            ka_timeout_ms,
            auto_start_ack: AtomicBool::new(auto_start_ack),
            drop_on_connect: AtomicBool::new(false),
        });
        let (tx, conns) = mpsc::unbounded_channel();
        let cfg = Arc::clone(&config);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let tx = tx.clone();
                let cfg = Arc::clone(&cfg);
                tokio::spawn(serve(stream, tx, cfg));
            }
        });
        Self {
            port,
            config,
            conns,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/graphql", self.port)
    }

    /// The next accepted socket.
    pub async fn accept(&mut self) -> Conn {
        within(self.conns.recv()).await.expect("server gone")
    }

    /// Whether another socket was accepted (without waiting).
    pub fn try_accept(&mut self) -> Option<Conn> {
        self.conns.try_recv().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Conn {
    /// The next frame the client sent.
    pub async fn frame(&mut self) -> Value {
        within(self.frames.recv()).await.expect("socket closed")
    }

    /// The next frame of `kind`, skipping others.
    pub async fn frame_of(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.frame().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Waits for the client to close the socket (no more frames).
    pub async fn closed(&mut self) {
        while within(self.frames.recv()).await.is_some() {}
    }

    pub fn send(&self, frame: Value) {
        let _ = self.out.send(Out::Text(frame.to_string()));
    }

    pub fn start_ack(&self, id: &str) {
        self.send(json!({"id": id, "type": "start_ack"}));
    }

    pub fn data(&self, id: &str, data: Value) {
        self.send(json!({"id": id, "type": "data", "payload": {"data": data}}));
    }

    /// Drops the TCP connection without a close handshake.
    pub fn drop_socket(&self) {
        let _ = self.out.send(Out::Drop);
    }
}

/// Bounds a wait so a broken test fails instead of hanging (a guard, not synchronisation).
pub async fn within<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(std::time::Duration::from_secs(20), f)
        .await
        .expect("timed out waiting")
}

async fn serve(
    stream: tokio::net::TcpStream,
    conns: mpsc::UnboundedSender<Conn>,
    cfg: Arc<ServerConfig>,
) {
    let mut path = String::new();
    let mut protocols = String::new();
    let callback = |req: &Request, mut res: Response| {
        path = req.uri().path().to_owned();
        protocols = req
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        res.headers_mut()
            .insert("sec-websocket-protocol", "graphql-ws".parse().unwrap());
        Ok(res)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
        return;
    };
    if cfg.drop_on_connect.load(Ordering::SeqCst) {
        return;
    }
    let header = protocols
        .split(',')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("header-"))
        .and_then(|b64| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(b64)
                .ok()
        })
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or(Value::Null);
    let (frames_tx, frames) = mpsc::unbounded_channel();
    let (out, mut out_rx) = mpsc::unbounded_channel();
    let _ = conns.send(Conn {
        path,
        protocols,
        header,
        frames,
        out,
    });
    loop {
        tokio::select! {
            message = ws.next() => {
                let Some(Ok(message)) = message else { return };
                let Message::Text(text) = message else { continue };
                let frame: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                let reply = match frame["type"].as_str() {
                    Some("connection_init") => Some(json!({
                        "type": "connection_ack",
                        "payload": {"connectionTimeoutMs": cfg.ka_timeout_ms}
                    })),
                    Some("start") if cfg.auto_start_ack.load(Ordering::SeqCst) => {
                        Some(json!({"id": frame["id"], "type": "start_ack"}))
                    }
                    Some("stop") => Some(json!({"id": frame["id"], "type": "complete"})),
                    _ => None,
                };
                let _ = frames_tx.send(frame);
                if let Some(reply) = reply
                    && ws.send(Message::text(reply.to_string())).await.is_err()
                {
                    return;
                }
            }
            out = out_rx.recv() => match out {
                Some(Out::Text(text)) => {
                    if ws.send(Message::text(text)).await.is_err() {
                        return;
                    }
                }
                Some(Out::Drop) | None => return,
            },
        }
    }
}
