// Host encoder against the card's installer: a YAML profile encoded as a profile package (host/saip/encode.ts)
// and installed (applets/euicc/saip/install.ts) gives a card whose answers equal those of the card made from the
// YAML directly: SELECT (FCP) and READ BINARY / READ RECORD of every EF, PIN checks, AUTHENTICATE.

import { describe, expect, it } from 'vitest';
import { createMilenage } from '../../applets/aka/milenage.js';
import { type AkaRound, akaFor } from '../../applets/aka/subscriber-keys.js';
import { DEFAULT_TUAK_PARAMS } from '../../applets/aka/tuak.js';
import { installUpp } from '../../applets/euicc/saip/install.js';
import { decodeUpp } from '../../applets/euicc/saip/pe.js';
import { concat, fromHex, toHex } from '../../card-os/bytes.js';
import { type CardOs, createCard } from '../../card-os/card.js';
import { type FileSpec, fidHex } from '../../card-os/fs/model.js';
import { personalise } from '../../host/personalise.js';
import { loadProfile } from '../../host/profile/load.js';
import { encodeUpp, SaipEncodeError } from '../../host/saip/encode.js';
import { tx } from '../support/uicc.js';
import { cardOf } from './support.js';

function cards(file: string): { yaml: CardOs; upp: CardOs; bytes: Uint8Array } {
  const profile = loadProfile(file);
  const p = personalise(profile);
  const yaml = createCard(p.spec, { applets: p.applets });
  const bytes = encodeUpp(profile);
  const r = installUpp(bytes);
  if (!r.ok) throw new Error(r.failure.message);
  yaml.protocol = 1;
  return { yaml, upp: cardOf(r.profile, 1), bytes };
}

/** Every EF with the APDUs that select it from the MF (through its ADF's AID for files in an ADF). */
function efs(mf: FileSpec): { name: string; select: string[]; ef: FileSpec }[] {
  const out: { name: string; select: string[]; ef: FileSpec }[] = [];
  const walk = (d: FileSpec, adf: FileSpec | undefined, path: string) => {
    for (const c of d.children) {
      const inAdf = c.type === 'ADF' ? c : adf;
      const p = c.type === 'ADF' ? '7FFF' : path + fidHex(c.fid);
      if (c.type === 'EF') {
        const sel = inAdf ? [`00A40404${hex1(inAdf.aid!.length)}${toHex(inAdf.aid!)}`] : ['00A4000C023F00'];
        sel.push(`00A4080C${hex1(p.length / 2)}${p}`);
        out.push({ name: `${c.path} ${c.name}`, select: sel, ef: c });
      } else walk(c, inAdf, p);
    }
  };
  walk(mf, undefined, '');
  return out;
}

const hex1 = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();

/** What the terminal sees of one EF: the FCP of SELECT and all its content. */
function readAll(card: CardOs, e: { select: string[]; ef: FileSpec }): string[] {
  const out: string[] = [];
  for (const s of e.select) out.push(JSON.stringify(tx(card, s)));
  const path = e.select[e.select.length - 1]!;
  out.push(JSON.stringify(tx(card, `00A40804${path.slice(8)}00`)));
  const f = e.ef;
  if (f.structure === 'transparent')
    for (let o = 0; o < f.size; o += 200)
      out.push(
        JSON.stringify(tx(card, `00B0${o.toString(16).padStart(4, '0')}${hex1(Math.min(200, f.size - o))}`)),
      );
  else if (f.structure === 'linear-fixed' || f.structure === 'cyclic')
    for (let r = 1; r <= f.recordCount!; r++)
      out.push(JSON.stringify(tx(card, `00B2${hex1(r)}04${hex1(f.recordLength!)}`)));
  else out.push(JSON.stringify(tx(card, '00CB00FF025C0000')));
  return out;
}

function verifyAll(card: CardOs): string[] {
  return [
    '0020000108' + '31323334FFFFFFFF',
    '0020008108' + '35363738FFFFFFFF',
    '0020000A08' + '3132333435363738',
  ].map((c) => tx(card, c).sw);
}

/** AUTN = SQN ⊕ AK ‖ AMF ‖ MAC-A (TS 33.102 §6.3.2) for SQN 0x40 and AMF 8000. */
function autnOf(aka: AkaRound): Uint8Array {
  const sqn = fromHex('000000000040');
  const amf = fromHex('8000');
  const ak = aka.f2345().ak;
  return concat(
    sqn.map((x, i) => x ^ ak[i]!),
    amf,
    aka.f1(sqn, amf),
  );
}

