//! The query language of `csirt-find`, parsed into clauses.
//!
//! - free words: `ransomware Luxembourg`
//! - `field: words` scopes the words after it until the next field, with or
//!   without a space after the colon: `constituency: universities Quebec`,
//!   `constituency:universities name: XYZ`
//! - fields: `name`, `constituency`, `mission`, `sponsor`, `authority`,
//!   `services`, `email`, `phone`, `country`, `key`, `lang`, `text`
//! - filters: `signed:yes|no|bad`, `stale:yes|no`, `updated:>2023-01-01`,
//!   `updated:<2020`, `country:LU`, `sector:research-education`,
//!   `region:Quebec`
//! - lookups: `ip:192.0.2.7`, `domain:mail.example.org`, `asn:64500` ask
//!   who is responsible (see [`crate::lookup`])
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
    /// Keep only teams of this sector.
    Sector(csirt_parse::Sector),
    /// Keep only teams whose constituency names this region.
    Region(String),
    /// Who is responsible for this address.
    Ip(std::net::IpAddr),
    /// Who is responsible for this domain.
    Domain(String),
    /// Who is responsible for this AS number.
    Asn(u32),
}

impl Clause {
    /// Whether the lookup table answers it rather than a search.
    pub fn is_lookup(&self) -> bool {
        matches!(self, Clause::Ip(_) | Clause::Domain(_) | Clause::Asn(_))
    }
}

