//! A constituency as data: the domains, networks, AS numbers, countries,
//! regions and sectors a document states, each with the line it came from.
//!
//! Incident handlers hold an address, a domain or an AS number, not words;
//! these let a directory answer "who is responsible for 192.0.2.7?". The
//! rule is never to guess: a value is taken only when it is written as
//! one (`192.0.2.0/24`, `AS64500`, `*.xyz-univ.ca`, a country or province
//! named in full, a sector word of the taxonomy), and a document that
//! states none gets empty lists, not inferences. A date is not an address
//! (four parts, each at most 255, not followed by a fifth), a version
//! number is not an AS number (`AS` or `ASN` must be written), a file name
//! is not a domain (its last label must be a top-level domain).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use regex::Regex;

use super::places;
use crate::record::{Constituency, ScopeKind, Sector};

/// One line of a section, with where it is.
#[derive(Debug, Clone, Copy)]
pub struct SourceLine<'a> {
    /// The section's number as written (`3.2`), if any.
    pub section: Option<&'a str>,
    /// 1-based line in the extracted text.
    pub line: usize,
    /// The line.
    pub text: &'a str,
}

/// What to read from a group of lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Section 3.2: everything.
    Constituency,
    /// Section 2.2: the country and region of the team's address.
    Address,
    /// Section 2.1: sector words in the team's own name.
    Name,
}

/// Reads what `lines` state into `c`; `part` says what kind of section
/// they are from.
pub fn read(c: &mut Constituency, part: Part, lines: &[SourceLine<'_>]) {
    for l in lines {
        let words = fold_words(l.text);
        let mut note = |kind: ScopeKind, value: String| {
            c.note(kind, value, l.section, l.line, l.text);
        };
        // Each pattern needs a character most lines lack: look for it first.
        if part == Part::Constituency && l.text.contains('.') {
            for d in domains(l.text) {
                if let Some(cc) = places::country_of_cctld(&d) {
                    note(ScopeKind::Country, cc.to_string());
                }
                note(ScopeKind::Domain, d);
            }
        }
        if part == Part::Constituency && l.text.contains(['.', ':']) {
            for n in networks(l.text) {
                note(ScopeKind::Network, n);
            }
        }
        if part == Part::Constituency && (l.text.contains("AS") || l.text.contains("asn")) {
            for a in asns(l.text) {
                note(ScopeKind::Asn, a.to_string());
            }
        }
        if matches!(part, Part::Constituency | Part::Address) {
            for cc in places::countries(&words, l.text) {
                note(ScopeKind::Country, cc.to_string());
            }
            for (region, cc) in places::regions(&words, l.text) {
                note(ScopeKind::Region, region);
                note(ScopeKind::Country, cc.to_string());
            }
        }
        if matches!(part, Part::Constituency | Part::Name) {
            for s in sectors(&words, l.text) {
                note(ScopeKind::Sector, s.code().to_string());
            }
        }
    }
}

/// A line's words, lower-cased and without accents, for matching phrases.
pub fn fold_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut w = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            for lower in ch.to_lowercase() {
                match lower {
                    'ß' => w.push_str("ss"),
                    'æ' => w.push_str("ae"),
                    'œ' => w.push_str("oe"),
                    'ø' => w.push('o'),
                    c => w.push(crate::headings::fold(c)),
                }
            }
        } else if !w.is_empty() {
            words.push(std::mem::take(&mut w));
        }
    }
    if !w.is_empty() {
        words.push(w);
    }
    words
}

/// A set of phrases (folded words, space-separated; a word ending in `*` is
/// a prefix), each with a value, found in a line's words by one pass over
/// them: the phrases are indexed by their first word, so a line costs a
/// hash probe per word, not a scan of every phrase.
pub(crate) struct Phrases<T> {
    by_first: HashMap<&'static str, Vec<(Vec<&'static str>, T)>>,
    /// Phrases whose first word is a prefix (`universit*`).
    by_prefix: Vec<(Vec<&'static str>, T)>,
    /// Phrases that are not in words (Japanese), found in the text.
    in_text: Vec<(&'static str, T)>,
}

impl<T: Copy + PartialEq> Phrases<T> {
    pub(crate) fn new(phrases: impl IntoIterator<Item = (&'static str, T)>) -> Phrases<T> {
        let mut p = Phrases {
            by_first: HashMap::new(),
            by_prefix: Vec::new(),
            in_text: Vec::new(),
        };
        for (phrase, value) in phrases {
            if !phrase.is_ascii() {
                p.in_text.push((phrase, value));
                continue;
            }
            let words: Vec<&'static str> = phrase.split(' ').collect();
            if words[0].ends_with('*') {
                p.by_prefix.push((words, value));
            } else {
                p.by_first.entry(words[0]).or_default().push((words, value));
            }
        }
        p
    }

    /// The values of the phrases in `words` (or, for the others, in
    /// `text`), each once, in the order first found.
    pub(crate) fn find(&self, words: &[String], text: &str) -> Vec<T> {
        let mut out = Vec::new();
        let mut push = |v: T| {
            if !out.contains(&v) {
                out.push(v);
            }
        };
        for i in 0..words.len() {
            let exact = self.by_first.get(words[i].as_str()).into_iter().flatten();
            let prefixed = self
                .by_prefix
                .iter()
                .filter(|(pat, _)| matches_word(&words[i], pat[0]));
            for (pat, v) in exact.chain(prefixed) {
                let rest = &words[i + 1..];
                if pat.len() - 1 <= rest.len()
                    && pat[1..].iter().zip(rest).all(|(p, w)| matches_word(w, p))
                {
                    push(*v);
                }
            }
        }
        for (phrase, v) in &self.in_text {
            if text.contains(phrase) {
                push(*v);
            }
        }
        out
    }
}

fn matches_word(w: &str, pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => w.starts_with(prefix),
        None => w == pattern,
    }
}

fn sector_phrases() -> &'static Phrases<Sector> {
    static P: OnceLock<Phrases<Sector>> = OnceLock::new();
    P.get_or_init(|| {
        Phrases::new(
            Sector::ALL
                .iter()
                .flat_map(|s| s.words().iter().map(move |w| (*w, *s))),
        )
    })
}

