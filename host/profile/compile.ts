// Profile document -> CardSpec: builds the FileSpec tree (parents, FID paths, initial contents, SFIs,
// access-rule references, PIN references) and the PinSpecs, checking everything that spans more than one
// value: duplicate FIDs / SFIs / names in a DF, access rules that point to existing EF.ARR records and to
// defined keys, EF.DIR against the ADFs. Contents: contents.ts; PINs: pins.ts.

import { toHex } from '../../card-os/bytes.js';
import { type CardSpec, type FileSpec, fidHex, LCSI } from '../../card-os/fs/model.js';
import { accessRuleKeyRefs, decodeAccessRuleItems, parseAccessRule } from '../codecs/access-rule.js';
import { decodeDir } from '../codecs/dir.js';
import { keyRefName } from '../codecs/key-ref.js';
import { APPLET_SECTIONS, type AppletSections } from './applets.js';
import { parseAtr } from './atr.js';
import { efLayout, type Report } from './contents.js';
import type { PathKey } from './error.js';
import { checkKeySlots } from './key-slots.js';
import { compilePins } from './pins.js';
import type { AdfDoc, ArrRefDoc, DfDoc, EfDoc, LifeCycle, MfDoc, ProfileDoc } from './schema.js';
import type { SidfProfile } from './sidf.js';

export interface CompiledProfile extends AppletSections {
  spec: CardSpec;
  /** Home network private keys for the SIDF (host side only, not an applet section). */
  sidf?: SidfProfile;
}

/** The applet sections a compiled profile has, by section name (for the applet registry). */
export function appletSections(p: AppletSections): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(APPLET_SECTIONS) as (keyof AppletSections)[])
    if (p[name] !== undefined) out[name] = p[name];
  return out;
}

export interface CompileIssue {
  path: PathKey[];
  problem: string;
}

/** Thrown by compileDocument with every problem found; load.ts turns it into a ProfileError. */
export class CompileIssues extends Error {
  constructor(readonly issues: CompileIssue[]) {
    super(issues.map((i) => `${i.path.join('.')}: ${i.problem}`).join('\n'));
  }
}

const LCSI_OF: Record<LifeCycle, number> = {
  creation: LCSI.CREATION,
  initialisation: LCSI.INITIALISATION,
  activated: LCSI.ACTIVATED,
  deactivated: LCSI.DEACTIVATED,
  terminated: LCSI.TERMINATED,
};

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
const isArrName = (n: string) => n.trim().toUpperCase() === 'EF.ARR';
const normName = (n: string) => n.trim().toUpperCase();

/** Where a file came from in the document, for messages and the cross-checks. */
interface Origin {
  path: PathKey[];
  doc: EfDoc | DfDoc | AdfDoc | MfDoc;
  /** Content records given (record EFs), so that ARR references can be checked against them. */
  definedRecords?: number;
}

class Compiler {
  readonly issues: CompileIssue[] = [];
  readonly origin = new Map<FileSpec, Origin>();
  readonly pinRefsDefined: Set<number>;

  constructor(readonly doc: ProfileDoc) {
    this.pinRefsDefined = new Set(doc.pins.map((p) => p.ref));
  }

  readonly bad: Report = (path, problem) => {
    this.issues.push({ path, problem });
  };

  // ---- files ----

  ef(e: EfDoc, parent: FileSpec, path: PathKey[]): FileSpec {
    const f: FileSpec = {
      type: 'EF',
      fid: e.fid,
      name: e.name,
      structure: e.structure,
      size: 0,
      shareable: e.shareable ?? true,
      lcsi: LCSI_OF[e.lifeCycle ?? 'activated'],
      children: [],
      parent,
      path: `${parent.path}/${fidHex(e.fid)}`,
      initial: new Uint8Array(0),
    };
    if (typeof e.sfi === 'number') f.sfi = e.sfi;
    const origin: Origin = { path, doc: e };
    this.origin.set(f, origin);
    const layout = efLayout(e, path, this.bad);
    if (layout) {
      f.size = layout.size;
      f.initial = layout.initial;
      if (layout.recordLength !== undefined) f.recordLength = layout.recordLength;
      if (layout.recordCount !== undefined) f.recordCount = layout.recordCount;
      if (layout.definedRecords !== undefined) origin.definedRecords = layout.definedRecords;
    }
    return f;
  }

