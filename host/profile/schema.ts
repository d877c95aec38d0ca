// The profile format (docs/profile-format.md): a YAML description of a card — ATR, PINs, the file tree
// with contents, and the sections applets use. This schema checks each value on its own (hex lengths,
// FID/SFI ranges, key references, codec values); profile/compile.ts checks how they fit together.
// Conventions: identifiers (FID, SFI, key references, KVN, TAR, AID) are hex; sizes, counts, record
// numbers and tries are decimal.

import * as z from 'zod';
import type { Bytes } from '../../card-os/bytes.js';
import type { EfStructure } from '../../card-os/fs/model.js';
import { keyRefValue } from '../codecs/key-ref.js';
import { CODEC_KEYS } from '../codecs/table.js';
import {
  bool,
  decimal,
  digits,
  hexBytes,
  hexNumber,
  list,
  mapOrScalar,
  oneOf,
  scalar,
  text,
} from '../codecs/values.js';
import { APPLET_SECTIONS, type AppletSections } from './applets.js';
import { type SidfProfile, sidfSchema } from './sidf.js';

export const LIFE_CYCLES = ['creation', 'initialisation', 'activated', 'deactivated', 'terminated'] as const;
export type LifeCycle = (typeof LIFE_CYCLES)[number];

/** TS 102 221 §8.3: 3F00 is the MF; 3FFF, 7FFF and FFFF are reserved. */
const RESERVED_FIDS: Record<number, string> = {
  16128: 'is the MF',
  16383: 'is reserved (current DF in paths)',
  32767: 'is reserved (current ADF)',
  65535: 'is reserved',
};

const fid = hexNumber(4, 0, 0xffff).superRefine((f, ctx) => {
  const why = RESERVED_FIDS[f];
  if (why) ctx.addIssue({ code: 'custom', message: `${f.toString(16).toUpperCase()} ${why}` });
});

/** ADF FIDs are 7FF0..7FFE by convention (7FFF stands for the current ADF). */
const adfFid = hexNumber(4, 0x7ff0, 0x7ffe);

/** SFI 01..1E (TS 102 221 §8.4.2), or `none` for no SFI (FCP tag 88 empty). */
const sfi = scalar<number | null>((t) => {
  if (t === 'none') return { ok: null };
  if (!/^(0x)?[0-9A-Fa-f]{1,2}$/.test(t)) return { error: `"${t}" is not an SFI (hex 01..1E) or none` };
  const n = Number.parseInt(t.replace(/^0x/i, ''), 16);
  return n >= 1 && n <= 0x1e ? { ok: n } : { error: `${t} is out of range (01..1E)` };
});

export interface ArrRefDoc {
  /** FID of the EF.ARR; absent: the nearest EF.ARR (looked up from the file's DF up to the MF). */
  fid?: number;
  record: number;
}

const arrRecord = decimal(1, 254).transform((record): ArrRefDoc => ({ record }));
const arrExplicit = z.strictObject({ fid, record: decimal(1, 254) });
/** `arr: 5` (record 5 of the nearest EF.ARR) or `arr: {fid: 6F06, record: 5}`. */
const arrRef = mapOrScalar<ArrRefDoc, ArrRefDoc>(arrExplicit, arrRecord);

const name = scalar<string>((t) => (t ? { ok: t } : { error: 'is empty' }));

export interface EfDoc {
  name: string;
  fid: number;
  structure: EfStructure;
  size?: number;
  recordLength?: number;
  recordCount?: number;
  /** null: explicitly no SFI. */
  sfi?: number | null;
  arr?: ArrRefDoc;
  shareable?: boolean;
  lifeCycle?: LifeCycle;
  hex?: Bytes;
  records?: Bytes[];
  fill?: Bytes;
  repeat?: Bytes;
  /** Contents written as readable values, by codec key (at most one is allowed; compile checks). */
  values: { key: string; value: unknown }[];
}

