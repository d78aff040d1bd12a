//! RFC 6455 framing over a TCP stream whose HTTP upgrade hyper already did.
//!
//! Written for the event loop: messages are read in place from one buffer (no allocation per
//! message), outgoing frames are appended to one write buffer from pieces (a template and a
//! ref) and sent with one `write` per batch. Both roles: the client masks what it sends, the
//! canned server does not. Pings are answered, a close ends the connection. Every method is
//! cancel-safe, so it can sit in a `select!` next to timers.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Larger messages are a protocol error (the largest LiveView reply is far smaller).
const MAX_MESSAGE: usize = 64 << 20;
/// Spare room made before each read.
const READ_CHUNK: usize = 4096;

const OP_CONTINUATION: u8 = 0x0;
const OP_TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
const OP_PONG: u8 = 0xA;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Client,
    Server,
}

#[derive(Debug)]
pub enum WsError {
    Io(io::Error),
    /// The peer closed (close frame or end of stream).
    Closed,
    Protocol(&'static str),
}

impl std::fmt::Display for WsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WsError::Io(e) => write!(f, "i/o: {e}"),
            WsError::Closed => f.write_str("closed by peer"),
            WsError::Protocol(what) => write!(f, "websocket protocol: {what}"),
        }
    }
}

impl From<io::Error> for WsError {
    fn from(e: io::Error) -> Self {
        WsError::Io(e)
    }
}

/// Where a received message lies; valid until the next read.
#[derive(Debug, Clone, Copy)]
pub struct Msg {
    start: usize,
    end: usize,
    reassembled: bool,
    pub binary: bool,
}

/// One websocket connection.
#[derive(Debug)]
pub struct WsConn {
    io: TcpStream,
    role: Role,
    rbuf: Vec<u8>,
    rpos: usize,
    /// A fragmented message being reassembled, and its opcode.
    frag: Vec<u8>,
    frag_opcode: Option<u8>,
    wbuf: Vec<u8>,
    wpos: usize,
    rng: u64,
    close_sent: bool,
}

impl WsConn {
    /// `leftover`: bytes the HTTP layer read past the upgrade response.
    pub fn new(io: TcpStream, role: Role, leftover: &[u8]) -> Self {
        let mut rbuf = Vec::with_capacity(READ_CHUNK.max(leftover.len()));
        rbuf.extend_from_slice(leftover);
        Self {
            io,
            role,
            rbuf,
            rpos: 0,
            frag: Vec::new(),
            frag_opcode: None,
            wbuf: Vec::with_capacity(256),
            wpos: 0,
            rng: rand::random::<u64>() | 1,
            close_sent: false,
        }
    }

    /// The bytes of a message returned by [`Self::next`] or [`Self::poll_buffered`].
    pub fn data(&self, m: Msg) -> &[u8] {
        let buf = if m.reassembled { &self.frag } else { &self.rbuf };
        buf.get(m.start..m.end).unwrap_or_default()
    }

