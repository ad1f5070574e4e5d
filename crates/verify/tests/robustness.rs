//! Hostile bytes never panic the verifier: seeded mutants of real armour,
//! clear-signed messages, key blocks and signatures, and odd shapes.

use chrono::DateTime;
use csirt_testkit::pgp::TestKey;
use csirt_verify::{armor, cleartext, verify, Input, KeySource, Keyring};
use sequoia_openpgp as openpgp;

use openpgp::serialize::SerializeInto;

/// SplitMix64: the same mutants on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(r: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..=r.below(4) {
        match r.below(5) {
            0 if !v.is_empty() => {
                let i = r.below(v.len());
                v[i] ^= 1 << r.below(8);
            }
            1 => v.truncate(r.below(v.len() + 1)),
            2 => {
                let i = r.below(v.len() + 1);
                let junk: &[u8] = [
                    &b"\n-----END PGP SIGNATURE-----\n"[..],
                    b"- ",
                    b"\r",
                    b"\xe2\x80\x93\xe2\x80\x93",
                    b"=",
                    b"\0",
                    b"\n\n",
                ][r.below(7)];
                v.splice(i..i, junk.iter().copied());
            }
            3 if v.len() > 2 => {
                let a = r.below(v.len());
                let b = (a + r.below(64)).min(v.len());
                v.drain(a..b);
            }
            _ => {
                let i = r.below(v.len() + 1);
                let b = (r.next() & 0xff) as u8;
                v.insert(i, b);
            }
        }
    }
    v
}

#[test]
fn mutants_of_signed_material_never_panic() {
    let k = TestKey::new("T <t@example.org>");
    let cert = k.cert.clone();
    let doc = b"1. Document Information\n2.8 Public Keys\n".to_vec();
    let sig_bin = k.sign(&doc);
    let sig_asc = csirt_testkit::pgp::armored_signature(&sig_bin);
    let key_asc = cert.armored().to_vec().unwrap();
    let clear = format!(
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n{}-----BEGIN PGP SIGNATURE-----\n\n{}\n-----END PGP SIGNATURE-----\n",
        String::from_utf8_lossy(&doc),
        String::from_utf8_lossy(&sig_asc).lines().filter(|l| !l.starts_with("-----") && !l.is_empty()).collect::<Vec<_>>().join("\n")
    );
    let mut ring = Keyring::new();
    ring.add_bytes(&key_asc, KeySource::Bytes("k".into()));
    let at = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
    let mut r = Rng(2350);
    for round in 0..400 {
        let s1 = mutate(&mut r, &sig_bin);
        let s2 = mutate(&mut r, &sig_asc);
        let k = mutate(&mut r, &key_asc);
        let c = mutate(&mut r, clear.as_bytes());
        let d = mutate(&mut r, &doc);
        for s in [&s1, &s2] {
            let mut i = Input::new(&d, at);
            i.signature = Some(s);
            let _ = verify(&i, &[&ring]);
        }
        let _ = verify(&Input::new(&c, at), &[&ring]);
        let _ = cleartext::split(&c);
        let mut kr = Keyring::new();
        kr.add_bytes(&k, KeySource::Bytes(format!("mutant {round}")));
        let text = String::from_utf8_lossy(&k);
        let _ = armor::find_blocks(&text);
        kr.add_embedded(&text);
        kr.add_embedded(&String::from_utf8_lossy(&c));
    }
}

#[test]
fn odd_shapes_never_panic() {
    let at = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
    let ring = Keyring::new();
    let dashes = "\u{2013}".repeat(10_000);
    let shapes: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"-----BEGIN PGP SIGNED MESSAGE-----".to_vec(),
        b"-----BEGIN PGP SIGNED MESSAGE-----\n\n-----BEGIN PGP SIGNATURE-----\n-----END PGP SIGNATURE-----".to_vec(),
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n".repeat(5_000).into_bytes(),
        format!("{dashes}BEGIN PGP PUBLIC KEY BLOCK{dashes}\n{}\n", "A".repeat(200_000)).into_bytes(),
        vec![0xff; 100_000],
        b"\xc2\x00".repeat(50_000),
        b"-----BEGIN PGP SIGNATURE-----\n\n=====\n-----END PGP SIGNATURE-----\n".to_vec(),
    ];
    for s in &shapes {
        let mut i = Input::new(s, at);
        let _ = verify(&i, &[&ring]);
        i.signature = Some(s);
        let _ = verify(&i, &[&ring]);
        let mut kr = Keyring::new();
        kr.add_bytes(s, KeySource::Bytes("shape".into()));
        kr.add_embedded(&String::from_utf8_lossy(s));
    }
}
