// Shared set-up for the trace tests: profiles, cards with the USIM applet, recorded script runs.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSqnState, initialSqnState } from '../../applets/aka/sqn.js';
import { encodeSubscriberKeys } from '../../applets/aka/subscriber-keys.js';
import { USIM_KEYS, USIM_SQN, usimApplet } from '../../applets/usim/applet.js';
import { type CardOs, createCard } from '../../card-os/card.js';
import { defaultProfilePath, prepareProfile } from '../../host/card-factory.js';
import { openTransport } from '../../host/cli/transport-options.js';
import type { SubscriberProfile } from '../../host/profile/load.js';
import { parseScriptText } from '../../host/script/parse.js';
import { runScript } from '../../host/script/run.js';

export const tmp = (): string => mkdtempSync(join(tmpdir(), 'uicc-trace-'));

export const DEFAULT_IMSI = '001010123456789';

/** The default profile with another IMSI: the variant replay must tell apart. */
export function profileWithImsi(dir: string, imsi: string): string {
  const text = readFileSync(defaultProfilePath(), 'utf8');
  const changed = text.replace(`imsi: "${DEFAULT_IMSI}"`, `imsi: "${imsi}"`);
  if (changed === text) throw new Error('the default profile no longer holds the IMSI this test expects');
  const path = join(dir, `imsi-${imsi}.yaml`);
  writeFileSync(path, changed);
  return path;
}

/** Select the USIM, verify PIN1, read EF.IMSI (T=0: FCP via GET RESPONSE). */
export const READ_IMSI_SCRIPT = [
  '00 A4 00 04 02 3F 00                 => 61xx',
  '00 A4 04 04 07 A0 00 00 00 87 10 02  => 61xx',
  'verify pin1 1234                     => 9000',
  '00 A4 00 04 02 6F 07                 => 61xx',
  '00 C0 00 00 ${SW2}                   => 62 * 9000',
  '00 B0 00 00 09                       => 08 09 10 10 10 32 54 76 98 9000',
].join('\n');

/** Runs a script against a card from `profile`, recording to `traces`; returns the expectation failures. */
export async function recordScript(
  script: string,
  traces: string[],
  profile = defaultProfilePath(),
): Promise<number> {
  const t = await openTransport({ profile, trace: traces }, 'test');
  try {
    const r = await runScript(parseScriptText(script, 'test.apdu'), t.transport, () => {});
    return r.failed;
  } finally {
    await t.close();
  }
}

/** The subscriber section (K, OPc, AMF, SQN parameters) of the default profile. */
export function defaultSubscriber(): SubscriberProfile {
  const sub = prepareProfile(readFileSync(defaultProfilePath(), 'utf8'), defaultProfilePath()).profile
    .subscriber;
  if (!sub) throw new Error('the default profile has no subscriber section');
  return sub;
}

/**
 * A card from the default profile running the real USIM applet with the profile's subscriber keys
 * (AUTHENTICATE), whether or not personalisation installs it yet.
 */
export function usimCard(): CardOs {
  const p = prepareProfile(readFileSync(defaultProfilePath(), 'utf8'), defaultProfilePath());
  const sub = defaultSubscriber();
  const nvm = new Map(p.spec.nvm);
  nvm.set(USIM_KEYS, encodeSubscriberKeys(sub));
  nvm.set(USIM_SQN, encodeSqnState(initialSqnState(sub.sqn)));
  const spec = { ...p.spec, nvm };
  const adf = createCard(spec).index.adfs[0];
  if (!adf?.aid) throw new Error('the default profile has no ADF');
  return createCard(spec, { applets: [usimApplet(adf.aid)] });
}
