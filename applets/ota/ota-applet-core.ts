// The card side of OTA over SMS-PP: ENVELOPE (SMS-PP DOWNLOAD) in, PoR out. Pure logic; the card OS supplies
// the environment (configuration, counters, a remote APDU session, transactions) through `OtaEnv`.
//
// Processing order (TS 102 225 §5.1, TS 31.115 §6): transport (ENVELOPE, SMS-DELIVER, UDH, concatenation)
// -> clear header -> TAR (09) -> SPI and keys usable (06) -> minimum security level (0A) -> decipher (05)
// -> RC/CC (01) -> counter (02/03/04) -> [transaction: store counter, run the remote commands] -> PoR.
// Nothing is written before every security check has passed. A failed check is answered by an unprotected
// PoR carrying the status (RHL 0A, CNTR zero, no data), as real cards do, never by a bare status word; the
// PoR OK is protected as SPI2 asks and goes back in the ENVELOPE response or, when SPI2 b6 asks for
// SMS-SUBMIT, in proactive SEND SHORT MESSAGE commands while the ENVELOPE response carries a PoR with
// status 0B (TS 31.115 §7).

import { type Bytes, concat } from '../../card-os/bytes.js';
import { PowerLoss } from '../../card-os/nvm.js';
import { SW } from '../../card-os/sw.js';
import { kvnOf } from '../subscriptions/kic-kid.js';
import type { OtaConfig, OtaContext, OtaKeyset, TarConfig, TarKeyset } from '../subscriptions/ota-records.js';
import { type CommandHeader, openCommandPacket, readCommandHeader } from './command-packet.js';
import { checkCounter } from './counter.js';
import { decodeSmsPpEnvelope } from './envelope-sms-pp.js';
import {
  type CipherSuite,
  type IntegritySuite,
  resolveBlockKey,
  resolveIntegrity,
} from './packet-security.js';
import { POR } from './por-status.js';
import { runRemoteCommands } from './remote-commands.js';
import { encodeResponsePacket, RPI_UDH } from './response-packet.js';
import { encodeSendShortMessage } from './send-short-message.js';
import { addSegment, type ReassemblyState } from './sms-reassembly.js';
import {
  addressDigits,
  DCS_8BIT_CLASS2,
  dcsAlphabet,
  decodeSmsDeliver,
  encodeSmsSubmit,
  PID_SIM_DATA_DOWNLOAD,
  type SmsAddress,
} from './sms-tpdu.js';
import { decodeSpi, meetsMsl, type Spi } from './spi.js';
import { concatInfo, IEI_CPI, IEI_RPI, parseUserData, splitUserData } from './user-data-header.js';

/** A remote APDU session: its own selection state, started in the TAR's context with the granted rights. */
export interface RemoteApduSession {
  /** Runs one command APDU and returns data || SW1 SW2. Must not throw. */
  execute(apdu: Bytes): Bytes;
}

export interface OtaEnv {
  readonly config: OtaConfig;
  /** RAM state kept between ENVELOPEs (concatenated SMS); make a fresh one with createOtaSession at reset. */
  readonly session: OtaSession;
  /** The last accepted CNTR of a TAR (0 if none yet). */
  loadCounter(tar: number): number;
  /** Persists a new CNTR for a TAR; only called inside `transaction`. */
  saveCounter(tar: number, value: number): void;
  /**
   * Opens an isolated session for one command packet's script. Context 'uicc' starts with the MF selected,
   * 'usim' with ADF.USIM; `grants` are key references (e.g. 0x0A ADM1) that count as verified. The session
   * applies the normal access rules. Compact scripts arrive as T=0 terminals send them (case 4 without Le),
   * so a command with response data but no Le must answer 61xx and keep the data for GET RESPONSE.
   */
  openRemoteSession(context: OtaContext, grants: readonly number[]): RemoteApduSession;
  /** Runs `fn` atomically with respect to NVM (counter update and the script's writes). */
  transaction<T>(fn: () => T): T;
}

export interface OtaSession {
  reassembly: ReassemblyState;
  /** Reference number for the next concatenated SMS-SUBMIT. */
  nextRef: number;
}

