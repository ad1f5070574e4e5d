//! Dates as teams write them, in the supported languages.
//!
//! A date the parser cannot read completely is never guessed: a year alone, a
//! day and month without a year, or an unfilled placeholder give `None`.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::headings::fold;

/// A date found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    /// The calendar date.
    pub date: NaiveDate,
    /// The words it was read from.
    pub text: String,
}

static MONTHS: LazyLock<HashMap<&'static str, u32>> = LazyLock::new(|| {
    let table: &[(u32, &[&str])] = &[
        (
            1,
            &[
                "january", "jan", "januari", "janvier", "januar", "janner", "enero", "ene",
                "gennaio", "gen", "janeiro", "jan.",
            ],
        ),
        (
            2,
            &[
                "february",
                "feb",
                "februari",
                "pebruari",
                "febuari",
                "febrari",
                "fevrier",
                "fev",
                "februar",
                "febrero",
                "febbraio",
                "fevereiro",
                "fevr",
            ],
        ),
        (
            3,
            &[
                "march", "mar", "maret", "mars", "marz", "maerz", "marzo", "maart", "mrt", "marco",
            ],
        ),
        (4, &["april", "apr", "avril", "abril", "aprile", "avr"]),
        (5, &["may", "mei", "mai", "mayo", "maggio", "mag", "maio"]),
        (
            6,
            &[
                "june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho",
            ],
        ),
        (
            7,
            &[
                "july", "jul", "juli", "juillet", "julio", "luglio", "lug", "julho", "juil",
            ],
        ),
        (
            8,
            &[
                "august", "aug", "agustus", "agu", "agt", "agus", "aout", "agosto", "ago",
                "augustus",
            ],
        ),
        (
            9,
            &[
                "september",
                "sep",
                "sept",
                "septembre",
                "septiembre",
                "setiembre",
                "settembre",
                "set",
                "setembro",
            ],
        ),
        (
            10,
            &[
                "october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott",
                "outubro", "out",
            ],
        ),
        (
            11,
            &[
                "november",
                "nov",
                "nopember",
                "novembre",
                "noviembre",
                "novembro",
            ],
        ),
        (
            12,
            &[
                "december",
                "dec",
                "desember",
                "des",
                "decembre",
                "dezember",
                "dez",
                "diciembre",
                "dic",
                "dicembre",
                "dezembro",
            ],
        ),
    ];
    let mut m = HashMap::new();
    for (n, names) in table {
        for name in *names {
            m.insert(*name, *n);
        }
    }
    m
});

const WORD: &str = r"([A-Za-zÀ-ÿ]{3,10})\.?";

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{4})\s?[-/.]\s?(\d{1,2})\s?[-/.]\s?(\d{1,2})\b").expect("valid regex")
});
static NUMERIC_DMY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b").expect("valid regex"));
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(\d{{1,2}})(?:st|nd|rd|th|er|e|º|°)?\.?\s*(?:of\s+(?:the\s+)?|de\s+)?{WORD},?\s*(?:de\s+|of\s+)?(\d{{4}})\b"
    ))
    .expect("valid regex")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b{WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"
    ))
    .expect("valid regex")
});
static CJK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日").expect("valid regex")
});
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(19[89]\d|20\d\d)\b").expect("valid regex"));

fn month(word: &str) -> Option<u32> {
    let w: String = word.to_lowercase().chars().map(fold).collect();
    MONTHS.get(w.as_str()).copied()
}

fn ymd(y: &str, m: u32, d: &str) -> Option<NaiveDate> {
    let y: i32 = y.parse().ok()?;
    let d: u32 = d.parse().ok()?;
    if !(1980..=2200).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Every complete date in `text`, in order of appearance.
pub fn find_dates(text: &str) -> Vec<FoundDate> {
    let mut found: Vec<(usize, FoundDate)> = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut push =
        |start: usize, end: usize, date: Option<NaiveDate>, found: &mut Vec<(usize, FoundDate)>| {
            if taken.iter().any(|&(a, b)| start < b && a < end) {
                return;
            }
            if let Some(date) = date {
                taken.push((start, end));
                found.push((
                    start,
                    FoundDate {
                        date,
                        text: text[start..end].to_string(),
                    },
                ));
            }
        };
    for c in CJK.captures_iter(text) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        let date = c[2].parse().ok().and_then(|mo| ymd(&c[1], mo, &c[3]));
        push(m.start, m.end, date, &mut found);
    }
    for c in ISO.captures_iter(text) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        let date = c[2].parse().ok().and_then(|mo| ymd(&c[1], mo, &c[3]));
        push(m.start, m.end, date, &mut found);
    }
    for c in DAY_MONTH_YEAR.captures_iter(text) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        let date = month(&c[2]).and_then(|mo| ymd(&c[3], mo, &c[1]));
        push(m.start, m.end, date, &mut found);
    }
    for c in MONTH_DAY_YEAR.captures_iter(text) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        let date = month(&c[1]).and_then(|mo| ymd(&c[3], mo, &c[2]));
        push(m.start, m.end, date, &mut found);
    }
    for c in NUMERIC_DMY.captures_iter(text) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        let a: u32 = c[1].parse().unwrap_or(0);
        let b: u32 = c[2].parse().unwrap_or(0);
        // Day first, as most of the world writes it; month first only when
        // the second number cannot be a month.
        let date = if b > 12 && a <= 12 {
            ymd(&c[3], a, &c[2])
        } else {
            ymd(&c[3], b, &c[1])
        };
        push(m.start, m.end, date, &mut found);
    }
    found.sort_by_key(|(start, _)| *start);
    found.into_iter().map(|(_, d)| d).collect()
}

