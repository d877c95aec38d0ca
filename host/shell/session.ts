// The pySim-shell-like command set of `uicc shell`: file-tree navigation by name, FID or path, transparent and
// record reads/writes (raw and decoded through the EF codec table), CHV commands, `apdu`, `dir`/`ls`, `tree`,
// `status` and `export`. Every command reaches the card through APDUs only, so the same session works on the
// embedded emulator and through a PC/SC reader.

import { writeFileSync } from 'node:fs';
import { buildCommand, dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import { swHex, swName } from '../../card-os/sw.js';
import { applicationCodecFor, codecFor, type EfCodec } from '../codecs/table.js';
import { pinBlock } from '../commands.js';
import { decodeFcp } from '../decode/fcp.js';
import type { Transport } from '../transport/transport.js';
import { ShellError } from './error.js';
import { EUICC_SHELL_COMMANDS } from './euicc.js';
import { exchange } from './exchange.js';
import { exportScript } from './export.js';
import { applyFcp, fidHex, pathOf, type ShellNode, selectNode, walkTree } from './file-tree.js';
import { jsonOrText, setJsonPath as setPath } from './json-path.js';

export { ShellError };

function setJsonPath(doc: unknown, path: string, value: unknown): unknown {
  try {
    return setPath(doc, path, value);
  } catch (e) {
    throw new ShellError((e as Error).message);
  }
}

export interface ShellContext {
  transport: Transport;
  root: ShellNode;
  /** Current DF (MF, DF or ADF). */
  df: ShellNode;
  /** Currently selected EF, if any. */
  ef?: ShellNode;
  /** Sees every APDU pair on the wire (for the transcript decoder). */
  onExchange?: (command: Bytes, response: Bytes) => void;
}

export const send = (ctx: ShellContext, cmd: Bytes) => exchange(ctx.transport, cmd, ctx.onExchange);

/** The prompt path: MF/ADF.USIM/EF.IMSI. */
export function currentPath(ctx: ShellContext): string {
  return pathOf(ctx.ef ?? ctx.df);
}

const swText = (r: Bytes) => `${swHex(swOf(r))} (${swName(swOf(r))})`;

function ok(r: Bytes, what: string): Bytes {
  if (swOf(r) !== 0x9000) throw new ShellError(`${what}: ${swText(r)}`);
  return dataOf(r);
}

// An application also answers to its name without "ADF." (`select ISD-R`, `select USIM`).
const matches = (n: ShellNode, word: string) =>
  n.name.toLowerCase() === word.toLowerCase() ||
  (n.type === 'ADF' && n.name.toLowerCase() === `adf.${word.toLowerCase()}`) ||
  (n.fid >= 0 && fidHex(n.fid) === word.toUpperCase());

/** Files `select` can reach in one word from the current DF: children, ancestors, applications. */
export function selectables(ctx: ShellContext): ShellNode[] {
  const out = [...ctx.df.children];
  for (let x: ShellNode | undefined = ctx.df; x; x = x.parent) out.push(x);
  for (const a of ctx.root.children) if (a.type === 'ADF' && !out.includes(a)) out.push(a);
  return out;
}

/** Resolves NAME | FID | PATH | .. | / against the current DF. */
export function resolveFile(ctx: ShellContext, arg: string): ShellNode {
  const a = arg.trim();
  if (a === '/' || /^(MF|3F00)$/i.test(a)) return ctx.root;
  if (a === '..') return ctx.ef ? ctx.df : (ctx.df.parent ?? ctx.df);
  if (a.includes('/')) {
    const parts = a.split('/').filter(Boolean);
    let at = a.startsWith('/') || /^(MF|3F00)$/i.test(parts[0] ?? '') ? ctx.root : ctx.df;
    if (/^(MF|3F00)$/i.test(parts[0] ?? '')) parts.shift();
    for (const p of parts) {
      if (p === '..') {
        at = at.parent ?? at;
        continue;
      }
      const next = at.children.find((c) => matches(c, p));
      if (!next) throw new ShellError(`no file "${p}" in ${pathOf(at)} (path ${a})`);
      at = next;
    }
    return at;
  }
  const hit = selectables(ctx).find((n) => matches(n, a));
  if (hit) return hit;
  // An application by its AID or a leading part of it (pySim-shell takes `select a0000000871002`).
  if (/^([0-9A-Fa-f]{2}){5,16}$/.test(a)) {
    const adf = ctx.root.children.find((n) => n.aid && toHex(n.aid).startsWith(a.toUpperCase()));
    if (adf) return adf;
  }
  const anywhere = [...walkTree(ctx.root)].filter((n) => n.name.toLowerCase() === a.toLowerCase());
  const hint = anywhere.length ? ` (it is at ${anywhere.map(pathOf).join(', ')})` : '';
  throw new ShellError(`no file "${a}" in ${pathOf(ctx.df)}${hint}; try dir`);
}

/** Selects a node on the card and makes it current; returns the decoded FCP. */
export async function selectFile(ctx: ShellContext, n: ShellNode): Promise<unknown> {
  const r = await selectNode((c) => send(ctx, c), n);
  const data = ok(r, `select ${pathOf(n)}`);
  const fcp = decodeFcp(data);
  if (n.type === 'EF') {
    ctx.ef = n;
    ctx.df = n.parent ?? ctx.root;
    if (fcp) applyFcp(n, fcp);
  } else {
    ctx.ef = undefined;
    ctx.df = n;
  }
  return fcp ?? toHex(data);
}

function needEf(ctx: ShellContext, kind: 'transparent' | 'record'): ShellNode {
  const ef = ctx.ef;
  if (!ef) throw new ShellError(`no EF selected (select one first, e.g. select EF.IMSI)`);
  const isRecord = ef.structure === 'linear-fixed' || ef.structure === 'cyclic';
  if (kind === 'record' && !isRecord)
    throw new ShellError(`${ef.name} is ${ef.structure}, not a record file`);
  if (kind === 'transparent' && ef.structure !== 'transparent')
    throw new ShellError(`${ef.name} is ${ef.structure}, not a transparent file`);
  return ef;
}

function codecOf(ef: ShellNode): EfCodec | undefined {
  // An application's own codec first (EF.AD and EF.IST of ADF.ISIM are not the USIM's), then the shared table.
  return (
    applicationCodecFor(ef) ??
    codecFor(ef.name) ??
    (ef.parent?.type === 'ADF' || ef.parent?.type === 'MF' ? codecFor(ef.fid) : undefined)
  );
}

function noCodec(ef: ShellNode, data: Bytes): string {
  return `${ef.name} has no codec; hex: ${toHex(data)}`;
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

async function readBinary(ctx: ShellContext, offset = 0, length?: number): Promise<Bytes> {
  const ef = needEf(ctx, 'transparent');
  const total = length ?? (ef.size ?? 256) - offset;
  const parts: Bytes[] = [];
  for (let at = offset; at < offset + total; ) {
    const n = Math.min(256, offset + total - at);
    const r = await send(ctx, buildCommand(0x00, 0xb0, (at >> 8) & 0x7f, at & 0xff, undefined, n));
    parts.push(ok(r, `read_binary ${ef.name}`));
    at += n;
  }
  return concat(...parts);
}

async function updateBinary(ctx: ShellContext, data: Bytes, offset = 0): Promise<void> {
  const ef = needEf(ctx, 'transparent');
  for (let at = 0; at < data.length; at += 255) {
    const o = offset + at;
    const r = await send(
      ctx,
      buildCommand(0x00, 0xd6, (o >> 8) & 0x7f, o & 0xff, data.subarray(at, at + 255)),
    );
    ok(r, `update_binary ${ef.name}`);
  }
}

async function readRecord(ctx: ShellContext, nr: number): Promise<Bytes> {
  const ef = needEf(ctx, 'record');
  const r = await send(ctx, buildCommand(0x00, 0xb2, nr, 0x04, undefined, ef.recordLength || 256));
  return ok(r, `read_record ${nr} of ${ef.name}`);
}

async function updateRecord(ctx: ShellContext, nr: number, data: Bytes): Promise<void> {
  const ef = needEf(ctx, 'record');
  // TS 102 221 §11.1.6: a cyclic file is only written in PREVIOUS mode (the oldest record becomes record 1).
  const cmd =
    ef.structure === 'cyclic'
      ? buildCommand(0x00, 0xdc, 0x00, 0x03, data)
      : buildCommand(0x00, 0xdc, nr, 0x04, data);
  ok(await send(ctx, cmd), `update_record ${nr} of ${ef.name}`);
}

/** Options (`--name value`) and positional words of a command line. */
function parseArgs(words: string[], flags: string[] = []): { opts: Map<string, string>; pos: string[] } {
  const opts = new Map<string, string>();
  const pos: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('--') && w.length > 2) {
      const [k, inline] = w.slice(2).split('=', 2) as [string, string | undefined];
      if (flags.includes(k)) opts.set(k, 'true');
      else {
        const v = inline ?? words[++i];
        if (v === undefined) throw new ShellError(`--${k} needs a value`);
        opts.set(k, v);
      }
    } else pos.push(w);
  }
  return { opts, pos };
}

