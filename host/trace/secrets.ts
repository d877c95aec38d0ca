// Secret values for replaying masked commands (`uicc replay --secrets FILE`, docs/traces.md §Secrets).
// The file maps the names the trace gives its masked bytes to values:
//   pin1: "1234"                 # PIN: 4-8 digits, sent as the PIN block (ASCII digits, FF padding)
//   pin1#2: "9999"               # a second, different value masked as pin1 (e.g. a wrong PIN)
//   pin1.new: "4321"             # the new PIN of a CHANGE / UNBLOCK PIN (and later VERIFYs with it)
//   pin1.puk: "12345678"         # the PUK of an UNBLOCK PIN
//   adm1: "3838383838383838"     # any other value: hex bytes, exactly as many as were masked
// The values stay in memory; nothing here prints them.

import { parse } from 'yaml';
import { type Bytes, concat, fromHex } from '../../card-os/bytes.js';
import { pinBlock } from '../commands.js';
import { readInputFile } from '../input-file.js';
import type { Redaction } from './model.js';

export type Secrets = Map<string, Bytes>;

export class SecretsError extends Error {}

function value(name: string, v: unknown, file: string): Bytes {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string')
    throw new SecretsError(`${file}: ${name}: give the value as a string of digits or hex`);
  if (/^[0-9]{4,8}$/.test(s)) return pinBlock(s);
  const hex = s.replace(/\s+/g, '');
  if (/^([0-9a-fA-F]{2})+$/.test(hex)) return fromHex(hex);
  throw new SecretsError(`${file}: ${name}: not a PIN (4-8 digits) nor hex bytes`);
}

export function parseSecrets(text: string, file: string): Secrets {
  let doc: unknown;
  try {
    // Every scalar as text: a PIN like 0000 or a 16-digit key must not turn into a number.
    doc = parse(text, { schema: 'failsafe' });
  } catch (e) {
    throw new SecretsError(`${file}: not YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (doc === null || doc === undefined) return new Map();
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new SecretsError(`${file}: expected "name: value" lines, e.g. pin1: "1234"`);
  return new Map(Object.entries(doc).map(([k, v]) => [k, value(k, v, file)]));
}

export function loadSecrets(path: string): Secrets {
  let text: string;
  try {
    text = readInputFile(path, 'secrets');
  } catch (e) {
    throw new SecretsError((e as Error).message);
  }
  return parseSecrets(text, path);
}

export type Filled = { ok: true; command: Bytes } | { ok: false; missing: string[]; problem?: string };

/** The command with its masked bytes put back from `secrets`; or which secrets are missing. */
export function fillSecrets(command: Bytes, redactions: readonly Redaction[], secrets: Secrets): Filled {
  const own = redactions.filter((r) => r.in === 'command');
  if (own.length === 0) return { ok: true, command };
  const out = command.slice();
  const missing: string[] = [];
  for (const r of own) {
    const names = (r.secret ?? '').split('+').filter(Boolean);
    const parts = names.map((n) => secrets.get(n));
    const absent = names.filter((_, i) => !parts[i]);
    if (names.length === 0 || absent.length) {
      missing.push(...(names.length ? absent : [`(unnamed ${r.what})`]));
      continue;
    }
    const v = concat(...(parts as Bytes[]));
    if (v.length !== r.len)
      return {
        ok: false,
        missing,
        problem: `${names.join('+')} is ${r.len} bytes in the trace, the secrets file gives ${v.length}`,
      };
    out.set(v, r.at);
  }
  return missing.length ? { ok: false, missing } : { ok: true, command: out };
}
