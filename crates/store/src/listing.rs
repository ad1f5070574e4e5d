//! What the public team directories (Trusted Introducer, FIRST, ENISA, a
//! list of one's own) say of a team: imported into the seed list, kept
//! with the team, compared with what the team's own document says.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::{Cached, Result, Store};

/// A team as the directories list it. Every value keeps which directories
/// gave it (`sources`, and `from` on keys).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Listing {
    /// Which directories list the team, and when each was imported.
    pub from: Vec<Provenance>,
    /// The short name a directory gives.
    pub short_name: Option<String>,
    /// The team's website.
    pub website: Option<String>,
    /// Contact e-mail addresses.
    pub emails: Vec<String>,
    /// OpenPGP keys, by fingerprint.
    pub keys: Vec<ListedKey>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The constituency as the directories state it.
    pub constituency: ListedConstituency,
    /// For each field (`website`, `emails`, `country`, `short_name`), the
    /// directories that gave it.
    pub sources: BTreeMap<String, Vec<String>>,
}

/// One directory's listing of the team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// `trusted-introducer`, `first`, `enisa`, or a list's own name.
    pub directory: String,
    /// When it was imported (YYYY-MM-DD).
    pub at: String,
}

/// A key a directory lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListedKey {
    /// Upper-case hex, no spaces.
    pub fingerprint: String,
    /// When it expires, as listed (YYYY-MM-DD).
    pub expires: Option<String>,
    /// The directories that list it.
    pub from: Vec<String>,
}

/// A constituency as a directory states it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListedConstituency {
    /// Kinds of constituency as the directory names them.
    pub types: Vec<String>,
    /// AS numbers.
    pub asns: Vec<u32>,
    /// Domains (wildcards dropped).
    pub domains: Vec<String>,
    /// CIDR prefixes.
    pub networks: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub countries: Vec<String>,
}

impl Listing {
    /// Whether no directory lists the team.
    pub fn is_empty(&self) -> bool {
        self.from.is_empty()
    }

    /// The directories that list `fingerprint` as the team's key: a
    /// second channel, independent of the document, that the key is the
    /// team's.
    pub fn key_confirmed_by(&self, fingerprint: &str) -> Vec<String> {
        self.keys
            .iter()
            .filter(|k| k.fingerprint.eq_ignore_ascii_case(fingerprint))
            .flat_map(|k| k.from.iter().cloned())
            .collect()
    }

    /// The directories as one phrase: "trusted-introducer, first".
    pub fn directories(&self) -> String {
        self.from
            .iter()
            .map(|p| p.directory.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Store {
    /// Records what the crawl's discovery of a team's document found (the
    /// `csirt_crawl::discover::Discovery`, as JSON): the next crawl starts
    /// from it.
    pub fn set_discovery(&self, team_id: i64, discovery_json: &str) -> Result<()> {
        self.conn
            .execute_cached(
                "UPDATE teams SET discovery = ?2 WHERE id = ?1",
                params![team_id, discovery_json],
            )
            .map_err(self.db())?;
        Ok(())
    }

    /// The last discovery of a team's document, as JSON.
    pub fn discovery(&self, team_id: i64) -> Result<Option<String>> {
        let json: Option<Option<String>> = self
            .conn
            .query_row_cached(
                "SELECT discovery FROM teams WHERE id = ?1",
                params![team_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db())?;
        Ok(json.flatten())
    }

    /// Records what the directories say of a team (none: nothing listed).
    pub fn set_listing(&self, team_id: i64, listing: Option<&Listing>) -> Result<()> {
        let json = listing
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::to_string(l).unwrap_or_default());
        self.conn
            .execute_cached(
                "UPDATE teams SET listing = ?2 WHERE id = ?1 AND listing IS NOT ?2",
                params![team_id, json],
            )
            .map_err(self.db())?;
        Ok(())
    }

    /// What the directories say of a team; none when nothing is listed or
    /// the stored listing does not read back.
    pub fn listing(&self, team_id: i64) -> Result<Option<Listing>> {
        let json: Option<Option<String>> = self
            .conn
            .query_row_cached(
                "SELECT listing FROM teams WHERE id = ?1",
                params![team_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db())?;
        Ok(json.flatten().and_then(|j| serde_json::from_str(&j).ok()))
    }
}
