//! The query language of `csirt-find`, parsed into clauses.
//!
//! - free words: `ransomware Luxembourg`
//! - `field: words` scopes the words after it until the next field, with or
//!   without a space after the colon: `constituency: universities Quebec`,
//!   `constituency:universities name: XYZ`
//! - fields: `name`, `constituency`, `mission`, `sponsor`, `authority`,
//!   `services`, `email`, `phone`, `country`, `key`, `lang`, `text`
//! - filters: `signed:yes|no|bad`, `stale:yes|no`, `updated:>2023-01-01`,
//!   `updated:<2020`, `country:LU`
//! - `"quoted phrases"`, `-word` to exclude
//!
//! A query that cannot be read gives a [`QueryError`] pointing at the
//! offending token.

/// Where words are looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every text field, the team name boosted.
    All,
    /// Team name and short name.
    Name,
    /// Charter: constituency.
    Constituency,
    /// Charter: mission.
    Mission,
    /// Charter: sponsorship.
    Sponsor,
    /// Charter: authority.
    Authority,
    /// Services.
    Services,
    /// E-mail addresses and their domains (exact).
    Email,
    /// Telephone and fax numbers.
    Phone,
    /// Country code and name.
    Country,
    /// Fingerprints and key IDs (exact).
    Key,
    /// Document language (ISO 639-1).
    Lang,
    /// Everything in the document.
    Text,
}

impl Scope {
    /// The field names a user may type, with what they mean.
    pub const NAMES: [(&'static str, Scope); 12] = [
        ("name", Scope::Name),
        ("constituency", Scope::Constituency),
        ("mission", Scope::Mission),
        ("sponsor", Scope::Sponsor),
        ("authority", Scope::Authority),
        ("services", Scope::Services),
        ("email", Scope::Email),
        ("phone", Scope::Phone),
        ("country", Scope::Country),
        ("key", Scope::Key),
        ("lang", Scope::Lang),
        ("text", Scope::Text),
    ];

    fn from_name(s: &str) -> Option<Scope> {
        let s = s.to_ascii_lowercase();
        let alias = match s.as_str() {
            "sponsorship" => "sponsor",
            "service" => "services",
            "mail" | "e-mail" => "email",
            "tel" | "telephone" => "phone",
            "fingerprint" | "fpr" => "key",
            "language" => "lang",
            other => other,
        };
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == alias)
            .map(|(_, s)| *s)
    }
}

pub use csirt_verify::Signed;

/// A comparison for `updated:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// Strictly after.
    After,
    /// Strictly before.
    Before,
    /// On that day, month or year.
    Within,
}

/// One part of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// A word to look for.
    Word(Scope, String),
    /// Words that must appear together, in order.
    Phrase(Scope, Vec<String>),
    /// A word that must not appear.
    Exclude(Scope, String),
    /// Keep only teams in this signature state.
    Signed(Signed),
    /// Keep only stale (or fresh) teams.
    Stale(bool),
    /// Keep only teams last updated before/after a date; the range is
    /// `[from, to)` as `YYYYMMDD` numbers.
    Updated(Cmp, u32, u32),
    /// Keep only teams in this country (ISO 3166-1 alpha-2).
    Country(String),
}

/// A query that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {position}: {token:?})")]
pub struct QueryError {
    /// 0-based character offset of the offending token.
    pub position: usize,
    /// The token.
    pub token: String,
    /// What is wrong, and what would be right.
    pub message: String,
}

impl QueryError {
    /// The query with a caret under the offending token, for a terminal.
    pub fn pointer(&self, query: &str) -> String {
        let width = self.token.chars().count().max(1);
        format!(
            "{query}\n{}{}",
            " ".repeat(self.position),
            "^".repeat(width)
        )
    }
}

/// Longest query accepted, in characters.
pub const MAX_LEN: usize = 1000;