/// What a "date of last update" section says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastUpdate {
    /// A readable date; the latest one when the section lists a history.
    Date(FoundDate),
    /// Something date-like that cannot be read without guessing.
    Unreadable(String),
    /// Nothing that looks like a date.
    Absent,
}

/// Reads a "date of last update" section.
pub fn last_update(text: &str) -> LastUpdate {
    let dates = find_dates(text);
    if let Some(latest) = dates.iter().max_by_key(|d| d.date) {
        return LastUpdate::Date(latest.clone());
    }
    let first_line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let placeholder = text.contains("……")
        || text.contains("...")
        || text.contains("…")
        || text.contains("[date]")
        || text.contains("XX");
    if YEAR.is_match(text)
        || placeholder
        || text.split_whitespace().any(|w| {
            month(w.trim_matches(|c: char| !c.is_alphabetic())).is_some_and(|_| w.len() > 3)
        })
    {
        let shown: String = first_line.chars().take(120).collect();
        return LastUpdate::Unreadable(shown);
    }
    LastUpdate::Absent
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Option<String> {
        match last_update(s) {
            LastUpdate::Date(d) => Some(d.date.to_string()),
            _ => None,
        }
    }

    #[test]
    fn the_forms_teams_use() {
        assert_eq!(one("1997/03/31").as_deref(), Some("1997-03-31"));
        assert_eq!(one("31.03.1997").as_deref(), Some("1997-03-31"));
        assert_eq!(one("31/03/1997").as_deref(), Some("1997-03-31"));
        assert_eq!(one("31 March 1997").as_deref(), Some("1997-03-31"));
        assert_eq!(one("June 20th 2018").as_deref(), Some("2018-06-20"));
        assert_eq!(one("July 2nd, 2010").as_deref(), Some("2010-07-02"));
        assert_eq!(
            one("Wed, 1 February 2022 10:00:00 +0100").as_deref(),
            Some("2022-02-01")
        );
        assert_eq!(one("2023 年 10 月 1 日").as_deref(), Some("2023-10-01"));
        assert_eq!(
            one("version 1.01, published 1997/03/31").as_deref(),
            Some("1997-03-31")
        );
        assert_eq!(
            one("diterbitkan pada 25 Febuari 2026").as_deref(),
            Some("2026-02-25")
        );
        assert_eq!(one("1 Pebruari 2020").as_deref(), Some("2020-02-01"));
        assert_eq!(
            one("This is version 1.3, published on 1st March 2012.").as_deref(),
            Some("2012-03-01")
        );
        assert_eq!(
            one("Thu, 13 Sept 2018 08h18").as_deref(),
            Some("2018-09-13")
        );
        assert_eq!(one("le 3 août 2021").as_deref(), Some("2021-08-03"));
        assert_eq!(one("4 de marzo de 2020").as_deref(), Some("2020-03-04"));
        assert_eq!(
            one("Version 1.0, published on the 1st of January 2026.").as_deref(),
            Some("2026-01-01")
        );
        assert_eq!(
            one("This document was last updated on 27.05.2019.").as_deref(),
            Some("2019-05-27")
        );
    }

    #[test]
    fn latest_entry_of_a_history_wins() {
        let h = "Version 3, published 2010-08-11.\nHistorical records:\nVersion 2, published 2009-01-30.";
        assert_eq!(one(h).as_deref(), Some("2010-08-11"));
    }

    #[test]
    fn never_a_guess() {
        assert!(matches!(
            last_update("diterbitkan pada tanggal …… 2023."),
            LastUpdate::Unreadable(_)
        ));
        assert!(matches!(last_update("31 March"), LastUpdate::Unreadable(_)));
        assert!(matches!(
            last_update("2019-02-30"),
            LastUpdate::Unreadable(_)
        ));
        assert_eq!(last_update("No information."), LastUpdate::Absent);
    }
}
