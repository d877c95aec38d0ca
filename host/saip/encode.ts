// Encodes one of our compiled profiles as an Unprotected Profile Package (TCA eUICC Profile Package:
// Interoperable Format Technical Specification, PE definitions v3.3.1): the profile header, template PEs
// (MF, TELECOM, USIM and its optional files, GSM-ACCESS, DF.5GS, DF.SAIP, ISIM and its optional files) for the
// files that sit in a template slot, GenericFileManagement for every other file, PE-PUKCodes / PE-PINCodes
// for the PINs, PUKs and ADM keys, and PE-AKAParameter for the USIM's and ISIM's keys (Milenage or TUAK).
// Every file carries its complete Fcp and content, so the installed card (applets/euicc/saip/install.ts)
// answers like the card made from the YAML. What the format cannot carry is refused with a SaipEncodeError
// that says what and where; what it does not carry by design is listed in docs/saip.md (OTA keysets, the
// SCP11 security domain, key slots: no PE maps onto those applets' records).

import { computeOpc, STANDARD_CONSTANTS } from '../../applets/aka/milenage.js';
import type { AkaSubscription } from '../../applets/aka/subscription.js';
import { computeTopc, DEFAULT_TUAK_PARAMS } from '../../applets/aka/tuak.js';
import { derUint } from '../../applets/euicc/der.js';
import { encodeOid } from '../../applets/euicc/saip/oid.js';
import { contextTag, PE_SLOTS, type PeName, peTag } from '../../applets/euicc/saip/pe-types.js';
import { type Template, type TemplateFile, templateByOid } from '../../applets/euicc/saip/templates.js';
import { type Bytes, concat, equal, u16, uintBE } from '../../card-os/bytes.js';
import { descriptorByte } from '../../card-os/fs/fcp.js';
import { type FileSpec, LCSI, type PinSpec } from '../../card-os/fs/model.js';
import { ber } from '../../card-os/tlv.js';
import type { Personalised } from '../personalise.js';
import type { CompiledProfile } from '../profile/load.js';

export class SaipEncodeError extends Error {}

/** Template OIDs the encoder emits (the latest version of each in PE definitions v3.3.1). */
const OID = {
  mf: '2.23.143.1.2.1',
  telecom: '2.23.143.1.2.3.2',
  usim: '2.23.143.1.2.4.2',
  optUsim: '2.23.143.1.2.5.3',
  gsmAccess: '2.23.143.1.2.7',
  df5gs: '2.23.143.1.2.13.4',
  dfSaip: '2.23.143.1.2.14',
  isim: '2.23.143.1.2.8',
  optIsim: '2.23.143.1.2.9.2',
} as const;

const USIM_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02);
const ISIM_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x04);

export interface EncodeOptions {
  /** ProfileHeader profileType (default: the profile's description). */
  profileType?: string;
}

interface Builder {
  pes: Bytes[];
  next: number;
  claimed: Set<FileSpec>;
  oids: Set<string>;
}

function header(b: Builder, mandated = true): Bytes {
  const id = b.next++;
  return ber(0xa0, ...(mandated ? [ber(0x80)] : []), ber(0x81, derUint(id)));
}

function pe(b: Builder, name: PeName, ...fields: Bytes[]): void {
  b.pes.push(ber(peTag(name), header(b), ...fields));
}

/** The Fcp of a file, complete (PE definitions v3.3.1 `Fcp`, TS 102 222 coding). */
export function fcpOf(f: FileSpec): Bytes[] {
  const out: Bytes[] = [];
  const desc = [descriptorByte(f), 0x21];
  if (f.structure === 'linear-fixed' || f.structure === 'cyclic')
    desc.push(f.recordLength! >> 8, f.recordLength! & 0xff);
  if (f.type !== 'MF') out.push(ber(0x82, Uint8Array.from(desc)));
  out.push(ber(0x83, u16(f.fid)));
  if (f.aid) out.push(ber(0x84, f.aid));
  if (f.lcsi !== LCSI.ACTIVATED) out.push(ber(0x8a, Uint8Array.of(f.lcsi)));
  if (f.arr) out.push(ber(0x8b, concat(u16(f.arr.fid), Uint8Array.of(f.arr.record))));
  if (f.type === 'EF' && f.structure !== 'ber-tlv') out.push(ber(0x80, derSize(f.size)));
  if (f.type !== 'EF' && f.pinRefs?.length) out.push(ber(0xc6, Uint8Array.from(f.pinRefs)));
  if (f.type === 'EF') out.push(f.sfi === undefined ? ber(0x88) : ber(0x88, Uint8Array.of(f.sfi << 3)));
  if (f.structure === 'ber-tlv') out.push(ber(0xa5, ber(0x86, derSize(f.size))));
  return out;
}

