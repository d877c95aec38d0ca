// Card side of SCP11a and SCP11b (GPC v2.3 Amd F) as a state machine without I/O:
//
//   GET DATA BF21 (80|00 CA BF 21 [A6 { 83 KID KVN }])     -> BF21 { CERT.SD.ECKA chain, leaf last }
//   PERFORM SECURITY OPERATION (80 2A KVN KID|80 cert)     SCP11a: OCE chain, one certificate per command
//   MUTUAL AUTHENTICATE (80 82 KVN 11 A6.. 5F49 ePK.OCE)   SCP11a -> 5F49 ePK.SD || 86 receipt
//   INTERNAL AUTHENTICATE (80 88 KVN 13 A6.. 5F49 ePK.OCE) SCP11b -> the same
//
// One card object per logical channel: GP keeps one secure channel session per channel. `process` never
// throws and answers a status word for every malformed or refused command. Commands inside an open session
// are unwrapped and their responses wrapped by the caller with secure-messaging.ts; this module only opens
// sessions.
//
// Status words:
//   6A80 malformed data (CRT, ePK, certificate bytes); 6A86 P1/P2 not valid for the INS;
//   6A88 no such key: SD key (KID/KVN) or OCE CA key (PSO P1/P2), or the certificate's issuer id;
//   6600 / 6640 certificate verification failed / not on the allow-list (gp-certificate.ts);
//   6985 MUTUAL AUTHENTICATE without an accepted OCE certificate (PSO sequence not done);
//   6A84 certificate or chain longer than this card keeps; 6E00 PSO / AUTHENTICATE with an ISO class byte;
//   6D00 other INS. GET DATA answers only BF21 (other tags are the security domain's).

import type { Command } from '../../card-os/apdu.js';
import { type Bytes, concat, toHex, wipe } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { ber, findTag, parseBer, readBer } from '../../card-os/tlv.js';
import { defaultP256, type EcKeyPair, type P256 } from './ec.js';
import {
  CERT_SW,
  checkGpCertificate,
  type GpCertificate,
  type IssuerKey,
  KEY_USAGE,
  parseGpCertificate,
} from './gp-certificate.js';
import {
  computeReceipt,
  deriveScp11Keys,
  parseCrt,
  SCP11_I,
  SCP11_KID,
  securityLevelOf,
  TAG,
} from './scp11-keys.js';
import { closeSession, openSession, type ScpSession, SECURITY_LEVEL } from './secure-messaging.js';

export const INS = {
  GET_DATA: 0xca,
  PERFORM_SECURITY_OPERATION: 0x2a,
  MUTUAL_AUTHENTICATE: 0x82,
  INTERNAL_AUTHENTICATE: 0x88,
} as const;

/** An SD ECKA key set: SK/PK.SD.ECKA and its certificate chain (leaf last), KID 0x11 (11a) or 0x13 (11b). */
export interface SdKey {
  kid: number;
  kvn: number;
  keyPair: EcKeyPair;
  certificates: Bytes[];
}

/** A trusted PK.CA-KLOC.ECDSA, referenced by PSO P1 (KVN) and P2 (KID). */
export interface OceCaKey {
  kid: number;
  kvn: number;
  publicKey: Bytes;
  /** When set, the first OCE certificate's tag 42 must equal it. */
  keyId?: Bytes;
}

export interface Scp11CardConfig {
  sdKeys: SdKey[];
  oceCas: OceCaKey[];
  now: () => Date;
  /** Upper-case hex CSNs allowed as the first OCE certificate; absent = no allow-list (GPC v2.3 Amd F, CSN/KLOC whitelist). */
  allowList?: ReadonlySet<string>;
  ec?: P256;
  /** Source of eSK.SD.ECKA (tests pin it for the §1.7 vector): a fresh object per call, as d gets wiped. */
  ephemeralKey?: () => EcKeyPair;
}

export interface Reply {
  sw: number;
  data?: Bytes;
}

export interface Scp11Card {
  process(cmd: Command): Reply;
  /** The open secure channel session, if any. */
  readonly session: ScpSession | undefined;
  /** Card reset or channel close: drops the session and every upload in progress. */
  reset(): void;
}

/** Upper bounds this card keeps in RAM (AND keeps 5 certificates of up to 512 bytes). */
const MAX_CERT_LEN = 1024;
const MAX_CHAIN = 5;

