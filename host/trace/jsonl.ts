// The transcript file: JSON Lines, one object per line (docs/traces.md §JSONL). The first line is the
// header ("type": "trace"); then exchanges, resets, notes and ignore rules in recording order. Masked
// bytes are written "**" in the hex and listed under "masked", so the file says what was hidden.

import { closeSync, openSync, writeSync } from 'node:fs';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { swHex } from '../../card-os/sw.js';
import { MAX_INPUT_BYTES, readInputBytes } from '../input-file.js';
import { compileRule, type IgnoreRule, ignoreRuleSchema } from './ignore.js';
import { MASK_BYTE, type Redaction, type RenderedEvent, type Trace, type TraceHeader } from './model.js';
import type { TraceSink } from './recorder.js';
import { maskedHex } from './render.js';

export const TRACE_FORMAT = 'uicc-trace/1';

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function headerLine(h: TraceHeader): string {
  return JSON.stringify({
    type: 'trace',
    format: TRACE_FORMAT,
    started: new Date(h.started).toISOString(),
    transport: h.transport,
    atr: h.atr ? toHex(h.atr) : undefined,
    tool: h.tool,
    profile: h.profile,
  });
}

export function eventLine(e: RenderedEvent): string {
  switch (e.kind) {
    case 'note':
      return JSON.stringify({ type: 'note', i: e.i, t: round3(e.t), text: e.text });
    case 'reset':
      return JSON.stringify({ type: 'reset', i: e.i, t: round3(e.t), atr: toHex(e.atr) });
    case 'exchange':
      return JSON.stringify({
        type: 'exchange',
        i: e.i,
        t: round3(e.t),
        // Not measured for in-process exchanges (they take well under a microsecond): omitted then.
        ms: Number.isNaN(e.ms) ? undefined : round3(e.ms),
        ch: e.channel,
        command: maskedHex(e.command, e.redactions, 'command'),
        response: maskedHex(e.response, e.redactions, 'response'),
        sw: swHex(e.sw),
        name: e.name,
        status: e.status,
        details: e.details.length ? e.details : undefined,
        masked: e.redactions.length ? e.redactions : undefined,
        origin: e.origin,
        offset: e.origin === undefined ? undefined : e.offset,
      });
  }
}

export function ruleLine(r: IgnoreRule): string {
  return JSON.stringify({ type: 'ignore', ...r });
}

// ---- reading ----

const hexMasked = lazySchema((z) =>
  z.string().regex(/^([0-9a-fA-F]{2}|\*\*)*$/, 'hex bytes, ** for masked ones'),
);

const redactionSchema = lazySchema((z) =>
  z.strictObject({
    in: z.enum(['command', 'response']),
    at: z.number().int().nonnegative(),
    len: z.number().int().positive(),
    what: z.string(),
    secret: z.string().optional(),
    digest: z.string().optional(),
  }),
);

const lineSchema = lazySchema((z) =>
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('trace'),
      format: z.string(),
      started: z.string(),
      transport: z.string(),
      atr: z.string().optional(),
      tool: z.string().optional(),
      profile: z.string().optional(),
    }),
    z.object({
      type: z.literal('exchange'),
      i: z.number().int(),
      t: z.number(),
      ms: z.number().default(0),
      ch: z.number().int().default(0),
      command: hexMasked,
      response: hexMasked,
      name: z.string().default(''),
      status: z.string().default(''),
      details: z.array(z.string()).default([]),
      masked: z.array(redactionSchema).default([]),
      origin: z.number().int().optional(),
      offset: z.number().int().optional(),
    }),
    z.object({ type: z.literal('reset'), i: z.number().int(), t: z.number(), atr: z.string() }),
    z.object({ type: z.literal('note'), i: z.number().int(), t: z.number(), text: z.string() }),
    ignoreRuleSchema.extend({ type: z.literal('ignore') }),
  ]),
);

