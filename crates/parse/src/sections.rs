//! Splitting extracted text into sections.
//!
//! A heading is found by its words first (see [`crate::headings`]); numbers
//! only help to accept headings we do not know and to keep list items from
//! being taken for headings. Text whose line breaks were lost (a clear-signed
//! message flattened onto one line, a page store that collapsed whitespace) is
//! first split again where a known heading starts.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::headings::{self, Field, Match};

/// How a heading was recognised, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A numbered heading (`2.3 Time Zone`).
    Numbered,
    /// A Markdown or HTML heading without a number.
    Markup,
    /// A line that is only a known heading.
    Bare,
    /// A known label followed by a colon and a value (`Timezone: CET`).
    Label,
}

/// One section found in the text.
#[derive(Debug, Clone)]
pub struct RawSection<'a> {
    /// The number, normalised to dots.
    pub number: Option<String>,
    /// The heading text without the number.
    pub title: String,
    /// The field the heading stands for.
    pub field: Option<Field>,
    /// How the heading was recognised.
    pub kind: Kind,
    /// 1-based line of the heading.
    pub line: usize,
    /// Body lines with their 1-based line numbers, borrowed from the text
    /// where preparing it changed nothing.
    pub body: Vec<(usize, Cow<'a, str>)>,
}

impl RawSection<'_> {
    /// The body as text, lines joined with `\n`, trimmed.
    pub fn text(&self) -> String {
        let mut s = String::with_capacity(self.body.iter().map(|(_, l)| l.len() + 1).sum());
        for (_, l) in &self.body {
            s.push_str(l);
            s.push('\n');
        }
        s.trim().to_string()
    }
}

/// Lines longer than this are checked for headings inside them.
const COLLAPSED: usize = 240;

static INLINE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)(\d{1,2}(?:\s?\.\s?\d{1,2}){0,3}\.?:?)\s+\S").expect("valid regex")
});
static TOC_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\.{4,}|…{2,}|(?:\. ){4,})\s*\d{1,3}\s*$").expect("valid regex")
});
static MARKUP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(#{1,6})\s+(.*?)\s*#*$").expect("valid regex"));

/// Prepares lines: collapses runs of spaces, drops tables of contents, and
/// splits collapsed lines at the headings inside them.
pub fn prepare(text: &str) -> Vec<(usize, Cow<'_, str>)> {
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = collapse_spaces(raw);
        // A table-of-contents line ends with a page number.
        if line.ends_with(|c: char| c.is_ascii_digit()) && TOC_LINE.is_match(&line) {
            continue;
        }
        if line.len() > COLLAPSED {
            for part in split_collapsed(&line) {
                out.push((i + 1, Cow::Owned(part)));
            }
        } else {
            out.push((i + 1, line));
        }
    }
    out
}

/// Runs of spaces (and the odd spaces of word processors) become one space;
/// the line is trimmed. Most lines are already like that and are borrowed.
fn collapse_spaces(s: &str) -> Cow<'_, str> {
    let t = s.trim_end();
    if is_collapsed(t) {
        return Cow::Borrowed(t);
    }
    Cow::Owned(collapse_spaces_slow(s))
}

/// Whether `collapse_spaces` would leave `t` (trimmed at the end) as it is:
/// no leading space, no run of spaces, no tab, form feed or odd space.
fn is_collapsed(t: &str) -> bool {
    let mut prev_space = true;
    for &b in t.as_bytes() {
        if b == b'\t' || b == 0x0C || (b == b' ' && prev_space) {
            return false;
        }
        prev_space = b == b' ';
    }
    t.is_ascii()
        || [
            '\u{a0}', '\u{2002}', '\u{2003}', '\u{2009}', '\u{200b}', '\u{feff}',
        ]
        .iter()
        .all(|&c| !t.contains(c))
}