export function createOtaSession(): OtaSession {
  return { reassembly: {}, nextRef: 0 };
}

/**
 * The answer to the ENVELOPE. `sw` is 9000 when the envelope was accepted (the card OS turns `data` into
 * 61xx/GET RESPONSE or direct response data as its transport requires) or the error SW for an envelope that
 * is no well-formed SMS-PP download of a secured packet. `proactive` holds SEND SHORT MESSAGE commands (D0)
 * to queue, in order (one per SMS segment), for 91xx / FETCH / TERMINAL RESPONSE.
 */
export interface EnvelopeResult {
  sw: number;
  data?: Bytes;
  proactive?: Bytes[];
}

const WRONG_DATA: EnvelopeResult = { sw: SW.WRONG_DATA };
const ACCEPTED: EnvelopeResult = { sw: SW.OK };

/** Handles ENVELOPE (SMS-PP DOWNLOAD): `envelopeData` is the command data field (D1 ...). Never throws. */
export function handleSmsPpEnvelope(envelopeData: Bytes, env: OtaEnv): EnvelopeResult {
  try {
    return handle(envelopeData, env);
  } catch (e) {
    // A simulated tear (PowerLoss from the NVM) must reach the test that caused it: the card is dead.
    if (e instanceof PowerLoss) throw e;
    // Only an environment callback that breaks its no-throw contract gets here.
    return { sw: SW.TECHNICAL_PROBLEM };
  }
}

function handle(envelopeData: Bytes, env: OtaEnv): EnvelopeResult {
  const dl = decodeSmsPpEnvelope(envelopeData);
  if (!dl) return WRONG_DATA;
  const sms = decodeSmsDeliver(dl.tpdu);
  // TS 31.115 §6: secured packets come as 8-bit data with PID (U)SIM data download and a UDH.
  if (!sms || sms.pid !== PID_SIM_DATA_DOWNLOAD || dcsAlphabet(sms.dcs) !== '8bit' || !sms.udhi)
    return WRONG_DATA;
  const ud = parseUserData(sms.ud, true);
  if (!ud) return WRONG_DATA;
  let ies = ud.ies;
  let packet = ud.payload;
  const concatenated = concatInfo(ies);
  if (concatenated) {
    const r = addSegment(env.session.reassembly, addressDigits(sms.oa), concatenated, ies, packet);
    if (!r.done) return ACCEPTED;
    ies = r.ies;
    packet = r.payload;
  }
  if (!ies.some((ie) => ie.iei === IEI_CPI)) return WRONG_DATA;
  const outcome = processCommandPacket(packet, env);
  if (!outcome) return WRONG_DATA;
  return deliverPor(outcome, env, sms.oa, dl.smsc);
}

interface Outcome {
  /** Undefined when SPI could not be decoded: the PoR is then sent regardless. */
  spi: Spi | undefined;
  tar: number;
  status: number;
  cntr: number;
  data: Bytes;
  cipher?: CipherSuite;
  integrity?: IntegritySuite;
}

function failure(h: CommandHeader, spi: Spi | undefined, status: number): Outcome {
  return { spi, tar: h.tar, status, cntr: 0, data: new Uint8Array(0) };
}

/** The keyset a key version names, if the TAR accepts it. */
function keysetFor(
  config: OtaConfig,
  tar: TarConfig,
  kvn: number,
): { keyset: OtaKeyset; grant: TarKeyset } | undefined {
  const grant = tar.keysets.find((k) => k.kvn === kvn);
  const keyset = grant && config.keysets.find((k) => k.kvn === kvn);
  return keyset && grant ? { keyset, grant } : undefined;
}

