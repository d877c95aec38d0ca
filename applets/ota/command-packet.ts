// The secured command packet, TS 102 225 §5.1.1 as carried in SMS-PP by TS 31.115 §6:
//   CPL(2) CHL(1) SPI(2) KIc(1) KID(1) TAR(3) | CNTR(5) PCNTR(1) RC/CC/DS(0,2,4,8) secured data padding
//   |<-------------- always in clear ---------->|<------------- ciphered when SPI1 b3 is set ------------>|
// CPL counts the bytes after itself; CHL = 13 + length of RC/CC/DS. The RC/CC covers
// CPL CHL SPI KIc KID TAR CNTR PCNTR, the secured data and the padding (not the RC/CC field itself).
// Ciphering is CBC with IV 0 from CNTR to the end; PCNTR gives the number of padding bytes.

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
import { POR } from './por-status.js';
import { encodeSpi, type Spi } from './spi.js';

/** Bytes from CPL to TAR, never ciphered. */
export const CLEAR_HEADER_LENGTH = 10;
/** CHL without the RC/CC/DS field: SPI(2) KIc KID TAR(3) CNTR(5) PCNTR. */
export const CHL_BASE = 13;

export interface CommandHeader {
  cpl: number;
  chl: number;
  spi1: number;
  spi2: number;
  kic: number;
  kid: number;
  tar: number;
}

/** Reads the clear part of a command packet; undefined if the packet is shorter than that. */
export function readCommandHeader(pkt: Bytes): CommandHeader | undefined {
  if (pkt.length < CLEAR_HEADER_LENGTH) return undefined;
  return {
    cpl: readU16(pkt, 0),
    chl: pkt[2]!,
    spi1: pkt[3]!,
    spi2: pkt[4]!,
    kic: pkt[5]!,
    kid: pkt[6]!,
    tar: readUintBE(pkt, 7, 3),
  };
}

export interface CommandPacketInput {
  spi: Spi;
  kic: number;
  kid: number;
  tar: number;
  cntr: number;
  /** The secured data: a remote command script (TS 102 226). */
  data: Bytes;
  /** Key for ciphering; required when spi.ciphered. */
  cipher?: CipherSuite;
  /** RC or CC; required when spi.integrity is 'rc' or 'cc' and of that kind. */
  integrity?: IntegritySuite;
}

/** Builds a command packet (sending entity). Throws RangeError on inconsistent parameters. */
export function encodeCommandPacket(p: CommandPacketInput): Bytes {
  if (p.spi.integrity === 'ds') throw new RangeError('digital signatures are not supported');
  const integrity = p.spi.integrity === 'none' ? undefined : p.integrity;
  if (p.spi.integrity !== 'none' && integrity?.kind !== p.spi.integrity)
    throw new RangeError(`SPI asks for ${p.spi.integrity.toUpperCase()} but no matching key was given`);
  if (p.spi.ciphered && !p.cipher) throw new RangeError('SPI asks for ciphering but no KIc key was given');
  const integrityLen = integrity ? integrityLength(integrity) : 0;
  const chl = CHL_BASE + integrityLen;
  const pad = p.spi.ciphered ? padLength(p.cipher!.alg, 6 + integrityLen + p.data.length) : 0;
  const cpl = 1 + chl + p.data.length + pad;
  if (cpl > 0xffff) throw new RangeError('command packet too long');
  const [spi1, spi2] = encodeSpi(p.spi);
  const head = concat(Uint8Array.of(cpl >> 8, cpl & 0xff, chl, spi1, spi2, p.kic, p.kid), uintBE(p.tar, 3));
  const counterPart = concat(uintBE(p.cntr, 5), Uint8Array.of(pad));
  const padded = concat(p.data, new Uint8Array(pad));
  const rc = integrity ? integrityValue(integrity, concat(head, counterPart, padded)) : new Uint8Array(0);
  const secured = concat(counterPart, rc, padded);
  return concat(head, p.spi.ciphered ? encipher(p.cipher!, secured) : secured);
}

export type OpenedCommand = { ok: true; cntr: number; data: Bytes } | { ok: false; status: number };

/**
 * Receiving entity: checks lengths, deciphers and verifies the RC/CC of a packet whose clear header and
 * keys were already accepted. `cipher` is given when SPI1 asks for ciphering, `integrity` when it asks for
 * an RC or CC. Status on failure: 06 for an inconsistent structure, 05 for a ciphertext that is no whole
 * number of blocks or padding that does not fit, 01 for a wrong RC/CC.
 */
export function openCommandPacket(
  pkt: Bytes,
  h: CommandHeader,
  cipher: CipherSuite | undefined,
  integrity: IntegritySuite | undefined,
): OpenedCommand {
  const integrityLen = integrity ? integrityLength(integrity) : 0;
  if (h.cpl !== pkt.length - 2 || h.chl !== CHL_BASE + integrityLen) return fail(POR.SECURITY_ERROR);
  const body = pkt.subarray(CLEAR_HEADER_LENGTH);
  if (cipher && (body.length === 0 || body.length % blockSize(cipher.alg) !== 0))
    return fail(POR.CIPHERING_ERROR);
  const plain = cipher ? decipher(cipher, body) : body;
  if (plain.length < 6 + integrityLen) return fail(POR.SECURITY_ERROR);
  const rest = plain.subarray(6 + integrityLen);
  if (integrity) {
    const covered = concat(pkt.subarray(0, CLEAR_HEADER_LENGTH), plain.subarray(0, 6), rest);
    if (!equalCt(integrityValue(integrity, covered), plain.subarray(6, 6 + integrityLen)))
      return fail(POR.RC_CC_DS_FAILED);
  }
  const pcntr = plain[5]!;
  if (pcntr > rest.length) return fail(cipher ? POR.CIPHERING_ERROR : POR.SECURITY_ERROR);
  return { ok: true, cntr: readUintBE(plain, 0, 5), data: rest.subarray(0, rest.length - pcntr) };
}

function fail(status: number): OpenedCommand {
  return { ok: false, status };
}