fn collapse_spaces_slow(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.trim_end().chars() {
        let c = match c {
            '\t' | '\u{a0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' | '\u{200b}' | '\u{feff}'
            | '\x0C' => ' ',
            c => c,
        };
        if c == ' ' {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// The most parts one line is cut into: a whole document on one line has a
/// few hundred labels; past this the rest of the line stays one part.
const MAX_CUTS: usize = 10_000;

/// Splits a line at every place where a numbered known heading, or a known
/// label followed by a colon, begins.
fn split_collapsed(line: &str) -> Vec<String> {
    let mut cuts: Vec<usize> = Vec::new();
    for caps in INLINE_NUMBER.captures_iter(line) {
        if cuts.len() >= MAX_CUTS {
            break;
        }
        let Some(num) = caps.get(1) else { continue };
        let after = &line[num.end()..];
        // A heading is short: looking at its first words is enough, and
        // keeps this linear on very long collapsed lines.
        let after = &after[..floor_char_boundary(after, 160)];
        if let Some(m) = headings::match_prefix(after) {
            if plausible_number(num.as_str()) {
                cuts.push(num.start());
                // The value follows the heading on the same line: cut there
                // too, unless a colon right after the heading does it.
                let rest = &after[m.end..];
                if !rest.trim_start().starts_with([':', ')']) {
                    cuts.push(num.end() + m.end);
                }
            }
        }
    }
    // `Label: value` pairs, as in "Timezone: GMT Telephone Number: +44 ...".
    // A label holds no colon, so it starts after the previous one: each
    // colon is then worth a few lookups, however the line goes on.
    let mut from = 0;
    while let Some(rel) = line[from..].find(':') {
        if cuts.len() >= MAX_CUTS {
            break;
        }
        let colon = from + rel;
        let previous = from;
        from = colon + 1;
        let window_start = line[previous..colon]
            .char_indices()
            .rev()
            .take(60)
            .last()
            .map_or(colon, |(i, _)| previous + i);
        let window = &line[window_start..colon];
        // Try each word start in the window, longest label first.
        let starts_word = |i: usize| {
            let before = &line[..window_start + i];
            before.is_empty() || before.ends_with(' ')
        };
        let mut starts: Vec<usize> = window
            .char_indices()
            .filter(|&(i, _)| starts_word(i))
            .map(|(i, _)| i)
            .collect();
        starts.sort();
        for s in starts {
            let label = &window[s..];
            if let Some(m) = headings::match_prefix(label) {
                if m.coverage() >= 1.0 && !label.trim().is_empty() {
                    cuts.push(with_number(line, window_start + s));
                    break;
                }
            }
        }
    }
    cuts.sort();
    cuts.dedup();
    let mut parts = Vec::new();
    let mut prev = 0;
    for c in cuts {
        if c > prev {
            parts.push(line[prev..c].trim().to_string());
            prev = c;
        }
    }
    parts.push(line[prev..].trim().to_string());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Where a label at `at` begins, its section number included: in
/// "ONE-CERT 2.2 Address: ..." the cut goes before "2.2", which belongs to
/// the label, not to the value before it.
fn with_number(line: &str, at: usize) -> usize {
    let before = line[..at].trim_end();
    let start = before.rfind(' ').map_or(0, |i| i + 1);
    let word = &before[start..];
    let numeric = !word.is_empty()
        && word.starts_with(|c: char| c.is_ascii_digit())
        && word.chars().all(|c| c.is_ascii_digit() || c == '.');
    if numeric && plausible_number(word) {
        start
    } else {
        at
    }
}

/// The largest char boundary of `s` at or below `max` (`str`'s own is
/// not stable yet): where to cut a string to at most `max` bytes.
pub fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

fn plausible_number(n: &str) -> bool {
    let parts: Vec<u32> = n
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    !parts.is_empty() && parts[0] >= 1 && parts[0] <= 12 && parts.iter().skip(1).all(|&p| p <= 30)
}

/// A heading recognised on one line.
#[derive(Debug)]
struct Heading {
    number: Option<String>,
    title: String,
    field: Option<Field>,
    kind: Kind,
    /// Text after the heading on the same line (`Time zone: CET`).
    rest: Option<String>,
}

/// Splits prepared lines into sections. Text before the first heading is
/// returned as a section with no title at line 0.
pub fn split<'a>(lines: &[(usize, Cow<'a, str>)]) -> Vec<RawSection<'a>> {
    let mut sections = vec![RawSection {
        number: None,
        title: String::new(),
        field: None,
        kind: Kind::Bare,
        line: 0,
        body: Vec::new(),
    }];
    let mut top: Option<u32> = None;
    let mut in_armor = false;
    for (no, line) in lines {
        let t = line.trim();
        let (begin, end) = crate::clearsign::armor_marks(t);
        in_armor |= begin;
        let heading = if in_armor { None } else { classify(t, top) };
        if end {
            in_armor = false;
        }
        match heading {
            Some(h) => {
                if let Some(n) = &h.number {
                    if let Some(first) = n.split('.').next().and_then(|f| f.parse().ok()) {
                        top = Some(first);
                    }
                }
                let mut body = Vec::new();
                if let Some(rest) = h.rest {
                    body.push((*no, Cow::Owned(rest)));
                }
                sections.push(RawSection {
                    number: h.number,
                    title: h.title,
                    field: h.field,
                    kind: h.kind,
                    line: *no,
                    body,
                });
            }
            None => {
                if let Some(s) = sections.last_mut() {
                    s.body.push((*no, line.clone()));
                }
            }
        }
    }
    sections
}