/// What of `clauses` is a lookup: the address, domain and AS number, with
/// the country, sector and region that narrow or complete it. Empty when
/// the clauses hold no `ip:`, `domain:` or `asn:`.
pub fn lookup_part(clauses: &[Clause]) -> crate::lookup::Query {
    let mut q = crate::lookup::Query::default();
    if !clauses.iter().any(Clause::is_lookup) {
        return q;
    }
    for c in clauses {
        match c {
            Clause::Ip(ip) => q.ip = Some(*ip),
            Clause::Domain(d) => q.domain = Some(d.clone()),
            Clause::Asn(a) => q.asn = Some(*a),
            Clause::Country(cc) => q.country = Some(cc.clone()),
            Clause::Sector(s) => q.sector = Some(*s),
            Clause::Region(r) => q.region = Some(r.clone()),
            _ => {}
        }
    }
    q
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
                    let signed = value
                        .parse::<Signed>()
                        .map_err(|_| err("`signed:` takes yes, no or bad".into()))?;
                    clauses.push(Clause::Signed(signed));
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
                "ip" => {
                    clauses.push(Clause::Ip(ip(value).map_err(err)?));
                    continue;
                }
                "domain" => {
                    clauses.push(Clause::Domain(domain(value).map_err(err)?));
                    continue;
                }
                "asn" | "as" => {
                    clauses.push(Clause::Asn(asn(value).map_err(err)?));
                    continue;
                }
                "sector" => {
                    let s = csirt_parse::Sector::from_code(&value.to_ascii_lowercase())
                        .ok_or_else(|| {
                            let codes: Vec<&str> =
                                csirt_parse::Sector::ALL.iter().map(|s| s.code()).collect();
                            err(format!("`sector:` takes one of {}", codes.join(", ")))
                        })?;
                    clauses.push(Clause::Sector(s));
                    continue;
                }
                "region" => {
                    let r = value.trim_matches('"').replace('_', " ");
                    if r.trim().is_empty() {
                        return Err(err(
                            "`region:` takes a region's name, e.g. region:Quebec".into()
                        ));
                    }
                    clauses.push(Clause::Region(r));
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
                            "unknown field `{key}:`; fields are {}, the filters signed:, stale:, updated:, sector:, region:, and the lookups ip:, domain:, asn:",
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

/// An address: `192.0.2.7`, `2001:db8::1` (brackets allowed).
pub fn ip(v: &str) -> Result<std::net::IpAddr, String> {
    let t = v.trim().trim_start_matches('[').trim_end_matches(']');
    t.parse().map_err(|_| {
        format!("`ip:` takes an IPv4 or IPv6 address like 192.0.2.7; {v:?} is not one")
    })
}

/// A domain or host name: letters, digits and hyphens in dot-separated
/// labels; a trailing dot and `*.` are dropped.
pub fn domain(v: &str) -> Result<String, String> {
    let d = v
        .trim()
        .trim_start_matches("*.")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let good = !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if good {
        Ok(d)
    } else {
        Err(format!(
            "`domain:` takes a domain like mail.example.org; {v:?} is not one"
        ))
    }
}

/// An AS number: `64500`, `AS64500`, `ASN 64500`.
pub fn asn(v: &str) -> Result<u32, String> {
    let t = v.trim();
    let digits = t
        .strip_prefix("ASN")
        .or_else(|| t.strip_prefix("asn"))
        .or_else(|| t.strip_prefix("AS"))
        .or_else(|| t.strip_prefix("as"))
        .unwrap_or(t)
        .trim();
    digits
        .parse::<u32>()
        .map_err(|_| format!("`asn:` takes an AS number like 64500 or AS64500; {v:?} is not one"))
}

/// What a query that is nothing but an address, a domain, a web address
/// or an AS number stands for, as people paste them into a search box:
/// the lookup (`ip:192.0.2.7`, `domain:cert.example`, `asn:64500`), or none
/// when the query is anything else. A bare number is not an AS number
/// (it may be a phone number or a year); `AS64500` is.
pub fn bare_lookup(q: &str) -> Option<String> {
    let t = q.trim();
    if t.is_empty() || t.len() > 300 {
        return None;
    }
    let upper = t.to_ascii_uppercase();
    if upper.starts_with("AS") {
        let digits = upper
            .trim_start_matches("ASN")
            .trim_start_matches("AS")
            .trim();
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return asn(t).ok().map(|n| format!("asn:{n}"));
        }
    }
    if t.contains(char::is_whitespace) {
        return None;
    }
    if let Ok(a) = ip(t) {
        return Some(format!("ip:{a}"));
    }
    // A pasted link: its host.
    let host = match t.split_once("://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = authority.rsplit('@').next().unwrap_or("");
            if let Ok(a) = ip(host) {
                return Some(format!("ip:{a}"));
            }
            host.split(':').next().unwrap_or("")
        }
        Some(_) => return None,
        None => t,
    };
    let d = domain(host).ok()?;
    // A name with a dot and a top-level label that is not a number: a
    // version like 1.2 or a section number like 3.2 is not a domain.
    let tld = d.rsplit('.').next()?;
    (d.contains('.') && tld.bytes().any(|b| b.is_ascii_alphabetic())).then(|| format!("domain:{d}"))
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
    fn lookups_and_their_malformed_values() {
        assert_eq!(
            parse("ip:192.0.2.7 domain:Mail.Example.org. asn:AS64500").unwrap(),
            [
                Ip("192.0.2.7".parse().unwrap()),
                Domain("mail.example.org".into()),
                Asn(64500)
            ]
        );
        assert_eq!(
            parse("ip:2001:db8::1").unwrap(),
            [Ip("2001:db8::1".parse().unwrap())]
        );
        assert_eq!(
            parse("sector:research-education region:Jawa_Timur").unwrap(),
            [
                Sector(csirt_parse::Sector::ResearchEducation),
                Region("Jawa Timur".into())
            ]
        );
        for (q, what) in [
            ("ip:192.0.2.999", "IPv4 or IPv6"),
            ("ip:example.org", "IPv4 or IPv6"),
            ("domain:exa_mple.org", "domain like"),
            ("asn:AS-1", "AS number"),
            ("asn:99999999999", "AS number"),
            ("sector:banks", "one of"),
        ] {
            let e = parse(q).unwrap_err();
            assert!(e.message.contains(what), "{q}: {e}");
            assert_eq!(e.position, 0, "{q}");
        }
        let c = parse("ip:192.0.2.7 universities").unwrap();
        assert_eq!(lookup_part(&c).ip, Some("192.0.2.7".parse().unwrap()));
        assert!(lookup_part(&parse("universities country:CA").unwrap()).is_empty());
    }

    #[test]
    fn addresses_domains_and_as_numbers_typed_alone_are_lookups() {
        for (q, want) in [
            ("192.0.2.7", Some("ip:192.0.2.7")),
            (" [2001:db8::1] ", Some("ip:2001:db8::1")),
            ("AS64500", Some("asn:64500")),
            ("asn 64500", Some("asn:64500")),
            ("Mail.Example.ORG.", Some("domain:mail.example.org")),
            (
                "https://www.cert.example:8443/rfc2350?x=1",
                Some("domain:www.cert.example"),
            ),
            ("http://192.0.2.7/x", Some("ip:192.0.2.7")),
            ("64500", None),
            ("3.2", None),
            ("universities Quebec", None),
            ("country:CA", None),
            ("ftp://cert.example", None),
            ("cert@team.example", None),
            ("ASX", None),
            ("", None),
        ] {
            assert_eq!(bare_lookup(q).as_deref(), want, "{q:?}");
            if let Some(w) = want {
                assert!(parse(w).is_ok(), "{w}");
            }
        }
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