    /// The next complete data message already in the buffer, without I/O. Control frames are
    /// handled here (ping → pong queued, close → `Closed`).
    pub fn poll_buffered(&mut self) -> Result<Option<Msg>, WsError> {
        loop {
            let avail = &self.rbuf[self.rpos..];
            if avail.len() < 2 {
                return Ok(None);
            }
            let (b0, b1) = (avail[0], avail[1]);
            if b0 & 0x70 != 0 {
                return Err(WsError::Protocol("reserved bits set (no extension was negotiated)"));
            }
            let fin = b0 & 0x80 != 0;
            let opcode = b0 & 0x0f;
            let masked = b1 & 0x80 != 0;
            let (len, mut header) = match b1 & 0x7f {
                126 => {
                    if avail.len() < 4 {
                        return Ok(None);
                    }
                    (u64::from(u16::from_be_bytes([avail[2], avail[3]])), 4)
                }
                127 => {
                    let Some(bytes) = avail.get(2..10) else { return Ok(None) };
                    let mut be = [0; 8];
                    be.copy_from_slice(bytes);
                    (u64::from_be_bytes(be), 10)
                }
                n => (u64::from(n), 2),
            };
            if len > MAX_MESSAGE as u64 {
                return Err(WsError::Protocol("message too large"));
            }
            let len = len as usize;
            let mut key = None;
            if masked {
                let Some(k) = avail.get(header..header + 4) else { return Ok(None) };
                key = Some([k[0], k[1], k[2], k[3]]);
                header += 4;
            }
            if avail.len() < header + len {
                return Ok(None);
            }
            let start = self.rpos + header;
            let end = start + len;
            if let Some(key) = key {
                apply_mask(&mut self.rbuf[start..end], key);
            }
            self.rpos = end;
            if opcode >= OP_CLOSE && (!fin || len > 125) {
                return Err(WsError::Protocol("bad control frame"));
            }
            match opcode {
                OP_TEXT | OP_BINARY if self.frag_opcode.is_some() => {
                    return Err(WsError::Protocol("new message inside a fragmented one"));
                }
                OP_TEXT | OP_BINARY if fin => {
                    return Ok(Some(Msg { start, end, reassembled: false, binary: opcode == OP_BINARY }));
                }
                OP_TEXT | OP_BINARY => {
                    self.frag.clear();
                    self.frag.extend_from_slice(&self.rbuf[start..end]);
                    self.frag_opcode = Some(opcode);
                }
                OP_CONTINUATION => {
                    let Some(first) = self.frag_opcode else {
                        return Err(WsError::Protocol("continuation without a message"));
                    };
                    if self.frag.len() + len > MAX_MESSAGE {
                        return Err(WsError::Protocol("message too large"));
                    }
                    self.frag.extend_from_slice(&self.rbuf[start..end]);
                    if fin {
                        self.frag_opcode = None;
                        let end = self.frag.len();
                        return Ok(Some(Msg { start: 0, end, reassembled: true, binary: first == OP_BINARY }));
                    }
                }
                OP_CLOSE => {
                    if !self.close_sent {
                        self.close_sent = true;
                        let code = self.rbuf.get(start..start + 2.min(len)).unwrap_or_default().to_vec();
                        encode(&mut self.wbuf, self.role, &mut self.rng, OP_CLOSE, &[&code]);
                    }
                    return Err(WsError::Closed);
                }
                OP_PING => {
                    encode(&mut self.wbuf, self.role, &mut self.rng, OP_PONG, &[&self.rbuf[start..end]]);
                }
                OP_PONG => {}
                _ => return Err(WsError::Protocol("unknown opcode")),
            }
        }
    }

    /// Reads more bytes (one `read`). Flushes queued control frames first.
    pub async fn fill(&mut self) -> Result<(), WsError> {
        if self.wpos < self.wbuf.len() {
            self.flush().await?;
        }
        if self.rpos == self.rbuf.len() {
            self.rbuf.clear();
            self.rpos = 0;
        } else if self.rpos > 0 && self.rbuf.capacity() - self.rbuf.len() < READ_CHUNK {
            self.rbuf.drain(..self.rpos);
            self.rpos = 0;
        }
        self.rbuf.reserve(READ_CHUNK);
        let n = self.io.read_buf(&mut self.rbuf).await?;
        if n == 0 {
            return Err(WsError::Closed);
        }
        Ok(())
    }

    /// The next data message.
    pub async fn next(&mut self) -> Result<Msg, WsError> {
        loop {
            if let Some(m) = self.poll_buffered()? {
                return Ok(m);
            }
            self.fill().await?;
        }
    }

    /// Queues a text frame made of `parts`.
    pub fn push_text(&mut self, parts: &[&[u8]]) {
        encode(&mut self.wbuf, self.role, &mut self.rng, OP_TEXT, parts);
    }

    /// Sends everything queued.
    pub async fn flush(&mut self) -> Result<(), WsError> {
        while self.wpos < self.wbuf.len() {
            let n = self.io.write(&self.wbuf[self.wpos..]).await?;
            if n == 0 {
                return Err(WsError::Closed);
            }
            self.wpos += n;
        }
        self.wbuf.clear();
        self.wpos = 0;
        Ok(())
    }

    /// Gives back memory a large message made the buffers take (for connections held idle).
    pub fn shrink(&mut self) {
        if self.rpos == self.rbuf.len() && self.rbuf.capacity() > 4 * READ_CHUNK {
            self.rbuf = Vec::with_capacity(READ_CHUNK);
            self.rpos = 0;
        }
        if self.frag_opcode.is_none() {
            self.frag = Vec::new();
        }
        if self.wpos == self.wbuf.len() && self.wbuf.capacity() > 4 * READ_CHUNK {
            self.wbuf = Vec::with_capacity(256);
            self.wpos = 0;
        }
    }

    /// The closing handshake: sends a close frame (1000), waits up to `linger` for the peer's
    /// close or end of stream, then drops the socket. The peer closes the TCP connection first,
    /// so the TIME_WAIT stays on its side, not on this side's ports.
    pub async fn close(mut self, linger: Duration) {
        if !self.close_sent {
            self.close_sent = true;
            encode(&mut self.wbuf, self.role, &mut self.rng, OP_CLOSE, &[&1000u16.to_be_bytes()]);
        }
        let _ = tokio::time::timeout(linger, async {
            if self.flush().await.is_ok() {
                while self.next().await.is_ok() {}
            }
        })
        .await;
    }
}