fn classify(line: &str, top: Option<u32>) -> Option<Heading> {
    if line.is_empty() || line.len() > 600 {
        return None;
    }
    // Cheap first-character checks keep the regexes off most lines.
    let captures = if line.starts_with('#') {
        MARKUP.captures(line)
    } else {
        None
    };
    let (markup, text) = match captures {
        Some(c) => (true, c.get(2).map_or("", |m| m.as_str())),
        None => (false, line),
    };
    let text = text.trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace());
    let text = text
        .strip_prefix("• ")
        .or_else(|| text.strip_prefix("● "))
        .unwrap_or(text);
    if let Some((raw_num, title)) = split_number(text) {
        if let Some(h) = numbered(raw_num, title, markup, top) {
            return Some(h);
        }
    }
    unnumbered(text, markup)
}

/// Splits a line that starts with a section number into the number as
/// written and the title after it. It reads the line as the pattern
/// `^(\d{1,2}(?:\s?[.)]\s?\d{1,2}){0,3})(\s?[.):])?\s+(\S.*)$` would, longest
/// number first, without a regex engine: this runs on every line that
/// starts with a digit, and a backtracking capture was a tenth of a parse.
fn split_number(text: &str) -> Option<(&str, &str)> {
    let b = text.as_bytes();
    let digits = |i: usize| {
        b[i.min(b.len())..]
            .iter()
            .take(2)
            .take_while(|d| d.is_ascii_digit())
            .count()
    };
    let first = digits(0);
    if first == 0 {
        return None;
    }
    // Where the number may end: after its first part and after each further
    // `.`- or `)`-separated part. Each step is forced (a space or a second
    // digit not taken would leave a character nothing else can match).
    let mut ends = [first, 0, 0, 0];
    let mut count = 1;
    let mut i = first;
    while count < 4 {
        let mut j = i + space_at(text, i);
        if !matches!(b.get(j), Some(b'.' | b')')) {
            break;
        }
        j += 1;
        j += space_at(text, j);
        let d = digits(j);
        if d == 0 {
            break;
        }
        i = j + d;
        ends[count] = i;
        count += 1;
    }
    ends[..count]
        .iter()
        .rev()
        .find_map(|&end| title_after(text, end).map(|t| (&text[..end], &text[t..])))
}

