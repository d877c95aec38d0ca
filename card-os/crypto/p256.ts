// NIST P-256 for SCP11 (GPC v2.3 Amd F; BSI TR-03111 ECKA-DH): ECKA-DH for the key agreement and
// ECDSA-SHA256 for the GP certificates, behind one interface with two implementations that the tests check
// against each other:
// - `nodeP256`: OpenSSL through node:crypto, the default: a complete SCP11a handshake (four ECDH, two ECDSA
//   verifications, two key generations, card and host in-process) takes about 0.8 ms this way;
// - `nobleP256`: pure JS @noble/curves, about 15 times slower here (bench/scp11.ts measures both).
// Keys are raw: a private key is the 32-byte scalar d, a public key the uncompressed point 04||X||Y
// (65 bytes), as GP carries it in 7F49/B0 and 5F49. Nothing here throws (but `sign`, a host helper): bad
// input gives undefined / false.

import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  ECDH,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { type Bytes, toHex } from '../bytes.js';

export interface EcKeyPair {
  /** Private scalar, 32 bytes big-endian. */
  d: Bytes;
  /** Public point, uncompressed 04||X||Y (65 bytes). */
  q: Bytes;
}

/** 'raw' is r||s (2 x 32 bytes, what AOSP's Java Card SecureChannels applet verifies); 'der' is X9.62 DER. */
export type SignatureFormat = 'der' | 'raw';

export interface P256 {
  readonly name: string;
  generateKeyPair(): EcKeyPair;
  /** Q = d.G, or undefined if d is not a valid scalar. */
  publicKeyOf(d: Bytes): Bytes | undefined;
  /** Whether q is an uncompressed point on the curve. */
  isValidPublicKey(q: Bytes): boolean;
  /** ECKA-DH: the 32-byte x-coordinate of d.Q (BSI TR-03111 §4.3.1), undefined if Q or d is invalid. */
  ecdh(d: Bytes, q: Bytes): Bytes | undefined;
  /** ECDSA-SHA256 over msg. Accepts DER and raw r||s signatures (both occur in GP certificates in the field). */
  verify(msg: Bytes, signature: Bytes, q: Bytes): boolean;
  /** ECDSA-SHA256 signature (host-side PKI and tests); throws on an invalid key like any host helper. */
  sign(msg: Bytes, d: Bytes, format: SignatureFormat): Bytes;
}

const POINT_LEN = 65;
const SCALAR_LEN = 32;

function isUncompressed(q: Bytes): boolean {
  return q.length === POINT_LEN && q[0] === 0x04;
}

/** A DER signature is `30 L 02 ...`: use it to tell the two encodings apart before trying raw. */
function looksDer(sig: Bytes): boolean {
  return sig.length >= 8 && sig[0] === 0x30 && sig[1] === sig.length - 2;
}

// ---- node:crypto (OpenSSL) ----

function leftPad(b: Uint8Array, len: number): Bytes {
  if (b.length === len) return new Uint8Array(b);
  const out = new Uint8Array(len);
  out.set(b.subarray(Math.max(0, b.length - len)), Math.max(0, len - b.length));
  return out;
}

function b64url(b: Bytes): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');
}

// Importing a key is the costly part of an OpenSSL verification (a JWK import ~0.1 ms, SPKI DER twice that),
// and certificates are checked against a handful of CA keys: keep the last few imported public keys.
const KEY_CACHE_SIZE = 16;
const keyCache = new Map<string, KeyObject>();

function nodePublicKey(q: Bytes): KeyObject {
  const id = toHex(q);
  let key = keyCache.get(id);
  if (!key) {
    key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64url(q.subarray(1, 33)), y: b64url(q.subarray(33)) },
      format: 'jwk',
    });
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, key);
  }
  return key;
}

// A signer uses the same few long-term keys (an eUICC's, an SM-DP+'s) over and over: keep them imported too.
const privateCache = new Map<string, KeyObject>();

