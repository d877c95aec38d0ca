// The response packet (PoR), TS 102 225 §5.2 as carried in SMS-PP by TS 31.115 §7:
//   [UDHL=02 IEI=71 IEIDL=00] RPL(2) RHL(1) TAR(3) | CNTR(5) PCNTR(1) STS(1) RC/CC/DS response data padding
//                                                  |<------------- ciphered when SPI2 b5 is set ---------->|
// RPL counts the bytes after itself; RHL = 10 + length of RC/CC/DS. The RC/CC covers the response packet
// identifier UDH (02 71 00), RPL, RHL, TAR, CNTR, PCNTR, STS, the data and the padding.

import { type Bytes, concat, equalCt, readU16, readUintBE, uintBE } from '../../card-os/bytes.js';
import {
  blockSize,
  type CipherSuite,
  decipher,
  encipher,
  type IntegritySuite,
  integrityLength,
  integrityValue,
  padLength,
} from './packet-security.js';

/** UDH of a single-SMS response: UDHL 02, IEI 71 (response packet identifier), length 00. */
export const RPI_UDH = Uint8Array.of(0x02, 0x71, 0x00);
export const RHL_BASE = 10;

export interface ResponsePacketInput {
  tar: number;
  cntr: number;
  status: number;
  data: Bytes;
  cipher?: CipherSuite;
  integrity?: IntegritySuite;
}

/** Builds a response packet, from RPL on (the UDH is the transport's). */
export function encodeResponsePacket(p: ResponsePacketInput): Bytes {
  const integrityLen = p.integrity ? integrityLength(p.integrity) : 0;
  const rhl = RHL_BASE + integrityLen;
  const pad = p.cipher ? padLength(p.cipher.alg, 7 + integrityLen + p.data.length) : 0;
  const rpl = 1 + rhl + p.data.length + pad;
  const head = concat(Uint8Array.of(rpl >> 8, rpl & 0xff, rhl), uintBE(p.tar, 3));
  const counterPart = concat(uintBE(p.cntr, 5), Uint8Array.of(pad, p.status));
  const padded = concat(p.data, new Uint8Array(pad));
  const rc = p.integrity
    ? integrityValue(p.integrity, concat(RPI_UDH, head, counterPart, padded))
    : new Uint8Array(0);
  const secured = concat(counterPart, rc, padded);
  return concat(head, p.cipher ? encipher(p.cipher, secured) : secured);
}

export interface ResponsePacket {
  tar: number;
  cntr: number;
  status: number;
  data: Bytes;
  /** Whether the packet carried the expected RC/CC (verified) or was ciphered as expected. */
  secured: boolean;
}

export type DecodedResponse = { ok: true; por: ResponsePacket } | { ok: false; error: string };

/**
 * Decodes a response packet (from RPL on). `expect` gives the protection SPI2 asked for. A packet whose
 * RHL shows no RC/CC/DS and whose length does not fit ciphering is read as an unprotected PoR (security
 * failures are reported that way) with `secured: false`.
 */
export function decodeResponsePacket(
  pkt: Bytes,
  expect: { cipher?: CipherSuite; integrity?: IntegritySuite },
): DecodedResponse {
  if (pkt.length < 3 + RHL_BASE) return { ok: false, error: 'response packet too short' };
  if (readU16(pkt, 0) !== pkt.length - 2) return { ok: false, error: 'RPL does not match the length' };
  const rhl = pkt[2]!;
  const tar = readUintBE(pkt, 3, 3);
  const body = pkt.subarray(6);
  const integrityLen = expect.integrity ? integrityLength(expect.integrity) : 0;
  const cipherFits = !expect.cipher || (body.length > 0 && body.length % blockSize(expect.cipher.alg) === 0);
  const protectedForm =
    (expect.integrity !== undefined || expect.cipher !== undefined) &&
    rhl === RHL_BASE + integrityLen &&
    cipherFits;
  if (protectedForm) {
    const plain = expect.cipher ? decipher(expect.cipher, body) : body;
    if (plain.length < 7 + integrityLen) return { ok: false, error: 'RHL larger than the packet' };
    const rest = plain.subarray(7 + integrityLen);
    if (expect.integrity) {
      const covered = concat(RPI_UDH, pkt.subarray(0, 6), plain.subarray(0, 7), rest);
      if (!equalCt(integrityValue(expect.integrity, covered), plain.subarray(7, 7 + integrityLen)))
        return { ok: false, error: 'PoR RC/CC does not verify' };
    }
    const pcntr = plain[5]!;
    if (pcntr > rest.length) return { ok: false, error: 'PCNTR larger than the data' };
    return {
      ok: true,
      por: {
        tar,
        cntr: readUintBE(plain, 0, 5),
        status: plain[6]!,
        data: rest.subarray(0, rest.length - pcntr),
        secured: true,
      },
    };
  }
  if (rhl !== RHL_BASE) return { ok: false, error: `unexpected RHL ${rhl}` };
  const pcntr = body[5]!;
  const rest = body.subarray(7);
  if (pcntr > rest.length) return { ok: false, error: 'PCNTR larger than the data' };
  return {
    ok: true,
    por: {
      tar,
      cntr: readUintBE(body, 0, 5),
      status: body[6]!,
      data: rest.subarray(0, rest.length - pcntr),
      secured: false,
    },
  };
}
