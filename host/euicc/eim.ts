// eIM configuration data on the host (GSMA SGP.32 v1.2 §2.11.1.1.1 EimConfigurationData): the fields an
// eUICC definition's `eims:` list and `uicc euicc eim add` take, to and from their DER.

import { derUint } from '../../applets/euicc/der.js';
import { type Bytes, toHex } from '../../card-os/bytes.js';
import { ber, parseBer } from '../../card-os/tlv.js';

export const EIM_ID_TYPES = ['oid', 'fqdn', 'proprietary'] as const;
/** EimSupportedProtocol named bits, in bit order (SGP.32 §2.11.1.1.1). */
export const EIM_PROTOCOLS = [
  'retrieveHttps',
  'retrieveCoaps',
  'injectHttps',
  'injectCoaps',
  'proprietary',
] as const;

export interface EimConfig {
  eimId: string;
  eimFqdn?: string;
  eimIdType?: (typeof EIM_ID_TYPES)[number];
  counterValue?: number;
  associationToken?: number;
  eimSupportedProtocol?: (typeof EIM_PROTOCOLS)[number][];
  /** SubjectKeyIdentifier of the CI key the eUICC signs for this eIM with. */
  euiccCiPKId?: Bytes;
  indirectProfileDownload?: boolean;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** DER named BIT STRING (X.690 §11.2.2: trailing zero bits dropped). */
function namedBits(bits: number[]): Bytes {
  if (bits.length === 0) return Uint8Array.of(0);
  const highest = Math.max(...bits);
  let v = 0;
  for (const b of bits) v |= 0x80 >> b;
  return Uint8Array.of(7 - highest, v);
}

/** The EimConfigurationData SEQUENCE (`30 …`) of one eIM. */
export function encodeEimConfig(e: EimConfig): Bytes {
  const f: Bytes[] = [ber(0x80, utf8(e.eimId))];
  if (e.eimFqdn !== undefined) f.push(ber(0x81, utf8(e.eimFqdn)));
  if (e.eimIdType) f.push(ber(0x82, derUint(EIM_ID_TYPES.indexOf(e.eimIdType) + 1)));
  if (e.counterValue !== undefined) f.push(ber(0x83, derUint(e.counterValue)));
  if (e.associationToken !== undefined) f.push(ber(0x84, derUint(e.associationToken)));
  if (e.eimSupportedProtocol)
    f.push(ber(0x87, namedBits(e.eimSupportedProtocol.map((p) => EIM_PROTOCOLS.indexOf(p)))));
  if (e.euiccCiPKId) f.push(ber(0x88, e.euiccCiPKId));
  if (e.indirectProfileDownload) f.push(ber(0x89, new Uint8Array(0)));
  return ber(0x30, ...f);
}

const num = (b: Bytes) => b.reduce((n, x) => n * 256 + x, 0);

/** One EimConfigurationData's fields, for people; unknown fields by tag in hex. */
export function describeEimConfig(value: Bytes): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of parseBer(value) ?? []) {
    const v = t.value;
    switch (t.tag) {
      case 0x80:
        out.eimId = new TextDecoder().decode(v);
        break;
      case 0x81:
        out.eimFqdn = new TextDecoder().decode(v);
        break;
      case 0x82:
        out.eimIdType = EIM_ID_TYPES[num(v) - 1] ?? String(num(v));
        break;
      case 0x83:
        out.counterValue = String(num(v));
        break;
      case 0x84:
        out.associationToken = String(num(v));
        break;
      case 0x87:
        out.eimSupportedProtocol = EIM_PROTOCOLS.filter(
          (_, i) => (v[1 + (i >> 3)] ?? 0) & (0x80 >> (i & 7)),
        ).join(',');
        break;
      case 0x88:
        out.euiccCiPKId = toHex(v);
        break;
      case 0x89:
        out.indirectProfileDownload = 'yes';
        break;
      default:
        out[`tag ${t.tag.toString(16).toUpperCase()}`] = toHex(v);
    }
  }
  return out;
}
