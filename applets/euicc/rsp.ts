// ES10b of profile download (SGP.22 §3.1.3, §5.7.13, §5.7.14, §5.7.16): AuthenticateServer (BF38),
// PrepareDownload (BF21) and CancelSession (BF41). The download session (transaction id, the SM-DP+'s
// certificates, the one-time ECKA key) lives in the card's RAM only: a reset ends it. Nothing here writes
// NVM; LoadBoundProfilePackage (bpp-load.ts) does, once, at the end.

import { type Bytes, concat, equal } from '../../card-os/bytes.js';
import { defaultP256 } from '../../card-os/crypto/p256.js';
import { ber, type Tlv } from '../../card-os/tlv.js';
import { child, children, derUint, UNDEFINED_ERROR, uint } from './der.js';
import type { Es10Env } from './es10.js';
import { readProfiles, uppKey } from './store.js';
import {
  type Certificate,
  checkCertificate,
  KEY_USAGE,
  otherCurve,
  parseCertificate,
  RSP_ROLE,
} from './x509.js';

/** A CI public key the eUICC trusts (SGP.22 §4.5.2: PK.CI.ECDSA, with its key identifier). */
export interface TrustedCi {
  ski: Bytes;
  publicKey: Bytes;
}

/** The download session in RAM (SGP.22 §3.1.3). */
export interface RspSession {
  stage: 'authenticated' | 'prepared';
  transactionId: Bytes;
  serverAddress: Bytes;
  ci: TrustedCi;
  dpAuth: Certificate;
  euiccSignature1: Bytes;
  dpPb?: Certificate;
  /** otSK.EUICC.ECKA / otPK.EUICC.ECKA (PrepareDownload). */
  otSk?: Bytes;
  otPk?: Bytes;
}

export const RSP_SESSION = 'rsp/session';

/** AuthenticateServerResponse errors (SGP.22 §5.7.13). */
export const AUTH_ERROR = {
  invalidCertificate: 1,
  invalidSignature: 2,
  unsupportedCurve: 3,
  noSessionContext: 4,
  invalidOid: 5,
  euiccChallengeMismatch: 6,
  ciPKUnknown: 7,
} as const;

/** PrepareDownloadResponse errors (SGP.22 §5.7.14). */
export const PREPARE_ERROR = {
  invalidCertificate: 1,
  invalidSignature: 2,
  unsupportedCurve: 3,
  noSessionContext: 4,
  invalidTransactionId: 5,
} as const;

export const session = (env: Es10Env) => env.ram.get(RSP_SESSION) as RspSession | undefined;

/** ECDSA-SHA256 with SK.EUICC.ECDSA, r‖s (BSI TR-03111), as `5F37 40 …`. */
export function euiccSign(env: Es10Env, data: Bytes): Bytes | undefined {
  const s = env.config.signer;
  return s && ber(0x5f37, defaultP256.sign(data, s.privateKey, 'raw'));
}

function tlvOf(parent: Bytes, t: Tlv): Bytes {
  return parent.subarray(t.offset, t.offset + t.length);
}

/** The 64-byte r‖s of a `5F37` value, or undefined. */
function rawSignature(t: Tlv | undefined): Bytes | undefined {
  return t?.tag === 0x5f37 && t.value.length === 64 ? t.value : undefined;
}

const now = (env: Es10Env) => env.config.now?.() ?? Date.now();

// ---- ES10b.AuthenticateServer (§5.7.13) ----