/// Parses a query into clauses.
pub fn parse(q: &str) -> Result<Vec<Clause>, QueryError> {
    if q.chars().count() > MAX_LEN {
        return Err(QueryError {
            position: MAX_LEN,
            token: String::new(),
            message: format!("the query is longer than {MAX_LEN} characters"),
        });
    }
    let mut clauses = Vec::new();
    let mut scope = Scope::All;
    for (pos, tok) in tokens(q)? {
        let err = |message: String| QueryError {
            position: pos,
            token: tok.clone(),
            message,
        };
        // `-word`, `-"a phrase"`.
        if let Some(rest) = tok.strip_prefix('-') {
            if rest.is_empty() {
                return Err(err(
                    "a lone `-`: put the word to exclude right after it".into()
                ));
            }
            for w in words(rest) {
                clauses.push(Clause::Exclude(scope, w));
            }
            continue;
        }
        if tok.starts_with('"') {
            let ws = words(tok.trim_matches('"'));
            if !ws.is_empty() {
                clauses.push(Clause::Phrase(scope, ws));
            }
            continue;
        }
        if let Some((key, value)) = field_prefix(&tok) {
            match key.to_ascii_lowercase().as_str() {
                "signed" => {
                    clauses.push(Clause::Signed(match value.to_ascii_lowercase().as_str() {
                        "yes" | "valid" => Signed::Yes,
                        "no" | "unsigned" => Signed::No,
                        "bad" | "invalid" => Signed::Bad,
                        _ => return Err(err("`signed:` takes yes, no or bad".into())),
                    }));
                    continue;
                }
                "stale" => {
                    clauses.push(Clause::Stale(match value.to_ascii_lowercase().as_str() {
                        "yes" | "true" => true,
                        "no" | "false" => false,
                        _ => return Err(err("`stale:` takes yes or no".into())),
                    }));
                    continue;
                }
                "updated" => {
                    clauses.push(updated(value).map_err(err)?);
                    continue;
                }
                "country" if value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) => {
                    clauses.push(Clause::Country(value.to_ascii_uppercase()));
                    continue;
                }
                k => match Scope::from_name(k) {
                    Some(s) => {
                        scope = s;
                        if value.starts_with('"') {
                            let ws = words(value.trim_matches('"'));
                            if !ws.is_empty() {
                                clauses.push(Clause::Phrase(scope, ws));
                            }
                        } else {
                            for w in words(value) {
                                clauses.push(Clause::Word(scope, w));
                            }
                        }
                        continue;
                    }
                    None => {
                        let known: Vec<&str> = Scope::NAMES.iter().map(|(n, _)| *n).collect();
                        return Err(err(format!(
                            "unknown field `{key}:`; fields are {}, and the filters signed:, stale:, updated:",
                            known.join(", ")
                        )));
                    }
                },
            }
        }
        for w in words(&tok) {
            clauses.push(Clause::Word(scope, w));
        }
    }
    if clauses.is_empty() {
        return Err(QueryError {
            position: 0,
            token: q.to_string(),
            message: "the query has no words and no filters".into(),
        });
    }
    Ok(clauses)
}

/// Splits on white space, keeping `"quoted phrases"` (and `field:"..."`)
/// whole; returns each token with its character offset.
fn tokens(q: &str) -> Result<Vec<(usize, String)>, QueryError> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut in_quote = false;
        while i < chars.len() && (in_quote || !chars[i].is_whitespace()) {
            if chars[i] == '"' {
                in_quote = !in_quote;
            }
            i += 1;
        }
        let tok: String = chars[start..i].iter().collect();
        if in_quote {
            return Err(QueryError {
                position: start,
                token: tok,
                message: "an opening `\"` has no closing `\"`".into(),
            });
        }
        out.push((start, tok));
    }
    Ok(out)
}

/// `key:value` where key is a word; not a URL, a time or an IPv6 address.
fn field_prefix(tok: &str) -> Option<(&str, &str)> {
    let (k, v) = tok.split_once(':')?;
    if k.is_empty()
        || !k.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
        || v.starts_with("//")
    {
        return None;
    }
    Some((k, v))
}

/// The words of a token: e-mail addresses, fingerprints and domains stay
/// whole (they are exact terms); other punctuation separates.
fn words(s: &str) -> Vec<String> {
    let s = s.trim_matches(|c: char| c == '"' || c == ',' || c == ';');
    if s.contains('@') || s.contains('.') && !s.contains(' ') && s.len() > 3 {
        return vec![s.trim_end_matches('.').to_string()];
    }
    s.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '+')
        .filter(|w| !w.is_empty() && *w != "-")
        .map(String::from)
        .collect()
}

