//! Phoenix V2 JSON frames, `[join_ref, ref, topic, event, payload]`, without a JSON parser on
//! the hot path: the first four elements are scanned in place, the payload stays raw, and the
//! frames this tool sends are templates with only the ref spliced in.

/// One of the four leading elements: its raw JSON text and, for a string, its contents
/// (escapes left as they are; refs, topics and event names have none in practice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub raw: &'a [u8],
    /// `None` for `null`; the digits of a bare number.
    pub text: Option<&'a [u8]>,
}

/// The head of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head<'a> {
    pub join_ref: Token<'a>,
    pub msg_ref: Token<'a>,
    pub topic: Token<'a>,
    pub event: Token<'a>,
    /// The fifth element, raw.
    pub payload: &'a [u8],
}

impl Head<'_> {
    /// The message ref as a number (the refs this tool sends are decimal counters).
    pub fn ref_number(&self) -> Option<u64> {
        self.msg_ref.text.and_then(parse_u64)
    }

    pub fn is(&self, event: &str) -> bool {
        self.event.text == Some(event.as_bytes())
    }
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    i
}

/// The end (exclusive) of the JSON string starting at `b[i] == '"'`.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'"' => return Some(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
    None
}

fn token(b: &[u8], i: usize) -> Option<(Token<'_>, usize)> {
    let i = skip_ws(b, i);
    match *b.get(i)? {
        b'"' => {
            let end = string_end(b, i)?;
            Some((Token { raw: &b[i..end], text: Some(&b[i + 1..end - 1]) }, end))
        }
        b'n' if b[i..].starts_with(b"null") => Some((Token { raw: &b[i..i + 4], text: None }, i + 4)),
        b'0'..=b'9' | b'-' => {
            let mut end = i + 1;
            while end < b.len() && matches!(b[end], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                end += 1;
            }
            Some((Token { raw: &b[i..end], text: Some(&b[i..end]) }, end))
        }
        _ => None,
    }
}

fn comma(b: &[u8], i: usize) -> Option<usize> {
    let i = skip_ws(b, i);
    (b.get(i) == Some(&b',')).then_some(i + 1)
}

/// Scans a V2 text frame. `None` if it is not one.
pub fn scan(b: &[u8]) -> Option<Head<'_>> {
    let i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let (join_ref, i) = token(b, i + 1)?;
    let (msg_ref, i) = token(b, comma(b, i)?)?;
    let (topic, i) = token(b, comma(b, i)?)?;
    let (event, i) = token(b, comma(b, i)?)?;
    let start = comma(b, i)?;
    let end = b.iter().rposition(|&c| c == b']')?;
    if end < start || topic.text.is_none() || event.text.is_none() {
        return None;
    }
    let payload = trim(&b[start..end]);
    if payload.is_empty() {
        return None;
    }
    Some(Head { join_ref, msg_ref, topic, event, payload })
}

fn trim(b: &[u8]) -> &[u8] {
    let start = skip_ws(b, 0);
    let mut end = b.len();
    while end > start && is_ws(b[end - 1]) {
        end -= 1;
    }
    &b[start..end]
}

pub fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(v)
}

/// Writes `v` in decimal at the end of `buf` and returns the digits.
pub fn format_u64(v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &buf[i..]
}

/// What a reply says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Error,
    /// No `status`, or another value.
    Other,
}

/// The `status` of a `phx_reply` payload (`{"status": "ok", "response": {...}}`, keys in any
/// order).
pub fn reply_status(payload: &[u8]) -> Status {
    // Phoenix and Liveplug put status first, without spaces.
    if payload.starts_with(br#"{"status":"ok""#) {
        return Status::Ok;
    }
    if payload.starts_with(br#"{"status":"error""#) {
        return Status::Error;
    }
    match top_level_value(payload, b"status") {
        Some(br#""ok""#) => Status::Ok,
        Some(br#""error""#) => Status::Error,
        _ => Status::Other,
    }
}

/// The raw value of `key` at the top level of the JSON object `b`.
pub fn top_level_value<'a>(b: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_ws(b, i);
        match *b.get(i)? {
            b'}' => return None,
            b',' => {
                i += 1;
                continue;
            }
            b'"' => {}
            _ => return None,
        }
        let key_end = string_end(b, i)?;
        let this_key = &b[i + 1..key_end - 1];
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        let value_end = value_end(b, i)?;
        if this_key == key {
            return Some(&b[i..value_end]);
        }
        i = value_end;
    }
}

/// The end of the JSON value starting at `b[i]`.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']') && !is_ws(b[j]) {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// A frame this tool sends again and again: `prefix + ref + suffix`.
#[derive(Debug, Clone)]
pub struct Template {
    prefix: Vec<u8>,
    suffix: Vec<u8>,
}

