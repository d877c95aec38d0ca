// `uicc shell` line by line: hex and named commands, automatic GET RESPONSE, decoded answers, errors.
import { describe, expect, it } from 'vitest';
import { openCard } from '../../host/card-factory.js';
import { shellLine } from '../../host/cli/shell.js';
import { ExchangeDecoder } from '../../host/decode/apdu.js';
import { contentDecoder } from '../../host/decode/content.js';
import { embeddedTransport } from '../../host/transport/embedded.js';

async function session(lines: string[], raw = false) {
  const t = embeddedTransport(openCard().card);
  const state = { raw, decoder: new ExchangeDecoder(contentDecoder) };
  const out: string[] = [];
  for (const l of lines)
    if ((await shellLine(l, t, state, (s) => out.push(s))) === 'exit') out.push('<exit>');
  return out.join('\n');
}

describe('uicc shell', () => {
  it('runs named commands, fetches 61xx data and decodes FCP and file contents', async () => {
    const out = await session(['select-usim', 'verify pin1 1234', 'select 6F07', 'read-binary 9', 'exit']);
    expect(out).toContain('GET RESPONSE');
    expect(out).toContain('FCP: ADF, FID 7FF0');
    expect(out).toContain('6F07: 001010123456789');
    expect(out.endsWith('<exit>')).toBe(true);
  });

  it('takes hex, keeps 61xx in raw mode, and says what is wrong with a bad line', async () => {
    const out = await session([
      'raw on',
      '00 A4 00 04 02 3F 00',
      'select',
      'read-binary x',
      'zz',
      'reset',
      'help',
    ]);
    expect(out).toContain('< 61 29');
    expect(out).not.toContain('> 00 C0');
    expect(out).toContain('missing file id or path (usage: select FID|PATH)');
    expect(out).toContain('length must be a number, got "x"');
    expect(out).toContain('unknown command "zz"');
    expect(out).toContain('ATR 3B');
    expect(out).toContain('read-binary [LEN] [OFFSET]'.replace('LEN', 'LENGTH'));
  });
});

describe('shell history', async () => {
  const { historyLine } = await import('../../host/cli/shell.js');
  it('keeps no PIN or key in the history file', () => {
    // The APDU as traces show it: secret bytes as "**" (host/trace/redact.ts, one rule for every output).
    expect(historyLine('verify adm1 3132333435363738')).toBe(`0020000A08${'**'.repeat(8)}`);
    expect(historyLine('change-pin pin1 1234 5678')).toBe(`0024000110${'**'.repeat(16)}`);
    expect(historyLine('00 20 00 01 08 31 32 33 34 FF FF FF FF')).toBe(`0020000108${'**'.repeat(8)}`);
    // A line that makes no APDU may be a mistyped command with a secret: only its first word is kept.
    expect(historyLine('verify pin1 12x4')).toBe('verify ***');
    expect(historyLine('raw on')).toBe('raw on');
    expect(historyLine('verify pin1')).toBe('verify pin1');
    expect(historyLine('select 6F07')).toBe('select 6F07');
  });
});
