//! `Content-Length` framing: headers, a blank line, exactly that many bytes of JSON.

use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest message accepted (a misbehaving client cannot make the adapter allocate more).
const MAX_MESSAGE: usize = 64 << 20;

/// A framing problem.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The stream ended.
    #[error("the client closed the connection")]
    Closed,
    /// Headers without a usable `Content-Length`.
    #[error("bad header: {0}")]
    BadHeader(String),
    /// The body is not JSON (the framing is intact; the caller can answer and go on).
    #[error("the message is not JSON: {0}")]
    BadJson(String),
    /// I/O failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Reads one message. Unknown headers are ignored.
pub async fn read_message<R: AsyncBufRead + Unpin>(reader: &mut R) -> Result<Value, FrameError> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Err(FrameError::Closed);
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if length.is_some() {
                break;
            }
            continue; // stray blank line between messages
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            let parsed: usize = value
                .trim()
                .parse()
                .map_err(|_| FrameError::BadHeader(format!("Content-Length `{}`", value.trim())))?;
            if parsed > MAX_MESSAGE {
                return Err(FrameError::BadHeader(format!("message of {parsed} bytes is too large")));
            }
            length = Some(parsed);
        }
    }
    let mut body = vec![0; length.unwrap_or(0)];
    reader.read_exact(&mut body).await?;
    serde_json::from_slice(&body).map_err(|e| FrameError::BadJson(e.to_string()))
}

/// Writes one message.
pub async fn write_message<W: AsyncWrite + Unpin>(writer: &mut W, message: &Value) -> std::io::Result<()> {
    let body = serde_json::to_vec(message)?;
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(&body);
    writer.write_all(&frame).await?;
    writer.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn reads_coalesced_and_split_messages() {
        let one = serde_json::to_vec(&json!({"seq": 1})).unwrap();
        let two = serde_json::to_vec(&json!({"seq": 2, "text": "é"})).unwrap();
        let mut stream = Vec::new();
        stream.extend(format!("Content-Length: {}\r\nContent-Type: x\r\n\r\n", one.len()).bytes());
        stream.extend(&one);
        stream.extend(format!("Content-Length: {}\r\n\r\n", two.len()).bytes());
        stream.extend(&two);
        // Byte-at-a-time delivery exercises split reads.
        let (client, server) = tokio::io::duplex(1);
        let writer = tokio::spawn(async move {
            let mut client = client;
            for byte in stream {
                client.write_all(&[byte]).await.unwrap();
            }
        });
        let mut reader = tokio::io::BufReader::new(server);
        assert_eq!(read_message(&mut reader).await.unwrap(), json!({"seq": 1}));
        assert_eq!(read_message(&mut reader).await.unwrap(), json!({"seq": 2, "text": "é"}));
        writer.await.unwrap();
        assert!(matches!(read_message(&mut reader).await, Err(FrameError::Closed)));
    }

    #[tokio::test]
    async fn bad_bodies_and_headers_are_reported() {
        let mut input = tokio::io::BufReader::new(&b"Content-Length: 3\r\n\r\n{x}"[..]);
        assert!(matches!(read_message(&mut input).await, Err(FrameError::BadJson(_))));
        let mut input = tokio::io::BufReader::new(&b"Content-Length: lots\r\n\r\n"[..]);
        assert!(matches!(read_message(&mut input).await, Err(FrameError::BadHeader(_))));
    }

    #[tokio::test]
    async fn writes_exact_lengths() {
        let mut out = Vec::new();
        write_message(&mut out, &json!({"a": "é"})).await.unwrap();
        assert_eq!(out, "Content-Length: 10\r\n\r\n{\"a\":\"é\"}".as_bytes());
    }
}
