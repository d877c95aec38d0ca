// Builds the card OS file tree (card-os/fs/model.ts FileSpec) from the file PEs of a profile package: a
// template slot's File or a GenericFileManagement createFCP, merged with the template's defaults (TCA
// eUICC Profile Package v3.3.1 §8.3 and Annex A), then the contents filled (fillFileContent /
// fillFileOffset, over the fill or repeat pattern of TS 102 222 §6.3 or the template's default).
// Problems are returned as text (the installer turns them into PEStatus bad-values).

import type { Bytes } from '../../../card-os/bytes.js';
import { type EfStructure, type FileSpec, type FileType, fidHex, LCSI } from '../../../card-os/fs/model.js';
import type { SaipFcp } from './fcp.js';
import { expandPattern, type TemplateFile } from './templates.js';

/** A file being built: a FileSpec before its path and parent are fixed, plus the content cursor. */
export interface Draft extends Omit<FileSpec, 'children' | 'parent' | 'path' | 'initial' | 'arr'> {
  arr?: { fid: number; record: number };
  initial: Uint8Array;
  children: Draft[];
  parent?: Draft;
  /** fillFileOffset / fillFileContent position. */
  cursor: number;
  /** BER-TLV files grow with their content. */
  berObjects?: Bytes[];
  /** linkPath: the FID path from the MF of the EF this link file shares (resolved by resolveLinks). */
  link?: Bytes;
  linkTarget?: Draft;
}

export type Built =
  | { ok: true; draft: Draft }
  /** `memory`: the file does not fit; `unsized`: nothing gives its size (no Fcp size, no template). */
  | { ok: false; message: string; memory?: boolean; unsized?: boolean };

const STRUCTURE: Record<number, EfStructure> = { 1: 'transparent', 2: 'linear-fixed', 6: 'cyclic' };
const TEMPLATE_STRUCTURE: Record<string, EfStructure> = {
  TR: 'transparent',
  LF: 'linear-fixed',
  CY: 'cyclic',
  BT: 'ber-tlv',
};

/** TS 102 221 §11.1.1.4.3: the descriptor byte's structure (b3-b1), DF (b6-b4 = 111), BER-TLV (0x39). */
function kindOfDescriptor(d: number): { type: 'DF' } | { type: 'EF'; structure: EfStructure } | undefined {
  if ((d & 0x3f) === 0x38) return { type: 'DF' };
  if ((d & 0x3f) === 0x39) return { type: 'EF', structure: 'ber-tlv' };
  const s = STRUCTURE[d & 0x07];
  return (d & 0x38) === 0 && s ? { type: 'EF', structure: s } : undefined;
}

/**
 * The EF.ARR an 8B record number refers to when the FID is left out (PE definitions v3.3.1 `Fcp`):
 * 2F06 for the MF, ADFs and files directly under the MF, 6F06 for any other file.
 */
function impliedArrFid(type: FileType, parent: Draft | undefined): number {
  return type === 'MF' || type === 'ADF' || parent?.type === 'MF' ? 0x2f06 : 0x6f06;
}

export interface DraftInput {
  fcp: SaipFcp | undefined;
  template: TemplateFile | undefined;
  parent: Draft | undefined;
  /** GenericFileManagement files take their SFI from the FID when 88 is absent (TS 102 222 §6.3). */
  generic: boolean;
  /** The template slot's name (e.g. ef-imsi), for a readable file name. */
  slot?: string | undefined;
  /** Bytes of content the profile may still take. */
  memoryLeft: number;
}

const slotNames = new Map<string, string>();
/** 'ef-imsi' -> 'EF.IMSI', 'df-df-5gs' -> 'DF.5GS', 'adf-usim' -> 'ADF.USIM' (computed once per slot). */
function slotName(slot: string): string {
  let name = slotNames.get(slot);
  if (name === undefined) {
    const [kind, ...rest] = slot.replace(/^df-df-/, 'df-').split('-');
    name = `${kind!.toUpperCase()}.${rest.join('_').toUpperCase()}`;
    slotNames.set(slot, name);
  }
  return name;
}