/** Sizes on the fewest octets (no leading 00, PE definitions v3.3.1 efFileSize / maximumFileSize). */
function derSize(n: number): Bytes {
  const out: number[] = [];
  do {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  return Uint8Array.from(out);
}

/** A template slot's File: the Fcp (A1) and the content (83). */
function slotFile(f: FileSpec): Bytes[] {
  const parts = [ber(0xa1, ...fcpOf(f))];
  if (f.type === 'EF' && f.initial.length) parts.push(ber(0x83, f.initial));
  return parts;
}

function findIn(base: FileSpec, tf: TemplateFile): FileSpec | undefined {
  const dir = tf.in === undefined || tf.in === base.fid ? base : base.children.find((c) => c.fid === tf.in);
  if (!dir || tf.fid === undefined) return undefined;
  const f = dir.children.find((c) => c.fid === tf.fid && c.type !== 'ADF');
  if (!f) return undefined;
  const wantEf = !['MF', 'DF', 'ADF'].includes(tf.type);
  return wantEf === (f.type === 'EF') ? f : undefined;
}

/**
 * A template PE for `base`: each slot whose template file is in our tree gets its Fcp and content; the
 * slots of a "created by default" template we do not have get doNotCreate (outside the MF, where it applies).
 */
function templatePe(b: Builder, oid: string, base: FileSpec, root: boolean): void {
  const tpl: Template = templateByOid(oid)!;
  const slots = PE_SLOTS[tpl.pe]!;
  const fields: Bytes[] = [ber(0x81, encodeOid(oid))];
  slots.forEach((slot, i) => {
    const tf = tpl.files.find((t) => t.slot === slot);
    if (!tf) return;
    const isRoot = root && i === 0;
    const f = isRoot ? base : findIn(base, tf);
    if (f && !b.claimed.has(f)) {
      b.claimed.add(f);
      fields.push(ber(contextTag(i + 2), ...slotFile(f)));
    } else if (tpl.byDefault && tpl.pe !== 'mf' && !isRoot) fields.push(ber(contextTag(i + 2), ber(0x80)));
  });
  b.oids.add(oid);
  pe(b, tpl.pe, ...fields);
}

function child(df: FileSpec | undefined, fid: number): FileSpec | undefined {
  return df?.children.find((c) => c.fid === fid && c.type !== 'EF');
}

function adfByAid(mf: FileSpec, prefix: Bytes): FileSpec | undefined {
  return mf.children.find(
    (c) => c.type === 'ADF' && c.aid && equal(c.aid.subarray(0, prefix.length), prefix),
  );
}

/** GenericFileManagement for every file no template PE claimed: `30 {80 parent path, 62 Fcp, 81 content}` each. */
function genericFiles(b: Builder, mf: FileSpec): void {
  const cmds: Bytes[] = [];
  const walk = (d: FileSpec, path: Bytes) => {
    for (const c of d.children) {
      if (!b.claimed.has(c)) {
        const steps = [ber(0x80, path), ber(0x62, ...fcpOf(c))];
        if (c.type === 'EF' && c.initial.length) steps.push(ber(0x81, c.initial));
        cmds.push(ber(0x30, ...steps));
        b.claimed.add(c);
      }
      if (c.type !== 'EF') walk(c, concat(path, u16(c.fid)));
    }
  };
  walk(mf, new Uint8Array(0));
  if (cmds.length) pe(b, 'genericFileManagement', ber(0xa1, ...cmds));
}

function nibbleTries(max: number, what: string): number {
  if (max < 1 || max > 15)
    throw new SaipEncodeError(`${what}: ${max} tries do not fit the 4-bit retry counter`);
  return (max << 4) | max;
}

function pinCodes(b: Builder, pins: PinSpec[]): void {
  if (!pins.length) return;
  const entries = pins.map((p) => {
    const name = `pins: ${p.name} (key ${p.ref.toString(16).toUpperCase()})`;
    if (p.value.length !== 8) throw new SaipEncodeError(`${name}: the value is not 8 bytes`);
    // pinAttributes: b1 enabled, b2 as the TS.48 profiles set it, b3 may be disabled (default 7).
    const attributes = (p.enabled ? 1 : 0) | 2 | (p.canDisable ? 4 : 0);
    const tries = nibbleTries(p.maxTries, name);
    const parts = [ber(0x80, derUint(p.ref)), ber(0x81, p.value)];
    if (p.puk) parts.push(ber(0x82, derUint(p.ref)));
    if (attributes !== 7) parts.push(ber(0x83, derUint(attributes)));
    if (tries !== 0x33) parts.push(ber(0x84, derUint(tries)));
    return ber(0x30, ...parts);
  });
  pe(b, 'pinCodes', ber(0xa1, ber(0xa0, ...entries)));
}

function pukCodes(b: Builder, pins: PinSpec[]): void {
  const withPuk = pins.filter((p) => p.puk);
  if (!withPuk.length) return;
  const entries = withPuk.map((p) => {
    const name = `pins: ${p.name} PUK`;
    if (p.puk!.length !== 8) throw new SaipEncodeError(`${name}: the PUK is not 8 bytes`);
    if (!((p.ref >= 1 && p.ref <= 8) || (p.ref >= 0x81 && p.ref <= 0x88)))
      throw new SaipEncodeError(`${name}: key ${p.ref.toString(16)} has no PUK reference in PE-PUKCodes`);
    const tries = nibbleTries(p.maxUnblockTries, name);
    const parts = [ber(0x80, derUint(p.ref)), ber(0x81, p.puk!)];
    if (tries !== 0xaa) parts.push(ber(0x82, derUint(tries)));
    return ber(0x30, ...parts);
  });
  pe(b, 'pukCodes', ber(0xa1, ...entries));
}

const DEFAULT_ROTATION = Uint8Array.of(0x40, 0x00, 0x20, 0x40, 0x60);
const DEFAULT_SQN_DELTA = 2 ** 28;

/** PE-AKAParameter `A1 algoParameter {80 algorithmID, 81 options, 82 K, 83 OPc|TOPc, …}, 83 sqnDelta`. */
function akaParameter(b: Builder, s: AkaSubscription, section: string): void {
  const where = section;
  const p: Bytes[] = [];
  if (s.algorithm === 'tuak') {
    const t = s.tuak;
    if (
      t.mac !== DEFAULT_TUAK_PARAMS.mac ||
      t.res !== DEFAULT_TUAK_PARAMS.res ||
      t.ck !== DEFAULT_TUAK_PARAMS.ck ||
      t.ik !== DEFAULT_TUAK_PARAMS.ik
    )
      throw new SaipEncodeError(`${where}.tuak: only the TS 35.231 default output lengths can be carried`);
    const topc = s.topc ?? computeTopc(s.k, s.top!, t.iterations);
    p.push(ber(0x80, derUint(2)), ber(0x81, Uint8Array.of(0)), ber(0x82, s.k), ber(0x83, topc));
    if (t.iterations !== 1) p.push(ber(0x87, derUint(t.iterations)));
  } else if (s.algorithm === 'milenage') {
    const opc = s.opc ?? computeOpc(s.k, s.op!);
    p.push(ber(0x80, derUint(1)), ber(0x81, Uint8Array.of(0)), ber(0x82, s.k), ber(0x83, opc));
    const c = s.constants;
    if (c) {
      const rot = Uint8Array.from(c.r);
      const xor = concat(...c.c);
      if (!equal(rot, DEFAULT_ROTATION)) p.push(ber(0x84, rot));
      if (!equal(xor, concat(...STANDARD_CONSTANTS.c))) p.push(ber(0x85, xor));
    }
  } else {
    p.push(ber(0x80, derUint(3)), ber(0x81, Uint8Array.of(0)), ber(0x82, s.k), ber(0x83, new Uint8Array(16)));
  }
  const fields: Bytes[] = [ber(0xa1, ber(0xa1, ...p))];
  const sqn = s.sqn ?? {};
  if (sqn.indBits !== undefined && sqn.indBits !== 5)
    throw new SaipEncodeError(`${where}.sqn.indBits: PE-AKAParameter has 32 IND slots (5 bits) only`);
  if (sqn.ageLimit !== undefined)
    throw new SaipEncodeError(`${where}.sqn.ageLimit: not carried by this encoder`);
  if (sqn.delta !== undefined && sqn.delta !== DEFAULT_SQN_DELTA)
    fields.push(ber(0x83, uintBE(sqn.delta, 6)));
  pe(b, 'akaParameter', ...fields);
}

/** EF.ICCID content (swapped digits) -> the ProfileHeader's plain digit order. */
function headerIccid(mf: FileSpec): Bytes {
  const ef = mf.children.find((c) => c.fid === 0x2fe2 && c.type === 'EF');
  if (ef?.initial.length !== 10)
    throw new SaipEncodeError('mf: EF.ICCID (2FE2) with 10 bytes is needed for the profile header');
  return Uint8Array.from(ef.initial, (x) => ((x & 0x0f) << 4) | (x >> 4));
}

/** The UPP of a compiled profile, or of a personalised one (host/personalise.ts); see the module comment. */
export function encodeUpp(from: CompiledProfile | Personalised, opts: EncodeOptions = {}): Bytes {
  const profile = 'applets' in from && 'profile' in from ? from.profile : (from as CompiledProfile);
  const { spec } = profile;
  const mf = spec.mf;
  const b: Builder = { pes: [], next: 1, claimed: new Set(), oids: new Set() };
  const iccid = headerIccid(mf);
  const usim = adfByAid(mf, USIM_AID);
  const isim = adfByAid(mf, ISIM_AID);

  templatePe(b, OID.mf, mf, true);
  pukCodes(b, spec.pins);
  pinCodes(
    b,
    spec.pins.filter((p) => p.ref < 0x80),
  );
  const telecom = child(mf, 0x7f10);
  if (telecom) templatePe(b, OID.telecom, telecom, true);
  if (usim) {
    templatePe(b, OID.usim, usim, true);
    templatePe(b, OID.optUsim, usim, false);
    pinCodes(
      b,
      spec.pins.filter((p) => p.ref > 0x80),
    );
    if (profile.subscriber) akaParameter(b, profile.subscriber, 'subscriber');
    const gsm = child(usim, 0x5f3b);
    if (gsm) templatePe(b, OID.gsmAccess, gsm, true);
    const df5gs = child(usim, 0x5fc0);
    if (df5gs) templatePe(b, OID.df5gs, df5gs, true);
    const dfSaip = child(usim, 0x5fd0);
    if (dfSaip) templatePe(b, OID.dfSaip, dfSaip, true);
  }
  if (isim) {
    templatePe(b, OID.isim, isim, true);
    templatePe(b, OID.optIsim, isim, false);
    if (profile.isim) akaParameter(b, profile.isim, 'isim');
  }
  genericFiles(b, mf);
  pe(b, 'end');

  const services: Bytes[] = [];
  if (usim) services.push(ber(0x81));
  if (isim) services.push(ber(0x82));
  const algs = [profile.subscriber, profile.isim].map((s) => s?.algorithm);
  if (algs.includes('milenage')) services.push(ber(0x84));
  if (algs.includes('tuak')) services.push(ber(0x85));
  if (algs.includes('test')) services.push(ber(0x91));
  const hasBerTlv = [...walkFiles(mf)].some((f) => f.structure === 'ber-tlv');
  if (hasBerTlv) services.push(ber(0x92));
  const type = new TextEncoder().encode(
    (opts.profileType ?? spec.description ?? 'uicc profile').slice(0, 100),
  );
  const head = ber(
    0xa0,
    ber(0x80, derUint(2)),
    ber(0x81, derUint(3)),
    ber(0x82, type),
    ber(0x83, iccid),
    ber(0xa5, ...services),
    ber(0xa6, ...[...b.oids].map((o) => ber(0x06, encodeOid(o)))),
  );
  return concat(head, ...b.pes);
}

function* walkFiles(f: FileSpec): Generator<FileSpec> {
  yield f;
  for (const c of f.children) yield* walkFiles(c);
}
