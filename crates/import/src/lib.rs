//! The public CSIRT directories read and merged into the seed list.
//!
//! The Trusted Introducer, FIRST and ENISA each list hundreds of teams with
//! their names, websites, e-mail addresses, countries and often their key
//! fingerprints, but not where their RFC 2350 documents are; the crawler
//! finds those (`csirt_crawl::discover`). This crate reads the
//! directories' formats ([`read`]: `teams.json`, the FIRST API's pages,
//! `tool_data.json`, a CSV of one's own) and merges them into a seed file
//! ([`merge`]): one team per [`Identity`] (its website's registrable domain
//! and its normalised short name, never edit distance), every value with
//! the directories that gave it, hand-written teams and comments left as
//! they are, the file replaced whole ([`replace_file`]).
//!
//! What it is not: it fetches nothing (the binary fetches a URL the way
//! the crawler does) and judges nothing (the report compares a directory's
//! word with the team's own document).
//!
//! ```
//! use csirt_import::{merge, read, Directory};
//!
//! let csv = b"name,website,email,country\nXYZ-CERT,www.xyz-univ.ca,cert@xyz-univ.ca,CA\n";
//! let teams = read(Directory::Csv, csv).unwrap().teams;
//! let (seeds, merged) = merge("# our teams\n", teams, Directory::Csv, "2026-12-03").unwrap();
//! assert!(seeds.starts_with("# our teams"));
//! assert_eq!(merged.added, ["XYZ-CERT"]);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod formats;
pub mod merge;

pub use formats::{fingerprint, read, Directory, Listed, NotTheFormat, Read, Skipped};
pub use merge::{merge, normalise, registrable, replace_file, Identity, Merged, SeedFileError};
