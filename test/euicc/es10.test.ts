// The ISD-R (SGP.22 §5.7, ES10a/b/c) on the default eUICC (profiles/default-euicc.yaml): the APDU sequences
// lpac and pySim-shell send, pinned byte for byte, the result codes of every function, and hostile input.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { parseBer, readBer } from '../../card-os/tlv.js';
import {
  AID_A,
  AID_B,
  es10,
  ICCID_A,
  ICCID_B,
  ICCID_TEST,
  ISD_R,
  newEuicc,
  openIsdR,
  txHex,
} from './support.js';

const EID = '89049032123451234512345678901235';

/** A DER TLV in hex (short or long length form). */
function tlv(tag: string, ...values: string[]): string {
  const v = values.join('');
  const n = v.length / 2;
  const len = n < 0x80 ? n.toString(16).padStart(2, '0') : `81${n.toString(16).padStart(2, '0')}`;
  return `${tag}${len}${v}`.toUpperCase();
}
const enable = (idTag: string, id: string, refresh = 'FF') =>
  tlv('BF31', tlv('A0', tlv(idTag, id)), tlv('81', refresh));
const disable = (idTag: string, id: string, refresh = 'FF') =>
  tlv('BF32', tlv('A0', tlv(idTag, id)), tlv('81', refresh));

/** The value of the first TLV with `tag` inside `hex` (one level). */
function field(hex: string, tag: number): string | undefined {
  const t = readBer(fromHex(hex));
  const inner = t && parseBer(t.value);
  const f = inner?.find((x) => x.tag === tag);
  return f && toHex(f.value);
}

function profiles(card: ReturnType<typeof newEuicc>, ch: number) {
  const a0 = field(es10(card, ch, 'BF2D00').answer, 0xa0)!;
  return (parseBer(fromHex(a0)) ?? []).map((e3) => {
    const f = parseBer(e3.value)!;
    const get = (tag: number) => {
      const v = f.find((x) => x.tag === tag)?.value;
      return v && toHex(v);
    };
    return { iccid: get(0x5a), aid: get(0x4f), state: get(0x9f70), nickname: get(0x90), cls: get(0x95) };
  });
}

