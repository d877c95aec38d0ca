// Lookup tables over a FileSpec tree, built once per profile and shared by every card made from it.

import type { Bytes } from '../bytes.js';
import { equal } from '../bytes.js';
import { type FileSpec, walk } from './model.js';

export interface TreeIndex {
  mf: FileSpec;
  byPath: Map<string, FileSpec>;
  /** Children selectable by FID, per DF (ADFs are reached by AID or 7FFF, never by FID from the MF). */
  children: Map<FileSpec, Map<number, FileSpec>>;
  /** EFs by SFI per DF, taken from each file's own tag-88 value. */
  sfi: Map<FileSpec, Map<number, FileSpec>>;
  adfs: FileSpec[];
  /** The EF.ARR that a file's 8B reference resolves to. */
  arrFile: Map<FileSpec, FileSpec | undefined>;
}

export function indexTree(mf: FileSpec): TreeIndex {
  const byPath = new Map<string, FileSpec>();
  const children = new Map<FileSpec, Map<number, FileSpec>>();
  const sfi = new Map<FileSpec, Map<number, FileSpec>>();
  const adfs: FileSpec[] = [];
  for (const f of walk(mf)) {
    byPath.set(f.path, f);
    if (f.type === 'ADF') adfs.push(f);
    if (f.type === 'EF') continue;
    const c = new Map<number, FileSpec>();
    const s = new Map<number, FileSpec>();
    for (const k of f.children) {
      if (k.type !== 'ADF') c.set(k.fid, k);
      if (k.type === 'EF' && k.sfi !== undefined) s.set(k.sfi, k);
    }
    children.set(f, c);
    sfi.set(f, s);
  }
  const arrFile = new Map<FileSpec, FileSpec | undefined>();
  for (const f of walk(mf)) {
    if (!f.arr) continue;
    // TS 102 221 §9.2.7: the referenced EF.ARR is looked up in the file's DF (for a DF: the DF itself),
    // then in the parent DFs up to the MF.
    let dir: FileSpec | undefined = f.type === 'EF' ? f.parent : f;
    let found: FileSpec | undefined;
    while (dir && !found) {
      const k = children.get(dir)?.get(f.arr.fid);
      if (k && k.type === 'EF') found = k;
      dir = dir.parent;
    }
    arrFile.set(f, found);
  }
  return { mf, byPath, children, sfi, adfs, arrFile };
}

/** ADFs whose AID starts with `aid` (partial DF name selection, TS 102 221 §8.5.1). */
export function adfsMatching(index: TreeIndex, aid: Bytes): FileSpec[] {
  return index.adfs.filter(
    (a) => a.aid && a.aid.length >= aid.length && equal(a.aid.subarray(0, aid.length), aid),
  );
}
