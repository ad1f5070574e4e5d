//! When a description is stale: one rule for search, reports and the API.
//!
//! Staleness is not a property of a document but of a document, a day and a
//! threshold: a description updated 364 days ago is current today and stale
//! tomorrow under the default of 365 days. So it is never stored; every
//! caller judges it when asked, with the day and threshold it was given.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

/// How old a Date of Last Update may be before the description is stale,
/// in whole days (`365`, `365d`, `52w` when read from text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StaleAfter {
    days: u32,
}

impl StaleAfter {
    /// The default everywhere: a description a year old is stale.
    pub const DEFAULT: StaleAfter = StaleAfter { days: 365 };

    /// A threshold of `days` days.
    pub const fn days(days: u32) -> StaleAfter {
        StaleAfter { days }
    }

    /// The threshold in days.
    pub fn in_days(self) -> u32 {
        self.days
    }

    /// Whether a description last updated on `last_update` is stale on
    /// `today`: when it is `days` or more old, or states no readable date
    /// (a reader cannot tell how current it is).
    pub fn is_stale(self, last_update: Option<NaiveDate>, today: NaiveDate) -> bool {
        match last_update {
            Some(d) => (today - d).num_days() >= i64::from(self.days),
            None => true,
        }
    }

    /// The oldest Date of Last Update that is not stale on `today`.
    pub fn oldest_current(self, today: NaiveDate) -> NaiveDate {
        today
            .checked_sub_days(chrono::Days::new(u64::from(self.days)))
            .and_then(|d| d.succ_opt())
            .unwrap_or(NaiveDate::MIN)
    }
}

impl Default for StaleAfter {
    fn default() -> Self {
        StaleAfter::DEFAULT
    }
}

impl fmt::Display for StaleAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}d", self.days)
    }
}

/// Why a threshold could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an age like 365, 365d or 52w")]
pub struct BadStaleAfter(pub String);

impl FromStr for StaleAfter {
    type Err = BadStaleAfter;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let (num, per) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            None => (t, 1),
            Some((i, _)) => match &t[i..] {
                "d" => (&t[..i], 1),
                "w" => (&t[..i], 7),
                _ => return Err(BadStaleAfter(s.to_string())),
            },
        };
        num.parse::<u32>()
            .ok()
            .and_then(|n| n.checked_mul(per))
            .map(StaleAfter::days)
            .ok_or_else(|| BadStaleAfter(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_year_old_description_turns_stale_on_its_anniversary() {
        let t = StaleAfter::DEFAULT;
        let updated = Some(day("2025-12-04"));
        // 364 days old: current; the next day, 365 days old: stale.
        assert!(!t.is_stale(updated, day("2026-12-03")));
        assert!(t.is_stale(updated, day("2026-12-04")));
        assert_eq!(t.oldest_current(day("2026-12-03")), day("2025-12-04"));
        assert_eq!(t.oldest_current(day("2026-12-04")), day("2025-12-05"));
        assert!(t.is_stale(None, day("2026-12-03")));
    }

    #[test]
    fn the_rule_and_the_oldest_current_date_agree_for_any_threshold() {
        let today = day("2026-03-01");
        for days in [0, 1, 30, 365, 366, 730] {
            let t = StaleAfter::days(days);
            let edge = t.oldest_current(today);
            assert!(!t.is_stale(Some(edge), today), "{days}");
            assert!(t.is_stale(edge.pred_opt(), today), "{days}");
        }
    }

    #[test]
    fn thresholds_read_as_days_or_weeks() {
        assert_eq!("365".parse(), Ok(StaleAfter::days(365)));
        assert_eq!(" 730d".parse(), Ok(StaleAfter::days(730)));
        assert_eq!("52w".parse(), Ok(StaleAfter::days(364)));
        for bad in ["", "d", "a year", "12h", "-5", "99999999999"] {
            assert!(bad.parse::<StaleAfter>().is_err(), "{bad:?}");
        }
        assert_eq!(StaleAfter::DEFAULT.to_string(), "365d");
    }
}
