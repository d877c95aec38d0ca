// Access rules in expanded format, TS 102 221 §9.2.4 (EF.ARR records) and ISO/IEC 7816-4 §9.3.
// A record is a list of (access mode DO, security condition DO) pairs. We evaluate the rule for one
// operation against the set of verified key references.

import type { Bytes } from '../bytes.js';
import { parseBer, type Tlv } from '../tlv.js';

/** Operations, keyed by their access-mode bit for EFs (TS 102 221 Table 9.? / ISO 7816-4 Table 17). */
export const AM = {
  READ: 0x01, // READ, SEARCH
  UPDATE: 0x02, // UPDATE, ERASE
  WRITE: 0x04,
  DEACTIVATE: 0x08,
  ACTIVATE: 0x10,
  TERMINATE: 0x20,
  DELETE: 0x40,
} as const;

export type Condition =
  | { kind: 'always' }
  | { kind: 'never' }
  | { kind: 'key'; ref: number }
  | { kind: 'or'; of: Condition[] }
  | { kind: 'and'; of: Condition[] }
  /** None of `of` is satisfied. */
  | { kind: 'not'; of: Condition[] };

export interface Rule {
  /** AM byte (tag 80) or undefined for a command-header rule. */
  am?: number;
  /** Command-header rule (tags 81..8F): the INS it names, if any. */
  ins?: number;
  condition: Condition;
}

const NEVER: Condition = { kind: 'never' };

/**
 * Security condition DO templates, ISO/IEC 7816-4 §5.4.3.2 Table "Security condition data objects" (which
 * TS 102 221 §9.2.4 uses for EF.ARR): A0 OR template, A7 NOT template, AF AND template.
 */
export const SC_TEMPLATE = { 0xa0: 'or', 0xa7: 'not', 0xaf: 'and' } as const;

/** Nesting deeper than this is refused (fail closed) rather than recursed into. */
const MAX_DEPTH = 8;

function parseCondition(t: Tlv, depth = 0): Condition | undefined {
  switch (t.tag) {
    case 0x90:
      return t.value.length === 0 ? { kind: 'always' } : undefined;
    case 0x97:
      return NEVER;
    case 0xa4: {
      // Control reference template: 83 key reference, 95 usage qualifier.
      const inner = parseBer(t.value);
      const ref = inner?.find((x) => x.tag === 0x83);
      if (ref?.value.length !== 1) return undefined;
      return { kind: 'key', ref: ref.value[0]! };
    }
    case 0xa0:
    case 0xa7:
    case 0xaf: {
      // A template that is empty, too deep or holds anything unknown is not understood: the caller
      // counts it as "never", so a NOT around an unknown condition can never grant access.
      const inner = depth < MAX_DEPTH ? parseBer(t.value) : undefined;
      if (!inner?.length) return undefined;
      const of: Condition[] = [];
      for (const x of inner) {
        const c = parseCondition(x, depth + 1);
        if (!c) return undefined;
        of.push(c);
      }
      return { kind: SC_TEMPLATE[t.tag], of };
    }
    default:
      return undefined;
  }
}

/**
 * Parses one EF.ARR record: each access-mode DO (tag 80, or a command-header DO 81..8F) is followed by one or
 * more security-condition DOs, any one of which grants access (ISO/IEC 7816-4 §9.3.4, "OR" of the SC DOs
 * that follow an AM DO). Unknown or malformed conditions count as "never" (fail closed).
 */
export function parseArrRecord(rec: Bytes): Rule[] {
  const tlvs = parseBer(rec);
  if (!tlvs) return [];
  const rules: Rule[] = [];
  let current: { am?: number; ins?: number; conditions: Condition[] } | undefined;
  const close = () => {
    if (!current) return;
    const c = current.conditions;
    const condition: Condition = c.length === 0 ? NEVER : c.length === 1 ? c[0]! : { kind: 'or', of: c };
    rules.push(current.am !== undefined ? { am: current.am, condition } : { ins: current.ins, condition });
    current = undefined;
  };
  for (const t of tlvs) {
    if (t.tag === 0x80) {
      close();
      current = t.value.length === 1 ? { am: t.value[0]!, conditions: [] } : undefined;
    } else if (t.tag >= 0x81 && t.tag <= 0x8f) {
      close();
      // Command header description: the low nibble says which of CLA, INS, P1, P2 follow.
      const off = t.tag & 0x08 ? 1 : 0;
      current = { ins: t.tag & 0x04 ? t.value[off] : undefined, conditions: [] };
    } else if (current) {
      current.conditions.push(parseCondition(t) ?? NEVER);
    }
  }
  close();
  return rules;
}

const cache = new WeakMap<Bytes, Rule[][]>();

/**
 * Parsed rules of record `n` (1-based) of an EF.ARR content, cached on the content bytes: an update of the
 * EF.ARR stores new bytes, so the cache never serves stale rules, and cards sharing a template share it.
 */
export function rulesOf(content: Bytes, recordLength: number, n: number): Rule[] {
  let recs = cache.get(content);
  if (!recs) {
    recs = [];
    cache.set(content, recs);
  }
  let r = recs[n];
  if (!r) {
    r = parseArrRecord(content.subarray((n - 1) * recordLength, n * recordLength));
    recs[n] = r;
  }
  return r;
}

export function satisfied(c: Condition, has: (ref: number) => boolean): boolean {
  switch (c.kind) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'key':
      return has(c.ref);
    case 'or':
      return c.of.some((x) => satisfied(x, has));
    case 'and':
      return c.of.every((x) => satisfied(x, has));
    case 'not':
      return !c.of.some((x) => satisfied(x, has));
  }
}

/**
 * Whether an operation is allowed: a command-header rule for `ins` takes precedence; otherwise any AM
 * rule whose byte covers `am`. No matching rule means the operation is never allowed.
 */
export function allowed(
  rules: Rule[],
  am: number,
  ins: number | undefined,
  has: (ref: number) => boolean,
): boolean {
  if (ins !== undefined) {
    let found = false;
    for (const r of rules) {
      if (r.ins === ins) {
        found = true;
        if (satisfied(r.condition, has)) return true;
      }
    }
    if (found) return false;
  }
  for (const r of rules) {
    if (r.am !== undefined && (r.am & 0x80) === 0 && r.am & am && satisfied(r.condition, has)) return true;
  }
  return false;
}
