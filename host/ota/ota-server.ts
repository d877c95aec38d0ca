// OTA server (sending entity) for SMS-PP: builds secured command packets (TS 102 225 §5.1, TS 31.115 §6)
// for a card's keyset, counter, SPI and TAR; wraps them in SMS-DELIVER TPDUs (concatenated when the packet
// does not fit one SMS) and ENVELOPE (SMS-PP DOWNLOAD) APDUs; reads and verifies the PoR returned in the
// ENVELOPE response or in SEND SHORT MESSAGE proactive commands. Counters are kept per ICCID and TAR.
// The packet, TPDU and TLV codecs are the card's own (applets/ota); the cryptographic checks are real.

import { encodeCommandPacket } from '../../applets/ota/command-packet.js';
import { encodeSmsPpEnvelope } from '../../applets/ota/envelope-sms-pp.js';
import { kvnOf } from '../../applets/ota/kic-kid.js';
import type { OtaKeyset } from '../../applets/ota/ota-config.js';
import {
  type CipherSuite,
  type IntegritySuite,
  resolveBlockKey,
  resolveIntegrity,
} from '../../applets/ota/packet-security.js';
import { POR, porStatusName } from '../../applets/ota/por-status.js';
import { decodeResponsePacket } from '../../applets/ota/response-packet.js';
import { decodeSendShortMessage } from '../../applets/ota/send-short-message.js';
import { addSegment, type ReassemblyState } from '../../applets/ota/sms-reassembly.js';
import {
  DCS_8BIT_CLASS2,
  decodeSmsSubmit,
  encodeSmsDeliver,
  PID_SIM_DATA_DOWNLOAD,
  type SmsAddress,
  smsAddress,
} from '../../applets/ota/sms-tpdu.js';
import type { Spi } from '../../applets/ota/spi.js';
import {
  concatInfo,
  IEI_CPI,
  IEI_RPI,
  parseUserData,
  splitUserData,
  type UdhIe,
} from '../../applets/ota/user-data-header.js';
import { buildCommand } from '../../card-os/apdu.js';
import type { Bytes } from '../../card-os/bytes.js';
import { CounterBook } from './counter-book.js';

export interface OtaCommandRequest {
  iccid: string;
  tar: number;
  spi: Spi;
  /** KIc and KID bytes (key version in the high nibble, algorithm in the low one). */
  kic: number;
  kid: number;
  /** The card's keysets as the server knows them. */
  keysets: readonly OtaKeyset[];
  /** Secured data: a remote command script (TS 102 226 compact or expanded). */
  script: Bytes;
  /** Counter to send; by default the next one from the counter book when SPI uses a counter, else 0. */
  cntr?: number;
}

export interface SmsOptions {
  /** TP-OA the card sees (and answers to with SMS-SUBMIT). Default 12345678, TON/NPI 81. */
  originator?: SmsAddress;
  /** TP-SCTS (7 bytes); default the current time, UTC. */
  scts?: Bytes;
  /** Service centre address put in the ENVELOPE (TON/NPI + BCD), if any. */
  smsc?: Bytes;
  /** Use the 16-bit concatenation reference (IEI 08) instead of the 8-bit one (IEI 00). */
  ref16?: boolean;
  /** CLA of the ENVELOPE: 80 for a UICC (default), A0 for a GSM SIM. */
  cla?: number;
}

/** What the server needs to check the PoR of a command it sent. */
export interface PorExpectation {
  tar: number;
  cntr: number;
  spi: Spi;
  cipher?: CipherSuite;
  integrity?: IntegritySuite;
}

export interface PreparedCommand {
  cntr: number;
  /** The command packet from CPL on. */
  packet: Bytes;
  /** SMS-DELIVER TPDUs, in order (one unless concatenated). */
  tpdus: Bytes[];
  /** ENVELOPE (SMS-PP DOWNLOAD) command APDUs, one per TPDU. */
  envelopes: Bytes[];
  expect: PorExpectation;
}

