// `uicc profile show`: the compiled profile as a readable tree — FID, name, structure, size, SFI, access
// rule and the decoded contents where a codec exists. Secrets (K, OP/OPc, OTA keys, PIN and PUK values,
// private keys) are never printed: they show as "(set)".

import { type Bytes, toHex } from '../../card-os/bytes.js';
import { type FileSpec, fidHex, LCSI } from '../../card-os/fs/model.js';
import { decodeAccessRule } from '../codecs/access-rule.js';
import { keyRefName } from '../codecs/key-ref.js';
import { applicationCodecFor, codecFor, formatValue } from '../codecs/table.js';
import { describeAtr, parseAtr } from './atr.js';
import type { CompiledProfile } from './compile.js';

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
const LCS_NAMES: Record<number, string> = {
  [LCSI.CREATION]: 'creation',
  [LCSI.INITIALISATION]: 'initialisation',
  [LCSI.DEACTIVATED]: 'deactivated',
  [LCSI.TERMINATED]: 'terminated',
};
const MAX_HEX = 16;

function shortHex(b: Bytes): string {
  return b.length > MAX_HEX ? `${toHex(b.subarray(0, MAX_HEX))}… (${b.length} bytes)` : toHex(b);
}

function header(f: FileSpec): string {
  const parts = [`${fidHex(f.fid)} ${f.name}`];
  if (f.aid) parts.push(`AID ${toHex(f.aid)}`);
  if (f.type === 'EF') {
    if (f.structure === 'linear-fixed' || f.structure === 'cyclic') {
      parts.push(`${f.structure} ${f.recordCount}×${f.recordLength}`);
    } else parts.push(`${f.structure} ${f.size}`);
    parts.push(f.sfi !== undefined ? `SFI ${hex2(f.sfi)}` : 'no SFI');
  }
  if (f.arr) parts.push(`ARR ${fidHex(f.arr.fid)}#${f.arr.record}`);
  if (f.type !== 'EF' && f.pinRefs?.length) parts.push(`PINs ${f.pinRefs.map(hex2).join(' ')}`);
  if (!f.shareable) parts.push('not shareable');
  const lcs = LCS_NAMES[f.lcsi];
  if (lcs) parts.push(lcs);
  return parts.join('  ');
}

/** Lines describing an EF's initial contents. */
function contents(f: FileSpec): string[] {
  const codec = applicationCodecFor(f) ?? codecFor(f.name) ?? codecFor(f.fid);
  if (f.structure === 'linear-fixed' || f.structure === 'cyclic') {
    const n = f.recordLength ?? 0;
    const records = Array.from({ length: f.recordCount ?? 0 }, (_, i) =>
      f.initial.subarray(i * n, (i + 1) * n),
    );
    if (codec?.unit === 'record') {
      const label = codec.key === 'rules' ? 'rule' : 'record';
      return records.flatMap((r, i) => {
        if (r.every((b) => b === 0xff)) return [];
        const v = codec.key === 'rules' ? decodeAccessRule(r) : codec.decode(r);
        return [
          `${label} ${i + 1}: ${v === undefined ? shortHex(r) : typeof v === 'string' ? v : formatValue(v)}`,
        ];
      });
    }
    const first = records[0];
    if (first && records.every((r) => toHex(r) === toHex(first)))
      return [`${records.length} × ${shortHex(first)}`];
    return records.map((r, i) => `record ${i + 1}: ${shortHex(r)}`);
  }
  if (codec?.unit === 'file') {
    const v = codec.decode(f.initial);
    if (v !== undefined) return [`= ${formatValue(v)}`];
  }
  return f.initial.length ? [shortHex(f.initial)] : [];
}

function tree(f: FileSpec, prefix: string, childPrefix: string, out: string[]): void {
  out.push(prefix + header(f));
  if (f.type === 'EF') for (const line of contents(f)) out.push(`${childPrefix}    ${line}`);
  f.children.forEach((c, i) => {
    const last = i === f.children.length - 1;
    tree(c, childPrefix + (last ? '└── ' : '├── '), childPrefix + (last ? '    ' : '│   '), out);
  });
}

