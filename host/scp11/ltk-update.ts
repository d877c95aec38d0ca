// The operator's long-term key update of one profile through the card's security domain (3GPP TR 33.834
// "certificate based negotiation"; the card side is applets/security-domain/applet.ts), over any transport:
//
//   1. SELECT the security domain; GET DATA 00E0 names the SCP11a key (KID 11) and its KVN;
//   2. SCP11a (oce.ts): the card's certificate chain verified against CA-KLCC, the OCE chain uploaded by PSO,
//      MUTUAL AUTHENTICATE, receipt checked;
//   3. profile update (INS D4): fresh random keys sent under S-DEK (transport mode), or both ends derive them
//      from the session (derivation mode); the card's key check values must match;
//   4. the HSS record takes the new K / OPc, keeping its SEQ_HE (the card keeps its SQN state too);
//   5. re-attach: SELECT ADF.USIM, AUTHENTICATE with a vector of the HSS (RES = XRES, with a resync if the
//      card answers AUTS), then a vector made with the old keys, which the card must refuse with 9862.
//
// Host code: protocol failures throw an Error naming the step and the status word; key values never appear
// in steps or errors (key check values do).

import { randomBytes } from 'node:crypto';
import { computeOpc } from '../../applets/aka/milenage.js';
import { computeTopc, DEFAULT_TUAK_PARAMS } from '../../applets/aka/tuak.js';
import { kcv } from '../../applets/security-domain/aes.js';
import type { EcKeyPair } from '../../applets/security-domain/ec.js';
import type { GpCertificate, IssuerKey } from '../../applets/security-domain/gp-certificate.js';
import type { ProfileKeys } from '../../applets/security-domain/profile-update.js';
import { SCP11_KID } from '../../applets/security-domain/scp11-keys.js';
import { buildCommand, dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, wipe } from '../../card-os/bytes.js';
import { swHex, swName } from '../../card-os/sw.js';
import { parseBer, readBer } from '../../card-os/tlv.js';
import { type AttachStep, attach, authenticateApdu, selectUsim, send } from '../network/attach.js';
import { type Auc, createAuc } from '../network/auc.js';
import type { SubscriberRecord } from '../network/subscribers.js';
import { claOnChannel } from '../transport/cla.js';
import type { Transport } from '../transport/transport.js';
import { openScp11 } from './oce.js';

/** What the off-card entity holds: its certificate chain and key, and the anchor of the cards' chains. */
export interface OceCredentials {
  /** CA-issued certificates first, CERT.OCE.ECKA last. */
  certificates: readonly Bytes[];
  keyPair: EcKeyPair;
  /** PK.CA-KLCC.ECDSA and its key id. */
  cardCa: IssuerKey;
}

export type LtkStep =
  | { kind: 'select'; aid: Bytes }
  | { kind: 'sd-key'; kid: number; kvn: number }
  | { kind: 'session'; cardCertificate: GpCertificate; oceCertificates: number; securityLevel: number }
  | {
      kind: 'updated';
      profileId: string;
      mode: 'transport' | 'derive';
      /** Where the new OPc came from: the operator's OP and the new K, random, or derived on both ends. */
      opc: 'from OP' | 'random' | 'derived';
      kcvK: Bytes;
      kcvOpc: Bytes;
    }
  | { kind: 'hss'; imsi: string }
  | { kind: 'attach'; step: AttachStep }
  | { kind: 'old-key'; sw: number };

export interface LtkUpdateOptions {
  transport: Transport;
  sdAid: Bytes;
  /** Profile identity: the key-slot index (00 = the active subscription of a card without slots). */
  profileId: number;
  mode: 'transport' | 'derive';
  /** The operator's HSS; the subscriber's record is replaced once the card has the new keys. */
  hss: Auc;
  imsi: string;
  oce: OceCredentials;
  /** PIN1 the device verifies before the closing AUTHENTICATE (omit when PIN1 is disabled). */
  pin1?: string;
  /** Logical channel for the security-domain commands (default 0). */
  channel?: number;
  now?: () => Date;
  /** Key source for transport mode (default node:crypto). */
  random?: (n: number) => Bytes;
  onStep?: (s: LtkStep) => void;
}

export interface LtkUpdateResult {
  /** The new keys authenticate and the old ones are refused. */
  ok: boolean;
  newKeyAccepted: boolean;
  /** Status word of AUTHENTICATE with a vector of the old keys (9862 expected). */
  oldKeySw: number;
  kcvK: Bytes;
  kcvOpc: Bytes;
}

const ISD_KEY_INFORMATION = 0xe0;
const SW_MAC_FAILURE = 0x9862;

function expectOk(step: string, resp: Bytes): Bytes {
  const sw = swOf(resp);
  if (sw !== 0x9000) throw new Error(`${step} failed: ${swHex(sw)} (${swName(sw)})`);
  return dataOf(resp);
}

/** KVN of the SD key with this KID, from the key information template (GET DATA 00E0, GPC v2.3.1 §11.3.3.1). */
export function sdKeyVersion(keyInformation: Bytes, kid: number): number | undefined {
  const e0 = readBer(keyInformation);
  const entries = e0?.tag === ISD_KEY_INFORMATION ? parseBer(e0.value) : undefined;
  const entry = entries?.find((t) => t.tag === 0xc0 && t.value.length >= 2 && t.value[0] === kid);
  return entry?.value[1];
}