const efStatic = {
  name,
  fid,
  structure: oneOf(['transparent', 'linear-fixed', 'cyclic', 'ber-tlv']),
  size: decimal(0, 0xffff).optional(),
  recordLength: decimal(1, 255).optional(),
  recordCount: decimal(1, 254).optional(),
  sfi: sfi.optional(),
  arr: arrRef.optional(),
  shareable: bool.optional(),
  lifeCycle: oneOf(LIFE_CYCLES).optional(),
  hex: hexBytes().optional(),
  records: list(hexBytes()).optional(),
  fill: hexBytes(1).optional(),
  repeat: hexBytes(1).optional(),
};

const codecShape: Record<string, z.ZodType> = {};
for (const [key, c] of CODEC_KEYS)
  codecShape[key] = (c.unit === 'record' ? list(c.value) : c.value).optional();

export const efSchema = z.strictObject({ ...efStatic, ...codecShape }).transform((e): EfDoc => {
  const all = e as Record<string, unknown>;
  const values = [...CODEC_KEYS.keys()]
    .filter((k) => all[k] !== undefined)
    .map((k) => ({ key: k, value: all[k] }));
  const out: EfDoc = { name: e.name, fid: e.fid, structure: e.structure, values };
  for (const k of Object.keys(efStatic) as (keyof typeof efStatic)[]) {
    if (e[k] !== undefined && !(k in out)) Object.assign(out, { [k]: e[k] });
  }
  return out;
});

interface DfCommon {
  arr?: ArrRefDoc;
  shareable?: boolean;
  lifeCycle?: LifeCycle;
  /** Key references shown in the PIN status template (FCP tag C6); absent: the parent's. */
  pinRefs?: number[];
  files?: EfDoc[];
  dfs?: DfDoc[];
}
export interface DfDoc extends DfCommon {
  name: string;
  fid: number;
}
export interface AdfDoc extends DfDoc {
  aid: Bytes;
}
export type MfDoc = DfCommon & { adf?: AdfDoc[] };

const dfCommon = {
  arr: arrRef.optional(),
  shareable: bool.optional(),
  lifeCycle: oneOf(LIFE_CYCLES).optional(),
  pinRefs: list(keyRefValue).optional(),
  files: list(efSchema).optional(),
  get dfs() {
    return list(dfSchema).optional();
  },
};

export const dfSchema: z.ZodType<DfDoc> = z.lazy(() => z.strictObject({ name, fid, ...dfCommon }));
const adfSchema = z.strictObject({
  name,
  fid: adfFid,
  aid: hexBytes(5, 16),
  ...dfCommon,
});
const mfSchema = z.strictObject({ ...dfCommon, adf: list(adfSchema).optional() });

export interface PinDoc {
  ref: number;
  name?: string;
  /** PIN digits (stored as ASCII, FF-padded). */
  value?: string;
  /** Raw value, 1..8 bytes (FF-padded); for ADM keys. */
  hex?: Bytes;
  puk?: string;
  tries?: number;
  pukTries?: number;
  enabled?: boolean;
  canDisable?: boolean;
}

const pinSchema = z.strictObject({
  ref: keyRefValue,
  name: text.optional(),
  value: digits(1, 8).optional(),
  hex: hexBytes(1, 8).optional(),
  puk: digits(8, 8).optional(),
  tries: decimal(1, 15).optional(),
  pukTries: decimal(1, 15).optional(),
  enabled: bool.optional(),
  canDisable: bool.optional(),
});

export interface ProfileDoc extends AppletSections {
  description?: string;
  atr: Bytes;
  pins: PinDoc[];
  mf: MfDoc;
  /** Home network private keys for the SIDF: host side, not an applet section. */
  sidf?: SidfProfile;
}

// The applets' sections come from the registry's section table (host/profile/applets.ts), all optional.
const appletSectionSchemas = Object.fromEntries(
  Object.entries(APPLET_SECTIONS).map(([name, schema]) => [name, schema.optional()]),
) as { [K in keyof typeof APPLET_SECTIONS]: z.ZodOptional<(typeof APPLET_SECTIONS)[K]> };

export const profileSchema: z.ZodType<ProfileDoc> = z.strictObject({
  description: text.optional(),
  atr: hexBytes(2, 33),
  pins: list(pinSchema),
  mf: mfSchema,
  ...appletSectionSchemas,
  sidf: sidfSchema.optional(),
});
