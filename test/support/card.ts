// FIXTURE ONLY — a tiny stand-in card for the pcsc-bridge tests, written before the card OS existed.
// The lead replaces the body of makeTestCard() with the real emulator and the default profile; tests that use
// it compare "in-process" with "through PC/SC" rather than relying on these bytes.
//
// What it does: a UICC-like ATR offering T=0, an MF (3F00) with EF 2FE2 (10 bytes, read-only) and EF 2F05
// (10 bytes, updatable); SELECT by FID (P2 04: FCP, 0C: no data), READ BINARY, UPDATE BINARY and GET RESPONSE,
// answering the way a T=0 card does (TS 102 221 §7.3.1.1): response data of a case-4 command is announced with
// '61xx' and fetched with GET RESPONSE; a READ BINARY with the wrong Le gets '6Cxx'.

import { parseCommand, response } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex } from '../../card-os/bytes.js';
import type { IccCard } from '../../card-os/icc.js';
import { SW } from '../../card-os/sw.js';

/** 3B 9F 96 80 1F C7 | 80 31 E0 73 FE 21 1B 63 3A 20 4E 83 00 90 00 | TCK: T=0 first, then T=15. */
const FIXTURE_ATR = fromHex('3B9F96801FC78031E073FE211B633A204E8300900093');

interface FixtureEf {
  fid: number;
  data: Bytes;
  writable: boolean;
}

function fcp(fid: number, ef: FixtureEf | undefined): Bytes {
  // TS 102 221 §11.1.1.3: 82 file descriptor, 83 FID, 8A life cycle (05 activated), 80 size for EFs.
  const desc = ef ? [0x82, 0x02, 0x41, 0x21] : [0x82, 0x02, 0x78, 0x21];
  const size = ef ? [0x80, 0x02, ef.data.length >> 8, ef.data.length & 0xff] : [];
  const body = [...desc, 0x83, 0x02, fid >> 8, fid & 0xff, 0x8a, 0x01, 0x05, ...size];
  return Uint8Array.from([0x62, body.length, ...body]);
}

export function makeTestCard(): IccCard {
  const files = new Map<number, FixtureEf>([
    [0x2fe2, { fid: 0x2fe2, data: fromHex('98942143658709214365'), writable: false }],
    [0x2f05, { fid: 0x2f05, data: fromHex('656EFFFFFFFFFFFFFFFF'), writable: true }],
  ]);
  let current: FixtureEf | undefined;
  let pending: Bytes | undefined;
  let powered = false;

  const sw = (s: number) => response(s);
  const more = (n: number) => response(0x6100 | (n & 0xff));
  const wrongLe = (n: number) => response(0x6c00 | (n & 0xff));

  function reset(): Bytes {
    powered = true;
    current = undefined;
    pending = undefined;
    return FIXTURE_ATR;
  }

  function transmit(raw: Bytes): Bytes {
    if (!powered) return sw(SW.TECHNICAL_PROBLEM);
    const parsed = parseCommand(raw);
    if (!parsed.cmd) return sw(parsed.error);
    const c = parsed.cmd;
    const held = pending;
    pending = undefined;
    if ((c.cla & 0xf0) !== 0x00 && (c.cla & 0xf0) !== 0x80 && (c.cla & 0xf0) !== 0xa0)
      return sw(SW.CLA_NOT_SUPPORTED);
    switch (c.ins) {
      case 0xa4: {
        if (c.p1 !== 0x00 || c.data.length !== 2) return sw(SW.INCORRECT_P1P2);
        const fid = (c.data[0]! << 8) | c.data[1]!;
        const ef = files.get(fid);
        if (fid !== 0x3f00 && !ef) return sw(SW.FILE_NOT_FOUND);
        current = ef;
        if ((c.p2 & 0x0c) === 0x0c) return sw(SW.OK);
        pending = fcp(fid, ef);
        return more(pending.length);
      }
      case 0xb0: {
        if (!current) return sw(SW.NO_EF_SELECTED);
        if (c.p1 & 0x80) return sw(SW.FUNCTION_NOT_SUPPORTED);
        if (c.le === undefined) return sw(SW.WRONG_LENGTH);
        const offset = (c.p1 << 8) | c.p2;
        if (offset >= current.data.length) return sw(SW.WRONG_P1P2);
        const avail = current.data.length - offset;
        if (c.le > avail) return wrongLe(avail);
        return response(SW.OK, current.data.slice(offset, offset + c.le));
      }
      case 0xd6: {
        if (!current) return sw(SW.NO_EF_SELECTED);
        if (!current.writable) return sw(SW.SECURITY_NOT_SATISFIED);
        const offset = (c.p1 << 8) | c.p2;
        if (offset + c.data.length > current.data.length) return sw(SW.WRONG_P1P2);
        current.data.set(c.data, offset);
        return sw(SW.OK);
      }
      case 0xc0: {
        if (!held) return sw(SW.CONDITIONS_NOT_SATISFIED);
        const le = c.le ?? 256;
        if (le > held.length) {
          pending = held;
          return wrongLe(held.length);
        }
        if (le < held.length) {
          pending = held.slice(le);
          return concat(held.slice(0, le), more(pending.length));
        }
        return response(SW.OK, held);
      }
      default:
        return sw(SW.INS_NOT_SUPPORTED);
    }
  }

  return {
    atr: () => FIXTURE_ATR,
    powerOn: reset,
    reset,
    powerOff() {
      powered = false;
      current = undefined;
      pending = undefined;
    },
    transmit,
  };
}