function nodePrivateKey(d: Bytes): KeyObject {
  const id = toHex(d);
  let key = privateCache.get(id);
  if (!key) {
    const q = nodeP256.publicKeyOf(d);
    if (!q) throw new Error('invalid P-256 private key');
    key = createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', d: b64url(d), x: b64url(q.subarray(1, 33)), y: b64url(q.subarray(33)) },
      format: 'jwk',
    });
    if (privateCache.size >= KEY_CACHE_SIZE) privateCache.delete(privateCache.keys().next().value!);
    privateCache.set(id, key);
  }
  return key;
}

export const nodeP256: P256 = {
  name: 'node:crypto',
  generateKeyPair() {
    const e = createECDH('prime256v1');
    e.generateKeys();
    return { d: leftPad(e.getPrivateKey(), SCALAR_LEN), q: new Uint8Array(e.getPublicKey()) };
  },
  publicKeyOf(d) {
    if (d.length !== SCALAR_LEN) return undefined;
    try {
      const e = createECDH('prime256v1');
      e.setPrivateKey(d);
      return new Uint8Array(e.getPublicKey());
    } catch {
      return undefined;
    }
  },
  isValidPublicKey(q) {
    if (!isUncompressed(q)) return false;
    try {
      // Decoding the point checks that it lies on the curve (and is not the point at infinity).
      ECDH.convertKey(q, 'prime256v1');
      return true;
    } catch {
      return false;
    }
  },
  ecdh(d, q) {
    if (d.length !== SCALAR_LEN || !isUncompressed(q)) return undefined;
    try {
      const e = createECDH('prime256v1');
      e.setPrivateKey(d);
      return leftPad(e.computeSecret(q), SCALAR_LEN);
    } catch {
      return undefined;
    }
  },
  verify(msg, signature, q) {
    if (!isUncompressed(q)) return false;
    try {
      const key = nodePublicKey(q);
      if (
        signature.length === 2 * SCALAR_LEN &&
        nodeVerify('sha256', msg, { key, dsaEncoding: 'ieee-p1363' }, signature)
      )
        return true;
      return looksDer(signature) && nodeVerify('sha256', msg, { key, dsaEncoding: 'der' }, signature);
    } catch {
      return false;
    }
  },
  sign(msg, d, format) {
    const key = nodePrivateKey(d);
    return new Uint8Array(
      nodeSign('sha256', msg, { key, dsaEncoding: format === 'raw' ? 'ieee-p1363' : 'der' }),
    );
  },
};

// ---- @noble/curves ----

export const nobleP256: P256 = {
  name: '@noble/curves',
  generateKeyPair() {
    const d = p256.utils.randomSecretKey();
    return { d, q: p256.getPublicKey(d, false) };
  },
  publicKeyOf(d) {
    if (d.length !== SCALAR_LEN || !p256.utils.isValidSecretKey(d)) return undefined;
    return p256.getPublicKey(d, false);
  },
  isValidPublicKey(q) {
    return isUncompressed(q) && p256.utils.isValidPublicKey(q, false);
  },
  ecdh(d, q) {
    if (d.length !== SCALAR_LEN || !isUncompressed(q)) return undefined;
    try {
      // Compressed output is 02/03 || X: the x-coordinate is what ECKA-DH keeps.
      return p256.getSharedSecret(d, q, true).subarray(1);
    } catch {
      return undefined;
    }
  },
  verify(msg, signature, q) {
    if (!isUncompressed(q)) return false;
    try {
      // lowS: false: certificates signed by OpenSSL-style signers may carry a high s, which is valid ECDSA.
      if (
        signature.length === 2 * SCALAR_LEN &&
        p256.verify(signature, msg, q, { lowS: false, format: 'compact' })
      )
        return true;
      return looksDer(signature) && p256.verify(signature, msg, q, { lowS: false, format: 'der' });
    } catch {
      return false;
    }
  },
  sign(msg, d, format) {
    return p256.sign(msg, d, { format: format === 'raw' ? 'compact' : 'der' });
  },
};

/** The faster implementation (see the header); bench/scp11.ts measures both. */
export const defaultP256: P256 = nodeP256;