function num(s: string | undefined, what: string, dflt?: number): number {
  if (s === undefined) {
    if (dflt !== undefined) return dflt;
    throw new ShellError(`missing ${what}`);
  }
  const n = /^0x/i.test(s) ? Number.parseInt(s.slice(2), 16) : Number(s);
  if (!Number.isInteger(n) || n < 0) throw new ShellError(`${what} must be a number, got "${s}"`);
  return n;
}

function hexArg(s: string | undefined, what: string): Bytes {
  if (s === undefined) throw new ShellError(`missing ${what}`);
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new ShellError(`${what} must be hex bytes, got "${s}"`);
  return fromHex(clean);
}

/** --pin-nr: the key reference as pySim takes it (1 = PIN1, 0x81 = PIN2, 0x0A = ADM1), or a name. */
const PIN_NAMES: Record<string, number> = { pin1: 0x01, pin2: 0x81, upin: 0x11, adm1: 0x0a, adm2: 0x0b };
function pinRef(s: string | undefined): number {
  if (s === undefined) return 0x01;
  return PIN_NAMES[s.toLowerCase()] ?? num(s, '--pin-nr');
}

async function chv(ctx: ShellContext, ins: number, ref: number, data: Bytes | undefined, what: string) {
  const r = await send(ctx, buildCommand(0x00, ins, 0x00, ref, data));
  const sw = swOf(r);
  if (sw === 0x9000) return `${what} successful`;
  if ((sw & 0xfff0) === 0x63c0) throw new ShellError(`${what} failed: wrong code, ${sw & 0x0f} tries left`);
  throw new ShellError(`${what} failed: ${swText(r)}`);
}

