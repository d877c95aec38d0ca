// SELECT (TS 102 221 §11.1.1) and STATUS (§11.1.2).

import type { Reply } from '../applet.js';
import { equal, readU16 } from '../bytes.js';
import type { Exec } from '../card.js';
import { type FileSpec, LCSI } from '../fs/model.js';
import { adfsMatching } from '../fs/tree.js';
import { SW } from '../sw.js';
import { ber } from '../tlv.js';

const MF_FID = 0x3f00;
const CURRENT_ADF_FID = 0x7fff;

/** FID selection from the current DF, TS 102 221 §8.4.1: the DF itself, its children, its parent, the parent's DF children. */
function byFid(x: Exec, fid: number): FileSpec | undefined {
  const { os, ch } = x;
  if (fid === MF_FID) return os.index.mf;
  if (fid === CURRENT_ADF_FID) return ch.adf;
  const df = ch.df;
  if (df.fid === fid && df.type !== 'ADF') return df;
  const child = os.index.children.get(df)?.get(fid);
  if (child) return child;
  const parent = df.type === 'ADF' ? os.index.mf : df.parent;
  if (!parent) return undefined;
  if (parent.fid === fid) return parent;
  const sib = os.index.children.get(parent)?.get(fid);
  return sib && sib.type !== 'EF' ? sib : undefined;
}

/** Path selection (P1 08 from the MF, 09 from the current DF), TS 102 221 §8.4.2. */
function byPath(x: Exec, data: Uint8Array, fromMf: boolean): FileSpec | undefined {
  if (data.length === 0 || data.length % 2 !== 0) return undefined;
  let cur: FileSpec | undefined = fromMf ? x.os.index.mf : x.ch.df;
  for (let i = 0; i < data.length; i += 2) {
    const fid = readU16(data, i);
    if (!cur || cur.type === 'EF') return undefined;
    if (i === 0 && fid === CURRENT_ADF_FID) cur = x.ch.adf;
    else if (i === 0 && fromMf && fid === MF_FID) cur = x.os.index.mf;
    // An ADF is reached from the MF by its own FID in a path, as commercial cards allow (3F00/7FF0/...).
    else if (cur.type === 'MF')
      cur = x.os.index.children.get(cur)?.get(fid) ?? x.os.index.adfs.find((a) => a.fid === fid);
    else cur = x.os.index.children.get(cur)?.get(fid);
  }
  return cur;
}

function selectResult(x: Exec, f: FileSpec, wantFcp: boolean): Reply {
  const lcs = x.os.lcs(f);
  // A deactivated file can be selected; the warning tells the terminal (TS 102 221 §11.1.1.4).
  const sw =
    (lcs & 0xfd) === LCSI.DEACTIVATED
      ? SW.WARN_DEACTIVATED
      : lcs >= LCSI.TERMINATED
        ? SW.WARN_TERMINATED
        : SW.OK;
  return wantFcp ? { sw, data: x.os.fcp(f) } : { sw };
}

function makeCurrent(x: Exec, f: FileSpec): void {
  const { ch } = x;
  ch.recordPtr = 0;
  if (f.type === 'EF') {
    ch.ef = f;
    ch.df = f.parent!;
  } else {
    ch.ef = undefined;
    ch.df = f;
  }
  if (f.type === 'ADF') x.os.setApplication(x, f, x.os.appletFor(f.aid));
}

