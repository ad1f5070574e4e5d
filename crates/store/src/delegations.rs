//! The RIRs' delegations: which country each block of addresses and AS
//! numbers is delegated to, as their public "delegated-extended" statistics
//! files say. Lookups use them only to name the country of an address no
//! team states, so that its national team answers.

use rusqlite::params;

use crate::{Cached, Result, Store};

/// One delegated block, as its RIR's file states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    /// `ipv4`, `ipv6` or `asn`.
    pub kind: String,
    /// The first address or AS number, as written.
    pub start: String,
    /// For `ipv4` and `asn`, how many; for `ipv6`, the prefix length.
    pub value: u64,
    /// ISO 3166-1 alpha-2.
    pub cc: String,
}

impl Store {
    /// Replaces the delegations of `registry` (one RIR's file) in one
    /// transaction: a reader sees the old file's blocks or the new one's.
    pub fn replace_delegations(&mut self, registry: &str, rows: &[Delegation]) -> Result<usize> {
        let db_path = self.db_path.clone();
        let db = move |source| crate::Error::Db {
            path: db_path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&db)?;
        tx.execute(
            "DELETE FROM delegations WHERE registry = ?1",
            params![registry],
        )
        .map_err(&db)?;
        for r in rows {
            tx.execute_cached(
                "INSERT INTO delegations (registry, kind, start, value, cc) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![registry, r.kind, r.start, r.value as i64, r.cc],
            )
            .map_err(&db)?;
        }
        tx.commit().map_err(&db)?;
        Ok(rows.len())
    }

    /// Every delegation of every registry imported.
    pub fn delegations(&self) -> Result<Vec<Delegation>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, start, value, cc FROM delegations")
            .map_err(self.db())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Delegation {
                    kind: r.get(0)?,
                    start: r.get(1)?,
                    value: r.get::<_, i64>(2)? as u64,
                    cc: r.get(3)?,
                })
            })
            .map_err(self.db())?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(self.db())
    }

    /// Registries imported, with how many blocks each.
    pub fn registries(&self) -> Result<Vec<(String, usize)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT registry, count(*) FROM delegations GROUP BY registry ORDER BY registry",
            )
            .map_err(self.db())?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)))
            .map_err(self.db())?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(self.db())
    }
}
