// Ignore rules: which differences between a recorded exchange and a new one are legitimate (a fresh RAND,
// a random challenge, a counter). Declared in the trace or in a side file, never hard-coded
// (docs/traces.md §Ignore rules). A rule picks exchanges by their command and masks bytes:
//   match:    command pattern, hex digits with x for "any nibble", ending in * for "any further bytes";
//             or "ATR" for the answer to reset. A GET RESPONSE is matched by the command it belongs to.
//   command:  mask over the command bytes (only when two recorded traces are compared)
//   response: mask over the response data (without SW), counted from the start of the whole response
//             even when it comes in GET RESPONSE pieces
//   sw:       mask over the status word (4 nibbles)
// A mask has one character per nibble: "." compare, "x" ignore; a final "*" ignores everything after
// (length included). Bytes beyond a mask without "*" are compared. Spaces are for reading only.

import type { Bytes } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';

export interface IgnoreRule {
  /** Shown in reports, e.g. "fresh RAND". */
  name?: string;
  match: string;
  command?: string;
  response?: string;
  sw?: string;
}

export const ignoreRuleSchema = lazySchema((z) =>
  z.strictObject({
    name: z.string().optional(),
    match: z.string(),
    command: z.string().optional(),
    response: z.string().optional(),
    sw: z.string().optional(),
  }),
);

/** Per nibble: 0 = compare, 1 = ignore. `rest` applies after the last nibble. */
export interface Mask {
  nibbles: Uint8Array;
  rest: boolean;
}

export interface CompiledRule {
  rule: IgnoreRule;
  label: string;
  /** Pattern nibbles (value or -1 for any), or 'ATR'. */
  match: 'ATR' | { nibbles: Int8Array; open: boolean };
  command?: Mask;
  response?: Mask;
  sw?: Mask;
}

export class RuleError extends Error {}

function parseMatch(text: string, where: string): CompiledRule['match'] {
  const t = text.replace(/\s+/g, '');
  if (/^atr$/i.test(t)) return 'ATR';
  const open = t.endsWith('*');
  const body = open ? t.slice(0, -1) : t;
  if (!/^[0-9a-fA-FxX]*$/.test(body) || body.length % 2)
    throw new RuleError(
      `${where}: match must be hex bytes with x wildcards and an optional final *, or ATR; got "${text}"`,
    );
  if (body.length < 4) throw new RuleError(`${where}: match needs at least CLA and INS, got "${text}"`);
  const nibbles = Int8Array.from(body, (c) => (c === 'x' || c === 'X' ? -1 : Number.parseInt(c, 16)));
  return { nibbles, open };
}

export function parseMask(text: string, where: string, field: string, nibbleCount?: number): Mask {
  const t = text.replace(/\s+/g, '');
  const rest = t.endsWith('*');
  const body = rest ? t.slice(0, -1) : t;
  if (!/^[.xX]*$/.test(body))
    throw new RuleError(
      `${where}: ${field} mask takes "." (compare) and "x" (ignore) per nibble and a final *; got "${text}"`,
    );
  if (nibbleCount !== undefined ? body.length !== nibbleCount && !rest : body.length % 2)
    throw new RuleError(
      `${where}: ${field} mask must cover ${nibbleCount ? `${nibbleCount} nibbles` : 'whole bytes'}; got "${text}"`,
    );
  return { nibbles: Uint8Array.from(body, (c) => (c === '.' ? 0 : 1)), rest };
}

export function compileRule(rule: unknown, where: string): CompiledRule {
  const r = ignoreRuleSchema.safeParse(rule);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new RuleError(
      `${where}: ${issue.path.join('.') || 'rule'}: ${issue.message} (a rule has match, and command/response/sw masks)`,
    );
  }
  const v = r.data;
  if (v.command === undefined && v.response === undefined && v.sw === undefined)
    throw new RuleError(`${where}: the rule ignores nothing; give command, response or sw masks`);
  const label = v.name ?? v.match;
  return {
    rule: v,
    label,
    match: parseMatch(v.match, where),
    command: v.command === undefined ? undefined : parseMask(v.command, where, 'command'),
    response: v.response === undefined ? undefined : parseMask(v.response, where, 'response'),
    sw: v.sw === undefined ? undefined : parseMask(v.sw, where, 'sw', 4),
  };
}

/** Whether a rule picks this command (the originating one for GET RESPONSE pieces). */
export function matches(r: CompiledRule, command: Bytes): boolean {
  if (r.match === 'ATR') return false;
  const { nibbles, open } = r.match;
  if (open ? command.length * 2 < nibbles.length : command.length * 2 !== nibbles.length) return false;
  for (let i = 0; i < nibbles.length; i++) {
    const want = nibbles[i]!;
    if (want < 0) continue;
    const b = command[i >> 1]!;
    if ((i & 1 ? b & 0x0f : b >> 4) !== want) return false;
  }
  return true;
}

/** The nibbles (0..) of a mask ignores, as a function of the nibble index. */
function ignoredNibble(m: Mask | undefined, nibble: number): boolean {
  if (!m) return false;
  return nibble < m.nibbles.length ? m.nibbles[nibble] === 1 : m.rest;
}

/** Ignore-mask of several rules together for one field: a nibble is ignored if any rule ignores it. */
export type FieldMask = (nibble: number) => boolean;

export function fieldMask(rules: readonly CompiledRule[], field: 'command' | 'response' | 'sw'): FieldMask {
  const masks = rules.map((r) => r[field]).filter((m): m is Mask => m !== undefined);
  if (masks.length === 0) return () => false;
  return (n) => masks.some((m) => ignoredNibble(m, n));
}

/** Byte positions (offset by `base` bytes into the field) where a and b differ beyond the mask. */
export function differingBytes(a: Bytes, b: Bytes, ignored: FieldMask, base = 0): number[] {
  const out: number[] = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const hi = ignored((base + i) * 2);
    const lo = ignored((base + i) * 2 + 1);
    if (hi && lo) continue;
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) {
      out.push(i);
      continue;
    }
    const d = x ^ y;
    if ((!hi && d & 0xf0) || (!lo && d & 0x0f)) out.push(i);
  }
  return out;
}

/** Reads rules from a side file's parsed content: a list of rules, or { ignore: [rules] }. */
export function rulesFromDocument(doc: unknown, file: string): CompiledRule[] {
  const list = Array.isArray(doc) ? doc : (doc as { ignore?: unknown } | null)?.ignore;
  if (!Array.isArray(list))
    throw new RuleError(`${file}: expected a list of ignore rules (or "ignore:" with a list)`);
  return list.map((r, i) => compileRule(r, `${file}: rule ${i + 1}`));
}
