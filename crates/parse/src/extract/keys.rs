//! Fingerprints and key IDs as documents state them: in groups of 4 or 2
//! hex digits, with or without `0x`, wrapped across lines, under a "Key ID"
//! label, or as a `Comment: Fingerprint:` armour header.

use std::sync::LazyLock;

use regex::Regex;

/// A hex value stated in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stated {
    /// 40 (v4) or 64 (v5/v6) hex digits, upper case.
    Fingerprint(String),
    /// 16 or 8 hex digits, upper case.
    KeyId(String),
    /// Hex next to a fingerprint label that is neither: a typo or truncation.
    Malformed(String),
}

/// A stated value and the 0-based line of `text` it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// What was stated.
    pub value: Stated,
    /// 0-based line within the text searched.
    pub line: usize,
}

// Written out in the cases documents use rather than with `(?i)`, so that
// the regex engine can find candidates with a literal prefilter: this runs
// over every document's whole text.
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:[Ff]inger\s?[Pp]rint|FINGER\s?PRINT|[Ff][Pp][Rr]|[Kk]ey\s?[Ii][Dd]|KEY\s?ID|[Kk]eyid|[Ss]idik [Jj]ari|SIDIK JARI|[Ee]mpreinte|EMPREINTE|[Ff]ingerabdruck|FINGERABDRUCK|[Hh]uella|HUELLA|[Ii]mpronta|IMPRONTA|[Vv]ingerafdruk|VINGERAFDRUK|[Ii]mpress[ãa]o [Dd]igital|IMPRESS[ÃA]O DIGITAL|キー\s?(?:ID|id)|フィンガープリント|指紋)").expect("valid regex")
});

/// A run of hex groups separated by spaces, colons or line breaks.
static RUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:0x\s?)?[0-9a-f]{2,64}(?:(?:[ \t:]+|\s*\n\s*)[0-9a-f]{2,64})*\b")
        .expect("valid regex")
});

/// Finds fingerprints and key IDs. `labelled_only` restricts the search to
/// runs on a line that carries a fingerprint or key-ID label (or the line
/// after it), which is how the rest of a document is searched.
pub fn find(text: &str, labelled_only: bool) -> Vec<Found> {
    if !labelled_only {
        return scan(text, false);
    }
    // Only the few lines around a label can hold a labelled value: scan
    // those windows instead of every hex-looking word of the document.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |pos: usize| line_starts.partition_point(|&s| s <= pos).saturating_sub(1);
    let mut out: Vec<Found> = Vec::new();
    let mut last_window = None;
    for m in LABEL.find_iter(text) {
        let line = line_of(m.start());
        if last_window == Some(line) {
            continue;
        }
        last_window = Some(line);
        let start = line_starts[line];
        let end = line_starts.get(line + 4).copied().unwrap_or(text.len());
        for mut f in scan(&text[start..end], true) {
            f.line += line;
            if !out.iter().any(|o| o.value == f.value) {
                out.push(f);
            }
        }
    }
    out
}

/// Scans all hex runs of `text`; with `labelled_only`, keeps those on or
/// just below a label.
fn scan(text: &str, labelled_only: bool) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |pos: usize| line_starts.partition_point(|&s| s <= pos).saturating_sub(1);
    for m in RUN.find_iter(text) {
        // Fewer than 8 characters cannot hold a key ID, let alone a
        // fingerprint; such runs ("2020", "be", "add") are most of them and
        // need no label looked up.
        if m.len() < 8 {
            continue;
        }
        let line = line_of(m.start());
        let line_text =
            &text[line_starts[line]..line_starts.get(line + 1).copied().unwrap_or(text.len())];
        // The nearest non-blank line above, for labels that end a line.
        let prev_text = (0..line)
            .rev()
            .map(|p| &text[line_starts[p]..line_starts[p + 1]])
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let label = label_of(line_text).or_else(|| trailing_label(prev_text));
        if labelled_only && label.is_none() {
            continue;
        }
        for value in classify_run(m.as_str(), label) {
            if !out.iter().any(|f| f.value == value) {
                out.push(Found { value, line });
            }
        }
    }
    out
}

/// What a line says the hex next to it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Fingerprint,
    KeyId,
}

fn label_of(line: &str) -> Option<Label> {
    let m = LABEL.find(line)?;
    let word = m.as_str().to_lowercase();
    let is_id = word.contains("id")
        && !line.to_lowercase().contains("finger")
        && !line.to_lowercase().contains("fpr");
    Some(if is_id {
        Label::KeyId
    } else {
        Label::Fingerprint
    })
}

/// A label that ends the previous line ("... whose fingerprint is").
fn trailing_label(line: &str) -> Option<Label> {
    let t = line.trim_end();
    let m = LABEL.find_iter(t).last()?;
    (t.len() - m.end() <= 12)
        .then(|| label_of(&t[m.start()..]))
        .flatten()
}

