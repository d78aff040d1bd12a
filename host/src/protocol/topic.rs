//! Channel topics.

/// A parsed channel topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topic<'a> {
    /// `phoenix`: socket-level messages such as heartbeats.
    Phoenix,
    /// `lv:<container id>`: a LiveView channel. The id may be empty (`lv:`), which the client
    /// uses when it leaves the "dead view" bound to `<body>`.
    LiveView(&'a str),
    /// `lvu:<entry ref>`: an upload channel.
    Upload(&'a str),
    /// Anything else.
    Other(&'a str),
}

impl<'a> Topic<'a> {
    pub fn parse(topic: &'a str) -> Self {
        if topic == "phoenix" {
            Topic::Phoenix
        } else if let Some(id) = topic.strip_prefix("lv:") {
            Topic::LiveView(id)
        } else if let Some(entry) = topic.strip_prefix("lvu:") {
            Topic::Upload(entry)
        } else {
            Topic::Other(topic)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Topic;

    #[test]
    fn parses_every_kind() {
        assert_eq!(Topic::parse("phoenix"), Topic::Phoenix);
        assert_eq!(Topic::parse("lv:phx-1"), Topic::LiveView("phx-1"));
        assert_eq!(Topic::parse("lv:"), Topic::LiveView(""));
        assert_eq!(Topic::parse("lvu:0"), Topic::Upload("0"));
        assert_eq!(Topic::parse("room:1"), Topic::Other("room:1"));
    }
}
