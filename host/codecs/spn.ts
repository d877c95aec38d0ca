// EF.SPN (6F46), TS 31.102 §4.2.12: display condition byte, then the service provider name as a 16-byte
// alpha identifier (TS 102 221 Annex A).
// Display condition b1 = 1: display the registered PLMN name as well, when registered in the HPLMN or a
// PLMN of EF.SPDI. b2 = 1: the SPN need not be displayed when registered elsewhere (roaming).

import type { Bytes } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { decodeAlpha, encodeAlpha } from './alpha.js';
import { bool, text } from './values.js';

export interface ServiceProviderName {
  name: string;
  showPlmnName?: boolean;
  hideWhenRoaming?: boolean;
}

export const spnValue = lazySchema((z) =>
  z.strictObject({
    name: text,
    showPlmnName: bool.optional(),
    hideWhenRoaming: bool.optional(),
  }),
);

export function encodeSpn(v: ServiceProviderName, length = 17): Bytes {
  const out = new Uint8Array(length);
  out[0] = (v.showPlmnName ? 0x01 : 0) | (v.hideWhenRoaming ? 0x02 : 0);
  out.set(encodeAlpha(v.name, length - 1), 1);
  return out;
}

export function decodeSpn(b: Bytes): ServiceProviderName | undefined {
  if (b.length < 2 || b[0]! & 0xfc) return undefined;
  const name = decodeAlpha(b.subarray(1));
  if (name === undefined) return undefined;
  const out: ServiceProviderName = { name };
  if (b[0]! & 0x01) out.showPlmnName = true;
  if (b[0]! & 0x02) out.hideWhenRoaming = true;
  return out;
}
