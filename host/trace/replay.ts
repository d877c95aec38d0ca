// Replay and diff (docs/traces.md §Replay): send a trace's commands to a card, or line two traces up, and
// report each difference in response, status word (or command, between traces) with the meaning of both
// sides. Ignore rules (ignore.ts) take out what legitimately varies; masked keys compare by digest.

import { type Bytes, toHex } from '../../card-os/bytes.js';
import { swHex } from '../../card-os/sw.js';
import type { Transport } from '../transport/transport.js';
import {
  type CompiledRule,
  compileRule,
  differingBytes,
  type FieldMask,
  fieldMask,
  matches,
} from './ignore.js';
import type { Redaction, RenderedEvent, RenderedExchange, Trace } from './model.js';
import { maskedHex, TraceRenderer } from './render.js';
import { fillSecrets, type Secrets } from './secrets.js';

export interface Side {
  hex: string;
  status: string;
  details: string[];
}

export type DifferenceKind = 'response' | 'command' | 'atr' | 'not-sent' | 'missing' | 'extra';

export interface Difference {
  /** Event number in the recorded (first) trace; for `extra`, in the second. */
  i: number;
  kind: DifferenceKind;
  /** Command name, or "ATR". */
  name: string;
  /** What differs, in words: "SW 9000 -> 6A82", "response data bytes 8 of 9". */
  what: string[];
  expected?: Side;
  actual?: Side;
}

export interface DiffReport {
  /** Exchanges and resets compared. */
  compared: number;
  /** Of those, how many differed only where rules say to ignore. */
  ignored: number;
  differences: Difference[];
}

const ranges = (idx: number[]): string => {
  const out: string[] = [];
  for (let k = 0; k < idx.length; k++) {
    let j = k;
    while (j + 1 < idx.length && idx[j + 1] === idx[j]! + 1) j++;
    out.push(j > k ? `${idx[k]}-${idx[j]}` : `${idx[k]}`);
    k = j;
  }
  return out.join(', ');
};

function side(e: RenderedExchange): Side {
  return {
    hex: `${maskedHex(e.command, e.redactions, 'command')} -> ${maskedHex(e.response, e.redactions, 'response')}`,
    status: `${swHex(e.sw)} ${e.status}`,
    details: e.details,
  };
}

/** Masked response keys whose digests differ (both sides masked the same range). */
function digestDifferences(
  a: readonly Redaction[],
  b: readonly Redaction[],
  ignored: FieldMask,
  base: number,
): string[] {
  const out: string[] = [];
  for (const x of a) {
    if (x.in !== 'response' || !x.digest) continue;
    const y = b.find((r) => r.in === 'response' && r.at === x.at && r.len === x.len);
    let all = true;
    for (let n = (base + x.at) * 2; n < (base + x.at + x.len) * 2; n++) all &&= ignored(n);
    if (all) continue;
    if (!y) out.push(`${x.what}: masked in one, not the other`);
    else if (y.digest !== x.digest) out.push(`${x.what} differs (masked; digests ${x.digest} / ${y.digest})`);
  }
  return out;
}

export interface ExchangeComparison {
  what: string[];
  /** True when the bytes differ but every difference is covered by the rules. */
  ignored: boolean;
}

/**
 * Compares a recorded exchange with a new one. `origin` is the recorded command the response belongs
 * to (itself, or the command before a GET RESPONSE); rules match on it.
 */