/** Merges an Fcp with the template slot's defaults into a file with its initial (pattern) content. */
export function draftFile({ fcp, template: t, parent, generic, slot, memoryLeft }: DraftInput): Built {
  const f = fcp ?? {};
  let type: FileType;
  let structure: EfStructure | undefined;
  if (f.descriptor !== undefined) {
    const k = kindOfDescriptor(f.descriptor);
    if (!k)
      return { ok: false, message: `file descriptor ${f.descriptor.toString(16)} is not a DF or EF coding` };
    if (k.type === 'DF') type = t?.type === 'MF' ? 'MF' : f.dfName || t?.type === 'ADF' ? 'ADF' : 'DF';
    else {
      type = 'EF';
      structure = k.structure;
    }
  } else if (t) {
    type = t.type === 'MF' || t.type === 'DF' || t.type === 'ADF' ? t.type : 'EF';
    structure = TEMPLATE_STRUCTURE[t.type];
  } else if (f.dfName) type = 'ADF';
  else return { ok: false, message: 'no file descriptor and no template slot' };
  if (f.dfName && type === 'DF') type = 'ADF';
  const fid = f.fid ?? t?.fid;
  if (fid === undefined) return { ok: false, message: 'no file ID' };
  if (type === 'ADF' && !f.dfName) return { ok: false, message: `ADF ${fidHex(fid)} has no dfName (AID)` };
  const name = type === 'MF' ? 'MF' : slot ? slotName(slot) : `${type}.${fidHex(fid)}`;
  const d: Draft = {
    type,
    fid,
    name,
    size: 0,
    shareable: f.descriptor === undefined ? true : (f.descriptor & 0x40) !== 0,
    lcsi: f.lcsi ?? LCSI.ACTIVATED,
    initial: new Uint8Array(0),
    children: [],
    cursor: 0,
  };
  if (f.dfName) d.aid = f.dfName;
  if (parent) d.parent = parent;
  const arrRecord = f.arrRecord ?? t?.arr;
  if (arrRecord !== undefined) d.arr = { fid: f.arrFid ?? impliedArrFid(type, parent), record: arrRecord };
  const pinRefs = f.pinRefs ?? parent?.pinRefs;
  if (pinRefs) d.pinRefs = [...pinRefs];
  if (type !== 'EF') return { ok: true, draft: d };

  d.structure = structure!;
  if (f.linkPath && f.linkPath.length > 0) d.link = f.linkPath;
  if (f.sfi === null) {
    /* 88 with no value: no SFI */
  } else if (f.sfi !== undefined) d.sfi = f.sfi;
  else if (t && !generic) {
    if (t.sfi !== undefined) d.sfi = t.sfi;
  } else d.sfi = fid & 0x1f;
  if (d.sfi === 0 || (d.sfi !== undefined && d.sfi > 30)) delete d.sfi;

  // A link file takes its structure, size and content from its target (resolveLinks).
  if (d.link) return { ok: true, draft: d };
  if (structure === 'ber-tlv') {
    d.size = f.maximumFileSize ?? f.efFileSize ?? t?.size ?? 0;
    if (d.size <= 0) return { ok: false, message: `BER-TLV EF ${fidHex(fid)} has no size` };
    if (d.size > memoryLeft) return { ok: false, message: `${d.size} bytes do not fit`, memory: true };
    d.berObjects = [];
    return { ok: true, draft: d };
  }
  if (structure === 'transparent') {
    const size = f.efFileSize ?? t?.size;
    if (size === undefined) return { ok: false, message: `EF ${fidHex(fid)} has no size`, unsized: !t };
    d.size = size;
  } else {
    const recLen = f.recordLength ?? t?.size;
    if (!recLen) return { ok: false, message: `record EF ${fidHex(fid)} has no record length` };
    const total = f.efFileSize ?? (t?.records !== undefined ? t.records * recLen : undefined);
    if (total === undefined)
      return { ok: false, message: `record EF ${fidHex(fid)} has no size`, unsized: !t };
    if (total % recLen || total / recLen > 254 || total === 0)
      return {
        ok: false,
        message: `record EF ${fidHex(fid)}: size ${total} is not 1..254 records of ${recLen}`,
      };
    d.recordLength = recLen;
    d.recordCount = total / recLen;
    d.size = total;
  }
  if (d.size > memoryLeft) return { ok: false, message: `${d.size} bytes do not fit`, memory: true };
  d.initial = initialContent(d, f, t);
  return { ok: true, draft: d };
}

/** The content before any fillFileContent: the Fcp's fill / repeat pattern, else the template's default, else FF. */
function initialContent(d: Draft, f: SaipFcp, t: TemplateFile | undefined): Uint8Array {
  const unit = d.recordLength ?? d.size;
  let one: Uint8Array;
  if (f.fillPattern) one = fillPattern(f.fillPattern, unit);
  else if (f.repeatPattern) one = repeatPattern(f.repeatPattern, unit);
  else if (t?.pattern) one = expandPattern(t.pattern, unit, t.repeat);
  else one = new Uint8Array(unit).fill(0xff);
  const out = new Uint8Array(d.size);
  for (let o = 0; o < d.size; o += unit) out.set(one, o);
  return out;
}

/** TS 102 222 §6.3 repeat pattern: the pattern repeated up to the end of the file or record. */
function repeatPattern(p: Bytes, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = p[i % p.length]!;
  return out;
}

