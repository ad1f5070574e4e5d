//! A best guess at the document language from common words.

const WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "of", "to", "is", "for", "this", "with", "are", "team",
        ],
    ),
    (
        "id",
        &[
            "dan", "yang", "untuk", "dengan", "ini", "dari", "pada", "dokumen", "tim", "adalah",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "et", "des", "du", "pour", "une", "est", "équipe",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "das", "und", "ist", "für", "mit", "von", "ein", "nicht",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "y", "para", "por", "una", "con", "equipo", "del",
        ],
    ),
    (
        "it",
        &[
            "il", "di", "che", "per", "gli", "della", "una", "sono", "con", "delle",
        ],
    ),
    (
        "nl",
        &[
            "het", "een", "van", "voor", "met", "zijn", "wordt", "niet", "ook", "deze",
        ],
    ),
    (
        "pt",
        &[
            "os", "as", "para", "uma", "com", "não", "equipe", "equipa", "dos", "das",
        ],
    ),
];

/// ISO 639-1 code of the most likely language, or `None` for too little text.
pub fn guess(text: &str) -> Option<String> {
    let mut counts = [0usize; 8];
    let mut total = 0;
    let mut cjk = 0;
    // One pass over the bytes: ASCII letters, nearly all of them, need no
    // char decoding; each word is looked up once in a table of every
    // language's words (a word such as "una" counts for several), by its
    // lower-cased bytes packed into an integer.
    let mut lower = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && total < 20_000 {
        // Skip to the next letter; ASCII non-letters need no decoding.
        if bytes[i].is_ascii() && !bytes[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_alphabetic() {
                i += 1;
                end = i;
                continue;
            }
            if b.is_ascii() {
                break;
            }
            let c = text[i..].chars().next().unwrap_or(' ');
            if matches!(c as u32, 0x3040..=0x30FF | 0x4E00..=0x9FFF) {
                cjk += 1;
            }
            i += c.len_utf8();
            if !c.is_alphabetic() {
                break;
            }
            end = i;
        }
        if end > start {
            total += 1;
            count_word(&text[start..end], &mut lower, &mut counts);
            // A clear lead decides: most of a long document need not be
            // read to know its language.
            if total % 64 == 0 && decided(&counts) {
                break;
            }
        }
    }
    if cjk > 50 && cjk * 2 > total {
        return Some("ja".into());
    }
    let (best, n) = counts.iter().enumerate().max_by_key(|(_, n)| **n)?;
    (*n >= 3).then(|| WORDS[best].0.to_string())
}

/// Whether one language leads every other by far, on enough words.
fn decided(counts: &[usize; 8]) -> bool {
    let mut sorted = *counts;
    sorted.sort_unstable();
    let (best, second) = (sorted[7], sorted[6]);
    best >= 40 && best >= 4 * second.max(1)
}

fn count_word(w: &str, lower: &mut String, counts: &mut [usize; 8]) {
    if w.len() > LONGEST {
        return;
    }
    let key = if w.is_ascii() {
        pack(w.bytes().map(|b| b.to_ascii_lowercase()))
    } else {
        lower.clear();
        lower.extend(w.chars().flat_map(char::to_lowercase));
        if lower.len() > 8 {
            return;
        }
        pack(lower.bytes())
    };
    if let Some(&langs) = TABLE.get(&key) {
        for (i, n) in counts.iter_mut().enumerate() {
            if langs & (1 << i) != 0 {
                *n += 1;
            }
        }
    }
}

/// Each common word with the languages (bits, in `WORDS` order) it belongs to.
static TABLE: std::sync::LazyLock<rustc_hash::FxHashMap<u64, u8>> =
    std::sync::LazyLock::new(|| {
        let mut t = rustc_hash::FxHashMap::default();
        for (i, (_, words)) in WORDS.iter().enumerate() {
            for w in *words {
                *t.entry(pack(w.bytes())).or_insert(0u8) |= 1 << i;
            }
        }
        t
    });

/// The bytes of a word of at most 8 bytes as one integer (the longest
/// common word is shorter, so no two table words share a key).
fn pack(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0, |k, b| k << 8 | u64::from(b))
}

/// Bytes in the longest common word; longer words need no lookup.
const LONGEST: usize = {
    assert!(LONGEST_WORD <= 8, "words must fit the packed key");
    LONGEST_WORD
};

const LONGEST_WORD: usize = {
    let (mut i, mut n) = (0, 0);
    while i < WORDS.len() {
        let l = crate::headings::longest(WORDS[i].1);
        if l > n {
            n = l;
        }
        i += 1;
    }
    n
};

#[cfg(test)]
mod tests {
    #[test]
    fn guesses() {
        assert_eq!(
            super::guess(
                "Dokumen ini berisi deskripsi tim dan layanan yang diberikan untuk konstituen"
            )
            .as_deref(),
            Some("id")
        );
        assert_eq!(
            super::guess(
                "This document describes the team and the services it offers to its constituency"
            )
            .as_deref(),
            Some("en")
        );
        assert_eq!(super::guess("x"), None);
        assert_eq!(
            super::guess(&"この文書はチームのサービスについて説明します。".repeat(5)).as_deref(),
            Some("ja")
        );
        assert_eq!(
            super::guess("L'équipe traite les incidents pour une constituency française.")
                .as_deref(),
            Some("fr")
        );
    }
}