export function compareExchange(
  exp: RenderedExchange,
  act: RenderedExchange,
  origin: Bytes,
  rules: readonly CompiledRule[],
  compareCommands: boolean,
): ExchangeComparison {
  const applied = rules.filter((r) => matches(r, origin));
  const what: string[] = [];
  const run = (masked: boolean) => {
    const m = (f: 'command' | 'response' | 'sw'): FieldMask => (masked ? fieldMask(applied, f) : () => false);
    const out: string[] = [];
    if (compareCommands) {
      const d = differingBytes(exp.command, act.command, m('command'));
      if (d.length) out.push(`command bytes ${ranges(d)} differ`);
    }
    const ed = exp.response.subarray(0, exp.response.length - 2);
    const ad = act.response.subarray(0, act.response.length - 2);
    const d = differingBytes(ed, ad, m('response'), exp.offset);
    if (d.length)
      out.push(
        ed.length !== ad.length
          ? `response data length ${ed.length} -> ${ad.length}`
          : `response data bytes ${ranges(d)} (of ${ed.length}) differ`,
      );
    out.push(...digestDifferences(exp.redactions, act.redactions, m('response'), exp.offset));
    if (differingBytes(exp.response.subarray(-2), act.response.subarray(-2), m('sw')).length)
      out.push(`SW ${swHex(exp.sw)} -> ${swHex(act.sw)}`);
    return out;
  };
  what.push(...run(true));
  return { what, ignored: what.length === 0 && run(false).length > 0 };
}

function atrRules(rules: readonly CompiledRule[]): FieldMask {
  return fieldMask(
    rules.filter((r) => r.match === 'ATR'),
    'response',
  );
}

function compareAtr(
  expected: Bytes,
  actual: Bytes,
  rules: readonly CompiledRule[],
): { what: string[]; ignored: boolean } {
  const d = differingBytes(expected, actual, atrRules(rules));
  if (d.length) return { what: [`ATR bytes ${ranges(d)} differ`], ignored: false };
  return { what: [], ignored: differingBytes(expected, actual, () => false).length > 0 };
}

const atrSide = (atr: Bytes): Side => ({ hex: toHex(atr), status: 'ATR', details: [] });

/** The rules a trace declares plus those from side files. */
export function traceRules(trace: Trace, extra: readonly CompiledRule[] = []): CompiledRule[] {
  return [...trace.ignore.map((r, n) => compileRule(r, `trace rule ${n + 1}`)), ...extra];
}

function originOf(e: RenderedExchange, byNumber: Map<number, RenderedEvent>): Bytes {
  const o = e.origin === undefined ? undefined : byNumber.get(e.origin);
  return o?.kind === 'exchange' ? o.command : e.command;
}

export interface ReplayOptions {
  rules: readonly CompiledRule[];
  secrets: Secrets;
  /** Called after each compared event (progress output). */
  onEvent?: (e: RenderedEvent, difference: Difference | undefined) => void;
}

/** Sends the recorded commands to `transport` in order and compares every answer. */
export async function replayTrace(
  trace: Trace,
  transport: Transport,
  opts: ReplayOptions,
): Promise<DiffReport> {
  const report: DiffReport = { compared: 0, ignored: 0, differences: [] };
  const byNumber = new Map(trace.events.map((e) => [e.i, e]));
  const renderer = new TraceRenderer();
  const secrets = new Map(opts.secrets);
  const t0 = performance.now();
  const note = (d: Difference | undefined, ignored: boolean, e: RenderedEvent) => {
    report.compared++;
    if (d) report.differences.push(d);
    else if (ignored) report.ignored++;
    opts.onEvent?.(e, d);
  };
  if (trace.header.atr) {
    const c = compareAtr(trace.header.atr, transport.atr(), opts.rules);
    const d: Difference | undefined = c.what.length
      ? {
          i: 0,
          kind: 'atr',
          name: 'ATR',
          what: c.what,
          expected: atrSide(trace.header.atr),
          actual: atrSide(transport.atr()),
        }
      : undefined;
    report.compared++;
    if (d) report.differences.push(d);
    else if (c.ignored) report.ignored++;
  }
  for (const e of trace.events) {
    if (e.kind === 'note') continue;
    if (e.kind === 'reset') {
      const atr = await transport.reset();
      renderer.render({ kind: 'reset', t: performance.now() - t0, atr });
      const c = compareAtr(e.atr, atr, opts.rules);
      note(
        c.what.length
          ? {
              i: e.i,
              kind: 'atr',
              name: 'reset',
              what: c.what,
              expected: atrSide(e.atr),
              actual: atrSide(atr),
            }
          : undefined,
        c.ignored,
        e,
      );
      continue;
    }
    const filled = fillSecrets(e.command, e.redactions, secrets);
    if (!filled.ok) {
      const why =
        filled.problem ?? `masked when recorded; give ${filled.missing.join(', ')} with --secrets FILE`;
      note(
        { i: e.i, kind: 'not-sent', name: e.name, what: [`not sent: ${why}`], expected: side(e) },
        false,
        e,
      );
      continue;
    }
    const start = performance.now();
    const response = await transport.transmit(filled.command);
    const act = renderer.render({
      kind: 'exchange',
      t: start - t0,
      ms: performance.now() - start,
      command: filled.command,
      response,
    });
    if (act.kind !== 'exchange') continue;
    const c = compareExchange(e, act, originOf(e, byNumber), opts.rules, false);
    note(
      c.what.length
        ? { i: e.i, kind: 'response', name: e.name, what: c.what, expected: side(e), actual: side(act) }
        : undefined,
      c.ignored,
      e,
    );
  }
  return report;
}

