// Personalisation: turns a compiled profile into a card template — the file tree plus the applets'
// initial NVM records (keys, SQN state, OTA configuration and counters) — and the applets the card runs.
// The template is shared by every card made from the profile; cards only store what they change.

import { otaApplet } from '../applets/ota/applet.js';
import { encodeOtaConfig, encodeOtaCounters, OTA_RECORD_COUNTERS } from '../applets/ota/ota-config.js';
import { USIM_KEYS, USIM_SQN, usimApplet } from '../applets/usim/applet.js';
import { encodeSqnState, initialSqnState } from '../applets/usim/sqn.js';
import { encodeSubscriberKeys } from '../applets/usim/subscriber-keys.js';
import type { Applet } from '../card-os/applet.js';
import { type Bytes, equal, fromHex } from '../card-os/bytes.js';
import type { CardSpec } from '../card-os/fs/model.js';
import type { CompiledProfile } from './profile/load.js';

/** RID + application code of the USIM, TS 31.102 §1 / uicc-files.md §4.5. */
const USIM_AID_PREFIX = fromHex('A0000000871002');

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
  return { spec: { ...profile.spec, nvm }, applets, profile };
}
