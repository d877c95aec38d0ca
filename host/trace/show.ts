// `uicc trace show`: a trace for people. One line per exchange (number, time, channel, command name,
// command bytes, status word and its meaning); expanded, the full bytes and every decoded detail.
// Masked bytes show as ** in magenta.

import { toHex } from '../../card-os/bytes.js';
import { swHex } from '../../card-os/sw.js';
import type { RenderedEvent, RenderedExchange, Trace } from './model.js';
import { maskedHex } from './render.js';

export interface ShowOptions {
  colour: boolean;
  /** Expand every exchange. */
  all?: boolean;
  /** Event numbers to expand. */
  expand?: ReadonlySet<number>;
  /** Only exchanges whose status word is an error (not 90xx, 91xx, 61xx, 9Fxx, 62xx, 63xx). */
  errorsOnly?: boolean;
}

type Paint = (s: string) => string;

function palette(colour: boolean) {
  const p =
    (code: string): Paint =>
    (s) =>
      colour ? `\u001b[${code}m${s}\u001b[0m` : s;
  return {
    bold: p('1'),
    dim: p('2'),
    red: p('31'),
    green: p('32'),
    yellow: p('33'),
    magenta: p('35'),
    cyan: p('36'),
  };
}

/** Status word classes: success, warning (62xx/63xx), error. */
export function swClass(sw: number): 'ok' | 'warning' | 'error' {
  const sw1 = sw >> 8;
  if (sw1 === 0x90 || sw1 === 0x91 || sw1 === 0x61 || sw1 === 0x9f || sw1 === 0x92) return 'ok';
  if (sw1 === 0x62 || sw1 === 0x63) return 'warning';
  return 'error';
}

const MAX_INLINE = 24;

function spacedMasked(hex: string, c: ReturnType<typeof palette>): string {
  const bytes = hex.match(/../g) ?? [];
  return bytes.map((b) => (b === '**' ? c.magenta(b) : b)).join(' ');
}

function exchangeLines(e: RenderedExchange, expand: boolean, c: ReturnType<typeof palette>): string[] {
  const cmd = maskedHex(e.command, e.redactions, 'command');
  const resp = maskedHex(e.response, e.redactions, 'response');
  const paintSw = { ok: c.green, warning: c.yellow, error: c.red }[swClass(e.sw)];
  const cmdBytes = cmd.length / 2;
  const shown =
    cmdBytes > MAX_INLINE ? `${spacedMasked(cmd.slice(0, MAX_INLINE * 2), c)} …` : spacedMasked(cmd, c);
  const dataLen = e.response.length - 2;
  const head = [
    c.dim(`#${String(e.i).padStart(4)}`),
    c.dim(`${e.t.toFixed(3).padStart(10)} ms`),
    e.channel ? c.cyan(`ch${e.channel}`) : '   ',
    c.bold(e.name.padEnd(22)),
    shown,
    '->',
    dataLen > 0 ? c.dim(`${dataLen} bytes +`) : '',
    paintSw(swHex(e.sw)),
    c.dim(e.status),
  ]
    .filter(Boolean)
    .join(' ');
  const lines = [head];
  if (!expand) {
    // The first decoded detail still fits on the line people scan.
    if (e.details.length)
      lines[0] += c.dim(`  | ${e.details[0]}${e.details.length > 1 ? ` (+${e.details.length - 1})` : ''}`);
    return lines;
  }
  lines.push(`        > ${spacedMasked(cmd, c)}`);
  lines.push(`        < ${spacedMasked(resp, c)}`);
  if (e.origin !== undefined)
    lines.push(c.dim(`        continues the response of #${e.origin} at byte ${e.offset}`));
  if (!Number.isNaN(e.ms)) lines.push(c.dim(`        ${e.ms.toFixed(3)} ms`));
  for (const d of e.details) lines.push(`        ${d.startsWith('masked:') ? c.magenta(d) : d}`);
  return lines;
}

export function eventLines(e: RenderedEvent, opts: ShowOptions): string[] {
  const c = palette(opts.colour);
  switch (e.kind) {
    case 'note':
      return [c.cyan(`#${String(e.i).padStart(4)} ${e.t.toFixed(3).padStart(10)} ms  # ${e.text}`)];
    case 'reset':
      return [
        c.yellow(
          `#${String(e.i).padStart(4)} ${e.t.toFixed(3).padStart(10)} ms  reset, ATR ${toHex(e.atr, ' ')}`,
        ),
      ];
    case 'exchange':
      return exchangeLines(e, opts.all === true || opts.expand?.has(e.i) === true, c);
  }
}

export function showTrace(trace: Trace, opts: ShowOptions): string[] {
  const c = palette(opts.colour);
  const h = trace.header;
  const exchanges = trace.events.filter((e) => e.kind === 'exchange');
  const errors = exchanges.filter((e) => e.kind === 'exchange' && swClass(e.sw) === 'error').length;
  const out = [
    c.bold(
      `trace of ${h.transport}${h.profile ? ` (${h.profile})` : ''}, started ${new Date(h.started).toISOString()}`,
    ) +
      c.dim(
        `  ${exchanges.length} exchanges, ${errors} error status words${h.tool ? `, recorded by ${h.tool}` : ''}`,
      ),
  ];
  if (h.atr) out.push(c.dim(`ATR ${toHex(h.atr, ' ')}`));
  for (const r of trace.ignore) out.push(c.dim(`ignore rule: ${r.name ?? r.match} (match ${r.match})`));
  for (const e of trace.events) {
    if (opts.errorsOnly && (e.kind !== 'exchange' || swClass(e.sw) !== 'error')) continue;
    out.push(...eventLines(e, opts));
  }
  return out;
}