describe('lpac (estkme-group/lpac driver/apdu/pcsc.c, euicc/es10a.c, es10c.c, es10c_ex.c)', () => {
  it('chip info: channel open, SELECT ISD-R, GetEID, GetEuiccConfiguredAddresses, GetEUICCInfo2, close', () => {
    const c = newEuicc();
    expect(txHex(c, '80AA00000AA9088100820101830107').sw).not.toBe('6F00'); // TERMINAL CAPABILITY, answer ignored
    expect(txHex(c, '0070000001')).toEqual({ sw: '9000', data: '01' });
    expect(txHex(c, `01A4040010${ISD_R}`).sw).toMatch(/^61/);
    const eid = es10(c, 1, 'BF3E035C015A');
    expect(eid.apdus).toEqual(['81E2910006BF3E035C015A', '81C0000015']);
    expect(eid.answer).toBe(`BF3E125A10${EID}`);
    const addr = es10(c, 1, 'BF3C00');
    expect(addr.apdus[0]).toBe('81E2910003BF3C00');
    expect(Buffer.from(field(addr.answer, 0x80)!, 'hex').toString()).toBe('smdp.example.com');
    expect(Buffer.from(field(addr.answer, 0x81)!, 'hex').toString()).toBe('lpa.ds.gsma.com');
    const info2 = es10(c, 1, 'BF2200').answer;
    expect(info2.startsWith('BF22')).toBe(true);
    expect(field(info2, 0x82)).toBe('020500'); // SGP.22 v2.5
    expect(field(info2, 0x88)).toBe('0398'); // rspCapability
    expect(txHex(c, '0070800100').sw).toBe('9000'); // case 1 under T=0 with P3=00
  });

  it('profile list: BF2D00 answers every ProfileInfo with ICCID, ISD-P AID, state, class', () => {
    const c = newEuicc();
    const ch = openIsdR(c);
    expect(profiles(c, ch)).toEqual([
      { iccid: ICCID_A, aid: AID_A, state: '01', nickname: toHex(Buffer.from('Personal')), cls: '02' },
      { iccid: ICCID_B, aid: AID_B, state: '00', nickname: undefined, cls: '02' },
      {
        iccid: ICCID_TEST,
        aid: 'A0000005591010FFFFFFFF8900001200',
        state: '00',
        nickname: undefined,
        cls: '00',
      },
    ]);
  });

  it('profile enable / disable by ICCID with refreshFlag, then notification list', () => {
    const c = newEuicc();
    const ch = openIsdR(c);
    const en = es10(c, ch, enable('5A', ICCID_B));
    expect(en.apdus[0]).toBe(`81E2910014BF3111A00C5A0A${ICCID_B}8101FF`);
    expect(en.answer).toBe('BF3103800100');
    expect(profiles(c, ch).map((p) => p.state)).toEqual(['00', '01', '00']);
    const dis = es10(c, ch, disable('5A', ICCID_B, '00'));
    expect(dis.answer).toBe('BF3203800100');
    expect(profiles(c, ch).map((p) => p.state)).toEqual(['00', '00', '00']);
    // ListNotification: A disabled (seq 1), B enabled (2), B disabled (3), each to its SM-DP+.
    const list = field(es10(c, ch, 'BF2800').answer, 0xa0)!;
    const metas = parseBer(fromHex(list))!.map((m) => parseBer(m.value)!);
    expect(metas.map((m) => toHex(m.find((x) => x.tag === 0x81)!.value))).toEqual(['0520', '0640', '0520']);
    expect(metas.map((m) => toHex(m.find((x) => x.tag === 0x80)!.value))).toEqual(['01', '02', '03']);
    expect(metas.map((m) => toHex(m.find((x) => x.tag === 0x5a)!.value))).toEqual([
      ICCID_A,
      ICCID_B,
      ICCID_B,
    ]);
    // pmo filter: enable notifications only.
    expect(
      parseBer(fromHex(field(es10(c, ch, 'BF28048102 0640'.replace(' ', '')).answer, 0xa0)!))!.length,
    ).toBe(1);
    expect(es10(c, ch, 'BF3003800102').answer).toBe('BF3003800100'); // remove seq 2
    expect(es10(c, ch, 'BF3003800102').answer).toBe('BF3003800101'); // nothing to delete
  });

  it('segments of any size up to 255 bytes give the same answer', () => {
    for (const mss of [6, 7, 50, 120, 255]) {
      const c = newEuicc();
      const ch = openIsdR(c);
      const nick = toHex(Buffer.from('x'.repeat(64)));
      const r = es10(c, ch, tlv('BF29', tlv('5A', ICCID_B), tlv('90', nick)), mss);
      expect(r.answer, `mss ${mss}`).toBe('BF2903800100');
      expect(profiles(c, ch)[1]!.nickname).toBe(nick);
    }
  });
});

describe("pySim-shell's eUICC commands (osmocom/pysim pySim/euicc.py): one STORE DATA with Le, basic channel", () => {
  it('get_eid, get_euicc_info2, get_profiles_info, enable_profile', () => {
    const c = newEuicc({ protocol: 1 });
    expect(txHex(c, `00A4040410${ISD_R}00`).sw).toBe('9000');
    expect(txHex(c, '80E2910006BF3E035C015A00')).toEqual({ sw: '9000', data: `BF3E125A10${EID}` });
    expect(txHex(c, '80E2910003BF220000').data.startsWith('BF22')).toBe(true);
    expect(txHex(c, '80E2910003BF2D0000').data.startsWith('BF2D')).toBe(true);
    const en = txHex(c, `80E2910014${enable('5A', ICCID_B)}00`);
    expect(en.data).toBe('BF3103800100');
    expect(en.sw).toMatch(/^91/); // REFRESH is pending
  });
});