export type PorResult =
  | { ok: true; status: number; statusName: string; tar: number; cntr: number; data: Bytes; secured: boolean }
  | { ok: false; error: string };

interface Suites {
  cipher?: CipherSuite;
  integrity?: IntegritySuite;
  porCipher?: CipherSuite;
  porIntegrity?: IntegritySuite;
}

/** The keys and algorithms the SPI, KIc and KID call for. Throws RangeError when a key is missing or unfit. */
export function resolveSuites(spi: Spi, kic: number, kid: number, keysets: readonly OtaKeyset[]): Suites {
  const byKvn = (kvn: number) => keysets.find((k) => k.kvn === kvn);
  const out: Suites = {};
  if (spi.ciphered || spi.porCiphered) {
    const c = resolveBlockKey(kic, byKvn(kvnOf(kic))?.kic);
    if (!c) throw new RangeError(`no usable ciphering key for KIc ${kic.toString(16).padStart(2, '0')}`);
    if (spi.ciphered) out.cipher = c;
    if (spi.porCiphered) out.porCipher = c;
  }
  const integrityFor = (kind: Spi['integrity']): IntegritySuite | undefined => {
    if (kind === 'none') return undefined;
    if (kind === 'ds') throw new RangeError('digital signatures are not supported');
    const s = resolveIntegrity(kind, kid, byKvn(kvnOf(kid))?.kid);
    if (!s)
      throw new RangeError(`no usable ${kind.toUpperCase()} for KID ${kid.toString(16).padStart(2, '0')}`);
    return s;
  };
  const integrity = integrityFor(spi.integrity);
  const porIntegrity = integrityFor(spi.porIntegrity);
  if (integrity) out.integrity = integrity;
  if (porIntegrity) out.porIntegrity = porIntegrity;
  return out;
}

/** TP-SCTS for a date, in UTC (TS 23.040 §9.2.3.11: swapped BCD semi-octets, time zone 0). */
export function sctsOf(d: Date): Bytes {
  const swap = (n: number) => ((n % 10) << 4) | Math.floor(n / 10);
  return Uint8Array.of(
    swap(d.getUTCFullYear() % 100),
    swap(d.getUTCMonth() + 1),
    swap(d.getUTCDate()),
    swap(d.getUTCHours()),
    swap(d.getUTCMinutes()),
    swap(d.getUTCSeconds()),
    0,
  );
}

/** SMS-DELIVER TPDUs carrying a command packet: UDH IEI 70, PID 7F, DCS F6; concatenated if needed. */
export function buildSmsDeliverTpdus(packet: Bytes, ref: number, sms: SmsOptions = {}): Bytes[] {
  const cpi: UdhIe = { iei: IEI_CPI, data: new Uint8Array(0) };
  const uds = splitUserData([cpi], packet, ref, sms.ref16 ?? false);
  if (!uds) throw new RangeError('command packet too long for 255 concatenated SMS');
  const oa = sms.originator ?? smsAddress('12345678');
  const scts = sms.scts ?? sctsOf(new Date());
  return uds.map((ud) =>
    encodeSmsDeliver({ udhi: true, oa, pid: PID_SIM_DATA_DOWNLOAD, dcs: DCS_8BIT_CLASS2, scts, ud }),
  );
}

/** ENVELOPE (SMS-PP DOWNLOAD) APDU for one SMS-DELIVER TPDU. */
export function buildEnvelopeApdu(tpdu: Bytes, sms: SmsOptions = {}): Bytes {
  const data = encodeSmsPpEnvelope(sms.smsc ? { smsc: sms.smsc, tpdu } : { tpdu });
  return buildCommand(sms.cla ?? 0x80, 0xc2, 0x00, 0x00, data);
}