export function authenticateServer(value: Bytes, req: Tlv[], env: Es10Env): Bytes {
  const signed1 = req[0];
  const tid = signed1?.tag === 0x30 ? children(signed1.value)?.find((t) => t.tag === 0x80)?.value : undefined;
  const fail = (code: number) =>
    ber(0xbf38, ber(0xa1, ...(tid ? [ber(0x80, tid)] : []), ber(0x02, derUint(code))));
  const sig = rawSignature(req[1]);
  const ciId = req[2];
  const certT = req[3];
  const ctx = req[4];
  const f1 = signed1 && children(signed1.value);
  if (signed1?.tag !== 0x30 || !f1 || !tid || ciId?.tag !== 0x04 || certT?.tag !== 0x30)
    return fail(UNDEFINED_ERROR);
  if (!sig || ctx?.tag !== 0xa0) return fail(UNDEFINED_ERROR);
  // §5.7.13: the CI the SM-DP+ chose must be one whose key the eUICC holds.
  const ci = (env.config.trustedCis ?? []).find((c) => equal(c.ski, ciId.value));
  if (!ci) return fail(AUTH_ERROR.ciPKUnknown);
  const certDer = tlvOf(value, certT);
  if (otherCurve(certDer)) return fail(AUTH_ERROR.unsupportedCurve);
  const cert = parseCertificate(certDer);
  const check = checkCertificate(cert, {
    role: RSP_ROLE.dpAuth,
    keyUsage: KEY_USAGE.digitalSignature,
    issuerKey: ci.publicKey,
    issuerSki: ci.ski,
    now: now(env),
  });
  if (check !== 'ok' || !cert) return fail(AUTH_ERROR.invalidCertificate);
  if (!defaultP256.verify(tlvOf(value, signed1), sig, cert.publicKey))
    return fail(AUTH_ERROR.invalidSignature);
  const challenge = env.ram.get('challenge') as Bytes | undefined;
  const echoed = child(f1, 0x81)?.value;
  if (!challenge || !echoed || !equal(challenge, echoed)) return fail(AUTH_ERROR.euiccChallengeMismatch);
  const serverAddress = child(f1, 0x83)?.value;
  const serverChallenge = child(f1, 0x84)?.value;
  if (!serverAddress || serverChallenge?.length !== 16) return fail(UNDEFINED_ERROR);
  const euiccSigned1 = ber(
    0x30,
    ber(0x80, tid),
    ber(0x83, serverAddress),
    ber(0x84, serverChallenge),
    euiccInfo2(env),
    tlvOf(value, ctx),
  );
  const signature = euiccSign(env, euiccSigned1);
  const s = env.config.signer;
  if (!signature || !s) return fail(UNDEFINED_ERROR);
  env.ram.delete('challenge');
  env.ram.set(RSP_SESSION, {
    stage: 'authenticated',
    transactionId: tid.slice(),
    serverAddress: serverAddress.slice(),
    ci,
    dpAuth: { ...cert, der: cert.der.slice() },
    euiccSignature1: signature,
  } satisfies RspSession);
  return ber(0xbf38, ber(0xa0, euiccSigned1, signature, s.euiccCertificate, s.eumCertificate));
}

/** EUICCInfo2, as GetEUICCInfo2 answers it (the TLV goes into euiccSigned1). */
export function euiccInfo2(env: Es10Env): Bytes {
  const i = { ...env.config.info, extCardResource: extCardResourceNow(env) };
  const ids = (tag: number) => ber(tag, ...i.ciPkIds.map((id) => ber(0x04, id)));
  return ber(
    0xbf22,
    ber(0x81, i.profileVersion),
    ber(0x82, i.svn),
    ber(0x83, i.firmwareVersion),
    ber(0x84, i.extCardResource),
    ber(0x85, i.uiccCapability),
    ber(0x88, i.rspCapability),
    ids(0xa9),
    ids(0xaa),
    ber(0x04, i.ppVersion),
    ber(0x0c, new TextEncoder().encode(i.sasAccreditationNumber)),
  );
}

/**
 * ExtCardResource (§5.7.9) with the free non-volatile memory (82) less the packages of downloaded
 * profiles the eUICC keeps: what an LPA or SM-DP+ sees before a download.
 */
function extCardResourceNow(env: Es10Env): Bytes {
  const f = children(env.config.info.extCardResource);
  const free = f && uint(child(f, 0x82)?.value);
  if (!f || free === undefined) return env.config.info.extCardResource;
  const left = Math.max(0, free - storedPackages(env));
  const out = f.map((t) =>
    t.tag === 0x82 ? ber(0x82, uintBytes(left, t.value.length)) : ber(t.tag, t.value),
  );
  return concat(...out);
}

function uintBytes(n: number, len: number): Bytes {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--, n = Math.floor(n / 256)) out[i] = n & 0xff;
  return out;
}

/** Bytes of the profile packages the eUICC keeps for its downloaded ISD-Ps. */
export function storedPackages(env: Es10Env): number {
  return readProfiles(env.nvm).reduce((n, p) => n + (env.nvm.get(uppKey(p.aid))?.length ?? 0), 0);
}

// ---- ES10b.PrepareDownload (§5.7.14) ----

