// Secure messaging after SCP11, which is SCP03's "S8" mode (GPC v2.3 Amd D §6.2), for both
// ends: C-MAC, C-DECRYPTION / C-ENC, R-MAC, R-ENCRYPTION.
//
// - Encryption counter: starts at 1 and counts every C-APDU, with or without data (Amd D §6.2.6).
// - Command: ICV = AES(S-ENC, counter as 16 bytes) (Amd D §6.2.6), AES-CBC of the data padded 80 00..
//   (always padded). A command without data is not encrypted; a card also accepts one all-padding block
//   (YK's way), which decrypts to empty data.
// - C-MAC = AES-CMAC(S-MAC, chain || CLA' INS P1 P2 Lc' || data)[0..8]; the chain becomes the full 16-byte
//   CMAC. After SCP11 the first chain value is the receipt (GPC v2.3 Amd F), not SCP03's 16 zero bytes.
// - Response (only for 9000 / 62xx / 63xx; error status words go back bare, Amd D §6.2.5):
//   ICV = AES(S-ENC, 80 || counter as 15 bytes) (Amd D §6.2.7); R-MAC = AES-CMAC(S-RMAC, chain || data ||
//   SW)[0..8], the chain being the command's full C-MAC; the R-MAC does not move the chain.
//
// CLA: on the wire, secure messaging is b3 (0x04) in the first interindustry classes (channels 0-3) and b6
// (0x20) in the further ones (channels 4-19) (GPC v2.3 §11.1.4, ETSI TS 102 221 §10.1.1). Amd D §6.2.4
// computes the C-MAC over a class byte with the logical channel number set to zero, b4 = 0 and b3 = 1. For
// channels 4-19 we use the same first-interindustry form (b8 and the chaining bit b5 kept, then 0x04), so the
// MAC of a command is the same on every channel: 84 for an 80/84..87/C0..CF/E0..EF class byte.
//
// A failure on the card side (no SM indication, bad C-MAC, undecryptable data) ends the session, which
// answers 6982 from then on; replays fail because the chain has moved on.

import { buildCommand, type Command, parseCommand } from '../../card-os/apdu.js';
import { type Bytes, concat, equalCt, uintBE, wipe } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { aesBlock, aesCbcDecrypt, aesCbcEncrypt, aesCmac, BLOCK, pad80, unpad80 } from './aes.js';

/** Security level bits (GPC v2.3 Table 10-1). */
export const SECURITY_LEVEL = {
  AUTHENTICATED: 0x80,
  ANY_AUTHENTICATED: 0x40,
  R_ENCRYPTION: 0x20,
  R_MAC: 0x10,
  C_DECRYPTION: 0x02,
  C_MAC: 0x01,
} as const;

export interface SessionKeys {
  sEnc: Bytes;
  sMac: Bytes;
  sRmac: Bytes;
  sDek: Bytes;
}

export interface ScpSession {
  readonly protocol: 'SCP11a' | 'SCP11b';
  readonly keys: SessionKeys;
  readonly securityLevel: number;
  /**
   * Project extension (profile-update.ts): a 32-byte key from the same ECDH secrets, for deriving new
   * long-term keys that never cross the channel. Never sent, never returned.
   */
  readonly ltkKey: Bytes;
  /** MAC chaining value: the receipt, then the last full C-MAC. */
  chain: Bytes;
  /** Encryption counter of the last C-APDU (0 before the first one). */
  counter: number;
  open: boolean;
}

const MAC_LEN = 8;

export function openSession(
  protocol: ScpSession['protocol'],
  keys: SessionKeys,
  securityLevel: number,
  receipt: Bytes,
  ltkKey: Bytes,
): ScpSession {
  return { protocol, keys, securityLevel, ltkKey, chain: new Uint8Array(receipt), counter: 0, open: true };
}

/** Ends a session and scrubs its keys. */
export function closeSession(s: ScpSession): void {
  s.open = false;
  wipe(s.keys.sEnc);
  wipe(s.keys.sMac);
  wipe(s.keys.sRmac);
  wipe(s.keys.sDek);
  wipe(s.ltkKey);
  wipe(s.chain);
}

function isFurtherInterindustry(cla: number): boolean {
  return (cla & 0x40) !== 0;
}

/** Whether the class byte indicates GP secure messaging. */
export function hasSecureMessaging(cla: number): boolean {
  return (cla & (isFurtherInterindustry(cla) ? 0x20 : 0x04)) !== 0;
}

function withSecureMessaging(cla: number): number {
  return cla | (isFurtherInterindustry(cla) ? 0x20 : 0x04);
}

function withoutSecureMessaging(cla: number): number {
  return cla & ~(isFurtherInterindustry(cla) ? 0x20 : 0x04);
}

/** The class byte the C-MAC covers (see the header): channel 0, first interindustry coding, SM bit set. */
export function macClass(cla: number): number {
  return isFurtherInterindustry(cla) ? (cla & 0x90) | 0x04 : (cla & 0xf0) | 0x04;
}

function lcField(n: number, extended: boolean): Bytes {
  return extended ? Uint8Array.of(0, n >> 8, n & 0xff) : Uint8Array.of(n);
}

function commandIcv(s: ScpSession): Bytes {
  return aesBlock(s.keys.sEnc, uintBE(s.counter, BLOCK));
}

function responseIcv(s: ScpSession): Bytes {
  const block = uintBE(s.counter, BLOCK);
  block[0] = 0x80;
  return aesBlock(s.keys.sEnc, block);
}

