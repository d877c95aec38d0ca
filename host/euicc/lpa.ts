// An LPA of our own (SGP.22 §3.2, local profile management over ES10): opens a logical channel, selects
// the ISD-R, and runs ES10 functions as STORE DATA blocks (lpac's segment size, 120 bytes) with GET
// RESPONSE on 61xx. Requests and answers are DER; the few flat structures of ES10 are read with the
// card's own TLV codec (card-os/tlv.ts), so host and card share one codec and the tests run them
// against each other.

import { dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import { ber, parseBer, readBer, type Tlv } from '../../card-os/tlv.js';
import type { Transport } from '../transport/transport.js';

export const ISD_R_AID = fromHex('A0000005591010FFFFFFFF8900000100');
const SEGMENT = 120;

export interface ProfileInfo {
  iccid: string;
  isdpAid: string;
  state: 'enabled' | 'disabled';
  nickname?: string;
  serviceProvider?: string;
  name?: string;
  class?: 'test' | 'provisioning' | 'operational';
}

export interface Notification {
  seq: number;
  event: string;
  address: string;
  iccid?: string;
}

/** ICCID digits from EF.ICCID / ProfileInfo coding (nibble-swapped BCD, F padding). */
export function iccidDigits(b: Bytes): string {
  let s = '';
  for (const x of b) s += (x & 0x0f).toString(16) + (x >> 4).toString(16);
  return s.replace(/f+$/i, '').toUpperCase();
}

export function iccidBytes(digits: string): Bytes {
  const d = digits.padEnd(20, 'F');
  const out = new Uint8Array(10);
  for (let i = 0; i < 10; i++) out[i] = Number.parseInt(d[2 * i + 1]! + d[2 * i]!, 16);
  return out;
}

const text = (b: Bytes | undefined) => (b ? new TextDecoder().decode(b) : undefined);
const CLASSES = ['test', 'provisioning', 'operational'] as const;
const EVENTS = ['install', 'enable', 'disable', 'delete'];

/** Result codes of the ES10c functions (SGP.22 §5.7.16-§5.7.21). */
export const RESULT_NAMES: Record<number, string> = {
  0: 'ok',
  1: 'iccidOrAidNotFound',
  2: 'wrong profile state',
  3: 'disallowedByPolicy',
  4: 'wrongProfileReenabling',
  5: 'catBusy',
  127: 'undefinedError',
};

export class LpaError extends Error {}

export class Lpa {
  private constructor(
    private readonly t: Pick<Transport, 'transmit'>,
    readonly channel: number,
  ) {}

  static async open(t: Pick<Transport, 'transmit'>): Promise<Lpa> {
    const open = await t.transmit(fromHex('0070000001'));
    // 91xx is a normal ending too, with a proactive command pending (TS 102 221 §10.2.1.1): after an
    // EnableProfile with refreshFlag the card has its REFRESH waiting until the terminal fetches it.
    const ok = swOf(open) === 0x9000 || swOf(open) >> 8 === 0x91;
    if (!ok || dataOf(open).length !== 1)
      throw new LpaError(`MANAGE CHANNEL answered ${swOf(open).toString(16)}`);
    const ch = dataOf(open)[0]!;
    const sel = await t.transmit(concat(Uint8Array.of(ch, 0xa4, 0x04, 0x00, ISD_R_AID.length), ISD_R_AID));
    const sw1 = swOf(sel) >> 8;
    if (sw1 !== 0x90 && sw1 !== 0x61) throw new LpaError('this card has no ISD-R (not an eUICC)');
    return new Lpa(t, ch);
  }

  async close(): Promise<void> {
    await this.t.transmit(Uint8Array.of(0x00, 0x70, 0x80, this.channel, 0x00));
  }

  /** One ES10 function: the request TLV in STORE DATA blocks, the answer TLV. */
  async call(request: Bytes): Promise<Tlv> {
    const out = await this.send(request);
    const t = readBer(out, 0);
    if (!t) throw new LpaError('the ISD-R answered no DER TLV');
    return t;
  }

  /** One STORE DATA sequence (P2 from 0), the answer's bytes (none for a BPP piece that wants more). */
  async send(request: Bytes): Promise<Bytes> {
    const cla = 0x80 | this.channel;
    let out: Bytes = new Uint8Array(0);
    for (let off = 0, block = 0; off < request.length; off += SEGMENT, block++) {
      const chunk = request.subarray(off, off + SEGMENT);
      const last = off + SEGMENT >= request.length;
      let r = await this.t.transmit(
        concat(Uint8Array.of(cla, 0xe2, last ? 0x91 : 0x11, block, chunk.length), chunk),
      );
      out = concat(out, dataOf(r));
      while (swOf(r) >> 8 === 0x61) {
        r = await this.t.transmit(Uint8Array.of(cla, 0xc0, 0, 0, swOf(r) & 0xff));
        out = concat(out, dataOf(r));
      }
      if (swOf(r) >> 12 !== 0x9)
        throw new LpaError(`STORE DATA answered ${swOf(r).toString(16).toUpperCase()}`);
    }
    return out;
  }

  private async result(request: Bytes): Promise<number> {
    const t = await this.call(request);
    const r = parseBer(t.value)?.find((x) => x.tag === 0x80)?.value;
    if (!r?.length) throw new LpaError('the answer carries no result');
    return r.reduce((n, b) => n * 256 + b, 0);
  }

  async eid(): Promise<string> {
    const t = await this.call(fromHex('BF3E035C015A'));
    const eid = parseBer(t.value)?.find((x) => x.tag === 0x5a)?.value;
    if (!eid) throw new LpaError('GetEID answered no EID');
    return toHex(eid);
  }

  async addresses(): Promise<{ defaultDp?: string; rootDs?: string }> {
    const f = parseBer((await this.call(fromHex('BF3C00'))).value) ?? [];
    const out: { defaultDp?: string; rootDs?: string } = {};
    const dp = text(f.find((x) => x.tag === 0x80)?.value);
    const ds = text(f.find((x) => x.tag === 0x81)?.value);
    if (dp) out.defaultDp = dp;
    if (ds) out.rootDs = ds;
    return out;
  }

  async euiccInfo2(): Promise<Tlv[]> {
    return parseBer((await this.call(fromHex('BF2200'))).value) ?? [];
  }

  async profiles(): Promise<ProfileInfo[]> {
    const t = await this.call(fromHex('BF2D00'));
    const list = parseBer(t.value)?.find((x) => x.tag === 0xa0);
    if (!list) throw new LpaError('GetProfilesInfo failed');
    return (parseBer(list.value) ?? []).map((e3) => {
      const f = parseBer(e3.value) ?? [];
      const get = (tag: number) => f.find((x) => x.tag === tag)?.value;
      const p: ProfileInfo = {
        iccid: iccidDigits(get(0x5a) ?? new Uint8Array(0)),
        isdpAid: toHex(get(0x4f) ?? new Uint8Array(0)),
        state: get(0x9f70)?.[0] === 1 ? 'enabled' : 'disabled',
      };
      const nick = text(get(0x90));
      const sp = text(get(0x91));
      const name = text(get(0x92));
      const cls = get(0x95)?.[0];
      if (nick !== undefined) p.nickname = nick;
      if (sp !== undefined) p.serviceProvider = sp;
      if (name !== undefined) p.name = name;
      if (cls !== undefined && cls < 3) p.class = CLASSES[cls];
      return p;
    });
  }

  /** The profile identifier: an ISD-P AID (32 hex digits) or an ICCID. */
  private id(id: string): Bytes {
    return /^[0-9A-Fa-f]{32}$/.test(id) ? ber(0x4f, fromHex(id)) : ber(0x5a, iccidBytes(id));
  }

  enable(id: string, refresh = true): Promise<number> {
    return this.result(ber(0xbf31, ber(0xa0, this.id(id)), ber(0x81, Uint8Array.of(refresh ? 0xff : 0))));
  }

  disable(id: string, refresh = true): Promise<number> {
    return this.result(ber(0xbf32, ber(0xa0, this.id(id)), ber(0x81, Uint8Array.of(refresh ? 0xff : 0))));
  }

  delete(id: string): Promise<number> {
    return this.result(ber(0xbf33, this.id(id)));
  }

  nickname(iccid: string, nick: string): Promise<number> {
    return this.result(ber(0xbf29, ber(0x5a, iccidBytes(iccid)), ber(0x90, new TextEncoder().encode(nick))));
  }

  /** eUICCMemoryReset with all three options, as lpac sends it (82 02 05 E0). */
  memoryReset(): Promise<number> {
    return this.result(fromHex('BF3404820205E0'));
  }

  async notifications(): Promise<Notification[]> {
    const t = await this.call(fromHex('BF2800'));
    const list = parseBer(t.value)?.find((x) => x.tag === 0xa0);
    if (!list) throw new LpaError('ListNotification failed');
    return (parseBer(list.value) ?? []).map((m) => {
      const f = parseBer(m.value) ?? [];
      const get = (tag: number) => f.find((x) => x.tag === tag)?.value;
      const bits = get(0x81);
      const bit = bits && bits.length === 2 ? 7 - bits[0]! : -1;
      const n: Notification = {
        seq: (get(0x80) ?? new Uint8Array(0)).reduce((a, b) => a * 256 + b, 0),
        event: EVENTS[bit] ?? 'unknown',
        address: text(get(0x0c)) ?? '',
      };
      const iccid = get(0x5a);
      if (iccid) n.iccid = iccidDigits(iccid);
      return n;
    });
  }

  removeNotification(seq: number): Promise<number> {
    const b: number[] = [];
    let n = seq;
    do {
      b.unshift(n & 0xff);
      n = Math.floor(n / 256);
    } while (n > 0);
    if (b[0]! & 0x80) b.unshift(0);
    return this.result(ber(0xbf30, ber(0x80, Uint8Array.from(b))));
  }
}
