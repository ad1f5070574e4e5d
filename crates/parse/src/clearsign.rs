//! The text inside an OpenPGP clear-signed message.
//!
//! Only the signed text is ever parsed: content before the armour header or
//! after the signature is not covered by the signature, and a document that
//! hides its "real" contact details there must not be believed. Such content
//! is reported instead.

const BEGIN: &str = "-----BEGIN PGP SIGNED MESSAGE-----";
const SIG: &str = "-----BEGIN PGP SIGNATURE-----";
const END: &str = "-----END PGP SIGNATURE-----";

/// Whether a line opens (`BEGIN PGP`) or closes (`END PGP`) an armoured
/// block whose body is not text (a key, a signature), allowing the doubled
/// space some converters leave. The header of a clear-signed message opens
/// no such block: what follows it is the document. One search for the word
/// most lines lack comes first: this runs on every line.
pub(crate) fn armor_marks(line: &str) -> (bool, bool) {
    if !line.contains("PGP") {
        return (false, false);
    }
    let begin = (line.contains("BEGIN PGP") || line.contains("BEGIN  PGP"))
        && !line.contains("SIGNED MESSAGE");
    let end = line.contains("END PGP") || line.contains("END  PGP");
    (begin, end)
}

/// What is wrong with a clear-signed message's armour, when something is:
/// the text is then read as unsigned text, never dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// The header is not `-----BEGIN PGP SIGNED MESSAGE-----` exactly
    /// (four dashes, a missing one).
    Header,
    /// No signature block follows the message.
    NoSignature,
}

/// The signed part of a clear-signed message.
#[derive(Debug, PartialEq, Eq)]
pub struct ClearSigned {
    /// The signed text with dash-escaping undone.
    pub text: String,
    /// Non-blank text before the armour header.
    pub before: bool,
    /// Non-blank text after the signature block.
    pub after: bool,
    /// 1-based line of the armour header in the input.
    pub line: usize,
    /// Damaged armour: no signature can cover this text.
    pub damage: Option<Damage>,
}

/// Where the armour header is: its start, its end, and whether it is the
/// exact header. A damaged one still names `BEGIN PGP SIGNED MESSAGE`.
fn header(text: &str) -> Option<(usize, usize, bool)> {
    if let Some(start) = text.find(BEGIN) {
        return Some((start, start + BEGIN.len(), true));
    }
    let name = text.find("BEGIN PGP SIGNED MESSAGE")?;
    let start = text[..name].trim_end_matches('-').len();
    let after = name + "BEGIN PGP SIGNED MESSAGE".len();
    let end = after + (text[after..].len() - text[after..].trim_start_matches('-').len());
    Some((start, end, false))
}

/// Finds a clear-signed message in `text`, if there is one.
pub fn extract(text: &str) -> Option<ClearSigned> {
    let (start, header_end, exact) = header(text)?;
    let line = text[..start].matches('\n').count() + 1;
    let before = !text[..start].trim().is_empty();
    let rest = &text[header_end..];
    let sig = rest.find(SIG);
    let sig_at = sig.unwrap_or(rest.len());
    let signed = &rest[..sig_at];
    let after = match rest[sig_at..].find(END) {
        Some(e) => !rest[sig_at + e + END.len()..].trim().is_empty(),
        None => false,
    };
    let damage = match (exact, sig) {
        (false, _) => Some(Damage::Header),
        (true, None) => Some(Damage::NoSignature),
        _ => None,
    };
    let body = if signed.starts_with('\n') {
        skip_headers(signed)
    } else {
        skip_inline_headers(signed)
    };
    // Unsigned text is read whole: what came before the header is as much
    // the document as what came after.
    let mut out = String::with_capacity(body.len());
    if damage.is_some() && before {
        out.push_str(&text[..start]);
        out.push('\n');
    }
    for l in body.split('\n') {
        out.push_str(l.strip_prefix("- ").unwrap_or(l));
        out.push('\n');
    }
    Some(ClearSigned {
        text: out,
        before: before && damage.is_none(),
        after,
        line,
        damage,
    })
}

/// Armour headers (`Hash: SHA256`) run up to the first blank line.
fn skip_headers(s: &str) -> &str {
    let s = &s[1..];
    match s.find("\n\n") {
        Some(i) if s[..i].lines().all(|l| l.contains(':')) => &s[i + 2..],
        _ if s.starts_with('\n') => &s[1..],
        _ => s,
    }
}

/// A message flattened onto one line: `... MESSAGE----- Hash: SHA256 text`.
fn skip_inline_headers(s: &str) -> &str {
    let t = s.trim_start();
    if let Some(rest) = t.strip_prefix("Hash:") {
        let rest = rest.trim_start();
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        return rest[end..].trim_start();
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_text_only() {
        let m = "evil: x@evil.example\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n1. Doc\n- -- dashed\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\nmore\n";
        let c = extract(m).unwrap();
        assert_eq!(c.text, "1. Doc\n-- dashed\n\n");
        assert!(c.before && c.after);
        assert_eq!(c.line, 2);
    }

    #[test]
    fn flattened_on_one_line() {
        let c = extract("x -----BEGIN PGP SIGNED MESSAGE----- Hash: SHA256 CSIRT RFC2350 1. About -----BEGIN PGP SIGNATURE----- x -----END PGP SIGNATURE-----").unwrap();
        assert_eq!(c.text.trim(), "CSIRT RFC2350 1. About");
    }

    #[test]
    fn damaged_or_truncated_armour_keeps_the_text() {
        let c = extract(
            "Title\n\n----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n1. Doc\n- -- dashed\n",
        )
        .unwrap();
        assert_eq!(c.damage, Some(Damage::Header));
        assert_eq!(c.text, "Title\n\n\n1. Doc\n-- dashed\n\n");
        assert!(!c.before);
        let c = extract("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n1. Doc\n").unwrap();
        assert_eq!(c.damage, Some(Damage::NoSignature));
        assert_eq!(c.text.trim(), "1. Doc");
        assert_eq!(
            armor_marks("-----BEGIN PGP SIGNED MESSAGE-----"),
            (false, false)
        );
    }

    #[test]
    fn no_message() {
        assert!(extract("1. Document information").is_none());
    }
}
