//! `GET /v1/changes.atom`: the directory's changes as an Atom feed (RFC
//! 4287), what the RFC's "distribution list for notifications" was meant to
//! be.

use std::fmt::Write as _;

use crate::snapshot::Snapshot;

use csirt_report::render::escape_markup as xml;

/// The feed document; `base` is the server's own URL prefix for links to
/// team records.
pub(crate) fn atom(s: &Snapshot, base: &str) -> String {
    let updated = s.feed.first().map_or(s.built, |e| e.updated);
    let mut out = String::with_capacity(512 + s.feed.len() * 400);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str("  <id>urn:csirt:changes</id>\n  <title>CSIRT directory: changes</title>\n");
    let _ = writeln!(out, "  <updated>{}</updated>", updated.to_rfc3339());
    out.push_str("  <author><name>csirt</name></author>\n");
    let _ = writeln!(
        out,
        "  <link rel=\"self\" href=\"{}/v1/changes.atom\"/>",
        xml(base)
    );
    for e in &s.feed {
        let _ = write!(
            out,
            "  <entry>\n    <id>{}</id>\n    <title>{}</title>\n    <updated>{}</updated>\n    <link href=\"{}/teams/{}\"/>\n",
            xml(&e.id),
            xml(&e.title),
            e.updated.to_rfc3339(),
            xml(base),
            e.team_id
        );
        if e.url.starts_with("https://") || e.url.starts_with("http://") {
            let _ = writeln!(out, "    <link rel=\"related\" href=\"{}\"/>", xml(&e.url));
        }
        let _ = writeln!(out, "    <summary>{}</summary>\n  </entry>", xml(&e.title));
    }
    out.push_str("</feed>\n");
    out
}
