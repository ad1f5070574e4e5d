//! Every outcome from real keys and signatures made here with sequoia, at
//! chosen times (GnuPG interoperability is in the workspace's `tests/`).

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use csirt_testkit::pgp::TestKey;
use csirt_verify::{verify, Input, KeySource, Keyring, Outcome};
use sequoia_openpgp as openpgp;

use openpgp::cert::prelude::*;
use openpgp::packet::signature::SignatureBuilder;
use openpgp::serialize::{Marshal, SerializeInto};
use openpgp::types::{HashAlgorithm, SignatureType};
use openpgp::Packet;

const DOC: &[u8] =
    b"1. Document Information\n2. Contact Information\n2.1 Name of the Team\nXYZ-CERT\n";
const DAY: Duration = Duration::from_secs(86_400);

fn t(days_after_2020: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800) + DAY * days_after_2020 as u32
}

fn utc(s: SystemTime) -> DateTime<Utc> {
    DateTime::<Utc>::from(s)
}

/// A certificate created at `created`, valid for `valid` (forever if None).
fn cert(created: SystemTime, valid: Option<Duration>) -> Cert {
    TestKey::made("XYZ-CERT <xyz-cert@example.org>", created, valid).cert
}

/// A binary signature by `cert` made at `at`, whatever the policy would
/// say of it (SHA-1, an expired key: what a real signer can make).
fn sign(
    cert: &Cert,
    at: SystemTime,
    hash: HashAlgorithm,
    typ: SignatureType,
    msg: &[u8],
) -> Vec<u8> {
    TestKey { cert: cert.clone() }.sign_as(msg, at, hash, typ)
}

fn keyring(certs: &[&Cert]) -> Keyring {
    let mut k = Keyring::new();
    for c in certs {
        let bytes = c.armored().to_vec().unwrap();
        assert_eq!(k.add_bytes(&bytes, KeySource::Bytes("test".into())), 1);
    }
    k
}

fn run(
    doc: &[u8],
    sig: &[u8],
    kr: &Keyring,
    stated: &Cert,
    at: SystemTime,
) -> csirt_verify::Report {
    let mut input = Input::new(doc, utc(at));
    input.signature = Some(sig);
    input.stated_fingerprints = vec![stated.fingerprint().to_hex()];
    verify(&input, &[kr])
}

#[test]
fn good_signature_by_the_stated_key_is_valid() {
    let c = cert(t(0), None);
    let sig = sign(&c, t(10), HashAlgorithm::SHA256, SignatureType::Binary, DOC);
    let r = run(DOC, &sig, &keyring(&[&c]), &c, t(20));
    assert_eq!(r.outcome, Outcome::Valid, "{}", r.detail);
    let signer = r.signer.unwrap();
    assert_eq!(signer.fingerprint, c.fingerprint().to_hex());
    assert_eq!(
        signer.user_id.as_deref(),
        Some("XYZ-CERT <xyz-cert@example.org>")
    );
    assert_eq!(r.created, Some(utc(t(10))));
    assert_eq!(r.hash_algorithm.as_deref(), Some("SHA256"));
    assert_eq!(r.signer_is_stated, Some(true));
}

#[test]
fn changed_bytes_are_a_bad_signature() {
    let c = cert(t(0), None);
    let sig = sign(&c, t(10), HashAlgorithm::SHA256, SignatureType::Binary, DOC);
    let mut doc = DOC.to_vec();
    doc[5] ^= 1;
    let r = run(&doc, &sig, &keyring(&[&c]), &c, t(20));
    assert_eq!(r.outcome, Outcome::BadSignature);
    assert!(r.signer.is_none(), "a bad signature names no signer");
}

#[test]
fn a_key_that_is_not_in_the_keyring_is_unknown() {
    let c = cert(t(0), None);
    let other = cert(t(0), None);
    let sig = sign(&c, t(10), HashAlgorithm::SHA256, SignatureType::Binary, DOC);
    let r = run(DOC, &sig, &keyring(&[&other]), &c, t(20));
    assert_eq!(r.outcome, Outcome::UnknownKey);
    assert!(r.issuer.is_some());
}

#[test]
fn a_good_signature_by_another_key_is_not_the_stated_key() {
    let team = cert(t(0), None);
    let intruder = cert(t(0), None);
    let sig = sign(
        &intruder,
        t(10),
        HashAlgorithm::SHA256,
        SignatureType::Binary,
        DOC,
    );
    let r = run(DOC, &sig, &keyring(&[&team, &intruder]), &team, t(20));
    assert_eq!(r.outcome, Outcome::SignerNotStatedKey);
    assert_eq!(r.signer_is_stated, Some(false));
}

