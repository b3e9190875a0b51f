//! The SMTP conversation of the bench's and the chaos run's mail sinks: every command is
//! answered at once, and a message counts when its data has ended, by its Message-ID.
//! Lines are read as bytes (the data need not be UTF-8); nothing of a message is kept but
//! its Message-ID.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;

/// Serves one connection as the server `name`; `taken` is called with each message's
/// Message-ID (empty if it has none) once its data has ended, before the 250 that accepts it.
pub async fn session(stream: TcpStream, name: &str, taken: impl Fn(String)) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(format!("220 {name} ESMTP\r\n").as_bytes())
        .await?;
    let ehlo = format!("250 {name}\r\n");
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let answer: &[u8] = match verb.as_slice() {
            b"EHLO" | b"HELO" => ehlo.as_bytes(),
            b"MAIL" | b"RCPT" | b"RSET" | b"NOOP" => b"250 OK\r\n",
            b"DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                taken(read_data(&mut lines).await?);
                b"250 OK queued\r\n"
            }
            b"QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        write.write_all(answer).await?;
    }
}

/// Reads a message's data up to the line holding a single dot; returns its Message-ID. Data
/// cut off before that line is an error: the message was not taken (no 250 was sent for it).
async fn read_data(lines: &mut BufReader<OwnedReadHalf>) -> std::io::Result<String> {
    const HEADER: &[u8] = b"message-id:";
    let mut id = String::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(id);
        }
        let named = line.get(..HEADER.len()).map(<[u8]>::to_ascii_lowercase);
        if id.is_empty() && named.as_deref() == Some(HEADER) {
            id = String::from_utf8_lossy(&line[HEADER.len()..])
                .trim()
                .to_owned();
        }
    }
}
