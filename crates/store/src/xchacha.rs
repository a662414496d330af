//! XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) over ring's ChaCha20-Poly1305 (MS-4).
//!
//! The construction of the draft, §2.3: HChaCha20 of the key and the first 16 bytes
//! of the 24-byte nonce gives a subkey; the message is then sealed by the IETF
//! ChaCha20-Poly1305 of RFC 8439 under that subkey, with a 12-byte nonce of four
//! zero bytes and the nonce's last 8 bytes. The bytes are those RustCrypto's
//! `XChaCha20Poly1305` writes and reads (every value sealed so far opens; the test
//! below checks both ways against it), at about twice the speed for a message body
//! and five times for a wrapped key: ring's assembly against portable Rust
//! (docs/benchmarks.md, session 19).

use chacha20::cipher::consts::U10;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroize;

/// Length of an XChaCha20 nonce.
pub(crate) const NONCE_LEN: usize = 24;
/// Length of the Poly1305 tag.
pub(crate) const TAG_LEN: usize = 16;

/// The IETF ChaCha20-Poly1305 key and nonce that `key` and the extended `nonce` stand for.
fn derive(key: &[u8; 32], nonce: &[u8; NONCE_LEN]) -> (LessSafeKey, Nonce) {
    let mut subkey = chacha20::hchacha::<U10>(key.into(), nonce[..16].into());
    let unbound = UnboundKey::new(&CHACHA20_POLY1305, &subkey)
        .expect("a 32-byte key is a ChaCha20-Poly1305 key");
    subkey.as_mut_slice().zeroize();
    let mut short = [0u8; 12];
    short[4..].copy_from_slice(&nonce[16..]);
    (
        LessSafeKey::new(unbound),
        Nonce::assume_unique_for_key(short),
    )
}

/// Encrypts `in_out` in place under `key` and `nonce`, bound to `aad`; returns the tag.
pub(crate) fn seal_in_place(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    in_out: &mut [u8],
) -> [u8; TAG_LEN] {
    let (key, nonce) = derive(key, nonce);
    let tag = key
        .seal_in_place_separate_tag(nonce, Aad::from(aad), in_out)
        .expect("ChaCha20-Poly1305 seals any in-memory buffer");
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(tag.as_ref());
    out
}

/// Opens `buffer[from..]` (ciphertext then tag) in place under `key` and `nonce`,
/// bound to `aad`: on success the plaintext is moved to the buffer's start and its
/// length returned; `None` when any byte, the context or the key differs.
pub(crate) fn open_within(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buffer: &mut [u8],
    from: usize,
) -> Option<usize> {
    let (key, nonce) = derive(key, nonce);
    key.open_within(nonce, Aad::from(aad), buffer, from..)
        .ok()
        .map(|plain| plain.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};
    use rand::{Rng, RngCore};

    /// MS-4: the values sealed before ring took over open, and RustCrypto opens ours:
    /// the same XChaCha20-Poly1305, byte for byte, for every length around the block
    /// and tag boundaries.
    #[test]
    fn ms4_xchacha20_poly1305_is_byte_for_byte_rustcrypto_s() {
        let mut rng = rand::thread_rng();
        for len in (0..300).chain([4095, 4096, 4097, 4600, 65_536]) {
            let mut key = [0u8; 32];
            let mut nonce = [0u8; NONCE_LEN];
            rng.fill_bytes(&mut key);
            rng.fill_bytes(&mut nonce);
            let mut plain = vec![0u8; len];
            rng.fill_bytes(&mut plain);
            let aad: Vec<u8> = (0..rng.gen_range(0..40)).map(|_| rng.r#gen()).collect();
            let theirs = XChaCha20Poly1305::new((&key).into());
            let reference = theirs
                .encrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: &plain,
                        aad: &aad,
                    },
                )
                .unwrap();

            let mut ours = plain.clone();
            let tag = seal_in_place(&key, &nonce, &aad, &mut ours);
            ours.extend_from_slice(&tag);
            assert_eq!(ours, reference, "sealed bytes differ at length {len}");

            let mut buffer = [&[0u8; 5][..], &reference].concat();
            let n = open_within(&key, &nonce, &aad, &mut buffer, 5).expect("opens");
            assert_eq!(&buffer[..n], &plain[..]);

            let mut flipped = reference.clone();
            let at = rng.gen_range(0..flipped.len());
            flipped[at] ^= 1 << rng.gen_range(0..8);
            assert_eq!(open_within(&key, &nonce, &aad, &mut flipped, 0), None);
        }
    }
}
