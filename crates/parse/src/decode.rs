//! Bytes to text: byte-order marks, UTF-16, UTF-8, and the Windows-1252
//! fallback that old team pages are still written in.

use encoding_rs::{UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// Text decoded from bytes, and whether a fallback encoding was needed.
pub struct Decoded {
    /// The text with line ends normalised to `\n`.
    pub text: String,
    /// `Some(name)` when the bytes were not valid UTF-8 and another
    /// encoding was used.
    pub fallback: Option<&'static str>,
}

/// Decodes bytes, honouring a BOM, and normalises CRLF and CR to LF.
pub fn decode(bytes: &[u8]) -> Decoded {
    let (text, fallback) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (UTF_8.decode_without_bom_handling(rest).0, None)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (UTF_16LE.decode_without_bom_handling(rest).0, None)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (UTF_16BE.decode_without_bom_handling(rest).0, None)
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => (std::borrow::Cow::Borrowed(s), None),
            Err(_) => (
                WINDOWS_1252.decode_without_bom_handling(bytes).0,
                Some("windows-1252"),
            ),
        }
    };
    Decoded {
        text: normalise_newlines(&text),
        fallback,
    }
}

/// CRLF and lone CR become LF; NUL and other C0 controls except tab, newline
/// and form feed become spaces so that nothing downstream trips on them.
pub fn normalise_newlines(s: &str) -> String {
    // Most documents need no change at all: a byte scan (no char decoding)
    // says so, and a copy is all that is left to do.
    // Chunks folded without an early exit inside compile to vector code.
    let odd = |b: u8| (b < 0x20 && !matches!(b, b'\n' | b'\t' | 0x0C)) || b == 0x7F;
    let plain = s
        .as_bytes()
        .chunks(64)
        .all(|c| !c.iter().fold(false, |acc, &b| acc | odd(b)));
    // One-character searches each run on memchr; a set of characters
    // would decode every character.
    if plain && !s.contains('\u{2028}') && !s.contains('\u{2029}') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\t' | '\x0C' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7F}' => out.push(' '),
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "Zona Waktu\r\nWIB".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(&b);
        assert_eq!(d.text, "Zona Waktu\nWIB");
        assert!(d.fallback.is_none());
    }

    #[test]
    fn latin1_falls_back() {
        let d = decode(b"Qu\xe9bec\rMontr\xe9al");
        assert_eq!(d.text, "Québec\nMontréal");
        assert_eq!(d.fallback, Some("windows-1252"));
    }

    #[test]
    fn utf8_bom_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBF1. Document").text, "1. Document");
    }
}