/** TS 102 222 §6.3 fill pattern: the pattern, then its last byte up to the end of the file or record. */
function fillPattern(p: Bytes, length: number): Uint8Array {
  const out = new Uint8Array(length).fill(p[p.length - 1]!);
  out.set(p.subarray(0, length));
  return out;
}

const hex = (b: Bytes) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** fillFileOffset: moves the cursor forward. */
export function skip(d: Draft, n: number): string | undefined {
  if (d.link) return `fillFileOffset on the link file ${d.name}`;
  if (d.type !== 'EF' || d.structure === 'ber-tlv')
    return `fillFileOffset on ${d.name}, which is not a transparent or record EF`;
  if (d.cursor + n > d.size) return `fillFileOffset ${n} goes past the end of ${d.name} (${d.size} bytes)`;
  d.cursor += n;
  return undefined;
}

/** fillFileContent: writes at the cursor (BER-TLV files: appends the data objects). */
export function fill(d: Draft, content: Bytes): string | undefined {
  if (d.type !== 'EF') return `fillFileContent on ${d.name}, which is not an EF`;
  if (d.link) return `fillFileContent on the link file ${d.name}`;
  if (d.berObjects) {
    const used = d.berObjects.reduce((n, b) => n + b.length, 0);
    if (used + content.length > d.size) return `content exceeds the maximum size of ${d.name}`;
    d.berObjects.push(content);
    return undefined;
  }
  if (d.cursor + content.length > d.size)
    return `fillFileContent of ${content.length} bytes at ${d.cursor} goes past the end of ${d.name} (${d.size} bytes)`;
  d.initial.set(content, d.cursor);
  d.cursor += content.length;
  return undefined;
}

/** Adds a file to a DF; refuses a second file with the same FID (or AID for ADFs) in one DF. */
export function attach(parent: Draft, d: Draft): string | undefined {
  if (parent.type === 'EF') return `${d.name} cannot be created in an EF`;
  if (parent.children.some((c) => c.fid === d.fid))
    return `${parent.name} already has a file ${fidHex(d.fid)}`;
  d.parent = parent;
  parent.children.push(d);
  return undefined;
}

export function childByFid(df: Draft, fid: number): Draft | undefined {
  return df.children.find((c) => c.fid === fid);
}

function pathOf(d: Draft): string {
  return d.parent ? `${pathOf(d.parent)}/${fidHex(d.fid)}` : fidHex(d.fid);
}

/**
 * Points every link file at its target (a FID path from the MF; ADFs by their temporary FID): it shares the
 * target's structure, size and content. A link to a missing file, a DF or another link is refused.
 */
export function resolveLinks(mf: Draft): string | undefined {
  const all: Draft[] = [];
  const walk = (d: Draft) => {
    all.push(d);
    for (const c of d.children) walk(c);
  };
  walk(mf);
  for (const d of all) {
    if (!d.link) continue;
    let t: Draft | undefined = mf;
    for (let i = 0; i < d.link.length && t; i += 2) t = childByFid(t, (d.link[i]! << 8) | d.link[i + 1]!);
    if (t?.type !== 'EF' || t.link) return `${d.name}: linkPath ${hex(d.link)} names no EF`;
    d.linkTarget = t;
    d.structure = t.structure!;
    d.size = t.size;
    if (t.recordLength !== undefined) d.recordLength = t.recordLength;
    if (t.recordCount !== undefined) d.recordCount = t.recordCount;
  }
  return undefined;
}

/** Freezes the drafts into FileSpecs (paths from the MF, parents linked). */
export function toFileSpec(d: Draft, parent?: FileSpec): FileSpec {
  const f: FileSpec = {
    type: d.type,
    fid: d.fid,
    name: d.name,
    size: d.size,
    shareable: d.shareable,
    lcsi: d.lcsi,
    children: [],
    path: parent ? `${parent.path}/${fidHex(d.fid)}` : fidHex(d.fid),
    initial: contentOf(d.linkTarget ?? d),
  };
  if (d.linkTarget) f.contentOf = pathOf(d.linkTarget);
  if (parent) f.parent = parent;
  if (d.aid) f.aid = d.aid;
  if (d.structure) f.structure = d.structure;
  if (d.recordLength !== undefined) f.recordLength = d.recordLength;
  if (d.recordCount !== undefined) f.recordCount = d.recordCount;
  if (d.sfi !== undefined) f.sfi = d.sfi;
  if (d.arr) f.arr = d.arr;
  if (d.pinRefs) f.pinRefs = d.pinRefs;
  for (const c of d.children) f.children.push(toFileSpec(c, f));
  return f;
}

/** One content array per file, so that a link and its target share it. */
function contentOf(d: Draft): Bytes {
  if (d.berObjects) {
    d.initial = concatAll(d.berObjects);
    delete d.berObjects;
  }
  return d.initial;
}

function concatAll(parts: Bytes[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
