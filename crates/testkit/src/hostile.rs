//! Hostile documents, generated: the shapes of input that have stalled or
//! could stall a parser, each about a chosen size.
//!
//! The tests parse every member and assert an outcome (a record, or a coded
//! error); `cargo bench --bench hostile` parses them at 10 MB and prints
//! seconds per MB and peak memory. Nothing here is random from run to run:
//! the "random" bytes come from a fixed seed.

/// One hostile document.
#[derive(Debug, Clone)]
pub struct Hostile {
    /// What it is, as a file name whose extension is the format's hint.
    pub name: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Every member of the family, each about `size` bytes (a few are
/// inherently smaller or larger, such as the clear-signed document of
/// 300,000 dash-escaped lines).
pub fn family(size: usize) -> Vec<Hostile> {
    let h = |name, bytes| Hostile { name, bytes };
    vec![
        h("deep-div.html", nested("<div>", "</div>", size)),
        h("unclosed-tags.html", repeat("<div><b><i><span>x", size)),
        h("nested-links.html", repeat("<a href=\"/x\">", size)),
        h("nested-tables.html", repeat("<table><tr><td>", size)),
        h(
            "formatting-with-attributes.html",
            numbered(|i| format!("<b class=\"c{i}\"><p>t"), size),
        ),
        h("many-elements.html", repeat("<p>x</p>", size)),
        h(
            "deep-quotes.md",
            repeat(&(">".repeat(5_000) + " text\n"), size),
        ),
        h("deep-brackets.md", nested("[", "](", size / 2)),
        h("many-links.md", repeat("[a](b) ", size)),
        h("one-line.txt", single_line(size)),
        h("nul-bytes.txt", nul_bytes(size)),
        h("random-bytes.bin", random_bytes(size)),
        h("colons.txt", repeat("a:", size)),
        h("page-tree-loop.pdf", pdf_page_tree_loop(size)),
        h("inflate-bomb.pdf", pdf_inflate_bomb(size)),
        h("dash-escaped.asc", dash_escaped(300_000)),
        h("armor-header-injection.asc", armor_header_injection(size)),
    ]
}

fn repeat(unit: &str, size: usize) -> Vec<u8> {
    unit.repeat((size / unit.len()).max(1)).into_bytes()
}

fn numbered(unit: impl Fn(usize) -> String, size: usize) -> Vec<u8> {
    let mut out = String::with_capacity(size);
    let mut i = 0;
    while out.len() < size {
        out.push_str(&unit(i));
        i += 1;
    }
    out.into_bytes()
}

/// `open` n times, a team name, `close` n times: `size` bytes in all.
fn nested(open: &str, close: &str, size: usize) -> Vec<u8> {
    let n = (size / (open.len() + close.len())).max(1);
    let mut s = open.repeat(n);
    s.push_str("2.1 Name of the Team\nDEEP-CERT\n");
    s.push_str(&close.repeat(n));
    s.into_bytes()
}

/// A description's labels and values with no line break at all.
fn single_line(size: usize) -> Vec<u8> {
    repeat(
        "2.1 Name of the Team: ONE-CERT 2.7 Electronic Mail Address: cert@example.org \
         2.8 Public Keys: 1234 5678 9ABC DEF0 1234 5678 9ABC DEF0 1234 5678 \
         Date of Last Update: 2026-01-01 ",
        size,
    )
}

fn nul_bytes(size: usize) -> Vec<u8> {
    let unit = b"2.1 Name\0 of the Team\0\nNUL\0-CERT\0\n\0\0\0\0";
    unit.iter().copied().cycle().take(size).collect()
}

/// xorshift64 from a fixed seed: the same bytes every run.
fn random_bytes(size: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A PDF with the given objects (numbered from 1) and a correct
/// cross-reference table.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

const FONT: &str = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

/// A page tree whose node lists itself among its kids, with a page of
/// text after it.
fn pdf_page_tree_loop(size: usize) -> Vec<u8> {
    let text = repeat(
        "BT /F1 12 Tf 72 720 Td (2.1 Name of the Team LOOP-CERT) Tj ET\n",
        size,
    );
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        stream("", &text),
        FONT.as_bytes().to_vec(),
    ])
}

/// A page whose content stream inflates to about a thousand times the
/// file's size (a 10 MB file: about 10 GB of zeros).
fn pdf_inflate_bomb(size: usize) -> Vec<u8> {
    let data = zeros_deflated((size / 1024).max(1));
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        stream("/Filter /FlateDecode", &data),
        FONT.as_bytes().to_vec(),
    ])
}

/// A zlib stream of `mib` MiB of zeros, built without compressing them:
/// one MiB is compressed with a full flush, which ends byte-aligned and
/// forgets the history, so its block can be repeated; then a final empty
/// block and the checksum of all the zeros.
pub fn zeros_deflated(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let zeros = vec![0u8; 1 << 20];
    let mut c = Compress::new(Compression::best(), true);
    let mut first = Vec::with_capacity(1 << 16);
    c.compress_vec(&zeros, &mut first, FlushCompress::Full)
        .expect("deflate");
    assert_eq!(c.total_in(), 1 << 20, "the MiB fits one call");
    let (header, block) = first.split_at(2);
    let mut out = header.to_vec();
    for _ in 0..mib {
        out.extend_from_slice(block);
    }
    // BFINAL, fixed Huffman codes, end of block: ten bits.
    out.extend_from_slice(&[0x03, 0x00]);
    // Adler-32 of n zeros: a stays 1, b counts the bytes.
    let b = ((mib as u64) << 20) % 65_521;
    out.extend_from_slice(&((b << 16 | 1) as u32).to_be_bytes());
    out
}

/// A clear-signed message of `lines` dash-escaped lines, with a signature
/// block that is not a signature.
fn dash_escaped(lines: usize) -> Vec<u8> {
    let mut s = String::from(
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n2.1 Name of the Team\nDASH-CERT\n",
    );
    for i in 0..lines {
        s.push_str("- -----BEGIN PGP SIGNATURE----- ");
        s.push_str(&i.to_string());
        s.push('\n');
    }
    s.push_str(
        "-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n",
    );
    s.into_bytes()
}

/// Armour headers that go on and on, carry armour lines of their own, and
/// a message that opens again inside itself.
fn armor_header_injection(size: usize) -> Vec<u8> {
    let mut s = String::from("-----BEGIN PGP SIGNED MESSAGE-----\n");
    let unit = "Hash: SHA256\nComment: -----BEGIN PGP SIGNATURE-----\n";
    s.push_str(&unit.repeat((size / 2 / unit.len()).max(1)));
    s.push_str("\n2.1 Name of the Team\nARMOR-CERT\n");
    let inner = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA1\n\n";
    s.push_str(&inner.repeat((size / 2 / inner.len()).max(1)));
    s.push_str("-----BEGIN PGP SIGNATURE-----\n\n=abcd\n-----END PGP SIGNATURE-----\n");
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_bomb_inflates_to_what_it_says() {
        let z = zeros_deflated(3);
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(&z[..])
            .read_to_end(&mut out)
            .expect("a valid zlib stream, checksum included");
        assert_eq!(out.len(), 3 << 20);
        assert!(out.iter().all(|&b| b == 0));
        assert!(z.len() < 8 << 10, "{} bytes", z.len());
    }

    #[test]
    fn members_are_about_the_size_asked() {
        for h in family(1 << 20) {
            let n = h.bytes.len();
            if h.name.ends_with(".asc") && h.name.starts_with("dash") {
                continue;
            }
            assert!((1 << 19..=2 << 20).contains(&n), "{}: {n} bytes", h.name);
        }
    }
}
