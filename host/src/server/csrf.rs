//! CSRF protection for the websocket: the page carries a token derived from a per-browser
//! cookie, and the handshake must present the token that matches its cookie (protocol
//! reference §1.4). A page from another origin cannot read the token, so it cannot open a
//! socket that acts as the user.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

use super::token::Signer;

/// The cookie holding the browser's CSRF secret.
pub const COOKIE_NAME: &str = "_liveplug_csrf";

const PURPOSE: &str = "liveplug csrf";

/// The browser's CSRF secret from its cookie, if it has one.
pub fn secret_from(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE_NAME).filter(|value| !value.is_empty() && value.len() <= 128)
}

/// The value of the request cookie `name`.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(cookie, _)| *cookie == name)
        .map(|(_, value)| value.to_owned())
}

/// A fresh secret for a browser that has none.
pub fn new_secret() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}

/// The `Set-Cookie` value that stores `secret`.
pub fn cookie(secret: &str) -> String {
    format!("{COOKIE_NAME}={secret}; Path=/; HttpOnly; SameSite=Lax")
}

/// The token the page embeds for `secret`.
pub fn token_for(signer: &Signer, secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(signer.mac(PURPOSE, secret.as_bytes()))
}

/// Whether `token` is the one issued for `secret`.
pub fn is_valid(signer: &Signer, secret: &str, token: &str) -> bool {
    let expected = token_for(signer, secret);
    expected.as_bytes().ct_eq(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_token_matches_only_its_secret() {
        let signer = Signer::new(&[3; 32]).expect("strong key");
        let token = token_for(&signer, "abc");
        assert!(is_valid(&signer, "abc", &token));
        assert!(!is_valid(&signer, "abd", &token));
        assert!(!is_valid(&signer, "abc", ""));
    }

    #[test]
    fn finds_the_secret_among_cookies() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; _liveplug_csrf=s3cret; b=2"));
        assert_eq!(secret_from(&headers).as_deref(), Some("s3cret"));
        assert_eq!(secret_from(&HeaderMap::new()), None);
    }
}