/**
 * The new keys for transport mode: a fresh K, and OPc from the operator's OP when it has one. A TUAK
 * subscriber gets a K of its current length (128 or 256 bits) and TOPc (from TOP, or random), 256 bits
 * (TS 35.231 §4); the card's record keeps the algorithm, so TOPc travels where OPc does.
 */
function freshKeys(
  record: SubscriberRecord,
  random: (n: number) => Bytes,
): ProfileKeys & { opcFrom: 'from OP' | 'random' } {
  if (record.algorithm === 'tuak') {
    const k = random(record.k.length);
    const iterations = (record.tuak ?? DEFAULT_TUAK_PARAMS).iterations;
    if (record.top) return { k, opc: computeTopc(k, record.top, iterations), opcFrom: 'from OP' };
    return { k, opc: random(32), opcFrom: 'random' };
  }
  const k = random(16);
  if (record.op) return { k, opc: computeOpc(k, record.op), opcFrom: 'from OP' };
  return { k, opc: random(16), opcFrom: 'random' };
}

export async function updateLongTermKeys(o: LtkUpdateOptions): Promise<LtkUpdateResult> {
  const step = o.onStep ?? (() => {});
  const t = o.transport;
  const channel = o.channel ?? 0;
  const cla = (base: number) => claOnChannel(base, channel);
  const old = o.hss.records().find((r) => r.imsi === o.imsi);
  if (!old) throw new Error(`the HSS has no subscriber ${o.imsi}`);
  if (o.profileId < 0 || o.profileId > 0xff || !Number.isInteger(o.profileId))
    throw new Error(`a profile identity is one byte, not ${o.profileId}`);

  // 1. The security domain and its SCP11a key.
  expectOk('SELECT security domain', await send(t, buildCommand(cla(0x00), 0xa4, 0x04, 0x00, o.sdAid, 256)));
  step({ kind: 'select', aid: o.sdAid });
  const info = expectOk(
    'GET DATA 00E0',
    await send(t, buildCommand(cla(0x80), 0xca, 0x00, 0xe0, undefined, 256)),
  );
  const kvn = sdKeyVersion(info, SCP11_KID.A);
  if (kvn === undefined) throw new Error('the security domain has no SCP11a key (KID 11)');
  step({ kind: 'sd-key', kid: SCP11_KID.A, kvn });

  // 2. SCP11a.
  const oce = await openScp11({
    transmit: (apdu) => send(t, apdu),
    certificates: o.oce.certificates,
    keyPair: o.oce.keyPair,
    cardCa: o.oce.cardCa,
    sdKvn: kvn,
    channel,
    ...(o.now ? { now: o.now } : {}),
  });
  step({
    kind: 'session',
    cardCertificate: oce.cardCertificate,
    oceCertificates: o.oce.certificates.length,
    securityLevel: oce.session.securityLevel,
  });

  // 3. Profile update.
  const id = Uint8Array.of(o.profileId);
  const fresh =
    o.mode === 'transport' ? freshKeys(old, o.random ?? ((n) => new Uint8Array(randomBytes(n)))) : undefined;
  const outcome = await oce.updateProfile(id, fresh ? { k: fresh.k, opc: fresh.opc } : { derive: true });
  if (!outcome.ok) {
    wipe(fresh?.k);
    wipe(fresh?.opc);
    throw new Error(`profile update refused: ${swHex(outcome.sw)} (${swName(outcome.sw)})`);
  }
  const keys = outcome.keys;
  const kcvK = kcv(keys.k);
  const kcvOpc = kcv(keys.opc);
  step({
    kind: 'updated',
    profileId: outcome.profileId,
    mode: o.mode,
    opc: fresh ? fresh.opcFrom : 'derived',
    kcvK,
    kcvOpc,
  });

  // 4. The HSS follows. With an OP (TOP) the operator keeps it (OPc follows K); otherwise it now holds the
  // OPc (TOPc for a TUAK subscriber).
  const updated: SubscriberRecord =
    fresh?.opcFrom === 'from OP'
      ? { ...old, k: keys.k }
      : old.algorithm === 'tuak'
        ? { ...old, k: keys.k, topc: keys.opc, top: undefined }
        : { ...old, k: keys.k, opc: keys.opc, op: undefined };
  o.hss.add(updated);
  wipe(keys.k);
  wipe(keys.opc);
  step({ kind: 'hss', imsi: o.imsi });

  // 5. Re-attach with the new keys, then the old keys must fail.
  await selectUsim(t, o.pin1);
  const r = await attach(t, o.hss, o.imsi, (s) => step({ kind: 'attach', step: s }));
  const stale = createAuc([old]).generateVector(o.imsi);
  const oldKeySw = swOf(await send(t, authenticateApdu(stale.rand, stale.autn)));
  step({ kind: 'old-key', sw: oldKeySw });
  wipe(old.k);
  return {
    ok: r.ok && oldKeySw === SW_MAC_FAILURE,
    newKeyAccepted: r.ok,
    oldKeySw,
    kcvK,
    kcvOpc,
  };
}
