// Decodes an FCP template (TS 102 221 §11.1.1.3) into readable fields for transcripts, shell and traces.

import { type Bytes, readUintBE, toHex } from '../../card-os/bytes.js';
import { parseBer } from '../../card-os/tlv.js';

export interface FcpInfo {
  kind: string;
  fid?: string;
  aid?: string;
  structure?: string;
  size?: number;
  recordLength?: number;
  records?: number;
  sfi?: number | null;
  arr?: string;
  lcs?: string;
  pins?: string;
}

const LCS: Record<number, string> = {
  0: 'no info',
  1: 'creation',
  3: 'initialisation',
  4: 'deactivated',
  5: 'activated',
};

function lcsName(v: number): string {
  if (v >= 0x0c) return 'terminated';
  return LCS[v] ?? (v & 0x04 ? (v & 0x01 ? 'activated' : 'deactivated') : `0x${v.toString(16)}`);
}

export function decodeFcp(fcp: Bytes): FcpInfo | undefined {
  const outer = parseBer(fcp);
  const t = outer?.[0];
  if (t?.tag !== 0x62) return undefined;
  const inner = parseBer(t.value);
  if (!inner) return undefined;
  const info: FcpInfo = { kind: 'file' };
  for (const d of inner) {
    const v = d.value;
    switch (d.tag) {
      case 0x82: {
        const fdb = v[0] ?? 0;
        if ((fdb & 0x38) === 0x38 && (fdb & 0x07) !== 0x01) info.kind = 'DF';
        else {
          info.kind = 'EF';
          info.structure =
            (fdb & 0x3f) === 0x39
              ? 'BER-TLV'
              : (['?', 'transparent', 'linear fixed', '?', '?', '?', 'cyclic', '?'][fdb & 0x07] ?? '?');
        }
        if (v.length >= 5) {
          info.recordLength = readUintBE(v, 2, 2);
          info.records = v[4];
        }
        break;
      }
      case 0x83:
        info.fid = toHex(v);
        break;
      case 0x84:
        info.aid = toHex(v);
        info.kind = 'ADF';
        break;
      case 0x80:
        info.size = readUintBE(v);
        break;
      case 0x88:
        info.sfi = v.length ? v[0]! >> 3 : null;
        break;
      case 0x8a:
        info.lcs = lcsName(v[0] ?? 0);
        break;
      case 0x8b:
        if (v.length === 3) info.arr = `${toHex(v.subarray(0, 2))} record ${v[2]}`;
        break;
      case 0xc6: {
        const ps = parseBer(v);
        const refs = ps?.filter((x) => x.tag === 0x83).map((x) => x.value[0]!) ?? [];
        const bits = ps?.find((x) => x.tag === 0x90)?.value ?? new Uint8Array(0);
        info.pins = refs
          .map(
            (r, i) =>
              `${r.toString(16).padStart(2, '0')}${(bits[i >> 3] ?? 0) & (0x80 >> (i & 7)) ? '(enabled)' : '(disabled)'}`,
          )
          .join(' ');
        break;
      }
    }
  }
  return info;
}

export function fcpSummary(fcp: Bytes): string | undefined {
  const i = decodeFcp(fcp);
  if (!i) return undefined;
  const parts = [i.kind];
  if (i.fid) parts.push(`FID ${i.fid}`);
  if (i.aid) parts.push(`AID ${i.aid}`);
  if (i.structure) parts.push(i.structure);
  if (i.records !== undefined) parts.push(`${i.records} records x ${i.recordLength} bytes`);
  else if (i.size !== undefined) parts.push(`${i.size} bytes`);
  if (i.sfi !== undefined)
    parts.push(i.sfi === null ? 'no SFI' : `SFI ${i.sfi.toString(16).padStart(2, '0').toUpperCase()}`);
  if (i.arr) parts.push(`ARR ${i.arr}`);
  if (i.lcs) parts.push(i.lcs);
  if (i.pins) parts.push(`PINs ${i.pins}`);
  return parts.join(', ');
}
