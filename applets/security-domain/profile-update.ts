// Long-term key update through an SCP11a session (3GPP TR 33.834 "certificate based negotiation": the
// provisioning server sends a profile update request with the new long-term keys and the target profile,
// the card answers a profile update result with the profile identity). The command is this project's own; GP
// defines no such command.
//
// Command, before secure-messaging wrapping (on the wire: CLA 84, data C-ENC'd and C-MAC'd):
//
//   80 D4 00 00 Lc <data> 00
//   data = 83 L  profile identity (1..16 bytes; e.g. the ICCID of the profile)
//          and either (transport mode)
//            C1 L  AES-CBC(S-DEK, IV 0)(K)   || KCV(K)      L = 16+3 or 32+3
//            C2 L  AES-CBC(S-DEK, IV 0)(OPc) || KCV(OPc)    L = 16+3 or 32+3
//          or (derivation mode: no key crosses the channel, TR 33.834 "LTK derivation vs. transport")
//            C3 01 01   derivation scheme 01
//
//   KCV(key) = first 3 bytes of AES(key, 16 x '01') (the GP PUT KEY check value, aes.ts). Key blocks are
//   encrypted under S-DEK like PUT KEY does (GPC v2.3 §11.8.2.3, key data encrypted under the DEK), on top of the session's C-ENC.
//
// Derivation scheme 01 (both ends, from the session's `ltkKey`, see scp11-keys.ts):
//   K || OPc = X9.63-KDF-SHA256(ltkKey, SharedInfo = "uicc LTK" (ASCII) || 01 || L(id) || id, 32 bytes)
//   K = bytes 0..15, OPc = bytes 16..31 (MILENAGE sizes). OPc is derived directly: the card never needs OP.
//
// Response "profile update result", 9000:  83 L profile identity || C1 03 KCV(new K) || C2 03 KCV(new OPc)
//
// Card status words: 6982 no open SCP11a session with C-MAC and C-DECRYPTION (an SCP11b session has not
// authenticated the OCE); 6A86 P1/P2 not 00; 6A80 malformed data, both or neither mode, unknown scheme, or a
// key check value that does not match the decrypted key; 6A88 profile identity not on the card.
// The key-slot write is the caller's: parse, then write K/OPc in an NVM transaction, then answer the result.

import { buildCommand, type Command } from '../../card-os/apdu.js';
import { type Bytes, concat, equalCt, fromHex, toHex, wipe } from '../../card-os/bytes.js';
import { x963Kdf } from '../../card-os/crypto/x963-kdf.js';
import { SW } from '../../card-os/sw.js';
import { ber, findTag, parseBer } from '../../card-os/tlv.js';
import { aesCbcDecrypt, aesCbcEncrypt, kcv } from './aes.js';
import { type ScpSession, SECURITY_LEVEL } from './secure-messaging.js';

export const INS_PROFILE_UPDATE = 0xd4;

export const TAG = {
  PROFILE_ID: 0x83,
  K: 0xc1,
  OPC: 0xc2,
  DERIVE: 0xc3,
} as const;

export const DERIVATION_SCHEME = 0x01;

export interface ProfileKeys {
  k: Bytes;
  opc: Bytes;
}

export interface ProfileUpdate extends ProfileKeys {
  /** Profile identity, upper-case hex (the form `knownProfiles` holds). */
  profileId: string;
  mode: 'transport' | 'derive';
}

const IV0 = new Uint8Array(16);
const KCV_LEN = 3;
const REQUIRED_LEVEL = SECURITY_LEVEL.AUTHENTICATED | SECURITY_LEVEL.C_MAC | SECURITY_LEVEL.C_DECRYPTION;
const DERIVE_INFO = new TextEncoder().encode('uicc LTK');

/** Derivation scheme 01 (header). Both ends call it with the same session secret and profile identity. */
export function deriveProfileKeys(ltkKey: Bytes, profileId: Bytes): ProfileKeys {
  const info = concat(DERIVE_INFO, Uint8Array.of(DERIVATION_SCHEME, profileId.length), profileId);
  const out = x963Kdf(ltkKey, info, 32);
  const keys = { k: out.slice(0, 16), opc: out.slice(16, 32) };
  wipe(out);
  return keys;
}