const pin = (s: string | undefined, what: string) => {
  try {
    return pinBlock(s);
  } catch (e) {
    throw new ShellError(`${what}: ${(e as Error).message}`);
  }
};

/** Value text after the options (JSON may hold spaces), for the *_decoded update commands. */
function valueText(rest: string, positionalsBefore: number): { jsonPath?: string; value: string } {
  let s = rest.trim();
  let jsonPath: string | undefined;
  const m = /^--json-path(?:=|\s+)(\S+)\s*/.exec(s);
  if (m) {
    jsonPath = m[1];
    s = s.slice(m[0].length);
  }
  for (let i = 0; i < positionalsBefore; i++) s = s.replace(/^\S+\s*/, '');
  if (!jsonPath) {
    const m2 = /\s--json-path(?:=|\s+)(\S+)\s*$/.exec(` ${s}`);
    if (m2) {
      jsonPath = m2[1];
      s = ` ${s}`.slice(0, m2.index).trim();
    }
  }
  return { jsonPath, value: s.trim() };
}

function encodeWith(ef: ShellNode, c: EfCodec, value: unknown, length: number | undefined): Bytes {
  try {
    return c.encode(value, length);
  } catch (e) {
    const issues = (e as { issues?: { path: unknown[]; message: string }[] }).issues;
    const msg = issues
      ? issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')
      : (e as Error).message;
    throw new ShellError(`cannot encode ${ef.name}: ${msg}`);
  }
}