  df(
    d: DfDoc | AdfDoc | MfDoc,
    type: FileSpec['type'],
    parent: FileSpec | undefined,
    path: PathKey[],
  ): FileSpec {
    const fid = type === 'MF' ? 0x3f00 : (d as DfDoc).fid;
    const name =
      type === 'MF'
        ? 'MF'
        : type === 'ADF'
          ? `ADF.${(d as AdfDoc).name.replace(/^ADF\./i, '')}`
          : (d as DfDoc).name;
    const f: FileSpec = {
      type,
      fid,
      name,
      size: 0,
      shareable: d.shareable ?? true,
      lcsi: LCSI_OF[d.lifeCycle ?? 'activated'],
      children: [],
      path: parent ? `${parent.path}/${fidHex(fid)}` : fidHex(fid),
      initial: new Uint8Array(0),
    };
    if (parent) f.parent = parent;
    if (type === 'ADF') f.aid = (d as AdfDoc).aid;
    const pinRefs = d.pinRefs ?? parent?.pinRefs;
    if (pinRefs) f.pinRefs = [...pinRefs];
    (d.pinRefs ?? []).forEach((r, i) => {
      if (!this.pinRefsDefined.has(r))
        this.bad([...path, 'pinRefs', i], `${hex2(r)} (${keyRefName(r)}) is not in pins`);
    });
    this.origin.set(f, { path, doc: d });
    for (const [i, e] of (d.files ?? []).entries()) f.children.push(this.ef(e, f, [...path, 'files', i]));
    for (const [i, x] of (d.dfs ?? []).entries()) f.children.push(this.df(x, 'DF', f, [...path, 'dfs', i]));
    if (type === 'MF') {
      for (const [i, x] of ((d as MfDoc).adf ?? []).entries())
        f.children.push(this.df(x, 'ADF', f, [...path, 'adf', i]));
    }
    this.checkSiblings(f);
    return f;
  }

  /** FIDs, SFIs and names must be unique in a DF (TS 102 221 §8.3, §8.4.2); ADFs are unique among ADFs. */
  checkSiblings(dir: FileSpec): void {
    const fids = new Map<number, FileSpec>();
    const sfis = new Map<number, FileSpec>();
    const names = new Map<string, FileSpec>();
    const aids = new Map<string, FileSpec>();
    for (const c of dir.children) {
      const path = this.origin.get(c)!.path;
      const scope = c.type === 'ADF' ? 'among the ADFs' : 'in this DF';
      const key = c.type === 'ADF' ? 0x10000 + c.fid : c.fid;
      const other = fids.get(key);
      if (other) this.bad([...path, 'fid'], `FID ${fidHex(c.fid)} is already used by ${other.name} ${scope}`);
      else if (c.fid === dir.fid && c.type !== 'ADF')
        this.bad([...path, 'fid'], `FID ${fidHex(c.fid)} is the FID of the parent DF`);
      fids.set(key, c);
      if (c.sfi !== undefined) {
        const s = sfis.get(c.sfi);
        if (s)
          this.bad(
            [...path, 'sfi'],
            `SFI ${hex2(c.sfi)} is already used by ${s.name} (${fidHex(s.fid)}) in this DF`,
          );
        sfis.set(c.sfi, c);
      }
      const n = names.get(normName(c.name));
      if (n) this.bad([...path, 'name'], `${c.name} is already used by ${fidHex(n.fid)} in this DF`);
      names.set(normName(c.name), c);
      if (c.aid) {
        const a = aids.get(toHex(c.aid));
        if (a) this.bad([...path, 'aid'], `the AID is already used by ${a.name}`);
        aids.set(toHex(c.aid), c);
      }
    }
  }

  // ---- access rules ----

  /** TS 102 221 §9.2.7: the EF.ARR is looked up in the file's DF (for a DF: the DF itself), then upwards. */
  searchDirs(f: FileSpec): FileSpec[] {
    const out: FileSpec[] = [];
    for (let d: FileSpec | undefined = f.type === 'EF' ? f.parent : f; d; d = d.parent) out.push(d);
    return out;
  }

  resolveArr(f: FileSpec, ref: ArrRefDoc, path: PathKey[]): void {
    const dirs = this.searchDirs(f);
    let target: FileSpec | undefined;
    for (const d of dirs) {
      target = d.children.find(
        (c) => c.type === 'EF' && (ref.fid === undefined ? isArrName(c.name) : c.fid === ref.fid),
      );
      if (target) break;
    }
    const where = dirs.map((d) => d.name).join(', ');
    if (!target) {
      this.bad(path, `no ${ref.fid === undefined ? 'EF.ARR' : `EF ${fidHex(ref.fid)}`} found in ${where}`);
      return;
    }
    if (target.structure !== 'linear-fixed' && target.structure !== 'cyclic') {
      this.bad(path, `${target.name} (${fidHex(target.fid)}) is not a record file`);
      return;
    }
    const defined = this.origin.get(target)?.definedRecords ?? 0;
    if (ref.record > defined) {
      this.bad(
        path,
        `${target.name} (${fidHex(target.fid)}) defines ${defined} rules; there is no rule ${ref.record}`,
      );
      return;
    }
    f.arr = { fid: target.fid, record: ref.record };
  }

