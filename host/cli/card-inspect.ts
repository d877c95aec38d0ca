// `uicc card show IMAGE` and `uicc card diff A B`: what a saved card holds, read from its NVM records
// (card-os/image.ts): profile, ICCID and IMSI, PIN states and counters (TS 102 221 §9.5), the files that
// differ from the profile (decoded by the EF codecs), key slot states, OTA counters (TS 102 225 §5.1.1.1).
// Records under "secret/" are never shown: only that they exist or differ.

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { decodeOtaCounters, OTA_RECORD_COUNTERS } from '../../applets/ota/ota-config.js';
import { SLOT_STATE, slotStates } from '../../applets/subscriptions/slot-store.js';
import { type Bytes, toHex } from '../../card-os/bytes.js';
import { contentKey, type FileSpec, walk } from '../../card-os/fs/model.js';
import { readStatus } from '../../card-os/security/pin.js';
import { type OpenedCard, openCard } from '../card-factory.js';
import { applicationCodecFor, codecFor, formatValue } from '../codecs/table.js';

const SLOT_NAMES: Record<number, string> = {
  [SLOT_STATE.UNUSED]: 'unused',
  [SLOT_STATE.ACTIVE]: 'active',
  [SLOT_STATE.USED]: 'used',
};

function open(path: string): OpenedCard {
  if (!existsSync(path)) throw new Error(`${path}: no such card image`);
  return openCard({ card: path });
}

/** A file path with names, MF/ADF.USIM/EF.SPN. */
function namePath(f: FileSpec): string {
  const names: string[] = [];
  for (let x: FileSpec | undefined = f; x; x = x.parent) names.unshift(x.type === 'MF' ? 'MF' : x.name);
  return names.join('/');
}

/** File contents in words: the codec's value, or hex when there is none or it does not decode. */
export function describeContent(f: FileSpec, b: Bytes): string {
  const c = applicationCodecFor(f) ?? codecFor(f.name) ?? codecFor(f.path);
  if (c) {
    if (c.unit === 'file') {
      const v = c.decode(b);
      if (v !== undefined) return formatValue(v);
    } else if (f.recordLength) {
      const recs: string[] = [];
      for (let o = 0; o + f.recordLength <= b.length; o += f.recordLength) {
        const v = c.decode(b.subarray(o, o + f.recordLength));
        recs.push(v === undefined ? '-' : formatValue(v));
      }
      return `[${recs.join(', ')}]`;
    }
  }
  return toHex(b);
}

function efContent(card: OpenedCard, f: FileSpec): Bytes {
  return card.card.nvm.get(contentKey(f)) ?? f.initial;
}

const efs = (card: OpenedCard) => [...walk(card.card.spec.mf)].filter((f) => f.type === 'EF');

function pinLines(card: OpenedCard): string[] {
  return card.card.spec.pins.map((p) => {
    const s = readStatus(card.card.nvm, p.ref);
    if (!s) return `  ${p.name} (${p.ref.toString(16).padStart(2, '0').toUpperCase()}): no state`;
    const state = s.tries === 0 ? 'blocked' : s.enabled ? 'enabled' : 'disabled';
    const puk = p.puk ? `, PUK ${s.unblockTries} of ${p.maxUnblockTries} tries left` : '';
    return `  ${p.name} (${p.ref.toString(16).padStart(2, '0').toUpperCase()}): ${state}, ${s.tries} of ${p.maxTries} tries left${puk}`;
  });
}

function stateLines(card: OpenedCard): string[] {
  const nvm = card.card.nvm;
  const out: string[] = [];
  const slots = slotStates(nvm);
  if (slots.length)
    out.push(`Key slots: ${slots.map((s, i) => `${i}: ${SLOT_NAMES[s] ?? `state ${s}`}`).join(', ')}`);
  const cntr = nvm.get(OTA_RECORD_COUNTERS);
  const counters = cntr ? decodeOtaCounters(cntr) : undefined;
  if (counters?.size)
    out.push(
      `OTA counters: ${[...counters].map(([tar, n]) => `TAR ${tar.toString(16).padStart(6, '0').toUpperCase()}: ${n}`).join(', ')}`,
    );
  else out.push('OTA counters: none used');
  return out;
}

