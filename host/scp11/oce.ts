// The off-card entity of SCP11a / SCP11b (GPC v2.3 Amd F) over any APDU transport:
// read and verify the card's certificate chain (GET DATA BF21), upload the OCE chain (PSO, SCP11a), run
// MUTUAL / INTERNAL AUTHENTICATE, derive the session keys, check the receipt, then wrap every command.
// Host code: failures throw an Error naming the step and the status word.

import { kcv } from '../../applets/security-domain/aes.js';
import { defaultP256, type EcKeyPair, type P256 } from '../../applets/security-domain/ec.js';
import {
  type GpCertificate,
  type IssuerKey,
  verifyGpChain,
} from '../../applets/security-domain/gp-certificate.js';
import {
  buildProfileUpdate,
  deriveProfileKeys,
  type ProfileKeys,
  parseProfileUpdateResult,
} from '../../applets/security-domain/profile-update.js';
import {
  buildCrt,
  computeReceipt,
  DEFAULT_PARAMS,
  deriveScp11Keys,
  OCE_CA_KID,
  SCP11_I,
  SCP11_KID,
  securityLevelOf,
  TAG,
} from '../../applets/security-domain/scp11-keys.js';
import {
  openSession,
  type ScpSession,
  SECURITY_LEVEL,
  unwrapResponse,
  wrapCommand,
} from '../../applets/security-domain/secure-messaging.js';
import { buildCommand, dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, concat, equal, equalCt, toHex, wipe } from '../../card-os/bytes.js';
import { swHex } from '../../card-os/sw.js';
import { ber, parseBer, readBer } from '../../card-os/tlv.js';
import { claOnChannel } from '../transport/cla.js';
import { transmitT0 } from '../transport/t0-exchange.js';

export type Transmit = (cmd: Bytes) => Promise<Bytes>;

export interface OceConfig {
  transmit: Transmit;
  /** 'a' (default): OCE authenticated by its certificate; 'b': card authenticated only. */
  variant?: 'a' | 'b';
  /** OCE certificate chain, CA-issued first, CERT.OCE.ECKA last (SCP11a). */
  certificates?: readonly Bytes[];
  /** SK/PK.OCE.ECKA (SCP11a). */
  keyPair?: EcKeyPair;
  /** PK.CA-KLCC.ECDSA (and its key id): the anchor of the card's certificate chain. */
  cardCa: IssuerKey;
  /** KVN of the SD ECKA key (KID 11 for SCP11a, 13 for SCP11b). */
  sdKvn: number;
  /** Reference of PK.CA-KLOC.ECDSA on the card for PSO: KID (default 0x10) and KVN (default sdKvn). */
  oceCaKid?: number;
  oceCaKvn?: number;
  /** Key usage qualifier (default 3C: C-MAC, C-ENC, R-MAC, R-ENC) and AES session key length (default 16). */
  kuq?: number;
  keyLength?: number;
  /** Logical channel 0..19 for the handshake commands (class byte coding of TS 102 221 §10.1.1). */
  channel?: number;
  now?: () => Date;
  ec?: P256;
  /** Source of eSK.OCE.ECKA (tests pin it for the §1.7 vector); a fresh object per call (d is wiped). */
  ephemeralKey?: () => EcKeyPair;
}

export type ProfileUpdateOutcome =
  | { ok: true; sw: number; profileId: string; keys: ProfileKeys }
  | { ok: false; sw: number };

export interface OceSession {
  readonly session: ScpSession;
  /** CERT.SD.ECKA as verified. */
  readonly cardCertificate: GpCertificate;
  /** Sends one plain command APDU through the secure channel; returns the unwrapped response. */
  send(apdu: Bytes): Promise<{ data: Bytes; sw: number }>;
  /**
   * Long-term key update of a profile (profile-update.ts): transported keys, or `{ derive: true }` to have
   * both ends derive them. Returns the new keys (derived here in derive mode) once the card's result matches.
   */
  updateProfile(profileId: Bytes, request: ProfileKeys | { derive: true }): Promise<ProfileUpdateOutcome>;
}

const MAX_SHORT_DATA = 255;

function expectOk(step: string, resp: Bytes): Bytes {
  const sw = swOf(resp);
  if (sw !== 0x9000) throw new Error(`${step} failed: SW ${swHex(sw)}`);
  return dataOf(resp);
}

