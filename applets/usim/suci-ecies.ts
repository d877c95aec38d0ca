// The ECIES protection schemes of the SUCI (TS 33.501 Annex C.3): Profile A (X25519) and Profile B
// (secp256r1, compressed points). One pure codec serves both ends: the USIM conceals in GET IDENTITY,
// the SIDF on the host de-conceals (`uicc suci deconceal`, `uicc auth --5g`).
//
// Both profiles (Annex C.3.2, C.3.4):
//   Z          = ECDH(ephemeral private, home network public)  (P-256: the x-coordinate, cofactor 1)
//   K          = ANSI X9.63 KDF with SHA-256 (Z, SharedInfo1 = the ephemeral public key as sent), 64 bytes
//   enc key    = K[0..15], ICB = K[16..31], MAC key = K[32..63]
//   ciphertext = AES-128-CTR(enc key, ICB, plaintext)
//   tag        = HMAC-SHA-256(MAC key, ciphertext), first 8 bytes
//   output     = ephemeral public key ‖ ciphertext ‖ tag
// Profile A's public keys are 32 raw bytes; Profile B's ephemeral key is a 33-byte compressed point
// (C.3.4.2: point compression on), and the home network key may be given compressed or uncompressed.
//
// Nothing here throws: a bad key or a malformed output gives undefined.

import { createECDH, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { ctr } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type Bytes, concat, equalCt } from '../../card-os/bytes.js';
import { x963Kdf } from '../../card-os/crypto/x963-kdf.js';

/** Protection scheme identifiers (TS 33.501 Annex C.1, TS 24.501 §9.11.3.4). */
export const SCHEME = { NULL: 0, PROFILE_A: 1, PROFILE_B: 2 } as const;
export type EciesProfile = 'A' | 'B';

export const MAC_TAG_LEN = 8;
const X25519_LEN = 32;
const P256_COMPRESSED_LEN = 33;
const P256_UNCOMPRESSED_LEN = 65;
const SCALAR_LEN = 32;

export function profileOfScheme(scheme: number): EciesProfile | undefined {
  if (scheme === SCHEME.PROFILE_A) return 'A';
  if (scheme === SCHEME.PROFILE_B) return 'B';
  return undefined;
}

/** Length of the ephemeral public key at the start of a scheme output. */
export function ephemeralKeyLength(p: EciesProfile): number {
  return p === 'A' ? X25519_LEN : P256_COMPRESSED_LEN;
}

/** Whether `key` is usable as a home network public key of the profile. */
export function isHomeNetworkKey(p: EciesProfile, key: Bytes): boolean {
  if (p === 'A') return key.length === X25519_LEN;
  return (
    (key.length === P256_COMPRESSED_LEN && (key[0] === 2 || key[0] === 3)) ||
    (key.length === P256_UNCOMPRESSED_LEN && key[0] === 4)
  );
}

// X25519 through node:crypto (OpenSSL), several times faster here than a pure JS ladder. Keys go in as JWK
// (RFC 8037), the cheapest import: OpenSSL derives the public key from `d` and ignores the `x` member,
// which JWK requires to be present. Imported peer keys are cached (the home network key of every SUCI).
const b64url = (b: Bytes) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');
const KEY_CACHE_SIZE = 16;
const x25519Keys = new Map<string, KeyObject>();

function x25519Private(priv: Bytes): KeyObject {
  const d = b64url(priv);
  return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: d }, format: 'jwk' });
}

function x25519Public(pub: Bytes): KeyObject {
  const x = b64url(pub);
  let k = x25519Keys.get(x);
  if (!k) {
    k = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
    if (x25519Keys.size >= KEY_CACHE_SIZE) x25519Keys.delete(x25519Keys.keys().next().value!);
    x25519Keys.set(x, k);
  }
  return k;
}

function x25519PublicOf(priv: Bytes): Bytes {
  const x = createPublicKey(x25519Private(priv)).export({ format: 'jwk' }).x!;
  return new Uint8Array(Buffer.from(x, 'base64url'));
}

function x25519Shared(priv: Bytes | KeyObject, pub: Bytes): Bytes | undefined {
  const privateKey = priv instanceof Uint8Array ? x25519Private(priv) : priv;
  const z = new Uint8Array(diffieHellman({ privateKey, publicKey: x25519Public(pub) }));
  // A small-order peer key gives an all-zero secret (RFC 7748 §6.1): refuse it.
  return z.some((b) => b !== 0) ? z : undefined;
}

