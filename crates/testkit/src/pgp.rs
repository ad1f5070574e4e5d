//! Real OpenPGP keys and signatures made in the test with sequoia: valid,
//! expiring, expired, revoked, weak, SHA-1, at any time.

use std::time::{Duration, SystemTime};

use sequoia_openpgp as openpgp;

use openpgp::cert::prelude::*;
use openpgp::packet::key::{Key4, PrimaryRole, SecretParts};
use openpgp::packet::signature::SignatureBuilder;
use openpgp::packet::{Key, UserID};
use openpgp::policy::StandardPolicy;
use openpgp::serialize::stream::{Armorer, Message, Signer};
use openpgp::serialize::SerializeInto;
use openpgp::types::{HashAlgorithm, KeyFlags, ReasonForRevocation, SignatureType};
use openpgp::{Cert, Packet};

pub use openpgp::cert::CipherSuite;
pub use openpgp::types::HashAlgorithm as Hash;
pub use openpgp::types::SignatureType as Kind;

/// A day.
pub const DAY: Duration = Duration::from_secs(86_400);

/// A certificate with its secrets.
#[derive(Clone)]
pub struct TestKey {
    /// The certificate, secrets included.
    pub cert: Cert,
}

impl TestKey {
    /// An Ed25519 key made a day ago, without expiry.
    pub fn new(uid: &str) -> TestKey {
        Self::made(uid, SystemTime::now() - DAY, None)
    }

    /// A key made `age_days` ago that is valid for `valid_days` after that.
    pub fn expiring(uid: &str, age_days: u64, valid_days: u64) -> TestKey {
        Self::made(
            uid,
            SystemTime::now() - DAY * age_days as u32,
            Some(DAY * valid_days as u32),
        )
    }

    /// An Ed25519 key made at `created`, valid for `validity` (forever
    /// when none).
    pub fn made(uid: &str, created: SystemTime, validity: Option<Duration>) -> TestKey {
        Self::of_suite(uid, CipherSuite::Cv25519, created, validity)
    }

    /// A key of the given algorithms (RSA4k for the slow case of a bench).
    pub fn of_suite(
        uid: &str,
        suite: CipherSuite,
        created: SystemTime,
        validity: Option<Duration>,
    ) -> TestKey {
        let (cert, _) = CertBuilder::general_purpose(Some(uid))
            .set_cipher_suite(suite)
            .set_creation_time(created)
            .set_validity_period(validity)
            .generate()
            .expect("sequoia makes a key");
        TestKey { cert }
    }

    /// An RSA-1024 primary key that signs: too weak by today's guidance.
    pub fn rsa1024(uid: &str) -> TestKey {
        let mut key: Key<SecretParts, PrimaryRole> = Key4::generate_rsa(1024).unwrap().into();
        key.set_creation_time(SystemTime::now() - DAY).unwrap();
        let cert = Cert::try_from(vec![Packet::from(key.clone())]).unwrap();
        let mut signer = key.into_keypair().unwrap();
        let uid = UserID::from(uid);
        let builder = SignatureBuilder::new(SignatureType::PositiveCertification)
            .set_key_flags(KeyFlags::empty().set_certification().set_signing())
            .unwrap();
        let binding = uid.bind(&mut signer, &cert, builder).unwrap();
        let cert = cert
            .insert_packets(vec![Packet::from(uid), binding.into()])
            .unwrap()
            .0;
        TestKey { cert }
    }

    /// The fingerprint, upper-case hex.
    pub fn fingerprint(&self) -> String {
        self.cert.fingerprint().to_hex()
    }

    /// The public certificate, armoured.
    pub fn public(&self) -> Vec<u8> {
        self.cert.armored().to_vec().unwrap()
    }

    /// The public certificate, binary.
    pub fn public_binary(&self) -> Vec<u8> {
        self.cert.to_vec().unwrap()
    }

