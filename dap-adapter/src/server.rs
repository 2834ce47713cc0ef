//! Serving a session over a byte stream (stdio or a TCP connection).

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, BufReader};
use tokio::sync::mpsc;

use crate::protocol::{DapError, FrameError, Incoming, Outgoing, outbox, read_message, write_message};
use crate::session::Session;

enum Input {
    Request(Incoming),
    Malformed { seq: i64, command: String, error: DapError },
    Closed,
}

/// Serves one client until it disconnects or closes the stream. Returns the exit code of the
/// debugged plugins (0 if they completed, 1 if any failed or none ran).
pub async fn serve<R, W>(reader: R, writer: W) -> i32
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    serve_with_token(reader, writer, None).await
}

/// Requests read ahead of the one being handled.
const MAX_QUEUED_REQUESTS: usize = 64;

/// [`serve`], where `launch` and `attach` must carry `token` (`qirvo dap --port --token`) before
/// anything else but `initialize` is answered.
pub async fn serve_with_token<R, W>(reader: R, writer: W, token: Option<String>) -> i32
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (out_tx, mut out_rx) = outbox();
    let writing = tokio::spawn(async move {
        let mut writer = writer;
        let mut seq = 0;
        while let Some(message) = out_rx.recv().await {
            seq += 1;
            if write_message(&mut writer, &message.to_json(seq)).await.is_err() {
                break;
            }
        }
    });
    // Bounded: a client that sends faster than requests are handled waits on its own pipe
    // instead of growing this queue.
    let (input_tx, mut input_rx) = mpsc::channel::<Input>(MAX_QUEUED_REQUESTS);
    tokio::spawn(async move {
        let mut reader = BufReader::new(reader);
        loop {
            let input = match read_message(&mut reader).await {
                Ok(value) => classify(value),
                Err(FrameError::BadJson(message)) => Some(Input::Malformed {
                    seq: 0,
                    command: String::new(),
                    error: DapError::NotJson(message),
                }),
                Err(error @ FrameError::NotDap(_)) => {
                    tracing::warn!(%error, "closing the connection");
                    let _ = input_tx.send(Input::Closed).await;
                    break;
                }
                Err(error) => {
                    tracing::debug!(%error, "client stream ended");
                    let _ = input_tx.send(Input::Closed).await;
                    break;
                }
            };
            if let Some(input) = input
                && input_tx.send(input).await.is_err()
            {
                break;
            }
        }
    });

    let (mut session, mut debuggee_events) = Session::new(out_tx.clone());
    session.require_token(token);
    loop {
        tokio::select! {
            input = input_rx.recv() => match input {
                Some(Input::Request(request)) => {
                    session.handle(request).await;
                    if session.finished || session.refused_token {
                        break;
                    }
                }
                Some(Input::Malformed { seq, command, error }) => {
                    let _ = out_tx.send(Outgoing::failure(seq, &command, &error));
                }
                Some(Input::Closed) | None => break,
            },
            Some(event) = debuggee_events.recv() => session.on_debuggee(event),
        }
    }
    // Whatever ended the session (disconnect, a closed stream, a refused token), nobody is left
    // to debug the plugins: end them rather than leave them parked at a stop.
    session.terminate_all();
    // Let plugins that were told to terminate wind down and report.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
    while session.exit_code().is_none() {
        match tokio::time::timeout_at(deadline, debuggee_events.recv()).await {
            Ok(Some(event)) => session.on_debuggee(event),
            _ => break,
        }
    }
    let code = session.exit_code().unwrap_or(1);
    drop(session);
    drop(out_tx);
    // A plugin that never wound down still holds a sender of the output channel: flush what is
    // queued, but do not wait for the channel to close.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), writing).await;
    code
}

/// Turns a JSON message into input; anything but a request is ignored.
fn classify(value: Value) -> Option<Input> {
    let seq = value.get("seq").and_then(Value::as_i64).unwrap_or(0);
    let command = value
        .get("command")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    match serde_json::from_value::<Incoming>(value) {
        Ok(incoming) if incoming.kind == "request" => Some(Input::Request(incoming)),
        Ok(incoming) if incoming.kind.is_empty() => Some(Input::Malformed {
            seq,
            command,
            error: DapError::NoType,
        }),
        Ok(_) => None,
        Err(error) => Some(Input::Malformed {
            seq,
            command,
            error: DapError::Malformed(error.to_string()),
        }),
    }
}
