// The AuC's subscriber records and their JSON file.
//
// File format (version 1):
//   { "version": 1, "subscribers": [ { "imsi": "001010000000001", "k": "<32 hex>", "opc": "<32 hex>"
//     (or "op"), "amf": "8000", "gsm": true, "sqn": { "indBits": 5, "seq": 0 },
//     "constants": { "r": [64, 0, 32, 64, 96], "c": ["<32 hex>" x5] } (optional) } ] }
// "seq" is SEQ_HE, the last SEQ handed out (TS 33.102 Annex C.1.1). Saving is atomic (temp file in the
// same directory, then rename) and the file is created mode 0600: it holds the operator's keys.
// Error messages name the file, the subscriber and the field, never a key value.

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { constantsProblem, type MilenageConstants } from '../../applets/aka/milenage.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';

export interface SubscriberRecord {
  imsi: string;
  k: Bytes;
  /** Exactly one of opc and op. */
  opc?: Bytes | undefined;
  op?: Bytes | undefined;
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
  if (!(r.k instanceof Uint8Array) || r.k.length !== 16) return 'k must be 16 bytes';
  if ((r.opc === undefined) === (r.op === undefined)) return 'exactly one of opc and op is needed';
  const second = r.opc ?? r.op;
  if (!(second instanceof Uint8Array) || second.length !== 16)
    return `${r.opc ? 'opc' : 'op'} must be 16 bytes`;
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

function recordFromJson(o: unknown): SubscriberRecord {
  if (!isObject(o)) throw new FieldError('must be an object');
  const k = hexField(o, 'k', 16);
  const hasOpc = o.opc !== undefined;
  if (hasOpc === (o.op !== undefined)) throw new FieldError('needs exactly one of opc and op');
  const second = hexField(o, hasOpc ? 'opc' : 'op', 16);
  const amf = hexField(o, 'amf', 2);
  const gsm = o.gsm ?? true;
  if (typeof gsm !== 'boolean') throw new FieldError('gsm must be true or false');
  const sqn = o.sqn ?? {};
  if (!isObject(sqn)) throw new FieldError('sqn must be an object with indBits and seq');
  const record: SubscriberRecord = {
    imsi: o.imsi as string,
    k,
    opc: hasOpc ? second : undefined,
    op: hasOpc ? undefined : second,
    amf,
    gsm,
    constants: o.constants === undefined ? undefined : constantsFromJson(o.constants),
    indBits: (sqn.indBits ?? 5) as number,
    seq: (sqn.seq ?? 0) as number,
  };
  const problem = recordProblem(record);
  if (problem) throw new FieldError(problem);
  return record;
}

function recordToJson(r: SubscriberRecord): Json {
  const o: Json = { imsi: r.imsi, k: toHex(r.k).toLowerCase() };
  if (r.opc) o.opc = toHex(r.opc).toLowerCase();
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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'read error';
    throw new Error(`${file}: cannot read (${code})`);
  }
  return parseSubscriberFile(text, file);
}

/** Writes the records atomically: a 0600 temp file in the same directory, fsync, then rename over `file`. */
export function saveSubscribers(file: string, records: readonly SubscriberRecord[]): void {
  const tmp = join(dirname(file), `.${randomBytes(6).toString('hex')}.subscribers.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, formatSubscriberFile(records));
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