#[test]
fn a_key_expired_after_signing_is_valid_key_expired_since() {
    let c = cert(t(0), Some(DAY * 100));
    let sig = sign(&c, t(10), HashAlgorithm::SHA256, SignatureType::Binary, DOC);
    let r = run(DOC, &sig, &keyring(&[&c]), &c, t(400));
    assert_eq!(r.outcome, Outcome::ValidKeyExpiredSince, "{}", r.detail);
    assert_eq!(r.key_expires, Some(utc(t(100))));
    // And before it expired, plainly valid.
    let r = run(DOC, &sig, &keyring(&[&c]), &c, t(50));
    assert_eq!(r.outcome, Outcome::Valid);
}

#[test]
fn a_key_expired_when_signing_is_expired_key() {
    let c = cert(t(0), Some(DAY * 100));
    let sig = sign(
        &c,
        t(200),
        HashAlgorithm::SHA256,
        SignatureType::Binary,
        DOC,
    );
    let r = run(DOC, &sig, &keyring(&[&c]), &c, t(400));
    assert_eq!(r.outcome, Outcome::ExpiredKey, "{}", r.detail);
}

#[test]
fn a_revoked_key_is_revoked() {
    let (c, rev) = CertBuilder::general_purpose(Some("XYZ-CERT"))
        .set_creation_time(t(0))
        .generate()
        .unwrap();
    let sig = sign(&c, t(10), HashAlgorithm::SHA256, SignatureType::Binary, DOC);
    let revoked = c.clone().insert_packets(rev).unwrap().0;
    let r = run(DOC, &sig, &keyring(&[&revoked]), &c, t(20));
    assert_eq!(r.outcome, Outcome::RevokedKey, "{}", r.detail);
}

#[test]
fn sha1_data_signatures_are_weak() {
    let c = cert(t(0), None);
    let sig = sign(&c, t(10), HashAlgorithm::SHA1, SignatureType::Binary, DOC);
    let r = run(DOC, &sig, &keyring(&[&c]), &c, t(20));
    assert_eq!(r.outcome, Outcome::WeakAlgorithm, "{}", r.detail);
    assert_eq!(r.hash_algorithm.as_deref(), Some("SHA1"));
}

#[test]
fn text_signatures_verify_over_lf_and_crlf_copies() {
    let c = cert(t(0), None);
    // A text signature is computed over the CRLF form (RFC 9580, 5.2.1.2);
    // sequoia's low-level builder leaves that step to its caller.
    let crlf = String::from_utf8(DOC.to_vec())
        .unwrap()
        .replace('\n', "\r\n");
    let sig = sign(
        &c,
        t(10),
        HashAlgorithm::SHA256,
        SignatureType::Text,
        crlf.as_bytes(),
    );
    for doc in [DOC, crlf.as_bytes()] {
        let r = run(doc, &sig, &keyring(&[&c]), &c, t(20));
        assert_eq!(r.outcome, Outcome::Valid, "{}", r.detail);
    }
}

#[test]
fn binary_signatures_do_not_survive_a_line_ending_change() {
    let c = cert(t(0), None);
    let sig = sign(&c, t(10), HashAlgorithm::SHA256, SignatureType::Binary, DOC);
    let crlf = String::from_utf8(DOC.to_vec())
        .unwrap()
        .replace('\n', "\r\n");
    let r = run(crlf.as_bytes(), &sig, &keyring(&[&c]), &c, t(20));
    assert_eq!(r.outcome, Outcome::BadSignature);
}

#[test]
fn an_embedded_key_damaged_by_publishing_is_repaired_and_used() {
    let c = cert(t(0), None);
    let armored = String::from_utf8(c.armored().to_vec().unwrap()).unwrap();
    // What a word processor and a PDF export do to it.
    let mut damaged = String::new();
    for (i, line) in armored.lines().enumerate() {
        let line = line.replace("-----", "\u{2013}\u{2013}\u{2013}\u{2013}\u{2013}");
        damaged.push_str("    ");
        damaged.push_str(&line);
        damaged.push('\n');
        if i == 6 {
            damaged.push_str("\nXYZ-CERT RFC 2350 description, page 2\n\n7\n");
        }
    }
    let doc = format!("1. Document Information\n2.8 Public Keys\n{damaged}\n");
    let mut embedded = Keyring::new();
    let repairs = embedded.add_embedded(&doc);
    assert!(!repairs.is_empty());
    assert_eq!(
        embedded.fingerprints(),
        [c.fingerprint().to_hex()],
        "{:?}",
        embedded.problems
    );

    let sig = sign(
        &c,
        t(10),
        HashAlgorithm::SHA256,
        SignatureType::Binary,
        doc.as_bytes(),
    );
    let r = run(doc.as_bytes(), &sig, &embedded, &c, t(20));
    assert_eq!(r.outcome, Outcome::Valid, "{}", r.detail);
    assert!(r.key_repaired);

    // A repaired key never turns changed bytes into a good signature.
    let tampered = doc.replace("XYZ-CERT", "XYZ-CERF");
    let r = run(tampered.as_bytes(), &sig, &embedded, &c, t(20));
    assert_eq!(r.outcome, Outcome::BadSignature);
}

