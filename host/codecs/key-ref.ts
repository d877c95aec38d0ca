// Key references, TS 102 221 §9.5.1 Table 9.3, and the names the profile format and the access-rule
// text use for them (the names of TS 102 221 Table 9.3).

import { lazySchema } from '../../card-os/lazy-schema.js';
import { hexNumber } from './values.js';

export type KeyKind = 'pin' | 'universal-pin' | 'second-pin' | 'adm';

export interface KeyRefInfo {
  ref: number;
  name: string;
  kind: KeyKind;
}

function table(): KeyRefInfo[] {
  const out: KeyRefInfo[] = [];
  // 01..08: PIN of application 1..8 (01 = PIN1 of the USIM, also the global PIN).
  for (let i = 1; i <= 8; i++) out.push({ ref: i, name: `PIN${i}`, kind: 'pin' });
  // 0A..0E: ADM1..ADM5.
  for (let i = 0; i < 5; i++) out.push({ ref: 0x0a + i, name: `ADM${i + 1}`, kind: 'adm' });
  // 11: universal PIN.
  out.push({ ref: 0x11, name: 'UPIN', kind: 'universal-pin' });
  // 81..88: second PIN of application 1..8 (81 = PIN2 of the USIM).
  for (let i = 1; i <= 8; i++) out.push({ ref: 0x80 + i, name: `2PIN${i}`, kind: 'second-pin' });
  // 8A..8E: ADM6..ADM10.
  for (let i = 0; i < 5; i++) out.push({ ref: 0x8a + i, name: `ADM${i + 6}`, kind: 'adm' });
  return out;
}

export const KEY_REFS: readonly KeyRefInfo[] = table();
const byRef = new Map(KEY_REFS.map((k) => [k.ref, k]));
const byName = new Map(KEY_REFS.map((k) => [k.name, k]));

export function keyRefInfo(ref: number): KeyRefInfo | undefined {
  return byRef.get(ref);
}

export function keyRefByName(name: string): KeyRefInfo | undefined {
  return byName.get(name.toUpperCase());
}

export function keyRefName(ref: number): string {
  return byRef.get(ref)?.name ?? `key ${ref.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Profile value: a key reference in hex that Table 9.3 defines. */
export const keyRefValue = lazySchema(() =>
  hexNumber(2, 0, 0xff).superRefine((r, ctx) => {
    if (!byRef.has(r))
      ctx.addIssue({ code: 'custom', message: 'is not a key reference of TS 102 221 Table 9.3' });
  }),
);
