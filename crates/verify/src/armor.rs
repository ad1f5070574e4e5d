//! ASCII-armoured blocks inside documents, and the deterministic repair of
//! the damage publishing pipelines do to them.
//!
//! A key block pasted into a word processor and exported to PDF or HTML comes
//! back with en-dashes for the `-----` markers, indentation, stray spaces, and
//! page headers or page numbers in the middle of the base64. Each of those is
//! undone here and written down as a [`Repair`], so a report can say that the
//! key it used is not byte-for-byte what was published.
//!
//! Repairs cannot make a forgery pass: a repaired key is only ever used as a
//! public key, a signature only verifies against the exact key that made it,
//! and sequoia still checks the key's self-signatures.

/// What an armoured block holds, from its `BEGIN PGP ...` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// `PUBLIC KEY BLOCK`
    PublicKey,
    /// `PRIVATE KEY BLOCK` (or the old `SECRET KEY BLOCK`)
    PrivateKey,
    /// `SIGNATURE`
    Signature,
    /// `MESSAGE`
    Message,
}

impl BlockKind {
    fn label(self) -> &'static str {
        match self {
            BlockKind::PublicKey => "PUBLIC KEY BLOCK",
            BlockKind::PrivateKey => "PRIVATE KEY BLOCK",
            BlockKind::Signature => "SIGNATURE",
            BlockKind::Message => "MESSAGE",
        }
    }

    fn from_label(s: &str) -> Option<Self> {
        Some(match s {
            "PUBLIC KEY BLOCK" => BlockKind::PublicKey,
            "PRIVATE KEY BLOCK" | "SECRET KEY BLOCK" => BlockKind::PrivateKey,
            "SIGNATURE" => BlockKind::Signature,
            "MESSAGE" => BlockKind::Message,
            _ => return None,
        })
    }
}

/// One change made to a block so that it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// 1-based line in the text the block was found in.
    pub line: usize,
    /// What was changed, for a human.
    pub what: String,
}

/// An armoured block found in a text, rebuilt in canonical form.
#[derive(Debug, Clone)]
pub struct Block {
    /// What the block holds.
    pub kind: BlockKind,
    /// 1-based line of the `BEGIN` marker.
    pub line: usize,
    /// The block in canonical armour, ready for an OpenPGP parser.
    pub armored: String,
    /// What had to be changed; empty when the block was intact.
    pub repairs: Vec<Repair>,
}

/// Finds every armoured block in `text`, repairing what can be repaired.
///
/// A `BEGIN` marker without its `END` yields a block cut where the text ends;
/// the OpenPGP parser then says what is missing.
pub fn find_blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((_, kind, begin_intact)) = marker(lines[i], "BEGIN") else {
            i += 1;
            continue;
        };
        let mut block = Block {
            kind,
            line: i + 1,
            armored: String::new(),
            repairs: Vec::new(),
        };
        if !begin_intact {
            block.repairs.push(Repair {
                line: i + 1,
                what: "rewrote a damaged BEGIN marker (dashes or spacing)".into(),
            });
        }
        let mut body: Vec<(usize, String)> = Vec::new();
        let mut j = i + 1;
        let mut ended = false;
        while j < lines.len() {
            if let Some((prefix, _, intact)) = marker(lines[j], "END") {
                // `=zXnW  -----END PGP ...`: the layout pulled the last data
                // line onto the marker's line.
                let data = lines[j][..prefix].trim();
                if !data.is_empty() {
                    body.push((j + 1, data.to_string()));
                }
                if !intact {
                    block.repairs.push(Repair {
                        line: j + 1,
                        what: "rewrote a damaged END marker (dashes or spacing)".into(),
                    });
                }
                ended = true;
                break;
            }
            if marker(lines[j], "BEGIN").is_some() {
                break;
            }
            body.push((j + 1, lines[j].to_string()));
            j += 1;
        }
        let (data, checksum) = clean_body(&body, &mut block.repairs);
        let label = kind.label();
        let mut a = format!("-----BEGIN PGP {label}-----\n\n");
        for l in &data {
            a.push_str(l);
            a.push('\n');
        }
        if let Some(c) = checksum {
            a.push_str(&c);
            a.push('\n');
        }
        a.push_str(&format!("-----END PGP {label}-----\n"));
        block.armored = a;
        blocks.push(block);
        i = if ended { j + 1 } else { j };
    }
    blocks
}

