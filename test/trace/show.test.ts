import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../../host/trace/jsonl.js';
import { showTrace, swClass } from '../../host/trace/show.js';
import { READ_IMSI_SCRIPT, recordScript, tmp } from './helpers.js';

async function trace() {
  const file = join(tmp(), 's.jsonl');
  await recordScript(`${READ_IMSI_SCRIPT}\n00 B0 00 00 20`, [file]);
  return readTraceFile(file);
}

describe('trace show', () => {
  it('prints one line per exchange after the header, with name, bytes, SW and meaning', async () => {
    const lines = showTrace(await trace(), { colour: false });
    expect(lines[0]).toMatch(
      /^trace of embedded \(.*default-usim\.yaml\), started .* {2}7 exchanges, 1 error status words, recorded by test$/,
    );
    expect(lines[1]).toMatch(/^ATR 3B /);
    const ex = lines.slice(2);
    expect(ex).toHaveLength(7);
    expect(ex[2]).toMatch(
      /^# {3}3 +[0-9.]+ ms {5}VERIFY PIN +00 20 00 01 08 \*\* \*\* \*\* \*\* \*\* \*\* \*\* \*\* -> 9000 OK {2}\| masked: PIN block \[pin1\]$/,
    );
    expect(ex[5]).toMatch(/READ BINARY +00 B0 00 00 09 -> 9 bytes \+ 9000 OK {2}\| 6F07: 001010123456789$/);
    expect(ex[6]).toMatch(/READ BINARY +00 B0 00 00 20 -> 6C09 Wrong Le: 9 bytes available$/);
    for (const l of lines) expect(l).not.toContain('\u001b[');
  });

  it('expands chosen exchanges: full bytes, chain, time and every detail', async () => {
    const t = await trace();
    const lines = showTrace(t, { colour: false, expand: new Set([5]) });
    const at = lines.findIndex((l) => l.startsWith('#   5'));
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '        > 00 C0 00 00 19',
      expect.stringMatching(/^ {8}< 62 17 82 02 41 21 83 02 6F 07 .* 90 00$/),
      '        continues the response of #4 at byte 0',
      expect.stringMatching(/^ {8}[0-9.]+ ms$/),
    ]);
    expect(lines[at + 5]).toMatch(/FCP: EF, FID 6F07/);
    expect(showTrace(t, { colour: false, all: true }).length).toBeGreaterThan(lines.length);
  });

  it('colours on request, and filters error status words', async () => {
    const t = await trace();
    const coloured = showTrace(t, { colour: true });
    expect(coloured.some((l) => l.includes('\u001b[35m**\u001b[0m'))).toBe(true);
    expect(coloured.some((l) => l.includes('\u001b[31m6C09\u001b[0m'))).toBe(true);
    const errors = showTrace(t, { colour: false, errorsOnly: true });
    expect(errors.slice(2)).toHaveLength(1);
    expect(errors[2]).toContain('6C09');
  });

  it('classes status words', () => {
    expect([0x9000, 0x910b, 0x6120, 0x6282, 0x63c2, 0x6a82, 0x6c09].map(swClass)).toEqual([
      'ok',
      'ok',
      'ok',
      'warning',
      'warning',
      'error',
      'error',
    ]);
  });
});