interface PsoState {
  /** Blocks of a certificate sent with ISO command chaining (CLA b5). */
  blocks: Bytes[];
  blockLen: number;
  /** Key the next certificate must verify against, once a sequence has started. */
  issuer?: IssuerKey;
  count: number;
}

export function createScp11Card(config: Scp11CardConfig): Scp11Card {
  const ec = config.ec ?? defaultP256;
  const ephemeral = config.ephemeralKey ?? (() => ec.generateKeyPair());
  let session: ScpSession | undefined;
  let pso: PsoState = { blocks: [], blockLen: 0, count: 0 };
  /** PK.OCE.ECKA from the last accepted chain. */
  let oceKey: GpCertificate | undefined;

  // KVN 00 names the first key with that KID, as it does for INITIALIZE UPDATE (GPC_SPE_034 §E.5.1.3).
  const findSdKey = (kid: number, kvn: number) =>
    config.sdKeys.find((k) => k.kid === kid && (kvn === 0 || k.kvn === kvn));

  function endSession(): void {
    if (session) closeSession(session);
    session = undefined;
  }

  function resetPso(): void {
    pso = { blocks: [], blockLen: 0, count: 0 };
  }

  // GET DATA BF21, GPC v2.3 Amd F step 1 (card certificates).
  function getCertificates(cmd: Command): Reply {
    if (cmd.p1 !== 0xbf || cmd.p2 !== 0x21) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    let key: SdKey | undefined = config.sdKeys.find((k) => k.kid === SCP11_KID.A) ?? config.sdKeys[0];
    if (cmd.data.length > 0) {
      const crt = readBer(cmd.data);
      const ref =
        crt?.tag === 0xa6 && crt.length === cmd.data.length ? findTag(parseBer(crt.value), 0x83) : undefined;
      if (ref?.length !== 2) return { sw: SW.WRONG_DATA };
      key = findSdKey(ref[0]!, ref[1]!);
    }
    if (!key) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    return { sw: SW.OK, data: ber(0xbf21, ...key.certificates) };
  }

  // PERFORM SECURITY OPERATION, GPC v2.3 Amd F step 2 (OCE certificates).
  function performSecurityOperation(cmd: Command): Reply {
    const chained = (cmd.cla & 0x10) !== 0;
    if (pso.blockLen + cmd.data.length > MAX_CERT_LEN) {
      resetPso();
      return { sw: SW.NOT_ENOUGH_MEMORY };
    }
    pso.blocks.push(cmd.data);
    pso.blockLen += cmd.data.length;
    // OS sets P1 b8 on chained blocks; only the last block's P1/P2 count.
    if (chained) return { sw: SW.OK };
    const cert = concat(...pso.blocks);
    pso.blocks = [];
    pso.blockLen = 0;
    const sw = acceptCertificate(cert, cmd.p1, cmd.p2);
    if (sw !== SW.OK) resetPso();
    return { sw };
  }

  function acceptCertificate(bytes: Bytes, p1: number, p2: number): number {
    const more = (p2 & 0x80) !== 0;
    const first = pso.issuer === undefined;
    if (first) {
      const ca = config.oceCas.find((c) => c.kid === (p2 & 0x7f) && c.kvn === p1);
      if (!ca) return SW.REFERENCED_DATA_NOT_FOUND;
      pso.issuer = ca.keyId ? { publicKey: ca.publicKey, keyId: ca.keyId } : { publicKey: ca.publicKey };
    }
    if (++pso.count > MAX_CHAIN) return SW.NOT_ENOUGH_MEMORY;
    const parsed = parseGpCertificate(bytes);
    if ('sw' in parsed) return parsed.sw;
    const cert = parsed.cert;
    const usage = more ? KEY_USAGE.SIGNATURE_VERIFICATION : KEY_USAGE.KEY_AGREEMENT;
    const sw = checkGpCertificate(cert, pso.issuer!, usage, { ec, now: config.now() });
    if (sw !== SW.OK) return sw;
    // Only the CSN of the first certificate is checked against the allow-list (AND, quoting Amd F §6.4.1).
    if (first && config.allowList && !config.allowList.has(toHex(cert.serial))) return CERT_SW.NOT_ALLOWED;
    if (more) {
      pso.issuer = { publicKey: cert.publicKey, keyId: cert.subjectId };
    } else {
      oceKey = cert;
      resetPso();
    }
    return SW.OK;
  }

  // MUTUAL AUTHENTICATE (SCP11a) / INTERNAL AUTHENTICATE (SCP11b), GPC v2.3 Amd F step 3 (key agreement).
  function authenticate(cmd: Command, variant: 'a' | 'b'): Reply {
    endSession();
    const expectedKid = variant === 'a' ? SCP11_KID.A : SCP11_KID.B;
    if (cmd.p2 !== expectedKid) return { sw: SW.INCORRECT_P1P2 };
    const sdKey = findSdKey(cmd.p2, cmd.p1);
    if (!sdKey) return { sw: SW.REFERENCED_DATA_NOT_FOUND };

    const tlvs = parseBer(cmd.data);
    const crt = tlvs?.[0];
    const epk = tlvs?.[1];
    if (tlvs?.length !== 2 || crt?.tag !== TAG.CRT || epk?.tag !== TAG.EPK) return { sw: SW.WRONG_DATA };
    const params = parseCrt(crt.value);
    if (!params || params.i !== (variant === 'a' ? SCP11_I.A : SCP11_I.B)) return { sw: SW.WRONG_DATA };
    const ePkOce = epk.value;
    if (!ec.isValidPublicKey(ePkOce)) return { sw: SW.WRONG_DATA };
    if (variant === 'a' && !oceKey) return { sw: SW.CONDITIONS_NOT_SATISFIED };

    const eSd = ephemeral();
    const shSee = ec.ecdh(eSd.d, ePkOce);
    // SCP11a: ShSs = ECDH(SK.SD, PK.OCE); SCP11b has no OCE key: ECDH(SK.SD, ePK.OCE) (GPC v2.3 Amd F).
    const shSs = ec.ecdh(sdKey.keyPair.d, variant === 'a' ? oceKey!.publicKey : ePkOce);
    wipe(eSd.d);
    if (!shSee || !shSs) return { sw: SW.WRONG_DATA };
    const derived = deriveScp11Keys(shSee, shSs, params);
    wipe(shSee);
    wipe(shSs);

    const crtTlv = cmd.data.subarray(crt.offset, crt.offset + crt.length);
    const epkOceTlv = cmd.data.subarray(epk.offset, epk.offset + epk.length);
    const epkSdTlv = ber(TAG.EPK, eSd.q);
    const receipt = computeReceipt(derived.receiptKey, crtTlv, epkOceTlv, epkSdTlv);
    wipe(derived.receiptKey);

    const level = securityLevelOf(params.kuq)! | (variant === 'a' ? SECURITY_LEVEL.AUTHENTICATED : 0);
    session = openSession(
      variant === 'a' ? 'SCP11a' : 'SCP11b',
      derived.keys,
      level,
      receipt,
      derived.ltkKey,
    );
    return { sw: SW.OK, data: concat(epkSdTlv, ber(TAG.RECEIPT, receipt)) };
  }

  function process(cmd: Command): Reply {
    // Anything but the next block of a chained PSO abandons that chain (ISO 7816-4 §5.1.1.1).
    if (cmd.ins !== INS.PERFORM_SECURITY_OPERATION && pso.blocks.length > 0) resetPso();
    // PSO and the AUTHENTICATE commands are GP proprietary (CLA b8 set); ISO's 00 82 / 00 88 are other
    // commands.
    if (cmd.ins !== INS.GET_DATA && !(cmd.cla & 0x80)) return { sw: SW.CLA_NOT_SUPPORTED };
    switch (cmd.ins) {
      case INS.GET_DATA:
        return getCertificates(cmd);
      case INS.PERFORM_SECURITY_OPERATION:
        return performSecurityOperation(cmd);
      case INS.MUTUAL_AUTHENTICATE:
        return authenticate(cmd, 'a');
      case INS.INTERNAL_AUTHENTICATE:
        return authenticate(cmd, 'b');
      default:
        return { sw: SW.INS_NOT_SUPPORTED };
    }
  }

  return {
    process,
    get session() {
      return session?.open ? session : undefined;
    },
    reset() {
      endSession();
      resetPso();
      oceKey = undefined;
    },
  };
}