export async function openScp11(config: OceConfig): Promise<OceSession> {
  const ec = config.ec ?? defaultP256;
  const variant = config.variant ?? 'a';
  const channel = config.channel ?? 0;
  const cla = claOnChannel(0x80, channel);
  const kid = variant === 'a' ? SCP11_KID.A : SCP11_KID.B;
  // Long answers come through GET RESPONSE on the command's channel (the host T=0 rules).
  const send = (apdu: Bytes) => transmitT0(config.transmit, apdu, { keepLe: true });

  // 1. The card's certificate chain, leaf last; PK.SD.ECKA from the leaf.
  const ref = ber(0xa6, ber(0x83, Uint8Array.of(kid, config.sdKvn)));
  const bf21 = readBer(expectOk('GET DATA BF21', await send(buildCommand(cla, 0xca, 0xbf, 0x21, ref, 256))));
  const chain = bf21?.tag === 0xbf21 ? parseBer(bf21.value) : undefined;
  if (!chain || chain.length === 0) throw new Error('GET DATA BF21: no certificate chain');
  if (chain.some((c) => c.tag !== 0x7f21))
    throw new Error('GET DATA BF21: only GP (7F21) certificates are supported');
  const verified = verifyGpChain(
    chain.map((c) => bf21!.value.subarray(c.offset, c.offset + c.length)),
    config.cardCa,
    { ec, now: (config.now ?? (() => new Date()))() },
  );
  if ('sw' in verified) throw new Error(`card certificate rejected (${swHex(verified.sw)})`);
  const pkSd = verified.leaf.publicKey;

  // 2. SCP11a: the OCE chain, one PSO per certificate, P2 b8 = more follow; ISO chaining above 255 bytes.
  if (variant === 'a') {
    const certs = config.certificates ?? [];
    if (certs.length === 0 || !config.keyPair)
      throw new Error('SCP11a needs the OCE certificates and key pair');
    const p1 = config.oceCaKvn ?? config.sdKvn;
    for (let i = 0; i < certs.length; i++) {
      const p2 = (config.oceCaKid ?? OCE_CA_KID) | (i < certs.length - 1 ? 0x80 : 0);
      const cert = certs[i]!;
      for (let off = 0; off < cert.length; off += MAX_SHORT_DATA) {
        const last = off + MAX_SHORT_DATA >= cert.length;
        const block = cert.subarray(off, off + MAX_SHORT_DATA);
        expectOk(
          `PSO certificate ${i + 1}`,
          await send(buildCommand(last ? cla : cla | 0x10, 0x2a, p1, p2, block)),
        );
      }
    }
  }

  // 3. MUTUAL AUTHENTICATE (11a) / INTERNAL AUTHENTICATE (11b).
  const params = {
    i: variant === 'a' ? SCP11_I.A : SCP11_I.B,
    kuq: config.kuq ?? DEFAULT_PARAMS.kuq,
    keyType: DEFAULT_PARAMS.keyType,
    keyLength: config.keyLength ?? DEFAULT_PARAMS.keyLength,
  };
  const level = securityLevelOf(params.kuq);
  if (level === undefined) throw new Error(`unsupported key usage qualifier ${params.kuq.toString(16)}`);
  const eOce = (config.ephemeralKey ?? (() => ec.generateKeyPair()))();
  const crtTlv = buildCrt(params);
  const epkOceTlv = ber(TAG.EPK, eOce.q);
  const ins = variant === 'a' ? 0x82 : 0x88;
  const resp = expectOk(
    variant === 'a' ? 'MUTUAL AUTHENTICATE' : 'INTERNAL AUTHENTICATE',
    await send(buildCommand(cla, ins, config.sdKvn, kid, concat(crtTlv, epkOceTlv), 256)),
  );
  const tlvs = parseBer(resp);
  const epkSd = tlvs?.[0]?.tag === TAG.EPK ? tlvs[0].value : undefined;
  const cardReceipt = tlvs?.[1]?.tag === TAG.RECEIPT ? tlvs[1].value : undefined;
  if (!epkSd || !cardReceipt || tlvs!.length !== 2) throw new Error('authenticate: malformed response');

  const shSee = ec.ecdh(eOce.d, epkSd);
  const shSs = ec.ecdh(variant === 'a' ? config.keyPair!.d : eOce.d, pkSd);
  wipe(eOce.d);
  if (!shSee || !shSs) throw new Error('authenticate: invalid ePK.SD.ECKA');
  const derived = deriveScp11Keys(shSee, shSs, params);
  wipe(shSee);
  wipe(shSs);
  const receipt = computeReceipt(derived.receiptKey, crtTlv, epkOceTlv, ber(TAG.EPK, epkSd));
  wipe(derived.receiptKey);
  if (!equalCt(receipt, cardReceipt)) throw new Error('authenticate: receipt does not verify');

  const session = openSession(
    variant === 'a' ? 'SCP11a' : 'SCP11b',
    derived.keys,
    level | (variant === 'a' ? SECURITY_LEVEL.AUTHENTICATED : 0),
    receipt,
    derived.ltkKey,
  );

  async function sendSecure(apdu: Bytes): Promise<{ data: Bytes; sw: number }> {
    return unwrapResponse(session, await send(wrapCommand(session, apdu)));
  }

  async function updateProfile(
    profileId: Bytes,
    request: ProfileKeys | { derive: true },
  ): Promise<ProfileUpdateOutcome> {
    const apdu = buildProfileUpdate(session, profileId, request);
    apdu[0] = claOnChannel(apdu[0]!, channel);
    const { data, sw } = await sendSecure(apdu);
    if (sw !== 0x9000) return { ok: false, sw };
    const result = parseProfileUpdateResult(data);
    const keys = 'derive' in request ? deriveProfileKeys(session.ltkKey, profileId) : request;
    if (!result || result.profileId !== toHex(profileId))
      throw new Error('profile update: result names another profile');
    if (!equal(result.kcvK, kcv(keys.k)) || !equal(result.kcvOpc, kcv(keys.opc)))
      throw new Error('profile update: key check values differ');
    return { ok: true, sw, profileId: result.profileId, keys };
  }

  return { session, cardCertificate: verified.leaf, send: sendSecure, updateProfile };
}
