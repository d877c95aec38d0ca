// The SM-DP+ protocol core (SGP.22 §3.1.3, §5.6 ES9+): mutual authentication with the eUICC, the Bound
// Profile Package, notifications and cancellation, as plain methods on the JSON bodies' objects. No HTTP
// here: the ES9+ server wraps it, and in process the LPA (host/euicc/download.ts) calls it directly.
// Every failure answers the subject/reason code pair of SGP.22 §6.5.1.4 / §6.5.2 and ends nothing but
// what the spec says it ends; sessions live in memory, keyed by the 16-byte random transaction id.

import { createHash, randomBytes } from 'node:crypto';
import { buildBpp } from '../../applets/euicc/bsp.js';
import { bspSessionKeys } from '../../applets/euicc/bsp-kdf.js';
import { child, children, uint } from '../../applets/euicc/der.js';
import {
  CLASS_OPERATIONAL,
  CLASS_PROVISIONING,
  CLASS_TEST,
  EVENT,
  eventBits,
} from '../../applets/euicc/store.js';
import {
  type Certificate,
  checkCertificate,
  KEY_USAGE,
  parseCertificate,
  RSP_ROLE,
} from '../../applets/euicc/x509.js';
import { type Bytes, concat, equal, toHex } from '../../card-os/bytes.js';
import { defaultP256 } from '../../card-os/crypto/p256.js';
import { ber, readBer, type Tlv } from '../../card-os/tlv.js';
import { iccidBytes } from '../euicc/lpa.js';
import type {
  AuthenticateClientRequest,
  AuthenticateClientResponse,
  CancelSessionRequest,
  CancelSessionResponse,
  Es9Functions,
  Es9Response,
  GetBoundProfilePackageRequest,
  GetBoundProfilePackageResponse,
  HandleNotificationRequest,
  HandleNotificationResponse,
  InitiateAuthenticationRequest,
  InitiateAuthenticationResponse,
  SmdpClaim,
  SmdpInventory,
} from './types.js';

export type * from './types.js';

/** A certificate with its private key (DER certificate, raw 32-byte P-256 scalar). */
export interface SmdpCredential {
  certificate: Bytes;
  privateKey: Bytes;
}

export interface SmdpOptions {
  /** The SM-DP+ address (FQDN) the eUICC must be talking to (SGP.22 §5.6.1: smdpAddress). */
  address: string;
  /** CERT.DPauth.ECDSA and SK.DPauth.ECDSA (role 2.23.146.1.2.1.4). */
  dpAuth: SmdpCredential;
  /** CERT.DPpb.ECDSA and SK.DPpb.ECDSA (role 2.23.146.1.2.1.5). */
  dpPb: SmdpCredential;
  /** The CI certificates this SM-DP+ trusts for eUICC/EUM chains (its DP certificates chain to one of them). */
  ciCertificates: Bytes[];
  inventory: SmdpInventory;
  /** hostId of the BSP key derivation (SGP.22 §2.6.4.2), 1..16 bytes. */
  hostId?: Bytes;
  /** Send the Profile Protection Keys (ReplaceSessionKeys, SGP.22 §2.6.6) in the BPP. */
  replaceSessionKeys?: boolean;
  /** Random source (transaction ids, challenges); default node:crypto. */
  random?: (n: number) => Bytes;
  /** Clock for certificate validity and session expiry; default now. */
  now?: () => Date;
  /**
   * A download session not finished within this many seconds ends as failed and its order goes back to the
   * inventory (an LPA that vanished must not hold a profile for ever); default 600.
   */
  sessionTimeoutSeconds?: number;
}

export type Smdp = Es9Functions;

/** SGP.22 §6.5.1.4 subject and reason codes this core answers. */
export const ES9_CODE = {
  badAddress: ['8.8.1', '3.8'],
  noCommonCi: ['8.8.2', '3.1'],
  unknownTransaction: ['8.10.1', '3.9'],
  badEuiccChain: ['8.1.3', '6.1'],
  eidOutsideEum: ['8.1.4', '6.1'],
  badEuiccSignature: ['8.1', '6.1'],
  matchingIdRefused: ['8.2.6', '3.8'],
  eidRefused: ['8.1.1', '3.8'],
  profileInUse: ['8.2', '3.5'],
  ccMissing: ['8.2.7', '2.2'],
  ccRefused: ['8.2.7', '3.8'],
  euiccRefused: ['8.1', '3.8'],
  badInput: ['1.2.1', '2.1'],
} as const satisfies Record<string, readonly [string, string]>;

