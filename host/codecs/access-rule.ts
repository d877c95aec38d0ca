// EF.ARR records in the expanded format, TS 102 221 §9.2.4 / ISO 7816-4 §9.3, as readable text:
//   "read: always, update: PIN1, activate: ADM1, deactivate: ADM1, delete: ADM1"
// A record is a list of access-mode DOs, each followed by the security-condition DO(s) that grant it.
//
// Access-mode DO 80 (one AM byte, b8 = 0), bits for an EF: b1 read/search, b2 update/erase,
// b3 write/append, b4 deactivate, b5 activate, b6 terminate, b7 delete (the file itself). For a DF the
// same bits mean b1 delete child, b2 create EF, b3 create DF (accepted as aliases on input).
// Command-header DO 84 (INS): e.g. 84 01 32 = INCREASE, 84 01 D4 = RESIZE FILE.
// Security conditions: 90 00 always, 97 00 never, A4 06 83 01 <key ref> 95 01 08 (user verification of
// that PIN/ADM key); several SC DOs after one AM DO, or an OR template A0, mean any of them; an AND
// template AF means all of them; a NOT template A7 means none of them (ISO/IEC 7816-4 §5.4.3.2, the SC DO
// tags TS 102 221 §9.2.4 uses; the card's evaluator reads the same table, card-os/security/arr.ts).
// Text: `PIN1|ADM1` any, `PIN1&ADM1` all, `!PIN2` not; `|` and `&` are not mixed without parentheses:
// `(PIN1&ADM1)|ADM2`, `ADM1&!(PIN1|PIN2)`.
//
// Encoding is canonical: AM bits with the same condition share one AM byte, AM DOs in ascending order of
// their AM byte, then command-header DOs in the order written. This reproduces the 14 standard rules of
// the TCA eUICC Profile Package templates (ARR_DEFINITION) byte for byte.

import type { Bytes } from '../../card-os/bytes.js';
import { ber, parseBer, type Tlv } from '../../card-os/tlv.js';
import { keyRefByName, keyRefInfo, keyRefName } from './key-ref.js';
import { scalar } from './values.js';

const AM_BITS: [string, number][] = [
  ['read', 0x01],
  ['update', 0x02],
  ['write', 0x04],
  ['activate', 0x10],
  ['deactivate', 0x08],
  ['terminate', 0x20],
  ['delete', 0x40],
];
const DF_ALIASES: Record<string, number> = { 'delete-child': 0x01, 'create-ef': 0x02, 'create-df': 0x04 };
const INS_NAMES: [string, number][] = [
  ['increase', 0x32],
  ['resize', 0xd4],
];

export type Condition =
  | { kind: 'always' }
  | { kind: 'never' }
  | { kind: 'key'; ref: number }
  | { kind: 'or' | 'and'; of: Condition[] }
  | { kind: 'not'; of: Condition };

export type Operation = { am: number } | { ins: number };

export interface RuleItem {
  op: Operation;
  cond: Condition;
}

function opName(op: Operation): string {
  if ('am' in op) return AM_BITS.find(([, b]) => b === op.am)![0];
  const named = INS_NAMES.find(([, i]) => i === op.ins);
  return named ? named[0] : `ins-${op.ins.toString(16).toUpperCase().padStart(2, '0')}`;
}

function parseOp(word: string): Operation {
  const w = word.toLowerCase();
  const am = AM_BITS.find(([n]) => n === w)?.[1] ?? DF_ALIASES[w];
  if (am !== undefined) return { am };
  const ins = INS_NAMES.find(([n]) => n === w)?.[1];
  if (ins !== undefined) return { ins };
  const m = /^ins-([0-9a-f]{2})$/.exec(w);
  if (m) return { ins: Number.parseInt(m[1]!, 16) };
  const known = [
    ...AM_BITS.map(([n]) => n),
    ...Object.keys(DF_ALIASES),
    ...INS_NAMES.map(([n]) => n),
    'ins-XX',
  ];
  throw new Error(`unknown operation "${word}" (one of: ${known.join(', ')})`);
}

const KEY_NAMES = 'always, never or a key name (PIN1..8, 2PIN1..8, UPIN, ADM1..10)';