export interface ShellCommand {
  usage: string;
  help: string;
  run(ctx: ShellContext, words: string[], rest: string): Promise<string | undefined>;
}

export const SHELL_COMMANDS: Record<string, ShellCommand> = {
  select: {
    usage: 'select NAME|FID|PATH|..|/',
    help: 'select a file by name (EF.IMSI), FID (6F07), path (MF/ADF.USIM/EF.IMSI), .. or /; prints its FCP',
    run: async (ctx, [arg]) => {
      if (arg === undefined) throw new ShellError('missing file id or path (usage: select FID|PATH)');
      return json(await selectFile(ctx, resolveFile(ctx, arg)));
    },
  },
  dir: {
    usage: 'dir',
    help: 'list the files of the current DF: FID, name, structure, size',
    run: async (ctx) => listing(ctx.df),
  },
  ls: { usage: 'ls', help: 'same as dir', run: async (ctx) => listing(ctx.df) },
  tree: {
    usage: 'tree',
    help: 'the whole file tree with FID, name, structure and size',
    run: async (ctx) => treeText(ctx.root, 0).join('\n'),
  },
  status: {
    usage: 'status',
    help: 'STATUS: the FCP of the current DF or application',
    run: async (ctx) => {
      const r = await send(ctx, buildCommand(0x80, 0xf2, 0x00, 0x00, undefined, 256));
      const d = ok(r, 'status');
      return json(decodeFcp(d) ?? toHex(d));
    },
  },
  read_binary: {
    usage: 'read_binary [--offset N] [--length N]',
    help: 'READ BINARY of the selected transparent EF, in hex',
    run: async (ctx, words) => {
      const { opts } = parseArgs(words);
      const off = num(opts.get('offset'), '--offset', 0);
      const len = opts.has('length') ? num(opts.get('length'), '--length') : undefined;
      return toHex(await readBinary(ctx, off, len));
    },
  },
  read_binary_decoded: {
    usage: 'read_binary_decoded',
    help: 'READ BINARY, decoded to JSON by the EF codec',
    run: async (ctx) => {
      const ef = needEf(ctx, 'transparent');
      const data = await readBinary(ctx);
      const c = codecOf(ef);
      if (!c) return noCodec(ef, data);
      const v = c.decode(data);
      return v === undefined ? `${ef.name}: not a well-formed value; hex: ${toHex(data)}` : json(v);
    },
  },
  update_binary: {
    usage: 'update_binary DATA [--offset N]',
    help: 'UPDATE BINARY of the selected transparent EF with hex DATA',
    run: async (ctx, words) => {
      const { opts, pos } = parseArgs(words);
      await updateBinary(ctx, hexArg(pos.join(''), 'DATA'), num(opts.get('offset'), '--offset', 0));
      return undefined;
    },
  },
  update_binary_decoded: {
    usage: 'update_binary_decoded JSON | --json-path PATH VALUE',
    help: 'encode JSON with the EF codec and UPDATE BINARY; --json-path changes one field of the current value',
    run: async (ctx, _w, rest) => {
      const ef = needEf(ctx, 'transparent');
      const c = codecOf(ef);
      if (!c) throw new ShellError(`${ef.name} has no codec; use update_binary with hex`);
      const { jsonPath, value } = valueText(rest, 0);
      if (!value)
        throw new ShellError('missing value (usage: update_binary_decoded JSON | --json-path PATH VALUE)');
      let doc: unknown = jsonOrText(value);
      if (jsonPath !== undefined) doc = setJsonPath(c.decode(await readBinary(ctx)), jsonPath, doc);
      await updateBinary(ctx, encodeWith(ef, c, doc, ef.size));
      return undefined;
    },
  },
  read_record: {
    usage: 'read_record RECORD_NR [COUNT]',
    help: 'READ RECORD (absolute), in hex',
    run: async (ctx, words) => {
      const nr = num(words[0], 'RECORD_NR');
      const count = num(words[1], 'COUNT', 1);
      const lines: string[] = [];
      for (let i = 0; i < count; i++) lines.push(`${nr + i}: ${toHex(await readRecord(ctx, nr + i))}`);
      return count === 1 ? lines[0]!.replace(/^\d+: /, '') : lines.join('\n');
    },
  },
  read_record_decoded: {
    usage: 'read_record_decoded RECORD_NR',
    help: 'READ RECORD, decoded to JSON by the EF codec',
    run: async (ctx, words) => {
      const ef = needEf(ctx, 'record');
      const data = await readRecord(ctx, num(words[0], 'RECORD_NR'));
      const c = codecOf(ef);
      if (!c) return noCodec(ef, data);
      const v = c.decode(data);
      return v === undefined ? `${ef.name}: empty or not a well-formed record; hex: ${toHex(data)}` : json(v);
    },
  },
  read_records: {
    usage: 'read_records',
    help: 'READ RECORD of every record, in hex',
    run: async (ctx) => {
      const ef = needEf(ctx, 'record');
      const lines: string[] = [];
      for (let i = 1; i <= (ef.recordCount ?? 0); i++) lines.push(`${i}: ${toHex(await readRecord(ctx, i))}`);
      return lines.join('\n');
    },
  },
  read_records_decoded: {
    usage: 'read_records_decoded',
    help: 'every record, decoded to JSON (null for empty records)',
    run: async (ctx) => {
      const ef = needEf(ctx, 'record');
      const c = codecOf(ef);
      const out: unknown[] = [];
      for (let i = 1; i <= (ef.recordCount ?? 0); i++) {
        const d = await readRecord(ctx, i);
        out.push(c ? (c.decode(d) ?? null) : toHex(d));
      }
      return c ? json(out) : `${ef.name} has no codec; records in hex:\n${json(out)}`;
    },
  },
  update_record: {
    usage: 'update_record RECORD_NR DATA',
    help: 'UPDATE RECORD (absolute; PREVIOUS for a cyclic EF) with hex DATA',
    run: async (ctx, words) => {
      await updateRecord(ctx, num(words[0], 'RECORD_NR'), hexArg(words.slice(1).join(''), 'DATA'));
      return undefined;
    },
  },
  update_record_decoded: {
    usage: 'update_record_decoded RECORD_NR JSON | --json-path PATH RECORD_NR VALUE',
    help: 'encode JSON with the EF codec and UPDATE RECORD',
    run: async (ctx, _w, rest) => {
      const ef = needEf(ctx, 'record');
      const c = codecOf(ef);
      if (!c) throw new ShellError(`${ef.name} has no codec; use update_record with hex`);
      const r = rest.trim().replace(/^--json-path(?:=|\s+)\S+\s*/, '');
      const nr = num(/^\S+/.exec(r)?.[0], 'RECORD_NR');
      const { jsonPath, value } = valueText(rest, 1);
      if (!value) throw new ShellError('missing value (usage: update_record_decoded RECORD_NR JSON)');
      let doc: unknown = jsonOrText(value);
      if (jsonPath !== undefined) doc = setJsonPath(c.decode(await readRecord(ctx, nr)), jsonPath, doc);
      await updateRecord(ctx, nr, encodeWith(ef, c, doc, ef.recordLength));
      return undefined;
    },
  },
  verify_chv: {
    usage: 'verify_chv [--pin-nr N] [PIN]',
    help: 'VERIFY PIN (without PIN: the retry counter); --pin-nr 1 = PIN1 (default), 0x81 = PIN2',
    run: async (ctx, words) => {
      const { opts, pos } = parseArgs(words);
      const ref = pinRef(opts.get('pin-nr'));
      if (pos[0] === undefined) {
        const r = await send(ctx, buildCommand(0x00, 0x20, 0x00, ref));
        const sw = swOf(r);
        if ((sw & 0xfff0) === 0x63c0) return `${sw & 0x0f} tries left`;
        return sw === 0x9000 ? 'verified (or disabled)' : swText(r);
      }
      return chv(ctx, 0x20, ref, pin(pos[0], 'PIN'), 'CHV verification');
    },
  },
  change_chv: {
    usage: 'change_chv [--pin-nr N] NEWPIN PIN',
    help: 'CHANGE PIN (new PIN first, as in pySim-shell)',
    run: async (ctx, words) => {
      const { opts, pos } = parseArgs(words);
      const data = concat(pin(pos[1], 'PIN'), pin(pos[0], 'NEWPIN'));
      return chv(ctx, 0x24, pinRef(opts.get('pin-nr')), data, 'CHV change');
    },
  },
  unblock_chv: {
    usage: 'unblock_chv [--pin-nr N] PUK NEWPIN',
    help: 'UNBLOCK PIN with the PUK',
    run: async (ctx, words) => {
      const { opts, pos } = parseArgs(words);
      const data = concat(pin(pos[0], 'PUK'), pin(pos[1], 'NEWPIN'));
      return chv(ctx, 0x2c, pinRef(opts.get('pin-nr')), data, 'CHV unblock');
    },
  },
  enable_chv: {
    usage: 'enable_chv [--pin-nr N] PIN',
    help: 'ENABLE PIN',
    run: async (ctx, words) => {
      const { opts, pos } = parseArgs(words);
      return chv(ctx, 0x28, pinRef(opts.get('pin-nr')), pin(pos[0], 'PIN'), 'CHV enable');
    },
  },
  disable_chv: {
    usage: 'disable_chv [--pin-nr N] PIN',
    help: 'DISABLE PIN',
    run: async (ctx, words) => {
      const { opts, pos } = parseArgs(words);
      return chv(ctx, 0x26, pinRef(opts.get('pin-nr')), pin(pos[0], 'PIN'), 'CHV disable');
    },
  },
  verify_adm: {
    usage: 'verify_adm ADM1',
    help: 'VERIFY ADM1: 8 digits (sent as ASCII) or 16 hex digits',
    run: async (ctx, words) => chv(ctx, 0x20, 0x0a, pin(words[0], 'ADM1'), 'ADM verification'),
  },
  apdu: {
    usage: 'apdu HEX',
    help: 'send one APDU as given (no GET RESPONSE); prints SW and response data',
    run: async (ctx, words) => {
      const c = hexArg(words.join(''), 'APDU');
      if (c.length < 4) throw new ShellError('an APDU has at least 4 bytes');
      const r = await ctx.transport.transmit(c);
      ctx.onExchange?.(c, r);
      const d = dataOf(r);
      return `SW: ${swHex(swOf(r))} (${swName(swOf(r))})${d.length ? `, RESP: ${toHex(d)}` : ''}`;
    },
  },
  export: {
    usage: 'export [--filename FILE]',
    help: 'the files under the current DF as a script `uicc run` replays to recreate their contents',
    run: async (ctx, words) => {
      const { opts } = parseArgs(words);
      const text = await exportScript(ctx, ctx.df);
      const file = opts.get('filename');
      if (!file) return text;
      try {
        writeFileSync(file, `${text}\n`);
      } catch (e) {
        throw new ShellError(`${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      return `exported ${pathOf(ctx.df)} to ${file} (${text.split('\n').length} lines)`;
    },
  },
  ...EUICC_SHELL_COMMANDS,
};

function describeNode(n: ShellNode): string {
  if (n.type !== 'EF') return n.type === 'ADF' && n.aid ? `${n.type} ${toHex(n.aid)}` : n.type;
  if (n.structure === 'linear-fixed' || n.structure === 'cyclic')
    return `${n.structure} ${n.recordCount ?? '?'} x ${n.recordLength ?? '?'} bytes`;
  return `${n.structure ?? '?'} ${n.size ?? '?'} bytes`;
}

function listing(df: ShellNode): string {
  const rows = df.children.map((c) => `${fidHex(c.fid)}  ${c.name.padEnd(20)} ${describeNode(c)}`);
  return [`${pathOf(df)}`, ...rows, `${df.children.length} files`].join('\n');
}

function treeText(n: ShellNode, depth: number): string[] {
  const line = `${'  '.repeat(depth)}${n.name.padEnd(Math.max(1, 24 - 2 * depth))} ${fidHex(n.fid)}  ${describeNode(n)}`;
  return [line, ...n.children.flatMap((c) => treeText(c, depth + 1))];
}

/** Read helpers for the export, on the node currently selected. */
export const fileOps = { readBinary, readRecord };
