// Host-side PKI for SCP11: certificate authorities (P-256) issuing GlobalPlatform certificates (tag 7F21,
// GPC v2.3 Amd F Table 6-12) for the OCE (CA-KLOC) and for cards (CA-KLCC), and the fixed test
// PKI the default profile carries.

import { sha1 } from '@noble/hashes/legacy.js';
import {
  defaultP256,
  type EcKeyPair,
  type P256,
  type SignatureFormat,
} from '../../applets/security-domain/ec.js';
import { CURVE_P256, encodeDate, TAG } from '../../applets/security-domain/gp-certificate.js';
import { type Bytes, concat, fromHex, u16 } from '../../card-os/bytes.js';
import { ber } from '../../card-os/tlv.js';

export { KEY_USAGE } from '../../applets/security-domain/gp-certificate.js';

export interface CertificateAuthority {
  keyPair: EcKeyPair;
  /** The CA's key identifier: tag 42 of every certificate it issues. */
  keyId: Bytes;
}

/** Subject key identifier, RFC 5280 §4.2.1.2 method (1): SHA-1 of the public point. */
export function subjectKeyId(publicKey: Bytes): Bytes {
  return sha1(publicKey);
}

export function createCa(keyPair: EcKeyPair = defaultP256.generateKeyPair()): CertificateAuthority {
  return { keyPair, keyId: subjectKeyId(keyPair.q) };
}

export interface CertificateRequest {
  serial: Bytes;
  publicKey: Bytes;
  /** KEY_USAGE.KEY_AGREEMENT (0080) for an ECKA leaf, SIGNATURE_VERIFICATION (0082) for a sub-CA. */
  keyUsage: number;
  /** Dates as yyyymmdd; encoded BCD. */
  effective?: number;
  expiration: number;
  /** Defaults to subjectKeyId(publicKey). */
  subjectId?: Bytes;
  discretionary?: Bytes;
  /** 5F37 encoding: 'der' (as the OS test certificates) or 'raw' r||s (as AND verifies). Default 'der'. */
  signatureFormat?: SignatureFormat;
}

/** Issues a 7F21 certificate signed by `ca`. */
export function issueCertificate(
  ca: CertificateAuthority,
  req: CertificateRequest,
  ec: P256 = defaultP256,
): Bytes {
  const tbs = concat(
    ber(TAG.CSN, req.serial),
    ber(TAG.ISSUER_ID, ca.keyId),
    ber(TAG.SUBJECT_ID, req.subjectId ?? subjectKeyId(req.publicKey)),
    ber(TAG.KEY_USAGE, u16(req.keyUsage)),
    req.effective === undefined ? new Uint8Array(0) : ber(TAG.EFFECTIVE_DATE, encodeDate(req.effective)),
    ber(TAG.EXPIRATION_DATE, encodeDate(req.expiration)),
    req.discretionary ? ber(TAG.DISCRETIONARY, req.discretionary) : new Uint8Array(0),
    ber(TAG.PUBLIC_KEY, ber(TAG.PUBLIC_POINT, req.publicKey), ber(TAG.CURVE, Uint8Array.of(CURVE_P256))),
  );
  const signature = ec.sign(tbs, ca.keyPair.d, req.signatureFormat ?? 'der');
  return ber(TAG.CERTIFICATE, tbs, ber(TAG.SIGNATURE, signature));
}

function keyPair(d: string, q: string): EcKeyPair {
  return { d: fromHex(d), q: fromHex(q) };
}

/**
 * PUBLIC TEST MATERIAL. These private keys are published in this repository: never use them outside tests
 * and emulated cards. SK.SD.ECKA (11..11) and SK.OCE.ECKA are those of the card-side SCP11a vector (test/scp11/vector.test.ts); the CA keys
 * are SHA-256("uicc test CA-KLOC") and SHA-256("uicc test CA-KLCC"). The certificates were issued with
 * `issueCertificate` (DER signatures, RFC 6979 deterministic via @noble/curves), effective 2024-01-01,
 * expiring 2099-12-31; test/scp11/certificate.test.ts re-issues and checks them.
 */
