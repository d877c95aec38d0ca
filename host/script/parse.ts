// APDU script format (docs/script-format.md). A superset of pcsc-tools' scriptor files: hex APDU lines,
// `reset`, `exit`, `#` comments; plus expectations (`=> 9000`, `=> 61xx`, `=> 08 09 10 * 9000`), named
// commands (`select 6F07`), `@step`, `@include`, `@set` / `@save` variables (`${NAME}`).

import { dirname, resolve } from 'node:path';
import { readInputFile } from '../input-file.js';
import { checkCommand } from './check.js';

export interface Where {
  file: string;
  line: number;
  /** 1-based column, when the error is at one character. */
  column?: number;
}

export interface Expectation {
  /** Data pattern bytes; null entries are wildcards. Undefined: data not checked. */
  data?: (number | null)[];
  /** Data pattern is a prefix (ends with `*`). */
  prefix: boolean;
  /** SW pattern, 4 characters of hex or x. */
  sw: string;
  text: string;
}

export type Step =
  | { kind: 'apdu'; text: string; expect?: Expectation; at: Where; column: number }
  | { kind: 'reset'; at: Where }
  | { kind: 'exit'; at: Where }
  | { kind: 'step'; name: string; at: Where }
  | { kind: 'set'; name: string; value: string; at: Where }
  | { kind: 'save'; name: string; at: Where };

export class ScriptError extends Error {
  constructor(
    readonly at: Where,
    message: string,
  ) {
    super(`${at.file}:${at.line}${at.column ? `:${at.column}` : ''}: ${message}`);
    this.name = 'ScriptError';
  }
}

const SW_RE = /^[0-9a-fA-FxX]{4}$/;

/** Parses `=> [DATA] SW`. */
export function parseExpectation(text: string, at: Where): Expectation {
  const toks = text.trim().split(/\s+/).filter(Boolean);
  if (toks.length === 0)
    throw new ScriptError(at, 'empty expectation after "=>" (write e.g. "=> 9000" or "=> 61xx")');
  // The SW may be written as "90 00" or "9000".
  let sw = toks.pop()!;
  if (sw.length === 2 && toks.length > 0 && toks[toks.length - 1]!.length === 2) sw = toks.pop()! + sw;
  if (!SW_RE.test(sw))
    throw new ScriptError(
      at,
      `expected status word must be 4 hex digits or x (e.g. 9000, 61xx), got "${sw}"`,
    );
  if (toks.length === 0) return { prefix: false, sw: sw.toUpperCase(), text: text.trim() };
  let joined = toks.join('');
  let prefix = false;
  if (joined.endsWith('*')) {
    prefix = true;
    joined = joined.slice(0, -1);
  }
  if (joined.length % 2)
    throw new ScriptError(at, `expected data has an odd number of hex digits: "${toks.join(' ')}"`);
  const data: (number | null)[] = [];
  for (let i = 0; i < joined.length; i += 2) {
    const b = joined.slice(i, i + 2);
    if (/^(xx|\.\.)$/i.test(b)) data.push(null);
    else if (/^[0-9a-fA-F]{2}$/.test(b)) data.push(Number.parseInt(b, 16));
    else
      throw new ScriptError(
        at,
        `expected data must be hex bytes, xx or .. wildcards and a final *, got "${b}"`,
      );
  }
  return { data, prefix, sw: sw.toUpperCase(), text: text.trim() };
}

export function parseScriptText(text: string, file: string, seen: Set<string> = new Set()): Step[] {
  const steps: Step[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const at = { file, line: i + 1 };
    const line = raw.replace(/\s+$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) return;
    if (trimmed.startsWith('@')) {
      const m = /^@(\w[\w-]*)\s*(.*)$/.exec(trimmed);
      const [, dir, rest] = m ?? [];
      switch (dir) {
        case 'step':
          if (!rest) throw new ScriptError(at, '@step needs a name');
          steps.push({ kind: 'step', name: rest.replace(/^"(.*)"$/, '$1'), at });
          return;
        case 'set': {
          const s = /^([A-Za-z_]\w*)\s*=?\s*(.*)$/.exec(rest ?? '');
          if (!s) throw new ScriptError(at, '@set needs NAME VALUE, e.g. "@set PIN 1234"');
          steps.push({ kind: 'set', name: s[1]!, value: s[2]!, at });
          return;
        }
        case 'save': {
          if (!/^[A-Za-z_]\w*$/.test(rest ?? '')) throw new ScriptError(at, '@save needs a variable NAME');
          steps.push({ kind: 'save', name: rest!, at });
          return;
        }
        case 'include': {
          if (!rest) throw new ScriptError(at, '@include needs a file name');
          const target = resolve(dirname(file), rest.replace(/^"(.*)"$/, '$1'));
          if (seen.has(target))
            throw new ScriptError(at, `@include cycle: ${rest} is already being included`);
          let inc: string;
          try {
            inc = readInputFile(target, 'included script');
          } catch (e) {
            throw new ScriptError(at, `cannot include ${rest}: ${(e as Error).message}`);
          }
          steps.push(...parseScriptText(inc, target, new Set([...seen, target])));
          return;
        }
        default:
          throw new ScriptError(
            at,
            `unknown directive "@${dir ?? trimmed.slice(1)}" (known: @step, @set, @save, @include)`,
          );
      }
    }
    const lower = trimmed.toLowerCase();
    if (lower === 'reset') {
      steps.push({ kind: 'reset', at });
      return;
    }
    if (lower === 'exit' || lower === 'quit') {
      steps.push({ kind: 'exit', at });
      return;
    }
    // A trailing comment (`# ...`, `// ...`) may follow the APDU and its expectation.
    const body = trimmed.replace(/\s+(#|\/\/).*$/, '');
    const arrow = body.indexOf('=>');
    const cmd = (arrow >= 0 ? body.slice(0, arrow) : body).trim();
    if (!cmd) throw new ScriptError(at, 'expectation without a command');
    const expect = arrow >= 0 ? parseExpectation(body.slice(arrow + 2), at) : undefined;
    const column = line.indexOf(cmd) + 1;
    // Checked now, so that a typo on the last line fails before the first APDU is sent. Lines with
    // variables are built when they run (their values are known then); their hex digits are checked here.
    if (cmd.includes('${'))
      checkCommand(
        cmd.replace(/\$\{[A-Za-z_]\w*\}/g, (v) => ' '.repeat(v.length)),
        at,
        column,
        false,
      );
    else checkCommand(cmd, at, column, true);
    steps.push({ kind: 'apdu', text: cmd, expect, at, column });
  });
  return steps;
}

export function parseScriptFile(path: string): Step[] {
  const text = readInputFile(path, 'script');
  return parseScriptText(text, path, new Set([resolve(path)]));
}