/// Where the title starts after a number ending at `i`: an optional
/// `.`, `)` or `:` (after at most one space), then spaces, then a title.
fn title_after(text: &str, i: usize) -> Option<usize> {
    let after_spaces = |k: usize| {
        let mut k = k;
        let first = space_at(text, k);
        if first == 0 {
            return None;
        }
        while let n @ 1.. = space_at(text, k) {
            k += n;
        }
        (k < text.len()).then_some(k)
    };
    let j = i + space_at(text, i);
    if matches!(text.as_bytes().get(j), Some(b'.' | b')' | b':')) {
        if let Some(t) = after_spaces(j + 1) {
            return Some(t);
        }
    }
    after_spaces(i)
}

/// Length in bytes of the whitespace character at `i`, 0 if there is none.
fn space_at(text: &str, i: usize) -> usize {
    text.get(i..)
        .and_then(|t| t.chars().next())
        .filter(|c| c.is_whitespace())
        .map_or(0, char::len_utf8)
}

fn normalise_number(raw: &str) -> String {
    raw.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

fn numbered(raw_num: &str, title: &str, markup: bool, top: Option<u32>) -> Option<Heading> {
    let number = normalise_number(raw_num);
    let parts: Vec<u32> = number.split('.').filter_map(|p| p.parse().ok()).collect();
    let first = *parts.first()?;
    if !title
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '"' || c == '“' || c == '(')
    {
        return None;
    }
    if let Some(m) = headings::match_prefix(title)
        .or_else(|| headings::match_anywhere(title).filter(|m| m.coverage() >= 0.5))
    {
        let (title_text, rest) = split_title(title, &m);
        return Some(Heading {
            number: Some(number),
            title: title_text,
            field: Some(m.field),
            kind: Kind::Numbered,
            rest,
        });
    }
    // An unknown heading is accepted only where a heading can stand: short,
    // not a sentence, and in sequence with the numbers before it. This keeps
    // numbered list items inside a section from ending the section.
    let words = title.split_whitespace().count();
    let sentence = title.ends_with(['.', ',', ';']) && !title.ends_with("..");
    let in_sequence = match (parts.len(), top) {
        (1, None) => first <= 2,
        (1, Some(t)) => first == t + 1 || first == t + 2,
        (_, None) => first <= 2,
        (_, Some(t)) => first == t || first == t + 1,
    };
    let starts_upper = title
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || !c.is_ascii());
    if (markup || (in_sequence && starts_upper))
        && words <= 12
        && title.len() <= 100
        && !sentence
        && first <= 20
    {
        return Some(Heading {
            number: Some(number),
            title: title.trim_end_matches(':').trim().to_string(),
            field: None,
            kind: Kind::Numbered,
            rest: None,
        });
    }
    None
}

/// Splits "Time Zone: CET" or a collapsed "Date of Last Update This is ..." into
/// the heading and the value that follows it on the same line.
fn split_title(title: &str, m: &Match) -> (String, Option<String>) {
    let after = &title[m.end..];
    let trimmed = after.trim_start_matches([')', ' ']);
    if let Some(v) = after.trim_start().strip_prefix(':') {
        let v = v.trim();
        return (
            title[..m.end].trim().to_string(),
            (!v.is_empty()).then(|| v.to_string()),
        );
    }
    // A colon later in a short heading separates a value: "2.3 Zona Waktu (WIB): GMT+7".
    if let Some(i) = after.find(':') {
        let label_len = m.end + i;
        if label_len <= 80 {
            let v = after[i + 1..].trim();
            let t = title[..label_len].trim().to_string();
            return (t, (!v.is_empty()).then(|| v.to_string()));
        }
    }
    if title.len() > 100 && !trimmed.is_empty() {
        return (
            title[..m.end].trim().to_string(),
            Some(trimmed.trim().to_string()),
        );
    }
    (title.trim().to_string(), None)
}