export const TEST_PKI = {
  /** CA-KLOC: signs OCE certificates; the card trusts its public key as PK.CA-KLOC.ECDSA (KID 10, KVN 03). */
  klocCa: {
    kid: 0x10,
    kvn: 0x03,
    keyPair: keyPair(
      '17a88dec2dad41a691e3174dcee38cc3b1ee24c2102c68c15a7cea699975db97',
      '042b3b37622998dbbd6b96f879053ee56d7e2319e1c15d59ec960aded5b8a92c87456e09c04f9584f6b7caef0ae628ba1f4ccbe6936aeda29bcc2d7a2ba1ea271e',
    ),
    keyId: fromHex('3c8faee34602be64fd41016219121821f562dfca'),
  },
  /** CA-KLCC: signs card certificates; the OCE trusts its public key. */
  klccCa: {
    keyPair: keyPair(
      'e910b1b8ae4ffac2b7ca4d381bc9ddbe8353500e1efa3d5b590f1954bc64abf5',
      '049bba58638d858897e48628c316bb0d4ea9844ecabf54af621490e640e1267eef27046684d56aec133ddfcfb2826736b8b100c5131a4c7e1345152919a2b5a1bf',
    ),
    keyId: fromHex('17f909e21e0ba41eb26192ad00a78b4b71770892'),
  },
  /** The card's SD ECKA key (KID 11, KVN 03) and CERT.SD.ECKA (CSN 01, issued by CA-KLCC). */
  sd: {
    kid: 0x11,
    kvn: 0x03,
    keyPair: keyPair(
      '1111111111111111111111111111111111111111111111111111111111111111',
      '040217e617f0b6443928278f96999e69a23a4f2c152bdf6d6cdf66e5b80282d4ed194a7debcb97712d2dda3ca85aa8765a56f45fc758599652f2897c65306e5794',
    ),
    certificate: fromHex(
      '7f2181d5930101421417f909e21e0ba41eb26192ad00a78b4b717708925f201433ca6bc5e920e6bec2a16ce07a70e8282bcd68d1950200805f2504202401015f2404209912317f4946b041040217e617f0b6443928278f96999e69a23a4f2c152bdf6d6cdf66e5b80282d4ed194a7debcb97712d2dda3ca85aa8765a56f45fc758599652f2897c65306e5794f001005f37473045022100d05885f8e5117e56b65a4a64f2bd7af0d1322f6ead8014238955f5751bafd953022057438f1ae4bf5e5a1e8d17d90e4a6c21f6e2dbb850bb948e298c67cc331f2202',
    ),
  },
  /** The OCE's ECKA key and CERT.OCE.ECKA (CSN 02, issued by CA-KLOC). */
  oce: {
    keyPair: keyPair(
      'a5116b848d41bd93737f187abc03886bf7a80422d150025109c6749f45bb9b6d',
      '04b5c2598092609efefba7a2fbed2f6e9142ca3882e7de69d47d29476e7f0ce85077480cac6ad5c156ce459f2592da0eecdcb0de2e8f112c9e49c4655a11c59620',
    ),
    certificate: fromHex(
      '7f2181d493010242143c8faee34602be64fd41016219121821f562dfca5f2014e225c62f5e33ca02d23d9d83d0685b4eb2febc11950200805f2504202401015f2404209912317f4946b04104b5c2598092609efefba7a2fbed2f6e9142ca3882e7de69d47d29476e7f0ce85077480cac6ad5c156ce459f2592da0eecdcb0de2e8f112c9e49c4655a11c59620f001005f374630440220161cb6add63e4234fe6cfeaff7cb54a2a8cf15c57d1e027265ae3beb7b152809022070de30b3c587be6fd7c1de96e7a3521f043bdb9c4ad068a64daaecdb96799a26',
    ),
  },
} as const;

/** The issue parameters of the TEST_PKI certificates (so tests can re-issue them). */
export const TEST_PKI_VALIDITY = { effective: 20240101, expiration: 20991231 } as const;
