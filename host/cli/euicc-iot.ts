// `uicc euicc certs` and `uicc euicc eim [list|add]`: the SGP.32 (eSIM IoT) ES10b functions an IPA uses,
// GetCerts (SGP.32 §5.9.10), GetEimConfigurationData (§5.9.18) and AddInitialEim (§5.9.4)
// (host/euicc/ipa.ts), on the same eUICC as the other `uicc euicc` commands.

import type { Command } from 'commander';
import { EIM_ID_TYPES, EIM_PROTOCOLS, type EimConfig } from '../euicc/eim.js';
import { addInitialEim, eimList, getCerts, hexKeyId, IpaResultError } from '../euicc/ipa.js';
import type { Lpa } from '../euicc/lpa.js';

type WithLpa = (fn: (lpa: Lpa) => Promise<number | undefined>) => Promise<void>;

/** A result code of the eUICC is an answer, not a failure of the tool: printed, exit status 1. */
async function refused(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof IpaResultError)) throw err;
    console.error(err.message);
    return 1;
  }
}

interface AddOpts {
  fqdn?: string;
  idType?: string;
  counter?: string;
  associationToken?: boolean;
  protocol?: string;
  ciPkid?: string;
  indirectDownload?: boolean;
}

function count(what: string, s: string): number {
  if (!/^\d{1,9}$/.test(s)) throw new Error(`${what} ${s}: expected a decimal number (0..999999999)`);
  return Number(s);
}

/** The eIM of `uicc euicc eim add`, checked before anything is sent. */
function eimFromOptions(eimId: string, o: AddOpts): EimConfig {
  const e: EimConfig = { eimId };
  const bytes = new TextEncoder().encode(eimId).length;
  if (bytes < 1 || bytes > 128)
    throw new Error(`eimId "${eimId}": must be 1 to 128 bytes (SGP.32 §2.11.1.1.1)`);
  if (o.fqdn !== undefined) e.eimFqdn = o.fqdn;
  if (o.idType !== undefined) {
    const t = EIM_ID_TYPES.find((x) => x === o.idType);
    if (!t) throw new Error(`--id-type ${o.idType}: expected one of ${EIM_ID_TYPES.join(', ')}`);
    e.eimIdType = t;
  }
  if (o.counter !== undefined) e.counterValue = count('--counter', o.counter);
  // Any value asks the eUICC to assign a token (SGP.32 §5.9.4); 0 is what goes on the wire.
  if (o.associationToken) e.associationToken = 0;
  if (o.protocol !== undefined) {
    e.eimSupportedProtocol = o.protocol.split(',').map((p) => {
      const hit = EIM_PROTOCOLS.find((x) => x === p.trim());
      if (!hit) throw new Error(`--protocol ${p}: expected a comma list of ${EIM_PROTOCOLS.join(', ')}`);
      return hit;
    });
  }
  if (o.ciPkid !== undefined) e.euiccCiPKId = hexKeyId(o.ciPkid);
  if (o.indirectDownload) e.indirectProfileDownload = true;
  return e;
}

export function registerEuiccIot(e: Command, withLpa: WithLpa): void {
  e.command('certs')
    .description('SGP.32 GetCerts: the EUM and eUICC certificates (subject, issuer, key identifiers)')
    .option('--ci <pkid>', 'the CI key identifier (hex) the certificates must chain to')
    .action((o: { ci?: string }) =>
      withLpa((lpa) =>
        refused(async () => {
          const certs = await getCerts(lpa, o.ci === undefined ? undefined : hexKeyId(o.ci));
          for (const c of certs) {
            console.log(`${c.role} certificate (${c.der.length} bytes)`);
            console.log(`  subject  ${c.subject}`);
            console.log(`  issuer   ${c.issuer}`);
            console.log(`  SKI      ${c.ski ?? '(none)'}`);
            console.log(`  AKI      ${c.aki ?? '(none)'}`);
          }
          return 0;
        }),
      ),
    );

  const eim = e.command('eim').description('SGP.32 eIM configuration: list, add the initial eIM');
  eim
    .command('list', { isDefault: true })
    .description('GetEimConfigurationData: the configured eIMs')
    .option('--id <eimId>', 'only this eIM')
    .action((o: { id?: string }) =>
      withLpa(async (lpa) => {
        const list = await eimList(lpa, o.id);
        if (list.length === 0) console.log(o.id ? `no eIM "${o.id}"` : 'no eIM configured');
        for (const entry of list) {
          console.log(`eIM ${entry.eimId ?? '?'}`);
          for (const [k, v] of Object.entries(entry))
            if (k !== 'eimId') console.log(`  ${k.padEnd(24)} ${v}`);
        }
        return 0;
      }),
    );
  eim
    .command('add <eimId>')
    .description('AddInitialEim: configure the first eIM (refused when one is configured already)')
    .option('--fqdn <name>', 'the eIM FQDN')
    .option('--id-type <type>', `eimIdType: ${EIM_ID_TYPES.join(', ')}`)
    .option('--counter <n>', 'initial counterValue')
    .option('--association-token', 'ask the eUICC for an association token')
    .option('--protocol <list>', `eimSupportedProtocol, comma list of ${EIM_PROTOCOLS.join(', ')}`)
    .option('--ci-pkid <hex>', 'euiccCiPKId: the CI key id the eUICC signs with for this eIM')
    .option('--indirect-download', 'indirectProfileDownload supported')
    .action((eimId: string, o: AddOpts) => {
      const config = eimFromOptions(eimId, o);
      return withLpa((lpa) =>
        refused(async () => {
          const results = await addInitialEim(lpa, [config]);
          console.log(`add eIM ${eimId}: ${results.join(', ')}`);
          return 0;
        }),
      );
    });
}