#[test]
fn the_best_of_several_signatures_decides() {
    let team = cert(t(0), None);
    let other = cert(t(0), None);
    let mut sigs = sign(
        &other,
        t(10),
        HashAlgorithm::SHA256,
        SignatureType::Binary,
        DOC,
    );
    sigs.extend(sign(
        &team,
        t(10),
        HashAlgorithm::SHA256,
        SignatureType::Binary,
        DOC,
    ));
    let r = run(DOC, &sigs, &keyring(&[&team]), &team, t(20));
    assert_eq!(r.outcome, Outcome::Valid, "{}", r.detail);
}

#[test]
fn a_signature_without_a_creation_time_is_malformed() {
    let c = cert(t(0), None);
    let p = openpgp::policy::StandardPolicy::new();
    let key = c
        .keys()
        .with_policy(&p, t(10))
        .secret()
        .for_signing()
        .next()
        .unwrap()
        .key()
        .clone();
    let mut pair = key.into_keypair().unwrap();
    let sig = SignatureBuilder::new(SignatureType::Binary)
        .suppress_signature_creation_time()
        .unwrap()
        .sign_message(&mut pair, DOC)
        .unwrap();
    let mut bytes = Vec::new();
    Packet::from(sig).serialize(&mut bytes).unwrap();
    let r = run(DOC, &bytes, &keyring(&[&c]), &c, t(20));
    assert_eq!(r.outcome, Outcome::MalformedSignature, "{}", r.detail);
}

/// The signer's user ID is the one the certificate had at the reference
/// time (`--at`), not the one it has today: a report made for a past date
/// must not name the team as it was renamed later.
#[test]
fn the_signer_is_named_as_of_the_reference_time() {
    let c = cert(t(0), None);
    let mut primary = c
        .primary_key()
        .key()
        .clone()
        .parts_into_secret()
        .unwrap()
        .into_keypair()
        .unwrap();
    let renamed = openpgp::packet::UserID::from("XYZ-CERT renamed <new@example.org>");
    let binding = renamed
        .bind(
            &mut primary,
            &c,
            SignatureBuilder::new(SignatureType::PositiveCertification)
                .set_signature_creation_time(t(30))
                .unwrap()
                .set_primary_userid(true)
                .unwrap(),
        )
        .unwrap();
    let (c, _) = c
        .insert_packets(vec![Packet::from(renamed), binding.into()])
        .unwrap();
    let sig = sign(&c, t(10), HashAlgorithm::SHA256, SignatureType::Binary, DOC);
    let kr = keyring(&[&c]);
    let name = |at| run(DOC, &sig, &kr, &c, at).signer.unwrap().user_id;
    assert_eq!(
        name(t(20)).as_deref(),
        Some("XYZ-CERT <xyz-cert@example.org>")
    );
    assert_eq!(
        name(t(40)).as_deref(),
        Some("XYZ-CERT renamed <new@example.org>")
    );
}

/// Checking the self-signatures ahead (as the crawler does while it waits
/// for the signature) only moves work: every verdict stays what it was.
#[test]
fn self_signatures_checked_ahead_change_no_verdict() {
    let plain = cert(t(0), None);
    let expiring = cert(t(0), Some(DAY * 100));
    let (c, rev) = CertBuilder::general_purpose(Some("XYZ-CERT"))
        .set_creation_time(t(0))
        .generate()
        .unwrap();
    let revoked = c.clone().insert_packets(rev).unwrap().0;
    let cases = [
        (&plain, &plain, t(10), t(20), Outcome::Valid),
        (
            &expiring,
            &expiring,
            t(10),
            t(400),
            Outcome::ValidKeyExpiredSince,
        ),
        (&expiring, &expiring, t(200), t(400), Outcome::ExpiredKey),
        (&c, &revoked, t(10), t(20), Outcome::RevokedKey),
    ];
    for (signer, in_ring, signed_at, at, want) in cases {
        let sig = sign(
            signer,
            signed_at,
            HashAlgorithm::SHA256,
            SignatureType::Binary,
            DOC,
        );
        let kr = keyring(&[in_ring]);
        let r = run(DOC, &sig, &kr, signer, at);
        assert_eq!(r.outcome, want, "{}", r.detail);
    }
}
