// The Fcp of the PE definitions (v3.3.1 `Fcp`, coded as in TS 102 222 CREATE FILE) and the File of a
// template slot (`File ::= SEQUENCE OF CHOICE {doNotCreate, fileDescriptor, fillFileOffset,
// fillFileContent}`), read into plain values. Readers return undefined on malformed input.

import type { Bytes } from '../../../card-os/bytes.js';
import type { Tlv } from '../../../card-os/tlv.js';
import { children, uint } from '../der.js';

export interface SaipFcp {
  /** File descriptor byte and, for record files, the record length (TS 102 222 §6.3, tag 82). */
  descriptor?: number;
  recordLength?: number;
  fid?: number;
  dfName?: Bytes;
  lcsi?: number;
  /** 8B: EF.ARR FID + record, or the record only (EF.ARR implied by the context). */
  arrFid?: number;
  arrRecord?: number;
  efFileSize?: number;
  /** C6: the key references of the DF's PIN status template. */
  pinRefs?: number[];
  /** 88: absent = template / FID-derived SFI; null = no SFI; else the SFI. */
  sfi?: number | null;
  specialFileInfo?: number;
  fillPattern?: Bytes;
  repeatPattern?: Bytes;
  maximumFileSize?: number;
  linkPath?: Bytes;
}

/** One step of a File or FileManagement sequence. */
export type FileStep =
  | { kind: 'doNotCreate' }
  | { kind: 'fcp'; fcp: SaipFcp }
  | { kind: 'offset'; offset: number }
  | { kind: 'content'; content: Bytes }
  | { kind: 'path'; path: Bytes };

const KEY_REFS = new Set([
  ...[1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x11],
  ...[0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e],
]);

/** Decodes the contents of an Fcp (tag A1 in a File, 62 in GenericFileManagement). */
export function readFcp(value: Bytes): SaipFcp | undefined {
  const parts = children(value);
  if (!parts) return undefined;
  const f: SaipFcp = {};
  for (const p of parts) {
    const v = p.value;
    switch (p.tag) {
      case 0x82:
        if (v.length < 2 || v.length > 4 || v.length === 3) return undefined;
        f.descriptor = v[0]!;
        if (v.length === 4) f.recordLength = (v[2]! << 8) | v[3]!;
        break;
      case 0x83:
        if (v.length !== 2) return undefined;
        f.fid = (v[0]! << 8) | v[1]!;
        break;
      case 0x84:
        if (v.length < 5 || v.length > 16) return undefined;
        f.dfName = v.slice();
        break;
      case 0x8a:
        if (v.length !== 1) return undefined;
        f.lcsi = v[0]!;
        break;
      case 0x8b:
        if (v.length === 1) f.arrRecord = v[0]!;
        else if (v.length === 3) {
          f.arrFid = (v[0]! << 8) | v[1]!;
          f.arrRecord = v[2]!;
        } else return undefined;
        break;
      case 0x80: {
        const n = uint(v);
        if (n === undefined) return undefined;
        f.efFileSize = n;
        break;
      }
      case 0xc6:
        // The key references of the DF's PIN status template; anything else is not a list of key references.
        if (![...v].every((r) => KEY_REFS.has(r))) return undefined;
        f.pinRefs = [...v];
        break;
      case 0x88:
        if (v.length > 1) return undefined;
        f.sfi = v.length === 0 ? null : v[0]! >> 3;
        break;
      case 0xa5: {
        const prop = children(v);
        if (!prop) return undefined;
        for (const q of prop) {
          if (q.tag === 0xc0 && q.value.length === 1) f.specialFileInfo = q.value[0]!;
          else if (q.tag === 0xc1 && q.value.length >= 1) f.fillPattern = q.value.slice();
          else if (q.tag === 0xc2 && q.value.length >= 1) f.repeatPattern = q.value.slice();
          else if (q.tag === 0x86) {
            const n = uint(q.value);
            if (n === undefined) return undefined;
            f.maximumFileSize = n;
          } else if (q.tag !== 0x84) return undefined;
        }
        if (f.fillPattern && f.repeatPattern) return undefined;
        break;
      }
      case 0xc7:
        if (v.length > 8 || v.length % 2) return undefined;
        f.linkPath = v.slice();
        break;
      default:
        return undefined;
    }
  }
  return f;
}

/** Reads a template slot's File (`A1` fileDescriptor, `80` doNotCreate, `82` offset, `83` content). */
export function readFileSteps(value: Bytes): FileStep[] | undefined {
  return readSteps(value, { 0x80: 'doNotCreate', 0xa1: 'fcp', 0x82: 'offset', 0x83: 'content' });
}

/** Reads one FileManagement of GenericFileManagement (`80` filePath, `62` createFCP, `02` offset, `81` content). */
export function readFileManagement(value: Bytes): FileStep[] | undefined {
  return readSteps(value, { 0x80: 'path', 0x62: 'fcp', 0x02: 'offset', 0x81: 'content' });
}

function readSteps(value: Bytes, tags: Record<number, FileStep['kind']>): FileStep[] | undefined {
  const parts = children(value);
  if (!parts) return undefined;
  const out: FileStep[] = [];
  for (const p of parts) {
    const step = readStep(tags[p.tag], p);
    if (!step) return undefined;
    out.push(step);
  }
  return out;
}

function readStep(kind: FileStep['kind'] | undefined, p: Tlv): FileStep | undefined {
  switch (kind) {
    case 'doNotCreate':
      return p.value.length === 0 ? { kind } : undefined;
    case 'fcp': {
      const fcp = readFcp(p.value);
      return fcp && { kind, fcp };
    }
    case 'offset': {
      const n = uint(p.value);
      return n === undefined || n > 0xffff ? undefined : { kind, offset: n };
    }
    case 'content':
      return { kind, content: p.value.slice() };
    case 'path':
      return p.value.length > 8 || p.value.length % 2 ? undefined : { kind, path: p.value.slice() };
    default:
      return undefined;
  }
}
