//! `Content-Length` framing: headers, a blank line, exactly that many bytes of JSON.

use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest message accepted (a misbehaving client cannot make the adapter allocate more).
const MAX_MESSAGE: usize = 64 << 20;

/// Longest header line accepted (DAP's only headers are a few dozen bytes).
const MAX_HEADER_LINE: usize = 1024;

/// Most header lines before the blank line.
const MAX_HEADERS: usize = 8;

/// A framing problem.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The stream ended.
    #[error("the client closed the connection")]
    Closed,
    /// Headers without a usable `Content-Length`.
    #[error("bad header: {0}")]
    BadHeader(String),
    /// Something that is not DAP framing (an HTTP request from a web page, say): the
    /// connection is not to be trusted with anything further.
    #[error("not a Debug Adapter Protocol client: {0}")]
    NotDap(String),
    /// The body is not JSON (the framing is intact; the caller can answer and go on).
    #[error("the message is not JSON: {0}")]
    BadJson(String),
    /// I/O failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Reads one header line (without its line end), refusing lines longer than
/// [`MAX_HEADER_LINE`] before buffering them. `None` at the end of the stream.
async fn read_header_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> Result<Option<Vec<u8>>, FrameError> {
    let mut line = Vec::new();
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return if line.is_empty() {
                Ok(None)
            } else {
                Err(FrameError::Closed)
            };
        }
        let (taken, done) = match available.iter().position(|&b| b == b'\n') {
            Some(end) => (end + 1, true),
            None => (available.len(), false),
        };
        line.extend_from_slice(&available[..taken]);
        reader.consume(taken);
        if line.len() > MAX_HEADER_LINE {
            return Err(FrameError::NotDap(format!(
                "a header line longer than {MAX_HEADER_LINE} bytes"
            )));
        }
        if done {
            while line.last().is_some_and(|b| matches!(b, b'\r' | b'\n')) {
                line.pop();
            }
            return Ok(Some(line));
        }
    }
}

/// Reads one message. Only DAP's headers are accepted (`Content-Length`, and `Content-Type`
/// as some clients add it); an HTTP request line, a browser's `Origin` or `Host`, or any other
/// header is refused as [`FrameError::NotDap`], so a web page cannot talk to the adapter.
pub async fn read_message<R: AsyncBufRead + Unpin>(reader: &mut R) -> Result<Value, FrameError> {
    let mut length = None;
    let mut headers = 0;
    loop {
        let Some(line) = read_header_line(reader).await? else {
            return Err(FrameError::Closed);
        };
        if line.is_empty() {
            if length.is_some() {
                break;
            }
            continue; // stray blank line between messages
        }
        headers += 1;
        if headers > MAX_HEADERS {
            return Err(FrameError::NotDap(format!("more than {MAX_HEADERS} header lines")));
        }
        let line = String::from_utf8_lossy(&line);
        let Some((name, value)) = line.split_once(':') else {
            return Err(FrameError::NotDap(format!("`{}` is not a header", shorten(&line))));
        };
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-length") {
            let parsed: usize = value
                .trim()
                .parse()
                .map_err(|_| FrameError::BadHeader(format!("Content-Length `{}`", shorten(value.trim()))))?;
            if parsed > MAX_MESSAGE {
                return Err(FrameError::BadHeader(format!("message of {parsed} bytes is too large")));
            }
            length = Some(parsed);
        } else if !name.eq_ignore_ascii_case("content-type") {
            return Err(FrameError::NotDap(format!("unexpected header `{}`", shorten(name))));
        }
    }
    let mut body = vec![0; length.unwrap_or(0)];
    reader.read_exact(&mut body).await?;
    serde_json::from_slice(&body).map_err(|e| FrameError::BadJson(e.to_string()))
}

/// At most 60 characters of client text, for error messages.
fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
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
    async fn http_requests_and_foreign_headers_are_not_dap() {
        for input in [
            &b"POST / HTTP/1.1\r\nHost: 127.0.0.1:4711\r\nContent-Length: 2\r\n\r\n{}"[..],
            b"Origin: https://example.com\r\nContent-Length: 2\r\n\r\n{}",
            b"Content-Length: 2\r\nHost: localhost\r\n\r\n{}",
            b"GET /json HTTP/1.1\r\n\r\n",
        ] {
            let mut reader = tokio::io::BufReader::new(input);
            let result = read_message(&mut reader).await;
            assert!(
                matches!(result, Err(FrameError::NotDap(_))),
                "{:?}: {result:?}",
                String::from_utf8_lossy(input)
            );
        }
        // A header line without an end is refused before it is buffered whole.
        let endless = vec![b'a'; 1 << 20];
        let mut reader = tokio::io::BufReader::new(&endless[..]);
        assert!(matches!(read_message(&mut reader).await, Err(FrameError::NotDap(_))));
    }

    #[tokio::test]
    async fn writes_exact_lengths() {
        let mut out = Vec::new();
        write_message(&mut out, &json!({"a": "é"})).await.unwrap();
        assert_eq!(out, "Content-Length: 10\r\n\r\n{\"a\":\"é\"}".as_bytes());
    }
}