/// The sectors a line's words name.
pub fn sectors(words: &[String], text: &str) -> Vec<Sector> {
    let mut found = sector_phrases().find(words, text);
    found.sort();
    found
}

/// The sector a single query word stands for, if it is a taxonomy word:
/// `universitas`, `universités` and `universities` all give
/// research-education.
pub fn sector_of_word(word: &str) -> Option<Sector> {
    let words = fold_words(word);
    let [w] = &words[..] else { return None };
    Sector::ALL.iter().copied().find(|s| {
        s.words()
            .iter()
            .filter(|p| !p.contains(' '))
            .any(|p| match p.strip_suffix('*') {
                Some(prefix) => w.starts_with(prefix),
                None => w == p,
            })
    })
}

fn ipv4_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?x)
            (?P<a>\b\d{1,3}(?:\.\d{1,3}){3})
            (?:
                \s*/\s*(?P<len>\d{1,2})\b
              | \s*(?:-|–|to|bis|à|hingga|sampai)\s*(?P<b>\d{1,3}(?:\.\d{1,3}){3})\b
            )?",
        )
        .expect("a valid regex")
    })
}

fn ipv6_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)(?:^|[^0-9a-f:])(?P<a>[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7})(?:\s*/\s*(?P<len>\d{1,3}))?")
            .expect("a valid regex")
    })
}

/// The networks a line states, as CIDR prefixes: `192.0.2.0/24`, a range
/// (`192.0.2.0 - 192.0.2.255`, made into the prefixes that cover it
/// exactly), a single address (`/32`, `/128`), IPv6 alike.
pub fn networks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for m in ipv4_re().captures_iter(text) {
        let whole = m.get(0).expect("the whole match");
        // `1.2.3.4.5` or `1.2.3.4.` followed by digits: a version or OID.
        let after = &text[whole.end()..];
        if after.starts_with(|c: char| c.is_ascii_digit())
            || after.starts_with('.') && after[1..].starts_with(|c: char| c.is_ascii_digit())
        {
            continue;
        }
        let before = &text[..whole.start()];
        if before.ends_with('.') || before.ends_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let Ok(a) = m["a"].parse::<Ipv4Addr>() else {
            continue;
        };
        if let Some(len) = m.name("len") {
            let Ok(len) = len.as_str().parse::<u8>() else {
                continue;
            };
            if let Ok(net) = ipnet::Ipv4Net::new(a, len) {
                out.push(net.trunc().to_string());
            }
        } else if let Some(b) = m.name("b") {
            let Ok(b) = b.as_str().parse::<Ipv4Addr>() else {
                continue;
            };
            if b < a {
                continue;
            }
            out.extend(ipnet::Ipv4Subnets::new(a, b, 0).map(|n| n.to_string()));
        } else {
            out.push(format!("{a}/32"));
        }
    }
    for m in ipv6_re().captures_iter(text) {
        let Ok(a) = m["a"].parse::<Ipv6Addr>() else {
            continue;
        };
        // A time (`09:00:00`) parses as nothing; a MAC-like or `::` alone
        // has too few groups to be stated as a network by a team.
        if !m["a"].contains("::") && m["a"].matches(':').count() < 7 {
            continue;
        }
        match m.name("len") {
            Some(len) => {
                let Ok(len) = len.as_str().parse::<u8>() else {
                    continue;
                };
                if let Ok(net) = ipnet::Ipv6Net::new(a, len) {
                    out.push(net.trunc().to_string());
                }
            }
            None => out.push(format!("{a}/128")),
        }
    }
    out
}

