// TEST FIXTURE, not the card OS: a tiny in-memory stand-in for the remote APDU session the card OS provides
// to the OTA core. It knows a few files (FID -> FCP and transparent content), answers SELECT like a T=0 card
// (61xx, then GET RESPONSE), READ BINARY, and UPDATE BINARY only when ADM1 (0x0A) is among the granted
// rights. The lead's end-to-end tests run the OTA core against the real card OS.

import type { RemoteApduSession } from '../../applets/ota/ota-applet-core.js';
import type { OtaContext } from '../../applets/ota/ota-config.js';
import { response } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex, u16 } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { ber } from '../../card-os/tlv.js';

export const ADM1 = 0x0a;

export interface FixtureFile {
  fcp: Bytes;
  data: Bytes;
}

/** A 50-byte MF FCP: the sysmoISIM cards of the interop vectors answer SELECT MF with 6132. */
function mfFcp(): Bytes {
  // PIN status template C6 with ten key references, sized so that the whole FCP is 0x32 bytes.
  const keyRefs = concat(...[1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b].map((r) => Uint8Array.of(0x83, 0x01, r)));
  return ber(
    0x62,
    ber(0x82, fromHex('7821')),
    ber(0x83, fromHex('3f00')),
    ber(0x8a, fromHex('05')),
    ber(0x8b, fromHex('2f0601')),
    ber(0xc6, keyRefs),
  );
}

function efFcp(fid: number, size: number): Bytes {
  return ber(
    0x62,
    ber(0x82, fromHex('4121')),
    ber(0x83, u16(fid)),
    ber(0x80, u16(size)),
    ber(0x8a, fromHex('05')),
  );
}

interface FixtureCommand {
  ins: number;
  p1: number;
  p2: number;
  data: Bytes;
  le: number | undefined;
}

const NO_DATA = new Uint8Array(0);

/** Short APDUs only (all the fixture needs): header, Lc data, Le. */
function parse(a: Bytes): FixtureCommand | undefined {
  if (a.length < 4) return undefined;
  let data: Bytes = NO_DATA;
  let le: number | undefined;
  if (a.length === 5) le = a[4] || 256;
  else if (a.length > 5) {
    const lc = a[4]!;
    if (a.length !== 5 + lc && a.length !== 6 + lc) return undefined;
    data = a.subarray(5, 5 + lc);
    if (a.length === 6 + lc) le = a[5 + lc] || 256;
  }
  return { ins: a[1]!, p1: a[2]!, p2: a[3]!, data, le };
}

export interface SessionLog {
  context: OtaContext;
  grants: readonly number[];
  apdus: Bytes[];
}

export class FixtureCard {
  readonly files = new Map<number, FixtureFile>();
  readonly sessions: SessionLog[] = [];

  constructor() {
    this.files.set(0x3f00, { fcp: mfFcp(), data: new Uint8Array(0) });
  }

  addEf(fid: number, data: Bytes): void {
    this.files.set(fid, { fcp: efFcp(fid, data.length), data: data.slice() });
  }

  open(context: OtaContext, grants: readonly number[]): RemoteApduSession {
    const log: SessionLog = { context, grants: [...grants], apdus: [] };
    this.sessions.push(log);
    let selected = 0x3f00;
    let pending: Bytes | undefined;
    return {
      execute: (apdu) => {
        log.apdus.push(apdu);
        const c = parse(apdu);
        if (!c) return response(SW.WRONG_LENGTH);
        const out = pending;
        pending = undefined;
        switch (c.ins) {
          case 0xa4: {
            if (c.data.length !== 2) return response(SW.INCORRECT_P1P2);
            const fid = (c.data[0]! << 8) | c.data[1]!;
            const f = this.files.get(fid);
            if (!f) return response(SW.FILE_NOT_FOUND);
            selected = fid;
            if ((c.p2 & 0x0c) === 0x0c) return response(SW.OK);
            if (c.le !== undefined) return response(SW.OK, f.fcp);
            pending = f.fcp;
            return response(0x6100 | f.fcp.length);
          }
          case 0xc0:
            if (!out) return response(SW.CONDITIONS_NOT_SATISFIED);
            return response(SW.OK, out.subarray(0, c.le ?? out.length));
          case 0xb0: {
            const f = this.files.get(selected)!;
            const off = (c.p1 << 8) | c.p2;
            if (off > f.data.length) return response(SW.WRONG_P1P2);
            return response(SW.OK, f.data.subarray(off, off + (c.le ?? 0)));
          }
          case 0xd6: {
            const f = this.files.get(selected)!;
            const off = (c.p1 << 8) | c.p2;
            if (!grants.includes(ADM1)) return response(SW.SECURITY_NOT_SATISFIED);
            if (off + c.data.length > f.data.length) return response(SW.WRONG_P1P2);
            f.data.set(c.data, off);
            return response(SW.OK);
          }
          default:
            return response(SW.INS_NOT_SUPPORTED);
        }
      },
    };
  }
}
