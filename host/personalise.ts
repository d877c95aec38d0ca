// Personalisation: turns a compiled profile into a card template — the file tree plus the applets'
// initial NVM records (keys, SQN state, OTA configuration and counters, security-domain keys) — and the
// applets the card runs.
// The template is shared by every card made from the profile; cards only store what they change.

import { otaApplet } from '../applets/ota/applet.js';
import { encodeOtaConfig, encodeOtaCounters, OTA_RECORD_COUNTERS } from '../applets/ota/ota-config.js';
import { securityDomainApplet } from '../applets/security-domain/applet.js';
import { SCP11_KID } from '../applets/security-domain/scp11-keys.js';
import {
  encodeOceCas,
  encodeSdKeys,
  SD_ECKA_RECORD,
  SD_OCE_CA_RECORD,
} from '../applets/security-domain/sd-records.js';
import { USIM_AID_PREFIX, USIM_KEYS, USIM_SQN, usimApplet } from '../applets/usim/applet.js';
import { encodeSqnState, initialSqnState } from '../applets/usim/sqn.js';
import { encodeSubscriberKeys } from '../applets/usim/subscriber-keys.js';
import type { Applet } from '../card-os/applet.js';
import { type Bytes, equal } from '../card-os/bytes.js';
import type { CardSpec } from '../card-os/fs/model.js';
import { personaliseKeySlots } from './keyslots/template.js';
import { certificateList } from './profile/certificates.js';
import type { CompiledProfile } from './profile/load.js';

export interface Personalised {
  spec: CardSpec;
  applets: Applet[];
  profile: CompiledProfile;
}

export function personalise(profile: CompiledProfile): Personalised {
  const nvm = new Map<string, Bytes>(profile.spec.nvm);
  const applets: Applet[] = [];
  const usimAdf = profile.spec.mf.children.find(
    (f) => f.type === 'ADF' && f.aid && equal(f.aid.subarray(0, USIM_AID_PREFIX.length), USIM_AID_PREFIX),
  );
  if (usimAdf?.aid && profile.subscriber) {
    const { amf: _amf, sqn, ...keys } = profile.subscriber;
    nvm.set(USIM_KEYS, encodeSubscriberKeys(keys));
    nvm.set(USIM_SQN, encodeSqnState(initialSqnState(sqn)));
    applets.push(usimApplet(usimAdf.aid));
  }
  if (profile.ota) {
    const { keysets, tars, counters } = profile.ota;
    for (const [k, v] of encodeOtaConfig({ keysets, tars })) nvm.set(k, v);
    nvm.set(OTA_RECORD_COUNTERS, encodeOtaCounters(counters));
    applets.push(otaApplet({ usimAid: usimAdf?.aid }));
  }
  if (profile.securityDomain) {
    // One ECKA key pair and certificate chain for SCP11a (KID 11) and, unless disabled, SCP11b (KID 13).
    const sd = profile.securityDomain;
    const keyPair = { d: sd.privateKey, q: sd.publicKey };
    const certificates = certificateList(sd.certificate);
    const kids = sd.scp11b ? [SCP11_KID.A, SCP11_KID.B] : [SCP11_KID.A];
    nvm.set(SD_ECKA_RECORD, encodeSdKeys(kids.map((kid) => ({ kid, kvn: sd.kvn, keyPair, certificates }))));
    const ca = { kid: sd.caKid, kvn: sd.caKvn, publicKey: sd.caPublicKey };
    nvm.set(SD_OCE_CA_RECORD, encodeOceCas([sd.caKeyId ? { ...ca, keyId: sd.caKeyId } : ca]));
    applets.push(securityDomainApplet({ aid: sd.aid }));
  }
  personaliseKeySlots(profile, usimAdf, nvm, applets);
  return { spec: { ...profile.spec, nvm }, applets, profile };
}