export function describeProfile(p: CompiledProfile): string {
  const out: string[] = [];
  const s = p.spec;
  out.push(`Profile: ${s.description ?? '(no description)'}`);
  out.push(`ATR ${toHex(s.atr)}`);
  const atr = parseAtr(s.atr);
  if (typeof atr !== 'string') for (const line of describeAtr(atr)) out.push(`  ${line}`);
  out.push('PINs and keys');
  for (const pin of s.pins) {
    const parts = [`${hex2(pin.ref)} ${pin.name}`, 'value (set)', `${pin.maxTries} tries`];
    if (pin.puk) parts.push(`PUK (set), ${pin.maxUnblockTries} tries`);
    parts.push(pin.enabled ? 'enabled' : 'disabled');
    if (!pin.canDisable) parts.push('cannot be disabled');
    out.push(`  ${parts.join(', ')}`);
  }
  out.push('Files');
  tree(s.mf, '  ', '  ', out);
  if (p.subscriber) {
    const sub = p.subscriber;
    const second = sub.algorithm === 'tuak' ? (sub.topc ? 'TOPc' : 'TOP') : sub.opc ? 'OPc' : 'OP';
    const parts = [sub.algorithm, 'K (set)', `${second} (set)`];
    if (sub.tuak) {
      const t = sub.tuak;
      parts.push(
        `K ${sub.k.length * 8}, MAC ${t.mac}, RES ${t.res}, CK ${t.ck}, IK ${t.ik} bits, ${t.iterations} Keccak iteration(s)`,
      );
    }
    if (sub.amf) parts.push(`AMF ${toHex(sub.amf)}`);
    if (sub.constants) parts.push('own constants (set)');
    const sqn = Object.entries(sub.sqn).map(([k, v]) => `${k} ${v}`);
    if (sqn.length) parts.push(`SQN ${sqn.join(', ')}`);
    out.push(`Subscriber: ${parts.join(', ')}`);
  }
  if (p.ota) {
    out.push('OTA');
    for (const k of p.ota.keysets) {
      const keys = [k.kic && `KIc ${k.kic.alg} (set)`, k.kid && `KID ${k.kid.alg} (set)`].filter(Boolean);
      out.push(`  keyset ${k.kvn}: ${keys.join(', ')}`);
    }
    for (const t of p.ota.tars) {
      const ks = t.keysets.map(
        (k) => `${k.kvn}${k.grants.length ? ` (grants ${k.grants.map(keyRefName).join(' ')})` : ''}`,
      );
      const counter = p.ota.counters.get(t.tar);
      out.push(
        `  TAR ${t.tar.toString(16).toUpperCase().padStart(6, '0')}: ${t.context}, MSL ${hex2(t.msl)}, keysets ${ks.join(', ')}` +
          (counter !== undefined ? `, counter ${counter}` : ''),
      );
    }
  }
  if (p.securityDomain) {
    const sd = p.securityDomain;
    out.push(
      `Security domain: AID ${toHex(sd.aid)}, KVN ${hex2(sd.kvn)} (SCP11a${sd.scp11b ? ', SCP11b' : ''}), private key (set), ` +
        `public key ${sd.publicKey.length} bytes, certificate ${sd.certificate.length} bytes, ` +
        `OCE CA key KID ${hex2(sd.caKid)} KVN ${hex2(sd.caKvn)}${sd.caKeyId ? ` id ${toHex(sd.caKeyId)}` : ''}`,
    );
  }
  if (p.sidf) {
    const keys = p.sidf.keys.map((k) => `key ${k.id} ${k.scheme} private key (set)`);
    out.push(`SIDF (host side, not on the card): ${keys.join(', ')}`);
  }
  if (p.keySlots) {
    const ks = p.keySlots;
    out.push(
      `Key slots: admin ${keyRefName(ks.admin)}, derived keyset ${ks.deriveKvn}, slot 0 = the subscriber section` +
        (ks.kik ? ' (KIK set)' : ''),
    );
    ks.slots.forEach((s, i) => {
      const what =
        s.mode === 'derive'
          ? 'derived from a master secret (set)'
          : `${s.subscriber.algorithm === 'tuak' ? `TUAK, K (set), ${s.subscriber.topc ? 'TOPc' : 'TOP'}` : `K (set), ${s.subscriber.opc ? 'OPc' : 'OP'}`} (set), keysets ${s.ota.map((k) => k.kvn).join(' ')}${s.kik ? ', KIK (set)' : ''}`;
      out.push(`  slot ${i + 1}: ${what}`);
    });
  }
  return out.join('\n');
}
