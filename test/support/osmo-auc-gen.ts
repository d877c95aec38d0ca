// osmo-auc-gen (Debian package libosmocore-utils) as an independent Milenage reference for card tests.
// Missing locally: tests skip with the reason; under CI=true they fail.

import { spawnSync } from 'node:child_process';

export const OSMO_AUC_GEN = 'osmo-auc-gen';
export const osmoMissing =
  spawnSync(OSMO_AUC_GEN, ['--help'], { encoding: 'utf8', timeout: 10_000 }).error !== undefined;
export const osmoSkipReason = osmoMissing
  ? ` [skipped: ${OSMO_AUC_GEN} not found; apt-get install -y libosmocore-utils]`
  : '';

/**
 * A 3G vector from osmo-auc-gen (Milenage, or `xor`: the TS 34.108 §8.1.2 test algorithm): lower-case hex
 * fields RAND, AUTN, RES, CK, IK...
 */
export function osmoVector(o: {
  k: string;
  opc: string;
  rand: string;
  sqn: number;
  amf: string;
  algorithm?: 'milenage' | 'xor';
}): Map<string, string> {
  const r = spawnSync(
    OSMO_AUC_GEN,
    [
      '-3',
      '-a',
      o.algorithm ?? 'milenage',
      '-k',
      o.k,
      '-o',
      o.opc,
      '-s',
      String(o.sqn),
      '-f',
      o.amf,
      '-r',
      o.rand,
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (r.status !== 0) throw new Error(`${OSMO_AUC_GEN} failed: ${r.stderr}`);
  const fields = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^([A-Za-z.]+):\t(\S+)$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!.toLowerCase());
  }
  return fields;
}