fn updated(v: &str) -> Result<Clause, String> {
    let (cmp, date) = if let Some(d) = v.strip_prefix('>') {
        (Cmp::After, d)
    } else if let Some(d) = v.strip_prefix('<') {
        (Cmp::Before, d)
    } else {
        (Cmp::Within, v)
    };
    let bad = || format!("`updated:` takes a date like >2023-01-01, <2020 or 2024-05; got {v:?}");
    let parts: Vec<&str> = date.split('-').collect();
    let num = |s: &str, lo: u32, hi: u32| s.parse::<u32>().ok().filter(|n| (lo..=hi).contains(n));
    let (from, to) = match parts.as_slice() {
        [y] => {
            let y = num(y, 1980, 2200).ok_or_else(bad)?;
            (y * 10000 + 101, (y + 1) * 10000 + 101)
        }
        [y, m] => {
            let (y, m) = (
                num(y, 1980, 2200).ok_or_else(bad)?,
                num(m, 1, 12).ok_or_else(bad)?,
            );
            let next = if m == 12 {
                (y + 1) * 10000 + 101
            } else {
                y * 10000 + (m + 1) * 100 + 1
            };
            (y * 10000 + m * 100 + 1, next)
        }
        [y, m, d] => {
            let (y, m, d) = (
                num(y, 1980, 2200).ok_or_else(bad)?,
                num(m, 1, 12).ok_or_else(bad)?,
                num(d, 1, 31).ok_or_else(bad)?,
            );
            let day = y * 10000 + m * 100 + d;
            (day, day + 1)
        }
        _ => return Err(bad()),
    };
    Ok(Clause::Updated(cmp, from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Clause::*;

    #[test]
    fn scoped_words_run_until_the_next_field() {
        assert_eq!(
            parse("constituency: universities Quebec").unwrap(),
            [
                Word(Scope::Constituency, "universities".into()),
                Word(Scope::Constituency, "Quebec".into())
            ]
        );
        assert_eq!(
            parse("constituency:universities name: XYZ").unwrap(),
            [
                Word(Scope::Constituency, "universities".into()),
                Word(Scope::Name, "XYZ".into())
            ]
        );
        assert_eq!(parse("ransomware Luxembourg").unwrap().len(), 2);
    }

    #[test]
    fn filters_phrases_and_exclusions() {
        let c =
            parse("signed:yes stale:no updated:>2023-01-01 country:lu \"the CERT\" -bank").unwrap();
        assert_eq!(
            c,
            [
                Clause::Signed(super::Signed::Yes),
                Stale(false),
                Updated(Cmp::After, 20230101, 20230102),
                Country("LU".into()),
                Phrase(Scope::All, vec!["the".into(), "CERT".into()]),
                Exclude(Scope::All, "bank".into())
            ]
        );
        assert_eq!(
            parse("updated:<2020").unwrap(),
            [Updated(Cmp::Before, 20200101, 20210101)]
        );
        assert_eq!(
            parse("email:cert@example.org").unwrap(),
            [Word(Scope::Email, "cert@example.org".into())]
        );
        assert_eq!(
            parse("name:\"XYZ CERT\"").unwrap(),
            [Phrase(Scope::Name, vec!["XYZ".into(), "CERT".into()])]
        );
    }

    #[test]
    fn errors_point_at_the_token() {
        for (q, pos, what) in [
            ("ransomware colour:red", 11, "unknown field"),
            ("signed:maybe", 0, "yes, no or bad"),
            ("updated:>2023-13-01", 0, "updated:"),
            ("\"open phrase", 0, "closing"),
            ("x - y", 2, "lone"),
            ("   ", 0, "no words"),
        ] {
            let e = parse(q).unwrap_err();
            assert_eq!(e.position, pos, "{q}: {e}");
            assert!(e.message.contains(what), "{q}: {e}");
        }
        let e = parse("a colour:red").unwrap_err();
        assert_eq!(e.pointer("a colour:red"), "a colour:red\n  ^^^^^^^^^^");
    }

    #[test]
    fn urls_and_times_are_words() {
        assert_eq!(
            parse("https://cert.example/rfc").unwrap(),
            [Word(Scope::All, "https://cert.example/rfc".into())]
        );
        assert!(parse("09:00").is_ok());
    }
}
