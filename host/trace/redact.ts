// Finds the secrets in an exchange so that no trace file holds them in clear (docs/traces.md §Secrets):
//   commands  - PIN blocks of VERIFY / CHANGE / DISABLE / ENABLE / UNBLOCK PIN (TS 102 221 §11.1.9-13),
//               PUT KEY key data (GP Card Spec §11.8), the key blocks of the security domain's profile update
//               (80 D4, docs/security-domain.md) and of the key-slot ROTATE (80 5E, docs/key-slots.md),
//               UPDATE BINARY of key files, and the same commands inside an unciphered OTA command packet
//               (ENVELOPE SMS-PP, TS 102 225 / TS 102 226);
//   responses - CK, IK, Kc and other keys AUTHENTICATE returns (TS 31.102 §7.1.2), and READ BINARY of
//               the files that hold keys (EF.Keys, EF.KeysPS, EF.Kc, EF.KcGPRS).
// Response secrets need where the exchange stands on its channel (chain.ts): T=0 response data comes with
// GET RESPONSE, possibly in pieces, and belongs to the command before it; READ BINARY reads the current EF.

import { sha256 } from '@noble/hashes/sha2.js';
import { readCommandHeader } from '../../applets/ota/command-packet.js';
import { decodeSmsPpEnvelope } from '../../applets/ota/envelope-sms-pp.js';
import { TAG_COMMAND_SCRIPT, TAG_COMMAND_SCRIPT_INDEFINITE } from '../../applets/ota/remote-apdu.js';
import { OUTGOING_INS } from '../../applets/ota/remote-command-compact.js';
import { TAG_C_APDU } from '../../applets/ota/remote-command-expanded.js';
import { decodeSmsDeliver } from '../../applets/ota/sms-tpdu.js';
import { IEI_CPI, parseUserData } from '../../applets/ota/user-data-header.js';
import { parseCommand } from '../../card-os/apdu.js';
import { type Bytes, toHex } from '../../card-os/bytes.js';
import { parseBer, readBer } from '../../card-os/tlv.js';
import type { ExchangeContext } from './chain.js';
import { MASK_BYTE, type Redaction } from './model.js';

const INS = {
  VERIFY: 0x20,
  CHANGE: 0x24,
  DISABLE: 0x26,
  ENABLE: 0x28,
  UNBLOCK: 0x2c,
  AUTHENTICATE: 0x88,
  READ_BINARY: 0xb0,
  UPDATE_BINARY: 0xd6,
  ENVELOPE: 0xc2,
  PUT_KEY: 0xd8,
  /** Security domain profile update (CLA 80/84): C1 K and C2 OPc key blocks (docs/security-domain.md). */
  PROFILE_UPDATE: 0xd4,
  /** Key-slot ROTATE (CLA 80): 86 wrapped keys (docs/key-slots.md). */
  ROTATE: 0x5e,
} as const;

/** TLV objects of proprietary commands that carry keys: (INS, tags whose values are masked). */
const KEY_TLVS: Record<number, { tags: number[]; secret: string }> = {
  [INS.PROFILE_UPDATE]: { tags: [0xc1, 0xc2], secret: 'profile-update' },
  [INS.ROTATE]: { tags: [0x86], secret: 'rotate' },
};

const PIN_INS = new Set<number>([INS.VERIFY, INS.CHANGE, INS.DISABLE, INS.ENABLE, INS.UNBLOCK]);

/**
 * Files whose content is key material: EF.Keys 6F08 and EF.KeysPS 6F09 (ADF.USIM, TS 31.102 §4.2.8-9,
 * SFI 08/09), EF.Kc 4F20 and EF.KcGPRS 4F52 (DF.GSM-ACCESS, §4.4.3), and their GSM forms 6F20 / 6F52
 * (DF.GSM, TS 51.011 §10.3.13 / §10.3.30).
 */
const KEY_FILES = new Set([0x6f08, 0x6f09, 0x4f20, 0x4f52, 0x6f20, 0x6f52]);
const KEY_FILE_SFIS = new Set([0x08, 0x09]);

/**
 * Names of key references (TS 102 221 §9.5.1), the same words the script and shell commands use
 * (`verify pin1 1234`): the `--secrets` file of `uicc replay` uses them.
 */
const KEY_REF_NAMES: Record<number, string> = {
  1: 'pin1',
  129: 'pin2',
  17: 'upin',
  10: 'adm1',
  11: 'adm2',
  12: 'adm3',
  13: 'adm4',
  14: 'adm5',
};

