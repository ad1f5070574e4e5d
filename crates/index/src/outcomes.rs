//! Each team's verification outcome, in a small file beside the tantivy
//! index (`outcomes.tsv`) instead of in it.
//!
//! A crawl learns a team's outcome a host turn after its text, in the
//! crawl's last turn for every team at once. As tantivy documents, those
//! outcomes made the crawl's last commit a whole segment written after the
//! last team was done (20-35 ms on the crawl bench, most of tantivy's fixed
//! cost per segment). As a file, the last commit is one write and one
//! rename, and the index's own commit is skipped when no text changed.
//!
//! The file is replaced whole (written beside, synced, renamed over), so a
//! reader sees one version or the next. It is written after the tantivy
//! commit it goes with: a crash between the two leaves the new texts with
//! the old outcomes, which the next commit or `csirt index` puts right.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

/// The file's name in the index folder.
pub(crate) const FILE: &str = "outcomes.tsv";

/// How the temporary files of [`Outcomes::write`] begin.
pub(crate) const TEMP_PREFIX: &str = ".outcomes";

/// The first line's first words; a version number follows.
const HEADER: &str = "csirt-outcomes 1";

/// Every team's outcome code, and which write of the file this is.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Outcomes {
    /// Which write of the file this is ([`next_version`]): readers key
    /// what they derive from it by this. 0 when there is no file yet.
    pub(crate) version: u64,
    pub(crate) by_team: HashMap<u64, String>,
}

/// Why the file could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Reading failed.
    Io(io::Error),
    /// The content is not what [`Outcomes::write`] writes.
    Damaged,
}

impl Outcomes {
    /// Reads the file in `dir`; no file is no outcomes.
    pub(crate) fn read(dir: &Path) -> Result<Outcomes, ReadError> {
        let text = match std::fs::read_to_string(dir.join(FILE)) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Outcomes::default()),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => return Err(ReadError::Damaged),
            Err(e) => return Err(ReadError::Io(e)),
        };
        Outcomes::parse(&text).ok_or(ReadError::Damaged)
    }

    fn parse(text: &str) -> Option<Outcomes> {
        let mut lines = text.lines();
        let version = lines
            .next()?
            .strip_prefix(HEADER)?
            .strip_prefix(' ')?
            .parse()
            .ok()?;
        let mut by_team = HashMap::new();
        for line in lines {
            let (team, outcome) = line.split_once('\t')?;
            if outcome.is_empty() || outcome.contains('\t') {
                return None;
            }
            by_team.insert(team.parse().ok()?, outcome.to_string());
        }
        // A file cut short loses its last line's newline, or more.
        text.ends_with('\n')
            .then_some(Outcomes { version, by_team })
    }

    /// Replaces the file in `dir` with this content: written beside it,
    /// synced, renamed over it, and the folder synced.
    pub(crate) fn write(&self, dir: &Path) -> io::Result<()> {
        let mut teams: Vec<(&u64, &String)> = self.by_team.iter().collect();
        teams.sort_unstable();
        let mut text = String::with_capacity(32 + teams.len() * 16);
        text.push_str(HEADER);
        text.push(' ');
        text.push_str(&self.version.to_string());
        text.push('\n');
        for (team, outcome) in teams {
            text.push_str(&team.to_string());
            text.push('\t');
            text.push_str(outcome);
            text.push('\n');
        }
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)?;
        temp.write_all(text.as_bytes())?;
        temp.as_file().sync_data()?;
        temp.persist(dir.join(FILE)).map_err(|e| e.error)?;
        std::fs::File::open(dir)?.sync_data()
    }
}

/// The version of the file in `dir`, from its first line alone: what a
/// reader checks to see whether it has changed. None without a readable
/// one.
pub(crate) fn version(dir: &Path) -> Option<u64> {
    use std::io::Read;
    let mut head = Vec::with_capacity(64);
    std::fs::File::open(dir.join(FILE))
        .ok()?
        .take(64)
        .read_to_end(&mut head)
        .ok()?;
    let line = head.split(|b| *b == b'\n').next()?;
    std::str::from_utf8(line)
        .ok()?
        .strip_prefix(HEADER)?
        .strip_prefix(' ')?
        .parse()
        .ok()
}

/// A version for the next write after `previous`: the time in nanoseconds,
/// and always more than `previous`. A folder rebuilt from nothing does not
/// start again from 1, where a reader of the old one could take it for the
/// version it has.
pub(crate) fn next_version(previous: u64) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    now.max(previous + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some() -> Outcomes {
        Outcomes {
            version: 7,
            by_team: HashMap::from([(3, "valid".to_string()), (1, "unsigned".to_string())]),
        }
    }

    #[test]
    fn what_is_written_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        some().write(dir.path()).unwrap();
        assert_eq!(Outcomes::read(dir.path()).unwrap(), some());
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert_eq!(text, "csirt-outcomes 1 7\n1\tunsigned\n3\tvalid\n");
    }

    #[test]
    fn no_file_is_no_outcomes() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Outcomes::read(dir.path()).unwrap(), Outcomes::default());
        assert_eq!(version(dir.path()), None);
    }

    #[test]
    fn a_damaged_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for bad in [
            "",
            "something else\n",
            "csirt-outcomes 1 x\n",
            "csirt-outcomes 2 1\n",
            "csirt-outcomes 1 1\n3\tvalid",
            "csirt-outcomes 1 1\nthree\tvalid\n",
            "csirt-outcomes 1 1\n3 valid\n",
            "csirt-outcomes 1 1\n3\t\n",
        ] {
            std::fs::write(dir.path().join(FILE), bad).unwrap();
            assert!(
                matches!(Outcomes::read(dir.path()), Err(ReadError::Damaged)),
                "{bad:?}"
            );
        }
        std::fs::write(dir.path().join(FILE), b"csirt-outcomes 1 1\n\xff\tvalid\n").unwrap();
        assert!(matches!(
            Outcomes::read(dir.path()),
            Err(ReadError::Damaged)
        ));
    }

    #[test]
    fn the_version_is_read_from_the_first_line_and_only_grows() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = some();
        o.write(dir.path()).unwrap();
        assert_eq!(version(dir.path()), Some(7));
        o.version = next_version(o.version);
        assert!(o.version > 7);
        o.write(dir.path()).unwrap();
        assert_eq!(version(dir.path()), Some(o.version));
        assert_eq!(next_version(u64::MAX - 1), u64::MAX);
    }
}
