// The AuC's subscriber records and their JSON file.
//
// File format (version 1):
//   { "version": 1, "subscribers": [ { "imsi": "001010000000001", "k": "<32 hex>", "opc": "<32 hex>"
//     (or "op"), "amf": "8000", "gsm": true, "sqn": { "indBits": 5, "seq": 0 },
//     "constants": { "r": [64, 0, 32, 64, 96], "c": ["<32 hex>" x5] } (optional) } ] }
// A TUAK subscriber (TS 35.231) has "algorithm": "tuak", a K of 32 or 64 hex digits, "topc" (or "top") of 64,
// and optionally "tuak": { "mac": 64, "res": 64, "ck": 128, "ik": 128, "iterations": 1 } (bits; these are
// the defaults). A record without "algorithm" is Milenage.
// "seq" is SEQ_HE, the last SEQ handed out (TS 33.102 Annex C.1.1). Saving is atomic (temp file in the
// same directory, then rename) and the file is created mode 0600: it holds the operator's keys.
// Error messages name the file, the subscriber and the field, never a key value.

import { constantsProblem, type MilenageConstants } from '../../applets/aka/milenage.js';
import type { SubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { DEFAULT_TUAK_PARAMS, type TuakParams, tuakParamsProblem } from '../../applets/aka/tuak.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { writeFileDurably } from '../../card-os/image.js';
import { readInputFile } from '../input-file.js';

export interface SubscriberRecord {
  imsi: string;
  /** Absent: Milenage. */
  algorithm?: 'milenage' | 'tuak' | undefined;
  /** Milenage: 16 bytes; TUAK: 16 or 32. */
  k: Bytes;
  /** Milenage: exactly one of opc and op. */
  opc?: Bytes | undefined;
  op?: Bytes | undefined;
  /** TUAK: exactly one of topc and top (32 bytes each). */
  topc?: Bytes | undefined;
  top?: Bytes | undefined;
  /** TUAK output lengths and iterations; absent: DEFAULT_TUAK_PARAMS. */
  tuak?: TuakParams | undefined;
  /** AMF put in every AUTN (2 bytes). */
  amf: Bytes;
  /** GSM access (service n°27): vectors carry Kc and GSM triplets may be issued. */
  gsm: boolean;
  /** Absent: the standard TS 35.206 constants. */
  constants?: MilenageConstants | undefined;
  /** IND length in bits; must match the card's (Annex C.1.2). */
  indBits: number;
  /** SEQ_HE: the last SEQ used for this subscriber (Annex C.1.1). */
  seq: number;
}

const FORMAT_VERSION = 1;
const MAX_IND_BITS = 10;

/** Returns the first problem of a record as "field: what is wrong", or undefined. */
export function recordProblem(r: SubscriberRecord): string | undefined {
  if (typeof r.imsi !== 'string' || !/^[0-9]{6,15}$/.test(r.imsi))
    return 'imsi must be 6 to 15 decimal digits';
  const keyProblem = keyFieldsProblem(r);
  if (keyProblem) return keyProblem;
  if (!(r.amf instanceof Uint8Array) || r.amf.length !== 2) return 'amf must be 2 bytes';
  if (typeof r.gsm !== 'boolean') return 'gsm must be true or false';
  if (!Number.isInteger(r.indBits) || r.indBits < 0 || r.indBits > MAX_IND_BITS) {
    return `sqn.indBits must be an integer 0..${MAX_IND_BITS}`;
  }
  if (!Number.isInteger(r.seq) || r.seq < 0 || r.seq >= 2 ** (48 - r.indBits)) {
    return `sqn.seq must be an integer 0..2^${48 - r.indBits} - 1`;
  }
  if (r.constants) {
    const problem = constantsProblem(r.constants);
    if (problem) return `constants: ${problem}`;
  }
  return undefined;
}

/** The key fields of each algorithm: K lengths, the operator variant pair and its length, foreign fields. */
const KEY_FIELDS = {
  milenage: { k: [16], pair: ['opc', 'op'], length: 16, foreign: ['topc', 'top', 'tuak'] },
  tuak: { k: [16, 32], pair: ['topc', 'top'], length: 32, foreign: ['opc', 'op', 'constants'] },
} as const;

function keyFieldsProblem(r: SubscriberRecord): string | undefined {
  const algorithm = r.algorithm ?? 'milenage';
  const f = KEY_FIELDS[algorithm];
  if (!f) return 'algorithm must be milenage or tuak';
  if (!(r.k instanceof Uint8Array) || !(f.k as readonly number[]).includes(r.k.length))
    return `k must be ${f.k.join(' or ')} bytes`;
  const stray = f.foreign.find((name) => r[name] !== undefined);
  if (stray) return `${stray} does not belong to algorithm ${algorithm}`;
  const [first, other] = f.pair;
  if ((r[first] === undefined) === (r[other] === undefined))
    return `exactly one of ${first} and ${other} is needed`;
  const name = r[first] !== undefined ? first : other;
  const second = r[name];
  if (!(second instanceof Uint8Array) || second.length !== f.length)
    return `${name} must be ${f.length} bytes`;
  if (algorithm !== 'tuak') return undefined;
  const p = tuakParamsProblem(r.tuak ?? DEFAULT_TUAK_PARAMS);
  return p ? `tuak: ${p}` : undefined;
}

/** The card-side key record a subscriber record stands for (the AuC runs the same algorithm code). */
export function subscriberKeysOf(r: SubscriberRecord): SubscriberKeys {
  if (r.algorithm === 'tuak') {
    const tuak = r.tuak ?? DEFAULT_TUAK_PARAMS;
    return r.topc
      ? { algorithm: 'tuak', k: r.k, topc: r.topc, tuak }
      : { algorithm: 'tuak', k: r.k, top: r.top!, tuak };
  }
  return r.opc
    ? { algorithm: 'milenage', k: r.k, opc: r.opc, constants: r.constants }
    : { algorithm: 'milenage', k: r.k, op: r.op!, constants: r.constants };
}

// ---- JSON ---------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a hex field of `len` bytes; the thrown message never contains the value. */
function hexField(o: Json, name: string, len: number): Bytes {
  const v = o[name];
  if (typeof v !== 'string' || v.length !== 2 * len || !/^[0-9a-fA-F]*$/.test(v)) {
    throw new FieldError(`${name} must be ${2 * len} hex digits`);
  }
  return fromHex(v);
}

class FieldError extends Error {}

function constantsFromJson(v: unknown): MilenageConstants {
  if (!isObject(v)) throw new FieldError('constants must be an object with r and c');
  const { r, c } = v;
  if (!Array.isArray(r) || r.length !== 5 || !r.every((x) => Number.isInteger(x) && x >= 0 && x <= 127)) {
    throw new FieldError('constants.r must be 5 integers 0..127');
  }
  if (!Array.isArray(c) || c.length !== 5) throw new FieldError('constants.c must be 5 hex strings');
  const cs = c.map((x, i) => {
    if (typeof x !== 'string' || !/^[0-9a-fA-F]{32}$/.test(x))
      throw new FieldError(`constants.c${i + 1} must be 32 hex digits`);
    return fromHex(x);
  });
  return { r: r as [number, number, number, number, number], c: cs as [Bytes, Bytes, Bytes, Bytes, Bytes] };
}

/** Hex field of one of the given byte lengths; the thrown message never contains the value. */
function hexFieldOf(o: Json, name: string, lens: number[]): Bytes {
  const v = o[name];
  if (typeof v === 'string' && lens.some((n) => v.length === 2 * n) && /^[0-9a-fA-F]*$/.test(v))
    return fromHex(v);
  throw new FieldError(`${name} must be ${lens.map((n) => 2 * n).join(' or ')} hex digits`);
}

const TUAK_FIELDS = ['mac', 'res', 'ck', 'ik', 'iterations'] as const;

function tuakFromJson(v: unknown): TuakParams {
  if (v === undefined) return DEFAULT_TUAK_PARAMS;
  if (!isObject(v)) throw new FieldError('tuak must be an object with mac, res, ck, ik and iterations');
  const unknown = Object.keys(v).find((key) => !(TUAK_FIELDS as readonly string[]).includes(key));
  if (unknown) throw new FieldError(`tuak.${unknown} is not a TUAK parameter`);
  const p = { ...DEFAULT_TUAK_PARAMS, ...v } as TuakParams;
  const problem = tuakParamsProblem(p);
  if (problem) throw new FieldError(`tuak: ${problem}`);
  return p;
}

function recordFromJson(o: unknown): SubscriberRecord {
  if (!isObject(o)) throw new FieldError('must be an object');
  const algorithm = o.algorithm ?? 'milenage';
  if (algorithm !== 'milenage' && algorithm !== 'tuak')
    throw new FieldError('algorithm must be milenage or tuak');
  const tuak = algorithm === 'tuak';
  const k = tuak ? hexFieldOf(o, 'k', [16, 32]) : hexField(o, 'k', 16);
  const [first, other] = tuak ? (['topc', 'top'] as const) : (['opc', 'op'] as const);
  for (const stray of tuak ? ['opc', 'op'] : ['topc', 'top'])
    if (o[stray] !== undefined) throw new FieldError(`${stray} does not belong to algorithm ${algorithm}`);
  const hasFirst = o[first] !== undefined;
  if (hasFirst === (o[other] !== undefined))
    throw new FieldError(`needs exactly one of ${first} and ${other}`);
  const second = hexField(o, hasFirst ? first : other, tuak ? 32 : 16);
  const amf = hexField(o, 'amf', 2);
  const gsm = o.gsm ?? true;
  if (typeof gsm !== 'boolean') throw new FieldError('gsm must be true or false');
  const sqn = o.sqn ?? {};
  if (!isObject(sqn)) throw new FieldError('sqn must be an object with indBits and seq');
  if (!tuak && o.tuak !== undefined) throw new FieldError('tuak belongs to algorithm tuak');
  const record: SubscriberRecord = {
    imsi: o.imsi as string,
    k,
    amf,
    gsm,
    indBits: (sqn.indBits ?? 5) as number,
    seq: (sqn.seq ?? 0) as number,
  };
  if (tuak) {
    record.algorithm = 'tuak';
    record[hasFirst ? 'topc' : 'top'] = second;
    record.tuak = tuakFromJson(o.tuak);
    if (o.constants !== undefined) throw new FieldError('constants belong to algorithm milenage');
  } else {
    record[hasFirst ? 'opc' : 'op'] = second;
    record.constants = o.constants === undefined ? undefined : constantsFromJson(o.constants);
  }
  const problem = recordProblem(record);
  if (problem) throw new FieldError(problem);
  return record;
}

function recordToJson(r: SubscriberRecord): Json {
  const o: Json = { imsi: r.imsi };
  if (r.algorithm === 'tuak') o.algorithm = 'tuak';
  o.k = toHex(r.k).toLowerCase();
  if (r.algorithm === 'tuak') {
    if (r.topc) o.topc = toHex(r.topc).toLowerCase();
    else o.top = toHex(r.top!).toLowerCase();
    o.tuak = { ...(r.tuak ?? DEFAULT_TUAK_PARAMS) };
  } else if (r.opc) o.opc = toHex(r.opc).toLowerCase();
  else o.op = toHex(r.op!).toLowerCase();
  o.amf = toHex(r.amf).toLowerCase();
  o.gsm = r.gsm;
  o.sqn = { indBits: r.indBits, seq: r.seq };
  if (r.constants)
    o.constants = { r: [...r.constants.r], c: r.constants.c.map((c) => toHex(c).toLowerCase()) };
  return o;
}

/**
 * Where JSON.parse stopped, as " (line L, column C)", when V8 says so. Its message itself is never
 * passed on: some forms quote the surrounding text, which may be a key.
 */
function jsonPosition(text: string, err: unknown): string {
  const m = /at position (\d+)/.exec(err instanceof Error ? err.message : '');
  if (!m) return '';
  const before = text.slice(0, Number(m[1])).split('\n');
  return ` (line ${before.length}, column ${before[before.length - 1]!.length + 1})`;
}

/** Decodes the file's text; `file` is only used to name it in error messages. */
export function parseSubscriberFile(text: string, file: string): SubscriberRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON${jsonPosition(text, e)}`);
  }
  if (!isObject(doc) || doc.version !== FORMAT_VERSION || !Array.isArray(doc.subscribers)) {
    throw new Error(
      `${file}: expected an object with "version": ${FORMAT_VERSION} and a "subscribers" array`,
    );
  }
  const seen = new Set<string>();
  return doc.subscribers.map((o: unknown, i: number) => {
    const imsi =
      isObject(o) && typeof o.imsi === 'string' && /^[0-9]{1,15}$/.test(o.imsi) ? o.imsi : undefined;
    const where = `${file}: subscriber ${i + 1}${imsi ? ` (imsi ${imsi})` : ''}`;
    let record: SubscriberRecord;
    try {
      record = recordFromJson(o);
    } catch (e) {
      if (e instanceof FieldError) throw new Error(`${where}: ${e.message}`);
      throw e;
    }
    if (seen.has(record.imsi)) throw new Error(`${where}: duplicate imsi`);
    seen.add(record.imsi);
    return record;
  });
}

export function formatSubscriberFile(records: readonly SubscriberRecord[]): string {
  return `${JSON.stringify({ version: FORMAT_VERSION, subscribers: records.map(recordToJson) }, null, 2)}\n`;
}

/** Reads and validates a subscriber file. Throws an Error naming the file and the problem. */
export function loadSubscribers(file: string): SubscriberRecord[] {
  return parseSubscriberFile(readInputFile(file, 'subscriber file'), file);
}

/**
 * Writes the records durably and atomically (card-os/image.ts writeFileDurably: every write's count checked,
 * fsync of the file and its folder, rename): a full disk leaves the previous file and an error naming it.
 */
export function saveSubscribers(file: string, records: readonly SubscriberRecord[]): void {
  writeFileDurably(file, formatSubscriberFile(records), 'subscriber file');
}