/** Checks a decoded response packet against what was sent. */
function verifyPor(packet: Bytes, expect: PorExpectation): PorResult {
  const d = decodeResponsePacket(packet, {
    ...(expect.cipher ? { cipher: expect.cipher } : {}),
    ...(expect.integrity ? { integrity: expect.integrity } : {}),
  });
  if (!d.ok) return d;
  const p = d.por;
  if (p.tar !== expect.tar) return { ok: false, error: 'PoR TAR differs from the command TAR' };
  if (p.status === POR.OK || p.status === POR.SENT_BY_SMS_SUBMIT) {
    // A success must come protected as SPI2 asked; only failure reports may come unprotected.
    if ((expect.cipher || expect.integrity) && !p.secured)
      return { ok: false, error: 'PoR OK without the protection SPI2 asked for' };
    if (p.cntr !== expect.cntr) return { ok: false, error: 'PoR does not echo the command counter' };
  }
  return {
    ok: true,
    status: p.status,
    statusName: porStatusName(p.status),
    tar: p.tar,
    cntr: p.cntr,
    data: p.data,
    secured: p.secured,
  };
}

export class OtaServer {
  private ref = 0;

  constructor(readonly counters: CounterBook = new CounterBook()) {}

  /** Builds the packet, TPDUs and ENVELOPEs of one command; takes a counter from the book when needed. */
  prepare(req: OtaCommandRequest, sms: SmsOptions = {}): PreparedCommand {
    const s = resolveSuites(req.spi, req.kic, req.kid, req.keysets);
    const cntr = req.cntr ?? (req.spi.counter === 'none' ? 0 : this.counters.next(req.iccid, req.tar));
    const packet = encodeCommandPacket({
      spi: req.spi,
      kic: req.kic,
      kid: req.kid,
      tar: req.tar,
      cntr,
      data: req.script,
      ...(s.cipher ? { cipher: s.cipher } : {}),
      ...(s.integrity ? { integrity: s.integrity } : {}),
    });
    const tpdus = buildSmsDeliverTpdus(packet, this.ref, sms);
    if (tpdus.length > 1) this.ref = (this.ref + 1) & (sms.ref16 ? 0xffff : 0xff);
    const expect: PorExpectation = { tar: req.tar, cntr, spi: req.spi };
    if (s.porCipher) expect.cipher = s.porCipher;
    if (s.porIntegrity) expect.integrity = s.porIntegrity;
    return { cntr, packet, tpdus, envelopes: tpdus.map((t) => buildEnvelopeApdu(t, sms)), expect };
  }

  /** Reads the PoR from the ENVELOPE response data (the response packet with its UDH 02 71 00). */
  readPorFromEnvelopeResponse(expect: PorExpectation, data: Bytes): PorResult {
    const ud = parseUserData(data, true);
    if (!ud?.ies.some((ie) => ie.iei === IEI_RPI))
      return { ok: false, error: 'no response packet identifier' };
    return verifyPor(ud.payload, expect);
  }

  /** Reads the PoR from the SEND SHORT MESSAGE proactive commands the card issued (FETCH data), in order. */
  readPorFromSendShortMessages(expect: PorExpectation, commands: readonly Bytes[]): PorResult {
    const state: ReassemblyState = {};
    for (const cmd of commands) {
      const ssm = decodeSendShortMessage(cmd);
      const submit = ssm && decodeSmsSubmit(ssm.tpdu);
      const ud = submit && parseUserData(submit.ud, submit.udhi);
      if (!ud) return { ok: false, error: 'not a SEND SHORT MESSAGE with an SMS-SUBMIT' };
      const info = concatInfo(ud.ies);
      const whole = info
        ? addSegment(state, 'card', info, ud.ies, ud.payload)
        : { done: true as const, ...ud };
      if (!whole.done) continue;
      if (!whole.ies.some((ie) => ie.iei === IEI_RPI))
        return { ok: false, error: 'no response packet identifier' };
      return verifyPor(whole.payload, expect);
    }
    return { ok: false, error: 'concatenated PoR incomplete' };
  }
}
