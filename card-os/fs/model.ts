// The file-system model the card OS runs on: an immutable tree of file specifications (shared by every
// card made from the same profile) plus per-card contents and life-cycle states kept in NVM.
// TS 102 221 §8 (file types), §11.1.1.3 (FCP).

import type { Bytes } from '../bytes.js';

export type EfStructure = 'transparent' | 'linear-fixed' | 'cyclic' | 'ber-tlv';
export type FileType = 'MF' | 'DF' | 'ADF' | 'EF';

/** Life cycle status integer, TS 102 221 §11.1.1.4.9 (tag 8A). */
export const LCSI = {
  CREATION: 0x01,
  INITIALISATION: 0x03,
  DEACTIVATED: 0x04,
  ACTIVATED: 0x05,
  TERMINATED: 0x0c,
} as const;

export interface ArrRef {
  /** FID of the EF.ARR that holds the rule. */
  fid: number;
  /** Record number in that EF.ARR (1-based). */
  record: number;
}

export interface FileSpec {
  type: FileType;
  /** File identifier; every file has one (ADFs get one from the profile, 7FFx by convention). */
  fid: number;
  /** Human name, e.g. "EF.IMSI", "ADF.USIM". */
  name: string;
  /** DF name (AID) for ADFs, tag 84. */
  aid?: Bytes;
  /** EF structure. */
  structure?: EfStructure;
  /** Transparent: size in bytes. BER-TLV: maximum total size. Records: recordLength * recordCount. */
  size: number;
  recordLength?: number;
  recordCount?: number;
  /** Short file identifier 1..30, from tag 88 of this file. Undefined means the FCP carries `88 00` (no SFI). */
  sfi?: number;
  /** Access rule reference, tag 8B. */
  arr?: ArrRef;
  shareable: boolean;
  /** Initial life cycle status (tag 8A); the current one lives in NVM. */
  lcsi: number;
  /** PIN key references used in this DF/ADF, for the PIN status template C6 (TS 102 221 §9.5.2). */
  pinRefs?: number[];
  children: FileSpec[];
  parent?: FileSpec;
  /** Unique, stable key of the file in the card image: the FID path from the MF, e.g. "3F00/7FF0/6F07". */
  path: string;
  /** Initial content. Transparent: `size` bytes; record EFs: records concatenated; BER-TLV: the TLV objects. */
  initial: Bytes;
  /**
   * A link file (TS 102 222 §6.3 link path; profile packages' linkPath): the path of the EF whose content and
   * life cycle state it shares (its `initial` is that file's).
   */
  contentOf?: string;
}

/** PIN or administrative key, TS 102 221 §9.5. */
export interface PinSpec {
  /** Key reference (Table 9.3): 01..08 PIN1..8, 0A..0E ADM1..5, 11 universal PIN, 81..88 second PINs, 8A..8E ADM6..10. */
  ref: number;
  name: string;
  /** PIN value as stored on the card, padded with FF to 8 bytes. */
  value: Bytes;
  /** PUK (unblock key), 8 bytes, if the PIN can be unblocked. */
  puk?: Bytes;
  maxTries: number;
  maxUnblockTries: number;
  enabled: boolean;
  /** Whether DISABLE PIN is allowed (ADM keys: never). */
  canDisable: boolean;
}

/**
 * A compiled profile: everything needed to make a fresh card. Immutable and shareable between
 * thousands of cards (copy-on-write: a card only stores what it changed).
 */
export interface CardSpec {
  /** Answer to reset. */
  atr: Bytes;
  mf: FileSpec;
  pins: PinSpec[];
  /**
   * Initial non-volatile memory records for applets and the OS (file contents are taken from the tree):
   * e.g. "secret/usim/k", "usim/sqn". Keys under "secret/" are never readable through any interface.
   */
  nvm: ReadonlyMap<string, Bytes>;
  /** Free-form description from the profile. */
  description?: string;
}

/** Walks the tree depth-first. */
export function* walk(f: FileSpec): Generator<FileSpec> {
  yield f;
  for (const c of f.children) yield* walk(c);
}

export function fidHex(fid: number): string {
  return fid.toString(16).toUpperCase().padStart(4, '0');
}

/** NVM keys for a file's content and life-cycle state. */
export function contentKey(f: FileSpec): string {
  return `ef/${f.contentOf ?? f.path}`;
}
export function lcsKey(f: FileSpec): string {
  return `lcs/${f.contentOf ?? f.path}`;
}
