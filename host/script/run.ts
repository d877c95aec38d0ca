// Runs a parsed APDU script against any transport and reports each exchange and each expectation.

import { dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { swHex, swName } from '../../card-os/sw.js';
import { buildNamed, NAMED } from '../commands.js';
import type { Transport } from '../transport/transport.js';
import { type Expectation, ScriptError, type Step, type Where } from './parse.js';

export interface ExchangeEvent {
  type: 'exchange';
  at: Where;
  step: string | undefined;
  command: Bytes;
  response: Bytes;
  sw: number;
  expected?: Expectation;
  /** Why the expectation failed; undefined when it passed or there was none. */
  failure?: string;
  ms: number;
}

export type ScriptEvent =
  | ExchangeEvent
  | { type: 'reset'; at: Where; atr: Bytes }
  | { type: 'step'; at: Where; name: string };

export interface ScriptResult {
  exchanges: number;
  passed: number;
  failed: number;
}

function expand(text: string, vars: Map<string, string>, at: Where): string {
  return text.replace(/\$\{([A-Za-z_]\w*)\}/g, (_, name: string) => {
    const v = vars.get(name);
    if (v === undefined)
      throw new ScriptError(at, `variable \${${name}} is not set (use @set ${name} VALUE or @save ${name})`);
    return v;
  });
}

/** Whether a line is meant as a hex APDU: its first word is hex and no command has that name. */
function looksHex(text: string): boolean {
  const first = text.split(/\s+/)[0] ?? '';
  return /^[0-9a-fA-F]{2}/.test(first) && !NAMED[first.toLowerCase()];
}

/**
 * The APDU of a script line (hex or a named command). `column` is where `text` starts in its source line
 * (1-based), so that a bad character is reported at its place.
 */
export function commandBytes(text: string, at: Where, column = 1): Bytes {
  if (looksHex(text)) {
    const bad = /[^0-9a-fA-F\s]/.exec(text);
    if (bad)
      throw new ScriptError(
        { ...at, column: column + bad.index },
        `"${bad[0]}" is not a hex digit in the APDU "${text}"`,
      );
    const clean = text.replace(/\s+/g, '');
    if (clean.length % 2) throw new ScriptError(at, `APDU has an odd number of hex digits: "${text}"`);
    const b = fromHex(clean);
    if (b.length < 4) throw new ScriptError(at, `APDU is shorter than 4 bytes: "${text}"`);
    return b;
  }
  try {
    return buildNamed(text.split(/\s+/));
  } catch (e) {
    throw new ScriptError(at, (e as Error).message);
  }
}

/** Checks a response against an expectation; returns the reason it fails, or undefined. */
export function check(exp: Expectation, resp: Bytes): string | undefined {
  const sw = swHex(swOf(resp));
  for (let i = 0; i < 4; i++) {
    const e = exp.sw[i]!;
    if (e !== 'X' && e !== sw[i]) return `expected SW ${exp.sw}, got ${sw} (${swName(swOf(resp))})`;
  }
  if (exp.data) {
    const d = dataOf(resp);
    const p = exp.data;
    const lenOk = exp.prefix ? d.length >= p.length : d.length === p.length;
    const bytesOk = lenOk && p.every((b, i) => b === null || b === d[i]);
    if (!bytesOk) {
      const want = p.map((b) => (b === null ? 'xx' : b.toString(16).padStart(2, '0').toUpperCase())).join('');
      return `expected data ${want}${exp.prefix ? '*' : ''}, got ${toHex(d) || '(none)'}`;
    }
  }
  return undefined;
}

export async function runScript(
  steps: Step[],
  transport: Transport,
  emit: (e: ScriptEvent) => void,
  vars: Map<string, string> = new Map(),
): Promise<ScriptResult> {
  let step: string | undefined;
  let last: Bytes = new Uint8Array(0);
  const res: ScriptResult = { exchanges: 0, passed: 0, failed: 0 };
  for (const s of steps) {
    switch (s.kind) {
      case 'exit':
        return res;
      case 'step':
        step = s.name;
        emit({ type: 'step', at: s.at, name: s.name });
        break;
      case 'set':
        vars.set(s.name, expand(s.value, vars, s.at));
        break;
      case 'save':
        vars.set(s.name, toHex(dataOf(last)));
        break;
      case 'reset':
        emit({ type: 'reset', at: s.at, atr: await transport.reset() });
        break;
      case 'apdu': {
        const command = commandBytes(expand(s.text, vars, s.at), s.at, s.text.includes('${') ? 1 : s.column);
        const t0 = performance.now();
        const response = await transport.transmit(command);
        const ms = performance.now() - t0;
        last = response;
        // Automatic variables: the last status word, its SW2 (the length after 61xx/6Cxx) and data.
        vars.set('SW', toHex(response.subarray(response.length - 2)));
        vars.set('SW2', toHex(response.subarray(response.length - 1)));
        vars.set('DATA', toHex(dataOf(response)));
        const failure = s.expect ? check(s.expect, response) : undefined;
        res.exchanges++;
        if (s.expect) failure ? res.failed++ : res.passed++;
        emit({
          type: 'exchange',
          at: s.at,
          step,
          command,
          response,
          sw: swOf(response),
          expected: s.expect,
          failure,
          ms,
        });
        break;
      }
    }
  }
  return res;
}
