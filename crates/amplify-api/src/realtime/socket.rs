//! Opening the WebSocket: TCP (or the user's connector), rustls with ring for `wss`, then the
//! HTTP/1.1 upgrade offering the `graphql-ws` and `header-<base64url>` subprotocols.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Uri};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::connector::Connection;
use crate::error::{ApiError, DispatchState, TimeoutFailure, TimeoutPhase, TransportFailure};
use crate::realtime::auth::GRAPHQL_WS;
use crate::request::status_error;
use crate::response::HttpResponse;
use crate::transport::SocketSettings;

/// An open realtime socket.
pub(crate) type Socket = WebSocketStream<Box<dyn Connection>>;

/// The largest frame or message accepted (AppSync's limit is 240 KB per message).
const MAX_MESSAGE: usize = 4 * 1024 * 1024;
/// The read buffer. tungstenite zero-fills its whole read buffer (128 KiB by default) before
/// every read, including reads that find nothing, which cost more than the frames themselves
/// (AppSync's are a few hundred bytes); larger messages are read in several calls.
const READ_BUFFER: usize = 8 * 1024;

/// Opens the socket to `uri` offering `graphql-ws` and `subprotocol` (the authorization), within
/// the connect timeout.
///
/// # Errors
///
/// [`ApiError::Timeout`] (connect phase), [`ApiError::Transport`] for dialing, TLS and protocol
/// failures, [`ApiError::Unauthorized`] / [`ApiError::HttpStatus`] when the upgrade is answered
/// with an HTTP error.
pub(crate) async fn open(
    settings: &SocketSettings,
    uri: &Uri,
    subprotocol: &str,
    api: &str,
) -> Result<Socket, ApiError> {
    match tokio::time::timeout(
        settings.connect_timeout,
        open_inner(settings, uri, subprotocol, api),
    )
    .await
    {
        Ok(result) => result,
        Err(_) => Err(ApiError::Timeout(TimeoutFailure::new(
            api,
            TimeoutPhase::Connect,
            Some(settings.connect_timeout),
        ))),
    }
}

fn not_sent(
    api: &str,
    message: &'static str,
    source: impl Into<amplify_core::BoxError>,
) -> ApiError {
    ApiError::Transport(TransportFailure::new(
        api,
        DispatchState::NotSent,
        message,
        Some(source.into()),
    ))
}

async fn open_inner(
    settings: &SocketSettings,
    uri: &Uri,
    subprotocol: &str,
    api: &str,
) -> Result<Socket, ApiError> {
    let host = uri.host().unwrap_or_default().to_owned();
    let secure = uri.scheme_str() == Some("wss");
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    let io: Box<dyn Connection> = match &settings.connector {
        Some(custom) => {
            // The connector sees the http(s) form of the target, as for requests.
            let target: Uri = format!(
                "{}://{}",
                if secure { "https" } else { "http" },
                uri.authority().map(|a| a.as_str()).unwrap_or_default()
            )
            .parse()
            .map_err(|e| not_sent(api, "the realtime URL is not valid", e))?;
            custom
                .connector()
                .connect(&target)
                .await
                .map_err(|e| not_sent(api, "the connector failed", e))?
        }
        None => {
            if settings.proxy.is_some() {
                return Err(ApiError::configuration(
                    Some(api),
                    "subscriptions do not go through a proxy yet; use a custom Connector",
                ));
            }
            let tcp = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
                .await
                .map_err(|e| not_sent(api, "could not connect to the realtime endpoint", e))?;
            let _ = tcp.set_nodelay(true);
            Box::new(tcp)
        }
    };
    let io: Box<dyn Connection> = if secure {
        let name =
            rustls::pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_owned())
                .map_err(|e| not_sent(api, "the realtime host is not a valid TLS name", e))?;
        let tls = tokio_rustls::TlsConnector::from(Arc::clone(&settings.tls))
            .connect(name, io)
            .await
            .map_err(|e| {
                not_sent(
                    api,
                    "the TLS handshake with the realtime endpoint failed",
                    e,
                )
            })?;
        Box::new(tls)
    } else {
        io
    };

    let mut request = uri
        .clone()
        .into_client_request()
        .map_err(|e| not_sent(api, "the realtime URL is not valid", e))?;
    let mut protocols = HeaderValue::from_str(&format!("{GRAPHQL_WS}, {subprotocol}"))
        .map_err(|e| not_sent(api, "the authorization header is not valid", e))?;
    protocols.set_sensitive(true);
    request
        .headers_mut()
        .insert(http::header::SEC_WEBSOCKET_PROTOCOL, protocols);
    let config = tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE))
        .read_buffer_size(READ_BUFFER);
    match tokio_tungstenite::client_async_with_config(request, io, Some(config)).await {
        Ok((socket, _response)) => Ok(socket),
        Err(tungstenite::Error::Http(response)) => {
            let (parts, body) = response.into_parts();
            let body = body.map(Bytes::from).unwrap_or_default();
            let errors = crate::graphql::codec::decode_errors(&body);
            Err(status_error(
                api,
                HttpResponse::new(parts.status, parts.headers, body),
                errors,
            ))
        }
        Err(e) => Err(ApiError::Transport(TransportFailure::new(
            api,
            DispatchState::MaybeSent,
            "the WebSocket upgrade failed",
            Some(Box::new(e)),
        ))),
    }
}