    /// The public certificate with a revocation made at `at`, armoured.
    pub fn revoked_public_at(&self, at: SystemTime) -> Vec<u8> {
        let mut signer = self.primary_signer();
        let rev = CertRevocationBuilder::new()
            .set_signature_creation_time(at)
            .unwrap()
            .set_reason_for_revocation(ReasonForRevocation::KeyCompromised, b"test")
            .unwrap()
            .build(&mut signer, &self.cert, None)
            .unwrap();
        let cert = self.cert.clone().insert_packets(rev).unwrap().0;
        let armored = cert.armored().to_vec().unwrap();
        armored
    }

    /// The public certificate with a revocation made now, armoured.
    pub fn revoked_public(&self) -> Vec<u8> {
        self.revoked_public_at(SystemTime::now())
    }

    /// The primary key as a signer (for certifications and revocations).
    pub fn primary_signer(&self) -> openpgp::crypto::KeyPair {
        self.cert
            .primary_key()
            .key()
            .clone()
            .parts_into_secret()
            .unwrap()
            .into_keypair()
            .unwrap()
    }

    /// The signing key. Expired keys must still sign (tests make them on
    /// purpose), so it is the one valid now, else the one valid a minute
    /// after the certificate was made.
    fn signer(&self) -> openpgp::crypto::KeyPair {
        let p = StandardPolicy::new();
        let made = self.cert.primary_key().key().creation_time();
        [None, Some(made + Duration::from_secs(60))]
            .into_iter()
            .find_map(|at| {
                self.cert
                    .keys()
                    .with_policy(&p, at)
                    .secret()
                    .for_signing()
                    .next()
                    .map(|ka| ka.key().clone())
            })
            .expect("a signing key")
            .into_keypair()
            .unwrap()
    }

    /// A binary detached signature over `data`, made now.
    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        self.sign_with(data, SystemTime::now(), HashAlgorithm::SHA256)
    }

    /// A binary detached signature with a given creation time and hash.
    pub fn sign_with(&self, data: &[u8], at: SystemTime, hash: HashAlgorithm) -> Vec<u8> {
        self.sign_as(data, at, hash, SignatureType::Binary)
    }

    /// A binary detached signature of a given kind (binary or text), time
    /// and hash; the hash is not checked against any policy, so a test can
    /// make what a careless signer would.
    pub fn sign_as(
        &self,
        data: &[u8],
        at: SystemTime,
        hash: HashAlgorithm,
        kind: SignatureType,
    ) -> Vec<u8> {
        let mut pair = self.signer();
        let sig = SignatureBuilder::new(kind)
            .set_signature_creation_time(at)
            .unwrap()
            .set_hash_algo(hash)
            .sign_message(&mut pair, data)
            .unwrap();
        Packet::from(sig).to_vec().unwrap()
    }

    /// The text clear-signed.
    pub fn clearsign(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let m = Message::new(&mut out);
            let mut w = Signer::new(m, self.signer())
                .unwrap()
                .cleartext()
                .build()
                .unwrap();
            std::io::Write::write_all(&mut w, text.as_bytes()).unwrap();
            w.finalize().unwrap();
        }
        out
    }

    /// An armoured detached signature, made now.
    pub fn sign_armored(&self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let m = Message::new(&mut out);
            let m = Armorer::new(m)
                .kind(openpgp::armor::Kind::Signature)
                .build()
                .unwrap();
            let mut w = Signer::new(m, self.signer())
                .unwrap()
                .detached()
                .build()
                .unwrap();
            std::io::Write::write_all(&mut w, data).unwrap();
            w.finalize().unwrap();
        }
        out
    }
}

/// Binary signature bytes armoured, as a team publishes them in a `.asc`.
pub fn armored_signature(binary: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut w = openpgp::armor::Writer::new(Vec::new(), openpgp::armor::Kind::Signature).unwrap();
    w.write_all(binary).unwrap();
    w.finalize().unwrap()
}
