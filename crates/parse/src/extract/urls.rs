//! URLs and the location claims documents make.

use std::sync::LazyLock;

use regex::Regex;

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\b(?:https?|ftp)://[^\s<>"'`]+"#).expect("valid regex"));
static BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:www\.)[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[^\s<>"'`]*)?"#)
        .expect("valid regex")
});

/// A URL or URL-like claim found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// As written, without trailing punctuation.
    pub text: String,
    /// Whether it is a well-formed absolute http(s) URL.
    pub is_url: bool,
}

/// URLs in text with trailing punctuation removed, in order, no duplicates.
pub fn urls(text: &str) -> Vec<String> {
    claims(text)
        .into_iter()
        .filter(|c| c.is_url)
        .map(|c| c.text)
        .collect()
}

/// URLs and scheme-less host names (`www.example.org/rfc2350.html`).
pub fn claims(text: &str) -> Vec<Claim> {
    let mut out: Vec<Claim> = Vec::new();
    let mut covered: Vec<(usize, usize)> = Vec::new();
    // Most section texts hold no URL: two substring searches say so before
    // either pattern runs.
    let schemes = text.contains("://");
    let bare = text
        .match_indices('.')
        .any(|(i, _)| i >= 3 && text.as_bytes()[i - 3..i].eq_ignore_ascii_case(b"www"));
    if !schemes && !bare {
        return out;
    }
    for m in schemes.then(|| URL.find_iter(text)).into_iter().flatten() {
        let t = trim_url(m.as_str());
        covered.push((m.start(), m.end()));
        let is_url = well_formed(t);
        if !out.iter().any(|c| c.text == t) {
            out.push(Claim {
                text: t.to_string(),
                is_url,
            });
        }
    }
    for m in bare.then(|| BARE.find_iter(text)).into_iter().flatten() {
        if covered
            .iter()
            .any(|&(a, b)| m.start() >= a && m.start() < b)
        {
            continue;
        }
        let t = trim_url(m.as_str());
        if !out.iter().any(|c| c.text == t) {
            out.push(Claim {
                text: t.to_string(),
                is_url: false,
            });
        }
    }
    out
}

fn trim_url(u: &str) -> &str {
    let mut u = u.trim_end_matches(['.', ',', ';', ':', '!', '?', '*']);
    // A closing bracket belongs to the URL only when it opened inside it.
    while let Some(last) = u.chars().last() {
        let open = match last {
            ')' => '(',
            ']' => '[',
            '}' => '{',
            _ => break,
        };
        if u.matches(open).count() >= u.matches(last).count() {
            break;
        }
        u = u[..u.len() - 1].trim_end_matches(['.', ',', ';', ':']);
    }
    u
}

fn well_formed(u: &str) -> bool {
    let rest = u.split_once("://").map(|(_, r)| r).unwrap_or("");
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    !host.is_empty()
        && host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && !u.contains('[')
}

/// Whether a URL names a detached signature.
pub fn is_signature(u: &str) -> bool {
    let l = u.to_ascii_lowercase();
    l.ends_with(".asc") && !is_key(u)
        || l.ends_with(".sig")
        || l.ends_with(".sign")
        || l.ends_with(".p7s")
}

/// Whether a URL looks like it serves an OpenPGP key.
pub fn is_key(u: &str) -> bool {
    let l = u.to_ascii_lowercase();
    l.contains("pks/lookup")
        || l.contains("keys.openpgp.org")
        || l.contains("keyserver")
        || l.ends_with(".gpg")
        || l.ends_with(".key")
        || l.ends_with(".pgp")
        || (l.ends_with(".asc")
            && (l.contains("key") || l.contains("pgp") || l.contains("gpg") || l.contains("kunci")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_punctuation() {
        assert_eq!(
            urls("here: https://csirt.net.za/rfc2350.html, or https://csirt.net.za/rfc2350.txt."),
            [
                "https://csirt.net.za/rfc2350.html",
                "https://csirt.net.za/rfc2350.txt"
            ]
        );
        assert_eq!(
            urls("(see https://example.org/a)"),
            ["https://example.org/a"]
        );
        assert_eq!(
            urls("https://en.wikipedia.org/wiki/A_(b)"),
            ["https://en.wikipedia.org/wiki/A_(b)"]
        );
    }

    #[test]
    fn claims_that_are_not_urls() {
        let c = claims(
            "tersedia pada : https://csirt[at]ap1.co.id (versi) and www.aco.net/rfc2350.html",
        );
        assert_eq!(c.len(), 2);
        assert!(!c[0].is_url && !c[1].is_url);
    }

    #[test]
    fn key_and_signature_urls() {
        assert!(
            is_key("https://www.circl.lu/files/CIRCL.asc")
                || is_signature("https://www.circl.lu/files/CIRCL.asc")
        );
        assert!(is_key("https://csirt.example.org/publickey.asc"));
        assert!(is_signature("https://example.org/rfc2350.txt.asc"));
    }
}
