//! Real OpenPGP keys and signatures made in the test with sequoia: valid,
//! expiring, expired, revoked, weak, SHA-1.

#![allow(dead_code)]

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

/// A certificate with its secrets.
pub struct TestKey {
    pub cert: Cert,
}

const DAY: Duration = Duration::from_secs(86_400);

impl TestKey {
    /// An Ed25519 key made now, without expiry.
    pub fn new(uid: &str) -> TestKey {
        Self::build(uid, SystemTime::now() - DAY, None)
    }

    /// A key made `age_days` ago that is valid for `valid_days` after that.
    pub fn expiring(uid: &str, age_days: u64, valid_days: u64) -> TestKey {
        Self::build(
            uid,
            SystemTime::now() - DAY * age_days as u32,
            Some(DAY * valid_days as u32),
        )
    }

    fn build(uid: &str, created: SystemTime, validity: Option<Duration>) -> TestKey {
        let (cert, _) = CertBuilder::general_purpose(Some(uid))
            .set_creation_time(created)
            .set_validity_period(validity)
            .generate()
            .unwrap();
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

    /// The public certificate with a revocation, armoured.
    pub fn revoked_public(&self) -> Vec<u8> {
        let mut signer = self
            .cert
            .primary_key()
            .key()
            .clone()
            .parts_into_secret()
            .unwrap()
            .into_keypair()
            .unwrap();
        let rev = self
            .cert
            .revoke(&mut signer, ReasonForRevocation::KeyCompromised, b"test")
            .unwrap();
        let cert = self.cert.clone().insert_packets(rev).unwrap().0;
        let armored = cert.armored().to_vec().unwrap();
        armored
    }

    fn signer(&self) -> openpgp::crypto::KeyPair {
        // Expired keys must still sign (tests make them on purpose): their
        // signing subkey is looked up when it was valid, if not now.
        let p = StandardPolicy::new();
        let ka = self
            .cert
            .keys()
            .with_policy(&p, None)
            .secret()
            .for_signing()
            .next()
            .or_else(|| {
                self.cert
                    .keys()
                    .with_policy(
                        &p,
                        self.cert.primary_key().key().creation_time() + Duration::from_secs(60),
                    )
                    .secret()
                    .for_signing()
                    .next()
            })
            .expect("a signing key");
        ka.key().clone().into_keypair().unwrap()
    }

    /// A binary detached signature over `data`, made now.
    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        self.sign_with(data, SystemTime::now(), HashAlgorithm::SHA256)
    }

    /// A binary detached signature with a given creation time and hash.
    pub fn sign_with(&self, data: &[u8], at: SystemTime, hash: HashAlgorithm) -> Vec<u8> {
        let mut pair = self.signer();
        let sig = SignatureBuilder::new(SignatureType::Binary)
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

    /// An armoured detached signature.
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

/// The standard policy, for callers that want to check a key is usable.
pub fn standard() -> StandardPolicy<'static> {
    StandardPolicy::new()
}
