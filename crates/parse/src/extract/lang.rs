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
    let cjk = text
        .chars()
        .filter(|c| matches!(*c as u32, 0x3040..=0x30FF | 0x4E00..=0x9FFF))
        .count();
    let mut counts = [0usize; 8];
    let mut total = 0;
    // One lookup per word in a table of every language's words (a word such
    // as "una" counts for several), lower-cased into one reused buffer: this
    // ran on every word of every document, and a scan of eight lists with a
    // fresh String per word was 6% of a parse.
    let mut lower = String::new();
    for w in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .take(20_000)
    {
        total += 1;
        if w.len() > LONGEST {
            continue;
        }
        lower.clear();
        if w.is_ascii() {
            lower.push_str(w);
            lower.make_ascii_lowercase();
        } else {
            lower.extend(w.chars().flat_map(char::to_lowercase));
        }
        if let Some(&langs) = TABLE.get(lower.as_str()) {
            for (i, n) in counts.iter_mut().enumerate() {
                if langs & (1 << i) != 0 {
                    *n += 1;
                }
            }
        }
    }
    if cjk > 50 && cjk * 2 > total {
        return Some("ja".into());
    }
    let (best, n) = counts.iter().enumerate().max_by_key(|(_, n)| **n)?;
    (*n >= 3).then(|| WORDS[best].0.to_string())
}

/// Each common word with the languages (bits, in `WORDS` order) it belongs to.
static TABLE: std::sync::LazyLock<std::collections::HashMap<&'static str, u8>> =
    std::sync::LazyLock::new(|| {
        let mut t = std::collections::HashMap::new();
        for (i, (_, words)) in WORDS.iter().enumerate() {
            for w in *words {
                *t.entry(*w).or_insert(0u8) |= 1 << i;
            }
        }
        t
    });

/// Bytes in the longest common word; longer words need no lookup.
const LONGEST: usize = {
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
    }
}