function cMac(
  s: ScpSession,
  cla: number,
  ins: number,
  p1: number,
  p2: number,
  lc: Bytes,
  body: Bytes,
): Bytes {
  return aesCmac(s.keys.sMac, concat(s.chain, Uint8Array.of(macClass(cla), ins, p1, p2), lc, body));
}

function rMac(s: ScpSession, body: Bytes, sw: number): Bytes {
  return aesCmac(s.keys.sRmac, concat(s.chain, body, Uint8Array.of(sw >> 8, sw & 0xff))).subarray(0, MAC_LEN);
}

/** 9000 and warnings 62xx / 63xx are protected; any other status word goes back bare (Amd D §6.2.5). */
export function isProtectedStatus(sw: number): boolean {
  return sw === SW.OK || sw >> 8 === 0x62 || sw >> 8 === 0x63;
}

// ---------------------------------------------------------------- card side

function fail(s: ScpSession): { sw: number } {
  closeSession(s);
  return { sw: SW.SECURITY_NOT_SATISFIED };
}

/**
 * Card: checks and strips the protection of a C-APDU. Returns the plain command (SM bit cleared, data
 * decrypted) or a status word; every failure closes the session (6982).
 */
export function unwrapCommand(s: ScpSession, cmd: Command): { cmd: Command } | { sw: number } {
  if (!s.open) return { sw: SW.SECURITY_NOT_SATISFIED };
  if (!hasSecureMessaging(cmd.cla)) return fail(s);
  s.counter++;
  if (cmd.data.length < MAC_LEN) return fail(s);
  const body = cmd.data.subarray(0, cmd.data.length - MAC_LEN);
  const mac = cMac(s, cmd.cla, cmd.ins, cmd.p1, cmd.p2, lcField(cmd.data.length, cmd.extended), body);
  if (!equalCt(mac.subarray(0, MAC_LEN), cmd.data.subarray(body.length))) return fail(s);
  s.chain = mac;
  let data = body;
  if (s.securityLevel & SECURITY_LEVEL.C_DECRYPTION && body.length > 0) {
    const padded = aesCbcDecrypt(s.keys.sEnc, commandIcv(s), body);
    const plain = padded && unpad80(padded);
    if (!plain) return fail(s);
    data = plain;
  }
  const cla = withoutSecureMessaging(cmd.cla);
  const raw = buildCommand(cla, cmd.ins, cmd.p1, cmd.p2, data, cmd.le);
  const parsed = parseCommand(raw);
  if (!parsed.cmd) return fail(s);
  return { cmd: parsed.cmd };
}

/** Card: protects a response (R-ENC then R-MAC) for the command just unwrapped. */
export function wrapResponse(s: ScpSession, data: Bytes, sw: number): { data: Bytes; sw: number } {
  if (!s.open) return { data, sw };
  if (!isProtectedStatus(sw)) return { data: new Uint8Array(0), sw };
  let body = data;
  if (s.securityLevel & SECURITY_LEVEL.R_ENCRYPTION && data.length > 0)
    body = aesCbcEncrypt(s.keys.sEnc, responseIcv(s), pad80(data));
  if (s.securityLevel & SECURITY_LEVEL.R_MAC) body = concat(body, rMac(s, body, sw));
  return { data: body, sw };
}

// ---------------------------------------------------------------- host (OCE) side

/** Host: protects a plain C-APDU (C-ENC if the level says so, then C-MAC). Throws on a malformed APDU. */
export function wrapCommand(s: ScpSession, apdu: Bytes): Bytes {
  if (!s.open) throw new Error('secure channel session is closed');
  const parsed = parseCommand(apdu);
  if (!parsed.cmd) throw new Error('malformed command APDU');
  const c = parsed.cmd;
  s.counter++;
  let body = c.data;
  if (s.securityLevel & SECURITY_LEVEL.C_DECRYPTION && c.data.length > 0)
    body = aesCbcEncrypt(s.keys.sEnc, commandIcv(s), pad80(c.data));
  const lc = body.length + MAC_LEN;
  const extended = c.extended || lc > 255;
  const cla = withSecureMessaging(c.cla);
  const mac = cMac(s, cla, c.ins, c.p1, c.p2, lcField(lc, extended), body);
  s.chain = mac;
  return buildCommand(cla, c.ins, c.p1, c.p2, concat(body, mac.subarray(0, MAC_LEN)), c.le, extended);
}

/** Host: checks the R-MAC and decrypts a response (data || SW). Throws when the R-MAC does not verify. */
export function unwrapResponse(s: ScpSession, resp: Bytes): { data: Bytes; sw: number } {
  if (resp.length < 2) throw new Error('response shorter than a status word');
  const sw = (resp[resp.length - 2]! << 8) | resp[resp.length - 1]!;
  const payload = resp.subarray(0, resp.length - 2);
  if (!isProtectedStatus(sw)) return { data: payload, sw };
  let body = payload;
  if (s.securityLevel & SECURITY_LEVEL.R_MAC) {
    if (payload.length < MAC_LEN) throw new Error('response too short for an R-MAC');
    body = payload.subarray(0, payload.length - MAC_LEN);
    if (!equalCt(rMac(s, body, sw), payload.subarray(body.length)))
      throw new Error('R-MAC verification failed');
  }
  if (s.securityLevel & SECURITY_LEVEL.R_ENCRYPTION && body.length > 0) {
    const padded = aesCbcDecrypt(s.keys.sEnc, responseIcv(s), body);
    const plain = padded && unpad80(padded);
    if (!plain) throw new Error('response decryption failed');
    body = plain;
  }
  return { data: new Uint8Array(body), sw };
}