/** Parses a condition: keys, always/never, `!x`, `(x)`, and one kind of `|` or `&` per parenthesis level. */
function parseCondition(text: string): Condition {
  const tokens = text.match(/\s*([()|&!]|[^()|&!\s]+)/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`"${text.trim()}": ${why}`);
  };
  const unary = (): Condition => {
    const t = tokens[i++];
    if (t === undefined) return fail('a condition is missing');
    if (t === '!') return { kind: 'not', of: unary() };
    if (t === '(') {
      const c = list();
      if (tokens[i++] !== ')') fail('a ")" is missing');
      return c;
    }
    if (t.toLowerCase() === 'always') return { kind: 'always' };
    if (t.toLowerCase() === 'never') return { kind: 'never' };
    const k = keyRefByName(t);
    if (!k) throw new Error(`"${t}" is not ${KEY_NAMES}`);
    return { kind: 'key', ref: k!.ref };
  };
  const list = (): Condition => {
    const of = [unary()];
    let op: string | undefined;
    while (tokens[i] === '|' || tokens[i] === '&') {
      if (op && tokens[i] !== op) fail('mixes | and & (use parentheses)');
      op = tokens[i++];
      of.push(unary());
    }
    return op ? { kind: op === '&' ? 'and' : 'or', of } : of[0]!;
  };
  const c = list();
  if (i < tokens.length) fail(`unexpected "${tokens[i]}"`);
  return c;
}

function conditionText(c: Condition, nested = false): string {
  switch (c.kind) {
    case 'always':
    case 'never':
      return c.kind;
    case 'key':
      return keyRefName(c.ref);
    case 'not':
      return `!${conditionText(c.of, true)}`;
    default: {
      const t = c.of.map((x) => conditionText(x, true)).join(c.kind === 'and' ? '&' : '|');
      return nested ? `(${t})` : t;
    }
  }
}

/** Parses rule text; throws with a readable reason. */
export function parseAccessRule(text: string): RuleItem[] {
  const items: RuleItem[] = [];
  const seen = new Map<string, string>();
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const colon = part.indexOf(':');
    if (colon < 0) throw new Error(`"${part.trim()}" should be "operation: condition"`);
    const word = part.slice(0, colon).trim();
    const op = parseOp(word);
    const key = 'am' in op ? `am${op.am}` : `ins${op.ins}`;
    const before = seen.get(key);
    if (before !== undefined) {
      throw new Error(
        before === word
          ? `"${word}" is given twice`
          : `"${before}" and "${word}" are the same access-mode bit`,
      );
    }
    seen.set(key, word);
    items.push({ op, cond: parseCondition(part.slice(colon + 1)) });
  }
  return items;
}

export function formatAccessRule(items: readonly RuleItem[]): string {
  const am = items.filter((i) => 'am' in i.op);
  const ordered = AM_BITS.flatMap(([, bit]) => am.filter((i) => 'am' in i.op && i.op.am === bit));
  return [...ordered, ...items.filter((i) => 'ins' in i.op)]
    .map((i) => `${opName(i.op)}: ${conditionText(i.cond)}`)
    .join(', ');
}

function collectRefs(c: Condition, out: Set<number>): void {
  if (c.kind === 'key') out.add(c.ref);
  else if (c.kind === 'not') collectRefs(c.of, out);
  else if (c.kind === 'or' || c.kind === 'and') for (const x of c.of) collectRefs(x, out);
}

/** Key references a rule needs (for checking that the profile defines them). */
export function accessRuleKeyRefs(items: readonly RuleItem[]): number[] {
  const out = new Set<number>();
  for (const i of items) collectRefs(i.cond, out);
  return [...out];
}

const crt = (ref: number) => ber(0xa4, ber(0x83, Uint8Array.of(ref)), ber(0x95, Uint8Array.of(0x08)));

/** Security condition DO templates, ISO/IEC 7816-4 §5.4.3.2 (TS 102 221 §9.2.4). */
const OR_TEMPLATE = 0xa0;
const NOT_TEMPLATE = 0xa7;
const AND_TEMPLATE = 0xaf;

/** One SC DO for a condition. */
function encodeOne(c: Condition): Bytes {
  switch (c.kind) {
    case 'always':
      return ber(0x90);
    case 'never':
      return ber(0x97);
    case 'key':
      return crt(c.ref);
    case 'not':
      return ber(NOT_TEMPLATE, encodeOne(c.of));
    default:
      return ber(c.kind === 'and' ? AND_TEMPLATE : OR_TEMPLATE, ...c.of.map(encodeOne));
  }
}

/** The SC DOs after an AM DO: a top-level OR is written as several SC DOs (any one grants), the usual form. */
function encodeCondition(c: Condition): Bytes[] {
  return c.kind === 'or' ? c.of.map(encodeOne) : [encodeOne(c)];
}