export function keyRefName(ref: number): string {
  return KEY_REF_NAMES[ref] ?? `key${ref.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** Short digest that lets replay compare a masked key without storing it: SHA-256, first 8 bytes. */
export function secretDigest(b: Bytes): string {
  return toHex(sha256(b).subarray(0, 8));
}

/** Offset of `inner` within `outer` when it is a view on the same bytes. */
function offsetIn(outer: Bytes, inner: Bytes): number | undefined {
  if (inner.buffer !== outer.buffer) return undefined;
  const o = inner.byteOffset - outer.byteOffset;
  return o >= 0 && o + inner.length <= outer.length ? o : undefined;
}

function range(at: number, len: number, what: string, secret: string): Redaction {
  return { in: 'command', at, len, what, secret };
}

/** Secrets in the data of a PIN command at `at` (of `len` bytes), TS 102 221 §11.1.9-13. */
function pinData(ins: number, ref: number, at: number, len: number): Redaction[] {
  const name = keyRefName(ref);
  const two = (a: string, as: string, b: string, bs: string) =>
    len === 16
      ? [range(at, 8, a, as), range(at + 8, 8, b, bs)]
      : [range(at, len, `${a} and ${b}`, `${as}+${bs}`)];
  switch (ins) {
    case INS.CHANGE:
      return two('old PIN block', name, 'new PIN block', `${name}.new`);
    case INS.UNBLOCK:
      return two('PUK block', `${name}.puk`, 'new PIN block', `${name}.new`);
    default:
      return [range(at, len, 'PIN block', name)];
  }
}

/** Secrets in one C-APDU of a script: header at `at` in `cmd`, `len` bytes of data at `dataAt`. */
function scriptCommand(cmd: Bytes, at: number, dataAt: number, len: number): Redaction[] {
  if (len === 0) return [];
  const ins = cmd[at + 1]!;
  if (PIN_INS.has(ins)) return pinData(ins, cmd[at + 3]!, dataAt, len);
  if (ins === INS.PUT_KEY)
    return [range(dataAt, len, 'PUT KEY key data (OTA)', putKeyName(cmd[at + 2]!, cmd[at + 3]!))];
  return [];
}

/**
 * Expanded format (TS 102 226 §5.2.1): AA L { 22 L <C-APDU> ... }, or the indefinite form
 * AE 80 { 22 L <C-APDU> ... } 00 00. Each C-APDU is a full ISO 7816-4 APDU.
 */
function expandedScript(cmd: Bytes, at: number, end: number): Redaction[] {
  let o: number;
  let stop: number;
  const indefinite = cmd[at] === TAG_COMMAND_SCRIPT_INDEFINITE;
  if (indefinite) {
    if (cmd[at + 1] !== 0x80) return [];
    o = at + 2;
    stop = end;
  } else {
    const outer = readBer(cmd, at, end);
    if (!outer) return [];
    o = at + outer.length - outer.value.length;
    stop = o + outer.value.length;
  }
  const out: Redaction[] = [];
  while (o < stop) {
    if (indefinite && cmd[o] === 0x00 && cmd[o + 1] === 0x00) break;
    const t = readBer(cmd, o, stop);
    if (!t) break;
    if (t.tag === TAG_C_APDU) {
      // A C-APDU the card cannot parse is answered with an error and not run, so nothing of it is a secret.
      const c = parseCommand(t.value).cmd;
      const v = o + t.length - t.value.length;
      if (c) out.push(...scriptCommand(cmd, v, v + (c.extended ? 7 : 5), c.data.length));
    }
    o += t.length;
  }
  return out;
}

/** Secrets among the C-APDUs of an unciphered OTA script, compact or expanded format (TS 102 226 §5). */
function otaScript(cmd: Bytes, at: number, end: number): Redaction[] {
  const first = cmd[at];
  if (first === TAG_COMMAND_SCRIPT || first === TAG_COMMAND_SCRIPT_INDEFINITE)
    return expandedScript(cmd, at, end);
  // Compact format: CLA INS P1 P2 P3 [data] ... (TS 102 226 §5.1.2), split as the card splits it.
  const out: Redaction[] = [];
  let o = at;
  while (o + 5 <= end) {
    const p3 = cmd[o + 4]!;
    if (OUTGOING_INS.has(cmd[o + 1]!)) {
      o += 5;
      continue;
    }
    out.push(...scriptCommand(cmd, o, o + 5, Math.min(p3, end - o - 5)));
    o += 5 + p3;
  }
  return out;
}

function putKeyName(p1: number, p2: number): string {
  return `put-key.${toHex(Uint8Array.of(p1, p2))}`;
}

/** The unciphered secured data of an OTA command packet inside ENVELOPE(SMS-PP DOWNLOAD), if any. */
function otaEnvelope(cmd: Bytes, data: Bytes): Redaction[] {
  const env = decodeSmsPpEnvelope(data);
  if (!env) return [];
  const tpduAt = offsetIn(cmd, env.tpdu);
  const deliver = decodeSmsDeliver(env.tpdu);
  if (tpduAt === undefined || !deliver) return [];
  // TP-UD ends the TPDU (TS 23.040 §9.2.2.1); the decoder hands out a copy, so locate it.
  const udAt = tpduAt + env.tpdu.length - deliver.ud.length;
  const ud = parseUserData(deliver.ud, deliver.udhi);
  if (!ud?.ies.some((ie) => ie.iei === IEI_CPI)) return [];
  const pktAt = udAt + deliver.ud.length - ud.payload.length;
  const h = readCommandHeader(ud.payload);
  // SPI1 b3: ciphered from CNTR on, so nothing after the header is in clear (TS 102 225 §5.1.1).
  if (!h || h.spi1 & 0x04) return [];
  const secured = pktAt + 3 + h.chl;
  const end = Math.min(cmd.length, pktAt + 2 + h.cpl);
  return secured < end ? otaScript(cmd, secured, end) : [];
}

/**
 * Key blocks of a proprietary (CLA 8X) command whose data is BER-TLV: the values of the key tags. RESIZE FILE
 * (80 D4, TS 102 222 §6.10) shares the INS but carries no such tags, so it masks nothing.
 */
function keyTlvs(cmd: Bytes, ins: number, dataAt: number, len: number): Redaction[] {
  const k = KEY_TLVS[ins];
  if (!k || (cmd[0]! & 0xf0) !== 0x80) return [];
  const out: Redaction[] = [];
  for (const t of parseBer(cmd.subarray(dataAt, dataAt + len)) ?? []) {
    if (!k.tags.includes(t.tag)) continue;
    const at = offsetIn(cmd, t.value);
    if (at !== undefined && t.value.length)
      out.push(
        range(
          at,
          t.value.length,
          `key block ${t.tag.toString(16).toUpperCase()}`,
          `${k.secret}.${t.tag.toString(16)}`,
        ),
      );
  }
  return out;
}

/** Secrets in a command APDU (offsets in `cmd`). */
export function commandSecrets(cmd: Bytes): Redaction[] {
  if (cmd.length < 5) return [];
  const ins = cmd[1]!;
  if (!PIN_INS.has(ins) && ins !== INS.PUT_KEY && ins !== INS.ENVELOPE && !KEY_TLVS[ins]) return [];
  const p = parseCommand(cmd);
  if (!p.cmd) {
    // Malformed, but a PIN command's bytes after the header are still secret.
    return PIN_INS.has(ins) || ins === INS.PUT_KEY
      ? [
          range(
            4,
            cmd.length - 4,
            'data of a malformed PIN/key command',
            `malformed.${toHex(cmd.subarray(0, 4))}`,
          ),
        ]
      : [];
  }
  const c = p.cmd;
  const dataAt = c.extended ? 7 : 5;
  const len = c.data.length;
  if (len === 0) return [];
  if (PIN_INS.has(ins)) return pinData(ins, c.p2, dataAt, len);
  if (ins === INS.PUT_KEY) return [range(dataAt, len, 'PUT KEY key data', putKeyName(c.p1, c.p2))];
  if (ins === INS.ENVELOPE) return otaEnvelope(cmd, c.data);
  return keyTlvs(cmd, ins, dataAt, len);
}

/** A copy of `b` with the given ranges overwritten by MASK_BYTE. */
export function mask(b: Bytes, ranges: readonly Redaction[], side: Redaction['in']): Bytes {
  let out = b;
  for (const r of ranges) {
    if (r.in !== side) continue;
    if (out === b) out = b.slice();
    out.fill(MASK_BYTE, r.at, r.at + r.len);
  }
  return out;
}

/** Hex with "**" for each masked byte: the JSONL, show, log and shell-history form of a masked APDU. */
export function maskedHex(b: Bytes, ranges: readonly Redaction[], side: Redaction['in']): string {
  const own = ranges.filter((r) => r.in === side);
  if (own.length === 0) return toHex(b);
  let s = '';
  for (let i = 0; i < b.length; i++)
    s += own.some((r) => i >= r.at && i < r.at + r.len) ? '**' : toHex(b.subarray(i, i + 1));
  return s;
}

/** A command APDU as hex with its secrets masked, without any exchange context (shell history). */
export function maskedCommandHex(cmd: Bytes): string {
  return maskedHex(cmd, commandSecrets(cmd), 'command');
}

/** Items of an AUTHENTICATE response: [name, offset, length] over the response data. */
function authenticateItems(p2: number, data: Bytes): [string, number, number][] {
  const context = p2 & 0x07;
  const first = data[0];
  if (first === undefined || first === 0xdc) return [];
  if (context === 0 && first === 0x04) {
    // GSM context: 04 SRES 08 Kc (TS 31.102 §7.1.2.1).
    return [['Kc', 6, 8]];
  }
  if (first !== 0xdb) return [];
  // DB then length-value items; in 3G context RES CK IK [Kc]. Other contexts (GBA, MBMS...) return
  // only keys after DB, so every item is masked there.
  const names = context === 1 ? ['RES', 'CK', 'IK', 'Kc'] : [];
  const out: [string, number, number][] = [];
  let o = 1;
  for (let n = 0; o < data.length; n++) {
    const len = data[o]!;
    const name = names[n] ?? 'key material';
    if (name !== 'RES') out.push([name, o + 1, len]);
    o += 1 + len;
  }
  return out;
}

/** Whether an EF (by FID) holds keys, so its content is masked wherever it is shown. */
export function isKeyFile(fid: number): boolean {
  return KEY_FILES.has(fid);
}

/** EF reached by SFI 08/09 in ADF.USIM: EF.Keys / EF.KeysPS, the only key files with an SFI. */
export function keyFileBySfi(sfi: number): number | undefined {
  return KEY_FILE_SFIS.has(sfi) ? 0x6f00 | sfi : undefined;
}

function isKeyFileAccess(cmd: Bytes, ef: number | undefined): boolean {
  const p1 = cmd[2]!;
  // P1 b8 set: b5..b1 is a short file identifier (TS 102 221 §11.1.3).
  if (p1 & 0x80) return KEY_FILE_SFIS.has(p1 & 0x1f);
  return ef !== undefined && KEY_FILES.has(ef);
}

/** Secrets of one exchange, given where it stands (ChainTracker), with digests of the masked response keys. */
export function exchangeSecrets(cmd: Bytes, resp: Bytes, ctx: ExchangeContext): Redaction[] {
  const out = commandSecrets(cmd);
  if (cmd.length < 4) return out;
  if (cmd[1] === INS.UPDATE_BINARY && isKeyFileAccess(cmd, ctx.ef)) {
    const c = parseCommand(cmd).cmd;
    if (c?.data.length)
      out.push(
        range(c.extended ? 7 : 5, c.data.length, 'key file content', `file.${toHex(cmd.subarray(2, 4))}`),
      );
  }
  const len = resp.length - 2;
  if (len <= 0) return out;
  for (const [what, at, n] of responseSecrets(ctx)) {
    const from = Math.max(at, ctx.offset) - ctx.offset;
    const to = Math.min(at + n - ctx.offset, len);
    if (to <= from) continue;
    out.push({
      in: 'response',
      at: from,
      len: to - from,
      what,
      digest: secretDigest(resp.subarray(from, to)),
    });
  }
  return out;
}

/** Secret items over the whole response data of the originating command: [what, offset, length]. */
function responseSecrets(ctx: ExchangeContext): [string, number, number][] {
  const o = ctx.origin;
  if (ctx.data.length === 0 || o.length < 4) return [];
  // AUTHENTICATE is ISO class (CLA 0X/4X); 8X 88 is GP INTERNAL AUTHENTICATE (SCP11b), not secret.
  if (o[1] === INS.AUTHENTICATE && !(o[0]! & 0x80)) return authenticateItems(o[3]!, ctx.data);
  if (o[1] === INS.READ_BINARY && isKeyFileAccess(o, ctx.ef))
    return [['key file content', 0, ctx.data.length]];
  return [];
}
