// Meaning of an exchange for traces: what the transcript decoder says (command name, status word, FCP,
// file contents) plus what matters when reading a trace later: which bytes were masked, AUTHENTICATE
// challenges and results (TS 31.102 §7.1.2), OTA packet headers and PoR status (TS 102 225 §5, TS 31.115),
// and the SCP11 steps (GP Card Spec v2.3 Amendment F §7). Runs on masked bytes only.

import { readCommandHeader } from '../../applets/ota/command-packet.js';
import { decodeSmsPpEnvelope } from '../../applets/ota/envelope-sms-pp.js';
import { isSecurityFailure, porStatusName } from '../../applets/ota/por-status.js';
import { decodeSmsDeliver, decodeSmsSubmit } from '../../applets/ota/sms-tpdu.js';
import { decodeSpi, type Spi } from '../../applets/ota/spi.js';
import { IEI_CPI, IEI_RPI, parseUserData } from '../../applets/ota/user-data-header.js';
import { parseCommand } from '../../card-os/apdu.js';
import { type Bytes, readU16, readUintBE, toHex } from '../../card-os/bytes.js';
import { swName } from '../../card-os/sw.js';
import { findTag, parseBer, parseCtlv } from '../../card-os/tlv.js';
import { commandName, ExchangeDecoder } from '../decode/apdu.js';
import { contentDecoder } from '../decode/content.js';
import type { ExchangeContext } from './chain.js';
import type { Redaction } from './model.js';

export interface Meaning {
  name: string;
  status: string;
  details: string[];
}

/** Command names the transcript table does not carry (GP Card Spec §11). */
const EXTRA_NAMES: Record<number, string> = { 216: 'PUT KEY' };

export function traceCommandName(cmd: Bytes): string {
  const n = commandName(cmd);
  return n.startsWith('INS ') ? (EXTRA_NAMES[cmd[1]!] ?? n) : n;
}

