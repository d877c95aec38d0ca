// The security domain as a registered package: configured by the profile's `securityDomain` section,
// selected by its own AID (no ADF), owns the sd/ NVM records.

import type { AppletPackage } from '../../card-os/applet-registry.js';
import type { Bytes } from '../../card-os/bytes.js';
import { securityDomainApplet } from './applet.js';
import { certificateList } from './certificate-list.js';
import { SCP11_KID } from './scp11-keys.js';
import { encodeOceCas, encodeSdKeys, SD_ECKA_RECORD, SD_OCE_CA_RECORD } from './sd-records.js';

export interface SecurityDomainSection {
  aid: Bytes;
  /** Key version number of the SD's SCP11 key (P1 of MUTUAL AUTHENTICATE). */
  kvn: number;
  /** SK.SD.ECKA (P-256, 32 bytes) and PK.SD.ECKA (uncompressed point, 65 bytes). */
  privateKey: Bytes;
  publicKey: Bytes;
  /** CERT.SD.ECKA: one or more certificates (GP 7F21 or X.509 30), leaf last. */
  certificate: Bytes;
  /** PK.CA-KLOC.ECDSA, the CA key that OCE certificates must chain to (uncompressed point). */
  caPublicKey: Bytes;
  /** Its key identifier: when given, the first OCE certificate's issuer id (tag 42) must equal it. */
  caKeyId?: Bytes;
  /** Key reference of PK.CA-KLOC.ECDSA for PSO P2 / P1. */
  caKid: number;
  caKvn: number;
  /** Whether the key also serves SCP11b (KID 13) besides SCP11a (KID 11). */
  scp11b: boolean;
}

export const securityDomainPackage: AppletPackage<SecurityDomainSection> = {
  name: 'SecurityDomain',
  section: 'securityDomain',
  namespace: ['secret/sd/', 'sd/'],
  install(sd, target) {
    // One ECKA key pair and certificate chain for SCP11a (KID 11) and, unless disabled, SCP11b (KID 13).
    const keyPair = { d: sd.privateKey, q: sd.publicKey };
    const certificates = certificateList(sd.certificate);
    const kids = sd.scp11b ? [SCP11_KID.A, SCP11_KID.B] : [SCP11_KID.A];
    target.nvm.set(
      SD_ECKA_RECORD,
      encodeSdKeys(kids.map((kid) => ({ kid, kvn: sd.kvn, keyPair, certificates }))),
    );
    const ca = { kid: sd.caKid, kvn: sd.caKvn, publicKey: sd.caPublicKey };
    target.nvm.set(SD_OCE_CA_RECORD, encodeOceCas([sd.caKeyId ? { ...ca, keyId: sd.caKeyId } : ca]));
    return securityDomainApplet({ aid: sd.aid });
  },
};
