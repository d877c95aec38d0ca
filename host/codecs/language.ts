// EF.PL (2F05, TS 102 221 §13.5) and EF.LI (6F05, TS 31.102 §4.2.1): language codes (ISO 639 alpha-2),
// 2 ASCII bytes each, in order of preference; unused entries FF FF.

import type { Bytes } from '../../card-os/bytes.js';
import { list, scalar } from './values.js';

export const languageListValue = list(
  scalar<string>((t) =>
    /^[a-z]{2}$/.test(t) ? { ok: t } : { error: `"${t}" is not a 2-letter language code` },
  ),
);

export function encodeLanguages(codes: readonly string[], length = codes.length * 2): Bytes {
  const out = new Uint8Array(Math.max(length, codes.length * 2)).fill(0xff);
  codes.forEach((c, i) => {
    if (!/^[a-z]{2}$/.test(c)) throw new Error(`"${c}" is not a 2-letter language code`);
    out[i * 2] = c.charCodeAt(0);
    out[i * 2 + 1] = c.charCodeAt(1);
  });
  return out;
}

export function decodeLanguages(b: Bytes): string[] | undefined {
  if (b.length % 2) return undefined;
  const out: string[] = [];
  for (let i = 0; i < b.length; i += 2) {
    if (b[i] === 0xff && b[i + 1] === 0xff) continue;
    const c = String.fromCharCode(b[i]!, b[i + 1]!);
    if (!/^[a-z]{2}$/i.test(c)) return undefined;
    out.push(c.toLowerCase());
  }
  return out;
}