impl Template {
    /// `[join_ref, "<ref>", topic, event, payload]`; `payload` is JSON text.
    pub fn new(join_ref: Option<&str>, topic: &str, event: &str, payload: &str) -> Self {
        let quote = |s: &str| serde_json::Value::from(s).to_string();
        let join_ref = join_ref.map_or_else(|| "null".to_owned(), quote);
        let prefix = format!("[{join_ref},\"").into_bytes();
        let suffix = format!("\",{},{},{payload}]", quote(topic), quote(event)).into_bytes();
        Self { prefix, suffix }
    }

    pub fn heartbeat() -> Self {
        Self::new(None, "phoenix", "heartbeat", "{}")
    }

    /// The three pieces of the frame for `msg_ref` (digits from [`format_u64`]).
    pub fn parts<'a>(&'a self, digits: &'a [u8]) -> [&'a [u8]; 3] {
        [&self.prefix, digits, &self.suffix]
    }
}

/// The payload of a click event, as the browser sends it.
pub fn click_payload(event: &str, value_json: &str) -> Result<String, serde_json::Error> {
    let value: serde_json::Value = serde_json::from_str(value_json)?;
    Ok(serde_json::json!({"type": "click", "event": event, "value": value}).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_a_reply() {
        let f = br#"["4","8","lv:phx-GBsi6M7pi9g6AAk","phx_reply",{"status":"ok","response":{"diff":{"0":"1"}}}]"#;
        let h = scan(f).unwrap();
        assert_eq!(h.join_ref.text, Some(&b"4"[..]));
        assert_eq!(h.ref_number(), Some(8));
        assert_eq!(h.topic.text, Some(&b"lv:phx-GBsi6M7pi9g6AAk"[..]));
        assert!(h.is("phx_reply"));
        assert_eq!(h.payload, br#"{"status":"ok","response":{"diff":{"0":"1"}}}"#);
        assert_eq!(reply_status(h.payload), Status::Ok);
    }

    #[test]
    fn scans_nulls_spaces_and_pushes() {
        let f = b" [ null , null ,\"lv:x\", \"diff\" , {\"0\": \"a]b\"} ] ";
        let h = scan(f).unwrap();
        assert_eq!(h.join_ref, Token { raw: b"null", text: None });
        assert_eq!(h.ref_number(), None);
        assert!(h.is("diff"));
        assert_eq!(h.payload, b"{\"0\": \"a]b\"}");
        let heartbeat = br#"[null,"23","phoenix","phx_reply",{"status":"ok","response":{}}]"#;
        assert_eq!(scan(heartbeat).unwrap().ref_number(), Some(23));
    }

    #[test]
    fn escapes_in_strings_do_not_end_them() {
        let f = br#"["1","2","lv:a\"b","phx_reply",{"response":{"status":"error"},"status":"ok"}]"#;
        let h = scan(f).unwrap();
        assert_eq!(h.topic.raw, br#""lv:a\"b""#);
        // Only the top-level status counts, whatever the key order (LiveViewJS puts response first).
        assert_eq!(reply_status(h.payload), Status::Ok);
    }

    #[test]
    fn rejects_what_is_not_a_frame() {
        for bad in [&b""[..], b"{}", b"[1,2]", b"[\"1\",\"2\",\"t\",\"e\"]", b"[\"1\",\"2\",null,\"e\",{}]", b"[\"1"] {
            assert_eq!(scan(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn statuses() {
        assert_eq!(reply_status(br#"{"status":"error","response":{"reason":"stale"}}"#), Status::Error);
        assert_eq!(reply_status(br#"{ "response" : {"a":[1,{"status":"ok"}]} , "status" : "error" }"#), Status::Error);
        assert_eq!(reply_status(br#"{"response":{}}"#), Status::Other);
        assert_eq!(reply_status(b"not json"), Status::Other);
        assert_eq!(top_level_value(br#"{"a":1,"b":[2,"]"],"c":true}"#, b"c"), Some(&b"true"[..]));
    }

    #[test]
    fn numbers_round_trip() {
        let mut buf = [0; 20];
        for v in [0, 7, 10, 12345, u64::MAX] {
            assert_eq!(parse_u64(format_u64(v, &mut buf)), Some(v));
        }
        assert_eq!(parse_u64(b"12a"), None);
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_u64(b"18446744073709551616"), None);
    }

    #[test]
    fn templates_splice_the_ref() {
        let payload = click_payload("inc", "{}").unwrap();
        let t = Template::new(Some("1"), "lv:phx-\"x", "event", &payload);
        let mut buf = [0; 20];
        let frame = t.parts(format_u64(42, &mut buf)).concat();
        let v: serde_json::Value = serde_json::from_slice(&frame).unwrap();
        assert_eq!(
            v,
            serde_json::json!(["1", "42", "lv:phx-\"x", "event", {"type": "click", "event": "inc", "value": {}}])
        );
        let hb = Template::heartbeat().parts(b"7").concat();
        assert_eq!(hb, br#"[null,"7","phoenix","heartbeat",{}]"#);
    }
}
