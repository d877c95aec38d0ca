// SCP11 key agreement pieces both ends share (GPC v2.3 Amd F): the control
// reference template A6 of MUTUAL / INTERNAL AUTHENTICATE, the session-key derivation and the receipt.
//
//   Z = ShSee || ShSs;  KeyData = X9.63-KDF-SHA256(Z, SharedInfo = KUQ || key type || key length, 5 x keyLen)
//   KeyData = receipt key | S-ENC | S-MAC | S-RMAC | S-DEK          (Amd F Table 6-18)
//   receipt = AES-CMAC(receipt key, A6 TLV || 5F49 ePK.OCE || 5F49 ePK.SD)   (Amd F Table 6-19)
//
// Project extension (not GP): `ltkKey` = X9.63-KDF-SHA256(Z, SharedInfo = ASCII "uicc SCP11 LTK derivation",
// 32 bytes), kept in the session so profile-update.ts can derive new long-term keys on both ends without
// sending them (3GPP key issue "LTK derivation vs. LTK transport"). Its SharedInfo is longer than the 3-byte
// GP one, so the two derivations can never collide.

import { type Bytes, concat, wipe } from '../../card-os/bytes.js';
import { x963Kdf } from '../../card-os/crypto/x963-kdf.js';
import { ber, findTag, parseBer } from '../../card-os/tlv.js';
import { aesCmac } from './aes.js';
import { SECURITY_LEVEL, type SessionKeys } from './secure-messaging.js';

/** SD key identifiers (GPC v2.3 Amd F). */
export const SCP11_KID = { A: 0x11, B: 0x13 } as const;
/** Key identifier of the OCE CA key PK.CA-KLOC.ECDSA in the PSO reference (YK and OS test data). */
export const OCE_CA_KID = 0x10;

/** Tag 90 = 11 || i: i = 01 for SCP11a, 00 for SCP11b (GPC v2.3 Amd F); b3 (HostID in the KDF) unsupported. */
export const SCP11_I = { A: 0x01, B: 0x00 } as const;
export const KEY_TYPE_AES = 0x88;

export const TAG = {
  CRT: 0xa6,
  SCP_ID: 0x90,
  KEY_USAGE_QUALIFIER: 0x95,
  KEY_TYPE: 0x80,
  KEY_LENGTH: 0x81,
  EPK: 0x5f49,
  RECEIPT: 0x86,
} as const;

/**
 * Key usage qualifier -> security level (GPC v2.3 Amd F; the values AOSP's SecureChannels applet accepts minus 0x74, whose meaning its own table
 * contradicts). C-MAC is always on.
 */
const SECURITY_LEVEL_OF_KUQ: Readonly<Record<number, number>> = {
  60: SECURITY_LEVEL.C_MAC | SECURITY_LEVEL.C_DECRYPTION | SECURITY_LEVEL.R_MAC | SECURITY_LEVEL.R_ENCRYPTION,
  52: SECURITY_LEVEL.C_MAC | SECURITY_LEVEL.R_MAC,
  28: SECURITY_LEVEL.C_MAC | SECURITY_LEVEL.C_DECRYPTION,
};

export function securityLevelOf(kuq: number): number | undefined {
  return SECURITY_LEVEL_OF_KUQ[kuq];
}

export interface KeyAgreementParams {
  /** `i` of tag 90. */
  i: number;
  kuq: number;
  keyType: number;
  /** AES session key length in bytes: 16, 24 or 32. */
  keyLength: number;
}

export const DEFAULT_PARAMS = { kuq: 0x3c, keyType: KEY_TYPE_AES, keyLength: 16 } as const;

/** A6 { 90 02 11 i | 95 01 KUQ | 80 01 type | 81 01 length } (Amd F Table 6-17). */
export function buildCrt(p: KeyAgreementParams): Bytes {
  return ber(
    TAG.CRT,
    ber(TAG.SCP_ID, Uint8Array.of(0x11, p.i)),
    ber(TAG.KEY_USAGE_QUALIFIER, Uint8Array.of(p.kuq)),
    ber(TAG.KEY_TYPE, Uint8Array.of(p.keyType)),
    ber(TAG.KEY_LENGTH, Uint8Array.of(p.keyLength)),
  );
}

/** Parses the value of A6; undefined for anything this card does not implement (the caller answers 6A80). */
export function parseCrt(value: Bytes): KeyAgreementParams | undefined {
  const tlvs = parseBer(value);
  if (!tlvs || tlvs.some((t) => t.value.length === 0)) return undefined;
  const scp = findTag(tlvs, TAG.SCP_ID);
  const kuq = findTag(tlvs, TAG.KEY_USAGE_QUALIFIER);
  const type = findTag(tlvs, TAG.KEY_TYPE);
  const len = findTag(tlvs, TAG.KEY_LENGTH);
  if (scp?.length !== 2 || scp[0] !== 0x11 || kuq?.length !== 1 || type?.length !== 1 || len?.length !== 1)
    return undefined;
  if (type[0] !== KEY_TYPE_AES || ![16, 24, 32].includes(len[0]!) || securityLevelOf(kuq[0]!) === undefined)
    return undefined;
  // Only 90, 95, 80 and 81: a HostID (84) needs i b3, which this card does not implement.
  if (tlvs.length !== 4) return undefined;
  return { i: scp[1]!, kuq: kuq[0]!, keyType: type[0]!, keyLength: len[0]! };
}

export interface DerivedKeys {
  receiptKey: Bytes;
  keys: SessionKeys;
  ltkKey: Bytes;
}

const LTK_KEY_INFO = new TextEncoder().encode('uicc SCP11 LTK derivation');

export function deriveScp11Keys(shSee: Bytes, shSs: Bytes, p: KeyAgreementParams): DerivedKeys {
  const z = concat(shSee, shSs);
  const n = p.keyLength;
  const kd = x963Kdf(z, Uint8Array.of(p.kuq, p.keyType, n), 5 * n);
  const ltkKey = x963Kdf(z, LTK_KEY_INFO, 32);
  wipe(z);
  const part = (i: number) => kd.slice(i * n, (i + 1) * n);
  const out = {
    receiptKey: part(0),
    keys: { sEnc: part(1), sMac: part(2), sRmac: part(3), sDek: part(4) },
    ltkKey,
  };
  wipe(kd);
  return out;
}

export function computeReceipt(receiptKey: Bytes, crtTlv: Bytes, epkOceTlv: Bytes, epkSdTlv: Bytes): Bytes {
  return aesCmac(receiptKey, concat(crtTlv, epkOceTlv, epkSdTlv));
}