describe('result codes (SGP.22 §5.7.15-§5.7.21)', () => {
  it('enable: not found 1, not disabled 2; disable: not enabled 2; delete: enabled 2, not found 1', () => {
    const c = newEuicc();
    const ch = openIsdR(c);
    const unknown = '98000000000000000000';
    expect(es10(c, ch, enable('5A', unknown)).answer).toBe('BF3103800101');
    expect(es10(c, ch, enable('5A', ICCID_A)).answer).toBe('BF3103800102');
    expect(es10(c, ch, disable('4F', AID_B)).answer).toBe('BF3203800102');
    expect(es10(c, ch, tlv('BF33', tlv('5A', ICCID_A))).answer).toBe('BF3303800102');
    expect(es10(c, ch, tlv('BF33', tlv('5A', unknown))).answer).toBe('BF3303800101');
    expect(es10(c, ch, tlv('BF29', tlv('5A', unknown), tlv('90', '41'))).answer).toBe('BF2903800101');
    expect(es10(c, ch, tlv('BF30', tlv('80', '09'))).answer).toBe('BF3003800101');
    expect(es10(c, ch, tlv('BF2B', tlv('A0', tlv('80', '09')))).answer).toBe('BF2B03810101');
    expect(es10(c, ch, tlv('BF33', tlv('5A', ICCID_B))).answer).toBe('BF3303800100');
    expect(profiles(c, ch).map((p) => p.iccid)).toEqual([ICCID_A, ICCID_TEST]);
  });

  it('malformed requests answer undefinedError (127) or 6A80, never 6F00, and change nothing', () => {
    const c = newEuicc();
    const ch = openIsdR(c);
    const before = profiles(c, ch);
    expect(es10(c, ch, 'BF3103A00100').answer).toBe('BF310380017F'); // no identifier, no refreshFlag
    expect(es10(c, ch, 'BF3302A000').answer).toBe('BF330380017F');
    expect(es10(c, ch, 'BF3403820108').answer).toBe('BF340380017F'); // 8 unused bits: no BIT STRING
    expect(es10(c, ch, 'BF2D03A00100').answer).toBe('BF2D03810101'); // incorrectInputValues
    expect(txHex(c, '81E2910004BF31FF00').sw).toBe('6A80'); // not one TLV
    expect(txHex(c, '81E2910003BF9900').sw).toBe('6A80'); // no such function
    expect(txHex(c, '81E2110100').sw).toBe('6A86'); // block 1 before block 0
    expect(txHex(c, '81E2810003BF2D00').sw).toBe('6A86'); // P1 neither 11 nor 91
    expect(profiles(c, ch)).toEqual(before);
  });

  it('5,000 random requests never crash the card', () => {
    const c = newEuicc();
    const ch = openIsdR(c);
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed >> 8;
    };
    const tags = ['BF2D', 'BF31', 'BF32', 'BF33', 'BF34', 'BF29', 'BF28', 'BF2B', 'BF30', 'BF3F', 'BF3E'];
    for (let i = 0; i < 5000; i++) {
      const body = Array.from({ length: rnd() % 40 }, () =>
        (rnd() & 0xff).toString(16).padStart(2, '0'),
      ).join('');
      const len = (body.length / 2).toString(16).padStart(2, '0');
      const req = `${tags[rnd() % tags.length]}${len}${body}`;
      const apdu = `81E29100${(req.length / 2).toString(16).padStart(2, '0')}${req}`;
      const r = txHex(c, apdu);
      expect(r.sw, apdu).not.toBe('6F00');
      if (r.sw.startsWith('61')) txHex(c, `81C00000${r.sw.slice(2)}`);
    }
    // Still exactly one or no enabled profile.
    expect(profiles(c, ch).filter((p) => p.state === '01').length).toBeLessThanOrEqual(1);
  });
});