/// The AS numbers a line states: `AS64500`, `AS 64500`, `ASN 64500`,
/// `AS64500-AS64510` and `AS 64500-64510` (ranges of at most 1,024).
pub fn asns(text: &str) -> Vec<u32> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"\b(?:AS|ASN|asn)\s?(\d{1,10})(?:\s?(?:-|–)\s?(?:AS|ASN)?\s?(\d{1,10}))?\b")
            .expect("a valid regex")
    });
    let mut out = Vec::new();
    for m in re.captures_iter(text) {
        let Ok(a) = m[1].parse::<u32>() else { continue };
        let b = m.get(2).and_then(|b| b.as_str().parse::<u32>().ok());
        match b {
            Some(b) if b >= a && b - a < 1024 => out.extend(a..=b),
            _ => out.push(a),
        }
    }
    out
}

/// The domains a line states as such: `*.xyz-univ.ca`, `.xyz-univ.ca`,
/// `xyz-univ.ca` (and "all its subdomains"), not the host of a URL nor
/// the domain of an e-mail address, nor a file name.
pub fn domains(text: &str) -> Vec<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?i)(?:\*\.|\.)?\b((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})\b")
            .expect("a valid regex")
    });
    let mut out = Vec::new();
    for m in re.captures_iter(text) {
        let whole = m.get(0).expect("the whole match");
        let before = &text[..whole.start()];
        let after = &text[whole.end()..];
        // Part of a URL, an e-mail address or a longer token.
        if before.ends_with('@')
            || before.ends_with("//")
            || before.ends_with(|c: char| c.is_alphanumeric() || c == '-' || c == '/')
            || after.starts_with('@')
            || after.starts_with('/') && !after.starts_with("/ ")
            || after.starts_with(|c: char| c.is_alphanumeric() || c == '-')
        {
            continue;
        }
        let d = m[1].to_ascii_lowercase();
        let tld = d.rsplit('.').next().unwrap_or_default();
        if !places::is_tld(tld) {
            continue;
        }
        out.push(d);
    }
    out
}

/// An address or prefix as a network the lookup understands.
pub fn parse_network(s: &str) -> Option<ipnet::IpNet> {
    let s = s.trim();
    match s.parse::<ipnet::IpNet>() {
        Ok(n) => Some(n.trunc()),
        Err(_) => s.parse::<IpAddr>().ok().map(ipnet::IpNet::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_ranges_and_single_addresses_become_cidr() {
        assert_eq!(
            networks("We serve 192.0.2.0/24 and 198.51.100.7."),
            ["192.0.2.0/24", "198.51.100.7/32"]
        );
        assert_eq!(networks("192.0.2.0 - 192.0.2.255"), ["192.0.2.0/24"]);
        assert_eq!(
            networks("10.0.0.0 – 10.0.1.127"),
            ["10.0.0.0/24", "10.0.1.0/25"]
        );
        assert_eq!(
            networks("2001:db8::/32, 2001:db8:1::1"),
            ["2001:db8::/32", "2001:db8:1::1/128"]
        );
        assert_eq!(
            networks("192.0.2.77/24"),
            ["192.0.2.0/24"],
            "the host bits are cut"
        );
    }

    #[test]
    fn dates_versions_and_times_are_not_addresses() {
        for text in [
            "Version 1.2.3 of 2023.01.02",
            "OID 1.3.6.1.4.1.311",
            "released 2.0.0.1.5",
            "hours 09:00:00 to 17:00",
            "999.1.1.1",
            "phone +62.21.555.1234",
        ] {
            assert!(networks(text).is_empty(), "{text}: {:?}", networks(text));
        }
    }

    #[test]
    fn as_numbers_need_their_as() {
        assert_eq!(
            asns("AS64500, ASN 64501 and AS 64502-64504"),
            [64500, 64501, 64502, 64503, 64504]
        );
        assert_eq!(asns("AS64500-AS64501"), [64500, 64501]);
        assert!(asns("version 64500, as 12 teams, PASS 7, BASE64").is_empty());
    }

    #[test]
    fn domains_stated_as_such_not_hosts_mail_or_files() {
        assert_eq!(
            domains("*.xyz-univ.ca and all its subdomains"),
            ["xyz-univ.ca"]
        );
        assert_eq!(
            domains("hosts in .ac.at and example.org"),
            ["ac.at", "example.org"]
        );
        assert!(domains("see https://www.xyz-univ.ca/policy and mail cert@xyz-univ.ca").is_empty());
        assert!(domains("policy.html, report.pdf, e.g. this, i.e. that, v1.2").is_empty());
    }

    #[test]
    fn sector_words_in_every_language_map_to_one_sector() {
        for w in [
            "universities",
            "universités",
            "universitas",
            "Hochschulen",
            "università",
            "universiteit",
        ] {
            assert_eq!(sector_of_word(w), Some(Sector::ResearchEducation), "{w}");
        }
        assert_eq!(sector_of_word("banks"), Some(Sector::Finance));
        assert_eq!(sector_of_word("pemerintah"), Some(Sector::Government));
        assert_eq!(sector_of_word("ransomware"), None);
        let w = fold_words("大学と研究機関");
        assert_eq!(sectors(&w, "大学と研究機関"), [Sector::ResearchEducation]);
    }
}