type Code = keyof typeof ES9_CODE;

/** Open download sessions kept at most (each a few hundred bytes). */
const MAX_SESSIONS = 10_000;

interface Session {
  tid: Bytes;
  /** When initiateAuthentication opened it (ms, the core's clock). */
  opened: number;
  serverChallenge: Bytes;
  ci: Certificate;
  stage: 'initiated' | 'authenticated' | 'bpp';
  eid?: string;
  euicc?: Certificate;
  claim?: SmdpClaim;
  /** smdpSignature2 as sent (`5F37 40 …`), covered by euiccSignature2. */
  smdpSignature2?: Bytes;
  metadata?: Bytes;
}

const b64 = (b: Bytes) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
function unb64(s: unknown): Bytes | undefined {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return new Uint8Array(Buffer.from(s, 'base64'));
}
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Bytes) => new TextDecoder().decode(b);
const tlvOf = (parent: Bytes, t: Tlv) => parent.subarray(t.offset, t.offset + t.length);

const success = <T extends object>(body: T): T & Es9Response => ({
  header: { functionExecutionStatus: { status: 'Executed-Success' } },
  ...body,
});

function failed(code: Code, message: string): Es9Response {
  const [subjectCode, reasonCode] = ES9_CODE[code];
  return {
    header: {
      functionExecutionStatus: { status: 'Failed', statusCodeData: { subjectCode, reasonCode, message } },
    },
  };
}

/** ProfileClass of StoreMetadata (SGP.22 §5.5.3). */
const CLASS_VALUE = { test: CLASS_TEST, provisioning: CLASS_PROVISIONING, operational: CLASS_OPERATIONAL };
const PPR_BIT = { ppr1: 1, ppr2: 2 };

/** The StoreMetadataRequest (BF25, SGP.22 §5.5.3) of a claimed profile: also ES9+ profileMetadata. */
export function storeMetadata(claim: SmdpClaim, notificationAddress: string): Bytes {
  const m = claim.metadata;
  const nci = [EVENT.install, EVENT.enable, EVENT.disable, EVENT.delete].map((e) =>
    ber(0x30, ber(0x80, eventBits(e)), ber(0x81, utf8(notificationAddress))),
  );
  const ppr = m.ppr?.length
    ? (() => {
        const highest = Math.max(...m.ppr.map((p) => PPR_BIT[p]));
        let bits = 0;
        for (const p of m.ppr) bits |= 0x80 >> PPR_BIT[p];
        return [ber(0x99, Uint8Array.of(7 - highest, bits))];
      })()
    : [];
  return ber(
    0xbf25,
    ber(0x5a, iccidBytes(claim.iccid)),
    ber(0x91, utf8(m.spn ?? '')),
    ber(0x92, utf8(m.name ?? '')),
    ...(m.class ? [ber(0x95, Uint8Array.of(CLASS_VALUE[m.class]))] : []),
    ber(0xb6, ...nci),
    ...ppr,
  );
}

/** SHA-256 of a confirmation code as typed: what an SM-DP+ keeps of it (SGP.22 §3.1.3.2). */
export function confirmationCodeDigest(code: string): Bytes {
  return new Uint8Array(createHash('sha256').update(utf8(code)).digest());
}

/** hashCc (SGP.22 §3.1.3.2): SHA-256( SHA-256(confirmation code) ‖ transactionId ). */
export function hashCcOf(codeDigest: Bytes, tid: Bytes): Bytes {
  return new Uint8Array(createHash('sha256').update(codeDigest).update(tid).digest());
}

/** hashCc from the code itself, as the LPA computes it. */
export function confirmationCodeHash(code: string, tid: Bytes): Bytes {
  return hashCcOf(confirmationCodeDigest(code), tid);
}