export function showCard(path: string): string {
  const card = open(path);
  const byName = (n: string) => efs(card).find((f) => f.name === n);
  const iccid = byName('EF.ICCID');
  const imsi = byName('EF.IMSI');
  const own = new Set(card.card.nvm.snapshot().own.map(([k]) => k));
  const changed = efs(card).filter((f) => own.has(contentKey(f)));
  const secrets = [...own].filter((k) => k.startsWith('secret/'));
  const other = [...own].filter(
    (k) =>
      !k.startsWith('secret/') && !k.startsWith('ef/') && !k.startsWith('pin/') && k !== OTA_RECORD_COUNTERS,
  );
  return [
    `Card image ${path}`,
    `Profile: ${card.profileName}`,
    iccid ? `ICCID: ${describeContent(iccid, efContent(card, iccid))}` : 'ICCID: (no EF.ICCID)',
    imsi ? `IMSI: ${describeContent(imsi, efContent(card, imsi))}` : 'IMSI: (no EF.IMSI)',
    'PINs and keys:',
    ...pinLines(card),
    ...stateLines(card),
    changed.length ? 'Files changed since personalisation:' : 'Files changed since personalisation: none',
    ...changed.map((f) => `  ${namePath(f)} (${f.path}): ${describeContent(f, efContent(card, f))}`),
    ...other.map((k) => `Record ${k}: ${toHex(card.card.nvm.get(k) ?? new Uint8Array(0))}`),
    ...(secrets.length ? [`Secrets changed: ${secrets.length} (values never shown)`] : []),
  ].join('\n');
}

export function diffCards(a: string, b: string): { text: string; differs: boolean } {
  const ca = open(a);
  const cb = open(b);
  const lines: string[] = [];
  if (ca.profileName !== cb.profileName) lines.push(`profile: ${ca.profileName} | ${cb.profileName}`);
  const filesB = new Map(efs(cb).map((f) => [f.path, f]));
  for (const fa of efs(ca)) {
    const fb = filesB.get(fa.path);
    if (!fb) {
      lines.push(`${namePath(fa)} (${fa.path}): only in ${a}`);
      continue;
    }
    filesB.delete(fa.path);
    const va = efContent(ca, fa);
    const vb = efContent(cb, fb);
    if (toHex(va) !== toHex(vb))
      lines.push(
        `${namePath(fa)} (${fa.path}):\n  - ${describeContent(fa, va)}\n  + ${describeContent(fb, vb)}`,
      );
  }
  for (const fb of filesB.values()) lines.push(`${namePath(fb)} (${fb.path}): only in ${b}`);
  const pa = pinLines(ca);
  const pb = pinLines(cb);
  pa.forEach((l, i) => {
    if (l !== pb[i]) lines.push(`PIN:\n  - ${l.trim()}\n  + ${(pb[i] ?? '(none)').trim()}`);
  });
  const sa = stateLines(ca);
  const sb = stateLines(cb);
  sa.forEach((l, i) => {
    if (l !== sb[i]) lines.push(`- ${l}\n+ ${sb[i] ?? '(none)'}`);
  });
  const keys = new Set(
    [...ca.card.nvm.snapshot().own, ...cb.card.nvm.snapshot().own]
      .map(([k]) => k)
      .filter((k) => !k.startsWith('ef/') && !k.startsWith('pin/') && k !== OTA_RECORD_COUNTERS),
  );
  for (const k of [...keys].sort()) {
    const x = ca.card.nvm.get(k);
    const y = cb.card.nvm.get(k);
    if (toHex(x ?? new Uint8Array(0)) === toHex(y ?? new Uint8Array(0))) continue;
    if (k.startsWith('secret/')) lines.push(`${k}: differs (secret, values never shown)`);
    else if (k !== 'slot/table')
      lines.push(`${k}:\n  - ${x ? toHex(x) : '(none)'}\n  + ${y ? toHex(y) : '(none)'}`);
  }
  return {
    text: lines.length ? lines.join('\n') : `${a} and ${b} hold the same contents`,
    differs: lines.length > 0,
  };
}

export function registerCardInspect(card: Command): void {
  card
    .command('show')
    .description(
      'profile, ICCID/IMSI, PIN states, changed files (decoded), key slots, OTA counters; secrets masked',
    )
    .argument('<image>', 'card image file')
    .action((image: string) => {
      console.log(showCard(image));
    });
  card
    .command('diff')
    .description('what differs between two card images (files decoded, secrets only as "differs")')
    .argument('<a>', 'card image')
    .argument('<b>', 'card image')
    .action((a: string, b: string) => {
      const d = diffCards(a, b);
      console.log(d.text);
      process.exitCode = d.differs ? 1 : 0;
    });
}
