//! No input may panic the parser: seeded mutations of every fixture
//! (byte flips, insertions, truncations, splices) and a few hostile shapes.

use csirt_parse::{parse, Options};

/// xorshift64*: a small deterministic generator so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const NASTY: &[&[u8]] = &[
    b"-----BEGIN PGP SIGNED MESSAGE-----",
    b"-----BEGIN PGP SIGNATURE-----",
    b"\n1.1 Date of Last Update\n",
    b"<h2>",
    b"</pre>",
    b"<?php",
    b"{{",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\r",
    b"\x00",
    "年".as_bytes(),
    b"(at)",
    b"%PDF-1.4",
    b"0x",
    b"Fingerprint: ",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(8) {
        match rng.below(5) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(v.len() + 1);
                let piece = NASTY[rng.below(NASTY.len())];
                v.splice(i..i, piece.iter().copied());
            }
            2 if !v.is_empty() => {
                let n = rng.below(v.len());
                v.truncate(n);
            }
            3 if v.len() > 2 => {
                let a = rng.below(v.len());
                let b = rng.below(v.len());
                let (a, b) = (a.min(b), a.max(b));
                let chunk = v[a..b].to_vec();
                let at = rng.below(v.len());
                v.splice(at..at, chunk);
            }
            _ => v.push(rng.next() as u8),
        }
    }
    v
}

#[test]
fn mutated_fixtures_never_panic() {
    // Mutated PDFs can send the PDF library into a loop of hours (the
    // fuzzer found one); `csirt` runs it in a child process it stops, which
    // a test in this process cannot. Here a PDF's "pages" are its bytes cut
    // at form feeds, so that our code after the library is what is tested.
    csirt_parse::pdf::set_pages_reader(|bytes| {
        Ok(String::from_utf8_lossy(bytes)
            .split('\x0C')
            .map(str::to_string)
            .collect())
    });
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut rng = Rng(0x5EED_CAFE_F00D_D00D);
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        // Folders hold other inputs than documents (directory files).
        if path.is_dir() {
            continue;
        }
        let bytes = std::fs::read(path).expect("fixture");
        for _ in 0..60 {
            let m = mutate(&mut rng, &bytes);
            let r = parse(&m, "mutant", &Options::default());
            assert_eq!(r.source, "mutant");
            n += 1;
        }
    }
    assert!(n > 500);
}

#[test]
fn hostile_shapes() {
    let long_line = "1.1 Date of Last Update ".repeat(40_000);
    let deep_html = "<div>".repeat(20_000) + "2.1 Name of the Team" + &"</div>".repeat(20_000);
    let many_colons = "Time Zone: ".repeat(50_000);
    let hex = "ABCD ".repeat(100_000);
    let braces = "{".repeat(100_000);
    for input in [
        long_line.as_str(),
        deep_html.as_str(),
        many_colons.as_str(),
        hex.as_str(),
        braces.as_str(),
        "",
        "\n\n\n",
        "-----BEGIN PGP SIGNED MESSAGE-----",
    ] {
        let _ = parse(input.as_bytes(), "hostile", &Options::default());
    }
}

#[test]
fn oversized_input_is_truncated_and_reported() {
    let opts = Options {
        max_bytes: 1024,
        ..Options::default()
    };
    let r = parse(&vec![b'a'; 4096], "big", &opts);
    assert!(r.diagnostics.iter().any(|d| d.code.as_str() == "truncated"));
}

#[test]
fn a_document_past_its_budget_is_a_record_that_says_so() {
    let opts = Options::default().with_budget(std::time::Duration::ZERO);
    let doc = b"2.1 Name of the Team\nXYZ-CERT\n2.3 Time Zone\nCET\n2.7 Electronic Mail Address\ncert@example.org\n";
    let r = parse(doc, "slow.txt", &opts);
    let over: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "budget-exceeded")
        .collect();
    assert_eq!(over.len(), 1, "{:?}", r.diagnostics);
    assert!(over[0].message.contains("after the text was extracted"));
    // Without a budget the same bytes are read whole.
    let r = parse(doc, "slow.txt", &Options::default());
    assert_eq!(r.team.name.as_deref(), Some("XYZ-CERT"));
}
