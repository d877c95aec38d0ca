// Key agreement and key derivation of the Bound Profile Package protection (SGP.22 §2.6.4.1 / §2.6.4.2 and
// §3.1.3.3): the eUICC's and the SM-DP+'s one-time ECKA keys give a shared secret, the X9.63 KDF over it
// gives the initial MAC chaining value, S-ENC and S-MAC; ReplaceSessionKeys (SGP.22 §2.5.3, BF26) carries the
// Profile Protection Keys that take over for the profile elements. Shared by the card (ES10b
// LoadBoundProfilePackage) and the host (the SM-DP+ building the BPP); pure functions, no state.

import { p256 } from '@noble/curves/nist.js';
import type { Bytes } from '../../card-os/bytes.js';
import { x963Kdf } from '../../card-os/crypto/x963-kdf.js';
import { ber, findTag, lengthBytes, parseBer, readBer } from '../../card-os/tlv.js';

/** SGP.22 §2.6.4.2: the key type of the CRT in InitialiseSecureChannel (A6 80), '88' = AES. */
export const KEY_TYPE_AES = 0x88;
/** SGP.22 §2.6.4.2: AES-128, the only key length SGP.22 defines for the BSP. */
export const BSP_KEY_LENGTH = 16;

/** The three values a BSP session starts from. */
export interface BspKeys {
  sEnc: Bytes;
  sMac: Bytes;
  /** The initial MAC chaining value (16 bytes). */
  initialMcv: Bytes;
}

export interface BspKdfInput {
  /** Key type of the CRT, '88' (AES). */
  keyType?: number;
  /** Key length of the CRT, 16. */
  keyLength?: number;
  /** The SM-DP+'s host identifier (CRT tag 84, 1..16 bytes). */
  hostId: Bytes;
  /** The eUICC's EID (16 bytes). */
  eid: Bytes;
}

/**
 * ECKA-DH (BSI TR-03111 §4.3.1, as SGP.22 §2.6.4.1 uses it): the x-coordinate of d·Q on NIST P-256.
 * `publicKey` is the other side's uncompressed point (04 ‖ X ‖ Y). Undefined for an invalid key or point.
 */
export function bspSharedSecret(privateKey: Bytes, publicKey: Bytes): Bytes | undefined {
  if (privateKey.length !== 32 || publicKey.length !== 65 || publicKey[0] !== 0x04) return undefined;
  try {
    return p256.getSharedSecret(privateKey, publicKey, true).subarray(1);
  } catch {
    return undefined;
  }
}

/**
 * SGP.22 §2.6.4.2: SharedInfo = keyType ‖ keyLength ‖ L(hostId) ‖ hostId ‖ L(EID) ‖ EID, the X9.63 KDF with
 * SHA-256 gives 3 × keyLength bytes: initial MCV ‖ S-ENC ‖ S-MAC. Undefined if an input is out of range
 * (the card reports that as unsupportedCrtValues).
 */
export function bspSessionKeys(sharedSecret: Bytes, input: BspKdfInput): BspKeys | undefined {
  const keyType = input.keyType ?? KEY_TYPE_AES;
  const keyLength = input.keyLength ?? BSP_KEY_LENGTH;
  const { hostId, eid } = input;
  if (keyType !== KEY_TYPE_AES || keyLength !== BSP_KEY_LENGTH) return undefined;
  if (hostId.length < 1 || hostId.length > 16 || eid.length !== 16 || sharedSecret.length === 0)
    return undefined;
  const info = new Uint8Array(2 + 1 + hostId.length + 1 + eid.length);
  info.set([keyType, keyLength, ...lengthBytes(hostId.length)], 0);
  info.set(hostId, 3);
  info.set([eid.length], 3 + hostId.length);
  info.set(eid, 4 + hostId.length);
  const out = x963Kdf(sharedSecret, info, 3 * keyLength);
  return {
    initialMcv: out.slice(0, keyLength),
    sEnc: out.slice(keyLength, 2 * keyLength),
    sMac: out.slice(2 * keyLength, 3 * keyLength),
  };
}

/** SGP.22 §2.5.3 ReplaceSessionKeysRequest: BF26 { 80 initialMacChainingValue, 81 ppkEnc, 82 ppkCmac }. */
export function encodeReplaceSessionKeys(ppk: BspKeys): Bytes {
  return ber(0xbf26, ber(0x80, ppk.initialMcv), ber(0x81, ppk.sEnc), ber(0x82, ppk.sMac));
}

/** Decodes a ReplaceSessionKeysRequest; undefined unless it is one BF26 with three 16-byte values. */
export function decodeReplaceSessionKeys(tlv: Bytes): BspKeys | undefined {
  const top = readBer(tlv);
  if (top?.tag !== 0xbf26 || top.length !== tlv.length) return undefined;
  const kids = parseBer(top.value);
  const initialMcv = findTag(kids, 0x80);
  const sEnc = findTag(kids, 0x81);
  const sMac = findTag(kids, 0x82);
  if (initialMcv?.length !== 16 || sEnc?.length !== 16 || sMac?.length !== 16) return undefined;
  return { initialMcv: initialMcv.slice(), sEnc: sEnc.slice(), sMac: sMac.slice() };
}