export function prepareDownload(value: Bytes, req: Tlv[], env: Es10Env): Bytes {
  const s = session(env);
  const signed2 = req[0];
  const f2 = signed2?.tag === 0x30 ? children(signed2.value) : undefined;
  const tid = f2 && child(f2, 0x80)?.value;
  const fail = (code: number) =>
    ber(0xbf21, ber(0xa1, ...(tid ? [ber(0x80, tid)] : []), ber(0x02, derUint(code))));
  const sigT = req[1];
  const sig = rawSignature(sigT);
  const hashCc = req.find((t) => t.tag === 0x04);
  const certT = req[req.length - 1];
  if (!signed2 || !f2 || !tid || !sig || !sigT || certT?.tag !== 0x30 || req.length > 4)
    return fail(UNDEFINED_ERROR);
  if (s?.stage !== 'authenticated') return fail(PREPARE_ERROR.noSessionContext);
  const certDer = tlvOf(value, certT);
  if (otherCurve(certDer)) return fail(PREPARE_ERROR.unsupportedCurve);
  const cert = parseCertificate(certDer);
  const check = checkCertificate(cert, {
    role: RSP_ROLE.dpPb,
    keyUsage: KEY_USAGE.digitalSignature,
    issuerKey: s.ci.publicKey,
    issuerSki: s.ci.ski,
    now: now(env),
  });
  if (check !== 'ok' || !cert) return fail(PREPARE_ERROR.invalidCertificate);
  // smdpSignature2 covers smdpSigned2 and the eUICC's own euiccSignature1 (§5.7.14).
  const signedData = new Uint8Array(signed2.length + s.euiccSignature1.length);
  signedData.set(tlvOf(value, signed2));
  signedData.set(s.euiccSignature1, signed2.length);
  if (!defaultP256.verify(signedData, sig, cert.publicKey)) return fail(PREPARE_ERROR.invalidSignature);
  if (!equal(tid, s.transactionId)) return fail(PREPARE_ERROR.invalidTransactionId);
  const ccRequired = child(f2, 0x01)?.value;
  if (ccRequired?.length !== 1) return fail(UNDEFINED_ERROR);
  // The confirmation code is the LPA's business; the eUICC passes its hash on, signed, and the SM-DP+
  // judges it (§3.1.3.2), a missing one included.
  if (hashCc && hashCc.value.length !== 32) return fail(UNDEFINED_ERROR);
  const key = defaultP256.generateKeyPair();
  const euiccSigned2 = ber(
    0x30,
    ber(0x80, tid),
    ber(0x5f49, key.q),
    ...(hashCc ? [ber(0x04, hashCc.value)] : []),
  );
  const signature = euiccSign(env, concatTwo(euiccSigned2, tlvOf(value, sigT)));
  if (!signature) return fail(UNDEFINED_ERROR);
  env.ram.set(RSP_SESSION, {
    ...s,
    stage: 'prepared',
    dpPb: { ...cert, der: cert.der.slice() },
    otSk: key.d,
    otPk: key.q,
  } satisfies RspSession);
  return ber(0xbf21, ber(0xa0, euiccSigned2, signature));
}

function concatTwo(a: Bytes, b: Bytes): Bytes {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// ---- ES10b.CancelSession (§5.7.16) ----

export const CANCEL_ERROR = { invalidTransactionId: 5 } as const;

export function cancelSession(_value: Bytes, req: Tlv[], env: Es10Env): Bytes {
  const tid = child(req, 0x80)?.value;
  const reason = uint(child(req, 0x81)?.value);
  const fail = (code: number) => ber(0xbf41, ber(0x81, derUint(code)));
  if (!tid || reason === undefined || reason > 127) return fail(UNDEFINED_ERROR);
  const s = session(env);
  if (!s || !equal(s.transactionId, tid)) return fail(CANCEL_ERROR.invalidTransactionId);
  const oid = s.dpAuth.rid;
  if (!oid) return fail(UNDEFINED_ERROR);
  const signed = ber(0x30, ber(0x80, tid), ber(0x81, oid), ber(0x82, derUint(reason)));
  const signature = euiccSign(env, signed);
  if (!signature) return fail(UNDEFINED_ERROR);
  env.ram.delete(RSP_SESSION);
  return ber(0xbf41, ber(0xa0, signed, signature));
}