/// Whether `text` contains an OpenPGP private key block, damaged or not.
pub fn has_private_key(text: &str) -> bool {
    text.lines()
        .any(|l| matches!(marker(l, "BEGIN"), Some((_, BlockKind::PrivateKey, _))))
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// Finds a `-----BEGIN PGP X-----` or `-----END PGP X-----` marker in a
/// line, however mangled its dashes and spaces, and whatever shares the line
/// with it. Returns the length of the text before the marker, the block
/// kind, and whether the line was exactly the canonical marker.
fn marker(line: &str, which: &str) -> Option<(usize, BlockKind, bool)> {
    if !line.contains("PGP") {
        return None;
    }
    let pos = line.find(which)?;
    let before = &line[..pos];
    let lead = before.trim_end_matches(|c: char| is_dash(c) || c.is_whitespace());
    // The dashes must be there: a sentence that mentions "BEGIN PGP
    // SIGNATURE" is not an armour line.
    if !before[lead.len()..].chars().any(is_dash) {
        return None;
    }
    let rest = &line[pos + which.len()..];
    let stop = rest.find(is_dash)?;
    let words: Vec<&str> = rest[..stop].split_whitespace().collect();
    if words.len() < 2 || words[0] != "PGP" {
        return None;
    }
    let label = words[1..].join(" ");
    let kind = BlockKind::from_label(&label)?;
    let intact = line == format!("-----{which} PGP {label}-----");
    Some((lead.len(), kind, intact))
}

fn is_b64(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='
}

/// Splits the lines between the markers into armour headers (dropped: they
/// are advisory), base64 data and the CRC line, dropping what cannot be data.
///
/// Line breaks carry no meaning inside base64, so the data is joined and
/// re-wrapped: a line the PDF layout broke in two is mended that way.
fn clean_body(
    body: &[(usize, String)],
    repairs: &mut Vec<Repair>,
) -> (Vec<String>, Option<String>) {
    enum Row {
        Blank,
        Junk,
        Data(usize, String),
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut in_headers = true;
    let mut indented = Vec::new();
    let mut spaced = Vec::new();
    let mut junk = Vec::new();
    for (n, raw) in body {
        let t = raw.trim();
        if in_headers {
            if t.is_empty() {
                in_headers = false;
                continue;
            }
            if is_header(t) {
                continue;
            }
            in_headers = false;
        }
        if t.is_empty() {
            rows.push(Row::Blank);
            continue;
        }
        let squeezed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if !squeezed.chars().all(is_b64) {
            junk.push((*n, clip(t)));
            rows.push(Row::Junk);
            continue;
        }
        if t.len() != raw.len() {
            indented.push(*n);
        }
        if squeezed.len() != t.len() {
            spaced.push(*n);
        }
        rows.push(Row::Data(*n, squeezed));
    }
    // A page number is a short run of digits standing between a page's end
    // and the next page's header: next to a blank or junk line.
    let mut pages = Vec::new();
    let mut data: Vec<(usize, String)> = Vec::new();
    for k in 0..rows.len() {
        let Row::Data(n, l) = &rows[k] else { continue };
        let lonely = |r: Option<&Row>| matches!(r, None | Some(Row::Blank | Row::Junk));
        let isolated =
            lonely(k.checked_sub(1).and_then(|p| rows.get(p))) || lonely(rows.get(k + 1));
        let is_last = rows[k + 1..].iter().all(|r| !matches!(r, Row::Data(..)));
        if l.len() <= 4 && l.bytes().all(|b| b.is_ascii_digit()) && isolated && !is_last {
            pages.push((*n, l.clone()));
            continue;
        }
        data.push((*n, l.clone()));
    }
    let checksum = match data.last() {
        Some((_, l)) if l.len() == 5 && l.starts_with('=') => data.pop().map(|r| r.1),
        _ => None,
    };
    let widths: Vec<usize> = data.iter().map(|(_, l)| l.len()).collect();
    let rewrapped = widths.len() > 1 && widths[..widths.len() - 1].windows(2).any(|w| w[0] != w[1]);
    let note = |what: &str, lines: &[usize]| {
        lines.first().map(|&line| Repair {
            line,
            what: format!(
                "{what} ({} line{})",
                lines.len(),
                if lines.len() == 1 { "" } else { "s" }
            ),
        })
    };
    repairs.extend(note("removed indentation around base64", &indented));
    repairs.extend(note("removed spaces inside base64", &spaced));
    for (line, t) in junk {
        repairs.push(Repair {
            line,
            what: format!("dropped a line that is not base64: {t:?}"),
        });
    }
    for (line, t) in pages {
        repairs.push(Repair {
            line,
            what: format!("dropped a page number inside base64: {t:?}"),
        });
    }
    if rewrapped {
        let first = data.first().map_or(0, |d| d.0);
        repairs.push(Repair {
            line: first,
            what: "re-wrapped base64 lines broken by the layout".into(),
        });
    }
    let joined: String = data.into_iter().map(|(_, l)| l).collect();
    let wrapped = joined
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    (wrapped, checksum)
}

fn is_header(t: &str) -> bool {
    match t.split_once(": ") {
        Some((k, _)) => !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        None => false,
    }
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const B64: &str = "mDMEZQAAABYJKwYBBAHaRw8BAQdA0123456789abcdefghijklmnopqrstuvwxyz";

    #[test]
    fn intact_block_needs_no_repair() {
        let t = format!("x\n-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: hi\n\n{B64}\n{B64}\nAAAA\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n");
        let b = find_blocks(&t);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].kind, BlockKind::PublicKey);
        assert_eq!(b[0].line, 2);
        assert!(b[0].repairs.is_empty(), "{:?}", b[0].repairs);
        assert!(b[0].armored.contains("\n=abcd\n"));
    }

    #[test]
    fn en_dashes_page_furniture_and_indentation_are_repaired() {
        let t = format!("\u{2013}\u{2013}\u{2013}\u{2013}\u{2013}BEGIN PGP PUBLIC KEY BLOCK\u{2013}\u{2013}\u{2013}\u{2013}\u{2013}\n\n   {B64}\nCSIRT RFC 2350 - page 3\n12\n{B64}\nAB CD\n=abcd\n\u{2014}END PGP PUBLIC KEY BLOCK\u{2014}\n");
        let b = &find_blocks(&t)[0];
        let expect = format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{B64}\n{B64}\nABCD\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n");
        assert_eq!(b.armored, expect);
        assert_eq!(b.repairs.len(), 6, "{:#?}", b.repairs);
    }

    #[test]
    fn layout_broken_lines_are_rejoined_and_end_marker_split_off() {
        let (a, b) = B64.split_at(61);
        let t = format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{a}\n{b}\n{B64}\nAB\n=abcd  -----END  PGP PUBLIC  KEY BLOCK-----\n");
        let blk = &find_blocks(&t)[0];
        let expect = format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{B64}\n{B64}\nAB\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n");
        assert_eq!(blk.armored, expect);
        let what: Vec<&str> = blk.repairs.iter().map(|r| r.what.as_str()).collect();
        assert!(what.iter().any(|w| w.starts_with("re-wrapped")), "{what:?}");
    }

    #[test]
    fn private_key_is_seen_even_when_mangled() {
        assert!(has_private_key(
            "a\n\u{2014}BEGIN PGP PRIVATE KEY BLOCK\u{2014}\nxx"
        ));
        assert!(!has_private_key(
            "we never publish a BEGIN PGP PRIVATE KEY BLOCK"
        ));
    }

    #[test]
    fn unterminated_block_still_yields_a_block() {
        let b = find_blocks("-----BEGIN PGP SIGNATURE-----\n\nAAAA");
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].kind, BlockKind::Signature);
    }
}