fn unnumbered(text: &str, markup: bool) -> Option<Heading> {
    let m = headings::match_prefix(text);
    if markup && text.chars().count() <= 120 {
        let title = text.trim().to_string();
        let field = m.filter(|m| m.coverage() >= 0.5).map(|m| m.field);
        return Some(Heading {
            number: None,
            title,
            field,
            kind: Kind::Markup,
            rest: None,
        });
    }
    let m = m?;
    let after = &text[m.end..];
    let after_trim = after.trim_start_matches([')', ' ']);
    if let Some(v) = after_trim.strip_prefix(':') {
        // `Label: value`, where the label is entirely a known heading.
        let label = &text[..m.end];
        if label.len() <= 60 && headings::tokens(label).len() == m.matched {
            let v = v.trim();
            return Some(Heading {
                number: None,
                title: label.trim().to_string(),
                field: Some(m.field),
                kind: Kind::Label,
                rest: (!v.is_empty()).then(|| v.to_string()),
            });
        }
    }
    let standalone = text.len() <= 80 && m.coverage() >= 0.6 && !text.ends_with(['.', ',', ';']);
    if standalone {
        let title = text.trim_end_matches(':').trim().to_string();
        return Some(Heading {
            number: None,
            title,
            field: Some(m.field),
            kind: Kind::Bare,
            rest: None,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(text: &str) -> Vec<(Option<String>, Option<Field>)> {
        split(&prepare(text))
            .into_iter()
            .skip(1)
            .map(|s| (s.number, s.field))
            .collect()
    }

    #[test]
    fn numbering_styles() {
        for t in [
            "2.3 Time Zone",
            "2.3. Time Zone",
            "2.3) Time Zone",
            "2 . 3 Time Zone",
            "2.3: Time Zone",
            "## 2.3 Time Zone",
            "**2.3 Time Zone**",
        ] {
            assert_eq!(
                titles(t),
                vec![(Some("2.3".into()), Some(Field::TimeZone))],
                "{t}"
            );
        }
    }

    #[test]
    fn shifted_numbers_still_map_by_words() {
        assert_eq!(
            titles("4.3. Time zone\nCET"),
            vec![(Some("4.3".into()), Some(Field::TimeZone))]
        );
    }

    #[test]
    fn list_items_are_not_headings() {
        let t = "3.2 Misi\n1. Mendorong kegiatan pengamanan informasi.\n2. Membangun kesadaran.\n3.3 Konstituen\n";
        assert_eq!(titles(t).len(), 2);
    }

    #[test]
    fn collapsed_text_is_split() {
        let t = "1. About this document ".to_string() + &"x ".repeat(130) + "1.1 Date of Last Update This is version 1.0, published 2021-06-30. 1.2 Distribution List for Notifications none";
        let s = split(&prepare(&t));
        let lu = s
            .iter()
            .find(|s| s.field == Some(Field::LastUpdate))
            .unwrap();
        assert_eq!(lu.text(), "This is version 1.0, published 2021-06-30.");
    }

    #[test]
    fn labels_with_values() {
        let s = split(&prepare("Timezone: GMT/UTC"));
        assert_eq!(s[1].field, Some(Field::TimeZone));
        assert_eq!(s[1].text(), "GMT/UTC");
    }

    #[test]
    fn numbers_split_as_the_pattern_does() {
        let pattern =
            Regex::new(r"^(\d{1,2}(?:\s?[.)]\s?\d{1,2}){0,3})(\s?[.):])?\s+(\S.*)$").unwrap();
        let alphabet = ["1", "2", "123", ".", ")", ":", " ", "\u{3000}", "X", "é"];
        // Every string of up to six pieces of the alphabet.
        let mut cases = vec![String::new()];
        for _ in 0..6 {
            let next: Vec<String> = cases
                .iter()
                .flat_map(|c| alphabet.iter().map(move |a| format!("{c}{a}")))
                .collect();
            cases.extend(next.into_iter().filter(|c| c.chars().count() <= 8));
            cases.sort();
            cases.dedup();
        }
        assert!(cases.len() > 100_000, "{}", cases.len());
        for c in &cases {
            let want = pattern
                .captures(c)
                .map(|m| (m.get(1).unwrap().as_str(), m.get(3).unwrap().as_str()));
            assert_eq!(split_number(c), want, "{c:?}");
        }
    }

    #[test]
    fn table_of_contents_is_dropped() {
        assert!(prepare("4.3. Time zone ........................ 4").is_empty());
    }
}