/** Lines up two recorded traces (exchanges and resets, in order) and compares commands and answers. */
export function diffTraces(a: Trace, b: Trace, rules: readonly CompiledRule[]): DiffReport {
  const report: DiffReport = { compared: 0, ignored: 0, differences: [] };
  const byNumber = new Map(a.events.map((e) => [e.i, e]));
  if (a.header.atr && b.header.atr) {
    report.compared++;
    const c = compareAtr(a.header.atr, b.header.atr, rules);
    if (c.what.length)
      report.differences.push({
        i: 0,
        kind: 'atr',
        name: 'ATR',
        what: c.what,
        expected: atrSide(a.header.atr),
        actual: atrSide(b.header.atr),
      });
    else if (c.ignored) report.ignored++;
  }
  const ea = a.events.filter((e) => e.kind !== 'note');
  const eb = b.events.filter((e) => e.kind !== 'note');
  for (let k = 0; k < Math.max(ea.length, eb.length); k++) {
    const x = ea[k];
    const y = eb[k];
    if (!x || !y) {
      const e = (x ?? y)!;
      const s = e.kind === 'exchange' ? side(e) : e.kind === 'reset' ? atrSide(e.atr) : undefined;
      const name = e.kind === 'exchange' ? e.name : 'reset';
      report.differences.push(
        x
          ? { i: e.i, kind: 'missing', name, what: ['recorded in the first trace only'], expected: s }
          : { i: e.i, kind: 'extra', name, what: ['recorded in the second trace only'], actual: s },
      );
      continue;
    }
    report.compared++;
    if (x.kind === 'reset' || y.kind === 'reset') {
      if (x.kind !== 'reset' || y.kind !== 'reset') {
        report.differences.push({
          i: x.i,
          kind: 'command',
          name: x.kind === 'exchange' ? x.name : 'reset',
          what: ['a reset in one trace, an exchange in the other'],
          expected: x.kind === 'exchange' ? side(x) : x.kind === 'reset' ? atrSide(x.atr) : undefined,
          actual: y.kind === 'exchange' ? side(y) : y.kind === 'reset' ? atrSide(y.atr) : undefined,
        });
        continue;
      }
      const c = compareAtr(x.atr, y.atr, rules);
      if (c.what.length)
        report.differences.push({
          i: x.i,
          kind: 'atr',
          name: 'reset',
          what: c.what,
          expected: atrSide(x.atr),
          actual: atrSide(y.atr),
        });
      else if (c.ignored) report.ignored++;
      continue;
    }
    if (x.kind !== 'exchange' || y.kind !== 'exchange') continue;
    const c = compareExchange(x, y, originOf(x, byNumber), rules, true);
    if (c.what.length)
      report.differences.push({
        i: x.i,
        kind: 'response',
        name: x.name,
        what: c.what,
        expected: side(x),
        actual: side(y),
      });
    else if (c.ignored) report.ignored++;
  }
  return report;
}
