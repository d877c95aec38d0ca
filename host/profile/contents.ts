// Initial contents of an EF from its profile entry: size or record layout, the fill pattern, and the
// contents written as hex, as raw records or as a readable value through the EF codec table.

import { type Bytes, concat } from '../../card-os/bytes.js';
import { fidHex } from '../../card-os/fs/model.js';
import { parseBer } from '../../card-os/tlv.js';
import { EF_CODECS, type EfCodec } from '../codecs/table.js';
import type { PathKey } from './error.js';
import type { EfDoc } from './schema.js';

export type Report = (path: PathKey[], problem: string) => void;

export interface EfLayout {
  size: number;
  recordLength?: number;
  recordCount?: number;
  initial: Bytes;
  /** Records given in the profile (record EFs), for checking access-rule references. */
  definedRecords?: number;
}

const normName = (n: string) => n.trim().toUpperCase();

/** TS 102 222 §6.3 fill patterns: `fill` repeats its last byte to the end, `repeat` repeats itself. */
function pattern(e: EfDoc, length: number): Bytes {
  const out = new Uint8Array(length).fill(0xff);
  const p = e.fill ?? e.repeat;
  if (!p) return out;
  for (let i = 0; i < length; i++) out[i] = e.fill ? p[Math.min(i, p.length - 1)]! : p[i % p.length]!;
  return out;
}

function tooSmall(size: number, needed: number): string {
  return `${size} is too small for the contents (${needed} bytes)`;
}

/** The codec for a readable value written on this EF; the key must belong to the EF (by name or FID). */
function codecFor(e: EfDoc, key: string, path: PathKey[], bad: Report): EfCodec | undefined {
  const candidates = EF_CODECS.filter((c) => c.key === key);
  // An application's codec (e.g. the ISIM's EF.IST, 6F07 like EF.IMSI) goes by name: its FID is not unique.
  const c = candidates.find(
    (x) => normName(x.name) === normName(e.name) || (!x.application && x.fid === e.fid),
  );
  if (!c) {
    const files = candidates.map((x) => `${x.name} (${fidHex(x.fid)})`).join(' or ');
    bad(path, `"${key}" contents are for ${files}, not ${e.name} (${fidHex(e.fid)})`);
  }
  return c;
}

function encode(run: () => Bytes, path: PathKey[], bad: Report): Bytes | undefined {
  try {
    return run();
  } catch (err) {
    bad(path, (err as Error).message);
    return undefined;
  }
}

/** Lays out an EF's contents; undefined when the entry lacks the sizes its structure needs. */
export function efLayout(e: EfDoc, path: PathKey[], bad: Report): EfLayout | undefined {
  const sources = [e.hex && 'hex', e.records && 'records', ...e.values.map((v) => v.key)].filter(Boolean);
  if (sources.length > 1) bad(path, `give the contents once, not as ${sources.join(' and ')}`);
  if (e.fill && e.repeat) bad([...path, 'repeat'], 'give fill or repeat, not both');
  const value = e.values[0];
  const codec = value && codecFor(e, value.key, [...path, value.key], bad);
  if (e.structure === 'linear-fixed' || e.structure === 'cyclic') {
    return recordLayout(e, path, bad, codec && value && { codec, key: value.key, value: value.value });
  }

  if (e.recordLength !== undefined) bad([...path, 'recordLength'], `not used for ${e.structure} files`);
  if (e.recordCount !== undefined) bad([...path, 'recordCount'], `not used for ${e.structure} files`);
  if (e.records) bad([...path, 'records'], `${e.structure} files have no records (use hex)`);
  if (e.size === undefined) {
    bad(path, 'size is required');
    return undefined;
  }
  const size = e.size;
  let content: Bytes | undefined = e.hex;
  if (codec && value) {
    if (codec.unit === 'record')
      bad([...path, value.key], `${codec.name} holds records, not a transparent file`);
    else content = encode(() => codec.encode(value.value, size), [...path, value.key], bad);
  }
  if (content && content.length > size) bad([...path, 'size'], tooSmall(size, content.length));
  if (e.structure === 'ber-tlv') {
    // TS 102 221 §11.3: the file holds BER-TLV objects; `size` is the space reserved for them.
    if (e.fill || e.repeat) bad([...path, e.fill ? 'fill' : 'repeat'], 'BER-TLV files have no fill pattern');
    const tlvs = content && parseBer(content);
    if (content && (!tlvs || tlvs.reduce((n, t) => n + t.length, 0) !== content.length)) {
      bad([...path, 'hex'], 'is not a list of BER-TLV objects');
    }
    return { size, initial: content ?? new Uint8Array(0) };
  }
  const initial = pattern(e, size);
  if (content && content.length <= size) initial.set(content);
  return { size, initial };
}

function recordLayout(
  e: EfDoc,
  path: PathKey[],
  bad: Report,
  written: { codec: EfCodec; key: string; value: unknown } | undefined,
): EfLayout | undefined {
  if (e.size !== undefined)
    bad([...path, 'size'], 'not used for record files (give recordLength and recordCount)');
  if (e.hex) bad([...path, 'hex'], 'record files take their contents as records');
  if (e.recordLength === undefined || e.recordCount === undefined) {
    bad(path, 'recordLength and recordCount are required');
    return undefined;
  }
  const len = e.recordLength;
  const count = e.recordCount;
  let recs: (Bytes | undefined)[] = e.records ?? [];
  let listKey = 'records';
  if (written) {
    listKey = written.key;
    if (written.codec.unit === 'file') {
      bad([...path, written.key], `${written.codec.name} is a transparent file, not records`);
      recs = [];
    } else {
      recs = (written.value as unknown[]).map((v, i) =>
        encode(() => written.codec.encode(v, len), [...path, written.key, i], bad),
      );
    }
  }
  if (recs.length > count)
    bad([...path, 'recordCount'], `${count} is too small for the ${recs.length} records given`);
  const records: Bytes[] = [];
  for (let i = 0; i < count; i++) {
    const r = pattern(e, len);
    const c = recs[i];
    if (c && c.length > len)
      bad([...path, listKey, i], `is ${c.length} bytes, longer than recordLength ${len}`);
    else if (c) r.set(c);
    records.push(r);
  }
  return {
    size: len * count,
    recordLength: len,
    recordCount: count,
    initial: concat(...records),
    definedRecords: recs.length,
  };
}