  checkAccessRules(mf: FileSpec): void {
    for (const f of walkTree(mf)) {
      const o = this.origin.get(f)!;
      const ref = o.doc.arr;
      const path = o.path;
      // TS 102 221 §11.1.1.4.7: every file carries security attributes.
      if (!ref) this.bad(path, 'arr is required (every file needs an access rule)');
      else this.resolveArr(f, ref, [...path, 'arr']);
      if (f.type === 'EF' && isArrName(f.name)) this.checkRuleKeys(o);
    }
  }

  /** Every key a rule needs must exist, or the operation it guards can never be done. */
  checkRuleKeys(o: Origin): void {
    const e = o.doc as EfDoc;
    const ruleValues = e.values.find((v) => v.key === 'rules');
    const listKey = ruleValues ? 'rules' : 'records';
    const items = ruleValues
      ? (ruleValues.value as string[]).map((t) => parseAccessRule(t))
      : (e.records ?? []).map((r) => decodeAccessRuleItems(r));
    items.forEach((it, i) => {
      if (!it) return;
      for (const r of accessRuleKeyRefs(it)) {
        if (!this.pinRefsDefined.has(r)) {
          this.bad(
            [...o.path, listKey, i],
            `needs ${keyRefName(r)} (key ${hex2(r)}), which pins does not define`,
          );
        }
      }
    });
  }

  // ---- applications ----

  /** Terminals find applications through EF.DIR (TS 102 221 §13.1): it must list exactly the ADFs. */
  checkDir(mf: FileSpec): void {
    const adfs = mf.children.filter((c) => c.type === 'ADF');
    const dir = mf.children.find((c) => c.type === 'EF' && c.fid === 0x2f00);
    if (!dir) {
      if (adfs.length)
        this.bad(['mf', 'files'], 'EF.DIR (2F00) is missing: terminals find the ADFs through it');
      return;
    }
    const dirOrigin = this.origin.get(dir)!;
    const listed = new Map<string, number>();
    const n = dir.recordLength ?? 0;
    for (let i = 0; n && i < (dir.recordCount ?? 0); i++) {
      const r = decodeDir(dir.initial.subarray(i * n, (i + 1) * n));
      if (r) listed.set(r.aid, i);
    }
    for (const a of adfs) {
      if (!listed.has(toHex(a.aid!))) {
        this.bad(
          [...this.origin.get(a)!.path, 'aid'],
          'is not listed in EF.DIR (2F00), so terminals would not find it',
        );
      }
    }
    const aids = new Set(adfs.map((a) => toHex(a.aid!)));
    const key = (dirOrigin.doc as EfDoc).values.find((v) => v.key === 'dir') ? 'dir' : 'records';
    for (const [aid, i] of listed) {
      if (!aids.has(aid)) this.bad([...dirOrigin.path, key, i], `no ADF has the AID ${aid}`);
    }
  }
}

function* walkTree(f: FileSpec): Generator<FileSpec> {
  yield f;
  for (const c of f.children) yield* walkTree(c);
}

/**
 * Compiles a validated profile document. Throws CompileIssues listing every problem (paths are document
 * paths; load.ts adds file and line).
 */
export function compileDocument(doc: ProfileDoc): CompiledProfile {
  const c = new Compiler(doc);
  const mf = c.df(doc.mf, 'MF', undefined, ['mf']);
  c.checkAccessRules(mf);
  c.checkDir(mf);
  const pins = compilePins(doc.pins, c.bad);
  const atr = parseAtr(doc.atr);
  if (typeof atr === 'string') c.bad(['atr'], atr);
  checkKeySlots(doc, mf, c.bad);
  if (c.issues.length) throw new CompileIssues(c.issues);
  const spec: CardSpec = { atr: doc.atr, mf, pins, nvm: new Map() };
  if (doc.description) spec.description = doc.description;
  const out: CompiledProfile = { spec, ...appletSections(doc) };
  if (doc.sidf) out.sidf = doc.sidf;
  return out;
}