/** Decrypts a C1/C2 block and checks its KCV; undefined when the length is wrong or the KCV differs. */
function openKeyBlock(sDek: Bytes, block: Bytes): Bytes | undefined {
  const n = block.length - KCV_LEN;
  if (n !== 16 && n !== 32) return undefined;
  const key = aesCbcDecrypt(sDek, IV0, block.subarray(0, n));
  if (!key) return undefined;
  if (!equalCt(kcv(key), block.subarray(n))) {
    wipe(key);
    return undefined;
  }
  return key;
}

/**
 * Card: parses and checks a profile update command that secure-messaging.ts has already unwrapped.
 * `knownProfiles` holds the profile identities of this card as upper-case hex.
 */
export function parseProfileUpdate(
  session: ScpSession | undefined,
  cmd: Command,
  knownProfiles: ReadonlySet<string>,
): ProfileUpdate | { sw: number } {
  if (!session?.open || (session.securityLevel & REQUIRED_LEVEL) !== REQUIRED_LEVEL)
    return { sw: SW.SECURITY_NOT_SATISFIED };
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  const tlvs = parseBer(cmd.data);
  const id = findTag(tlvs, TAG.PROFILE_ID);
  if (!tlvs || !id || id.length < 1 || id.length > 16) return { sw: SW.WRONG_DATA };
  const kBlock = findTag(tlvs, TAG.K);
  const opcBlock = findTag(tlvs, TAG.OPC);
  const derive = findTag(tlvs, TAG.DERIVE);
  const transport = kBlock !== undefined && opcBlock !== undefined && derive === undefined;
  const derivation =
    kBlock === undefined && opcBlock === undefined && derive?.length === 1 && derive[0] === DERIVATION_SCHEME;
  if (tlvs.length !== (transport ? 3 : 2) || (!transport && !derivation)) return { sw: SW.WRONG_DATA };
  const profileId = toHex(id);
  if (!knownProfiles.has(profileId)) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  if (derivation) return { profileId, mode: 'derive', ...deriveProfileKeys(session.ltkKey, id) };
  const k = openKeyBlock(session.keys.sDek, kBlock!);
  const opc = k && openKeyBlock(session.keys.sDek, opcBlock!);
  if (!k || !opc) {
    wipe(k);
    return { sw: SW.WRONG_DATA };
  }
  return { profileId, mode: 'transport', k, opc };
}

/** Card: the response data of a successful update. */
export function profileUpdateResult(update: ProfileUpdate): Bytes {
  return concat(
    ber(TAG.PROFILE_ID, fromHex(update.profileId)),
    ber(TAG.K, kcv(update.k)),
    ber(TAG.OPC, kcv(update.opc)),
  );
}

// ---------------------------------------------------------------- host side

/** Host: the plain command APDU (to wrap with secure-messaging.ts `wrapCommand`). Throws on bad sizes. */
export function buildProfileUpdate(
  session: ScpSession,
  profileId: Bytes,
  request: ProfileKeys | { derive: true },
): Bytes {
  if (profileId.length < 1 || profileId.length > 16) throw new Error('profile identity must be 1..16 bytes');
  if (
    !('derive' in request) &&
    ![request.k, request.opc].every((key) => key.length === 16 || key.length === 32)
  )
    throw new Error('K and OPc must be 16 or 32 bytes');
  const id = ber(TAG.PROFILE_ID, profileId);
  const body =
    'derive' in request
      ? concat(id, ber(TAG.DERIVE, Uint8Array.of(DERIVATION_SCHEME)))
      : concat(
          id,
          ber(TAG.K, aesCbcEncrypt(session.keys.sDek, IV0, request.k), kcv(request.k)),
          ber(TAG.OPC, aesCbcEncrypt(session.keys.sDek, IV0, request.opc), kcv(request.opc)),
        );
  return buildCommand(0x80, INS_PROFILE_UPDATE, 0x00, 0x00, body, 256);
}

export interface ProfileUpdateResult {
  profileId: string;
  kcvK: Bytes;
  kcvOpc: Bytes;
}

/** Host: parses the profile update result; undefined when malformed. */
export function parseProfileUpdateResult(data: Bytes): ProfileUpdateResult | undefined {
  const tlvs = parseBer(data);
  const id = findTag(tlvs, TAG.PROFILE_ID);
  const kcvK = findTag(tlvs, TAG.K);
  const kcvOpc = findTag(tlvs, TAG.OPC);
  if (!id || kcvK?.length !== KCV_LEN || kcvOpc?.length !== KCV_LEN) return undefined;
  return { profileId: toHex(id), kcvK, kcvOpc };
}