export interface EciesKeyPair {
  priv: Bytes;
  /** As carried in the scheme output (A: 32 bytes; B: 33-byte compressed point). */
  pub: Bytes;
}

/** The key pair of a private key, or undefined when it is not a valid private key of the profile. */
export function eciesKeyPair(p: EciesProfile, priv: Bytes): EciesKeyPair | undefined {
  if (priv.length !== SCALAR_LEN) return undefined;
  try {
    if (p === 'A') return { priv, pub: x25519PublicOf(priv) };
    const e = createECDH('prime256v1');
    e.setPrivateKey(priv);
    return { priv, pub: new Uint8Array(e.getPublicKey(null, 'compressed')) };
  } catch {
    return undefined;
  }
}

/** The shared secret Z, or undefined for an invalid key (off the curve, all-zero X25519 result). */
function sharedSecret(p: EciesProfile, priv: Bytes, pub: Bytes): Bytes | undefined {
  try {
    if (p === 'A') {
      if (pub.length !== X25519_LEN) return undefined;
      return x25519Shared(priv, pub);
    }
    if (!isHomeNetworkKey('B', pub)) return undefined;
    const e = createECDH('prime256v1');
    e.setPrivateKey(priv);
    return new Uint8Array(e.computeSecret(pub));
  } catch {
    return undefined;
  }
}

interface SessionKeys {
  enc: Bytes;
  icb: Bytes;
  mac: Bytes;
}

function sessionKeys(z: Bytes, ephemeralPub: Bytes): SessionKeys {
  const k = x963Kdf(z, ephemeralPub, 64);
  return { enc: k.subarray(0, 16), icb: k.subarray(16, 32), mac: k.subarray(32, 64) };
}

function tagOf(macKey: Bytes, ciphertext: Bytes): Bytes {
  return hmac(sha256, macKey, ciphertext).subarray(0, MAC_TAG_LEN);
}

/**
 * Conceals `plaintext` for the home network key `hnPub` with the ephemeral key pair `eph`: the scheme
 * output (eph pub ‖ ciphertext ‖ tag), or undefined if a key is unusable.
 */
export function eciesConceal(
  p: EciesProfile,
  hnPub: Bytes,
  eph: EciesKeyPair,
  plaintext: Bytes,
): Bytes | undefined {
  const z = sharedSecret(p, eph.priv, hnPub);
  if (!z) return undefined;
  const k = sessionKeys(z, eph.pub);
  const ciphertext = ctr(k.enc, k.icb).encrypt(plaintext);
  return concat(eph.pub, ciphertext, tagOf(k.mac, ciphertext));
}

/**
 * The SIDF side: checks the tag and deciphers a scheme output with the home network private key.
 * Undefined when the output is too short, the ephemeral key is invalid or the tag is wrong.
 */
export function eciesDeconceal(p: EciesProfile, hnPriv: Bytes, output: Bytes): Bytes | undefined {
  const kl = ephemeralKeyLength(p);
  if (output.length < kl + MAC_TAG_LEN || hnPriv.length !== SCALAR_LEN) return undefined;
  const ephPub = output.subarray(0, kl);
  if (p === 'B' && ephPub[0] !== 2 && ephPub[0] !== 3) return undefined;
  const ciphertext = output.subarray(kl, output.length - MAC_TAG_LEN);
  const z = sharedSecret(p, hnPriv, ephPub);
  if (!z) return undefined;
  const k = sessionKeys(z, ephPub);
  if (!equalCt(tagOf(k.mac, ciphertext), output.subarray(output.length - MAC_TAG_LEN))) return undefined;
  return ctr(k.enc, k.icb).decrypt(ciphertext);
}

/**
 * A fresh ephemeral key pair from a random source (the card's). X25519 takes any 32 bytes; a P-256
 * scalar outside [1, n-1] is drawn again (a few tries; a source that never yields one gives undefined).
 */
export function ephemeralKeyPair(p: EciesProfile, random: (n: number) => Bytes): EciesKeyPair | undefined {
  for (let i = 0; i < 4; i++) {
    const kp = eciesKeyPair(p, random(SCALAR_LEN));
    if (kp) return kp;
  }
  return undefined;
}
