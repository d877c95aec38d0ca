// Human transcript of a script run (scriptor-like `>`/`<` lines, with meaning) and the JSON-lines form.

import { type Bytes, toHex } from '../../card-os/bytes.js';
import { swHex } from '../../card-os/sw.js';
import { ExchangeDecoder } from '../decode/apdu.js';
import { contentDecoder } from '../decode/content.js';
import type { ScriptEvent } from '../script/run.js';

const useColour = () => process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (useColour() ? `\u001b[${code}m${s}\u001b[0m` : s);
export const red = (s: string) => paint(31, s);
export const green = (s: string) => paint(32, s);
export const dim = (s: string) => paint(2, s);
export const bold = (s: string) => paint(1, s);

export const spaced = (b: Bytes) => toHex(b, ' ');

export function textPrinter(out: (line: string) => void = console.log): (e: ScriptEvent) => void {
  const dec = new ExchangeDecoder(contentDecoder);
  return (e) => {
    switch (e.type) {
      case 'step':
        out(bold(`== ${e.name}`) + dim(`  (${e.at.file}:${e.at.line})`));
        break;
      case 'reset':
        out(`reset: ATR ${spaced(e.atr)}`);
        break;
      case 'exchange': {
        const d = dec.describe(e.command, e.response);
        out(`> ${spaced(e.command)}` + dim(`  ${d.name}${d.channel ? ` [channel ${d.channel}]` : ''}`));
        out(`< ${spaced(e.response)}` + dim(`  ${d.status}`));
        for (const line of d.details) out(dim(`    ${line}`));
        if (e.failure) out(red(`FAIL ${e.at.file}:${e.at.line}: ${e.failure}`));
        else if (e.expected) out(green(`ok   => ${e.expected.text}`));
        break;
      }
    }
  };
}

export function jsonPrinter(out: (line: string) => void = console.log): (e: ScriptEvent) => void {
  const dec = new ExchangeDecoder(contentDecoder);
  return (e) => {
    if (e.type !== 'exchange') {
      out(
        JSON.stringify(
          e.type === 'reset'
            ? { type: 'reset', file: e.at.file, line: e.at.line, atr: toHex(e.atr) }
            : { type: 'step', file: e.at.file, line: e.at.line, name: e.name },
        ),
      );
      return;
    }
    const d = dec.describe(e.command, e.response);
    out(
      JSON.stringify({
        type: 'exchange',
        file: e.at.file,
        line: e.at.line,
        step: e.step,
        command: toHex(e.command),
        name: d.name,
        channel: d.channel,
        response: toHex(e.response),
        sw: swHex(e.sw),
        status: d.status,
        details: d.details,
        expected: e.expected?.text,
        ok: e.expected ? !e.failure : undefined,
        failure: e.failure,
        ms: Number(e.ms.toFixed(3)),
      }),
    );
  };
}
