//! What `/v1/report` and `/report` filter by, read and applied one way:
//! the teams a report covers (country, unsigned, stale) and the findings
//! it lists (at least a severity, one code).

use std::sync::Arc;

use chrono::NaiveDate;
use csirt_report::{Finding, FindingCode, Report, Severity, StaleAfter, TeamState};

use crate::Snapshot;

/// The teams a report covers.
#[derive(Debug, Default, Clone)]
pub(crate) struct Teams<'a> {
    /// Only teams of this country (ISO 3166-1, any case).
    pub(crate) country: Option<&'a str>,
    /// Only teams without a valid signature.
    pub(crate) unsigned: bool,
    /// Only stale teams.
    pub(crate) stale: bool,
}

impl Teams<'_> {
    fn keeps(&self, t: &TeamState) -> bool {
        self.country.is_none_or(|c| t.in_country(c))
            && (!self.unsigned || !t.outcome.is_some_and(|o| o.is_valid()))
            && (!self.stale || t.stale)
    }

    fn all(&self) -> bool {
        self.country.is_none() && !self.unsigned && !self.stale
    }
}

/// The findings a report lists.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Findings {
    min: Severity,
    code: Option<FindingCode>,
}

impl Findings {
    /// Reads `severity` (`error`, `warning`, `notice`; none is `notice`)
    /// and `code` (a finding code; none is any), or says what was wrong.
    pub(crate) fn parse(severity: Option<&str>, code: Option<&str>) -> Result<Findings, String> {
        let min = match severity {
            None | Some("notice") => Severity::Notice,
            Some("warning") => Severity::Warning,
            Some("error") => Severity::Error,
            Some(other) => {
                return Err(format!(
                    "severity must be error, warning or notice, not {other:?}"
                ))
            }
        };
        let code = code
            .map(|c| c.parse::<FindingCode>().map_err(|e| e.to_string()))
            .transpose()?;
        Ok(Findings { min, code })
    }

    pub(crate) fn keeps(&self, f: &Finding) -> bool {
        f.severity >= self.min && self.code.is_none_or(|c| f.code == c)
    }
}

impl Snapshot {
    /// The report judged on `day` with `stale_after` over the teams
    /// `teams` keeps: the snapshot's own (made once per day and
    /// threshold) when it keeps them all, since only a team filter
    /// changes the summary.
    pub(crate) fn report_of(
        &self,
        day: NaiveDate,
        stale_after: StaleAfter,
        teams: &Teams<'_>,
    ) -> Arc<Report> {
        if teams.all() {
            return self.report(day, stale_after);
        }
        Arc::new(Report::build(
            &self.subjects,
            &crate::snapshot::report_options(day, stale_after),
            |t| teams.keeps(t),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_filters_say_what_was_wrong() {
        assert!(Findings::parse(None, None).is_ok());
        assert!(Findings::parse(Some("fatal"), None)
            .unwrap_err()
            .contains("error, warning or notice"));
        assert!(Findings::parse(None, Some("nonsense")).is_err());
        assert!(Findings::parse(Some("warning"), Some("bad-signature")).is_ok());
    }
}