/** Secure messaging indicated in CLA (TS 102 221 §10.1.1: b4b3 for 0X/8X, b6 for 4X/CX). */
function secured(cla: number): boolean {
  return cla & 0x40 ? (cla & 0x20) !== 0 : (cla & 0x0c) !== 0;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();

function spiText(s: Spi): string {
  const parts = [s.integrity === 'none' ? 'no RC/CC/DS' : s.integrity.toUpperCase()];
  if (s.ciphered) parts.push('ciphered');
  if (s.counter !== 'none') parts.push(`counter ${s.counter}`);
  const por = s.por === 'none' ? 'no PoR' : `PoR ${s.por}`;
  const porParts =
    s.por === 'none'
      ? []
      : [
          s.porIntegrity === 'none' ? '' : s.porIntegrity.toUpperCase(),
          s.porCiphered ? 'ciphered' : '',
          s.porViaSubmit ? 'via SMS-SUBMIT' : '',
        ].filter(Boolean);
  return `${parts.join(', ')}; ${[por, ...porParts].join(' ')}`;
}

/** The OTA command packet carried by an ENVELOPE(SMS-PP DOWNLOAD), TS 31.115 §6. */
function otaCommand(data: Bytes): { text: string; spi?: Spi } | undefined {
  const env = decodeSmsPpEnvelope(data);
  const deliver = env && decodeSmsDeliver(env.tpdu);
  if (!deliver) return undefined;
  const ud = parseUserData(deliver.ud, deliver.udhi);
  if (!ud) return { text: 'SMS-PP download (malformed user data)' };
  if (!ud.ies.some((ie) => ie.iei === IEI_CPI)) {
    const concat = ud.ies.some((ie) => ie.iei === 0x00 || ie.iei === 0x08);
    return {
      text: concat
        ? 'SMS-PP download: a following segment of a concatenated OTA message'
        : 'SMS-PP download (not an OTA command packet)',
    };
  }
  const h = readCommandHeader(ud.payload);
  if (!h) return { text: 'OTA command packet shorter than its header' };
  const spi = decodeSpi(h.spi1, h.spi2);
  const parts = [
    `OTA command: TAR ${h.tar.toString(16).padStart(6, '0').toUpperCase()}`,
    `SPI ${hex2(h.spi1)}${hex2(h.spi2)} (${spi ? spiText(spi) : 'reserved PoR coding'})`,
    `KIc ${hex2(h.kic)}`,
    `KID ${hex2(h.kid)}`,
  ];
  if (!(h.spi1 & 0x04) && ud.payload.length >= 15) parts.push(`CNTR ${toHex(ud.payload.subarray(10, 15))}`);
  parts.push(`CPL ${h.cpl}`);
  return { text: parts.join(', '), spi };
}

/** A response packet (from RPL on), TS 102 225 §5.2; its status is readable unless the PoR is ciphered. */
function porText(pkt: Bytes, spi: Spi | undefined): string {
  if (pkt.length < 6) return 'PoR: too short';
  const rhl = pkt[2]!;
  const tar = readUintBE(pkt, 3, 3).toString(16).padStart(6, '0').toUpperCase();
  const body = pkt.subarray(6);
  // Ciphered parts are whole blocks; an error PoR (7 bytes, RHL 0A) goes in clear (TS 102 225 §5.2).
  const clear = !spi?.porCiphered || body.length % 8 !== 0;
  if (!clear || body.length < 7)
    return `PoR: TAR ${tar}, RPL ${readU16(pkt, 0)}, ciphered (the status needs the keys)`;
  const sts = body[6]!;
  const more =
    !isSecurityFailure(sts) && rhl === 0x0a && body.length > 7
      ? `, data ${toHex(body.subarray(7, body.length - body[5]!))}`
      : '';
  return `PoR: TAR ${tar}, CNTR ${toHex(body.subarray(0, 5))}, status ${hex2(sts)} ${porStatusName(sts)}${more}`;
}

/** PoR data as the card returns it after an ENVELOPE: the response packet with its UDH 02 71 00 (TS 31.115 §7). */
function porFromUserData(ud: Bytes, spi: Spi | undefined): string | undefined {
  const u = parseUserData(ud, true);
  if (!u?.ies.some((ie) => ie.iei === IEI_RPI)) return undefined;
  return porText(u.payload, spi);
}

/** A PoR sent with SEND SHORT MESSAGE (FETCH answer D0 ... 0B SMS-SUBMIT), TS 31.115 §7 / TS 31.111 §6.6.9. */
function porFromFetch(data: Bytes, spi: Spi | undefined): string | undefined {
  const outer = parseBer(data)?.[0];
  if (outer?.tag !== 0xd0) return undefined;
  const items = parseCtlv(outer.value);
  const details = items?.find((i) => i.tag === 0x01)?.value;
  const tpdu = items?.find((i) => i.tag === 0x0b)?.value;
  if (details?.[1] !== 0x13 || !tpdu) return undefined;
  const submit = decodeSmsSubmit(tpdu);
  if (!submit?.udhi) return undefined;
  return porFromUserData(submit.ud, spi);
}

/** SCP11 steps (GP Amd F §7.5-7.6), from the command of a proprietary-class exchange. */
function scp11Step(cmd: Bytes, data: Bytes): string | undefined {
  const ins = cmd[1]!;
  const p1 = cmd[2]!;
  const p2 = cmd[3]!;
  if (ins === 0xca && p1 === 0xbf && p2 === 0x21) {
    const ref = findTag(parseBer(findTag(parseBer(data), 0xa6) ?? EMPTY), 0x83);
    const which = ref?.length === 2 ? ` of SD key KID ${hex2(ref[0]!)} KVN ${hex2(ref[1]!)}` : '';
    return `SCP11: read the certificate store${which}`;
  }
  if (ins === 0x2a)
    return `SCP11: OCE certificate for key KID ${hex2(p2 & 0x7f)} KVN ${hex2(p1 & 0x7f)}${p2 & 0x80 ? ', more follow' : ', last of the chain'}`;
  if (ins === 0x82 || ins === 0x88) {
    const scp = findTag(parseBer(findTag(parseBer(data), 0xa6) ?? EMPTY), 0x90);
    if (scp?.[0] !== 0x11) return undefined;
    const variant = { 0: 'SCP11b', 1: 'SCP11a', 3: 'SCP11c' }[(scp[1] ?? 0) & 0x03] ?? 'SCP11';
    return `${variant}: key agreement with SD key KID ${hex2(p2)} KVN ${hex2(p1)}, ePK.OCE.ECKA sent`;
  }
  return undefined;
}

/** The card's answer to MUTUAL / INTERNAL AUTHENTICATE: 5F49 ePK.SD.ECKA then 86 receipt (GP Amd F §7.6.2.3). */
function scp11Answer(origin: Bytes, data: Bytes): string | undefined {
  if (origin[1] !== 0x82 && origin[1] !== 0x88) return undefined;
  const tlvs = parseBer(data);
  if (!findTag(tlvs, 0x5f49) || !findTag(tlvs, 0x86)) return undefined;
  return 'SCP11: card answered ePK.SD.ECKA and the receipt; the secure channel is open';
}

const EMPTY = new Uint8Array(0);

/** AUTHENTICATE challenge (TS 31.102 §7.1.2): RAND (and AUTN in 3G context). */
function authChallenge(cmd: Bytes): string | undefined {
  const c = parseCommand(cmd).cmd;
  if (!c || c.data.length < 1) return undefined;
  const d = c.data;
  const rand = d.subarray(1, 1 + d[0]!);
  const autnLen = d[1 + d[0]!];
  const autn = autnLen === undefined ? undefined : d.subarray(2 + d[0]!, 2 + d[0]! + autnLen);
  const ctx =
    (c.p2 & 0x07) === 0 ? 'GSM context' : (c.p2 & 0x07) === 1 ? '3G context' : `context ${c.p2 & 0x07}`;
  return `AUTHENTICATE ${ctx}: RAND ${toHex(rand)}${autn ? `, AUTN ${toHex(autn)}` : ''}`;
}

/** AUTHENTICATE result over the whole response data; keys are masked already, RES / SRES / AUTS are not secret. */
function authResult(p2: number, data: Bytes): string | undefined {
  if (data[0] === 0xdc && data[1] !== undefined)
    return `AUTHENTICATE: synchronisation failure, AUTS ${toHex(data.subarray(2, 2 + data[1]))}`;
  if ((p2 & 0x07) === 0 && data[0] === 0x04)
    return `AUTHENTICATE: SRES ${toHex(data.subarray(1, 5))}, Kc masked`;
  if (data[0] === 0xdb && (p2 & 0x07) === 1 && data[1] !== undefined)
    return `AUTHENTICATE: RES ${toHex(data.subarray(2, 2 + data[1]))}, CK and IK masked`;
  return undefined;
}

/** Stateful (like the transcript decoder): feed it every exchange of a trace in order. */
export class TraceDescriber {
  private base = new ExchangeDecoder(contentDecoder);
  /** SPI of the last OTA command, to know whether its PoR is ciphered. */
  private otaSpi: Spi | undefined;

  reset(): void {
    this.base = new ExchangeDecoder(contentDecoder);
  }

  describe(cmd: Bytes, resp: Bytes, ctx: ExchangeContext, redactions: readonly Redaction[]): Meaning {
    const sw = resp.length >= 2 ? (resp[resp.length - 2]! << 8) | resp[resp.length - 1]! : 0;
    // Decoded file contents must not come from masked bytes: the base decoder then sees only the SW.
    const masked = redactions.some((r) => r.in === 'response');
    const base = this.base.describe(cmd, masked ? resp.subarray(resp.length - 2) : resp);
    const details = [...base.details];
    for (const r of redactions) details.push(`masked: ${r.what}${r.secret ? ` [${r.secret}]` : ''}`);
    details.push(...this.extra(cmd, ctx, sw));
    return { name: traceCommandName(cmd), status: resp.length >= 2 ? base.status : swName(sw), details };
  }

  private extra(cmd: Bytes, ctx: ExchangeContext, sw: number): string[] {
    if (cmd.length < 4) return [];
    const cla = cmd[0]!;
    const ins = cmd[1]!;
    const o = ctx.origin;
    const out: (string | undefined)[] = [];
    // The whole response is there once the card stops answering 61xx.
    const complete = sw >> 8 !== 0x61 && sw >> 8 !== 0x9f && ctx.data.length > 0;
    if (secured(cla)) return ['secure messaging: command and answer are wrapped (SCP session keys)'];
    const iso = !(o[0]! & 0x80);
    if (ins === 0x88 && !(cla & 0x80)) out.push(authChallenge(cmd));
    if (cla & 0x80 && (ins === 0xc2 || o === cmd)) {
      const data = parseCommand(cmd).cmd?.data ?? EMPTY;
      if (ins === 0xc2) {
        const ota = otaCommand(data);
        if (ota) this.otaSpi = ota.spi;
        out.push(ota?.text);
      }
      if (o === cmd) out.push(scp11Step(cmd, data));
    }
    if (complete) {
      if (o[1] === 0x88 && iso) out.push(authResult(o[3]!, ctx.data));
      else if (o[1] === 0xc2) out.push(porFromUserData(ctx.data, this.otaSpi));
      else if (o[1] === 0x12) out.push(porFromFetch(ctx.data, this.otaSpi));
      else if (!iso) out.push(scp11Answer(o, ctx.data));
    }
    return out.filter((x): x is string => x !== undefined);
  }
}
