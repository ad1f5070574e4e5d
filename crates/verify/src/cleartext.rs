//! The Cleartext Signature Framework (RFC 9580, section 7), read strictly.
//!
//! The split is done here rather than by a streaming verifier so that the
//! caller gets, from one place, exactly the text the signature covers (to
//! hand to the parser) and a note of anything outside it. Text before the
//! `BEGIN PGP SIGNED MESSAGE` line or after the signature is a known way to
//! fool naive tools: it is never treated as signed.

/// A clear-signed message taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearSigned {
    /// The signed text as a reader sees it: dash-escaping undone, lines
    /// joined with `\n`, ending with `\n`.
    pub text: String,
    /// What the signature is computed over: dash-escaping undone, trailing
    /// spaces and tabs removed, lines joined with CRLF, no final line break.
    pub hashed: Vec<u8>,
    /// The armoured signature block.
    pub signature: String,
    /// Non-blank content before the `BEGIN PGP SIGNED MESSAGE` line.
    pub content_before: bool,
    /// Non-blank content after the `END PGP SIGNATURE` line.
    pub content_after: bool,
    /// 1-based line of the `BEGIN PGP SIGNED MESSAGE` line.
    pub line: usize,
}

/// Why a clear-signed message could not be taken apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The signed text never reaches a `BEGIN PGP SIGNATURE` line.
    #[error("the clear-signed message has no BEGIN PGP SIGNATURE line")]
    NoSignature,
    /// The signature block never ends.
    #[error("the signature block has no END PGP SIGNATURE line (truncated?)")]
    Unterminated,
}

const BEGIN: &str = "-----BEGIN PGP SIGNED MESSAGE-----";
const SIG_BEGIN: &str = "-----BEGIN PGP SIGNATURE-----";
const SIG_END: &str = "-----END PGP SIGNATURE-----";

/// Whether `doc` holds a clear-signed message at all.
pub fn is_clearsigned(doc: &[u8]) -> bool {
    lines(doc).any(|l| l.trim_end() == BEGIN.as_bytes())
}

/// Takes apart the first clear-signed message in `doc`; `None` if there is
/// none.
pub fn split(doc: &[u8]) -> Option<Result<ClearSigned, Error>> {
    let all: Vec<&[u8]> = lines(doc).collect();
    let start = all.iter().position(|l| l.trim_end() == BEGIN.as_bytes())?;
    let content_before = all[..start].iter().any(|l| !is_blank(l));
    // Armour headers (`Hash: SHA256`) run up to the first empty line.
    let mut i = start + 1;
    while i < all.len() && !is_blank(all[i]) {
        i += 1;
    }
    i += 1;
    let Some(sig_at) = all
        .iter()
        .skip(i)
        .position(|l| l.trim_end() == SIG_BEGIN.as_bytes())
        .map(|p| p + i)
    else {
        return Some(Err(Error::NoSignature));
    };
    let Some(end_at) = all
        .iter()
        .skip(sig_at)
        .position(|l| l.trim_end() == SIG_END.as_bytes())
        .map(|p| p + sig_at)
    else {
        return Some(Err(Error::Unterminated));
    };
    let body = &all[i.min(sig_at)..sig_at];
    let mut text = String::new();
    let mut hashed = Vec::new();
    for (k, l) in body.iter().enumerate() {
        let l = l.strip_prefix(b"- ").unwrap_or(l);
        text.push_str(&String::from_utf8_lossy(l));
        text.push('\n');
        if k > 0 {
            hashed.extend_from_slice(b"\r\n");
        }
        let keep = l
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(0, |p| p + 1);
        hashed.extend_from_slice(&l[..keep]);
    }
    let mut signature = String::new();
    for l in &all[sig_at..=end_at] {
        signature.push_str(&String::from_utf8_lossy(l));
        signature.push('\n');
    }
    Some(Ok(ClearSigned {
        text,
        hashed,
        signature,
        content_before,
        content_after: all[end_at + 1..].iter().any(|l| !is_blank(l)),
        line: start + 1,
    }))
}

/// Lines without their terminator (`\n`, with a `\r` before it removed).
fn lines(doc: &[u8]) -> impl Iterator<Item = &[u8]> {
    doc.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

fn is_blank(l: &[u8]) -> bool {
    l.iter().all(|b| b.is_ascii_whitespace())
}

trait TrimEnd {
    fn trim_end(&self) -> &[u8];
}

impl TrimEnd for [u8] {
    fn trim_end(&self) -> &[u8] {
        let end = self
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        &self[..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &str = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nline one  \n- -- dashed\n\n-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n";

    #[test]
    fn splits_and_canonicalises() {
        let c = split(MSG.as_bytes()).unwrap().unwrap();
        assert_eq!(c.text, "line one  \n-- dashed\n\n");
        assert_eq!(c.hashed, b"line one\r\n-- dashed\r\n");
        assert!(c.signature.starts_with(SIG_BEGIN));
        assert!(!c.content_before && !c.content_after);
    }

    #[test]
    fn crlf_input_hashes_the_same() {
        let crlf = MSG.replace('\n', "\r\n");
        let a = split(MSG.as_bytes()).unwrap().unwrap();
        let b = split(crlf.as_bytes()).unwrap().unwrap();
        assert_eq!(a.hashed, b.hashed);
    }

    #[test]
    fn content_outside_is_flagged() {
        let m = format!("Call us: +1 555 0100\n{MSG}P.S. real e-mail: evil@example.org\n");
        let c = split(m.as_bytes()).unwrap().unwrap();
        assert!(c.content_before && c.content_after);
        assert!(!c.text.contains("evil"));
        assert_eq!(c.line, 2);
    }

    #[test]
    fn truncated_messages_are_errors() {
        let cut = &MSG[..MSG.find("-----END").unwrap()];
        assert_eq!(split(cut.as_bytes()), Some(Err(Error::Unterminated)));
        let cut = &MSG[..MSG.find("-----BEGIN PGP SIGNATURE").unwrap()];
        assert_eq!(split(cut.as_bytes()), Some(Err(Error::NoSignature)));
        assert_eq!(split(b"plain"), None);
    }
}
