// The USIM as a registered applet package: configured by the profile's `subscriber` section, rides on the
// ADF whose AID starts with the USIM's RID + application code, owns the usim/ NVM records.

import { type AppletPackage, adfByAidPrefix } from '../../card-os/applet-registry.js';
import { type AkaSubscription, personaliseAka } from '../aka/subscription.js';
import { USIM_AID_PREFIX, USIM_KEYS, USIM_SQN, usimApplet } from './applet.js';

export const usimPackage: AppletPackage<AkaSubscription> = {
  name: 'USIM',
  section: 'subscriber',
  namespace: ['secret/usim/', 'usim/'],
  adfAid: USIM_AID_PREFIX,
  install(config, target) {
    const adf = adfByAidPrefix(target.mf, USIM_AID_PREFIX);
    if (!adf?.aid) return undefined;
    personaliseAka(config, target.nvm, { keys: USIM_KEYS, sqn: USIM_SQN });
    return usimApplet(adf.aid);
  },
};