/** Runs one complete command packet; undefined if it is too short to hold even the clear header. */
function processCommandPacket(pkt: Bytes, env: OtaEnv): Outcome | undefined {
  const h = readCommandHeader(pkt);
  if (!h) return undefined;
  const spi = decodeSpi(h.spi1, h.spi2);
  const tar = env.config.tars.find((t) => t.tar === h.tar);
  if (!tar) return failure(h, spi, POR.TAR_UNKNOWN);
  // Digital signatures and the reserved PoR coding are not supported.
  if (!spi || spi.integrity === 'ds' || spi.porIntegrity === 'ds') return failure(h, spi, POR.SECURITY_ERROR);
  if (!meetsMsl(spi, tar.msl)) return failure(h, spi, POR.INSUFFICIENT_SECURITY);

  const kicSet = keysetFor(env.config, tar, kvnOf(h.kic));
  const kidSet = keysetFor(env.config, tar, kvnOf(h.kid));
  const cipher = spi.ciphered || spi.porCiphered ? resolveBlockKey(h.kic, kicSet?.keyset.kic) : undefined;
  const integrity =
    spi.integrity === 'none' ? undefined : resolveIntegrity(spi.integrity, h.kid, kidSet?.keyset.kid);
  const porIntegrity =
    spi.porIntegrity === 'none' ? undefined : resolveIntegrity(spi.porIntegrity, h.kid, kidSet?.keyset.kid);
  if (
    ((spi.ciphered || spi.porCiphered) && !cipher) ||
    (spi.integrity !== 'none' && !integrity) ||
    (spi.porIntegrity !== 'none' && !porIntegrity)
  )
    return failure(h, spi, POR.SECURITY_ERROR);

  const opened = openCommandPacket(pkt, h, spi.ciphered ? cipher : undefined, integrity);
  if (!opened.ok) return failure(h, spi, opened.status);
  const counter = checkCounter(spi.counter, opened.cntr, spi.counter === 'none' ? 0 : env.loadCounter(h.tar));
  if (!counter.ok) return failure(h, spi, counter.status);

  // The rights come from the keyset that authenticated the packet (CC), else from the one that ciphered it.
  const grants = integrity?.kind === 'cc' ? kidSet!.grant.grants : spi.ciphered ? kicSet!.grant.grants : [];
  const data = env.transaction(() => {
    if (counter.store !== undefined) env.saveCounter(h.tar, counter.store);
    const session = env.openRemoteSession(tar.context, grants);
    return runRemoteCommands(opened.data, (apdu) => session.execute(apdu));
  });
  const out: Outcome = { spi, tar: h.tar, status: POR.OK, cntr: opened.cntr, data };
  if (spi.porCiphered) out.cipher = cipher;
  if (porIntegrity) out.integrity = porIntegrity;
  return out;
}

function deliverPor(
  o: Outcome,
  env: OtaEnv,
  originator: SmsAddress,
  smsc: Bytes | undefined,
): EnvelopeResult {
  const wanted = !o.spi || o.spi.por === 'always' || (o.spi.por === 'on-error' && o.status !== POR.OK);
  if (!wanted) return ACCEPTED;
  if (o.status !== POR.OK)
    return {
      sw: SW.OK,
      data: concat(RPI_UDH, encodeResponsePacket({ tar: o.tar, cntr: 0, status: o.status, data: o.data })),
    };
  const full = encodeResponsePacket(o);
  if (o.spi?.porViaSubmit) {
    const ref = env.session.nextRef;
    // A PoR longer than one SMS goes as a concatenated SMS-SUBMIT, IEI 71 in the first segment. Its RC/CC is
    // computed as for a single SMS (over 02 71 00 ...), mirroring the command side [unverified for SUBMIT].
    const segments = splitUserData([{ iei: IEI_RPI, data: new Uint8Array(0) }], full, ref);
    // A PoR too long for 255 segments cannot go by SMS-SUBMIT; it is then returned in the ENVELOPE response.
    if (segments) {
      env.session.nextRef = (ref + 1) & 0xff;
      const proactive = segments.map((ud) =>
        encodeSendShortMessage({
          commandNumber: 1,
          ...(smsc ? { address: smsc } : {}),
          tpdu: encodeSmsSubmit({
            da: originator,
            pid: PID_SIM_DATA_DOWNLOAD,
            dcs: DCS_8BIT_CLASS2,
            udhi: true,
            ud,
          }),
        }),
      );
      const notice = encodeResponsePacket({ ...o, status: POR.SENT_BY_SMS_SUBMIT, data: new Uint8Array(0) });
      return { sw: SW.OK, data: concat(RPI_UDH, notice), proactive };
    }
  }
  return { sw: SW.OK, data: concat(RPI_UDH, full) };
}
