// The ISIM as a registered applet package: configured by the profile's `isim` section (its AKA keys and
// SQN parameters, coded like `subscriber`), rides on the ADF whose AID starts with the ISIM's RID +
// application code, owns the isim/ NVM records, declares the codecs of its EFs (TS 31.103 §4.2).

import { type AppletPackage, adfByAidPrefix } from '../../card-os/applet-registry.js';
import { type AkaSubscription, personaliseAka } from '../aka/subscription.js';
import { ISIM_AID_PREFIX, ISIM_RECORDS, isimApplet } from './applet.js';
import { ISIM_CODECS } from './codecs.js';

export const isimPackage: AppletPackage<AkaSubscription> = {
  name: 'ISIM',
  section: 'isim',
  namespace: ['secret/isim/', 'isim/'],
  adfAid: ISIM_AID_PREFIX,
  codecs: ISIM_CODECS,
  install(config, target) {
    const adf = adfByAidPrefix(target.mf, ISIM_AID_PREFIX);
    if (!adf?.aid) return undefined;
    personaliseAka(config, target.nvm, ISIM_RECORDS);
    return isimApplet(adf.aid);
  },
};