/** Encodes rule text (or parsed items) into an EF.ARR record, FF-padded to `length` if given. */
export function encodeAccessRule(rule: string | readonly RuleItem[], length?: number): Bytes {
  const items = typeof rule === 'string' ? parseAccessRule(rule) : rule;
  const groups = new Map<string, { am: number; cond: Condition }>();
  for (const i of items) {
    if (!('am' in i.op)) continue;
    const k = conditionText(i.cond);
    const g = groups.get(k);
    if (g) g.am |= i.op.am;
    else groups.set(k, { am: i.op.am, cond: i.cond });
  }
  const parts: Bytes[] = [];
  for (const g of [...groups.values()].sort((a, b) => a.am - b.am)) {
    parts.push(ber(0x80, Uint8Array.of(g.am)), ...encodeCondition(g.cond));
  }
  for (const i of items) {
    if ('ins' in i.op) parts.push(ber(0x84, Uint8Array.of(i.op.ins)), ...encodeCondition(i.cond));
  }
  const body = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(Math.max(length ?? body, body)).fill(0xff);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function decodeCrt(t: Tlv): number | undefined {
  const v = t.value;
  // Exactly 83 01 <ref> 95 01 08: key reference + usage qualifier "user verification".
  if (t.tag !== 0xa4 || v.length !== 6 || v[0] !== 0x83 || v[1] !== 0x01 || v[3] !== 0x95 || v[4] !== 0x01) {
    return undefined;
  }
  return v[5] === 0x08 && keyRefInfo(v[2]!) ? v[2] : undefined;
}

function decodeOne(t: Tlv, depth: number): Condition | undefined {
  if (t.tag === 0x90 && t.value.length === 0) return { kind: 'always' };
  if (t.tag === 0x97 && t.value.length === 0) return { kind: 'never' };
  if (t.tag === 0xa4) {
    const ref = decodeCrt(t);
    return ref === undefined ? undefined : { kind: 'key', ref };
  }
  if ((t.tag !== OR_TEMPLATE && t.tag !== AND_TEMPLATE && t.tag !== NOT_TEMPLATE) || depth > 8)
    return undefined;
  const inner = parseBer(t.value)?.map((x) => decodeOne(x, depth + 1));
  if (!inner?.length || inner.some((c) => c === undefined)) return undefined;
  const of = inner as Condition[];
  // A NOT template holding several SC DOs: none of them (the negation of their OR).
  if (t.tag === NOT_TEMPLATE) return { kind: 'not', of: of.length === 1 ? of[0]! : { kind: 'or', of } };
  if (of.length === 1) return of[0];
  return { kind: t.tag === AND_TEMPLATE ? 'and' : 'or', of };
}

function decodeConditions(scs: Tlv[]): Condition | undefined {
  const of = scs.map((t) => decodeOne(t, 0));
  if (!of.length || of.some((c) => c === undefined)) return undefined;
  return of.length === 1 ? of[0] : { kind: 'or', of: of as Condition[] };
}

/** Decodes an EF.ARR record into parsed items; undefined if it uses anything this text form cannot show. */
export function decodeAccessRuleItems(record: Bytes): RuleItem[] | undefined {
  const dos = parseBer(record);
  if (!dos) return undefined;
  const items: RuleItem[] = [];
  let used = 0;
  for (let i = 0; i < dos.length; ) {
    const am = dos[i]!;
    if ((am.tag !== 0x80 && am.tag !== 0x84) || am.value.length !== 1) return undefined;
    let j = i + 1;
    while (j < dos.length && (dos[j]!.tag < 0x80 || dos[j]!.tag > 0x8f)) j++;
    const cond = decodeConditions(dos.slice(i + 1, j));
    if (!cond) return undefined;
    const b = am.value[0]!;
    if (am.tag === 0x84) items.push({ op: { ins: b }, cond });
    else {
      if (b & 0x80 || b & used) return undefined;
      used |= b;
      for (const [, bit] of AM_BITS) if (b & bit) items.push({ op: { am: bit }, cond });
    }
    i = j;
  }
  return items.length ? items : undefined;
}

/** Decodes an EF.ARR record into rule text; undefined for an empty or unrepresentable record. */
export function decodeAccessRule(record: Bytes): string | undefined {
  const items = decodeAccessRuleItems(record);
  return items && formatAccessRule(items);
}

/** Profile value: rule text, checked here so that errors point at the record. */
export const accessRuleValue = scalar<string>((t) => {
  try {
    parseAccessRule(t);
    return { ok: t };
  } catch (e) {
    return { error: (e as Error).message };
  }
});