/// Reads one run: whole-run values first, then aligned windows of groups.
fn classify_run(run: &str, label: Option<Label>) -> Vec<Stated> {
    let groups: Vec<String> = run
        .split(|c: char| c.is_whitespace() || c == ':')
        .filter(|g| !g.is_empty())
        .map(|g| {
            g.trim_start_matches("0x")
                .trim_start_matches("0X")
                .to_ascii_uppercase()
        })
        .filter(|g| !g.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let mut found = None;
        // The longest aligned window of groups that makes 64 or 40 digits.
        let mut len = 0;
        for (j, g) in groups.iter().enumerate().skip(i) {
            len += g.len();
            if (len == 64 || len == 40)
                && has_letter_and_digit(&groups[i..=j])
                && uniform(&groups[i..=j])
            {
                found = Some((j, len));
                if len == 64 {
                    break;
                }
            }
            if len > 64 {
                break;
            }
        }
        if let Some((j, _)) = found {
            out.push(Stated::Fingerprint(groups[i..=j].concat()));
            i = j + 1;
            continue;
        }
        let whole: usize = groups.iter().map(|g| g.len()).sum();
        let key_ids_here = match label {
            Some(Label::KeyId) => true,
            // Under a fingerprint label, hex of the wrong length is a
            // damaged fingerprint, never two key IDs.
            Some(Label::Fingerprint) => whole == 16 || whole == 8,
            None => false,
        };
        if key_ids_here {
            let mut len = 0;
            let mut key_id = None;
            for (j, g) in groups.iter().enumerate().skip(i) {
                len += g.len();
                if (len == 16 || (len == 8 && j == i))
                    && uniform(&groups[i..=j])
                    && has_hex_shape(&groups[i..=j])
                {
                    key_id = Some(j);
                }
                if len >= 16 {
                    break;
                }
            }
            if let Some(j) = key_id {
                out.push(Stated::KeyId(groups[i..=j].concat()));
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    if out.is_empty() && label == Some(Label::Fingerprint) {
        let all: String = groups.concat();
        if all.len() >= 24
            && all.len() != 40
            && all.len() != 64
            && groups.iter().all(|g| g.len() <= 8 || g.len() >= 24)
        {
            out.push(Stated::Malformed(all));
        }
    }
    out
}

/// Fingerprints are written in equal groups (4 or 2 digits) or as one run.
fn uniform(groups: &[String]) -> bool {
    if groups.len() == 1 {
        return true;
    }
    let body = &groups[..groups.len() - 1];
    let w = groups[0].len();
    (w == 4 || w == 2 || w == 8)
        && body.iter().all(|g| g.len() == w)
        && groups[groups.len() - 1].len() <= w
}

fn has_letter_and_digit(groups: &[String]) -> bool {
    let s: String = groups.concat();
    s.chars().any(|c| c.is_ascii_digit()) && s.chars().any(|c| c.is_ascii_alphabetic())
}

fn has_hex_shape(groups: &[String]) -> bool {
    let s: String = groups.concat();
    s.chars().any(|c| c.is_ascii_digit()) && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// Whether the text holds an OpenPGP private key block, even with its
/// dashes mangled by a word processor.
pub fn has_private_key(text: &str) -> bool {
    text.contains("PRIVATE KEY BLOCK") || text.contains("SECRET KEY BLOCK")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fprs(s: &str) -> Vec<Stated> {
        find(s, false).into_iter().map(|f| f.value).collect()
    }

    #[test]
    fn grouped_wrapped_prefixed() {
        let want = Stated::Fingerprint("CA572205C0024E06BA70BE89EAADCFFC22BD4CD5".into());
        assert_eq!(
            fprs("fingerprint is: CA57 2205 C002 4E06 BA70 BE89 EAAD CFFC 22BD 4CD5"),
            std::slice::from_ref(&want)
        );
        assert_eq!(
            fprs("Fingerprint: CA57 2205 C002 4E06 BA70\n  BE89 EAAD CFFC 22BD 4CD5"),
            std::slice::from_ref(&want)
        );
        assert_eq!(
            fprs("0xCA572205C0024E06BA70BE89EAADCFFC22BD4CD5"),
            std::slice::from_ref(&want)
        );
        assert_eq!(
            fprs("CA:57:22:05:C0:02:4E:06:BA:70:BE:89:EA:AD:CF:FC:22:BD:4C:D5"),
            [want]
        );
    }

    #[test]
    fn v5_fingerprint_over_two_lines() {
        let s = "Fingerprint: 96BE 460A 871D 97F0 BDD6 76A1 4DA3 D7CF 695A 5AE6 8832\n77FF D054 805F 4622 04D5";
        assert_eq!(
            fprs(s),
            [Stated::Fingerprint(
                "96BE460A871D97F0BDD676A14DA3D7CF695A5AE6883277FFD054805F462204D5".into()
            )]
        );
    }

    #[test]
    fn key_ids() {
        assert_eq!(
            fprs("Key ID: 0x 96BE460A871D97F0"),
            [Stated::KeyId("96BE460A871D97F0".into())]
        );
        assert_eq!(
            fprs("Key ID : 7BFF 3F47 0CBA 01B2"),
            [Stated::KeyId("7BFF3F470CBA01B2".into())]
        );
        assert_eq!(
            fprs("KeyID is 0x22BD4CD5"),
            [Stated::KeyId("22BD4CD5".into())]
        );
    }

    #[test]
    fn malformed_is_not_a_value() {
        assert_eq!(
            fprs("Fingerprint: CA57 2205 C002 4E06 BA70 BE89 EAAD CFFC 22BD 4CD"),
            [Stated::Malformed(
                "CA572205C0024E06BA70BE89EAADCFFC22BD4CD".into()
            )]
        );
    }

    #[test]
    fn pgp2_fingerprint_under_a_label_on_the_line_before() {
        let s = "whose KeyID is 12345678 and whose\nfingerprint is\n\n  11 22 33 44 55 66 77 88  88 77 66 55 44 33 22 11\n";
        assert!(
            fprs(s).contains(&Stated::Malformed(
                "11223344556677888877665544332211".into()
            )),
            "{:?}",
            fprs(s)
        );
    }

    #[test]
    fn years_and_words_do_not_join() {
        assert!(fprs("published 2010 and 2011, added").is_empty());
    }
}