export function select(x: Exec): Reply {
  const { cmd, os } = x;
  const { p1, p2, data } = cmd;
  // P2: b4-b3 = 01 return FCP, 11 no data; 00 (ISO "FCI") is taken as FCP. b2-b1 occurrence (AID only).
  const resp = p2 & 0x0c;
  if (resp !== 0x04 && resp !== 0x0c && resp !== 0x00) return { sw: SW.INCORRECT_P1P2 };
  if ((p2 & 0xb0) !== 0 || (p1 !== 0x04 && (p2 & 0x03) !== 0)) return { sw: SW.INCORRECT_P1P2 };
  const wantFcp = resp !== 0x0c;
  let target: FileSpec | undefined;
  switch (p1) {
    case 0x00:
      if (data.length === 0) target = os.index.mf;
      else if (data.length !== 2) return { sw: SW.WRONG_LENGTH };
      else target = byFid(x, readU16(data, 0));
      break;
    case 0x01: {
      if (data.length !== 2) return { sw: SW.WRONG_LENGTH };
      const c = os.index.children.get(x.ch.df)?.get(readU16(data, 0));
      target = c && c.type !== 'EF' ? c : undefined;
      break;
    }
    case 0x03:
      if (data.length !== 0) return { sw: SW.WRONG_LENGTH };
      target = x.ch.df.type === 'MF' ? x.ch.df : x.ch.df.type === 'ADF' ? os.index.mf : x.ch.df.parent;
      break;
    case 0x04:
      return selectByName(x, wantFcp);
    case 0x08:
    case 0x09:
      if (data.length === 0 || data.length % 2) return { sw: SW.WRONG_LENGTH };
      target = byPath(x, data, p1 === 0x08);
      break;
    default:
      return { sw: SW.INCORRECT_P1P2 };
  }
  if (!target) return { sw: SW.FILE_NOT_FOUND };
  makeCurrent(x, target);
  return selectResult(x, target, wantFcp);
}

/** SELECT by DF name (AID), including partial AIDs and "next occurrence" (TS 102 221 §8.5.1, §11.1.1.3). */
function selectByName(x: Exec, wantFcp: boolean): Reply {
  const { cmd, os } = x;
  const aid = cmd.data;
  if (aid.length < 1 || aid.length > 16) return { sw: SW.WRONG_LENGTH };
  const occurrence = cmd.p2 & 0x03;
  if (occurrence !== 0x00 && occurrence !== 0x02) return { sw: SW.INCORRECT_P1P2 };
  const adfs = adfsMatching(os.index, aid);
  // Non-file applications (security domains) answer by their own AID.
  const apps = os.applets.filter(
    (a) =>
      a.aid &&
      !adfs.some((d) => d.aid && equal(d.aid, a.aid!)) &&
      a.aid.length >= aid.length &&
      equal(a.aid.subarray(0, aid.length), aid),
  );
  type Cand = { adf?: FileSpec; applet?: (typeof apps)[number] };
  const cands: Cand[] = [...adfs.map((adf) => ({ adf })), ...apps.map((applet) => ({ applet }))];
  if (cands.length === 0) return { sw: SW.FILE_NOT_FOUND };
  let pick = cands[0]!;
  if (occurrence === 0x02) {
    const curAid = x.ch.adf?.aid ?? x.ch.applet?.aid;
    const at = cands.findIndex((c) => (c.adf?.aid ?? c.applet?.aid) === curAid);
    if (at < 0 || at + 1 >= cands.length) return { sw: SW.FILE_NOT_FOUND };
    pick = cands[at + 1]!;
  }
  if (pick.adf) {
    makeCurrent(x, pick.adf);
    return selectResult(x, pick.adf, wantFcp);
  }
  const applet = pick.applet!;
  os.setApplication(x, undefined, applet);
  x.ch.ef = undefined;
  x.ch.recordPtr = 0;
  const r = applet.select ? applet.select(os.context(x, applet)) : { sw: SW.OK };
  return wantFcp ? r : { sw: r.sw };
}

/** STATUS, TS 102 221 §11.1.2: FCP of the current DF, or the current application's DF name. */
export function status(x: Exec): Reply {
  const { cmd, os, ch } = x;
  if (cmd.p1 > 0x02) return { sw: SW.INCORRECT_P1P2 };
  switch (cmd.p2) {
    case 0x00:
      return { sw: SW.OK, data: os.fcp(ch.df) };
    case 0x01: {
      const aid = ch.adf?.aid ?? ch.applet?.aid;
      return aid ? { sw: SW.OK, data: ber(0x84, aid) } : { sw: SW.OK, data: os.fcp(ch.df) };
    }
    case 0x0c:
      return { sw: SW.OK };
    default:
      return { sw: SW.INCORRECT_P1P2 };
  }
}
