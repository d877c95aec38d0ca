// EF.AD (6FAD), TS 31.102 §4.2.18: byte 1 UE operation mode; bytes 2-3 additional information (a 16-bit
// flag word); byte 4 low nibble = number of MNC digits in the IMSI. Bytes 5.. are RFU.

import type { Bytes } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import {
  OPERATION_MODE_NAMES,
  type OperationMode,
  UE_OPERATION_MODES,
} from '../../card-os/ue-operation-mode.js';
import { decimal, list, oneOf } from './values.js';

const MODES = UE_OPERATION_MODES;

export type { OperationMode };

const FLAGS = {
  'ciphering-indicator': 0x0001,
  'csg-display-control': 0x0002,
  'prose-services': 0x0004,
  'extended-drx': 0x0008,
} as const;
export type AdFlag = keyof typeof FLAGS;

export interface AdminData {
  mode: OperationMode;
  mncLength: number;
  flags?: AdFlag[];
}

const modeNames = OPERATION_MODE_NAMES;
const flagNames = Object.keys(FLAGS) as AdFlag[];

export const adValue = lazySchema((z) =>
  z.strictObject({
    mode: oneOf(modeNames),
    mncLength: decimal(2, 3),
    flags: list(oneOf(flagNames)).optional(),
  }),
);

export function encodeAd(v: AdminData): Bytes {
  if (v.mncLength !== 2 && v.mncLength !== 3) throw new Error('mncLength must be 2 or 3');
  let info = 0;
  for (const f of v.flags ?? []) info |= FLAGS[f];
  return Uint8Array.of(MODES[v.mode], info >> 8, info & 0xff, v.mncLength);
}

export function decodeAd(b: Bytes): AdminData | undefined {
  if (b.length < 4) return undefined;
  const mode = modeNames.find((m) => MODES[m] === b[0]);
  const info = (b[1]! << 8) | b[2]!;
  const mnc = b[3]!;
  if (!mode || (mnc !== 2 && mnc !== 3)) return undefined;
  const flags = flagNames.filter((f) => info & FLAGS[f]);
  if (flags.reduce((m, f) => m | FLAGS[f], 0) !== info) return undefined;
  return flags.length ? { mode, mncLength: mnc, flags } : { mode, mncLength: mnc };
}