export function createSmdp(o: SmdpOptions): Smdp {
  const random = o.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const now = () => (o.now ? o.now() : new Date()).getTime();
  const hostId = o.hostId ?? utf8('uicc-smdp');
  if (hostId.length < 1 || hostId.length > 16)
    throw new Error('SM-DP+: hostId must be 1 to 16 bytes (SGP.22 §2.6.4.2)');
  const dpAuth = parseCertificate(o.dpAuth.certificate);
  const dpPb = parseCertificate(o.dpPb.certificate);
  if (!dpAuth || !dpPb)
    throw new Error('SM-DP+: the DPauth or DPpb certificate is not a P-256 X.509 certificate');
  const cis = o.ciCertificates.map((c) => {
    const p = parseCertificate(c);
    if (!p?.ski) throw new Error('SM-DP+: a CI certificate is not a P-256 X.509 certificate with an SKI');
    return p;
  });
  const smdpOid = dpAuth.rid ?? new Uint8Array(0);
  const sessions = new Map<string, Session>();
  const sign = (data: Bytes, key: Bytes) => ber(0x5f37, defaultP256.sign(data, key, 'raw'));

  const timeoutMs = (o.sessionTimeoutSeconds ?? 600) * 1000;

  /** Ends the sessions that outlived the timeout, oldest first (the map keeps opening order). */
  function expire(): void {
    const t = now();
    for (const s of sessions.values()) {
      if (t - s.opened < timeoutMs) break;
      end(s, false, 'session expired');
    }
  }

  function lookup(tidHex: unknown): Session | undefined {
    expire();
    return typeof tidHex === 'string' ? sessions.get(tidHex.toUpperCase()) : undefined;
  }

  function end(s: Session, installed: boolean, reason?: string): void {
    sessions.delete(toHex(s.tid));
    if (s.claim)
      o.inventory.settle(s.claim.matchingId, {
        installed,
        eid: s.eid ?? '',
        iccid: s.claim.iccid,
        ...(reason ? { reason } : {}),
      });
  }

  /** Verifies EUM -> CI and eUICC -> EUM (SGP.22 §4.5.2.2) and the EID against the EUM's prefixes. */
  function euiccChain(ci: Certificate, eumDer: Bytes, euiccDer: Bytes): Certificate | Code {
    const eum = parseCertificate(eumDer);
    const euicc = parseCertificate(euiccDer);
    const t = now();
    if (
      checkCertificate(eum, {
        role: RSP_ROLE.eum,
        keyUsage: KEY_USAGE.keyCertSign,
        issuerKey: ci.publicKey,
        issuerSki: ci.ski!,
        now: t,
      }) !== 'ok'
    )
      return 'badEuiccChain';
    if (
      checkCertificate(euicc, {
        role: RSP_ROLE.euicc,
        issuerKey: eum!.publicKey,
        issuerSki: eum!.ski!,
        now: t,
      }) !== 'ok'
    )
      return 'badEuiccChain';
    const eid = euicc!.subjectSerialNumber;
    if (!eid || !eum!.permittedSerialNumbers.some((p) => eid.startsWith(p))) return 'eidOutsideEum';
    return euicc!;
  }

  /** An ES10 answer the LPA relays: its ok branch (A0) with `n` parts, or the Failed response to give. */
  function euiccAnswer(
    s: Session,
    field: string,
    tag: number,
    name: string,
    n: number,
  ): { value: Bytes; parts: Tlv[] } | Es9Response {
    const b = unb64(field);
    const top = b && readBer(b);
    if (!b || top?.tag !== tag || top.length !== b.length) return failed('badInput', `not a ${name}`);
    const choice = readBer(top.value);
    if (choice?.tag === 0xa1) {
      // The eUICC refused (its error code in 02): the download ends here.
      const code = uint(children(choice.value)?.find((x) => x.tag === 0x02)?.value);
      end(s, false, `${name} error ${code}`);
      return failed('euiccRefused', `the eUICC refused (${name} error ${code})`);
    }
    const parts = choice?.tag === 0xa0 ? children(choice.value) : undefined;
    if (!choice || parts?.length !== n) return failed('badInput', `${name} is malformed`);
    return { value: choice.value, parts };
  }

  return {
    // ---- ES9+.InitiateAuthentication (SGP.22 §5.6.1) ----
    async initiateAuthentication(r: InitiateAuthenticationRequest): Promise<InitiateAuthenticationResponse> {
      const challenge = unb64(r.euiccChallenge);
      const info1 = unb64(r.euiccInfo1);
      if (challenge?.length !== 16 || !info1)
        return failed('badInput', 'euiccChallenge or euiccInfo1 is not valid');
      if (r.smdpAddress !== o.address) return failed('badAddress', `this SM-DP+ is ${o.address}`);
      const t = readBer(info1);
      const f = t?.tag === 0xbf20 && t.length === info1.length ? children(t.value) : undefined;
      if (!f) return failed('badInput', 'euiccInfo1 is not EUICCInfo1 (BF20)');
      const ids = (tag: number) =>
        (children(child(f, tag)?.value ?? new Uint8Array(0)) ?? []).map((x) => x.value);
      const verification = ids(0xa9);
      // The CI must sign the eUICC's certificate (forSigning), verify ours (forVerification) and certify our DPauth.
      const ci = cis.find(
        (c) =>
          ids(0xaa).some((id) => equal(id, c.ski!)) &&
          verification.some((id) => equal(id, c.ski!)) &&
          dpAuth.aki !== undefined &&
          equal(dpAuth.aki, c.ski!),
      );
      if (!ci) return failed('noCommonCi', 'no CI public key in common with the eUICC');
      const tid = random(16);
      const serverChallenge = random(16);
      const serverSigned1 = ber(
        0x30,
        ber(0x80, tid),
        ber(0x81, challenge),
        ber(0x83, utf8(o.address)),
        ber(0x84, serverChallenge),
      );
      // Sessions a client abandoned end oldest first beyond a bound (memory is not the client's to take),
      // their orders given back as after a timeout.
      expire();
      if (sessions.size >= MAX_SESSIONS) end(sessions.values().next().value!, false, 'session dropped');
      sessions.set(toHex(tid), { tid, opened: now(), serverChallenge, ci, stage: 'initiated' });
      return success({
        transactionId: toHex(tid),
        serverSigned1: b64(serverSigned1),
        serverSignature1: b64(sign(serverSigned1, o.dpAuth.privateKey)),
        euiccCiPKIdToBeUsed: b64(ber(0x04, ci.ski!)),
        serverCertificate: b64(o.dpAuth.certificate),
      });
    },

    // ---- ES9+.AuthenticateClient (SGP.22 §5.6.3) ----
    async authenticateClient(r: AuthenticateClientRequest): Promise<AuthenticateClientResponse> {
      const s = lookup(r.transactionId);
      if (s?.stage !== 'initiated') return failed('unknownTransaction', 'unknown transactionId');
      const answer = euiccAnswer(s, r.authenticateServerResponse, 0xbf38, 'AuthenticateServerResponse', 4);
      if ('header' in answer) return answer;
      const { value: choiceValue, parts } = answer;
      const choice = { value: choiceValue };
      const [signed1, sig, euiccCert, eumCert] = parts as [Tlv, Tlv, Tlv, Tlv];
      const chain = euiccChain(s.ci, tlvOf(choice.value, eumCert), tlvOf(choice.value, euiccCert));
      if (typeof chain === 'string') return failed(chain, 'the eUICC or EUM certificate does not verify');
      const f1 = children(signed1.value);
      if (
        !f1 ||
        sig.tag !== 0x5f37 ||
        !defaultP256.verify(tlvOf(choice.value, signed1), sig.value, chain.publicKey)
      )
        return failed('badEuiccSignature', 'euiccSignature1 does not verify');
      const tid = child(f1, 0x80)?.value;
      const challenge = child(f1, 0x84)?.value;
      const address = child(f1, 0x83)?.value;
      if (!tid || !equal(tid, s.tid) || !challenge || !equal(challenge, s.serverChallenge))
        return failed('badEuiccSignature', 'euiccSigned1 is not for this session');
      if (!address || text(address) !== o.address)
        return failed('badAddress', 'euiccSigned1 names another SM-DP+');
      // ctxParams1 (A0 { 80 matchingId?, A1 deviceInfo }): the activation code's matchingId.
      const ctx = children(child(f1, 0xa0)?.value ?? new Uint8Array(0));
      const mid = ctx && child(ctx, 0x80);
      const matchingId = mid ? text(mid.value) : '';
      const eid = chain.subjectSerialNumber!.toUpperCase();
      s.eid = eid;
      s.euicc = chain;
      const claim = o.inventory.claim({ matchingId, eid });
      if ('error' in claim) {
        sessions.delete(toHex(s.tid));
        const code: Code =
          claim.error === 'eidMismatch'
            ? 'eidRefused'
            : claim.error === 'alreadyDownloaded'
              ? 'profileInUse'
              : 'matchingIdRefused';
        return failed(code, `no profile for this download (${claim.error})`);
      }
      s.claim = claim;
      const smdpSigned2 = ber(
        0x30,
        ber(0x80, s.tid),
        ber(0x01, Uint8Array.of(claim.confirmationCodeHash ? 0xff : 0)),
      );
      const euiccSignature1 = tlvOf(choice.value, sig);
      const smdpSignature2 = sign(concat(smdpSigned2, euiccSignature1), o.dpPb.privateKey);
      s.smdpSignature2 = smdpSignature2;
      s.metadata = storeMetadata(claim, o.address);
      s.stage = 'authenticated';
      return success({
        transactionId: toHex(s.tid),
        profileMetadata: b64(s.metadata),
        smdpSigned2: b64(smdpSigned2),
        smdpSignature2: b64(smdpSignature2),
        smdpCertificate: b64(o.dpPb.certificate),
      });
    },

    // ---- ES9+.GetBoundProfilePackage (SGP.22 §5.6.2) ----
    async getBoundProfilePackage(r: GetBoundProfilePackageRequest): Promise<GetBoundProfilePackageResponse> {
      const s = lookup(r.transactionId);
      if (s?.stage !== 'authenticated') return failed('unknownTransaction', 'unknown transactionId');
      const answer = euiccAnswer(s, r.prepareDownloadResponse, 0xbf21, 'PrepareDownloadResponse', 2);
      if ('header' in answer) return answer;
      const { value: choiceValue, parts } = answer;
      const choice = { value: choiceValue };
      const [signed2, sig] = parts as [Tlv, Tlv];
      const f2 = children(signed2.value);
      if (
        !f2 ||
        sig.tag !== 0x5f37 ||
        !defaultP256.verify(
          concat(tlvOf(choice.value, signed2), s.smdpSignature2!),
          sig.value,
          s.euicc!.publicKey,
        )
      )
        return failed('badEuiccSignature', 'euiccSignature2 does not verify');
      const tid = child(f2, 0x80)?.value;
      if (!tid || !equal(tid, s.tid))
        return failed('unknownTransaction', 'euiccSigned2 is for another transaction');
      const otpk = child(f2, 0x5f49)?.value;
      const hashCc = child(f2, 0x04)?.value;
      const ccDigest = s.claim!.confirmationCodeHash;
      if (ccDigest !== undefined) {
        if (!hashCc) return failed('ccMissing', 'the confirmation code is required');
        if (!equal(hashCc, hashCcOf(ccDigest, s.tid)))
          return failed('ccRefused', 'the confirmation code is wrong');
      }
      // One-time ECKA key of the SM-DP+ (SGP.22 §3.1.3.3), the shared secret and the session keys.
      const ot = defaultP256.generateKeyPair();
      const z = otpk && defaultP256.ecdh(ot.d, otpk);
      const keys = z && bspSessionKeys(z, { hostId, eid: Uint8Array.from(Buffer.from(s.eid!, 'hex')) });
      if (!keys) return failed('badInput', 'euiccOtpk is not a P-256 point');
      const iscBody = concat(
        ber(0x82, Uint8Array.of(1)),
        ber(0x80, s.tid),
        ber(0xa6, ber(0x80, Uint8Array.of(0x88)), ber(0x81, Uint8Array.of(0x10)), ber(0x84, hostId)),
        ber(0x5f49, ot.q),
      );
      const smdpSign = sign(concat(iscBody, ber(0x5f49, otpk)), o.dpPb.privateKey);
      const bpp = buildBpp(keys, {
        initialiseSecureChannel: ber(0xbf23, iscBody, smdpSign),
        configureIsdp: ber(0xbf24),
        storeMetadata: s.metadata!,
        ...(o.replaceSessionKeys
          ? { ppk: { initialMcv: random(16), sEnc: random(16), sMac: random(16) } }
          : {}),
        profile: s.claim!.upp,
      });
      s.stage = 'bpp';
      return success({ transactionId: toHex(s.tid), boundProfilePackage: b64(bpp) });
    },

    // ---- ES9+.HandleNotification (SGP.22 §5.6.4) ----
    async handleNotification(r: HandleNotificationRequest): Promise<HandleNotificationResponse> {
      const b = unb64(r.pendingNotification);
      const top = b && readBer(b);
      if (!b || !top || top.length !== b.length) return failed('badInput', 'not a PendingNotification');
      const parts = children(top.value);
      if (top.tag === 0xbf37) {
        // ProfileInstallationResult: BF37 { BF27 data, 5F37 euiccSignPIR over the BF27 TLV }.
        const data = parts?.[0];
        const sig = parts?.[1];
        const f = data?.tag === 0xbf27 ? children(data.value) : undefined;
        const tid = f && child(f, 0x80)?.value;
        const s = tid ? lookup(toHex(tid)) : undefined;
        if (!s?.euicc || !data || sig?.tag !== 0x5f37)
          return failed('unknownTransaction', 'unknown transactionId');
        if (!defaultP256.verify(tlvOf(top.value, data), sig.value, s.euicc.publicKey))
          return failed('badEuiccSignature', 'euiccSignPIR does not verify');
        const result = readBer(child(f!, 0xa2)?.value ?? new Uint8Array(0));
        if (result?.tag === 0xa0) end(s, true);
        else {
          const e = result && children(result.value);
          const cmd = uint(e && child(e, 0x80)?.value);
          const reason = uint(e && child(e, 0x81)?.value);
          end(s, false, `bppCommandId ${cmd}, errorReason ${reason}`);
        }
        return success({});
      }
      // OtherSignedNotification: 30 { BF2F tbs, 5F37 sig over the BF2F TLV, 30 euiccCert, 30 eumCert }.
      if (top.tag !== 0x30 || parts?.length !== 4) return failed('badInput', 'not a PendingNotification');
      const [tbs, sig, euiccCert, eumCert] = parts as [Tlv, Tlv, Tlv, Tlv];
      for (const ci of cis) {
        const chain = euiccChain(ci, tlvOf(top.value, eumCert), tlvOf(top.value, euiccCert));
        if (typeof chain === 'string') continue;
        if (tbs.tag === 0xbf2f && defaultP256.verify(tlvOf(top.value, tbs), sig.value, chain.publicKey))
          return success({});
        return failed('badEuiccSignature', 'euiccNotificationSignature does not verify');
      }
      return failed('badEuiccChain', 'the eUICC or EUM certificate does not verify');
    },

    // ---- ES9+.CancelSession (SGP.22 §5.6.5) ----
    async cancelSession(r: CancelSessionRequest): Promise<CancelSessionResponse> {
      const s = lookup(r.transactionId);
      if (!s) return failed('unknownTransaction', 'unknown transactionId');
      const b = unb64(r.cancelSessionResponse);
      const top = b && readBer(b);
      if (!b || top?.tag !== 0xbf41 || top.length !== b.length)
        return failed('badInput', 'not a CancelSessionResponse');
      const choice = readBer(top.value);
      const parts = choice?.tag === 0xa0 ? children(choice.value) : undefined;
      if (!choice || parts?.length !== 2) return failed('badInput', 'the eUICC did not cancel the session');
      const [signed, sig] = parts as [Tlv, Tlv];
      const f = children(signed.value);
      const tid = f && child(f, 0x80)?.value;
      const oid = f && child(f, 0x81)?.value;
      const reason = uint(f && child(f, 0x82)?.value);
      if (!tid || !equal(tid, s.tid))
        return failed('unknownTransaction', 'the cancellation is for another transaction');
      if (!oid || !equal(oid, smdpOid)) return failed('badInput', 'the cancellation names another SM-DP+');
      if (s.euicc && !defaultP256.verify(tlvOf(choice.value, signed), sig.value, s.euicc.publicKey))
        return failed('badEuiccSignature', 'euiccCancelSessionSignature does not verify');
      end(s, false, `cancelled (reason ${reason})`);
      return success({});
    },
  };
}
