// The file tree the shell navigates: from the profile the emulator runs (names as the profile gives them), or,
// for a card behind a reader, discovered by SELECT: EF.DIR names the applications (TS 102 221 §13.1), the
// standard FIDs of TS 102 221 §13 and TS 31.102 §4 give the names, and each FCP (TS 102 221 §11.1.1.3) gives
// the structure and size.

import { dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import type { FileSpec } from '../../card-os/fs/model.js';
import { decodeDir } from '../codecs/dir.js';
import { decodeFcp, type FcpInfo } from '../decode/fcp.js';
import { MF_DF, STANDARD_ADFS, type StandardDf } from './standard-files.js';

export type Structure = 'transparent' | 'linear-fixed' | 'cyclic' | 'ber-tlv';

export interface ShellNode {
  name: string;
  fid: number;
  type: 'MF' | 'DF' | 'ADF' | 'EF';
  aid?: Bytes;
  structure?: Structure;
  size?: number;
  recordLength?: number;
  recordCount?: number;
  children: ShellNode[];
  parent?: ShellNode;
}

/** A FID in hex; `----` for an application without one (the eUICC's security domains, fid -1). */
export const fidHex = (fid: number) => (fid < 0 ? '----' : fid.toString(16).padStart(4, '0').toUpperCase());

export function treeFromSpec(f: FileSpec, parent?: ShellNode): ShellNode {
  const n: ShellNode = {
    name: f.type === 'MF' ? 'MF' : f.name,
    fid: f.fid,
    type: f.type,
    aid: f.aid,
    structure: f.structure,
    size: f.size,
    recordLength: f.recordLength,
    recordCount: f.recordCount,
    children: [],
    parent,
  };
  n.children = f.children.map((c) => treeFromSpec(c, n));
  return n;
}

/** Path from the MF, e.g. MF/ADF.USIM/EF.IMSI. */
export function pathOf(n: ShellNode): string {
  const names: string[] = [];
  for (let x: ShellNode | undefined = n; x; x = x.parent) names.unshift(x.name);
  return names.join('/');
}

/** FID path from the MF, e.g. 3F00/7FF0/6F07. */
export function fidPathOf(n: ShellNode): string {
  const fids: string[] = [];
  for (let x: ShellNode | undefined = n; x; x = x.parent) fids.unshift(fidHex(x.fid));
  return fids.join('/');
}

export function* walkTree(n: ShellNode): Generator<ShellNode> {
  yield n;
  for (const c of n.children) yield* walkTree(c);
}

const STRUCTURES: Record<string, Structure> = {
  transparent: 'transparent',
  'linear fixed': 'linear-fixed',
  cyclic: 'cyclic',
  'BER-TLV': 'ber-tlv',
};

/** Applies what an FCP says about a file to its node. */
export function applyFcp(n: ShellNode, fcp: FcpInfo): void {
  if (fcp.structure) n.structure = STRUCTURES[fcp.structure];
  if (fcp.size !== undefined) n.size = fcp.size;
  if (fcp.records !== undefined) {
    n.recordCount = fcp.records;
    n.recordLength = fcp.recordLength;
  }
}

/** SELECT commands that reach `n` from anywhere: an ADF by its AID, then FIDs; otherwise a path from the MF. */
export function selectCommands(n: ShellNode): Bytes[] {
  const chain: ShellNode[] = [];
  for (let x: ShellNode | undefined = n; x; x = x.parent) chain.unshift(x);
  let adf = -1;
  chain.forEach((x, i) => {
    if (x.type === 'ADF' && x.aid) adf = i;
  });
  const sel = (p1: number, data: Bytes) =>
    Uint8Array.from([0x00, 0xa4, p1, 0x04, data.length, ...data, 0x00]);
  if (adf >= 0) {
    return [
      sel(0x04, chain[adf]!.aid!),
      ...chain.slice(adf + 1).map((x) => sel(0x00, Uint8Array.of(x.fid >> 8, x.fid & 0xff))),
    ];
  }
  if (chain.length === 1) return [sel(0x00, Uint8Array.of(0x3f, 0x00))];
  return [sel(0x08, Uint8Array.from(chain.slice(1).flatMap((x) => [x.fid >> 8, x.fid & 0xff])))];
}

export type Exchange = (command: Bytes) => Promise<Bytes>;

/** Selects `n`; returns the last response (FCP and status word). */
export async function selectNode(send: Exchange, n: ShellNode): Promise<Bytes> {
  let r = new Uint8Array([0x6f, 0x00]) as Bytes;
  for (const c of selectCommands(n)) {
    r = await send(c);
    if (swOf(r) !== 0x9000) return r;
  }
  return r;
}

async function probeDf(send: Exchange, df: ShellNode, std: StandardDf): Promise<void> {
  for (const [fid, name] of Object.entries(std.files)) {
    const n: ShellNode = { name, fid: Number(fid), type: 'EF', children: [], parent: df };
    const r = await selectNode(send, n);
    const fcp = swOf(r) === 0x9000 ? decodeFcp(dataOf(r)) : undefined;
    if (fcp?.kind !== 'EF') continue;
    applyFcp(n, fcp);
    df.children.push(n);
  }
  for (const sub of std.dfs ?? []) {
    const n: ShellNode = { name: sub.name, fid: sub.fid, type: 'DF', children: [], parent: df };
    const r = await selectNode(send, n);
    if (swOf(r) !== 0x9000 || decodeFcp(dataOf(r))?.kind !== 'DF') continue;
    df.children.push(n);
    await probeDf(send, n, sub);
  }
}

/** Discovers a card's tree through SELECT (names from the standard tables, applications from EF.DIR). */
export async function discoverTree(send: Exchange): Promise<ShellNode> {
  const mf: ShellNode = { name: 'MF', fid: 0x3f00, type: 'MF', children: [] };
  await probeDf(send, mf, MF_DF);
  const dir = mf.children.find((c) => c.fid === 0x2f00);
  if (!dir?.recordCount) return mf;
  await selectNode(send, dir);
  for (let i = 1; i <= dir.recordCount; i++) {
    const rec = await send(Uint8Array.of(0x00, 0xb2, i, 0x04, dir.recordLength ?? 0));
    const app = swOf(rec) === 0x9000 ? decodeDir(dataOf(rec)) : undefined;
    if (!app) continue;
    const aid = fromHex(app.aid);
    const std = STANDARD_ADFS.find((s) => toHex(aid).startsWith(s.prefix));
    const name = std?.name ?? `ADF.${app.label ?? toHex(aid)}`;
    const adf: ShellNode = { name, fid: std?.df.fid ?? 0x7fff, type: 'ADF', aid, children: [], parent: mf };
    const r = await selectNode(send, adf);
    if (swOf(r) !== 0x9000) continue;
    const fid = decodeFcp(dataOf(r))?.fid;
    if (fid) adf.fid = Number.parseInt(fid, 16);
    mf.children.push(adf);
    if (std) await probeDf(send, adf, std.df);
  }
  return mf;
}