describe('encodeUpp -> installUpp: profiles/default-usim.yaml', () => {
  const { yaml, upp, bytes } = cards('profiles/default-usim.yaml');

  it('makes a package of PEs the card splits: header first, end last', () => {
    const split = decodeUpp(bytes);
    expect(split.ok).toBe(true);
    if (!split.ok) return;
    expect(split.pes[0]!.name).toBe('header');
    expect(split.pes.map((p) => p.name)).toEqual(
      expect.arrayContaining(['mf', 'usim', 'pinCodes', 'pukCodes', 'akaParameter', 'end']),
    );
  });

  it('takes the compiled or the personalised profile alike, deterministically', () => {
    const profile = loadProfile('profiles/default-usim.yaml');
    expect(encodeUpp(personalise(profile))).toEqual(bytes);
    expect(encodeUpp(profile)).toEqual(bytes);
  });

  it('PIN, PIN2 and ADM1 verify the same on both cards', () => {
    expect(verifyAll(upp)).toEqual(verifyAll(yaml));
    expect(verifyAll(upp)).toEqual(['9000', '9000', '9000']);
  });

  it('every EF answers SELECT and READ BINARY / READ RECORD the same', () => {
    const list = efs(yaml.spec.mf);
    expect(list.length).toBeGreaterThan(50);
    const imsi = list.find((e) => e.ef.fid === 0x6f07 && e.ef.parent?.type === 'ADF')!;
    expect(readAll(upp, imsi).join()).toContain('"data":"080910101032547698"');
    for (const e of list) expect(readAll(upp, e), e.name).toEqual(readAll(yaml, e));
  });

  it('AUTHENTICATE (Milenage) answers the same: success, then a replay with AUTS', () => {
    const k = fromHex('465B5CE8B199B49FAA5F0A2EE238A6BC');
    const opc = fromHex('CD63CB71954A9F4E48A5994E37A02BAF');
    const rand = fromHex('23553CBE9637A89D218AE64DAE47BF35');
    const sqn = fromHex('000000000040');
    const amf = fromHex('B9B9');
    const r = createMilenage({ k, opc }).withRand(rand);
    const ak = r.f2345().ak;
    const autn = concat(
      sqn.map((x, i) => x ^ ak[i]!),
      amf,
      r.f1(sqn, amf),
    );
    const apdu = `008800812210${toHex(rand)}10${toHex(autn)}00`;
    for (const c of [yaml, upp]) expect(tx(c, `00A4040407A0000000871002`).sw).toMatch(/^(9000|61..)$/);
    const a = tx(upp, apdu);
    expect(a).toEqual(tx(yaml, apdu));
    expect(a.data.startsWith('DB08')).toBe(true);
    expect(tx(upp, apdu)).toEqual(tx(yaml, apdu));
  });
});

describe('encodeUpp: the other profiles and what it refuses', () => {
  for (const file of ['profiles/euicc/operator-b.yaml', 'profiles/euicc/test-profile.yaml']) {
    it(`${file}: every EF reads the same after the round trip`, () => {
      const { yaml, upp } = cards(file);
      for (const c of [yaml, upp]) tx(c, '0020000A083132333435363738');
      for (const e of efs(yaml.spec.mf)) expect(readAll(upp, e), e.name).toEqual(readAll(yaml, e));
    });
  }

  it('TUAK keys (default output lengths, 256-bit K) round-trip: AUTHENTICATE answers the same', () => {
    const tuak = loadProfile('profiles/examples/tuak.yaml');
    expect(() => encodeUpp(tuak)).toThrow(/subscriber.tuak: only the TS 35.231 default output lengths/);
    const sub = tuak.subscriber!;
    if (sub.algorithm !== 'tuak') throw new Error('not TUAK');
    const profile = { ...tuak, subscriber: { ...sub, tuak: DEFAULT_TUAK_PARAMS } };
    const p = personalise(profile);
    const yaml = createCard(p.spec, { applets: p.applets });
    yaml.protocol = 1;
    const r = installUpp(encodeUpp(profile));
    if (!r.ok) throw new Error(r.failure.message);
    const upp = cardOf(r.profile);
    const aka = akaFor(profile.subscriber)!.withRand(fromHex('00'.repeat(15) + '01'));
    const autn = autnOf(aka);
    const apdu = `008800812210${'00'.repeat(15)}01${hex1(autn.length)}${toHex(autn)}00`;
    for (const c of [yaml, upp]) tx(c, '00A4040407A0000000871002');
    const a = tx(upp, apdu);
    expect(a.data.startsWith('DB08')).toBe(true);
    expect(a).toEqual(tx(yaml, apdu));
  });

  it('Milenage with own rotation and XOR constants (84, 85) round-trips: AUTHENTICATE answers the same', () => {
    const base = loadProfile('profiles/default-usim.yaml');
    const sub = base.subscriber!;
    if (sub.algorithm !== 'milenage') throw new Error('not Milenage');
    const c = (n: number) => Uint8Array.from({ length: 16 }, (_, i) => (i * 7 + n) & 0xff);
    const constants = { r: [10, 20, 30, 40, 50] as const, c: [c(1), c(2), c(3), c(4), c(5)] as const };
    const profile = { ...base, subscriber: { ...sub, constants } };
    const bytes = encodeUpp(profile);
    expect(toHex(bytes)).toContain('84050A141E2832');
    const p = personalise(profile);
    const yaml = createCard(p.spec, { applets: p.applets });
    yaml.protocol = 1;
    const r = installUpp(bytes);
    if (!r.ok) throw new Error(r.failure.message);
    const upp = cardOf(r.profile);
    const aka = akaFor(profile.subscriber)!.withRand(fromHex('11'.repeat(16)));
    const autn = autnOf(aka);
    const apdu = `008800812210${'11'.repeat(16)}10${toHex(autn)}00`;
    for (const card of [yaml, upp]) {
      tx(card, '002000010831323334FFFFFFFF');
      tx(card, '00A4040407A0000000871002');
    }
    const a = tx(upp, apdu);
    expect(a.data.startsWith('DB08')).toBe(true);
    expect(a).toEqual(tx(yaml, apdu));
  });

  it('refuses a retry counter that does not fit 4 bits, saying where', () => {
    const profile = loadProfile('profiles/default-usim.yaml');
    const bad = {
      ...profile,
      spec: { ...profile.spec, pins: profile.spec.pins.map((p) => ({ ...p, maxTries: 20 })) },
    };
    expect(() => encodeUpp(bad)).toThrow(SaipEncodeError);
    expect(() => encodeUpp(bad)).toThrow(/pins: PIN1.*4-bit/);
  });
});
