// PINs and administrative keys of a profile -> PinSpecs (TS 102 221 §9.5).

import { type Bytes, concat } from '../../card-os/bytes.js';
import type { PinSpec } from '../../card-os/fs/model.js';
import { keyRefInfo } from '../codecs/key-ref.js';
import type { Report } from './contents.js';
import type { PathKey } from './error.js';
import type { PinDoc } from './schema.js';

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
const ascii = (s: string) => new TextEncoder().encode(s);

/** Defaults: 3 tries, 10 unblock tries when a PUK is given, enabled, PINs may be disabled (ADM keys never). */
export function compilePins(pins: readonly PinDoc[], bad: Report): PinSpec[] {
  const seen = new Set<number>();
  return pins.map((p, i) => {
    const path: PathKey[] = ['pins', i];
    const info = keyRefInfo(p.ref)!;
    const adm = info.kind === 'adm';
    if (seen.has(p.ref)) bad([...path, 'ref'], `key ${hex2(p.ref)} is defined twice`);
    seen.add(p.ref);
    let raw: Bytes = new Uint8Array(0);
    if ((p.value === undefined) === (p.hex === undefined)) bad(path, 'give exactly one of value and hex');
    else if (p.value !== undefined) {
      // TS 102 221 §9.5.1: a PIN is 4 to 8 digits, coded in ASCII and padded with FF.
      if (!adm && p.value.length < 4) bad([...path, 'value'], 'a PIN has 4 to 8 digits');
      raw = ascii(p.value);
    } else if (p.hex) {
      if (!adm) bad([...path, 'hex'], 'PINs are digits (use value); hex is for ADM keys');
      raw = p.hex;
    }
    if (adm && p.puk !== undefined)
      bad([...path, 'puk'], 'ADM keys cannot be unblocked, so they have no PUK');
    if (adm && p.enabled === false) bad([...path, 'enabled'], 'ADM keys are always enabled');
    if (adm && p.canDisable) bad([...path, 'canDisable'], 'ADM keys cannot be disabled');
    if (p.puk === undefined && p.pukTries !== undefined) bad([...path, 'pukTries'], 'there is no puk');
    const spec: PinSpec = {
      ref: p.ref,
      name: p.name ?? info.name,
      value: concat(raw, new Uint8Array(8 - raw.length).fill(0xff)),
      maxTries: p.tries ?? 3,
      maxUnblockTries: p.puk !== undefined ? (p.pukTries ?? 10) : 0,
      enabled: p.enabled ?? true,
      canDisable: p.canDisable ?? !adm,
    };
    if (p.puk !== undefined) spec.puk = ascii(p.puk);
    return spec;
  });
}
