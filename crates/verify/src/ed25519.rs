//! Ed25519 document signatures checked by ring rather than by sequoia's
//! backend, for speed alone.
//!
//! Why: Ed25519 is what GnuPG 2.3 and later make by default, and with
//! sequoia's OpenSSL backend (chosen for RSA, see ARCHITECTURE.md) one such
//! check took about 155 µs on the development machine, plus about 30 µs to
//! set up OpenSSL's key and context objects; ring's takes about 80 µs. ring
//! is already built for rustls. A crawl checks each team's signature after
//! the team's last request, when nothing else is left to overlap with.
//!
//! Only the usual case takes this path: a v4 binary or text signature by a
//! v4 EdDSA key on Ed25519. It is [`Signature::verify_message`] for that
//! case: the same digest (computed by sequoia), the same refusals before the
//! arithmetic (a signature with no creation time, or made before its key),
//! and only the curve arithmetic handed to ring. A signature that ring does
//! not accept is handed to sequoia for the verdict and its error, so ring
//! can only add acceptances, never refusals. Both implement RFC 8032's
//! verification equation, and a signature that satisfies it is one made
//! with the key's secret over this digest; encodings the two libraries
//! might judge differently (a non-canonical point, say) are malleability,
//! not forgery.

use sequoia_openpgp as openpgp;

use openpgp::crypto::hash::Hash;
use openpgp::crypto::mpi;
use openpgp::packet::key::{PublicParts, UnspecifiedRole};
use openpgp::packet::{Key, Signature};
use openpgp::types::{Curve, SignatureType};

/// [`Signature::verify_message`], with ring doing the arithmetic where it
/// can (see the module's documentation).
pub(crate) fn verify_message(
    sig: &Signature,
    key: &Key<PublicParts, UnspecifiedRole>,
    data: &[u8],
) -> openpgp::Result<()> {
    if accepted_by_ring(sig, key, data) {
        return Ok(());
    }
    sig.verify_message(key, data)
}

/// Whether ring accepts `sig` as made by `key` over `data`; false for any
/// case but a v4 Ed25519 one, which sequoia then judges.
fn accepted_by_ring(sig: &Signature, key: &Key<PublicParts, UnspecifiedRole>, data: &[u8]) -> bool {
    let (mpi::PublicKey::EdDSA { curve, q }, mpi::Signature::EdDSA { r, s }) =
        (key.mpis(), sig.mpis())
    else {
        return false;
    };
    if *curve != Curve::Ed25519
        || sig.version() != 4
        || key.version() != 4
        || !matches!(sig.typ(), SignatureType::Binary | SignatureType::Text)
    {
        return false;
    }
    // sequoia refuses these before any arithmetic; so does this path.
    match sig.signature_creation_time() {
        Some(t) if t >= key.creation_time() => {}
        _ => return false,
    }
    let Ok((public, _)) = q.decode_point(&Curve::Ed25519) else {
        return false;
    };
    // The MPI encoding drops leading zero bytes; Ed25519 wants R and S as
    // 32 bytes each.
    let (Ok(r), Ok(s)) = (r.value_padded(32), s.value_padded(32)) else {
        return false;
    };
    let mut rs = [0u8; 64];
    rs[..32].copy_from_slice(&r);
    rs[32..].copy_from_slice(&s);
    let Some(digest) = digest(sig, data) else {
        return false;
    };
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public)
        .verify(&digest, &rs)
        .is_ok()
}

/// What a v4 signature signs: the hash of the data, then of the
/// signature's own trailer, as sequoia computes it.
fn digest(sig: &Signature, data: &[u8]) -> Option<Vec<u8>> {
    let mut hash = sig.hash_algo().context().ok()?.for_signature(4);
    hash.update(data);
    sig.hash(&mut hash).ok()?;
    hash.into_digest().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use openpgp::cert::prelude::*;
    use openpgp::packet::signature::SignatureBuilder;
    use openpgp::policy::StandardPolicy;
    use openpgp::types::HashAlgorithm;

    /// The signing subkey's keypair of a new certificate.
    fn signer(suite: CipherSuite) -> openpgp::crypto::KeyPair {
        let (cert, _) = CertBuilder::general_purpose(Some("T <t@example.org>"))
            .set_cipher_suite(suite)
            .generate()
            .unwrap();
        cert.keys()
            .with_policy(&StandardPolicy::new(), None)
            .secret()
            .for_signing()
            .next()
            .unwrap()
            .key()
            .clone()
            .into_keypair()
            .unwrap()
    }

    fn sign(pair: &mut openpgp::crypto::KeyPair, typ: SignatureType, data: &[u8]) -> Signature {
        SignatureBuilder::new(typ)
            .set_hash_algo(HashAlgorithm::SHA256)
            .sign_message(pair, data)
            .unwrap()
    }

    fn public(pair: &openpgp::crypto::KeyPair) -> Key<PublicParts, UnspecifiedRole> {
        pair.public().clone().role_into_unspecified()
    }

    #[test]
    fn ring_agrees_with_sequoia_on_good_and_bad_signatures() {
        let mut pair = signer(CipherSuite::Cv25519);
        let mut other = signer(CipherSuite::Cv25519);
        let key = public(&pair);
        let data = b"2.1 Name of the Team\nXYZ-CERT\r\n";
        for typ in [SignatureType::Binary, SignatureType::Text] {
            let sig = sign(&mut pair, typ, data);
            assert!(accepted_by_ring(&sig, &key, data), "{typ}");
            assert!(sig.verify_message(&key, data).is_ok());
            verify_message(&sig, &key, data).unwrap();

            let changed = b"2.1 Name of the Team\nXYZ-CERT!\r\n";
            assert!(!accepted_by_ring(&sig, &key, changed));
            assert!(verify_message(&sig, &key, changed).is_err());

            let by_other = sign(&mut other, typ, data);
            assert!(!accepted_by_ring(&by_other, &key, data));
            assert!(verify_message(&by_other, &key, data).is_err());
        }
    }

    #[test]
    fn a_signature_older_than_its_key_is_left_to_sequoia_which_refuses_it() {
        let mut pair = signer(CipherSuite::Cv25519);
        let key = public(&pair);
        let data = b"x";
        let sig = SignatureBuilder::new(SignatureType::Binary)
            .set_signature_creation_time(key.creation_time() - std::time::Duration::from_secs(60))
            .unwrap()
            .sign_message(&mut pair, data)
            .unwrap();
        assert!(!accepted_by_ring(&sig, &key, data));
        assert!(verify_message(&sig, &key, data).is_err());
    }

    #[test]
    fn other_algorithms_are_left_to_sequoia() {
        let mut pair = signer(CipherSuite::RSA2k);
        let key = public(&pair);
        let sig = sign(&mut pair, SignatureType::Binary, b"x");
        assert!(!accepted_by_ring(&sig, &key, b"x"));
        verify_message(&sig, &key, b"x").unwrap();
    }
}