/** Hex with "**" for masked bytes (written as MASK_BYTE). */
function maskedBytes(s: string): Bytes {
  return s.includes('*') ? fromHex(s.replace(/\*\*/g, toHex(Uint8Array.of(MASK_BYTE)))) : fromHex(s);
}

export class TraceFileError extends Error {}

export function parseTraceText(text: string, file: string): Trace {
  const lines = text.split(/\r?\n/);
  let header: TraceHeader | undefined;
  const events: RenderedEvent[] = [];
  const ignore: IgnoreRule[] = [];
  lines.forEach((raw, n) => {
    const where = `${file}:${n + 1}`;
    if (!raw.trim()) return;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      throw new TraceFileError(`${where}: not JSON (a trace has one JSON object per line)`);
    }
    const r = lineSchema.safeParse(obj);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new TraceFileError(`${where}: ${issue.path.join('.') || 'line'}: ${issue.message}`);
    }
    const v = r.data;
    if (!header && v.type !== 'trace')
      throw new TraceFileError(`${where}: a trace starts with its header line ("type": "trace")`);
    switch (v.type) {
      case 'trace':
        if (header) throw new TraceFileError(`${where}: a second header line`);
        if (v.format !== TRACE_FORMAT)
          throw new TraceFileError(`${where}: format "${v.format}" is not ${TRACE_FORMAT}`);
        header = {
          started: Date.parse(v.started),
          transport: v.transport,
          atr: v.atr ? fromHex(v.atr) : undefined,
          tool: v.tool,
          profile: v.profile,
        };
        break;
      case 'exchange': {
        const response = maskedBytes(v.response);
        if (response.length < 2) throw new TraceFileError(`${where}: a response has at least SW1 SW2`);
        const n2 = response.length;
        events.push({
          kind: 'exchange',
          i: v.i,
          t: v.t,
          ms: v.ms,
          channel: v.ch,
          command: maskedBytes(v.command),
          response,
          redactions: v.masked as Redaction[],
          name: v.name,
          sw: (response[n2 - 2]! << 8) | response[n2 - 1]!,
          status: v.status,
          details: v.details,
          origin: v.origin,
          offset: v.offset ?? 0,
        });
        break;
      }
      case 'reset':
        events.push({ kind: 'reset', i: v.i, t: v.t, atr: fromHex(v.atr) });
        break;
      case 'note':
        events.push({ kind: 'note', i: v.i, t: v.t, text: v.text });
        break;
      case 'ignore': {
        const { type: _, ...rule } = v;
        compileRule(rule, where);
        ignore.push(rule);
        break;
      }
    }
  });
  if (!header) throw new TraceFileError(`${file}: empty trace (no header line)`);
  return { header, events, ignore };
}

export function readTraceFile(path: string): Trace {
  let buf: Buffer;
  try {
    buf = readInputBytes(path, 'trace', 16 * MAX_INPUT_BYTES);
  } catch (e) {
    throw new TraceFileError((e as Error).message);
  }
  if (buf.length >= 4 && (buf.readUInt32LE(0) === 0xa1b2c3d4 || buf.readUInt32BE(0) === 0xa1b2c3d4))
    throw new TraceFileError(
      `${path}: a pcap file; replay and show read the JSONL trace (record with --trace FILE.jsonl)`,
    );
  return parseTraceText(buf.toString('utf8'), path);
}

// ---- writing ----

/** Writes the trace to `path` as JSON Lines (created or truncated when recording starts). */
export function jsonlFileSink(path: string): TraceSink {
  let fd: number | undefined;
  const put = (text: string) => {
    if (fd !== undefined && text) writeSync(fd, text);
  };
  return {
    begin(h) {
      fd = openSync(path, 'w');
      put(`${headerLine(h)}\n`);
    },
    write(batch) {
      let s = '';
      for (const e of batch) s += `${eventLine(e)}\n`;
      put(s);
    },
    rule(r) {
      put(`${ruleLine(r)}\n`);
    },
    end() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
