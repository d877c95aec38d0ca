// A mobile network operator: its HSS/AuC (authentication vectors, resynchronisation), its OTA server with
// the OTA keys of the cards it serves, and its own subscription records. Nothing is shared between
// operators: what one hands to another goes through explicit calls (TR 33.812 §5.3.1.2 step 5 for 3a,
// the escrow for 3b).
//
// A subscription is active from `provision` (the commit of a change at the new operator) until `release`
// (the card has moved away): only then does the operator issue vectors for it or send it OTA commands.

import { blockKeyByte } from '../../applets/ota/kic-kid.js';
import type { OtaKeyset } from '../../applets/ota/ota-config.js';
import { decodeSpi, type Spi } from '../../applets/ota/spi.js';
import type { SlotKeys } from '../../applets/subscriptions/slot-store.js';
import type { Bytes } from '../../card-os/bytes.js';
import { readScriptResult, type ScriptResult } from '../keyslots/remote.js';
import { type Auc, type AuthVector, createAuc } from '../network/auc.js';
import { deliverOta } from '../ota/deliver.js';
import { OtaServer, type PorResult } from '../ota/ota-server.js';
import type { Device } from './device.js';

/** UICC RFM TAR (TS 101 220 Annex D), where the key-slot commands run. */
export const RFM_UICC_TAR = 0xb00010;
/** CC + ciphering + counter higher; PoR always, CC + ciphered, in the ENVELOPE response (TS 102 225 §5.1.1). */
export const OTA_SPI: Spi = decodeSpi(0x16, 0x19)!;
const AMF = Uint8Array.of(0x80, 0x00);
const IND_BITS = 5;

export interface Subscription {
  iccid: string;
  imsi: string;
  /** The card's slot this subscription is bound to. */
  index: number;
  k: Bytes;
  opc: Bytes;
  keysets: OtaKeyset[];
  kik?: Bytes;
  active: boolean;
  /** SEQ_HE as far as this operator knows it (after its last vector or resynchronisation). */
  seq: number;
}

export interface OtaOutcome {
  /** The PoR, when the card answered (it may carry an error status). */
  por: PorResult | undefined;
  /** The remote command script's result, from a PoR OK. */
  result: ScriptResult | undefined;
  /** The card asked for a reset (REFRESH) and the device did it. */
  reset: boolean;
}

export interface OperatorOptions {
  name: string;
  mcc: string;
  mnc: string;
  random?: (n: number) => Bytes;
  /** MSINs are allocated after this one (an HSS shard owns a range). */
  firstMsin?: number;
}

export class Operator {
  readonly name: string;
  readonly plmn: string;
  readonly auc: Auc;
  readonly ota = new OtaServer();
  private readonly subs = new Map<string, Subscription>();
  private readonly byImsi = new Map<string, Subscription>();
  private msin = 0;

  constructor(o: OperatorOptions) {
    this.name = o.name;
    this.plmn = o.mcc + o.mnc;
    this.msin = o.firstMsin ?? 0;
    this.auc = createAuc([], o.random ? { random: o.random } : {});
  }

  /** A new IMSI of this operator: MCC ‖ MNC ‖ 10-digit MSIN (TS 23.003 §2.2). */
  allocateImsi(): string {
    return this.plmn + String(++this.msin).padStart(15 - this.plmn.length, '0');
  }

  servesImsi(imsi: string): boolean {
    return imsi.startsWith(this.plmn);
  }

  /** Takes a subscription on (HSS, AuC, OTA keys): the commit of a change, or the first sale. */
  provision(
    iccid: string,
    imsi: string,
    index: number,
    keys: SlotKeys,
    opts: { counter?: number } = {},
  ): void {
    const { k, opc, op } = keys.subscriber;
    if (!opc || op) throw new Error(`${this.name}: ${iccid}: the HSS takes K with OPc`);
    const old = this.subs.get(iccid);
    if (old) this.byImsi.delete(old.imsi);
    const s: Subscription = { iccid, imsi, index, k, opc, keysets: keys.ota, active: true, seq: 0 };
    if (keys.kik) s.kik = keys.kik;
    this.subs.set(iccid, s);
    this.byImsi.set(imsi, s);
    this.auc.add({ imsi, k, opc, amf: AMF, gsm: false, indBits: IND_BITS, seq: 0 });
    if (opts.counter !== undefined) this.ota.counters.set(iccid, RFM_UICC_TAR, opts.counter);
  }

  /** The card moved to another operator: no more vectors, no more OTA. */
  release(iccid: string): void {
    const s = this.subs.get(iccid);
    if (s) s.active = false;
  }

  subscription(iccid: string): Subscription | undefined {
    return this.subs.get(iccid);
  }

  subscriptions(): IterableIterator<Subscription> {
    return this.subs.values();
  }

  /** A vector for an active subscription's IMSI, or undefined (unknown or moved away). */
  challenge(imsi: string): AuthVector | undefined {
    const s = this.byImsi.get(imsi);
    if (!s?.active) return undefined;
    const v = this.auc.generateVector(imsi);
    s.seq = Math.floor(v.sqn / 2 ** IND_BITS);
    return v;
  }

  /** Synchronisation failure (TS 33.102 §6.3.5): true when AUTS checked out and SEQ_HE moved past SQN_MS. */
  resync(imsi: string, rand: Bytes, auts: Bytes): boolean {
    const s = this.byImsi.get(imsi);
    if (!s?.active) return false;
    const r = this.auc.resync(imsi, rand, auts);
    if (r.ok) s.seq = Math.floor(r.sqnMs / 2 ** IND_BITS);
    return r.ok;
  }

  /** New K/OPc for a subscription (after a key rotation), SEQ_HE kept. */
  rekey(iccid: string, keys: { k: Bytes; opc: Bytes; keysets?: OtaKeyset[]; kik?: Bytes }): void {
    const s = this.subs.get(iccid);
    if (!s) throw new Error(`${this.name}: unknown card ${iccid}`);
    s.k = keys.k;
    s.opc = keys.opc;
    if (keys.keysets) s.keysets = keys.keysets;
    if (keys.kik) s.kik = keys.kik;
    this.auc.add({ imsi: s.imsi, k: s.k, opc: s.opc, amf: AMF, gsm: false, indBits: IND_BITS, seq: s.seq });
  }

  /**
   * Sends a remote command script to a card in a secured packet under the subscription's first keyset
   * (as known to this operator: after the card moved away, the keys it still holds are no longer the
   * card's). Works on released subscriptions too, so that tests can show exactly that. `keysets` sends
   * under other keys than the recorded ones (a rotation not yet confirmed).
   */
  async send(device: Device, iccid: string, script: Bytes, keysets?: OtaKeyset[]): Promise<OtaOutcome> {
    const s = this.subs.get(iccid);
    const use = keysets ?? s?.keysets ?? [];
    const ks = use[0];
    if (!s || !ks?.kic || !ks.kid) throw new Error(`${this.name}: no OTA keys for ${iccid}`);
    const d = await deliverOta(device.transport, this.ota, {
      iccid,
      tar: RFM_UICC_TAR,
      spi: OTA_SPI,
      kic: blockKeyByte(ks.kvn, ks.kic.alg),
      kid: blockKeyByte(ks.kvn, ks.kid.alg),
      keysets: use,
      script,
    });
    const result = d.por?.ok && d.por.status === 0 ? readScriptResult(d.por.data) : undefined;
    return { por: d.por, result, reset: d.reset };
  }
}