fn apply_mask(buf: &mut [u8], key: [u8; 4]) {
    // Eight bytes at a time: the key repeats every four, so a doubled key masks a word.
    let wide = u64::from_ne_bytes([key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]]);
    let mut chunks = buf.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_ne_bytes(word) ^ wide).to_ne_bytes());
    }
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= key[i & 3];
    }
}

fn next_mask(state: &mut u64) -> [u8; 4] {
    // xorshift64: masks need not be secret here, only varied.
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    (x as u32).to_le_bytes()
}

fn encode(out: &mut Vec<u8>, role: Role, rng: &mut u64, opcode: u8, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mask_bit = if role == Role::Client { 0x80 } else { 0 };
    out.push(0x80 | opcode);
    if len < 126 {
        out.push(mask_bit | len as u8);
    } else if len <= 0xffff {
        out.push(mask_bit | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    if role == Role::Client {
        let key = next_mask(rng);
        out.extend_from_slice(&key);
        let start = out.len();
        for p in parts {
            out.extend_from_slice(p);
        }
        apply_mask(&mut out[start..], key);
    } else {
        for p in parts {
            out.extend_from_slice(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    async fn pair() -> (WsConn, WsConn) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, server) = tokio::join!(TcpStream::connect(addr), listener.accept());
        (WsConn::new(client.unwrap(), Role::Client, &[]), WsConn::new(server.unwrap().0, Role::Server, &[]))
    }

    #[test]
    fn masking_is_its_own_inverse_at_every_length() {
        let key = [0x12, 0x34, 0x56, 0x78];
        for len in 0..40 {
            let data: Vec<u8> = (0..len as u8).collect();
            let mut masked = data.clone();
            apply_mask(&mut masked, key);
            for (i, (m, d)) in masked.iter().zip(&data).enumerate() {
                assert_eq!(*m, d ^ key[i % 4]);
            }
            apply_mask(&mut masked, key);
            assert_eq!(masked, data);
        }
    }

    #[tokio::test]
    async fn messages_cross_both_ways_with_all_length_forms() {
        let (mut c, mut s) = pair().await;
        let big = vec![b'x'; 70_000];
        let mid = vec![b'y'; 300];
        c.push_text(&[b"he", b"llo"]);
        c.push_text(&[&mid]);
        c.push_text(&[&big]);
        c.flush().await.unwrap();
        for want in [&b"hello"[..], &mid, &big] {
            let m = s.next().await.unwrap();
            assert_eq!(s.data(m), want);
        }
        s.push_text(&[b"back"]);
        s.flush().await.unwrap();
        let m = c.next().await.unwrap();
        assert_eq!(c.data(m), b"back");
    }

    #[tokio::test]
    async fn pings_are_answered_fragments_reassembled_close_ends() {
        let (mut c, mut s) = pair().await;
        // Server sends: ping, "ab" in two fragments, close.
        let mut raw = Vec::new();
        let mut rng = 1;
        encode(&mut raw, Role::Server, &mut rng, OP_PING, &[b"p"]);
        raw.extend_from_slice(&[OP_TEXT, 1, b'a', 0x80, 1, b'b']);
        encode(&mut raw, Role::Server, &mut rng, OP_CLOSE, &[&1000u16.to_be_bytes()]);
        s.io.write_all(&raw).await.unwrap();
        let m = c.next().await.unwrap();
        assert_eq!(c.data(m), b"ab");
        assert!(matches!(c.next().await, Err(WsError::Closed)));
        c.flush().await.unwrap();
        // The server sees the pong (ignored) and then the close echo.
        assert!(matches!(s.next().await, Err(WsError::Closed)));
    }

    #[tokio::test]
    async fn a_frame_split_across_reads_is_waited_for() {
        let (c, mut s) = pair().await;
        let mut raw = Vec::new();
        let mut rng = 7;
        encode(&mut raw, Role::Client, &mut rng, OP_TEXT, &[b"split message"]);
        let mut io = c.io;
        let task = tokio::spawn(async move {
            for b in raw {
                io.write_all(&[b]).await.unwrap();
                io.flush().await.unwrap();
                tokio::task::yield_now().await;
            }
            io
        });
        let m = s.next().await.unwrap();
        assert_eq!(s.data(m), b"split message");
        drop(task.await.unwrap());
    }
}
